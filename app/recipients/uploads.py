"""Roster files kept between the preview and the confirmation of an import.

The preview stores the upload under the instance folder (ROSTER_UPLOAD_DIR), owner-only, named
by a random token and bound to the user who uploaded it; confirming reads it back, checks its
SHA-256 against the preview, and deletes it. Files older than MAX_AGE are removed. With several
app servers, ROSTER_UPLOAD_DIR must be a shared directory (or sessions sticky).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import InvalidInput

MAX_AGE = 6 * 3600
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _folder() -> Path:
    path = Path(current_app.config.get("ROSTER_UPLOAD_DIR") or Path(current_app.instance_path) / "roster-uploads")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _clean(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for f in folder.iterdir():
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
        except FileNotFoundError:
            continue


def store(data: bytes, *, filename: str, user_id: int) -> str:
    folder = _folder()
    _clean(folder)
    token = secrets.token_urlsafe(24)
    meta = {"filename": filename, "user_id": user_id, "sha256": hashlib.sha256(data).hexdigest()}
    for name, content in ((f"{token}.bin", data), (f"{token}.json", json.dumps(meta).encode())):
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
    return token


def load(token: str, *, user_id: int, sha256: str) -> tuple[bytes, str]:
    """The stored bytes and filename; InvalidInput if missing, expired, foreign or changed."""
    if not token or not set(token) <= _TOKEN_CHARS:
        raise InvalidInput(_("导入已过期，请重新上传名册"))
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (FileNotFoundError, ValueError):
        raise InvalidInput(_("导入已过期，请重新上传名册")) from None
    if meta["user_id"] != user_id or meta["sha256"] != sha256 or hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidInput(_("导入已过期，请重新上传名册"))
    return data, meta["filename"]


def discard(token: str) -> None:
    if token and set(token) <= _TOKEN_CHARS:
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
