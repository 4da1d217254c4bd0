"""The text boundary: every piece of text a person or a file gives the system passes here.

Rules (DESIGN.md, "Input boundary"): text is NFC; NUL, the other C0 and C1 control characters,
DEL and lone surrogates are refused (never stored, never a 500); surrounding whitespace is
stripped (a scanner's trailing tab or CR, a pasted line end); single-line text keeps no tab or
line break inside; every field has a length.

- `clean_text` is the one function forms, services, imports and the API's `Text` field
  (app/core/schema.py) call for a field.
- `find_control` is what the request guard (app/core/boundary.py) and the storage guard use to
  refuse control characters anywhere in a request or a row about to be written.
- `printable` is the output side: what exports, PDFs and receipts print of text that is already
  stored (controls removed, so an old bad row cannot break them).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from app.core.errors import InvalidInput

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates
# (JSON may carry "\ud800": it cannot be encoded for the database).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# the same plus tab and line breaks (and the Unicode line/paragraph separators): single-line text
_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def is_digits(text: str) -> bool:
    """A non-empty run of decimal digits, exactly what int() takes: 0–9, and the full-width
    digits a Chinese input method may type ("１２"). str.isdigit() also says yes to "²" or "①",
    which int() then refuses with a ValueError (a 500 instead of a clear message)."""
    return text.isdecimal()


def find_control(text: str) -> str | None:
    """The first control character (other than tab and line breaks) in `text`, or None."""
    m = _CONTROLS.search(text)
    return m.group() if m else None


def describe_char(ch: str) -> str:
    """'U+0000' — how a refused character is named in a message."""
    return f"U+{ord(ch):04X}"


def control_message(label: str | None, ch: str) -> str:
    if label:
        return _("%(field)s含有不可见的控制字符（%(char)s），请删除后重新输入",
                 field=label, char=describe_char(ch))
    return _("输入含有不可见的控制字符（%(char)s），请删除后重新输入", char=describe_char(ch))


def clean_text(value, *, label: str | None = None, max_length: int | None = None,
               multiline: bool = False, required: bool = False) -> str:
    """NFC text without controls, stripped, within `max_length` characters; InvalidInput with a
    Chinese message naming `label` otherwise. None becomes "" (or "please fill in" if required).

    `multiline`: tabs and line breaks inside are kept (notes, comments); CRLF becomes LF.
    Otherwise a tab or line break inside the text is refused (a name, a code, a reference).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s应为文字", field=label) if label else _("输入应为文字"))
    ch = find_control(value)
    if ch is not None:
        raise InvalidInput(control_message(label, ch))
    text = unicodedata.normalize("NFC", value).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        m = _LINE_BREAKS.search(text)
        if m:
            raise InvalidInput(
                _("%(field)s不能含有换行或制表符", field=label) if label else _("输入不能含有换行或制表符"))
    if required and not text:
        raise InvalidInput(_("请填写%(field)s", field=label) if label else _("请填写必填项"))
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(_("%(field)s最多 %(n)s 个字（现有 %(len)s 个）", field=label, n=max_length, len=len(text))
                           if label else _("输入最多 %(n)s 个字（现有 %(len)s 个）", n=max_length, len=len(text)))
    return text


def printable(value) -> str:
    """Text for output (exports, PDFs, receipts): controls and lone surrogates removed, tabs and
    line breaks kept. For text that is already stored; new input is refused by `clean_text`."""
    if value is None:
        return ""
    return _CONTROLS.sub("", str(value))
