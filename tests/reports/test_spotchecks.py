"""Spot-check samples: reproducible with the same seed, stratified by shop; outcomes and rates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import AuditLog
from app.extensions import db
from app.reports import spotchecks
from tests.reports.factories import PERIOD


def _picked(check):
    return [(i.kind, i.ref_id, i.shop_id) for i in check.items]


def test_same_seed_same_sample_stratified_by_shop(november):
    m = november
    first = spotchecks.draw(PERIOD, size=4, seed="nov-2026")
    again = spotchecks.draw(PERIOD, size=4, seed="nov-2026")
    assert _picked(first) == _picked(again) and len(first.items) == 4
    assert first.population == 8  # the month's 8 sales paid by voucher (no pickups)
    shops = [shop for _k, _r, shop in _picked(first)]
    # A has 5 of the 8, B 3: each shop gets one, the other two go by size (A 1+1.67, B 1+0.33 -> 3 and 1)
    assert shops.count(m.a.shop.id) == 3 and shops.count(m.b.shop.id) == 1
    others = {tuple(_picked(spotchecks.draw(PERIOD, size=4, seed=f"other-{n}"))) for n in range(6)}
    assert len(others | {tuple(_picked(first))}) > 1  # other seeds draw other samples
    assert first.seed == "nov-2026"


def test_percentage_and_bad_input(november):
    check = spotchecks.draw(PERIOD, percent=50, seed="p")
    assert len(check.items) == 4
    for kwargs in ({"size": 0}, {"percent": 101}, {"size": 2, "percent": 5}, {}, {"size": 2, "seed": "bad seed!"}):
        with pytest.raises(DomainError) as e:
            spotchecks.draw(PERIOD, **kwargs)
        assert e.value.code == "invalid_input"
    with pytest.raises(DomainError):
        spotchecks.draw("2026-10", size=3)  # nothing to sample


@given(st.dictionaries(st.integers(1, 30), st.integers(0, 200), max_size=12), st.integers(0, 500))
def test_allocation_is_exact_and_bounded(sizes, total):
    alloc = spotchecks.allocate(sizes, total)
    assert sum(alloc.values()) == min(total, sum(sizes.values()))
    assert all(0 <= alloc[k] <= sizes[k] for k in alloc)
    non_empty = [k for k, n in sizes.items() if n > 0]
    if total >= len(non_empty):
        assert all(alloc[k] >= 1 for k in non_empty)


def test_outcomes_rates_and_audited_phone_reveal(november):
    check = spotchecks.draw(PERIOD, size=4, seed="calls")
    rows = spotchecks.call_list(check)
    assert all("****" in r["phone_masked"] and "*" in r["name_masked"] for r in rows)
    first, second, third, _fourth = check.items
    phone = spotchecks.reveal_phone(first)
    assert phone.startswith("1380000") and len(phone) == 11
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "reports.spot_check.reveal_phone",
                                                    AuditLog.target_id == str(first.id))) is not None
    spotchecks.record_outcome(first, outcome="confirmed", satisfaction=5)
    spotchecks.record_outcome(second, outcome="confirmed", satisfaction=4)
    spotchecks.record_outcome(third, outcome="unreachable")
    with pytest.raises(DomainError):
        spotchecks.record_outcome(third, outcome="unreachable", satisfaction=3)
    with pytest.raises(DomainError):
        spotchecks.record_outcome(third, outcome="maybe")
    r = spotchecks.rates(check.id)
    assert (r["sampled"], r["called"], r["pending"]) == (4, 3, 1)
    assert r["counts"]["confirmed"] == 2 and r["rates_pct"]["confirmed"] == 66.7
    assert r["satisfaction_mean"] == 4.5
