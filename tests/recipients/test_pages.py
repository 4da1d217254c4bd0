from app.core import audit
from app.extensions import db
from tests.recipients.factories import csv_bytes, person
from tests.vouchers import factories


def test_list_and_detail_are_masked_and_scoped(app, login):
    with app.app_context():
        r = factories.recipient("欧阳娜娜", phone="13812345678", district_code="411002")
        far = factories.recipient("远方人", district_code="411024")
        rid, far_id = r.id, far.id
        from app.recipients.services import id_number_of

        number = id_number_of(r)
        db.session.commit()
    c = login("federation", district_code="411002")
    html = c.get("/recipients/?q=欧阳").get_data(as_text=True)
    assert "欧**娜" in html and "欧阳娜娜" not in html and number not in html and "138****5678" in html
    assert "远方人" not in c.get("/recipients/").get_data(as_text=True).replace("远*人", "")
    detail = c.get(f"/recipients/{rid}").get_data(as_text=True)
    assert number not in detail and number[:4] + "**********" + number[-4:] in detail
    assert c.get(f"/recipients/{far_id}").status_code == 403
    revealed = c.post(f"/recipients/{rid}/reveal", data={"reason": "核对户籍"})
    assert revealed.status_code == 200 and number in revealed.get_data(as_text=True)
    with app.app_context():
        row = audit.search(action="recipient.reveal_id")[0]
        assert row.target_id == str(rid) and row.details["reason"] == "核对户籍"


def test_import_preview_then_apply(app, login):
    rows = [person("页面甲"), person("页面乙")]
    c = login("admin")
    resp = c.post("/recipients/import", data={"file": (__import__("io").BytesIO(csv_bytes(rows)), "r.csv")},
                  content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "确认导入" in html and "页*甲" in html
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    sha = re.search(r'name="sha256" type="hidden" value="([^"]+)"', html).group(1)
    with app.app_context():
        from app.recipients.services import find_by_id_number

        assert find_by_id_number(rows[0][1]) is None  # the preview wrote nothing
    done = c.post("/recipients/import/apply", data={"token": token, "sha256": sha, "sync": ""})
    assert done.status_code == 302
    with app.app_context():
        assert find_by_id_number(rows[0][1]).name == "页面甲"
    assert c.post("/recipients/import/apply", data={"token": token, "sha256": sha},
                  headers={"Referer": "/recipients/import"}).status_code == 302  # used up: refused


def test_import_preview_lists_bad_rows(app, login):
    c = login("federation")
    bad = person("")
    resp = c.post("/recipients/import", data={"file": (__import__("io").BytesIO(csv_bytes([bad])), "r.csv")},
                  content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "第 2 行" in html and "姓名为空" in html and "确认导入" not in html


def test_recipient_api_for_the_till(app, login):
    with app.app_context():
        r = factories.recipient("孙悟空")
        db.session.commit()
        tail = r.id_last4
    body = login("cashier").get(f"/api/v1/recipients?q=孙 {tail}").get_json()
    assert body and body[0]["name_masked"] == "孙*空" and "*" in body[0]["id_masked"]
