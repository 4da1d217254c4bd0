"""Chinese text for ESC/POS thermal printers: normalising, measuring, laying out and encoding.

python-escpos's `text()` is not usable for Chinese receipts: it encodes a line with an ideograph
as GB18030 without sending the Chinese-mode command, has no GBK glyph for `¥` (U+00A5) and turns
lines of punctuation only into `?`. This module does it the way Chinese printers expect:

- every character is printed either as one ASCII byte (half width, 1 column) or, inside Chinese
  mode (`FS &` ... `FS .`), as a GBK/GB18030 character (full width, 2 columns). So the display
  width of a line is what the printer will use, and layout pads and truncates by it;
- text is normalised first (NFC, `¥` -> `￥`, control characters -> space, invisible format
  characters dropped, anything the printer's encoding cannot hold -> `？`);
- ASCII runs are sent outside Chinese mode, other runs inside it, so printers that start in
  either mode print the same bytes the same way.
"""

from __future__ import annotations

import unicodedata

FS_CHINESE_ON = b"\x1c\x26"  # FS &  select Chinese (Kanji) character mode
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .  cancel Chinese character mode
ENCODINGS = ("gbk", "gb18030")
ELLIPSIS = "…"
REPLACEMENT = "？"  # full-width question mark: keeps the 2 columns of what it replaces
YEN = "￥"  # U+FFE5 FULLWIDTH YEN SIGN, in GB2312/GBK; U+00A5 is not


def check_encoding(encoding: str) -> str:
    enc = (encoding or "").strip().lower().replace("-", "")
    if enc not in ENCODINGS:
        raise ValueError(f"unsupported printer encoding {encoding!r}: use gbk or gb18030")
    return enc


def is_ascii_printable(ch: str) -> bool:
    return " " <= ch <= "~"


def _printable_char(ch: str, encoding: str) -> str:
    """One character as the printer will print it ('' when it prints nothing)."""
    if ch == "\u00a5":
        return YEN
    if is_ascii_printable(ch):
        return ch
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp") or ch == "\u00a0":
        return " "
    if category in ("Cf", "Mn", "Me"):  # zero-width joiners, BOM, stray combining marks
        return ""
    try:
        encoded = ch.encode(encoding)
    except UnicodeEncodeError:
        return REPLACEMENT
    # A non-ASCII character must be a double-byte (or GB18030 four-byte) sequence; a single
    # byte >= 0x80 would be read as a lead byte inside Chinese mode and swallow the next one.
    return ch if len(encoded) >= 2 else REPLACEMENT


def normalise(text: str, encoding: str = "gbk") -> str:
    """The text the printer can print, character for character."""
    enc = check_encoding(encoding)
    composed = unicodedata.normalize("NFC", str(text))
    return "".join(_printable_char(ch, enc) for ch in composed)


def char_width(ch: str) -> int:
    """Columns a (normalised) character takes on the printer: ASCII 1, anything else 2."""
    return 1 if is_ascii_printable(ch) else 2


def width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut (normalised) `text` to at most `limit` columns, ending with `ellipsis` when cut."""
    if width(text) <= limit:
        return text
    room = limit - width(ellipsis)
    if room < 0:
        return _take(text, limit)[0]
    return _take(text, room)[0] + ellipsis


def _take(text: str, limit: int) -> tuple[str, str]:
    """Split `text` after as many characters as fit in `limit` columns."""
    used = 0
    for i, ch in enumerate(text):
        w = char_width(ch)
        if used + w > limit:
            return text[:i], text[i:]
        used += w
    return text, ""


def wrap(text: str, limit: int, *, max_lines: int | None = None) -> list[str]:
    """Wrap (normalised) `text` into lines of at most `limit` columns.

    Chinese text breaks between any two characters; a run of ASCII letters and digits (a brand,
    a weight like `10kg`) is kept whole when it fits on a line. With `max_lines`, the last line
    ends with an ellipsis if text remains.
    """
    if limit < 2:
        raise ValueError("a line needs at least 2 columns")
    lines: list[str] = []
    rest = text.strip()
    while rest:
        head, tail = _take(rest, limit)
        if tail and head and _breaks_a_word(head, tail):
            cut = _last_break(head)
            if cut > 0:
                head, tail = head[:cut], head[cut:] + tail
        lines.append(head.rstrip())
        rest = tail.lstrip()
        if max_lines and len(lines) == max_lines and rest:
            lines[-1] = truncate(lines[-1] + " " + rest, limit)
            break
    return lines or [""]


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _breaks_a_word(head: str, tail: str) -> bool:
    return _is_word_char(head[-1]) and _is_word_char(tail[0])


def _last_break(head: str) -> int:
    """Index after which `head` may be cut without splitting an ASCII word (0: nowhere)."""
    for i in range(len(head) - 1, 0, -1):
        if not _is_word_char(head[i - 1]) or not _is_word_char(head[i]):
            return i
    return 0


def pad(text: str, size: int, align: str = "left") -> str:
    """Truncate or pad (normalised) `text` with spaces to exactly `size` columns."""
    text = truncate(text, size)
    gap = size - width(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def justify(left: str, right: str, size: int) -> str:
    """`left` and `right` on one line of `size` columns; `left` gives way when both do not fit."""
    right = truncate(right, size)
    room = size - width(right)
    if room <= 0:
        return right
    left = truncate(left, room - 1) if width(left) > room - 1 else left
    return left + " " * (size - width(left) - width(right)) + right


def row(cells: list[tuple[str, int, str]]) -> str:
    """A table row: each cell is (text, columns, align)."""
    return "".join(pad(text, size, align) for text, size, align in cells)


def encode(line: str, encoding: str = "gbk") -> bytes:
    """Bytes of one (normalised) line: ASCII as is, other runs wrapped in FS & ... FS .

    Characters are normalised again here, so nothing unprintable reaches the printer.
    """
    enc = check_encoding(encoding)
    out = bytearray()
    run: list[str] = []

    def flush_run():
        if run:
            out.extend(FS_CHINESE_ON + "".join(run).encode(enc) + FS_CHINESE_OFF)
            run.clear()

    for ch in normalise(line, enc):
        if is_ascii_printable(ch):
            flush_run()
            out.append(ord(ch))
        else:
            run.append(ch)
    flush_run()
    return bytes(out)
