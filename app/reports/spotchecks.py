"""Spot-check callbacks (抽查回访): a reproducible random sample of a month's redemptions
(sales paid by voucher) and free pickups, stratified by shop, for staff to call.

Reproducible: the population is read in a fixed order (shop, kind, id) and each shop's stratum
is drawn with `random.Random(f"{seed}:{shop_id}")`, so the same seed on the same month gives
the same sample. The seed is chosen by staff or made with `secrets` and stored with the sample.
The size per shop is proportional to the shop's share of the population (largest remainders),
with at least one call per shop that has any activity while the total allows it.

The recipient's phone is shown masked; a caller reveals it per call, and every reveal is
written to the audit log.
"""

from __future__ import annotations

import random
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.models import Shop
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.masking import mask_name
from app.core.timeutil import Period
from app.donations.models import Pickup
from app.extensions import db
from app.pos.models import Sale
from app.recipients import services as recipients
from app.recipients.models import Recipient
from app.reports.models import OUTCOMES, SpotCheck, SpotCheckItem

MAX_SAMPLE = 2000
SEED_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz-"


def population(period: Period, *, district_code: str | None = None) -> dict[int, list[tuple]]:
    """{shop_id: [(kind, ref_id, recipient_id, business_date), ...]} in a fixed order."""
    sales = (select(Sale.shop_id, Sale.id, Sale.recipient_id, Sale.business_date)
             .where(Sale.voucher_paid_fen > 0, Sale.recipient_id.is_not(None),
                    Sale.business_date.between(period.first_day, period.last_day)))
    pickups = select(Pickup.shop_id, Pickup.id, Pickup.recipient_id, Pickup.business_date).where(
        Pickup.period == str(period))
    if district_code:
        shops = select(Shop.id).where(Shop.district_code == district_code)
        sales = sales.where(Sale.shop_id.in_(shops))
        pickups = pickups.where(Pickup.shop_id.in_(shops))
    out: dict[int, list[tuple]] = {}
    for shop_id, ref, rid, day in db.session.execute(sales.order_by(Sale.shop_id, Sale.id)):
        out.setdefault(shop_id, []).append(("sale", ref, rid, day))
    for shop_id, ref, rid, day in db.session.execute(pickups.order_by(Pickup.shop_id, Pickup.id)):
        out.setdefault(shop_id, []).append(("pickup", ref, rid, day))
    return out


def allocate(sizes: dict[int, int], total: int) -> dict[int, int]:
    """Split `total` draws over strata in proportion to their sizes (largest remainders, ties
    to the lower shop id), never more than a stratum holds, and at least one per non-empty
    stratum when `total` allows it (taken from the stratum with the most draws)."""
    strata = sorted(k for k, n in sizes.items() if n > 0)
    pop = sum(sizes[k] for k in strata)
    total = min(total, pop)
    alloc = dict.fromkeys(strata, 0)
    if total <= 0:
        return alloc
    quotas = {k: total * sizes[k] for k in strata}
    for k in strata:
        alloc[k] = quotas[k] // pop
    left = total - sum(alloc.values())
    for k in sorted(strata, key=lambda k: (-(quotas[k] % pop), k))[:left]:
        alloc[k] += 1
    if total >= len(strata):
        for k in strata:
            if alloc[k] == 0:
                donor = max(strata, key=lambda j: (alloc[j], -j))
                alloc[donor] -= 1
                alloc[k] = 1
    return alloc


def draw(period: str | Period, *, size: int | None = None, percent: int | None = None,
         seed: str | None = None, district_code: str | None = None) -> SpotCheck:
    """Draw and store a sample. Exactly one of `size` (calls) or `percent` (1–100)."""
    period = Period.parse(str(period))
    if (size is None) == (percent is None):
        raise InvalidInput(_("请填写抽查数量或抽查比例（二选一）"))
    if size is not None and not (1 <= size <= MAX_SAMPLE):
        raise InvalidInput(_("抽查数量应在 1 到 %(n)s 之间", n=MAX_SAMPLE))
    if percent is not None and not (1 <= percent <= 100):
        raise InvalidInput(_("抽查比例应为 1 到 100 之间的整数（百分比）"))
    seed = (seed or "").strip().lower() or secrets.token_hex(8)
    if len(seed) > 40 or any(c not in SEED_CHARS for c in seed):
        raise InvalidInput(_("随机种子只能包含字母、数字和 -，最多 40 个字符"))
    pop = population(period, district_code=district_code)
    total_pop = sum(len(v) for v in pop.values())
    if total_pop == 0:
        raise InvalidInput(_("%(period)s 没有可抽查的核销或领取记录", period=str(period)))
    wanted = size if size is not None else -(-total_pop * percent // 100)
    wanted = min(wanted, MAX_SAMPLE)
    alloc = allocate({k: len(v) for k, v in pop.items()}, wanted)
    check = SpotCheck(period=str(period), seed=seed, mode="size" if size is not None else "percent",
                      requested=size if size is not None else percent, population=total_pop,
                      district_code=district_code, created_by=audit.current_actor().username[:80],
                      created_at=utcnow())
    db.session.add(check)
    db.session.flush()
    rows = []
    for shop_id in sorted(pop):
        picked = random.Random(f"{seed}:{shop_id}").sample(pop[shop_id], alloc.get(shop_id, 0))
        for kind, ref, rid, day in sorted(picked, key=lambda r: (r[0], r[1])):
            rows.append({"spot_check_id": check.id, "kind": kind, "ref_id": ref, "shop_id": shop_id,
                         "recipient_id": rid, "business_date": day, "note": ""})
    if rows:
        db.session.execute(SpotCheckItem.__table__.insert(), rows)
    db.session.flush()
    db.session.expire(check, ["items"])
    audit.record("reports.spot_check.draw", target=check,
                 details={"period": str(period), "seed": seed, "size": size, "percent": percent,
                          "population": total_pop, "drawn": len(rows), "district": district_code})
    return check


def get(check_id: int) -> SpotCheck:
    check = db.session.get(SpotCheck, check_id)
    if check is None:
        raise NotFound(_("抽查记录不存在"))
    return check


def list_checks(*, district_code: str | None = None, limit: int = 100) -> list[SpotCheck]:
    q = select(SpotCheck).order_by(SpotCheck.id.desc()).limit(limit)
    if district_code:
        q = q.where(SpotCheck.district_code == district_code)
    return list(db.session.scalars(q))


def sample_sizes(check_ids: list[int]) -> dict[int, int]:
    """Calls drawn per spot check, in one query."""
    if not check_ids:
        return {}
    return dict(db.session.execute(
        select(SpotCheckItem.spot_check_id, func.count()).where(SpotCheckItem.spot_check_id.in_(check_ids))
        .group_by(SpotCheckItem.spot_check_id)).all())


def get_item(item_id: int) -> SpotCheckItem:
    item = db.session.get(SpotCheckItem, item_id)
    if item is None:
        raise NotFound(_("抽查记录不存在"))
    return item


def call_list(check: SpotCheck) -> list[dict]:
    """The rows staff call: masked name and phone only."""
    people = {r.id: r for r in db.session.scalars(
        select(Recipient).where(Recipient.id.in_({i.recipient_id for i in check.items})))}
    out = []
    for item in check.items:
        r = people.get(item.recipient_id)
        out.append({"item": item, "name_masked": mask_name(r.name) if r else "",
                    "phone_masked": (r.phone_masked or "") if r else "", "has_phone": bool(r and r.phone_enc)})
    return out


def reveal_phone(item: SpotCheckItem, *, reason: str = "") -> str:
    """The recipient's whole phone number for the call; audited."""
    recipient = recipients.get_recipient(item.recipient_id)
    audit.record("reports.spot_check.reveal_phone", target=item,
                 details={"recipient_id": recipient.id, "spot_check_id": item.spot_check_id,
                          "reason": (reason or "抽查回访")[:200]})
    return recipients.phone_of(recipient)


def record_outcome(item: SpotCheckItem, *, outcome: str, satisfaction: int | None = None,
                   note: str = "") -> SpotCheckItem:
    if outcome not in OUTCOMES:
        raise InvalidInput(_("请选择回访结果"))
    if satisfaction is not None and (isinstance(satisfaction, bool) or not 1 <= int(satisfaction) <= 5):
        raise InvalidInput(_("满意度为 1 到 5 分"))
    if outcome == "unreachable" and satisfaction is not None:
        raise InvalidInput(_("未接通的回访不能填写满意度"))
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput(_("备注最多 500 字"))
    result = db.session.execute(
        update(SpotCheckItem).where(SpotCheckItem.id == item.id)
        .values(outcome=outcome, satisfaction=satisfaction, note=note, called_at=utcnow(),
                called_by=audit.current_actor().username[:80])
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict()
    db.session.expire(item)
    audit.record("reports.spot_check.outcome", target=item,
                 details={"outcome": outcome, "satisfaction": satisfaction})
    return item


def rates(check_id: int | None = None, *, period: str | None = None, district_code: str | None = None) -> dict:
    """Outcome counts and rates (of the calls made), and the mean satisfaction. For a period, a
    district-limited user counts only its district's samples."""
    q = select(SpotCheckItem.outcome, func.count(), func.sum(SpotCheckItem.satisfaction),
               func.count(SpotCheckItem.satisfaction)).group_by(SpotCheckItem.outcome)
    if check_id is not None:
        q = q.where(SpotCheckItem.spot_check_id == check_id)
    if period is not None:
        q = q.join(SpotCheck, SpotCheck.id == SpotCheckItem.spot_check_id).where(SpotCheck.period == period)
        if district_code:
            q = q.where(SpotCheck.district_code == district_code)
    counts = dict.fromkeys(OUTCOMES, 0)
    pending = sat_sum = sat_n = 0
    for outcome, n, s, sn in db.session.execute(q):
        if outcome is None:
            pending += int(n)
        else:
            counts[outcome] = int(n)
            sat_sum += int(s or 0)
            sat_n += int(sn or 0)
    called = sum(counts.values())
    return {"sampled": called + pending, "called": called, "pending": pending, "counts": counts,
            "rates_pct": {k: (round(100 * v / called, 1) if called else None) for k, v in counts.items()},
            "satisfaction_mean": round(sat_sum / sat_n, 2) if sat_n else None, "satisfaction_n": sat_n}


def plain_people(check: SpotCheck) -> dict[int, tuple[str, str]]:
    """Names and phones unmasked, for an export a privileged user asked for; audited."""
    people = {r.id: (r.name, recipients.phone_of(r)) for r in db.session.scalars(
        select(Recipient).where(Recipient.id.in_({i.recipient_id for i in check.items})))}
    audit.record("reports.spot_check.unmasked", target=check, details={"people": len(people)})
    return people
