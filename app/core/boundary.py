"""Where input enters and where it is stored: the guards that need no field to remember them.

- JSON: parsed by `SafeJSONProvider` (the app's JSON provider): nesting deeper than
  `MAX_JSON_DEPTH` (100,000 `[` would raise RecursionError, a 500), `NaN`/`Infinity`, controls in
  any string or key → 400 `invalid_input`; strings come out NFC.
- Every request (`check_request`, before any view): query string, form fields, upload file names,
  URL parts and the JSON body are refused with a clear 400 when they carry a control character
  (`app.core.text.find_control`: NUL, C0 but tab and line breaks, DEL, C1, lone surrogates).
  Fields then clean their own text (`clean_text`, the API's `Text`) and numbers (`parse_int`,
  `Int`).
- Every ORM flush (`check_flush`): text columns of new or changed rows are NFC, without controls
  and within the column's length; integer columns within their 32/64-bit range. What a form or
  import forgot is refused here with `invalid_input` instead of a database error.
- `<int:...>` in every route is `app.core.numbers.IntConverter` (0 … 2³¹−1).
"""

from __future__ import annotations

import json
import unicodedata

import sqlalchemy as sa
from flask import Request, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app.core.errors import InvalidInput
from app.core.numbers import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, IntConverter
from app.core.text import control_message, find_control

MAX_JSON_DEPTH = 32


class JSONBoundaryError(ValueError):
    """A JSON body the boundary refuses; the message is for the user (Chinese)."""


def _refuse_constant(name: str):
    raise JSONBoundaryError(_("JSON 中不能使用 %(name)s，金额和数量都是整数", name=name))


def _path(parts: list) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or _("请求内容")


def _nfc(text: str, where: list) -> str:
    ch = find_control(text)
    if ch is not None:
        raise JSONBoundaryError(control_message(_path(where), ch))
    return unicodedata.normalize("NFC", text)


def sanitise_json(value):
    """Walk a parsed JSON document without recursion: depth, controls, NFC strings and keys."""
    if isinstance(value, str):
        return _nfc(value, [])
    if not isinstance(value, dict | list):
        return value
    root = {"": value}
    stack = [(root, "", value, [], 1)]
    while stack:
        parent, key, node, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise JSONBoundaryError(_("JSON 嵌套超过 %(n)s 层，已拒绝", n=MAX_JSON_DEPTH))
        if isinstance(node, dict):
            fresh = {}
            for k, v in node.items():
                k2 = _nfc(k, [*where, k])
                fresh[k2] = v
                if isinstance(v, str):
                    fresh[k2] = _nfc(v, [*where, k])
                elif isinstance(v, dict | list):
                    stack.append((fresh, k2, v, [*where, k], depth + 1))
            parent[key] = fresh
        else:
            fresh = list(node)
            for i, v in enumerate(fresh):
                if isinstance(v, str):
                    fresh[i] = _nfc(v, [*where, i])
                elif isinstance(v, dict | list):
                    stack.append((fresh, i, v, [*where, i], depth + 1))
            parent[key] = fresh
    return root[""]


def loads_json(data):
    """json.loads within the boundary; JSONBoundaryError (a ValueError) for what it refuses."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONBoundaryError(_("请求内容不是 UTF-8 编码的 JSON")) from None
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONBoundaryError(_("JSON 嵌套超过 %(n)s 层，已拒绝", n=MAX_JSON_DEPTH)) from None
    return sanitise_json(value)


class SafeJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        return loads_json(s)


class BoundaryRequest(Request):
    """A JSON body that cannot be read is `invalid_input` with the reason, not a bare 400."""

    def on_json_loading_failed(self, e: ValueError | None):
        if isinstance(e, JSONBoundaryError):
            raise InvalidInput(str(e))
        raise InvalidInput(_("请求内容不是有效的 JSON"))


def _check_pairs(pairs, what: str) -> None:
    for key, value in pairs:
        for text in (key, value):
            if isinstance(text, str) and (ch := find_control(text)) is not None:
                label = key if isinstance(key, str) and find_control(key) is None else what
                raise InvalidInput(control_message(label, ch), details={"field": label})


def check_request() -> None:
    """before_request: refuse control characters anywhere in the request, and read a JSON body
    through the boundary (depth, controls) before any view or parser sees it."""
    if request.endpoint == "static":
        return
    _check_pairs(request.args.items(multi=True), _("查询参数"))
    _check_pairs((request.view_args or {}).items(), _("网址"))
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            if request.get_data(cache=True):
                request.get_json()  # cached; raises InvalidInput through BoundaryRequest
        else:
            _check_pairs(request.form.items(multi=True), _("表单"))
            _check_pairs(((k, f.filename) for k, f in request.files.items(multi=True)), _("文件名"))


# --- storage ---------------------------------------------------------------------------------

def _int_range(column_type) -> tuple[int, int] | None:
    if isinstance(column_type, sa.BigInteger):
        return INT64_MIN, INT64_MAX
    if isinstance(column_type, sa.Integer):
        return INT32_MIN, INT32_MAX
    return None


def _column_label(table: str, key: str) -> str:
    return f"{table}.{key}"


def check_row(obj, *, changed_only: bool) -> None:
    """Text and integer columns of one ORM object within the boundary (NFC applied in place)."""
    state = sa.inspect(obj)
    keys = set(state.committed_state) if changed_only else None
    for attr in state.mapper.column_attrs:
        if keys is not None and attr.key not in keys:
            continue
        value = state.dict.get(attr.key)
        if value is None or isinstance(value, bool):
            continue
        column = attr.columns[0]
        ctype = column.type
        if isinstance(ctype, TypeDecorator) or not isinstance(column, sa.Column):
            continue
        if isinstance(value, str) and isinstance(ctype, sa.String):
            ch = find_control(value)
            label = _column_label(column.table.name, attr.key)
            if ch is not None:
                raise InvalidInput(control_message(label, ch))
            text = unicodedata.normalize("NFC", value)
            if text != value:
                setattr(obj, attr.key, text)
            if ctype.length and len(text) > ctype.length:
                raise InvalidInput(_("%(field)s最多 %(n)s 个字（现有 %(len)s 个）",
                                     field=label, n=ctype.length, len=len(text)))
        elif isinstance(value, int):
            bounds = _int_range(ctype)
            if bounds and not bounds[0] <= value <= bounds[1]:
                raise InvalidInput(_("%(field)s超出允许的范围", field=_column_label(column.table.name, attr.key)))


def check_flush(session, _flush_context, _instances) -> None:
    for obj in session.new:
        check_row(obj, changed_only=False)
    for obj in session.dirty:
        check_row(obj, changed_only=True)


def init_app(app) -> None:
    """Install the boundary: JSON provider, request class, int converter, request and flush guards.
    Called by create_app before any blueprint is registered (the converter must be known first)."""
    app.json = SafeJSONProvider(app)
    app.request_class = BoundaryRequest
    app.url_map.converters["int"] = IntConverter
    app.before_request(check_request)
    if not event.contains(Session, "before_flush", check_flush):
        event.listen(Session, "before_flush", check_flush)
