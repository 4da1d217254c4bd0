"""A donation's life: pledge -> count in (with a difference and a rejection) -> FIFO lots -> pickups,
and the donor's traceability figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, InvalidInput
from app.donations import pickups, services
from app.donations.models import DonationLot, Pickup, PickupLine
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.conftest import at


def test_pledge_receive_fifo_pickups_and_traceability(app_ctx):
    shop = factories.shop()
    manager = factories.user("manager", shop=shop)
    cashier = factories.user("cashier", shop=shop)
    acme = f.donor("许昌爱心纺织有限公司")
    donor_user = f.donor_user(acme)
    # the donor logs the gift itself
    first = services.log_donation(user=donor_user, shop_code=shop.code, expected_date="2026-03-01", lines=[
        {"kind": "quilt", "description": "棉被 1.5 米", "condition": "new", "quantity": 10,
         "estimated_value_fen": 150000},
        {"kind": "clothing", "description": "棉衣", "size": "L", "season": "winter", "quantity": 20},
    ])
    assert first.status == "pledged" and first.donor_id == acme.id and first.certificate_no is None
    quilts, coats = first.lines
    # counted in: 9 quilts fine, 1 damaged and rejected; 18 coats arrived instead of 20 (with a note)
    with pytest.raises(InvalidInput, match="原因"):
        services.receive_donation(user=manager, donation_id=first.id, lines=[
            {"line_id": quilts.id, "quantity_received": 9, "quantity_rejected": 1},
            {"line_id": coats.id, "quantity_received": 18, "note": "少送 2 件"}])
    with pytest.raises(InvalidInput, match="说明"):
        services.receive_donation(user=manager, donation_id=first.id, lines=[
            {"line_id": quilts.id, "quantity_received": 9, "quantity_rejected": 1, "reject_reason": "破损"},
            {"line_id": coats.id, "quantity_received": 18}])
    services.receive_donation(user=manager, donation_id=first.id, now=at("2026-03-02"), lines=[
        {"line_id": quilts.id, "quantity_received": 9, "quantity_rejected": 1, "reject_reason": "破损"},
        {"line_id": coats.id, "quantity_received": 18, "note": "少送 2 件"}])
    assert first.status == "received" and first.received_on == dt.date(2026, 3, 2)
    assert first.certificate_no.startswith("JZ2026-")
    assert quilts.quantity_rejected == 1 and quilts.reject_reason == "破损"
    with pytest.raises(Conflict):
        services.receive_donation(user=manager, donation_id=first.id, lines=[
            {"line_id": quilts.id, "quantity_received": 9}, {"line_id": coats.id, "quantity_received": 18}])

    # a second, later donation of quilts by another donor
    other = f.donor("建安区好心人商贸")
    second = f.received(shop=shop, donor_obj=other, now=at("2026-03-05"),
                        lines=[{"kind": "quilt", "description": "棉被 1.5 米", "quantity": 5}])
    assert second.certificate_no != first.certificate_no
    first_lot = db.session.scalar(select(DonationLot).where(DonationLot.donation_id == first.id,
                                                            DonationLot.kind == "quilt"))
    second_lot = db.session.scalar(select(DonationLot).where(DonationLot.donation_id == second.id))

    # ten different recipients each take a quilt: the first 9 from the older lot, the 10th from the newer
    people = [f.recipient(f"领取人{i}") for i in range(12)]
    for i, person in enumerate(people[:10]):
        pickups.record_pickup(user=cashier, recipient_id=person.id, idempotency_key=f"quilt-{i:04d}",
                              lines=[{"kind": "quilt", "quantity": 1}], now=at("2026-03-10"))
    db.session.expire_all()
    assert first_lot.quantity_left == 0 and second_lot.quantity_left == 4
    last = db.session.scalar(select(Pickup).where(Pickup.idempotency_key == "quilt-0009"))
    assert [(x.lot_id, x.quantity) for x in last.lines] == [(second_lot.id, 1)]
    # one person takes 3 coats and, the next month, 2 more
    pickups.record_pickup(user=cashier, recipient_id=people[10].id, idempotency_key="coats-0001",
                          lines=[{"kind": "clothing", "quantity": 3, "size": "L"}], now=at("2026-03-11"))
    pickups.record_pickup(user=cashier, recipient_id=people[10].id, idempotency_key="coats-0002",
                          lines=[{"kind": "clothing", "quantity": 2}], now=at("2026-04-02"))

    # the donor's figures: per line and per kind, households benefited — never who
    figures = services.line_figures(first)
    assert figures[quilts.id] == {"received": 9, "picked_up": 9, "left": 0}
    assert figures[coats.id] == {"received": 18, "picked_up": 5, "left": 13}
    assert services.households_benefited(donation_id=first.id) == 10  # 9 quilt takers + 1 coat taker
    assert services.households_benefited(donation_id=second.id) == 1
    summary = services.donor_summary(acme.id)
    assert summary["per_kind"]["quilt"] == {"pledged": 10, "received": 9, "picked_up": 9, "left": 0}
    assert summary["per_kind"]["clothing"] == {"pledged": 20, "received": 18, "picked_up": 5, "left": 13}
    assert summary["households"] == 10 and summary["donations"] == 1
    # every lot's balance equals what came in minus the pickup lines drawn from it
    for lot in db.session.scalars(select(DonationLot)):
        drawn = db.session.scalar(select(func.coalesce(func.sum(PickupLine.quantity), 0))
                                  .where(PickupLine.lot_id == lot.id))
        assert lot.quantity_left == lot.quantity_in - drawn


def test_a_pledge_can_be_cancelled_but_not_received_afterwards(app_ctx):
    shop = factories.shop()
    manager = factories.user("manager", shop=shop)
    donation = f.pledged(shop=shop)
    services.cancel_donation(user=manager, donation_id=donation.id, reason="企业改期")
    assert donation.status == "cancelled"
    with pytest.raises(Conflict):
        services.receive_donation(user=manager, donation_id=donation.id,
                                  lines=[{"line_id": donation.lines[0].id, "quantity_received": 3}])
    assert db.session.scalar(select(func.count(DonationLot.id)).where(DonationLot.donation_id == donation.id)) == 0


def test_a_donation_with_nothing_accepted_gets_no_certificate(app_ctx):
    shop = factories.shop()
    manager = factories.user("manager", shop=shop)
    donation = f.pledged(shop=shop)
    services.receive_donation(user=manager, donation_id=donation.id, lines=[
        {"line_id": donation.lines[0].id, "quantity_received": 0, "quantity_rejected": 3,
         "reject_reason": "受潮发霉"}])
    assert donation.status == "received" and donation.certificate_no is None
    assert services.line_figures(donation) == {}
