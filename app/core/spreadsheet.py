"""Spreadsheet safety shared by every export (inventory catalogue, reports).

A text cell that starts with = + - @ or a tab / carriage return / line feed could be run as a
formula by Excel, WPS or LibreOffice (CSV/formula injection); it is written with a leading
apostrophe instead. Numbers are never touched: they cannot carry a formula.
"""

from __future__ import annotations

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: str) -> str:
    """A text cell a spreadsheet will never run as a formula."""
    return "'" + value if value.startswith(DANGEROUS_START) else value


def safe_cell(value):
    """`safe_text` for strings, anything else unchanged (ints, Decimals, dates, None)."""
    return safe_text(value) if isinstance(value, str) else value
