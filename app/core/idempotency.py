"""Exactly once for whatever a client may send twice: a double tap, or a retry after a lost answer.

Two tools, both claiming a key in the same transaction as the work it guards:

- `once(scope=..., key=..., body=..., work=...)` for the API: the first request with a key does
  the work and stores its answer with the key; the same key again (at once or later) returns that
  answer and changes nothing; the same key with a different body is `idempotency_conflict`.
- `@form_once` for HTML forms: every form carries a fresh hidden `idempotency_key` (Jinja
  `{{ idempotency_field() }}`); a second submission of the same form is refused with
  `duplicate_submission` (the handler flashes it and goes back to the page).

The claim is one `INSERT ... ON CONFLICT DO NOTHING RETURNING`: on PostgreSQL a second request
with the same key waits at that statement until the first one commits (then finds its row) or
rolls back (then goes on as the first); on SQLite every write transaction is BEGIN IMMEDIATE and
the two never overlap. An error rolls the claim back with the work, so a refused request can be
sent again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.core.models import IdempotencyRecord
from app.extensions import db

KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
FIELD = "idempotency_key"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    default_message = _l("同一请求编号已用于另一项不同的操作，请刷新后重试")


class DuplicateSubmission(Conflict):
    code = "duplicate_submission"
    default_message = _l("这张表单已经提交过了，没有重复处理。")


def body_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput(_("缺少或无效的请求编号（idempotency_key，8–64 位字母、数字或 -）"))
    return key


def _claim(scope: str, key: str, user_id: int | None, digest: str) -> bool:
    """Insert the key; True when this request is the first with it."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = IdempotencyRecord.__table__
    stmt = (insert(table).values(scope=scope, key=key, user_id=user_id, request_hash=digest,
                                 created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["scope", "key"]).returning(table.c.key))
    return db.session.execute(stmt).first() is not None


def _existing(scope: str, key: str, user_id: int | None, digest: str) -> IdempotencyRecord:
    row = db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                            IdempotencyRecord.key == key)
                            .execution_options(populate_existing=True))
    if row is None:  # pragma: no cover - the insert conflicted, so the row is there
        raise Conflict()
    if row.user_id != user_id or row.request_hash != digest:
        raise IdempotencyConflict()
    return row


def key_from(body: dict) -> str | None:
    """The request's idempotency key: `idempotency_key` in the JSON body (taken out of it), else
    the `Idempotency-Key` header."""
    key = body.pop(FIELD, None) if isinstance(body, dict) else None
    return key if key is not None else request.headers.get("Idempotency-Key")


def once(*, scope: str, key: Any, body: Any, work: Callable[[], Any], user_id: int | None,
         status: int = 200, required: bool = True) -> Response:
    """Run `work()` (which returns the JSON-able answer) once per (scope, key) and answer it with
    `status`; a replay answers the stored answer and status. The caller commits
    (app.core.db.commit_with_retry). The answer is a finished Response, so that an API view's
    output schema does not dump it a second time.

    `required=False`: a request without a key is done as it comes (for calls that are safe by
    the state they change, e.g. a second shift opening is refused anyway); with a key it replays.
    """
    if key is None and not required:
        return _json(work(), status)
    key = check_key(key)
    digest = body_hash(body)
    if not _claim(scope, key, user_id, digest):
        row = _existing(scope, key, user_id, digest)
        if row.status is None:  # claimed by a form, or an answer that was never stored
            raise DuplicateSubmission()
        return _json(row.response, row.status)
    result = work()
    db.session.execute(IdempotencyRecord.__table__.update()
                       .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
                       .values(status=status, response=result))
    return _json(result, status)


def _json(body: Any, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def claim_form(scope: str, key: Any, user_id: int | None) -> str | None:
    """Claim a form's key. None when this is the first submission; for a second one, where the
    first one went (its redirect), or DuplicateSubmission when that is not known."""
    key = check_key(key)
    if _claim(scope, key, user_id, ""):
        return None
    row = _existing(scope, key, user_id, "")
    location = (row.response or {}).get("location") if isinstance(row.response, dict) else None
    if not location:
        raise DuplicateSubmission()
    return location


def form_once(view):
    """For a view that handles a POSTed form: claim the form's `idempotency_key` before the view
    runs, in the same transaction as the view's own writes (the view commits both). The same form
    sent again (a double click, a resend after a lost answer) changes nothing: it is sent where
    the first one went, with a message, or refused with `duplicate_submission`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        from flask_login import current_user

        scope = f"form:{request.endpoint}"
        key = request.form.get(FIELD)
        user_id = current_user.id if current_user.is_authenticated else None
        first_went_to = claim_form(scope, key, user_id)
        if first_went_to is not None:
            flash(str(DuplicateSubmission.default_message), "info")
            return redirect(first_went_to, 303)
        response = view(*args, **kwargs)
        location = getattr(response, "location", None) if getattr(response, "status_code", 0) in (
            301, 302, 303, 307, 308) else None
        if location:  # the view has committed its work and the claim: remember where it went
            db.session.execute(IdempotencyRecord.__table__.update()
                               .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
                               .values(status=303, response={"location": location}))
            db.session.commit()
        return response

    wrapper.form_once = True
    return wrapper


def idempotency_field() -> Markup:
    """The hidden input every form that writes carries (a new key each time the form is shown)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, str(uuid.uuid4()))


def purge_before(cutoff: dt.datetime) -> int:
    """Forget keys older than `cutoff` (a retry comes within minutes; sales keep their own key)."""
    return db.session.execute(IdempotencyRecord.__table__.delete()
                              .where(IdempotencyRecord.created_at < cutoff)).rowcount
