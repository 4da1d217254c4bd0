"""Scale labels: the EAN-13 barcodes a shop scale prints on a bag of loose goods.

A label is 13 digits: a prefix starting with 2 (GS1 keeps 20–29 for in-store numbers), the
product's PLU, a 5-digit value — the weight in grams or the price in fen — and the EAN check
digit. The layouts are the table below, in one place; `SCALE_LABEL_LAYOUTS` (config) names those
the shop's scales print. Their prefixes may not overlap, so a code matches at most one.

| name    | digits                   | as printed by |
| ------- | ------------------------ | ------------- |
| weight5 | 21 PPPPP WWWWW C (grams) | Odoo "Weighted Barcodes 3 Decimals" (21.....{NNDDD}); 大华/顶尖, flag 21 |
| price5  | 23 PPPPP NNNNN C (fen)   | Odoo "Price Barcodes 2 Decimals" (23.....{NNNDD}); 大华/顶尖, flag 23 |
| weight6 | 2 PPPPPP WWWWW C (grams) | 大华/顶尖 set to a 6-digit PLU (货号) and weight |
| price6  | 2 PPPPPP NNNNN C (fen)   | 大华/顶尖 set to a 6-digit PLU and amount (金额) |

A weight label gives the grams directly. A price label gives what the scale charged at the
product's market price per 斤/kg: the weight is that price divided by the unit price
(grams = round(price × unit grams / market price)), and the till then prices those grams like
any weighed line — at the charity price for an identified recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from stdnum import ean

from app.extensions import db
from app.inventory import barcodes
from app.inventory.errors import PluUnknown, ScaleLabelInvalid
from app.inventory.models import Product


@dataclass(frozen=True)
class Layout:
    name: str
    prefix: str
    plu_digits: int
    value: str  # "weight" (grams) or "price" (fen)

    def __post_init__(self):
        assert len(self.prefix) + self.plu_digits + 5 + 1 == 13, self.name


LAYOUTS = {layout.name: layout for layout in (
    Layout("weight5", "21", 5, "weight"),
    Layout("price5", "23", 5, "price"),
    Layout("weight6", "2", 6, "weight"),
    Layout("price6", "2", 6, "price"),
)}


@dataclass(frozen=True)
class ScaleLabel:
    code: str
    layout: Layout
    plu: int
    grams: int
    label_price_fen: int | None  # the price printed in the code (price layouts)
    product: Product


def active_layouts(names: str | None = None) -> list[Layout]:
    """The configured layouts; ValueError for an unknown name or overlapping prefixes."""
    names = names if names is not None else current_app.config.get("SCALE_LABEL_LAYOUTS", "")
    chosen = []
    for name in (n.strip() for n in str(names or "").split(",")):
        if not name:
            continue
        if name not in LAYOUTS:
            raise ValueError(f"SCALE_LABEL_LAYOUTS: unknown layout {name!r} (known: {', '.join(LAYOUTS)})")
        chosen.append(LAYOUTS[name])
    for a in chosen:
        for b in chosen:
            if a is not b and (a.prefix.startswith(b.prefix) or b.prefix.startswith(a.prefix)):
                raise ValueError(f"SCALE_LABEL_LAYOUTS: {a.name} and {b.name} overlap "
                                 f"(prefixes {a.prefix}, {b.prefix})")
    return chosen


def layout_of(code: str, layouts: list[Layout] | None = None) -> Layout | None:
    """The layout a 13-digit code starting with 2 belongs to, or None when it is no scale label."""
    if len(code) != 13 or not code.isdigit() or not code.startswith("2"):
        return None
    for layout in layouts if layouts is not None else active_layouts():
        if code.startswith(layout.prefix):
            return layout
    return None


def is_scale_label(text) -> bool:
    return layout_of(barcodes.normalise(text)) is not None


def parse(text) -> ScaleLabel | None:
    """The product and weight a scale label names; None when `text` is not a scale label of a
    configured layout (the caller then treats it as an ordinary barcode).

    Raises ScaleLabelInvalid (`scale_label_invalid`) for a wrong check digit or a zero value,
    NotFound (`plu_unknown`) when no active weighed product has the PLU."""
    code = barcodes.normalise(text)
    layout = layout_of(code)
    if layout is None:
        return None
    if ean.calc_check_digit(code[:12]) != code[12]:
        raise ScaleLabelInvalid(_("秤签条码校验位不正确，请重新扫描或重新称重打印：%(code)s", code=code),
                                details={"code": code})
    start = len(layout.prefix)
    plu = int(code[start:start + layout.plu_digits])
    value = int(code[start + layout.plu_digits:12])
    if value == 0:
        raise ScaleLabelInvalid(_("秤签上的重量或金额为 0：%(code)s", code=code), details={"code": code})
    product = db.session.scalar(select(Product).where(Product.plu == plu))
    if product is None or not product.weighed:
        raise PluUnknown(_("没有 PLU 为 %(plu)s 的称重商品（秤签 %(code)s）：请在商品资料里填写电子秤 PLU",
                           plu=plu, code=code), details={"code": code, "plu": plu})
    if layout.value == "weight":
        grams, price = value, None
    else:
        price = value
        grams = (2 * price * product.unit_grams + product.market_price_fen) // (2 * product.market_price_fen)
        if grams <= 0:
            raise ScaleLabelInvalid(_("秤签金额 %(fen)s 分不足 1 克：%(code)s", fen=price, code=code),
                                    details={"code": code})
    return ScaleLabel(code=code, layout=layout, plu=plu, grams=grams, label_price_fen=price, product=product)


def make(plu: int, value: int, layout_name: str = "weight5") -> str:
    """The label a scale would print (demo, tests, README): PLU and grams (or fen)."""
    layout = LAYOUTS[layout_name]
    body = f"{layout.prefix}{plu:0{layout.plu_digits}d}{value:05d}"
    if len(body) != 12:
        raise ValueError("PLU or value too long for the layout")
    return body + ean.calc_check_digit(body)


# --- a printable label (the product page prints a test label, as the scale would) -----------

_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_R = tuple("".join("1" if b == "0" else "0" for b in code) for code in _L)
_G = tuple(code[::-1] for code in _R)
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")


def ean13_modules(code: str) -> str:
    """The 95 modules (1 = bar) of an EAN-13 code: guard, six digits in the parity the first digit
    sets, centre guard, six digits, guard."""
    if len(code) != 13 or not code.isdigit() or ean.calc_check_digit(code[:12]) != code[12]:
        raise ValueError(f"not a valid EAN-13: {code!r}")
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(_PARITY[int(code[0])], code[1:7], strict=True))
    right = "".join(_R[int(d)] for d in code[7:])
    return "101" + left + "01010" + right + "101"


def ean13_svg_path(code: str, *, quiet: int = 11, height: int = 60) -> tuple[int, str]:
    """(width in modules with the quiet zones, an SVG path `d` of the bars) for an inline SVG, so
    the page needs no picture file and no inline style."""
    modules = ean13_modules(code)
    parts, x = [], quiet
    for run in "".join(modules).replace("01", "0 1").replace("10", "1 0").split():
        if run[0] == "1":
            parts.append(f"M{x} 0h{len(run)}v{height}h-{len(run)}z")
        x += len(run)
    return quiet + len(modules) + 7, "".join(parts)


def label_for(product: Product, grams: int) -> str:
    """The label the shop's scale would print for `grams` of `product`: the first configured
    weight layout, else a price layout with the market amount."""
    from app.core.money import line_amount_fen

    if not product.weighed or product.plu is None:
        raise ScaleLabelInvalid(_("「%(name)s」不是带 PLU 的称重商品，不能打印秤签", name=product.name))
    layouts = active_layouts()
    for layout in sorted(layouts, key=lambda x: x.value != "weight"):
        value = grams if layout.value == "weight" else line_amount_fen(product.market_price_fen, grams,
                                                                       product.unit_grams)
        if product.plu < 10 ** layout.plu_digits and 0 < value < 100_000:
            return make(product.plu, value, layout.name)
    raise ScaleLabelInvalid(_("秤签格式放不下这个 PLU 或重量"))
