"""Tenders are capped as a whole and the change is bounded (issue 10: two cash lines once
recorded ¥199,960.08 change on a ¥39.90 sale)."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInput


def test_two_cash_lines_cannot_record_a_fortune_in_change(till):
    from app.pos import checkout
    from tests.pos.conftest import TODAY

    lines = [{"product_id": till.liquor.id, "qty": 1}]  # ¥15.00
    with pytest.raises(InvalidInput) as exc:
        checkout.checkout(cashier=till.cashier, idempotency_key="change-cap-1", lines=lines, today=TODAY,
                          payments=[{"method": "cash", "amount_fen": 5_000_000},
                                    {"method": "cash", "amount_fen": 5_000_000}])
    assert "找零" in str(exc.value.message)
    sale, _ = checkout.checkout(cashier=till.cashier, idempotency_key="change-cap-2", lines=lines, today=TODAY,
                                payments=[{"method": "cash", "amount_fen": 10_000}])
    assert sale.change_fen == 8500
