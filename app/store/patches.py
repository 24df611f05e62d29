"""Our small, pinned patches to mongomock 4.3.0 and litemongo 0.2.0 (which vendors mongomock).

1. Linear cursors. ``Cursor.__next__`` in mongomock slices the whole result list for every
   document it returns (``results[skip:][:limit][emitted]``), so reading n documents costs
   O(n^2). We index into the cached result list instead, and with a limit we stop producing
   (deep-copying) documents after ``skip + limit``. ``scripts/bench_store.py`` shows the
   effect; ``tests/test_store.py`` checks the results are unchanged.

2. Cross-process writes on the embedded store. litemongo keeps each collection in an SQLite
   file but evaluates updates in Python (read, modify, write back). Two processes (the web
   server and an ``igot import``) would both read counter value 7 and both write 8, or both
   pass a unique-index check. Every write therefore holds an exclusive ``flock`` on
   ``<data dir>/.write.lock``, so a write and the reads it depends on are atomic across
   processes; readers never wait for the file lock.

3. Threads. litemongo shares one SQLite cursor per collection file, and the web server serves
   requests from several threads; mongomock's read-modify-write updates are not atomic between
   threads. Store calls take one re-entrant lock per process.

4. A journal of changed names. Every document this process writes or deletes on the
   embedded store is noted, with the collection's write count, in a bounded journal
   (``changes_since``), so a cached list can take in the changes since it was made instead of
   reading the whole collection again (``app.store.scan.Ordered``).

5. GridFS. pymongo's ``gridfs`` checks ``isinstance(db, pymongo.Database)``; we widen that
   check to both mongomock flavours (mongomock's own helper only knows one of them).

The versions are pinned in pyproject.toml; ``apply()`` refuses other versions rather than
patching code it has not been tested against.
"""

from __future__ import annotations

import collections
import datetime
import fcntl
import functools
import itertools
import os
import re
import threading
from importlib import metadata
from pathlib import Path

PINNED = {"mongomock": "4.3.0", "litemongo": "0.2.0"}

WRITE_METHODS = (
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "bulk_write",
    "create_index",
    "create_indexes",
    "drop_index",
    "drop_indexes",
    "drop",
    "rename",
)
READ_METHODS = (
    "count_documents",
    "estimated_document_count",
    "distinct",
    "aggregate",
    "index_information",
    "list_indexes",
)

_applied = False
ORIGINAL_NEXT: dict = {}  # kept for scripts/bench_store.py's side-by-side comparison
ORIGINAL_SORT_KEY: dict = {}  # kept for tests/test_store.py's comparison
_thread_lock = threading.RLock()


class PinnedVersionError(RuntimeError):
    pass


def check_versions() -> None:
    for package, wanted in PINNED.items():
        found = metadata.version(package)
        if found != wanted:
            raise PinnedVersionError(
                f"app/store/patches.py is written for {package}=={wanted}, found {found}; "
                f"install the pinned version (pip install -e .) or re-check the patch"
            )


def _bounded_results(self):
    """With a limit, only the first ``skip + limit`` documents are produced (each one is a
    deep copy in mongomock): a page of 20 from 10,000 copies 20, not 10,000."""
    if getattr(self, "_bounded_factory", None) is not self._factory:
        wanted = max(self._skip or 0, 0) + abs(self._limit)
        with _thread_lock:
            self._bounded = list(itertools.islice(self._factory(), wanted))
        self._bounded_factory = self._factory
    return self._bounded


# BSON's order of types (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/)
_RANK_NONE, _RANK_NUMBER, _RANK_STRING, _RANK_OBJECTID, _RANK_BOOL, _RANK_DATE = 1, 2, 3, 8, 9, 10


def fast_sort_key(original):
    """mongomock's ``resolve_sort_key`` wraps every value in an object compared through a
    Python function, which dominates sorting. For plain values BSON order is Python order
    within a type's rank, so ``(rank, value)`` sorts the same, natively; anything else
    (documents, binary, Decimal128, mixed with these) keeps the original comparable wrapper
    under its own rank, so the order is unchanged."""
    from bson import ObjectId

    def resolve(key, doc):
        present, value = original(key, doc)
        raw = value.obj
        if raw is None:
            return present, (_RANK_NONE, 0)
        kind = type(raw)
        if kind is bool:
            return present, (_RANK_BOOL, raw)
        if kind in (int, float) and raw == raw:  # NaN keeps the wrapper
            return present, (_RANK_NUMBER, raw)
        if kind is str:
            return present, (_RANK_STRING, raw)
        if kind is ObjectId:
            return present, (_RANK_OBJECTID, raw.binary)
        if kind is datetime.datetime and raw.tzinfo is None:
            return present, (_RANK_DATE, raw)
        return present, (_complex_rank(raw), value)

    return resolve


def _complex_rank(raw) -> float:
    """Ranks for the values left to the original comparison, placed between BSON's ranks
    so they sort among plain values as BSON does (documents and arrays after strings, binary
    before ObjectIds, numbers of other kinds with numbers)."""
    if isinstance(raw, dict):
        return 4
    if isinstance(raw, (bytes, bytearray)) or type(raw).__name__ == "Binary":
        return 6
    if type(raw).__name__ in ("Decimal128", "Int64", "float", "int"):
        return _RANK_NUMBER + 0.5  # numbers the wrapper must compare; never mixed with plain ones in practice
    return 20


def linear_next(self):
    """``Cursor.__next__`` without the per-document slice: O(1) per document."""
    if self._limit and (self._skip or 0) >= 0 and not self.collection.codec_options.tz_aware:
        results = _bounded_results(self)
    else:
        results = self._compute_results(with_limit_and_skip=False)
    if self._limit and self._emitted >= abs(self._limit):
        raise StopIteration
    skip = self._skip or 0
    if skip < 0:  # as the original's results[skip:] (MongoDB itself refuses a negative skip)
        skip = max(len(results) + skip, 0)
    position = skip + self._emitted
    if position >= len(results):
        raise StopIteration
    self._emitted += 1
    return results[position]


class FileWriteLock:
    """A re-entrant exclusive lock shared by every process using one data directory."""

    def __init__(self, path: Path):
        self.path = path
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self):
        _thread_lock.acquire()
        if self._depth == 0:
            self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._depth += 1
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        _thread_lock.release()


_file_locks: dict[Path, FileWriteLock] = {}


def write_lock_for(server_dir: Path) -> FileWriteLock:
    server_dir = Path(server_dir).absolute()
    with _thread_lock:
        if server_dir not in _file_locks:
            _file_locks[server_dir] = FileWriteLock(server_dir / ".write.lock")
        return _file_locks[server_dir]


_local_writes: dict[tuple, int] = {}


def _locked_write(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with write_lock_for(Path(self._db_store._dirpath).parent):
            key = (str(self._db_store._dirpath), self.name)
            _local_writes[key] = _local_writes.get(key, 0) + 1
            try:
                return method(self, *args, **kwargs)
            finally:
                _local_writes[key] = _local_writes.get(key, 0) + 1

    return wrapper


JOURNAL_SIZE = 20_000
RESET = object()  # in the journal: the collection was dropped or replaced as a whole
_journal: dict[tuple, collections.deque] = {}
_journal_lost: dict[tuple, int] = {}  # the write count of the newest change the journal let go


def _note_change(store, doc_id) -> None:
    """Called (under the store lock) for each document written or deleted in this process."""
    key = (str(store._path.parent), store._path.name)
    journal = _journal.get(key)
    if journal is None:
        journal = _journal[key] = collections.deque(maxlen=JOURNAL_SIZE)
    if len(journal) == JOURNAL_SIZE:
        _journal_lost[key] = journal[0][0]
    journal.append((_local_writes.get(key, 0), doc_id))


def changes_since(collection, version: tuple | None, now: tuple | None) -> set | None:
    """The names of the documents changed between two ``data_version`` values of an
    embedded-store collection, when only this process changed it in between and the journal
    still holds every change; otherwise None (the caller reads the collection again)."""
    if version is None or now is None or version[:2] != now[:2] or version[2] > now[2]:
        return None
    key = (str(collection._db_store._dirpath), collection.name)
    with _thread_lock:
        if _journal_lost.get(key, -1) > version[2]:
            return None
        changed = set()
        for count, doc_id in reversed(_journal.get(key, ())):
            if count <= version[2]:
                break
            if count > now[2]:
                continue
            if doc_id is RESET:
                return None
            changed.add(doc_id)
        return changed


def data_version(collection) -> tuple | None:
    """A value that changes whenever an embedded-store collection changes, by this process
    (counted in the write wrapper) or by another one (SQLite's ``data_version`` of the
    collection's own file); None for other stores. Lets callers cache what they derive from
    a collection (the embedded store has no server-side indexes to sort with)."""
    store_of = getattr(collection, "_db_store", None)
    if store_of is None or not hasattr(store_of, "_dirpath"):
        return None
    with _thread_lock:
        store = store_of[collection.name]
        if getattr(store, "_connection", None) is None:
            return None
        version = store._connection.execute("PRAGMA data_version").fetchone()[0]
        return id(store), version, _local_writes.get((str(store_of._dirpath), collection.name), 0)


def _locked_open(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        # Switching a new file to WAL mode needs the file to itself.
        with write_lock_for(Path(self._path).parent.parent):
            return method(self, *args, **kwargs)

    return wrapper


def _thread_locked(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _thread_lock:
            return method(*args, **kwargs)

    return wrapper


def _journalled(sqlite_store) -> None:
    from litemongo._vendor.mongomock import store as base

    def set_item(self, key, value):
        base.CollectionStore.__setitem__(self, key, value)
        _note_change(self, key)

    def del_item(self, key):
        base.CollectionStore.__delitem__(self, key)
        _note_change(self, key)

    def resets(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            finally:
                _note_change(self, RESET)

        return wrapper

    cls = sqlite_store.CollectionStore
    cls.__setitem__, cls.__delitem__ = set_item, del_item
    cls.drop, cls.copy_from = resets(cls.drop), resets(cls.copy_from)


def _patch_gridfs() -> None:
    from unittest import mock

    import mongomock
    import mongomock.gridfs
    from litemongo._vendor import mongomock as lite
    from litemongo._vendor.mongomock import gridfs as lite_gridfs
    from pymongo.collection import Collection
    from pymongo.database import Database

    def grid_out_cursor(collection, *args, **kwargs):
        if isinstance(collection, lite.Collection):
            return lite_gridfs._MongoMockGridOutCursor(collection, *args, **kwargs)
        return mongomock.gridfs._create_grid_out_cursor(collection, *args, **kwargs)

    target = "gridfs.synchronous.grid_file"
    mock.patch(f"{target}.Database", (Database, lite.Database, mongomock.Database)).start()
    mock.patch(f"{target}.Collection", (Collection, lite.Collection, mongomock.Collection)).start()
    mock.patch(f"{target}.GridOutCursor", grid_out_cursor).start()


def fast_in(original, nothing):
    """``$in`` without scanning the list for each document: the list's plain values as a set,
    made once per list (mongomock compares each document's value with every listed value, and
    checks every listed value for a regex first: a batch's ``{"_id": {"$in": 500 names}}`` cost
    250,000 steps). Lists with a regex or an unhashable value keep the original matcher."""
    cache: dict[int, tuple] = {}

    def in_op(doc_val, search_val):
        if isinstance(search_val, (list, tuple)) and len(search_val) > 8:
            entry = cache.get(id(search_val))
            if entry is None or entry[0] is not search_val:
                try:
                    plain = frozenset(search_val) if not any(isinstance(x, re.Pattern) for x in search_val) else None
                except TypeError:
                    plain = None
                if len(cache) > 256:
                    cache.clear()
                entry = cache[id(search_val)] = (search_val, plain)
            plain = entry[1]
            if plain is not None and doc_val is not nothing:
                values = doc_val if isinstance(doc_val, (list, tuple)) else (doc_val,)
                try:
                    return any(v in plain for v in values)
                except TypeError:  # an unhashable value in the document: compare as mongomock does
                    pass
        return original(doc_val, search_val)

    return in_op


def _patch_in(module) -> None:
    fast = fast_in(module._in_op, module.NOTHING)
    module._in_op = fast
    filterer = module._filterer_inst
    filterer._operator_map["$in"] = fast
    filterer._operator_map["$nin"] = lambda dv, sv: not fast(dv, sv)


def apply() -> None:
    """Apply all patches once per process. Idempotent."""
    global _applied
    with _thread_lock:
        if _applied:
            return
        check_versions()
        import mongomock.collection
        from litemongo import sqlite_store
        from litemongo._vendor.mongomock import collection as lite_collection
        from litemongo._vendor.mongomock import filtering as lite_filtering
        from mongomock import filtering

        for module in (filtering, lite_filtering):
            ORIGINAL_SORT_KEY[module.__name__] = module.resolve_sort_key
            module.resolve_sort_key = fast_sort_key(module.resolve_sort_key)
            _patch_in(module)
        for cursor_class in (mongomock.collection.Cursor, lite_collection.Cursor):
            ORIGINAL_NEXT[cursor_class] = cursor_class.__next__
            cursor_class.__next__ = linear_next
            cursor_class.next = linear_next
            cursor_class._compute_results = _thread_locked(cursor_class._compute_results)

        for name in WRITE_METHODS:
            method = getattr(lite_collection.Collection, name)
            setattr(lite_collection.Collection, name, _locked_write(method))
            # mongomock's read-modify-write ($inc in find_one_and_update) is not atomic
            # between threads either.
            method = getattr(mongomock.collection.Collection, name)
            setattr(mongomock.collection.Collection, name, _thread_locked(method))
        for name in READ_METHODS:
            method = getattr(lite_collection.Collection, name)
            setattr(lite_collection.Collection, name, _thread_locked(method))
        sqlite_store.CollectionStore.open = _locked_open(sqlite_store.CollectionStore.open)
        _allow_threads(sqlite_store)
        _journalled(sqlite_store)
        _patch_gridfs()
        _applied = True


def _allow_threads(sqlite_store) -> None:
    """Let the web server's threads share a collection's connection; ``_thread_lock``
    serialises them."""
    import sqlite3

    class _SQLite:
        def __getattr__(self, name):
            return getattr(sqlite3, name)

        @staticmethod
        def connect(*args, **kwargs):
            kwargs.setdefault("check_same_thread", False)
            kwargs.setdefault("timeout", 30)
            return sqlite3.connect(*args, **kwargs)

    sqlite_store.sqlite3 = _SQLite()
