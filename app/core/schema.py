"""The API's side of the input boundary: marshmallow fields every request schema uses.

- `Int`: a JSON integer (strict: `1.5`, `1.0`, `"1"`, `"１"`, `true` are refused), within a
  range that defaults to the 32-bit column (`app.core.numbers`).
- `QueryInt`: the same for a query string, where every value is text: ASCII digits only.
- `Text`: `app.core.text.clean_text` (NFC, no controls, stripped, a length; single-line unless
  `multiline=True`).
- `Schema`: the base of every request schema (tests/core/test_boundary.py checks that no request
  schema takes a plain `fields.Integer` or `fields.String`).
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.core.errors import InvalidInput
from app.core.numbers import INT32_MAX, INT32_MIN, check_int, parse_int
from app.core.text import clean_text, control_message, find_control

DEFAULT_TEXT_LENGTH = 200


class Schema(ma.Schema):
    """Base of request schemas."""


def _validators(own, kwargs: dict) -> list:
    extra = kwargs.pop("validate", None)
    if extra is None:
        return [own]
    return [own, *(extra if isinstance(extra, list | tuple) else [extra])]


class Int(fields.Integer):
    """A JSON integer within [minimum, maximum] (default: the 32-bit column's range)."""

    def __init__(self, *, minimum: int = INT32_MIN, maximum: int = INT32_MAX, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        kwargs["strict"] = True
        super().__init__(validate=_validators(validate.Range(min=minimum, max=maximum), kwargs), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return check_int(value, label=self.name, minimum=self.minimum, maximum=self.maximum)
        except InvalidInput as e:
            raise ma.ValidationError(str(e.message)) from None


class QueryInt(Int):
    """An integer from the query string (text: ASCII digits with an optional sign)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.isascii():
            raise ma.ValidationError(self.error_messages["invalid"])
        try:
            return parse_int(value, label=self.name, minimum=self.minimum, maximum=self.maximum)
        except InvalidInput as e:
            raise ma.ValidationError(str(e.message)) from None


class Secret(fields.String):
    """A password or PIN: taken exactly as typed (no NFC, no stripping), but never with a control
    character, and at most `max_length` characters."""

    def __init__(self, *, max_length: int = DEFAULT_TEXT_LENGTH, **kwargs):
        self.max_length = max_length
        super().__init__(validate=_validators(validate.Length(max=max_length), kwargs), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        ch = find_control(text)
        if ch is not None:
            raise ma.ValidationError(control_message(self.name, ch))
        return text


class Text(fields.String):
    """Text through the one text boundary (NFC, no controls, stripped, at most `max_length`)."""

    def __init__(self, *, max_length: int = DEFAULT_TEXT_LENGTH, multiline: bool = False,
                 min_length: int = 0, **kwargs):
        self.max_length, self.multiline, self.min_length = max_length, multiline, min_length
        length = validate.Length(min=min_length or None, max=max_length)
        super().__init__(validate=_validators(length, kwargs), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_text(text, label=self.name, max_length=self.max_length, multiline=self.multiline)
        except InvalidInput as e:
            raise ma.ValidationError(str(e.message)) from None
