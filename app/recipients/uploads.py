"""Roster files kept between the preview and the confirmation of an import.

A roster holds whole ID numbers and phone numbers, so the file waits in the database
(`roster_upload`), AES-GCM encrypted (app.core.crypto, its own purpose), with its name
encrypted too; the form carries a random token (the table keeps only its SHA-256) and the
file's SHA-256. Every app server sees the same uploads.

- `store` deletes the stale uploads first (older than ROSTER_UPLOAD_MAX_AGE_MINUTES, default
  120), and so does `flask --app wsgi recipients purge-uploads` (run it from a timer);
- `consume` takes the upload out exactly once: one `DELETE … WHERE token_hash = … AND user_id = …
  AND created_at >= … RETURNING …` in the confirmation's transaction. A double-tapped "confirm"
  imports once; the second finds nothing and answers 409 `roster_upload_gone`. When the import
  then fails, its rollback puts the upload back.

The rows an import left out (app/recipients/left_out.py) wait in the same table until the
clerk downloads them: `store_left_out` / `left_out`, encrypted under their own purpose, with
tokens of their own kind (an upload's token never opens a left-out file, nor the reverse). A
left-out file may be downloaded again (each download is audited) until it is stale.

Services flush; the caller commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.core import crypto
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.extensions import db
from app.recipients.errors import RosterUploadGone
from app.recipients.models import RosterUpload

PURPOSE = "roster-upload"
LEFT_OUT_PURPOSE = "roster-left-out"
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def max_age() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config.get("ROSTER_UPLOAD_MAX_AGE_MINUTES", 120)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def store(data: bytes, *, filename: str, user_id: int) -> str:
    """Keep an upload for its confirmation; return the token the form carries."""
    purge_stale()
    token = secrets.token_urlsafe(24)
    db.session.add(RosterUpload(token_hash=_token_hash(token), user_id=user_id, created_at=utcnow(),
                                filename_enc=crypto.encrypt(str(filename or "")[:255], purpose=PURPOSE),
                                payload=crypto.encrypt_bytes(data, purpose=PURPOSE)))
    db.session.flush()
    return token


def consume(token: str, *, user_id: int, sha256: str) -> tuple[bytes, str]:
    """Take the upload out (once): its bytes and file name. RosterUploadGone when it was
    taken already, expired, or is another user's; InvalidInput when the file is not the one
    the preview showed."""
    if not token or not set(token) <= _TOKEN_CHARS:
        raise RosterUploadGone()
    row = db.session.execute(
        delete(RosterUpload)
        .where(RosterUpload.token_hash == _token_hash(token), RosterUpload.user_id == user_id,
               RosterUpload.created_at >= utcnow() - max_age())
        .returning(RosterUpload.payload, RosterUpload.filename_enc)
        .execution_options(synchronize_session=False)).first()
    if row is None:
        raise RosterUploadGone()
    data = crypto.decrypt_bytes(row[0], purpose=PURPOSE)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidInput(_("导入已过期，请重新上传名册"))
    return data, crypto.decrypt(row[1], purpose=PURPOSE)


def store_left_out(data: bytes, *, filename: str, mimetype: str, rows: int, upload_sha256: str,
                   user_id: int) -> str:
    """Keep a left-out rows file for its download by `user_id`; return its token."""
    token = secrets.token_urlsafe(24)
    meta = json.dumps({"filename": filename[:255], "mimetype": mimetype, "rows": rows,
                       "sha256": upload_sha256}, ensure_ascii=False)
    db.session.add(RosterUpload(token_hash=_token_hash("left-out:" + token), user_id=user_id,
                                created_at=utcnow(), filename_enc=crypto.encrypt(meta, purpose=LEFT_OUT_PURPOSE),
                                payload=crypto.encrypt_bytes(data, purpose=LEFT_OUT_PURPOSE)))
    db.session.flush()
    return token


def left_out(token: str, *, user_id: int) -> tuple[bytes, dict]:
    """A left-out rows file (its bytes and {filename, mimetype, rows, sha256}) for the user who
    made the import; RosterUploadGone when expired, unknown or someone else's."""
    if not token or not set(token) <= _TOKEN_CHARS:
        raise RosterUploadGone(_("未导入行的文件已过期，请重新上传名册"))
    row = db.session.execute(
        select(RosterUpload.payload, RosterUpload.filename_enc)
        .where(RosterUpload.token_hash == _token_hash("left-out:" + token), RosterUpload.user_id == user_id,
               RosterUpload.created_at >= utcnow() - max_age())).first()
    if row is None:
        raise RosterUploadGone(_("未导入行的文件已过期，请重新上传名册"))
    return (crypto.decrypt_bytes(row[0], purpose=LEFT_OUT_PURPOSE),
            json.loads(crypto.decrypt(row[1], purpose=LEFT_OUT_PURPOSE)))


def remove_legacy_files() -> int:
    """Delete the unencrypted roster files earlier versions kept in instance/roster-uploads;
    return how many (the folder goes too)."""
    folder = Path(current_app.instance_path) / "roster-uploads"
    if not folder.is_dir():
        return 0
    removed = 0
    for f in folder.iterdir():
        if f.is_file():
            f.unlink()
            removed += 1
    with contextlib.suppress(OSError):
        folder.rmdir()
    return removed


def purge_stale(*, now: dt.datetime | None = None) -> int:
    """Delete the uploads older than the maximum age; return how many."""
    cutoff = (now or utcnow()) - max_age()
    result = db.session.execute(delete(RosterUpload).where(RosterUpload.created_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0
