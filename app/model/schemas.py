"""Marshmallow schemas generated from the meta: one per doctype, cached.

This is where a value's *type* is checked and coerced (``"1987"`` in a CSV cell becomes the
Int 1987; ``"yes"`` becomes True); rules that need the database (Link targets, uniqueness,
attachments) live in ``app/validation.py``. How each fieldtype is stored:

| fieldtype | stored as |
|---|---|
| Data, Text, Select, Link, Email, Phone, Attach | string (Attach: GridFS file id) |
| Int, Rating | int |
| Float, Percent | double |
| Currency | double, rounded to 2 decimals |
| Check | bool |
| Date | string ``YYYY-MM-DD`` (sorts and compares correctly) |
| Datetime | BSON date, UTC |
| JSON | embedded object or array |
| Table | array of embedded child documents, each with ``name`` and ``idx`` |
"""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

PHONE_RE = r"^\+?[0-9][0-9 \-]{5,19}$"
DEFAULT_DATA_LENGTH = 140
DEFAULT_TEXT_LENGTH = 200_000  # a Text field without its own length: a long lesson, not a book
DEFAULT_RATING_MAX = 5


class Str(fields.String):
    """A text, with line endings made one kind (``\n``) at the boundary: a browser's
    textarea sends ``\r\n``, a CSV from Windows too, and a Select option typed on one line
    each must compare equal to the same option typed elsewhere."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


class _MaxLength(validate.Validator):
    """At most ``limit`` characters; the message says how many were given."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value):
        if value is not None and len(value) > self.limit:
            raise ValidationError(f"Must be at most {self.limit:,} characters; this is {len(value):,}.")
        return value


def _max_length(limit: int) -> _MaxLength:
    return _MaxLength(limit)


class DateString(fields.Field):
    """A calendar date kept as ``YYYY-MM-DD``."""

    default_error_messages = {"invalid": "Not a valid date: expected YYYY-MM-DD."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10]).isoformat() \
                    if re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()) else self._fail()
            except ValueError:
                self._fail()
        self._fail()

    def _fail(self):
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class UTCDateTime(fields.Field):
    """A moment in time, stored as a naive UTC datetime (BSON date has no zone)."""

    default_error_messages = {"invalid": "Not a valid datetime: expected ISO 8601, e.g. 2026-03-01T09:30:00."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise self.make_error("invalid") from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.replace(microsecond=value.microsecond // 1000 * 1000)
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if isinstance(value, dt.datetime) else value


class Money(fields.Float):
    def _deserialize(self, value, attr, data, **kwargs):
        return round(super()._deserialize(value, attr, data, **kwargs), 2)


class JSONValue(fields.Raw):
    default_error_messages = {"invalid": "Not valid JSON data: expected an object or a list."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                raise self.make_error("invalid") from None
        if not isinstance(value, (dict, list)):
            raise self.make_error("invalid")
        return value


class StrictBoolean(fields.Boolean):
    truthy = {True, 1, "1", "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y"}
    falsy = {False, 0, "0", "false", "False", "FALSE", "no", "No", "NO", "n", "N"}


def _range(f):
    lo, hi = f.min, f.max
    if f.fieldtype == "Percent":
        lo = 0 if lo is None else lo
        hi = 100 if hi is None else hi
    if f.fieldtype == "Rating":
        lo = 0 if lo is None else lo
        hi = DEFAULT_RATING_MAX if hi is None else hi
    return [validate.Range(min=lo, max=hi)] if lo is not None or hi is not None else []


def marshmallow_field(f, child_schema=None) -> fields.Field:
    """The marshmallow field for one meta Field. ``reqd`` is checked later, on the whole
    document, so that missing, null and empty are one case."""
    kw = dict(allow_none=True)
    t = f.fieldtype
    if t in ("Data", "Link", "Attach"):
        return Str(validate=_max_length(f.length or DEFAULT_DATA_LENGTH), **kw)
    if t == "Text":
        return Str(validate=_max_length(f.length or DEFAULT_TEXT_LENGTH), **kw)
    if t == "Email":
        return fields.Email(**kw)
    if t == "Phone":
        return Str(validate=validate.Regexp(PHONE_RE, error="Not a valid phone number."), **kw)
    if t == "Select":
        return Str(validate=validate.OneOf(f.select_options, error="Must be one of: {choices}."), **kw)
    if t in ("Int", "Rating"):
        return fields.Integer(validate=_range(f), **kw)
    if t in ("Float", "Percent"):
        return fields.Float(allow_nan=False, validate=_range(f), **kw)
    if t == "Currency":
        return Money(allow_nan=False, validate=_range(f), **kw)
    if t == "Check":
        return StrictBoolean(**kw)
    if t == "Date":
        return DateString(**kw)
    if t == "Datetime":
        return UTCDateTime(**kw)
    if t == "JSON":
        return JSONValue(**kw)
    if t == "Table":
        return fields.List(fields.Nested(child_schema, unknown=RAISE), **kw)
    raise ValueError(f"unknown fieldtype {t}")


_EMPTY_MEANS_NONE = {"Int", "Float", "Currency", "Percent", "Rating", "Check", "Date",
                     "Datetime", "JSON", "Select", "Link", "Email", "Phone", "Attach"}


def build_schema(meta, registry) -> type[Schema]:
    """A Schema class for the doctype's writable fields (standard fields are set by the
    engine, never by the caller). Child tables nest their child doctype's schema."""
    attrs = {}
    for f in meta.all_fields:
        child = None
        if f.fieldtype == "Table":
            child_meta = registry.get(f.options)
            child_cls = build_schema(child_meta, registry)
            child_cls._declared_fields["name"] = fields.String(allow_none=True)
            child_cls._declared_fields["idx"] = fields.Integer(allow_none=True)
            child = child_cls
        attrs[f.fieldname] = marshmallow_field(f, child)
    return Schema.from_dict(attrs, name=f"{meta.name.replace(' ', '')}Schema")


def clean_empty(meta, data: dict) -> dict:
    """Blank cells and empty strings mean 'no value' for non-text fields."""
    out = {}
    for key, value in data.items():
        f = meta.get_field(key)
        if f is not None and f.fieldtype in _EMPTY_MEANS_NONE and isinstance(value, str) and not value.strip():
            value = None
        out[key] = value
    return out


def load(schema, meta, registry, data: dict) -> tuple[dict, dict]:
    """Coerce ``data``; returns (values, errors). Errors use field names and, for child
    tables, 1-based row numbers."""
    cleaned = clean_empty(meta, data)
    for f in meta.table_fields:
        rows = cleaned.get(f.fieldname)
        if isinstance(rows, list):
            child_meta = registry.get(f.options)
            cleaned[f.fieldname] = [clean_empty(child_meta, r) if isinstance(r, dict) else r
                                    for r in rows]
    try:
        return schema.load(cleaned, partial=True), {}
    except ValidationError as exc:
        return exc.valid_data or {}, _readable(meta, exc.messages)


def _readable(meta, messages: dict) -> dict:
    out = {}
    for key, msgs in messages.items():
        if isinstance(msgs, dict):  # child table: {row_index: {field: [..]}}
            rows = {}
            for index, row_msgs in msgs.items():
                if isinstance(row_msgs, dict):
                    rows[str(int(index) + 1)] = {k: [_reword(meta, k, m) for m in v] for k, v in row_msgs.items()}
                else:
                    rows[str(int(index) + 1)] = {"_row": row_msgs}
            out[key] = rows
        else:
            out[key] = [_reword(meta, key, m) for m in msgs]
    return out


def _reword(meta, key, message):
    if message == "Unknown field.":
        return f"unknown field: {meta.name} has no field {key!r}"
    return message


def dump_value(value):
    """A stored value as JSON: datetimes as ISO 8601, ObjectIds as strings."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: dump_value(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, list):
        return [dump_value(v) for v in value]
    if type(value).__name__ == "ObjectId":
        return str(value)
    return value
