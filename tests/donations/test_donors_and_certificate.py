"""Donors (credit code checked), donor accounts, and the certificate PDF read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, InvalidInput
from app.donations import donors, services
from app.donations.errors import DonorNotLinked
from app.donations.models import Donor
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.helpers import login_as, snapshot


def test_credit_codes_are_checked(app_ctx):
    good = f.credit_code(4242)
    assert donors.validate_credit_code(f" {good.lower()} ") == good
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match="校验位"):
        donors.validate_credit_code(wrong_check)
    with pytest.raises(InvalidInput, match="18 位"):
        donors.validate_credit_code(good[:-2])
    with pytest.raises(InvalidInput, match="格式"):
        donors.validate_credit_code("I" + good[1:])
    with pytest.raises(InvalidInput, match="必须填写"):
        donors.create_donor(kind="enterprise", name="无码企业", credit_code="")
    acme = donors.create_donor(kind="enterprise", name="甲企业", credit_code=good)
    with pytest.raises(Conflict):
        donors.create_donor(kind="enterprise", name="乙企业", credit_code=good.lower())
    person = donors.create_donor(kind="individual", name="李秀兰")
    assert person.credit_code is None and acme.credit_code == good


def test_a_bad_credit_code_on_the_page_says_why_and_writes_nothing(app, login):
    with app.app_context():
        manager = factories.user("manager").id
        db.session.commit()
    staff = login_as(app, login, manager)
    good = f.credit_code(777)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    before = snapshot(app)
    resp = staff.post("/donations/donors", data={"kind": "enterprise", "name": "许昌某公司", "credit_code": bad},
                      headers={"Referer": "http://localhost/donations/donors"})
    assert resp.status_code == 302
    page = staff.get("/donations/donors").get_data(as_text=True)
    assert f"统一社会信用代码校验位不正确，请核对：{bad}" in page
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Donor.id)).where(Donor.name == "许昌某公司")) == 0


def test_donor_accounts_belong_to_one_organisation(app_ctx):
    acme, other = f.donor(), f.donor()
    user = factories.user("donor")
    with pytest.raises(DonorNotLinked):
        donors.require_donor_of_user(user)
    donors.link_user(donor=acme, username=user.username)
    assert donors.donor_of_user(user).id == acme.id
    donors.link_user(donor=acme, username=user.username)  # again: no change
    with pytest.raises(Conflict):
        donors.link_user(donor=other, username=user.username)
    with pytest.raises(InvalidInput):
        donors.link_user(donor=acme, username=factories.user("cashier").username)
    assert donors.members_of(acme) == [user.username]


def test_the_certificate_reads_back_in_chinese(app, login, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    with app.app_context():
        shop = factories.shop(name="魏都区慈善超市（七里店）")
        acme = f.donor("许昌市暖阳纺织有限公司")
        donation = f.received(shop=shop, donor_obj=acme, lines=[
            {"kind": "quilt", "description": "棉被 1.5 米", "condition": "new", "quantity": 30,
             "estimated_value_fen": 450000},
            {"kind": "clothing", "description": "棉衣", "size": "XL", "season": "winter", "quantity": 12}])
        user = f.donor_user(acme).id
        ids = (donation.id, donation.certificate_no, donation.received_on.isoformat(), acme.credit_code)
        db.session.commit()
    donation_id, number, day, code = ids
    resp = login_as(app, login, user).get(f"/donations/{donation_id}/certificate.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f'filename="{number}.pdf"' in resp.headers["Content-Disposition"]
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("捐赠证明", number, "许昌市暖阳纺织有限公司", code, "魏都区慈善超市（七里店）", day,
                     "棉被 1.5 米", "30", "棉衣", "XL", "冬季", "12", "¥4,500.00", "全新", "许昌市慈善总会"):
        assert expected in text, expected


def _pdf_text(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_certificate_states_what_was_received_not_what_was_registered(app, login, tmp_path):
    """50 jackets registered at ¥5,000, 47 received: the certificate says 47 and ¥4,700.00 (the
    line's value × 47 ÷ 50). A ¥10.00 line of 3 with 1 received is ¥3.33 (half up to the fen);
    2 of 3 would be ¥6.67; a line counted over its registration adds no value beyond the
    donor's; the total is the sum of the printed lines."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop)
        donation = f.pledged(shop=shop, user=manager, lines=[
            {"kind": "clothing", "description": "冲锋衣", "size": "L", "season": "winter", "quantity": 50,
             "estimated_value_fen": 500000},
            {"kind": "shoes", "description": "棉鞋", "size": "40", "season": "winter", "quantity": 3,
             "estimated_value_fen": 1000},
            {"kind": "quilt", "description": "毛毯", "quantity": 4, "estimated_value_fen": 80000},
            {"kind": "other", "description": "手套", "quantity": 10}])
        jackets, shoes, blankets, gloves = donation.lines
        services.receive_donation(user=manager, donation_id=donation.id, lines=[
            {"line_id": jackets.id, "quantity_received": 47, "quantity_rejected": 3, "reject_reason": "破损"},
            {"line_id": shoes.id, "quantity_received": 1, "note": "少送 2 双"},
            {"line_id": blankets.id, "quantity_received": 5, "note": "多送 1 条"},
            {"line_id": gloves.id, "quantity_received": 10}])
        assert [x.received_value_fen for x in donation.lines] == [470000, 333, 80000, None]
        assert [x["received_value_fen"] for x in services.describe(donation)["lines"]] == [470000, 333, 80000,
                                                                                           None]
        user, donation_id = manager.id, donation.id
        db.session.commit()
    resp = login_as(app, login, user).get(f"/donations/{donation_id}/certificate.pdf")
    assert resp.status_code == 200
    text = _pdf_text(resp.data, tmp_path)
    rows = {line.split()[1]: line.split() for line in text.splitlines()
            if line.split()[1:2] and line.split()[1] in ("冲锋衣", "棉鞋", "毛毯", "手套")}
    assert rows["冲锋衣"][-2:] == ["47", "¥4,700.00"]
    assert rows["棉鞋"][-2:] == ["1", "¥3.33"]
    assert rows["毛毯"][-2:] == ["5", "¥800.00"]
    assert rows["手套"][-2:] == ["10", "—"]
    total = next(line.split() for line in text.splitlines() if line.split()[:1] == ["合计"])
    assert total[-2:] == ["63", "¥5,503.33"]
    assert "实收估值" in text and "¥5,000.00" not in text and "50" not in rows["冲锋衣"]


def test_no_certificate_before_the_donation_is_received(app_ctx):
    from app.donations.certificate import render_certificate

    donation = f.pledged(shop=factories.shop())
    with pytest.raises(Conflict):
        render_certificate(donation)
    assert services.describe(donation)["certificate_no"] is None
