"""The pickup screen identifies a recipient from a scanned voucher QR."""

from app.extensions import db
from tests import factories
from tests.vouchers import factories as vf


def test_scanned_voucher_opens_the_recipients_pickup_panel(app, login):
    with app.app_context():
        cashier = factories.user("cashier")
        r = vf.recipient("孙桂兰")
        _v, code = vf.voucher(r)
        rid = r.id
        db.session.commit()
    c = login("cashier", user=cashier)
    for scanned in (f"http://test.local/v#{code}", f"http://test.local/v/{code}"):  # new and old sheets
        resp = c.post("/donations/pickup/scan", data={"code": scanned})  # posted: no code in any URL
        assert resp.status_code == 302
        assert resp.headers["Location"].endswith(f"recipient_id={rid}")
    bad = c.post("/donations/pickup/scan", data={"code": "ABCDE-ABCDE-ABCDE-ABCDE-Z"})
    assert bad.status_code == 302 and bad.headers["Location"].endswith("/donations/pickup")
    page = c.get("/donations/pickup").get_data(as_text=True)
    assert "购物券" in page
