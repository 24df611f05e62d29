"""A document: one record of a doctype, and the hooks its controller may define.

A controller is an optional class beside the doctype's JSON (``doctypes/officer/officer.py``
defines ``class Officer(Document)``). Its hooks run in this order, Frappe's:

    insert:  before_insert, validate, before_save, [written], after_insert, on_update
    save:    validate, before_save, [written], on_update
    submit:  validate, before_submit, [written], on_submit
    cancel:  before_cancel, [written], on_cancel
    delete:  on_trash, [deleted], after_delete

A change may also mark a follow-up of the controller's own due (``lifecycle.move(...,
due=("on_complete",))``): a method of that name, declared ``resumable``, run after the write's
hooks and again by recovery after a crash, with the document events declared for it.

A hook reads the record as it was before the change in ``self.before`` (None for a new
record), and asks ``self.has_value_changed("position")``. Effects on other modules' records
are not in a controller: the module that owns them declares a document event
(``app.registry.DocEvent``), which the lifecycle runs after the controller's hook.

A hook changes the document through ``self`` (``self.set("field", value)`` or
``self.field = value``) and refuses it with ``self.add_error("field", "why")`` or by raising
``ValidationError``. Hooks that run before the write may change what is written; those after
it see the stored record. Persistence, naming, validation and audit live in their own modules
and are called by ``app/lifecycle.py``, not from here.
"""

from __future__ import annotations

from enum import IntEnum

HOOKS = (
    "before_insert",
    "validate",
    "before_save",
    "after_insert",
    "on_update",
    "before_submit",
    "on_submit",
    "before_cancel",
    "on_cancel",
    "on_trash",
    "after_delete",
)


class DocStatus(IntEnum):
    DRAFT = 0
    SUBMITTED = 1
    CANCELLED = 2


class Document:
    # On the document a workflow action returns: {"action", "from_state", "to_state",
    # "comment", "by"} (app.model.transitions); None otherwise.
    transition = None

    def __init__(self, meta, data: dict, ctx=None, before: dict | None = None):
        object.__setattr__(self, "meta", meta)
        object.__setattr__(self, "ctx", ctx)
        object.__setattr__(self, "_data", dict(data))
        object.__setattr__(self, "_errors", {})
        # The record as it was before this change (None for a new record): hooks compare
        # against it instead of reading the record again.
        object.__setattr__(self, "before", before)

    # values -----------------------------------------------------------------------------
    @property
    def doctype(self) -> str:
        return self.meta.name

    @property
    def name(self) -> str | None:
        return self._data.get("name")

    @property
    def docstatus(self) -> DocStatus:
        return DocStatus(self._data.get("docstatus", 0))

    def get(self, fieldname: str, default=None):
        return self._data.get(fieldname, default)

    def set(self, fieldname: str, value) -> None:
        self._data[fieldname] = value

    def __getitem__(self, fieldname):
        return self._data[fieldname]

    def __getattr__(self, fieldname):
        if fieldname.startswith("_"):
            raise AttributeError(fieldname)
        if fieldname in self.meta.known_fieldnames:
            return self._data.get(fieldname)
        raise AttributeError(f"{self.meta.name} has no field {fieldname!r}")

    def __setattr__(self, fieldname, value):
        if fieldname in self.meta.known_fieldnames:
            self._data[fieldname] = value
        else:
            object.__setattr__(self, fieldname, value)

    def as_dict(self) -> dict:
        return dict(self._data)

    def has_value_changed(self, fieldname: str) -> bool:
        """Whether ``fieldname`` differs from the record as it was (always, for a new one)."""
        return self.before is None or self.before.get(fieldname) != self._data.get(fieldname)

    def __repr__(self):
        return f"<{self.meta.name} {self.name}>"

    # errors -----------------------------------------------------------------------------
    def add_error(self, fieldname: str, message: str) -> None:
        self._errors.setdefault(fieldname, []).append(message)

    def has_errors(self) -> bool:
        return bool(self._errors)

    def take_errors(self) -> dict:
        errors = dict(self._errors)
        self._errors.clear()
        return errors

    # hooks (override in a controller) ---------------------------------------------------
    def new_form(self):
        """A new record's form, before anything is saved: fill in what it starts with from
        the values it was opened with (a review's rows from its rubric)."""

    def before_insert(self):
        pass

    def validate(self):
        pass

    def before_save(self):
        pass

    def after_insert(self):
        pass

    def on_update(self):
        pass

    def before_submit(self):
        pass

    def on_submit(self):
        pass

    def before_cancel(self):
        pass

    def on_cancel(self):
        pass

    def on_trash(self):
        pass

    def after_delete(self):
        pass

    # After-write hooks written to be run twice (each of their effects happens once however
    # often they run: a unique key, an upsert, a claim on the record). The lifecycle keeps a
    # marker on the record until they have run, and runs them again after a crash.
    resumable: tuple = ()

    # Stored fields that ``present`` reads to show a field, fetched with it when a list asks
    # for only some fields: {"data": ["restricted"]}.
    present_needs: dict = {}

    @classmethod
    def import_resumed(cls, ctx, stored: list[dict]) -> None:
        """An import run again over rows an earlier run had imported (``stored``: their
        records' ``_id`` and ``mdo``); a controller may recompute what counts them."""

    @classmethod
    def offered(cls, ctx) -> list:
        """Filters (``app.query`` triples) on the records a Link picker offers the caller, beyond
        those they may read: a Role picker offers an MDO Admin only the roles she may grant.
        What is saved is still checked by the linking record's own rules."""
        return []

    @classmethod
    def present(cls, ctx, doc: dict) -> dict:
        """A stored record as the caller sees it; the record's field levels are applied to
        what this returns. A controller may narrow it further (a Version shows only the
        changes to fields the caller may read on the changed record)."""
        return doc
