"""China's administrative division codes (GB/T 2260), from python-stdnum's cn/loc table.

A resident ID's first six digits are the code of the county where the number was first issued.
We accept any code that has ever existed: an elderly person born in 1940 often carries a code
created in 1986 or later (stdnum's own `cn.ric.validate` rejects them; we only use its table).
"""

from __future__ import annotations

import functools
import re

_BRACKET = re.compile(r"^\[[^\]]*\]")


@functools.cache
def _table() -> dict[str, dict[str, str]]:
    from stdnum import numdb

    db = numdb.get("cn/loc")
    out: dict[str, dict[str, str]] = {}

    def walk(parts, prefix, inherited):
        for _length, low, high, props, children in parts:
            width = len(low)
            for n in range(int(low), int(high) + 1):
                code = prefix + str(n).zfill(width)
                info = dict(inherited)
                info.update(props)
                if len(code) == 6:
                    out[code] = info
                walk(children, code, info)

    walk(db.prefixes, "", {})
    return out


def _clean(name: str) -> list[str]:
    return [_BRACKET.sub("", n) for n in name.split(",") if n]


def is_known_region(code: str) -> bool:
    return code in _table()


def region_name(code: str) -> str | None:
    """The county-level name (most recent) for a six-digit code, or None."""
    info = _table().get(code)
    if not info:
        return None
    names = _clean(info.get("county", ""))
    return names[-1] if names else None


def region_full_name(code: str) -> str | None:
    """省 + 市 + 县: 411024 -> 河南省许昌市鄢陵县."""
    info = _table().get(code)
    if not info:
        return None
    parts = [(_clean(info.get("province", "")) or [""])[-1]]
    if code[4:] != "00":
        parts.append(region_name(code[:4] + "00") or "")
    parts.append(region_name(code) or "")
    out: list[str] = []
    for p in parts:
        if p and p not in out and p not in ("市辖区", "县"):
            out.append(p)
    return "".join(out)


def resolve_district(value: str, *, prefix: str = "") -> str | None:
    """A six-digit code, or a county name looked up inside `prefix` first (e.g. 鄢陵县 -> 411024)."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{6}", value):
        return value if is_known_region(value) else None
    if not value:
        return None
    matches = [code for code, info in _table().items()
               if value in _clean(info.get("county", ""))]
    local = [c for c in matches if prefix and c.startswith(prefix)]
    if len(local) == 1:
        return local[0]
    if not prefix and len(matches) == 1:
        return matches[0]
    return None


def current_districts(prefix: str) -> list[str]:
    """The county-level codes inside `prefix` (e.g. 4110, a city) that exist today: not the city
    itself, not its 市辖区, not a county merged or renamed away (its last name is closed, as
    `[1986-2016]许昌县`)."""
    out = []
    for code, info in _table().items():
        if not prefix or not code.startswith(prefix) or code.endswith("00"):
            continue
        names = [n for n in info.get("county", "").split(",") if n]
        last = names[-1] if names else ""
        m = re.match(r"^\[(\d{4})?-(\d{4})?\]", last)
        if (m and m.group(2)) or _BRACKET.sub("", last) in ("", "市辖区"):
            continue
        out.append(code)
    return sorted(out)
