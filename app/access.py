"""The one place that decides who may read and write what.

Every read (get, list, count, export) and write (insert, save, submit, cancel, delete) in
``app/lifecycle.py`` asks the Context's ``Access``: ``check()`` for an action on a record and
``query_filter()`` for the records a caller may see at all. Roles, doctype permissions and
MDO tenancy plug in here; ``SystemAccess`` is the unrestricted access of the system itself
(CLI administration, fixtures, migrations).
"""
from __future__ import annotations

from app.errors import PermissionDenied


class Access:
    def check(self, meta, action: str, doc: dict | None = None) -> None:
        """Raise PermissionDenied if the caller may not do ``action`` (read, write, create,
        delete, submit, cancel, import, export) on ``doc`` (or on the doctype)."""
        raise PermissionDenied(f"not permitted to {action} {meta.name}", doctype=meta.name)

    def query_filter(self, meta) -> dict:
        """A MongoDB filter the caller's queries on ``meta`` are restricted to."""
        return {"_id": {"$exists": False}}


class SystemAccess(Access):
    def check(self, meta, action, doc=None) -> None:
        return None

    def query_filter(self, meta) -> dict:
        return {}
