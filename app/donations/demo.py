"""Demo donors, donations (received and pledged) and pickups. Safe to run again.

Pickups need recipients, which the vouchers/recipients import brings; without any the pickup part
is skipped. Recipients are found through app.recipients.services.search by common surnames.
"""

from __future__ import annotations

from sqlalchemy import func, select
from stdnum.cn import uscc

from app.auth import services as auth_services
from app.core.errors import DomainError
from app.donations import donors, pickups, services
from app.donations.models import Donation
from app.extensions import db
from app.recipients import services as recipient_services

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
MAX_DEMO_PICKUPS = 8


def _code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


DONORS = [
    ("enterprise", "许昌市暖阳纺织有限公司", _code("91411000MA44XY7K2"), "周经理", "13903741234"),
    ("enterprise", "河南同心商贸有限公司", _code("91411082MA9F0QH3W"), "郑女士", "13703745678"),
    ("individual", "李秀兰", None, "李秀兰", "13503749012"),
]

DONATIONS = [
    # donor index, shop, receive?, lines
    (0, "WD01", True, [
        {"kind": "quilt", "description": "棉被 1.5 米", "condition": "new", "quantity": 30,
         "estimated_value_fen": 450000},
        {"kind": "clothing", "description": "棉衣", "size": "L", "season": "winter", "condition": "new",
         "quantity": 40, "estimated_value_fen": 480000},
        {"kind": "clothing", "description": "棉衣", "size": "XL", "season": "winter", "condition": "new",
         "quantity": 30, "estimated_value_fen": 360000},
    ]),
    (1, "JA01", True, [
        {"kind": "clothing", "description": "羽绒服", "size": "M", "season": "winter", "quantity": 20},
        {"kind": "shoes", "description": "棉鞋", "size": "40", "season": "winter", "quantity": 15},
    ]),
    (2, "WD01", False, [
        {"kind": "clothing", "description": "外套", "size": "L", "season": "spring_autumn", "condition": "good",
         "quantity": 10},
    ]),
]


def _demo_recipients() -> list:
    found: dict[int, object] = {}
    for surname in SURNAMES:
        for r in recipient_services.search(surname, limit=MAX_DEMO_PICKUPS):
            found.setdefault(r.id, r)
        if len(found) >= MAX_DEMO_PICKUPS:
            break
    return sorted(found.values(), key=lambda r: r.id)[:MAX_DEMO_PICKUPS]


def seed(echo) -> None:
    admin = auth_services.get_user_by_username("admin")
    made = []
    for kind, name, code, contact, phone in DONORS:
        donor = donors.find_donor_by_code(code) if code else next(
            (d for d in donors.list_donors() if d.kind == kind and d.name == name), None)
        if donor is None:
            donor = donors.create_donor(kind=kind, name=name, credit_code=code, contact_name=contact,
                                        contact_phone=phone)
        made.append(donor)
    donors.link_user(donor=made[0], username="donor")
    for index, shop, receive, lines in DONATIONS:
        donor = made[index]
        if db.session.scalar(select(func.count(Donation.id)).where(Donation.donor_id == donor.id)):
            continue
        donation = services.log_donation(user=admin, shop_code=shop, donor_id=donor.id, lines=lines,
                                         note="演示数据")
        if receive:
            services.receive_donation(user=admin, donation_id=donation.id, lines=[
                {"line_id": x.id, "quantity_received": x.quantity} for x in donation.lines])
    recipients = _demo_recipients()
    done = 0
    if recipients:
        cashier = auth_services.get_user_by_username("cashier")
        for r in recipients:
            try:
                with db.session.begin_nested():
                    pickups.record_pickup(user=cashier, recipient_id=r.id, idempotency_key=f"demo-pickup-{r.id:08d}",
                                          lines=[{"kind": "quilt", "quantity": 1},
                                                 {"kind": "clothing", "quantity": 1, "size": "L"}])
                done += 1
            except DomainError as e:  # limits already used, out of stock: leave this one out
                echo(f"demo: pickup for recipient {r.id} skipped ({e.code})")
    echo(f"demo: {len(made)} donors, {len(DONATIONS)} donations, "
         + (f"{done} pickups" if recipients else "no recipients yet, pickups skipped"))
