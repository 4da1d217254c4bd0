"""Settlement: the amount owed, the statement, paying closes the month, later voids move on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.timeutil import Period
from app.extensions import db
from app.pos.models import Void
from app.reports import settlement, statement
from tests.reports.factories import void

NOV, DEC = Period(2026, 11), Period(2026, 12)
DEC5 = dt.date(2026, 12, 5)


def test_amount_is_voucher_payments_net_of_refunds_counted_in_the_month(november):
    m = november
    a = settlement.figures(m.a.shop.id, NOV)
    # A: 2500 + 2900 + 2750 + 250 + 2500 = 10900; refunds: r4's salt 250 and r8's rice 2500 (voided Dec 2,
    # but the sale's month was still open, so it counts in November)
    assert a == {"sales_count": 5, "voucher_fen": 10900, "refund_fen": 2750, "amount_fen": 8150}
    assert settlement.figures(m.b.shop.id, NOV)["amount_fen"] == 5250 - 2500
    s = settlement.prepare(m.a.shop, NOV, today=DEC5)
    assert s.number == f"JS-202611-{m.a.shop.code}" and s.amount_fen == 8150
    rows = settlement.statement_rows(s)
    assert [r["receipt_no"] for r in rows] == [m.sales[k].receipt_no for k in ("r1_rice", "r2_oil", "r4", "r6_salt",
                                                                              "r8_rice")]
    assert sum(r["net_fen"] for r in rows) == 8150


def test_an_unfinished_month_cannot_be_settled(november):
    with pytest.raises(DomainError) as e:
        settlement.prepare(november.a.shop, DEC, today=dt.date(2026, 12, 20))
    assert e.value.code == "invalid_input"


def test_paying_closes_the_month_and_a_later_void_lands_in_the_next(november):
    m = november
    s = settlement.prepare(m.a.shop, NOV, today=DEC5)
    settlement.mark_paid(s.id, reference="BANK-20261205-01", expected_amount_fen=8150)
    assert settlement.is_closed(m.a.shop.id, NOV) and not settlement.is_closed(m.b.shop.id, NOV)

    late = void(m.a, m.sales["r1_rice"], day=dt.date(2026, 12, 10))
    assert db.session.get(Void, late.id).settlement_period == "2026-12"
    # November stays as paid; December owes 2500 less, shown as an adjustment line
    assert settlement.get_settlement(s.id).amount_fen == 8150
    assert settlement.figures(m.a.shop.id, NOV)["amount_fen"] == 8150
    assert settlement.figures(m.a.shop.id, DEC) == {"sales_count": 0, "voucher_fen": 0, "refund_fen": 2500,
                                                     "amount_fen": -2500}
    dec = settlement.prepare(m.a.shop, DEC, today=dt.date(2027, 1, 2))
    [adj] = settlement.statement_rows(dec)
    assert adj["kind"] == "adjustment" and adj["receipt_no"] == m.sales["r1_rice"].receipt_no
    assert adj["net_fen"] == -2500

    # shop B's November is still open: its voids stay in November
    other = void(m.b, m.sales["r7_rice"], day=dt.date(2026, 12, 11))
    assert db.session.get(Void, other.id).settlement_period == "2026-11"


def test_anything_else_on_a_closed_month_is_period_closed(november):
    m = november
    s = settlement.prepare(m.a.shop, NOV, today=DEC5)
    settlement.mark_paid(s.id, reference="BANK-1")
    with pytest.raises(DomainError) as e:
        settlement.mark_paid(s.id, reference="BANK-2")
    assert e.value.code == "period_closed"
    # a void dated inside the closed month
    before = db.session.scalar(select(db.func.count()).select_from(Void))
    with pytest.raises(DomainError) as e:
        void(m.a, m.sales["r6_salt"], day=dt.date(2026, 11, 30))
    assert e.value.code == "period_closed"
    assert db.session.scalar(select(db.func.count()).select_from(Void)) == before
    assert settlement.prepare(m.a.shop, NOV, today=DEC5).status == "paid"  # viewing again changes nothing


def test_a_changed_amount_is_not_paid_blind(november):
    m = november
    s = settlement.prepare(m.b.shop, NOV, today=DEC5)
    void(m.b, m.sales["r1_salt"], day=dt.date(2026, 12, 6))
    with pytest.raises(DomainError) as e:
        settlement.mark_paid(s.id, reference="BANK-3", expected_amount_fen=s.amount_fen)
    assert e.value.code == "conflict" and e.value.details["amount_fen"] == 2750 - 250
    with pytest.raises(DomainError) as e:
        settlement.mark_paid(s.id, reference="  ")
    assert e.value.code == "invalid_input"


def test_statement_pdf_and_xlsx(november, tmp_path):
    import subprocess
    from io import BytesIO

    from openpyxl import load_workbook

    m = november
    s = settlement.prepare(m.a.shop, NOV, today=DEC5)
    pdf = statement.pdf(s)
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "慈善超市购物券结算单" in text and s.number in text and "¥81.50" in text
    assert m.sales["r8_rice"].receipt_no in text
    wb = load_workbook(BytesIO(statement.xlsx(s)))
    assert wb.sheetnames == ["汇总", s.number]
    sheet = wb[s.number]
    receipts = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert m.sales["r2_oil"].receipt_no in receipts and len(receipts) == 5
    assert sum(row[7].value for row in sheet.iter_rows(min_row=2)) == 81.5


def test_a_sale_dated_in_a_settled_month_is_period_closed(november):
    """A sale begun before midnight or entered late for a month already paid is refused; the same
    sale for a month still open (the other shop's November) goes through."""
    import uuid

    from app.pos.checkout import checkout

    m = november
    s = settlement.prepare(m.a.shop, NOV, today=DEC5)
    settlement.mark_paid(s.id, reference="BANK-20261205-02", expected_amount_fen=8150)

    def sell_salt(shop):
        return checkout(cashier=shop.cashier, idempotency_key=str(uuid.uuid4()),
                        lines=[{"product_id": m.salt.id, "qty": 1}],
                        payments=[{"method": "cash", "amount_fen": 300}], today=dt.date(2026, 11, 30))[0]

    with pytest.raises(DomainError) as e:
        sell_salt(m.a)
    assert e.value.code == "period_closed"
    assert settlement.figures(m.a.shop.id, NOV)["amount_fen"] == 8150
    assert sell_salt(m.b).business_date == dt.date(2026, 11, 30)


def test_settlement_statement_with_a_markup_reference(november, tmp_path):
    """User text is reportlab markup only if it is not escaped: this reference once broke the
    statement for good (issue 10)."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    s = settlement.prepare(november.a.shop, NOV, today=DEC5)
    settlement.mark_paid(s.id, reference="<b>PAY-001")
    pdf = statement.pdf(s)
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "<b>PAY-001" in text
