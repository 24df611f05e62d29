"""The database behind the product: a real MongoDB, the embedded on-disk store, or mongomock.

All three speak the pymongo API; the rest of the product only sees ``Store.db`` (a pymongo
``Database`` or a look-alike) and ``Store.files`` (GridFS). Nothing here assumes a single
node: no server-side JavaScript, no transactions, and every atomic step is a
single-document operation, which is atomic on replica sets and sharded clusters alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import Config


@dataclass
class Store:
    kind: str
    client: Any
    db: Any
    location: str
    _files: Any = field(default=None, repr=False)

    @property
    def regex_dialect(self) -> str:
        """How the store's regex engine takes linear-time patterns (``app.query.like_pattern``):
        "atomic" (MongoDB's PCRE, Python's re) or "re2" (FerretDB, built on Go's regexp, which
        never backtracks and has no atomic groups)."""
        if "_dialect" not in self.__dict__:
            dialect = "atomic"
            if self.kind == "mongodb":
                info = self.db.command("buildInfo")
                dialect = "re2" if "ferretdbVersion" in info else "atomic"
            self.__dict__["_dialect"] = dialect
        return self.__dict__["_dialect"]

    def __getitem__(self, collection: str):
        return self.db[collection]

    @property
    def files(self):
        """GridFS bucket for attachments (``fs.files`` / ``fs.chunks``)."""
        if self._files is None:
            import gridfs

            self._files = gridfs.GridFS(self.db)
        return self._files

    def close(self) -> None:
        self.client.close()


def connect(config: Config) -> Store:
    kind = config.store_kind
    if kind == "mongodb":
        import pymongo

        client = pymongo.MongoClient(config.mongodb_uri, uuidRepresentation="standard")
        try:
            db = client.get_default_database()
        except Exception:  # no database in the URI
            db = client[config.db_name]
        return Store(kind, client, db, location=_redact(config.mongodb_uri))

    from app.store import patches

    patches.apply()
    if kind == "embedded":
        import litemongo

        data_dir = Path(config.data_dir).absolute()
        data_dir.mkdir(parents=True, exist_ok=True)
        client = litemongo.connect(str(data_dir))
        return Store(kind, client, client[config.db_name], location=str(data_dir))
    if kind == "mongomock":
        import mongomock

        client = mongomock.MongoClient()
        return Store(kind, client, client[config.db_name], location="memory")
    raise ValueError(f"unknown store {kind!r}: expected mongodb, embedded or mongomock")


def _redact(uri: str) -> str:
    if "@" in uri:
        scheme, rest = uri.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return uri
