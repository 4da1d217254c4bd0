"""Masking of personal data for every screen, receipt and export that is not an audited reveal."""

from __future__ import annotations


def mask_id_number(number: str | None) -> str:
    """411002199001011234 -> 4110**********1234."""
    if not number:
        return ""
    n = str(number)
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_id_tail(last4: str | None, *, prefix: str = "") -> str:
    """When only the last four characters are known (stored for search): ****1234."""
    return (prefix[:4] or "****") + "*" * 10 + (last4 or "****")


def mask_phone(phone: str | None) -> str:
    """13812345678 -> 138****5678; landlines keep the area code and last four."""
    if not phone:
        return ""
    p = str(phone).strip()
    digits = p.replace("-", "").replace(" ", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:max(0, len(digits) - 8)] + "****" + digits[-4:]


def mask_name(name: str | None) -> str:
    """张三 -> 张*, 张三丰 -> 张*丰, 欧阳娜娜 -> 欧**娜."""
    if not name:
        return ""
    n = str(name).strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]
