"""seed-demo: donors, donations and (when recipients exist) pickups; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth import demo as auth_demo
from app.donations import demo
from app.donations.models import Donation, DonationLot, Donor, DonorMember, Pickup
from tests.donations import factories as f


def _counts(db):
    return [db.session.scalar(select(func.count()).select_from(m))
            for m in (Donor, DonorMember, Donation, DonationLot, Pickup)]


def test_demo_seed_is_idempotent_and_skips_pickups_without_recipients(app_ctx, db):
    messages = []
    auth_demo.seed(messages.append)
    demo.seed(messages.append)
    first = _counts(db)
    assert first[:4] == [3, 1, 3, 5] and first[4] == 0
    assert "pickups skipped" in messages[-1]
    demo.seed(messages.append)
    assert _counts(db) == first


def test_demo_seed_hands_out_items_once_recipients_exist(app_ctx, db):
    auth_demo.seed(lambda _m: None)
    people = [f.recipient(name) for name in ("王桂兰", "李建国", "张秀英")]
    messages = []
    demo.seed(messages.append)
    assert db.session.scalar(select(func.count(Pickup.id))) == len(people)
    assert messages[-1].endswith(f"{len(people)} pickups")
    demo.seed(messages.append)  # replays by idempotency key: nothing more
    assert db.session.scalar(select(func.count(Pickup.id))) == len(people)
