import datetime as dt

import pytest
from sqlalchemy import text

from app.core.errors import Conflict, InvalidInput
from app.extensions import db
from app.vouchers import issuance, services
from app.vouchers.errors import (
    InsufficientBalance,
    VoucherExhausted,
    VoucherExpired,
    VoucherNotYetValid,
    VoucherRevoked,
    VoucherUnknown,
)
from tests.vouchers import factories

DEC = dt.date(2026, 12, 10)


def ledger_sum(voucher_id):
    return sum(r.amount_fen for r in services.ledger_of(voucher_id))


def test_find_voucher_by_any_spelling_of_its_code(app_ctx):
    v, code = factories.voucher()
    from app.vouchers.codes import group

    assert services.find_voucher(group(code).lower()).id == v.id
    other = list(code)
    other[0] = "Z" if code[0] != "Z" else "Y"
    with pytest.raises(VoucherUnknown):
        services.find_voucher("".join(other))  # check symbol catches it
    from app.vouchers.codes import new_code

    with pytest.raises(VoucherUnknown):
        services.find_voucher(new_code())  # well-formed, but no such voucher


def test_redeem_in_parts_until_exhausted(app_ctx):
    v, _ = factories.voucher()
    assert services.redeem(v.id, 1000, today=DEC, ref_type="sale", ref_id=1) == 1900
    assert services.redeem(v.id, 1900, today=DEC, ref_type="sale", ref_id=2) == 0
    assert v.status == "exhausted" and v.balance_fen == 0  # the loaded object was refreshed
    with pytest.raises(VoucherExhausted):
        services.redeem(v.id, 1, today=DEC, ref_type="sale", ref_id=3)
    assert [r.kind for r in services.ledger_of(v.id)] == ["issue", "redeem", "redeem"]
    assert ledger_sum(v.id) == 0


def test_redeem_refuses_with_the_right_code(app_ctx):
    v, _ = factories.voucher()
    with pytest.raises(InsufficientBalance) as exc:
        services.redeem(v.id, 3000, today=DEC, ref_type="sale", ref_id=1)
    assert exc.value.details == {"balance_fen": 2900}
    with pytest.raises(VoucherExpired):
        services.redeem(v.id, 100, today=dt.date(2027, 1, 1), ref_type="sale", ref_id=1)
    with pytest.raises(VoucherNotYetValid):
        services.redeem(v.id, 100, today=dt.date(2026, 11, 30), ref_type="sale", ref_id=1)
    with pytest.raises(InvalidInput):
        services.redeem(v.id, 0, today=DEC, ref_type="sale", ref_id=1)
    services.revoke(v.id, reason="test")
    with pytest.raises(VoucherRevoked):
        services.redeem(v.id, 100, today=DEC, ref_type="sale", ref_id=1)
    assert ledger_sum(v.id) == v.balance_fen == 0


def test_refund_restores_balance_but_never_above_face(app_ctx):
    v, _ = factories.voucher()
    services.redeem(v.id, 2900, today=DEC, ref_type="sale", ref_id=1)
    assert services.refund(v.id, 900, today=DEC, ref_type="void", ref_id=1) == 900
    assert v.status == "active"
    with pytest.raises(InvalidInput):
        services.refund(v.id, 2001, today=DEC, ref_type="void", ref_id=1)
    assert ledger_sum(v.id) == v.balance_fen == 900


def test_refund_after_expiry_is_written_and_expired_again(app_ctx):
    v, _ = factories.voucher()
    services.redeem(v.id, 1000, today=DEC, ref_type="sale", ref_id=1)
    issuance.expire_vouchers(as_of=dt.date(2027, 1, 1))
    assert v.status == "expired" and v.balance_fen == 0
    assert services.refund(v.id, 1000, today=dt.date(2027, 1, 3), ref_type="void", ref_id=1) == 0
    kinds = [(r.kind, r.amount_fen) for r in services.ledger_of(v.id)]
    assert kinds == [("issue", 2900), ("redeem", -1000), ("expire", -1900), ("refund", 1000), ("expire", -1000)]
    assert ledger_sum(v.id) == 0 and issuance.verify() == []


def test_reissue_moves_the_balance_and_kills_the_old_code(app_ctx):
    v, old_code = factories.voucher()
    services.redeem(v.id, 400, today=DEC, ref_type="sale", ref_id=1)
    new, new_code = services.reissue(v.id, reason="卡片遗失")
    assert new_code != old_code and new.reissue_no == 1 and new.reissue_of_id == v.id
    assert (new.face_fen, new.balance_fen, new.period) == (2500, 2500, v.period)
    assert v.status == "revoked" and v.balance_fen == 0
    with pytest.raises(VoucherRevoked):
        services.redeem(services.find_voucher(old_code).id, 100, today=DEC, ref_type="sale", ref_id=2)
    with pytest.raises(VoucherRevoked):
        services.recipient_for_code(old_code)
    assert services.recipient_for_code(new_code).id == v.recipient_id
    assert services.redeem(services.find_voucher(new_code).id, 100, today=DEC, ref_type="sale", ref_id=3) == 2400
    assert issuance.verify() == []
    with pytest.raises(Conflict):
        services.reissue(v.id, reason="again")


def test_a_refund_on_a_replaced_card_follows_the_recipient_to_the_new_card(app_ctx):
    """A sale paid with a card that was then lost and replaced (twice) is voided: the refund goes
    to the card in the recipient's hand, whose face grows by it; the old cards stay at zero."""
    v, _ = factories.voucher()
    services.redeem(v.id, 1000, today=DEC, ref_type="sale", ref_id=1)
    first, _c = services.reissue(v.id, reason="卡片遗失")
    second, _c = services.reissue(first.id, reason="卡片损坏")
    assert services.refund(v.id, 1000, today=DEC, ref_type="void", ref_id=1) == 0
    db.session.refresh(second)
    assert (second.face_fen, second.balance_fen, second.status) == (2900, 2900, "active")
    assert [(r.kind, r.amount_fen, r.ref_type) for r in services.ledger_of(v.id)][-2:] == [
        ("refund", 1000, "void"), ("revoke", -1000, "reissue")]
    assert [(r.kind, r.amount_fen, r.ref_type) for r in services.ledger_of(second.id)][-1] == ("issue", 1000, "reissue")
    assert v.balance_fen == 0 and first.balance_fen == 0
    assert issuance.verify() == []


def test_a_refund_on_a_card_revoked_for_leaving_is_revoked_again(app_ctx):
    v, _ = factories.voucher()
    services.redeem(v.id, 1000, today=DEC, ref_type="sale", ref_id=1)
    services.revoke(v.id, reason="退出低保")
    assert services.refund(v.id, 1000, today=DEC, ref_type="void", ref_id=1) == 0
    assert [(r.kind, r.amount_fen) for r in services.ledger_of(v.id)][-2:] == [("refund", 1000), ("revoke", -1000)]
    assert issuance.verify() == []


def test_a_refund_is_not_forwarded_to_an_expired_replacement(app_ctx):
    v, _ = factories.voucher()
    services.redeem(v.id, 1000, today=DEC, ref_type="sale", ref_id=1)
    new, _c = services.reissue(v.id, reason="卡片遗失")
    issuance.expire_vouchers(as_of=dt.date(2027, 1, 1))
    assert services.refund(v.id, 1000, today=dt.date(2027, 1, 3), ref_type="void", ref_id=1) == 0
    assert [(r.kind, r.amount_fen) for r in services.ledger_of(v.id)][-2:] == [("refund", 1000), ("revoke", -1000)]
    db.session.refresh(new)
    assert new.balance_fen == 0 and new.face_fen == 1900
    assert issuance.verify() == []


def test_reprint_is_audited(app_ctx):
    from app.core import audit

    v, code = factories.voucher()
    _, again = services.reprint_code(v.id, reason="打印机卡纸")
    assert again == code
    assert audit.search(action="voucher.reprint")[0].target_id == str(v.id)


def test_voucher_info_for_the_till(app_ctx):
    r = factories.recipient("王小明", category="tekun")
    v, code = factories.voucher(r)
    info = services.voucher_info(services.find_voucher(code), today=DEC)
    assert info["recipient"] == {"id": r.id, "name_masked": "王*明"}
    assert info["status"] == "active" and info["balance_fen"] == 2900 and info["limits"] == []
    assert info["category_allowed"] is True and info["valid_until"] == "2026-12-31"
    assert services.voucher_info(v, today=dt.date(2027, 1, 1))["status"] == "expired"


def test_the_ledger_refuses_update_and_delete(app_ctx):
    v, _ = factories.voucher()
    row = services.ledger_of(v.id)[0]
    for sql in (f"UPDATE voucher_ledger SET amount_fen = 1 WHERE id = {row.id}",
                f"DELETE FROM voucher_ledger WHERE id = {row.id}"):
        nested = db.session.begin_nested()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(sql))
        nested.rollback()


def test_the_database_refuses_a_balance_outside_face(app_ctx):
    v, _ = factories.voucher()
    nested = db.session.begin_nested()
    with pytest.raises(Exception, match=r"balance_within_face|CHECK"):
        db.session.execute(text(f"UPDATE voucher SET balance_fen = 3000 WHERE id = {v.id}"))
    nested.rollback()
