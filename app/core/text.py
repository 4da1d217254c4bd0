"""Small text checks shared by the forms and imports."""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """A non-empty run of decimal digits, exactly what int() takes: 0–9, and the full-width
    digits a Chinese input method may type ("１２"). str.isdigit() also says yes to "²" or "①",
    which int() then refuses with a ValueError (a 500 instead of a clear message)."""
    return text.isdecimal()
