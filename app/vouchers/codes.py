"""Voucher codes: 100 random bits in Crockford base32 plus Crockford's mod-37 check symbol.

Written `XXXXX-XXXXX-XXXXX-XXXXX-C`. Input is lenient (case, spaces, hyphens, full-width
characters, I/L -> 1, O -> 0, a whole scanned URL ending in /v#CODE or /v/CODE) and the check symbol
catches every single-character substitution and every adjacent swap before any database
look-up: 37 is prime and larger than 32, so neither (a - b) * 32^k nor (a - b) * 31 * 32^k is
a multiple of 37 for two different symbols a, b.
"""

from __future__ import annotations

import base64
import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
DATA_LENGTH = 20  # 20 symbols x 5 bits = 100 random bits
CODE_LENGTH = DATA_LENGTH + 1
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_FOLD = str.maketrans({"I": "1", "L": "1", "O": "0"})
_DROP = re.compile(r"[\s\-_.·]+")


class BadCode(ValueError):
    """Not a voucher code: wrong length, a symbol outside the alphabet, or a wrong check symbol."""


def check_symbol(data: str) -> str:
    value = 0
    for ch in data:
        value = value * 32 + _VALUE[ch]
    return CHECK_ALPHABET[value % 37]


# RFC 4648 base32 -> Crockford's alphabet, for new_code's C-speed encoding
_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode())


def new_code() -> str:
    """A fresh canonical code (21 symbols, no separators) from `secrets`.

    The 20 data symbols are the 100 random bits in base 32, most significant first, so the
    number they stand for is the random number itself and the check symbol is that number mod 37
    (what `check_symbol` computes symbol by symbol). The bits are shifted into 13 bytes so that
    base64's base32 encoder writes them; its 21st symbol (4 zero bits) is dropped."""
    n = secrets.randbits(DATA_LENGTH * 5)
    data = base64.b32encode((n << 4).to_bytes(13, "big"))[:DATA_LENGTH].translate(_FROM_RFC4648)
    return data.decode() + CHECK_ALPHABET[n % 37]


def group(code: str) -> str:
    """ABCDEFGHJKMNPQRSTVWXC -> ABCDE-FGHJK-MNPQR-STVWX-C."""
    data, check = code[:DATA_LENGTH], code[DATA_LENGTH:]
    return "-".join([data[i:i + 5] for i in range(0, DATA_LENGTH, 5)] + [check])


def canonical(text: str) -> str:
    """The canonical code behind what someone typed or scanned; BadCode if it cannot be one."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    if "/v#" in s:  # a scanned QR: PUBLIC_BASE_URL/v#CODE
        s = s.rsplit("/v#", 1)[1]
    elif "/v/" in s:  # a QR printed before codes moved to the fragment: PUBLIC_BASE_URL/v/CODE
        s = s.rsplit("/v/", 1)[1].split("?", 1)[0].split("#", 1)[0]
    s = _DROP.sub("", s).upper().translate(_FOLD)
    data, check = s[:DATA_LENGTH], s[DATA_LENGTH:]
    if len(s) != CODE_LENGTH or check not in CHECK_ALPHABET:
        raise BadCode("length")
    if any(ch not in _VALUE for ch in data):
        raise BadCode("symbol")
    if check_symbol(data) != check:
        raise BadCode("check")
    return data + check
