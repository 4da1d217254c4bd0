import datetime as dt

from app.core import crypto
from app.core.ids import make_resident_id
from app.core.masking import mask_id_number
from app.extensions import db
from app.recipients import services
from app.recipients.models import ID_PURPOSE, Recipient


def add(name, number, **kw):
    r = Recipient(name=name, id_number_enc=crypto.encrypt(number, purpose=ID_PURPOSE),
                  id_number_hash=crypto.blind_index(number, purpose=ID_PURPOSE),
                  id_masked=mask_id_number(number), id_last4=number[-4:], category="dibao",
                  district_code=number[:6], **kw)
    db.session.add(r)
    db.session.flush()
    return r


def test_search_by_name_and_id_tail(app_ctx):
    a = add("张三", make_resident_id("411002", dt.date(1950, 1, 2), 11))
    b = add("张三丰", make_resident_id("411024", dt.date(1948, 3, 4), 12))
    c = add("李四", make_resident_id("411002", dt.date(1960, 5, 6), 13), status="exited")
    assert {r.id for r in services.search("张三")} == {a.id, b.id}
    tail6 = crypto.decrypt(b.id_number_enc, purpose=ID_PURPOSE)[-6:]
    assert [r.id for r in services.search(f"张 {tail6}")] == [b.id]
    assert [r.id for r in services.search(tail6[-4:])] == [b.id] or b.id in [r.id for r in services.search(tail6[-4:])]
    assert services.search("李四") == []  # exited
    assert [r.id for r in services.search("李四", only_active=False)] == [c.id]
    assert [r.id for r in services.search("张三", district_code="411024")] == [b.id]
    assert services.search("") == []
