"""The public pages: feedback from the receipt QR and the figures; never any personal data."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.masking import mask_name
from app.extensions import db
from app.pos.receipt_data import feedback_token
from app.recipients.models import Recipient
from app.reports.models import Feedback
from app.vouchers import issuance
from tests.reports.factories import PERIOD, build_month
from tests.vouchers import factories as vf


def _token(client, url: str) -> str:
    """The CSRF token of the form, as the recipient's phone gets it with the page."""
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _link(app, receipt_no: str) -> str:
    """The path the receipt's QR holds: /f/<receipt_no>/<token>."""
    with app.app_context():
        return f"/f/{receipt_no}/{feedback_token(receipt_no)}"


def _personal_strings(app):
    with app.app_context():
        people = list(db.session.scalars(select(Recipient)))
        out = []
        for p in people:
            from app.recipients import services

            out += [p.name, mask_name(p.name), services.phone_of(p), p.phone_masked, services.id_number_of(p),
                    p.id_masked]
        return [s for s in out if s]


def test_feedback_page_shows_shop_day_and_hotline_but_no_person(app, client):
    with app.app_context():
        m = build_month(expire=False)
        receipt_no = m.sales["r2_oil"].receipt_no
        shop_name = m.a.shop.name
        db.session.commit()
    link = _link(app, receipt_no)
    resp = client.get(link)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert shop_name in html and "2026-11-05" in html and app.config["COMPLAINT_HOTLINE"] in html
    for s in _personal_strings(app):
        assert s not in html, s
    assert "5800" not in html and "¥" not in html  # no amounts, no items
    assert 'style="' not in html and "<script>" not in html

    token = _token(client, link)
    resp = client.post(link,
                       data={"rating": "2", "kind": "complaint", "comment": "", "csrf_token": token})
    assert resp.status_code == 400 and "投诉请写明情况" in resp.get_data(as_text=True)
    resp = client.post(link, data={"rating": "2", "kind": "complaint", "comment": "=1+1 收银员态度不好",
                                                   "csrf_token": token})
    assert resp.status_code == 200 and "投诉已收到" in resp.get_data(as_text=True)
    resp = client.post(link, data={"rating": "5", "csrf_token": token})
    assert resp.status_code == 409 and "已经评价过了" in resp.get_data(as_text=True)
    with app.app_context():
        [fb] = db.session.scalars(select(Feedback)).all()
        assert (fb.rating, fb.kind, fb.comment) == (2, "complaint", "=1+1 收银员态度不好")


def test_unknown_receipt_and_bad_rating(app, client):
    resp = client.get("/f/NOPE-20261101-0001/" + "a" * 16)
    assert resp.status_code == 404 and app.config["COMPLAINT_HOTLINE"] in resp.get_data(as_text=True)
    with app.app_context():
        m = build_month(expire=False)
        receipt_no = m.sales["r1_rice"].receipt_no
        db.session.commit()
    link = _link(app, receipt_no)
    token = _token(client, link)
    for rating in ("0", "6", "x", ""):
        resp = client.post(link, data={"rating": rating, "csrf_token": token})
        assert resp.status_code == 400, rating
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Feedback)) == 0


def test_a_receipt_number_without_its_token_finds_nothing_and_writes_nothing(app, client):
    """Receipt numbers are sequential; the link's keyed token is not: guessing it fails."""
    with app.app_context():
        receipt_no = build_month(expire=False).sales["r1_rice"].receipt_no
        db.session.commit()
    link = _link(app, receipt_no)
    token = _token(client, link)
    real = link.rsplit("/", 1)[1]
    assert len(real) == 16  # 80 bits in base32
    wrong = ("b" if real[0] != "b" else "c") + real[1:]
    for path in (f"/f/{receipt_no}", f"/f/{receipt_no}/{wrong}", f"/f/{receipt_no}/", f"/f/{receipt_no}/{real[:8]}"):
        assert client.get(path).status_code == 404, path
        resp = client.post(path, data={"rating": "1", "kind": "complaint", "comment": "抢先差评", "csrf_token": token})
        assert resp.status_code == 404, path
    assert client.get(f"/f/{receipt_no}/{real.upper()}").status_code == 200  # the token ignores case
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Feedback)) == 0
        assert feedback_token(receipt_no) != feedback_token(receipt_no[:-1] + "9")
    assert client.post(link, data={"rating": "5", "csrf_token": token}).status_code == 200


def test_feedback_posts_are_rate_limited(app, client):
    with app.app_context():
        receipt_no = build_month(expire=False).sales["r7_rice"].receipt_no
        db.session.commit()
    link = _link(app, receipt_no)
    token = _token(client, link)
    codes = [client.post(link, data={"rating": "9", "csrf_token": token}).status_code
             for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_public_figures_hide_people_and_small_cells(app, client):
    with app.app_context():
        build_month()
        # December: only three vouchers -> counts shown as <5, money withheld
        for i in range(3):
            vf.recipient(f"李小{i}", phone=f"1390000{i:04d}", district_code="411025")
        db.session.commit()
    with app.app_context():
        from app.reports import figures

        issued_dec = issuance.issue_vouchers(period="2026-12", district_code="411025")
        db.session.commit()
        assert issued_dec.created == 3
        data = figures.public_rows()
    nov = next(r for r in data["rows"] if r["period"] == PERIOD)
    dec = next(r for r in data["rows"] if r["period"] == "2026-12")
    assert nov["issued_count"] == 12 and nov["issued_fen"] == 34800 and nov["redeemers"] == 7
    assert nov["redeemed_net_fen"] == 16150 - 5250 and nov["redemption_rate_pct"] == 31.3
    assert dec["issued_count"] is None and dec["issued_fen"] is None and dec["redemption_rate_pct"] is None
    html = client.get("/figures").get_data(as_text=True)
    assert "&lt;5" in html and "¥348.00" in html
    for s in _personal_strings(app):
        assert s not in html, s
    # no number from 1 to 4 stands alone in a table cell, except the shop count
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert not [c for c in cells if c.strip() in {"1", "2", "3", "4"}]
    # the open-data download carries the same suppression and nothing personal
    csv_text = client.get("/figures/export?fmt=csv").get_data().decode("utf-8-sig")
    lines = [line.split(",") for line in csv_text.strip().splitlines()]
    assert lines[0][:3] == ["月份", "发放人次", "发放金额"]
    rows = {line[0]: line for line in lines[1:]}
    assert rows[PERIOD][1:3] == ["12", "348.00"]
    assert rows["2026-12"][1:3] == ["<5", "—"]
    for s in _personal_strings(app):
        assert s not in csv_text, s
    xlsx = client.get("/figures/export?fmt=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/figures/export?fmt=pdf").status_code == 400
