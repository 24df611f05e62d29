"""A Site is one installation: its config, its store, its doctypes. A Context is one caller
acting on a site (who, and what they may do); every operation takes one explicitly."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.access import Access, SystemAccess
from app.config import Config
from app.meta import DocTypeMeta, Registry, load_registry
from app.store import Store, connect


class Site:
    def __init__(self, config: Config, store: Store | None = None, registry: Registry | None = None):
        self.config = config
        self.registry = registry or load_registry(config.doctype_paths)
        self.store = store or connect(config)
        self._schemas: dict[str, type] = {}

    @property
    def db(self):
        return self.store.db

    def meta(self, doctype: str) -> DocTypeMeta:
        return self.registry.get(doctype)

    def collection(self, doctype: str):
        return self.store.db[self.meta(doctype).collection]

    def schema(self, doctype: str):
        if doctype not in self._schemas:
            from app.schemas import build_schema

            self._schemas[doctype] = build_schema(self.meta(doctype), self.registry)
        return self._schemas[doctype]

    def context(self, user: str = "Administrator", access: Access | None = None) -> "Context":
        return Context(self, user, access or SystemAccess())

    def close(self) -> None:
        self.store.close()


def utcnow() -> dt.datetime:
    """Now, UTC, at millisecond precision (what BSON stores), so a value read back compares
    equal to the one written."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass
class Context:
    site: Site
    user: str
    access: Access
    # Link targets already seen to exist during a bulk operation (an import); None: no cache.
    link_cache: set | None = None
    clock: callable = field(default=utcnow)

    @property
    def registry(self) -> Registry:
        return self.site.registry

    def now(self) -> dt.datetime:
        return self.clock()
