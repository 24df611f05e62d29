"""Marshmallow schemas generated from the meta: one per doctype, cached.

This is where a value's *type* is checked and coerced (``"1987"`` in a CSV cell becomes the
Int 1987; ``"yes"`` becomes True); rules that need the database (Link targets, uniqueness,
attachments) live in ``app.model.validation``. Each fieldtype's field, and how it is stored,
is in the one table ``app.model.fieldtypes``.
"""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields

from app.model.fieldtypes import DEFAULT_DATA_LENGTH, DEFAULT_RATING_MAX, DEFAULT_TEXT_LENGTH, FIELDTYPES, PHONE_RE, UTCDateTime  # noqa: F401


def marshmallow_field(f, child_schema=None) -> fields.Field:
    """The marshmallow field for one meta Field (``app.model.fieldtypes``). ``reqd`` is
    checked later, on the whole document, so that missing, null and empty are one case."""
    return FIELDTYPES[f.fieldtype].field(f, child_schema)


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
        if f is not None and FIELDTYPES[f.fieldtype].empty_is_none and isinstance(value, str) and not value.strip():
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
            cleaned[f.fieldname] = [clean_empty(child_meta, r) if isinstance(r, dict) else r for r in rows]
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


_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def dump_value(value):
    """A stored value as JSON: datetimes as ISO 8601, ObjectIds as strings."""
    if type(value) in _AS_THEY_ARE:  # most values: one look, not a chain of checks
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: dump_value(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, list):
        return [dump_value(v) for v in value]
    if type(value).__name__ == "ObjectId":
        return str(value)
    return value
