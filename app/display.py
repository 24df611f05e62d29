"""Values as people read them, the same on every surface (the back office's lists, record
pages and histories, the portal): a linked record by its title, not its id (``POS-00002``
reads "Under Secretary (Coal)"), a date as DD/MM/YYYY, a moment as DD/MM/YYYY HH:MM, a
number that names a level with its name beside it ("2 - Proficient").

Every read goes through the access layer as the reader: a record they may not read is shown
by its name, never by its title.
"""

from __future__ import annotations

import datetime as dt
import re

from app import query
from app.errors import IgotError

ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


def day(value) -> str:
    """A date (or a date kept as YYYY-MM-DD) as DD/MM/YYYY; what is not a date, unchanged."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and ISO_DAY.match(value):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else ("" if value is None else str(value))


def moment(value) -> str:
    """A moment as DD/MM/YYYY HH:MM (UTC, as stored); a text moment is read first."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return day(value)
    return value.strftime("%d/%m/%Y %H:%M") if isinstance(value, dt.datetime) else day(value)


class Titles:
    """The titles of linked records, read once each (a page shows the same officer many
    times) as the reader, through the access layer."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._seen: dict = {}

    def title(self, doctype: str, name) -> str | None:
        """The linked record's title where it has one other than its name; None where it
        has none, is gone, or the reader may not read it. A title that is itself a link (an
        enrolment's course) reads as that record's title."""
        if not name or not isinstance(name, str):
            return None
        key = (doctype, name)
        if key not in self._seen:
            self._seen[key] = None  # a title that links back to itself ends here
            self._seen[key] = self._read(doctype, name)
        return self._seen[key]

    def _read(self, doctype: str, name: str) -> str | None:
        registry = self.ctx.registry
        meta = registry.get(doctype) if doctype in registry.names else None
        if meta is None or not meta.title_field or meta.title_field == "name":
            return None
        try:
            rows, _ = query.get_list(
                self.ctx, doctype, filters={"name": name}, fields=["name", meta.title_field], limit=1, with_total=False
            )
        except IgotError:
            return None
        title = rows[0].get(meta.title_field) if rows else None
        field = meta.get_field(meta.title_field)
        if title and field is not None and field.fieldtype == "Link":
            title = self.title(field.options, title) or title
        if title and field is not None and field.fieldtype == "Date":
            title = day(title)
        return title if title and title != name else None

    def text(self, doctype: str, name) -> str:
        """The linked record as text: its title, else its name."""
        return self.title(doctype, name) or ("" if name is None else str(name))


def level_names(ctx, meta, fieldname: str, record: dict | None) -> dict[int, str]:
    """{number: name} for a number field a module names (a competency's levels), for this
    record (its competency's own names); {} for any other field."""
    for entry in ctx.site.modules.all("value_names"):
        if (meta.name, fieldname) in entry.fields:
            try:
                return entry.names(ctx, record or {}) or {}
            except IgotError:
                return {}
    return {}


def value_lines(ctx, meta, fieldname: str, value, record: dict | None) -> list[str] | None:
    """The lines a module gives for a structured value (an eligibility, rule by rule), or
    None where no module words it."""
    for entry in ctx.site.modules.all("value_lines"):
        if (meta.name, fieldname) in entry.fields:
            return entry.lines(ctx, value, record or {})
    return None


def named(number, names: dict[int, str]) -> str:
    """``2 - Proficient``: a number with its name, where it has one."""
    if number in (None, ""):
        return ""
    try:
        key = int(number)
    except (TypeError, ValueError):
        return str(number)
    return f"{key} - {names[key]}" if key in names else str(number)


def value_text(ctx, meta, fieldname: str, value, record: dict | None = None, titles: Titles | None = None) -> str:
    """Any field's value as text a person reads: a Link by its title, dates the Indian way,
    a level with its name, a Check as Yes/No."""
    field = meta.get_field(fieldname) if meta is not None else None
    if value is None or value == "":
        return ""
    if field is None:
        return moment(value) if isinstance(value, dt.datetime) else day(value)
    kind = field.fieldtype
    if kind == "Link":
        return (titles or Titles(ctx)).text(field.options, value)
    if kind == "Date":
        return day(value)
    if kind == "Datetime":
        return moment(value)
    if kind == "Check":
        return "Yes" if value else "No"
    if kind == "Int":
        names = level_names(ctx, meta, fieldname, record)
        return named(value, names) if names else str(value)
    lines = value_lines(ctx, meta, fieldname, value, record) if kind == "JSON" else None
    if lines is not None:
        return "; ".join(lines)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
