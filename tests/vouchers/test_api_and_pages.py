from app.core import audit
from app.core.timeutil import Period, business_today
from app.extensions import db
from app.vouchers import codes, services
from tests.vouchers import factories


def make_voucher(app, name="王小明", **kw):
    with app.app_context():
        r = factories.recipient(name, **kw)
        period = str(Period.current())
        v, code = factories.voucher(r, period=period)
        db.session.commit()
        return v.id, code, r.id


def test_the_till_reads_a_voucher(app, login):
    _vid, code, rid = make_voucher(app)
    c = login("cashier")
    resp = c.post("/api/v1/vouchers/lookup", json={"code": codes.group(code).lower()})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["code"] == codes.group(code) and body["balance_fen"] == 2900 and body["status"] == "active"
    assert body["recipient"] == {"id": rid, "name_masked": "王*明"} and body["limits"] == []
    # a scanned QR (the code in the fragment) is read too
    assert c.post("/api/v1/vouchers/lookup", json={"code": f"https://x.example/v#{code}"}).status_code == 200
    # the old GET (code in the path) still answers old clients
    assert c.get(f"/api/v1/vouchers/{code}").get_json() == body


def test_voucher_api_error_codes(app, login):
    _vid, code, _ = make_voucher(app)
    c = login("manager")
    typo = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    resp = c.post("/api/v1/vouchers/lookup", json={"code": typo})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "voucher_unknown"
    assert c.post("/api/v1/vouchers/lookup", json={}).get_json()["error"]["code"] == "invalid_input"
    assert login("donor").post("/api/v1/vouchers/lookup", json={"code": code}).status_code == 403


def test_issuance_run_api(app, login):
    with app.app_context():
        factories.recipient()
        factories.recipient(category="tekun")
        db.session.commit()
    c = login("federation")
    resp = c.post("/api/v1/issuance-runs", json={"period": "2030-07"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["period"] == "2030-07" and body["programme"] == "CSCS"
    assert body["created"] >= 2 and body["total_fen"] == body["created"] * 2900
    again = c.post("/api/v1/issuance-runs", json={"period": "2030-07"}).get_json()
    assert again["created"] == 0 and again["skipped"] == body["created"] + body["skipped"]
    bad = c.post("/api/v1/issuance-runs", json={"period": "2030-13"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_input"
    assert login("cashier").post("/api/v1/issuance-runs", json={"period": "2030-07"}).status_code == 403


def test_a_district_limited_federation_user_issues_only_the_district(app, login):
    with app.app_context():
        factories.recipient(district_code="411024")
        factories.recipient(district_code="411002")
        db.session.commit()
    c = login("federation", district_code="411024")
    body = c.post("/api/v1/issuance-runs", json={"period": "2030-08"}).get_json()
    assert body["district"] == "411024" and body["created"] >= 1
    with app.app_context():
        from sqlalchemy import select

        from app.recipients.models import Recipient
        from app.vouchers.models import Voucher

        districts = set(db.session.scalars(select(Recipient.district_code).join(
            Voucher, Voucher.recipient_id == Recipient.id).where(Voucher.period == "2030-08")))
    assert districts == {"411024"}


def test_public_page_shows_balance_and_nothing_personal(app, client):
    vid, code, _ = make_voucher(app, name="赵钱孙")
    with app.app_context():
        services.redeem(vid, 900, today=business_today(), ref_type="sale", ref_id=1)
        r = services.get_voucher(vid).recipient
        full_id, community = services.code_of(services.get_voucher(vid)), r.community
        from app.recipients.services import id_number_of, phone_of

        id_number, phone = id_number_of(r), phone_of(r)
        db.session.commit()
    personal = ("赵钱孙", "赵*孙", id_number, id_number[-4:], community) + ((phone,) if phone else ())
    # the QR's page: /v, the code in the fragment; the script asks by POST
    page = client.get("/v")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "js/voucher-public.js" in html and 'id="tpl-balance"' in html
    resp = client.post("/api/v1/vouchers/balance", json={"code": code})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    history = body.pop("history")  # the voucher's own rows (tests/vouchers/test_history.py)
    assert [(h["kind"], h["amount_fen"], h["balance_after_fen"]) for h in history] == [("issue", 2900, 2900),
                                                                                     ("redeem", -900, 2000)]
    assert body == {"status": "active", "balance_fen": 2000, "face_fen": 2900,
                    "valid_from": body["valid_from"], "valid_until": body["valid_until"], "code_tail": code[-4:]}
    for s in personal:
        assert s not in resp.get_data(as_text=True)
    # without JavaScript: the form posts the code and the answer is the card
    resp = client.post("/v", data={"code": codes.group(code).lower(), "csrf_token": _csrf(client)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "¥20.00" in html and "可以使用" in html and code[-4:] in html
    for s in personal:
        assert s not in html
    assert full_id == code


def _csrf(client) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/v").get_data(as_text=True)).group(1)


def test_old_links_with_the_code_in_the_path_are_sent_to_the_fragment(app, client):
    _vid, code, _ = make_voucher(app)
    resp = client.get(f"/v/{code}")
    assert resp.status_code == 303 and resp.headers["Location"] == f"/v#{code}"
    resp = client.get(f"/v?code={codes.group(code)}")  # the GET form of earlier versions
    assert resp.status_code == 303 and resp.headers["Location"] == f"/v#{codes.group(code)}"
    with app.app_context():
        assert services.public_url(code, "https://cs.example/") == f"https://cs.example/v#{code}"


def test_public_page_is_friendly_for_typos_and_rate_limited(app, client):
    code = codes.new_code()
    typo = code[:2] + ("A" if code[2] != "A" else "B") + code[3:]
    resp = client.post("/api/v1/vouchers/balance", json={"code": typo})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "voucher_unknown"
    resp = client.post("/v", data={"code": typo, "csrf_token": _csrf(client)})
    assert resp.status_code == 404 and "没有找到这张购物券" in resp.get_data(as_text=True)
    app.config["VOUCHER_PAGE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.post("/api/v1/vouchers/balance", json={"code": code}).status_code for _ in range(6)]
    finally:
        app.config.pop("VOUCHER_PAGE_LIMIT")
    assert statuses[-1] == 429


def test_unknown_code_page_points_to_the_front_of_the_voucher(app, client):
    """The code is printed on the front of the card (sheets.py draws it under the QR): the
    not-found text sends the recipient there, in Chinese and in English, also in the page's
    <template> the script shows after a failed look-up."""
    typo = codes.new_code()
    page = client.get("/v").get_data(as_text=True)
    assert "购物券正面印的券码" in page and "背面" not in page
    resp = client.post("/v", data={"code": typo, "csrf_token": _csrf(client)})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "购物券正面印的券码" in text and "背面" not in text
    client.get("/lang/en")
    text = client.post("/v", data={"code": typo, "csrf_token": _csrf(client)}).get_data(as_text=True)
    assert "printed on the front of the voucher" in text and "back" not in text.lower()


def test_issuance_page_runs_issuance_and_sheets_download(app, login):
    with app.app_context():
        factories.recipient()
        db.session.commit()
    c = login("admin")
    assert "购物券发放" in c.get("/vouchers/").get_data(as_text=True)
    resp = c.post("/vouchers/issue", data={"period": "2030-09"}, headers={"Referer": "/vouchers/"})
    assert resp.status_code == 302
    page = c.get("/vouchers/?period=2030-09").get_data(as_text=True)
    assert "2030-09" in page
    pdf = c.get("/vouchers/sheets.pdf?period=2030-09")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context():
        assert audit.search(action="vouchers.sheets")[0].details["period"] == "2030-09"


def test_reissue_and_reprint_from_the_recipient_page(app, login):
    vid, _code, rid = make_voucher(app)
    c = login("federation")
    page = c.get(f"/recipients/{rid}").get_data(as_text=True)
    assert "补打" in page and "挂失补发" in page
    resp = c.post(f"/vouchers/{vid}/reissue", data={"reason": "遗失"})
    assert resp.status_code == 302
    with app.app_context():
        old = services.get_voucher(vid)
        assert old.status == "revoked"
        new = services.vouchers_of_recipient(rid)[0]
        new_id = new.id
    pdf = c.post(f"/vouchers/{new_id}/reprint", data={"reason": "重新打印"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert c.post(f"/vouchers/{new_id}/reprint", data={"reason": ""},
                  headers={"Referer": f"/recipients/{rid}"}).status_code == 302  # refused, flashed
    other = login("federation", district_code="411024")
    assert other.post(f"/vouchers/{new_id}/reprint", data={"reason": "x"}).status_code == 403
