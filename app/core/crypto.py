"""Field encryption (AES-256-GCM) and keyed look-up hashes for sensitive values.

ID numbers, phone numbers and voucher codes are stored as ciphertext plus an HMAC "blind index":
a copy of the database alone gives away none of them. Keys are derived with HKDF from DATA_KEY (or SECRET_KEY when
DATA_KEY is not set), separately for each purpose, so an ID-number hash can never be compared
with a voucher-code hash. Changing DATA_KEY makes stored values unreadable: keep it with the
database backups' keys, not with the backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_VERSION = "v1"


def _master_key() -> bytes:
    conf = current_app.config
    secret = conf.get("DATA_KEY") or conf.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("DATA_KEY or SECRET_KEY must be configured")
    return secret.encode() if isinstance(secret, str) else secret


def _derive(purpose: str, kind: str) -> bytes:
    cache = current_app.extensions.setdefault("crypto_keys", {})
    key = cache.get((purpose, kind))
    if key is None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cishan-chaoshi",
                   info=f"{kind}:{purpose}".encode()).derive(_master_key())
        cache[(purpose, kind)] = key
    return key


class Sealer:
    """The cipher and the look-up key of one purpose, made once: what `encrypt`, `decrypt` and
    `blind_index` use, and what a bulk loop (issuance: 100,000 codes) holds on to instead of
    going through the app context for every value."""

    __slots__ = ("_aad", "_aead", "_mac")

    def __init__(self, purpose: str) -> None:
        self._aad = purpose.encode()
        self._aead = AESGCM(_derive(purpose, "enc"))
        self._mac = _derive(purpose, "mac")

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode(), self._aad)
        return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + ct).decode().rstrip("=")

    def decrypt(self, token: str) -> str:
        version, _, body = token.partition(":")
        if version != _VERSION:
            raise ValueError("unknown ciphertext version")
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return self._aead.decrypt(raw[:12], raw[12:], self._aad).decode()

    def index(self, value: str) -> str:
        """Deterministic keyed hash (hex, 64 chars) for exact look-up and de-duplication."""
        return hmac.digest(self._mac, value.encode(), "sha256").hex()


def sealer(purpose: str) -> Sealer:
    cache = current_app.extensions.setdefault("crypto_sealers", {})
    found = cache.get(purpose)
    if found is None:
        found = cache[purpose] = Sealer(purpose)
    return found


def encrypt(plaintext: str, *, purpose: str) -> str:
    return sealer(purpose).encrypt(plaintext)


def decrypt(token: str, *, purpose: str) -> str:
    return sealer(purpose).decrypt(token)


def encrypt_bytes(data: bytes, *, purpose: str) -> bytes:
    """AES-GCM of a whole file (a roster upload): nonce + ciphertext + tag."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_derive(purpose, "enc")).encrypt(nonce, data, purpose.encode())


def decrypt_bytes(blob: bytes, *, purpose: str) -> bytes:
    blob = bytes(blob)
    return AESGCM(_derive(purpose, "enc")).decrypt(blob[:12], blob[12:], purpose.encode())


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed hash (hex, 64 chars) for exact look-up and de-duplication."""
    return sealer(purpose).index(value)


PHONE_PURPOSE = "phone"


def phone_columns(phone: str | None, *, prefix: str = "phone") -> dict:
    """The stored form of a phone number, kept like an ID number: `<prefix>_enc` (AES-GCM),
    `<prefix>_hash` (keyed hash, to compare and look up without decrypting) and
    `<prefix>_masked` (138****5678, what screens show). All None when there is no number."""
    from app.core.masking import mask_phone

    phone = (phone or "").strip()
    if not phone:
        return {f"{prefix}_enc": None, f"{prefix}_hash": None, f"{prefix}_masked": None}
    return {f"{prefix}_enc": encrypt(phone, purpose=PHONE_PURPOSE),
            f"{prefix}_hash": blind_index(phone, purpose=PHONE_PURPOSE),
            f"{prefix}_masked": mask_phone(phone)}


def phone_hash(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    return blind_index(phone, purpose=PHONE_PURPOSE) if phone else None


def decrypt_phone(token: str | None) -> str:
    """The whole number (for audited reveals: callers audit), or "" when there is none."""
    return decrypt(token, purpose=PHONE_PURPOSE) if token else ""


def url_token(value: str, *, purpose: str, nbytes: int = 10) -> str:
    """A short keyed token that proves a link was made by us (e.g. the receipt's feedback link):
    HMAC-SHA256 of `value` under the purpose's key, the first `nbytes` (default 80 bits), in
    lower-case base32 without padding. Compare with `url_token_matches`."""
    digest = hmac.new(_derive(purpose, "url"), value.encode(), hashlib.sha256).digest()[:nbytes]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def url_token_matches(value: str, token: str | None, *, purpose: str, nbytes: int = 10) -> bool:
    return hmac.compare_digest(url_token(value, purpose=purpose, nbytes=nbytes),
                               str(token or "").strip().lower())
