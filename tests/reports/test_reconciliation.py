"""A month of mixed activity reconciles exactly; a corrupted row is reported down to the sale."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.pos.models import Payment, Sale
from app.reports import reconciliation
from tests.reports.factories import PERIOD


def _shop(result, shop):
    return next(s for s in result["by_shop"] if s["shop"] == shop.code)


def test_month_before_expiry_reconciles_exactly(november_open):
    m = november_open
    r = reconciliation.reconcile(PERIOD)
    assert r["balanced"] is True, r["differences"]
    assert (r["issued_count"], r["issued_fen"]) == (12, 34800)
    assert r["redeemed_fen"] == 16150 and r["refunded_fen"] == 2750
    assert r["revoked_fen"] == 5550 and r["expired_fen"] == 0
    assert r["outstanding_fen"] == 15850
    assert r["sales_redeemed_fen"] == 16150 and r["sales_refunded_fen"] == 2750
    assert r["differences"] == [] and r["ledger_gap_fen"] == 0 and r["sales_gap_fen"] == 0
    a, b = _shop(r, m.a.shop), _shop(r, m.b.shop)
    assert (a["sales"], a["recipients"], a["redeemed_fen"], a["refunded_fen"]) == (5, 5, 10900, 250)
    assert (b["sales"], b["recipients"], b["redeemed_fen"], b["refunded_fen"]) == (3, 3, 5250, 2500)
    assert r["redemptions"] == 8 and r["recipients_redeemed"] == 7


def test_month_after_expiry_and_a_late_void_reconciles_exactly(november):
    m = november
    r = reconciliation.reconcile(PERIOD)
    assert r["balanced"] is True, r["differences"]
    assert r["redeemed_fen"] == 16150 and r["refunded_fen"] == 5250
    assert r["expired_fen"] == 18350 and r["revoked_fen"] == 5550 and r["outstanding_fen"] == 0
    assert r["issued_fen"] == r["redeemed_fen"] - r["refunded_fen"] + r["expired_fen"] + r["revoked_fen"] \
        + r["outstanding_fen"]
    assert _shop(r, m.a.shop)["refunded_fen"] == 2750
    districts = {d["district"]: d for d in r["by_district"]}
    assert districts["411024"]["issued_fen"] == 4 * 2900 == districts["411024"]["expired_fen"]
    assert districts["411002"]["issued_count"] == 8 and all(d["balanced"] for d in r["by_district"])
    # funder shares (60/40 by default) add up to each amount exactly
    expected = {"issued_fen": 34800, "expired_fen": 18350, "revoked_fen": 5550, "redeemed_net_fen": 16150 - 5250}
    for key, total in expected.items():
        assert sum(f[key] for f in r["by_funder"]) == total
    assert [f["issued_fen"] for f in r["by_funder"]] == [20880, 13920]


def test_a_sale_payment_without_its_ledger_row_is_listed_down_to_the_sale(november):
    m = november
    voucher = m.voucher_of[9]
    shift_id = m.sales["r2_oil"].shift_id
    sale = Sale(idempotency_key="corrupt-0001", request_hash="x" * 64, receipt_no="CORRUPT-20261115-0001",
                shop_id=m.a.shop.id, shift_id=shift_id, cashier_id=m.a.cashier.id,
                business_date=dt.date(2026, 11, 15), recipient_id=voucher.recipient_id, voucher_id=voucher.id,
                market_total_fen=1000, total_fen=1000, savings_fen=0, voucher_paid_fen=1000, paid_fen=1000)
    db.session.add(sale)
    db.session.flush()
    db.session.add(Payment(sale_id=sale.id, method="voucher", amount_fen=1000, tendered_fen=1000))
    db.session.flush()

    r = reconciliation.reconcile(PERIOD)
    assert r["balanced"] is False
    assert r["ledger_gap_fen"] == 0  # the ledger itself is consistent ...
    assert r["sales_gap_fen"] == -1000  # ... the sales claim 10 yuan more than it redeemed
    [diff] = r["differences"]
    assert diff["kind"] == "sale_payment_vs_ledger"
    assert (diff["sale_id"], diff["receipt_no"], diff["shop"]) == (sale.id, "CORRUPT-20261115-0001", m.a.shop.code)
    assert (diff["sales_fen"], diff["ledger_fen"], diff["voucher_id"]) == (1000, 0, voucher.id)
    assert _shop(r, m.a.shop)["balanced"] is False and _shop(r, m.b.shop)["balanced"] is True


def test_a_redemption_outside_the_till_is_a_difference(november_open):
    from app.vouchers import services as vouchers

    vouchers.redeem(november_open.voucher_of[10].id, 500, today=dt.date(2026, 11, 20), ref_type="manual",
                    ref_id="x")
    r = reconciliation.reconcile(PERIOD)
    assert r["balanced"] is False and r["ledger_gap_fen"] == 0 and r["sales_gap_fen"] == 500
    assert [d["kind"] for d in r["differences"]] == ["redeem_without_sale"]
    assert r["differences"][0]["voucher_id"] == november_open.voucher_of[10].id


def test_district_limited_reconciliation_covers_only_its_recipients(november):
    r = reconciliation.reconcile(PERIOD, district_code="411024")
    assert r["issued_count"] == 4 and r["issued_fen"] == 11600 and r["redeemed_fen"] == 0
    assert r["balanced"] is True and [d["district"] for d in r["by_district"]] == ["411024"]


def test_split_shares_always_adds_up():
    funders = [{"name": "a", "share_bp": 3333}, {"name": "b", "share_bp": 3333}, {"name": "c", "share_bp": 3334}]
    for amount in (0, 1, 2, 7, 2900, 34801, 10**9 + 7):
        parts = reconciliation.split_shares(amount, funders)
        assert sum(p["fen"] for p in parts) == amount
        assert all(abs(p["fen"] * 10000 - amount * p["share_bp"]) < 10000 for p in parts)


def test_a_void_after_the_card_was_replaced_still_reconciles(november_open):
    """r7 loses the card after buying rice at B; the sale is voided: the 25 yuan go to the new
    card, and the month still reconciles (the move is a reissue, neither issued nor revoked)."""
    from app.pos import voids
    from app.vouchers import services as vouchers

    m = november_open
    new, _code = vouchers.reissue(m.voucher_of[7].id, reason="卡片遗失")
    voids.void_sale(sale=m.sales["r7_rice"], actor=m.b.manager, reason="顾客退货", today=dt.date(2026, 11, 25))
    db.session.refresh(new)
    assert new.balance_fen == 400 + 2500
    r = reconciliation.reconcile(PERIOD)
    assert r["balanced"] is True, r["differences"]
    assert r["issued_count"] == 12 and r["issued_fen"] == 34800
    assert r["refunded_fen"] == 2750 + 2500 and r["revoked_fen"] == 5550
    assert r["outstanding_fen"] == 15850 + 2500 and r["reissued_fen"] == 400 + 2500
