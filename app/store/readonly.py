"""The error a read-only database view raises when asked to change anything (the analysts'
surface, ``app.analysts``, refuses every write, index change, drop and writing stage)."""

from __future__ import annotations


class ReadOnlyError(PermissionError):
    pass
