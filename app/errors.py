"""Errors a person can act on: which record, which field, what was expected, what was given.

Each carries the HTTP status the API answers with, so the web layer maps them in one place.
"""

from __future__ import annotations


class IgotError(Exception):
    status = 500

    def __init__(self, message: str, *, doctype: str | None = None, name: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.doctype = doctype
        self.name = name
        self.errors = errors or {}

    def to_dict(self) -> dict:
        out = {"error": type(self).__name__, "message": self.message}
        if self.doctype:
            out["doctype"] = self.doctype
        if self.name:
            out["name"] = self.name
        if self.errors:
            out["errors"] = self.errors
        return out


class MetaError(IgotError):
    """A doctype definition is wrong (raised at load, before anything is served)."""


class ValidationError(IgotError):
    """A record's values are wrong. ``errors`` maps field names to lists of messages; child
    table errors are nested as ``{"postings": {"2": {"from_date": [...]}}}`` (row idx)."""

    status = 400

    @classmethod
    def for_fields(cls, doctype: str, name: str | None, errors: dict) -> ValidationError:
        label = f"{doctype} {name}" if name else f"new {doctype}"
        parts = []
        for fieldname, msgs in errors.items():
            if isinstance(msgs, dict):
                for row, row_errors in msgs.items():
                    for child_field, child_msgs in row_errors.items():
                        parts.append(f"{fieldname} row {row} {child_field}: {'; '.join(map(str, child_msgs))}")
            else:
                parts.append(f"{fieldname}: {'; '.join(map(str, msgs))}")
        return cls(f"{label}: " + ", ".join(parts), doctype=doctype, name=name, errors=errors)


class NotFound(IgotError):
    status = 404


class DuplicateEntry(IgotError):
    status = 409


class StaleDocument(IgotError):
    """The record changed since the caller read it; nothing was overwritten."""

    status = 409


class DocStatusError(IgotError):
    """An action not allowed in the record's docstatus (e.g. editing a submitted record)."""

    status = 409


class PermissionDenied(IgotError):
    status = 403
