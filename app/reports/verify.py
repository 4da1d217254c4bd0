"""`flask --app wsgi verify`: every ledger identity the system relies on, in one report.

Each identity is checked by the domain whose books it is (app/<domain>/books.py; reports reads
them all, as it reads every domain). This module runs them, names the shops and renders the
report: JSON `{"ok", "checks": [{"name", "title", "ok", "count", "seconds", "differences"}]}` or
one line of text per difference (`app.core.books.describe`, the same line the reconciliation
page shows).
"""

from __future__ import annotations

import time

from app.auth import services as auth_services
from app.core.books import DIFFERENCE_LIMIT, Check, Window, describe
from app.core.timeutil import Period
from app.reports import books as reports_books


def checks() -> list[Check]:
    """Every check of every domain, in the order they are reported."""
    from app.donations import books as donations_books
    from app.inventory import books as inventory_books
    from app.pos import books as pos_books
    from app.pos import books_shifts
    from app.vouchers import books as vouchers_books

    return [*pos_books.CHECKS, *books_shifts.CHECKS, *vouchers_books.CHECKS, *inventory_books.CHECKS,
            *donations_books.CHECKS, *reports_books.CHECKS]


def identities() -> dict[str, str]:
    """{identity name: title} of every identity verify checks."""
    return {name: str(title) for check in checks() for name, title in check.identities.items()}


def _sort_key(d: dict):
    return [(k, (0, v, "") if isinstance(v, int) else (1, 0, str(v))) for k, v in d["objects"].items()]


def run(window: Window | None = None, *, dated_only: bool = False, reconciled: list[tuple[str, dict]] | None = None,
        limit: int = DIFFERENCE_LIMIT) -> dict:
    """Run every check over `window` (everything by default) and report each identity.

    `dated_only`: only the checks the window's dates and month narrow (the reconciliation page).
    `reconciled`: [(programme code, reconcile() result)] already computed for the window's month,
    used instead of computing the month's reconciliation again."""
    window = window or Window()
    codes = {s.id: s.code for s in auth_services.list_shops()}
    report = []
    for check in checks():
        if dated_only and not check.dated:
            continue
        t0 = time.perf_counter()
        if check.run is reports_books.reconciliations and reconciled is not None:
            found = [d for code, result in reconciled for d in reports_books.month_differences(result, code)]
        else:
            found = check.run(window)
        seconds = time.perf_counter() - t0
        by_name: dict[str, list[dict]] = {name: [] for name in check.identities}
        for d in found:
            shop_id = d["objects"].get("shop_id")
            if shop_id in codes:
                d["objects"] = {"shop": codes[shop_id], **d["objects"]}
            if d["check"] not in by_name:
                raise KeyError(f"{d['check']} is not declared by its check")
            by_name[d["check"]].append(d)
        for name, title in check.identities.items():
            diffs = sorted(by_name[name], key=_sort_key)
            report.append({"name": name, "title": str(title), "ok": not diffs, "count": len(diffs),
                           "seconds": round(seconds, 3), "dated": check.dated, "differences": diffs[:limit]})
    return {"ok": all(c["ok"] for c in report),
            "window": {"first": window.first.isoformat() if window.first else None,
                       "last": window.last.isoformat() if window.last else None, "period": window.period},
            "checks": report}


def text_lines(report: dict) -> list[str]:
    """The report for people: one line per identity, one line per difference under it."""
    lines = []
    for c in report["checks"]:
        if c["ok"]:
            lines.append(f"ok    {c['name']}  {c['title']}")
            continue
        lines.append(f"FAIL  {c['name']}  {c['title']}: {c['count']} difference(s)")
        lines += [f"  DIFF {describe(d)}" for d in c["differences"]]
        if c["count"] > len(c["differences"]):
            lines.append(f"  … {c['count'] - len(c['differences'])} more")
    failed = [c for c in report["checks"] if not c["ok"]]
    if failed:
        lines.append(f"verify: {len(failed)} of {len(report['checks'])} identities disagree, "
                     f"{sum(c['count'] for c in failed)} difference(s)")
    else:
        lines.append(f"verify: all {len(report['checks'])} identities agree")
    return lines


# what the month's own reconciliation lists: already limited to a district user's recipients
RECONCILED = ("reconciliation.identity", "vouchers.sales_vs_ledger", "vouchers.voids_vs_ledger")


def for_shops(report: dict, shop_codes: set[str] | None) -> dict:
    """The report as a user limited to some shops may see it: the differences naming one of
    `shop_codes` (None: everything), and those of the reconciliation it was given; how many
    were left out is kept per identity (`hidden`)."""
    if shop_codes is None:
        return report
    out = []
    for c in report["checks"]:
        mine = [d for d in c["differences"] if c["name"] in RECONCILED or d["objects"].get("shop") in shop_codes]
        out.append({**c, "differences": mine, "hidden": c["count"] - len(mine), "count": len(mine),
                    "ok": not mine})
    return {**report, "ok": all(c["ok"] for c in out), "checks": out}


def for_month(period: Period, reconciled: list[tuple[str, dict]], shop_codes: set[str] | None = None) -> dict:
    """What the reconciliation page shows: the checks a month narrows (the till's records dated
    in it, its vouchers), with the month's reconciliation already computed."""
    window = Window(first=period.first_day, last=period.last_day, period=str(period))
    return for_shops(run(window, dated_only=True, reconciled=reconciled), shop_codes)


def for_user_month(period: Period, result: dict) -> dict:
    """`for_month` for the logged-in user of the page or the API: the whole city for admins and
    city-wide federation staff; for a district-limited user its district's shops (and its
    district's reconciliation, `result`)."""
    from app.reports import scope

    codes = None if scope.shop_ids() is None else {s.code for s in scope.shops()}
    return for_month(period, [(result["programme"], result)], codes)


def undated_identities() -> dict[str, str]:
    """The identities no month narrows (stock on hand, lots, numbering per shop, ...): only
    `flask verify` runs them."""
    return {name: str(title) for check in checks() if not check.dated for name, title in check.identities.items()}
