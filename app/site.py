"""A Site is one installation: its config, its store, its doctypes. A Context is one caller
acting on a site (who, and what they may do); every operation takes one explicitly."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from app.access import Access, SystemAccess
from app.config import Config
from app.meta import DocTypeMeta, Registry
from app.model.controllers import load_registry
from app.store import Store, connect


class Site:
    def __init__(self, config: Config, store: Store | None = None, registry: Registry | None = None):
        self.config = config
        self.registry = registry or load_registry(config.doctype_paths)
        self.store = store or connect(config)
        self._schemas: dict[tuple, object] = {}
        self.custom_metas: dict[tuple, DocTypeMeta] = {}  # see app/customize.py

    @property
    def db(self):
        return self.store.db

    def unguarded(self, collection: str):
        """The raw collection, past the access layer: the one door for the platform's own
        bookkeeping (rollups, counters, the records a module derives), never for what a user
        asks to read. A test flags raw database access anywhere else in the modules."""
        return self._handle(collection)

    def _handle(self, name: str):
        """The store's handle on a collection, made once (making one costs about as much as
        a small query on the embedded store, and a record's write asks for several)."""
        handles = self.__dict__.setdefault("_handles", {})
        handle = handles.get(name)
        if handle is None:
            handle = handles[name] = self.store.db[name]
        return handle

    def kept(self, collection: str, key, compute):
        """``compute()``, kept until ``collection`` changes, whichever process changes it: for
        what every request derives from a small collection that seldom changes (the roles'
        scopes and capabilities, a doctype's permission rules). On the embedded store the
        collection's change log says whether it changed; on a server, nothing is kept. What
        is kept is shared: callers read it, never change it."""
        from app.store import patches

        version = patches.data_version(self._handle(collection))  # before reading, so no change is missed
        if version is None:
            return compute()
        kept = self.__dict__.setdefault("_kept", {})
        entry = kept.get((collection, key))
        if entry is not None and entry[0] == version:
            return entry[1]
        value = compute()
        if len(kept) > 1000:
            kept.clear()
        kept[(collection, key)] = (version, value)
        return value

    def kept_one(self, collection: str, query: dict):
        """``find_one(query)`` on ``collection``, kept as ``kept`` keeps (the query's values
        plain and hashable: a name, a flag)."""
        return self.kept(collection, tuple(sorted(query.items())), lambda: self.db[collection].find_one(query))

    @property
    def unguarded_db(self):
        """The raw database, past the access layer, for rules that read many collections
        (eligibility): see ``unguarded``."""
        return self.store.db

    @property
    def modules(self):
        """The product's modules found under the doctype paths, and what they add
        (``app.registry``), loaded once."""
        if "_modules" not in self.__dict__:
            from app import registry

            self.__dict__["_modules"] = registry.load(self.config.doctype_paths, engine=registry.engine_modules())
        return self.__dict__["_modules"]

    def meta(self, doctype: str) -> DocTypeMeta:
        return self.registry.get(doctype)

    def collection(self, doctype: str):
        return self._handle(self.meta(doctype).collection)

    def schema(self, meta: DocTypeMeta):
        """The marshmallow schema instance for a meta (with its custom fields), built once per
        variant; loading is stateless."""
        if meta.cache_key not in self._schemas:
            from marshmallow import RAISE

            from app.model.schemas import build_schema

            self._schemas[meta.cache_key] = build_schema(meta, self.registry)(unknown=RAISE)
        return self._schemas[meta.cache_key]

    def context(self, user: str = "Administrator", access: Access | None = None) -> Context:
        return Context(self, user, access or SystemAccess())

    def close(self) -> None:
        self.store.close()


def utcnow() -> dt.datetime:
    """Now, UTC, at millisecond precision (what BSON stores), so a value read back compares
    equal to the one written."""
    return _EPOCH + dt.timedelta(milliseconds=time.time_ns() // 1_000_000)


_EPOCH = dt.datetime(1970, 1, 1)


@dataclass
class Context:
    site: Site
    user: str
    access: Access
    # Link targets already seen to exist during a bulk operation (an import); None: no cache.
    link_cache: set | None = None
    # During a bulk insert, series names are reserved this many at a time (0: one by one).
    name_block: int = 0
    name_pool: dict = field(default_factory=dict)
    # During insert_many: the unique values already taken ({(field, value): name}) and the
    # values fetched from linked records ({(doctype, name, key): value}), read once per batch.
    unique_cache: dict | None = None
    fetch_cache: dict | None = None
    # While an insert_many batch's follow-up runs: its note (``lifecycle.BATCHES``), on which
    # counters claim the batch's records at once; when a cut-off batch is completed, the
    # counters its note says were claimed already.
    batch_note: str | None = None
    batch_counted: frozenset = frozenset()
    # During an import: the file's digest, noted on every batch its rows make (and the batches
    # their follow-up makes, such as the learner accounts), so running it again completes them.
    batch_source: str | None = None
    custom_stamp: int | None = None  # see app/customize.py
    clock: callable = field(default=utcnow)
    _docs: dict = field(default_factory=dict, repr=False)

    @property
    def registry(self) -> Registry:
        return self.site.registry

    @property
    def is_system(self) -> bool:
        """The platform acting for itself (fixtures, records it derives), not a user."""
        return self.access.is_system

    def now(self) -> dt.datetime:
        return self.clock()

    def as_system(self) -> Context:
        """The same caller with the system's unrestricted access, for the platform's own
        follow-up writes (a learner account for a new officer, a superseded role map); the
        audit trail still names the caller."""
        return Context(self.site, self.user, SystemAccess(), clock=self.clock, batch_source=self.batch_source)

    def batch_cached(self, key: tuple, compute):
        """``compute()``, read once per ``insert_many`` batch run (its ``fetch_cache``) and
        each time otherwise: for what every row of an import consults (a doctype's workflow,
        a linked record), which the import itself does not change."""
        cache = self.fetch_cache
        if cache is None:
            return compute()
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def cached_doc(self, doctype: str, name: str) -> dict | None:
        """A record read once per Context (a request, an import): for reference data that
        controllers consult on every record, such as a Service's groups."""
        key = (doctype, name)
        if key not in self._docs:
            self._docs[key] = self.site.collection(doctype).find_one({"_id": name})
        return self._docs[key]
