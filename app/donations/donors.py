"""Donors (enterprises with a 统一社会信用代码, or individuals) and the donor users acting for them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from app.auth import services as auth_services
from app.core import audit, crypto
from app.core.db import unique_or
from app.core.errors import Conflict, InvalidInput, NotFound
from app.donations.errors import DonorNotLinked
from app.donations.models import DONOR_KINDS, Donor, DonorMember
from app.extensions import db


def validate_credit_code(code: str) -> str:
    """The compact 18-character code, or InvalidInput with the reason (GB 32100 check character)."""
    raw = (code or "").strip().upper()
    if not raw:
        raise InvalidInput(_("企业必须填写统一社会信用代码"))
    try:
        return uscc.validate(raw)
    except InvalidLength:
        raise InvalidInput(_("统一社会信用代码应为 18 位：%(code)s", code=raw)) from None
    except InvalidChecksum:
        raise InvalidInput(_("统一社会信用代码校验位不正确，请核对：%(code)s", code=raw)) from None
    except ValidationError:
        raise InvalidInput(_("统一社会信用代码格式不正确（只含数字和大写字母，不含 I、O、Z、S、V）：%(code)s",
                             code=raw)) from None


def create_donor(*, kind: str, name: str, credit_code: str | None = None, contact_name: str = "",
                 contact_phone: str = "", address: str = "") -> Donor:
    name = (name or "").strip()
    if kind not in DONOR_KINDS:
        raise InvalidInput(_("捐赠方类型应为企业或个人"))
    if not name or len(name) > 120:
        raise InvalidInput(_("请填写捐赠方名称（不超过 120 字）"))
    code = None
    if kind == "enterprise":
        code = validate_credit_code(credit_code or "")
        if db.session.scalar(select(Donor.id).where(Donor.credit_code == code)):
            raise Conflict(_("该统一社会信用代码已登记：%(code)s", code=code))
    elif (credit_code or "").strip():
        raise InvalidInput(_("个人捐赠者不填统一社会信用代码"))
    donor = Donor(kind=kind, name=name, credit_code=code, contact_name=(contact_name or "").strip()[:60],
                  address=(address or "").strip()[:200],
                  **crypto.phone_columns((contact_phone or "").strip()[:30], prefix="contact_phone"))
    with unique_or(db.session, Conflict(_("该统一社会信用代码已登记：%(code)s", code=code))):
        db.session.add(donor)  # the unique credit code refuses a second registration that raced this one
    audit.record("donor.create", target=donor, details={"kind": kind, "name": name, "credit_code": code})
    return donor


def get_donor(donor_id: int) -> Donor:
    donor = db.session.get(Donor, donor_id)
    if donor is None:
        raise NotFound(_("捐赠方不存在"))
    return donor


def find_donor_by_code(credit_code: str) -> Donor | None:
    return db.session.scalar(select(Donor).where(Donor.credit_code == (credit_code or "").strip().upper()))


def list_donors() -> list[Donor]:
    return list(db.session.scalars(select(Donor).order_by(Donor.kind, Donor.name, Donor.id)))


def link_user(*, donor: Donor, username: str) -> DonorMember:
    """Make the `donor` user act for `donor` (a user belongs to one donor organisation)."""
    user = auth_services.get_user_by_username(username)
    if user.role != "donor":
        raise InvalidInput(_("只有“爱心企业”角色的账号可以关联捐赠方：%(name)s", name=user.username))
    existing = db.session.scalar(select(DonorMember).where(DonorMember.user_id == user.id))
    if existing is not None:
        if existing.donor_id == donor.id:
            return existing
        raise Conflict(_("账号 %(name)s 已关联其他捐赠方", name=user.username))
    member = DonorMember(user_id=user.id, donor_id=donor.id)
    try:
        with unique_or(db.session, Conflict()):  # one link per user: a second at the same moment waits, then fails
            db.session.add(member)
    except Conflict:
        existing = db.session.scalar(select(DonorMember).where(DonorMember.user_id == user.id))
        if existing is not None and existing.donor_id == donor.id:
            return existing  # the same link, made by the request that raced this one
        raise Conflict(_("账号 %(name)s 已关联其他捐赠方", name=user.username)) from None
    audit.record("donor.link_user", target=donor, details={"user": user.username})
    return member


def members_of(donor: Donor) -> list[str]:
    ids = db.session.scalars(select(DonorMember.user_id).where(DonorMember.donor_id == donor.id))
    return sorted(auth_services.get_user(i).username for i in ids)


def donor_of_user(user) -> Donor | None:
    """The organisation a `donor` user acts for, or None when it is not linked yet."""
    if user is None or user.role != "donor":
        return None
    member = db.session.scalar(select(DonorMember).where(DonorMember.user_id == user.id))
    return member.donor if member else None


def require_donor_of_user(user) -> Donor:
    donor = donor_of_user(user)
    if donor is None:
        raise DonorNotLinked()
    return donor
