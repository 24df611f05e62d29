"""Each fieldtype, declared once: how it is stored, its marshmallow field (type checks and
coercion), its OpenAPI schema, the admin widget that edits it, and the words the data
dictionary uses. Every layer reads this table: ``app.model.schemas``, ``app.web.openapi``,
``admin.forms`` and ``app.docs``; the meta's JSON schema allows exactly these names (a test
checks it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import RAISE, ValidationError, fields, validate

PHONE_RE = r"^\+?[0-9][0-9 \-]{5,19}$"
DEFAULT_DATA_LENGTH = 140
DEFAULT_TEXT_LENGTH = 200_000  # a Text field without its own length: a long lesson, not a book
DEFAULT_RATING_MAX = 5


_UNSEEN = object()
_KEPT_KINDS = frozenset({str, int, float, bool})
_LONGEST = 256  # longer texts (a lesson) are coerced each time rather than kept


class _Remembers:
    """A field that keeps the results of its last few hundred coercions (``_seen``), each
    copy of the field its own."""

    KEPT = 512
    IMMUTABLE = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._seen: dict = {}

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied._seen = {}
        return copied

    @classmethod
    def _immutable_row(cls, row) -> bool:
        """A coerced row that may be handed out again, copied: a dict of immutable values."""
        return type(row) is dict and all(type(v) in cls.IMMUTABLE for v in row.values())

    def _keep(self, key, result) -> None:
        seen = self._seen
        if len(seen) >= self.KEPT:
            seen.clear()
        seen[key] = result


class Kept(_Remembers):
    """A field whose coercion of a plain value depends on nothing but the value (its type
    and its checks: a length, a list of options, a range): a value seen before by this
    schema is not coerced again. An import gives thousands of records the same MDO,
    position, group, service or year; the result is kept (a few hundred values per field,
    short texts only) and handed out again, being immutable. A value that is refused is
    coerced, and refused, every time; values that compare equal but differ in type (1, 1.0
    and True) are kept apart."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        kind = type(value)
        if kind not in _KEPT_KINDS or (kind is str and len(value) > _LONGEST):
            return super().deserialize(value, attr, data, **kwargs)
        key = (kind, value)
        out = self._seen.get(key, _UNSEEN)  # one look: another thread may clear it meanwhile
        if out is not _UNSEEN:
            return out
        out = super().deserialize(value, attr, data, **kwargs)
        if type(out) in self.IMMUTABLE:
            self._keep(key, out)
        return out


class Str(Kept, fields.String):
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


class DateString(Kept, fields.Field):
    """A calendar date kept as ``YYYY-MM-DD``; given as that, or as Indian staff lists and
    people write it, ``DD/MM/YYYY`` (``-`` or ``.`` between, too). A date that cannot exist
    (30 February) is refused as not a date, apart from a value in neither form."""

    default_error_messages = {
        "invalid": "Not a valid date: expected YYYY-MM-DD or DD/MM/YYYY.",
        "impossible": "Not a valid date: {value} is not a date.",
    }
    ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
    INDIAN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        if m := self.ISO.match(text):
            year, month, day = m.groups()
        elif m := self.INDIAN.match(text):
            day, month, year = m.groups()
        else:
            raise self.make_error("invalid")
        try:
            return dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            raise self.make_error("impossible", value=text[:20]) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class UTCDateTime(Kept, fields.Field):
    """A moment in time, stored as a naive UTC datetime (BSON date has no zone)."""

    default_error_messages = {"invalid": "Not a valid datetime: expected DD/MM/YYYY HH:MM or ISO 8601, e.g. 2026-03-01T09:30:00."}
    # as people write it, and as the back office's picker fills it in
    INDIAN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2}):(\d{2}))?$")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            text = value.strip()
            try:
                if m := self.INDIAN.match(text):
                    day, month, year, hour, minute = m.groups()
                    value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
                else:
                    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise self.make_error("invalid") from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.replace(microsecond=value.microsecond // 1000 * 1000)
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if isinstance(value, dt.datetime) else value


class Email(Kept, fields.Email):
    pass


class Integer(Kept, fields.Integer):
    pass


class Float(Kept, fields.Float):
    pass


class Money(Float):
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


class StrictBoolean(Kept, fields.Boolean):
    truthy = {True, "1", "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y"}
    falsy = {False, "0", "false", "False", "FALSE", "no", "No", "NO", "n", "N"}


def bounds(f) -> tuple:
    """(lowest, highest) value a number field takes: its own ``min``/``max``, or its
    fieldtype's (a Percent 0 to 100, a Rating 0 to 5)."""
    low, high = FIELDTYPES[f.fieldtype].bounds
    return (low if f.min is None else f.min), (high if f.max is None else f.max)


def _range(f):
    lo, hi = bounds(f)
    return [validate.Range(min=lo, max=hi)] if lo is not None or hi is not None else []


class Row(_Remembers, fields.Nested):
    """One row of a child table: marshmallow's ``Nested``, except that a row of plain values
    seen before by this schema is not coerced again. An import gives thousands of records the
    same rows (each officer's learner account: the Learner role, the officer's MDO); the
    coercion of a row depends on nothing but its values, so its result is kept (a few hundred
    per schema) and each record gets its own copy. A row that is refused is coerced, and
    refused, every time."""

    PLAIN = frozenset({str, int, float, bool, type(None)})

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        plain = self.PLAIN
        if type(value) is not dict or type(partial) not in plain or not all(type(v) in plain for v in value.values()):
            return super()._deserialize(value, attr, data, partial=partial, **kwargs)
        key = (partial, tuple((k, type(v), v) for k, v in value.items()))
        kept = self._seen.get(key)
        if kept is None:
            kept = super()._deserialize(value, attr, data, partial=partial, **kwargs)
            if not self._immutable_row(kept):
                return kept
            self._keep(key, kept)
        return dict(kept)


class Rows(_Remembers, fields.List):
    """A child table: marshmallow's ``List`` of ``Row``, except that a list of plain rows
    seen before by this schema is not coerced again, list and rows alike (each learner
    account an import makes has the same roles); each record gets its own copy of each row.
    A list that is refused is coerced, and refused, every time."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        key = self._key(value, kwargs) if not self.validators else None
        if key is None:
            return super().deserialize(value, attr, data, **kwargs)
        kept = self._seen.get(key)
        if kept is None:
            kept = super().deserialize(value, attr, data, **kwargs)
            if not all(self._immutable_row(row) for row in kept):
                return kept
            self._keep(key, kept)
        return [dict(row) for row in kept]

    @staticmethod
    def _key(value, kwargs) -> tuple | None:
        """The list as a key: None unless it is a list of rows of plain values."""
        plain = Row.PLAIN
        partial = kwargs.get("partial")
        if type(value) is not list or len(kwargs) > 1 or type(partial) not in plain:
            return None
        rows = []
        for row in value:
            if type(row) is not dict:
                return None
            items = []
            for k, v in row.items():
                if type(v) not in plain:
                    return None
                items.append((k, type(v), v))
            rows.append(tuple(items))
        return (partial, tuple(rows))


@dataclass(frozen=True)
class FieldType:
    name: str
    storage: str  # how a value is stored (BSON), in the data dictionary's words
    field: Callable  # (meta Field, child schema) -> marshmallow field
    openapi: Callable  # (meta Field) -> the OpenAPI schema of one value
    widget: str  # the admin's form field (``admin.forms.WIDGETS``)
    empty_is_none: bool = True  # a blank cell or empty string means no value
    text: bool = False  # a text (searchable, ``like``-able)
    bounds: tuple = (None, None)  # the lowest and highest value, unless the field says


_kw = {"allow_none": True}


def _data(f, child=None):
    return Str(validate=_max_length(f.length or DEFAULT_DATA_LENGTH), **_kw)


def _number(kind, f):
    return kind(allow_nan=False, validate=_range(f), **_kw)


FIELDTYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(
            "Data",
            "string",
            _data,
            lambda f: {"type": "string", "maxLength": f.length or DEFAULT_DATA_LENGTH},
            "text",
            empty_is_none=False,
            text=True,
        ),
        FieldType(
            "Text",
            "string",
            lambda f, c=None: Str(validate=_max_length(f.length or DEFAULT_TEXT_LENGTH), **_kw),
            lambda f: {"type": "string", "maxLength": f.length or DEFAULT_TEXT_LENGTH},
            "textarea",
            empty_is_none=False,
            text=True,
        ),
        FieldType(
            "Markdown",
            "string (Markdown; shown as sanitised HTML)",
            lambda f, c=None: Str(validate=_max_length(f.length or DEFAULT_TEXT_LENGTH), **_kw),
            lambda f: {"type": "string", "maxLength": f.length or DEFAULT_TEXT_LENGTH, "format": "markdown"},
            "textarea",
            empty_is_none=False,
            text=True,
        ),
        FieldType(
            "Email",
            "string",
            lambda f, c=None: Email(**_kw),
            lambda f: {"type": "string", "format": "email"},
            "email",
            text=True,
        ),
        FieldType(
            "Phone",
            "string",
            lambda f, c=None: Str(validate=validate.Regexp(PHONE_RE, error="Not a valid phone number."), **_kw),
            lambda f: {"type": "string", "pattern": PHONE_RE},
            "text",
            text=True,
        ),
        FieldType(
            "Select",
            "string",
            lambda f, c=None: Str(validate=validate.OneOf(f.select_options, error="Must be one of: {choices}."), **_kw),
            lambda f: {"type": "string", "enum": f.select_options},
            "select",
        ),
        FieldType(
            "Link",
            "string (the linked record's name)",
            _data,
            lambda f: {"type": "string", "maxLength": f.length or DEFAULT_DATA_LENGTH, "description": f"name of a {f.options}"},
            "link",
            text=True,
        ),
        FieldType(
            "Attach",
            "string (GridFS file id)",
            _data,
            lambda f: {"type": "string", "maxLength": f.length or DEFAULT_DATA_LENGTH},
            "attach",
        ),
        FieldType("Int", "int", lambda f, c=None: Integer(validate=_range(f), **_kw), lambda f: {"type": "integer"}, "integer"),
        FieldType(
            "Rating",
            "int",
            lambda f, c=None: Integer(validate=_range(f), **_kw),
            lambda f: {"type": "integer"},
            "integer",
            bounds=(0, DEFAULT_RATING_MAX),
        ),
        FieldType("Float", "double", lambda f, c=None: _number(Float, f), lambda f: {"type": "number"}, "float"),
        FieldType(
            "Percent",
            "double",
            lambda f, c=None: _number(Float, f),
            lambda f: {"type": "number"},
            "float",
            bounds=(0, 100),
        ),
        FieldType("Currency", "double, 2 places", lambda f, c=None: _number(Money, f), lambda f: {"type": "number"}, "float"),
        FieldType("Check", "bool", lambda f, c=None: StrictBoolean(**_kw), lambda f: {"type": "boolean"}, "check"),
        FieldType(
            "Date",
            "string YYYY-MM-DD",
            lambda f, c=None: DateString(**_kw),
            lambda f: {"type": "string", "format": "date"},
            "date",
        ),
        FieldType(
            "Datetime",
            "date (UTC)",
            lambda f, c=None: UTCDateTime(**_kw),
            lambda f: {"type": "string", "format": "date-time"},
            "datetime",
        ),
        FieldType(
            "JSON",
            "object",
            lambda f, c=None: JSONValue(**_kw),
            lambda f: {"oneOf": [{"type": "object"}, {"type": "array"}]},
            "textarea",
        ),
        FieldType(
            "Table",
            "array of objects",
            lambda f, c=None: Rows(Row(c, unknown=RAISE), **_kw),
            lambda f: {"type": "array", "items": {"$ref": f"#/components/schemas/{f.options.replace(' ', '')}"}},
            "table",
            empty_is_none=False,
        ),
    )
}
