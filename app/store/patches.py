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
   threads. Store calls take one re-entrant lock per process, which also stands in for the
   reader/writer lock litemongo takes for each collection (``_one_lock_per_process``).

4. A change log. Every document written or deleted on the embedded store notes its name in
   a ``changes`` table of the collection's file, in the write's own transaction (the last
   50,000 are kept). ``data_version`` is the log's last entry, so any process sees any other's
   commit; ``changes_since`` names what changed, so a cached list
   (``app.store.scan.Ordered``) and litemongo's in-process query index take in the changed
   documents one by one instead of reading the whole collection again.

Writes cost less: one SQLite transaction per write call, unique checks answered from the
query index, a compact query index, a query plan that intersects from the smallest field's
candidates, less work per written document, and simple updates by ``_id`` applied directly
(the README lists each). Bulk writes from
pymongo 4.9 and later, which pass a ``sort`` argument, are accepted by mongomock's builder.

5. GridFS. pymongo's ``gridfs`` checks ``isinstance(db, pymongo.Database)``; we widen that
   check to both mongomock flavours (mongomock's own helper only knows one of them).

The versions are pinned in pyproject.toml; ``apply()`` refuses other versions rather than
patching code it has not been tested against.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import functools
import itertools
import os
import re
import sqlite3
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
ORIGINAL_INSERT: list = []  # litemongo's insert, kept for tests/test_store.py's comparison
ORIGINAL_INDEX_PATHS: list = []  # litemongo's, kept for scripts/bench_first_query.py's comparison
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


def _locked_write(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with write_lock_for(Path(self._db_store._dirpath).parent):
            store = self._db_store[self.name]
            table = store._documents
            if table is None or getattr(table, "_one_transaction", False):
                return method(self, *args, **kwargs)
            # The documents one call writes (an insert_many, an update_many) go in one SQLite
            # transaction, committed as the call ends, rather than one commit each. A call the
            # store refuses part-way (a duplicate key) keeps what it wrote before, as MongoDB
            # does; a process killed mid-call leaves none of it.
            table._one_transaction = True
            indexes = store.indexes
            if indexes is not None:
                indexes.in_write, indexes.checked_in_write = True, False
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error:
                if store._connection is not None and store._connection.in_transaction:
                    store._connection.rollback()
                raise
            finally:
                table._one_transaction, table.seq_in_write = False, None
                if indexes is not None:
                    indexes.in_write = indexes.checked_in_write = False
                if store._connection is not None and store._connection.in_transaction:
                    store._connection.commit()

    return wrapper


def _transaction(table):
    """The document write's transaction: the enclosing call's (``_locked_write``), or its own."""
    return contextlib.nullcontext() if getattr(table, "_one_transaction", False) else table._connection


CHANGES = "changes"
CHANGES_KEPT = 50_000  # rows each collection's change log keeps
_TRIM_EVERY = 1_000


def _log_change(table, key) -> None:
    """In the document write's own transaction: note its (encoded) name in the change log."""
    _forget_read_state()
    table._cur.execute(f"INSERT INTO {CHANGES}(key) VALUES (?)", (key,))  # nosec - a constant
    seq = table._cur.lastrowid
    if seq % _TRIM_EVERY == 0:
        table._cur.execute(f"DELETE FROM {CHANGES} WHERE seq <= ?", (seq - CHANGES_KEPT,))  # nosec
    table.last_change = seq
    if getattr(table, "_one_transaction", False):
        table.seq_in_write = seq


def _change_seq(store) -> int:
    """The log's last entry. Inside one of this process's write calls (which hold the write
    lock, so no other process writes) it is known without asking SQLite."""
    table = store._documents
    in_write = getattr(table, "_one_transaction", False)
    if in_write and getattr(table, "seq_in_write", None) is not None:
        return table.seq_in_write
    read_call = _read_call
    noted = read_call[1] if read_call is not None and not in_write and read_call[0] == threading.get_ident() else None
    if noted is not None and store in noted:
        return noted[store]
    row = store._connection.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (CHANGES,)).fetchone()
    seq = row[0] if row else 0
    if in_write:
        table.seq_in_write = seq
    elif noted is not None:
        noted[store] = seq
    return seq


def _changed_keys(store, after: int, upto: int) -> list | None:
    """The encoded names written or deleted after change ``after`` up to ``upto`` (oldest
    first), or None when the log no longer reaches back that far or the collection was
    emptied or replaced as a whole in between."""
    if upto <= after:
        return []
    rows = store._connection.execute(
        f"SELECT seq, key FROM {CHANGES} WHERE seq > ? AND seq <= ? ORDER BY seq",  # nosec
        (after, upto),
    ).fetchall()
    if not rows or rows[0][0] != after + 1 or any(key is None for _, key in rows):
        return None
    return [key for _, key in rows]


def _decode_key(key: str):
    from bson import ObjectId

    kind, _, rest = key.partition(":")
    if kind == "s":
        return rest
    if kind == "o":
        return ObjectId(rest)
    if kind == "n":
        number = float(rest)
        return int(number) if number.is_integer() and "." not in rest and "e" not in rest else number
    raise ValueError(key)


def changes_since(collection, version: tuple | None, now: tuple | None) -> set | None:
    """The names of the documents of an embedded-store collection written or deleted between
    two of its ``data_version`` values, by any process; None when the change log cannot say
    (the caller reads the collection again)."""
    if version is None or now is None or version[0] != now[0]:
        return None
    with _thread_lock:
        store = collection._db_store[collection.name]
        if store._documents.key_format != 2:  # names in the legacy format cannot be read back
            return None
        keys = _changed_keys(store, version[1], now[1])
    if keys is None:
        return None
    try:
        return {_decode_key(key) for key in keys}
    except ValueError:
        return None


def data_version(collection) -> tuple | None:
    """A value that changes whenever an embedded-store collection changes, by this process or
    another one (the last entry of the collection file's change log); None for other stores.
    Lets callers cache what they derive from a collection and bring it up to date
    (``changes_since``)."""
    store_of = getattr(collection, "_db_store", None)
    if store_of is None or not hasattr(store_of, "_dirpath"):
        return None
    with _thread_lock:
        store = store_of[collection.name]
        if getattr(store, "_connection", None) is None:
            return None
        return id(store), _change_seq(store)


def _locked_open(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        # Switching a new file to WAL mode needs the file to itself.
        with write_lock_for(Path(self._path).parent.parent):
            result = method(self, *args, **kwargs)
            with self._connection:
                self._connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {CHANGES}(seq INTEGER PRIMARY KEY AUTOINCREMENT, key)"  # nosec
                )
            self._index_seq = None
            return result

    return wrapper


def _change_logged(sqlite_store) -> None:
    """Every document write and delete notes its name in the collection file's change log, in
    the same transaction; emptying or replacing the collection notes a reset. The query index
    of another process takes the changes in one by one instead of being built again."""
    from litemongo._vendor.mongomock import indexing
    from litemongo._vendor.mongomock import store as base

    table = sqlite_store.TableDict
    original_set, original_del = table.__setitem__, table.__delitem__

    def set_item(self, key, val):
        if self._table_name != sqlite_store.CollectionStore.DOCUMENTS:
            return original_set(self, key, val)
        key = self.encode_key(key)
        if not isinstance(val, bytes):
            val = self._encode_doc(val)
        with _transaction(self):
            self._cur.execute(
                f"INSERT INTO {self._table_name} VALUES(?, ?) "  # nosec
                f"ON CONFLICT({self.ID}) DO UPDATE SET {self.DOC}=excluded.{self.DOC}",
                (key, val),
            )
            _log_change(self, key)

    def del_item(self, key):
        if self._table_name != sqlite_store.CollectionStore.DOCUMENTS:
            return original_del(self, key)
        key = self.encode_key(key)
        with _transaction(self):
            deleted = self._cur.execute(f"DELETE FROM {self._table_name} WHERE {self.ID}=?", (key,)).rowcount  # nosec
            if deleted > 0:
                _log_change(self, key)  # uses the same cursor: its rowcount is the log's now
        if deleted <= 0:
            raise KeyError(key)

    table.__setitem__, table.__delitem__ = set_item, del_item

    def caught_up(method):
        """This process's own write already changed its query index: if nothing else was
        written in between, the index is current with the log."""

        @functools.wraps(method)
        def wrapper(self, key, *args):
            seen = getattr(self, "_index_seq", None)
            method(self, key, *args)
            if seen is not None and self._query_index is not None and getattr(self._documents, "last_change", None) == seen + 1:
                self._index_seq = seen + 1

        return wrapper

    cls = sqlite_store.CollectionStore
    cls.__setitem__ = caught_up(base.CollectionStore.__setitem__)
    cls.__delitem__ = caught_up(base.CollectionStore.__delitem__)

    def drop(self):
        with self._rwlock.writer(), self._connection:
            for name in (self.DOCUMENTS, self.INDEXES):
                self._connection.execute(f"DELETE FROM {name}")  # nosec
            self._connection.execute(f"DELETE FROM {self.INFO} WHERE key != 'key_format'")  # nosec
            _forget_read_state()
            self._connection.execute(f"INSERT INTO {CHANGES}(key) VALUES (NULL)")  # nosec
        self._documents.seq_in_write = None
        self.indexes.invalidate()
        self._ttl_indexes.clear()
        self._is_force_created = False
        self._query_index = None

    original_copy = cls.copy_from

    def copy_from(self, source):
        try:
            original_copy(self, source)
        finally:
            _forget_read_state()
            with self._connection:
                self._connection.execute(f"INSERT INTO {CHANGES}(key) VALUES (NULL)")  # nosec
            self._documents.seq_in_write = None

    def get_query_index(self):
        seq = _change_seq(self)
        index, since = self._query_index, getattr(self, "_index_seq", None)
        if index is not None and since == seq and self.indexes._cache is getattr(self, "_paths_of", None):
            # current, and the declared indexes are those its paths were taken from (a change
            # to them, here or, once read, from elsewhere, makes a new _cache)
            return index
        if index is not None and since is not None and seq != since:
            keys = _changed_keys(self, since, seq)
            if keys is None:
                index = None
            else:
                found = {}
                unique = list(dict.fromkeys(keys))
                for start in range(0, len(unique), 500):
                    chunk = unique[start : start + 500]
                    found.update(
                        self._cur.execute(
                            f"SELECT {self.ID}, {self.DOC} FROM {self.DOCUMENTS} "  # nosec
                            f"WHERE {self.ID} IN ({','.join('?' * len(chunk))})",
                            chunk,
                        ).fetchall()
                    )
                for key in unique:
                    if key in found:
                        index.add(key, self._documents._decode_doc(found[key]))
                    else:
                        index.remove(key)
        if index is None or since is None:
            index = indexing.CollectionIndexes()
            index.set_paths(indexing.index_paths(self.indexes.values()), ())
            from app import heap

            with heap.bulk_work():  # the new index's many small objects are not cyclic garbage
                index.fill(self._iter_items())
            self._query_index = index
        else:
            index.set_paths(indexing.index_paths(self.indexes.values()), self._iter_items())
        self._index_seq, self._paths_of = seq, self.indexes._cache
        return index

    def is_empty(self):
        """From the query index (kept current above) rather than one more query per find."""
        self._remove_expired_documents()
        return not self._get_query_index()._docs

    cls.drop, cls.copy_from, cls._get_query_index = drop, copy_from, get_query_index
    cls.is_empty = property(is_empty)


def _thread_locked(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _thread_lock:
            return method(*args, **kwargs)

    return wrapper


# Within one read call on the embedded store (a find's results, a count): (the reading
# thread, {collection store: its change log's last entry}). mongomock asks the query index
# twice per find (whether the collection is empty, then the candidates), and each time the
# index asked SQLite for the log's last entry; one read call now asks once per collection,
# so it also reads one state of it. Any write forgets what was noted.
_read_call: tuple | None = None


def _forget_read_state() -> None:
    """A write: what the read call in progress noted of the change logs no longer holds."""
    read_call = _read_call
    if read_call is not None:
        read_call[1].clear()


def _one_read(method):
    """A read on the embedded store: under the thread lock, the change log read once per
    collection for the whole call (``_read_call``)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        global _read_call
        with _thread_lock:
            if _read_call is not None:  # a read inside a read: the outer one's
                return method(*args, **kwargs)
            _read_call = (threading.get_ident(), {})
            try:
                return method(*args, **kwargs)
            finally:
                _read_call = None

    return wrapper


def _uniques_from_the_index(lite_collection, helpers, filter_applies) -> None:
    """mongomock checks each unique index after each written document by finding (reading and
    decoding) every document with the same values. The query index names the candidates, a
    superset of the matches: when it names one document at most (the one just written), there
    is no duplicate and nothing is read; otherwise the original check decides."""
    duplicate = lite_collection.DuplicateKeyError  # the class the collection's own code catches
    from bson import ObjectId
    from litemongo._vendor.mongomock import indexing

    keyable = frozenset({str, int, float, ObjectId, datetime.datetime})

    def one_field_names_one(index, query: dict) -> bool:
        """Whether the query's candidates are one document at most (the one just written),
        found without making sets: a field that alone names one (an e-mail, a name), or the
        few documents of the most selective field checked against the other fields (an
        officer's gap rows, by competency). False: the original check decides."""
        fields, best = [], None
        key_for = indexing._key_for
        for path, value in query.items():
            field = index._fields.get(path)
            if field is None or type(value) not in keyable:
                continue  # not planned: the other fields' candidates include the matches
            key = key_for(value)
            n = field.size((key,))
            if n <= 1:
                return True
            if best is None or n < best[0]:
                best = (n, field, key)
            fields.append((field, key))
        if best is None or len(fields) < 2 or best[0] > 16:
            return False
        _, field, key = best
        found = 0
        for doc in field.candidates((key,)):
            if all(other is field or other.holds(doc, (other_key,)) for other, other_key in fields):
                found += 1
                if found > 1:
                    return False
        return True

    def unique_indexes(indexes) -> list:
        """(fields, sparse, partial filter) of each unique index, worked out once per state of
        the collection's declared indexes rather than for every document written."""
        declared = indexes._get_cache()  # a new dict whenever the declared indexes change
        known = getattr(indexes, "_unique_indexes", None)
        if known is None or known[0] is not declared:
            plan = [
                ([key for key, _ in spec.get("key")], spec.get("sparse"), spec.get("partialFilterExpression"))
                for spec in declared.values()
                if spec.get("unique")
            ]
            known = indexes._unique_indexes = (declared, plan)
        return known[1]

    def ensure_uniques(self, new_data):
        index = self._store._get_query_index()
        for keys, sparse, partial in unique_indexes(self._store.indexes):
            find_kwargs = {}
            for key in keys:
                if "." not in key:  # as get_value_by_dot finds it, without raising for a missing field
                    find_kwargs[key] = new_data.get(key)
                    continue
                try:
                    find_kwargs[key] = helpers.get_value_by_dot(new_data, key)
                except KeyError:
                    find_kwargs[key] = None
            if sparse and set(find_kwargs.values()) == {None}:
                continue
            if partial is not None and not filter_applies(partial, new_data):
                continue
            if partial is not None:
                find_kwargs = {"$and": [partial, find_kwargs]}
            elif one_field_names_one(index, find_kwargs):
                continue  # the candidates are fewer still: the document just written, at most
            candidates = index.candidates(find_kwargs)
            if candidates is not None and len(candidates) <= 1:
                continue
            if helpers.count_iter(self._iter_documents(find_kwargs)) > 1:
                raise duplicate("E11000 Duplicate Key Error", 11000)

    lite_collection.Collection._ensure_uniques = ensure_uniques


def _contains_from_the_index(sqlite_store) -> None:
    """Before each document it inserts mongomock asks whether its name is taken, one SQLite
    query each. Inside a write call (which holds the write lock, so no other process
    writes) the query index, kept current by the write itself, answers instead."""
    cls = sqlite_store.CollectionStore
    original = cls.__contains__

    def contains(self, key):
        table = self._documents
        if table is None or not getattr(table, "_one_transaction", False):
            return original(self, key)
        self._remove_expired_documents()
        return self._index_key(key) in self._get_query_index()._docs

    cls.__contains__ = contains


ORIGINAL_FIELD_INDEX: dict = {}  # kept for tests/test_store.py's comparison
ORIGINAL_COLLECTION_INDEXES: dict = {}
ORIGINAL_DATETIME_PATCH: list = []


def _compact_field_index(indexing) -> None:
    """litemongo's query index keeps, per indexed path and document, a set of its keys, and
    per key a set of documents: two set objects (about 430 bytes) where a unique value (an
    e-mail, a name) needs one key and one document. A lone key or document is kept as itself
    and becomes a set only when a second one comes; the candidates found are the same
    (``tests/test_store.py`` compares them with the original's)."""
    cls = indexing.FieldIndex
    ORIGINAL_FIELD_INDEX.update(add=cls.add, remove=cls.remove, candidates=cls.candidates)
    original_init = cls.__init__

    def init(self, path):
        original_init(self, path)
        self._shared = {}  # a key several documents share: its one key object (``enter``)

    no_keys = ()

    def enter(self, shared, key, store_key):
        """Enter one document under one key; returns the key to note for the document: for a
        key several documents share, one key object for all of them (a competency's name is
        then kept once, not once per gap row)."""
        entries = self._entries
        held = entries.get(key)
        if held is None:
            entries[key] = store_key
        elif type(held) is set:
            held.add(store_key)
            return shared.get(key, key)
        elif held != store_key:
            entries[key] = {held, store_key}
            first = self._doc_keys.get(held)
            shared[key] = key = first if type(first) is tuple and first == key else key
        return key

    missing = object()
    big = 2**53

    def add_all(self, pairs):
        """Index each (store key, document) pair, as litemongo's ``add`` does one by one; a
        plain top-level value is keyed here, in one loop, as ``_doc_keys`` keys it."""
        path, doc_keys = self.path, self._doc_keys
        shared = self._shared
        plain_path = "." not in path
        for store_key, doc in pairs:
            if plain_path and type(doc) is dict:  # the usual cases
                value = doc.get(path, missing)
                kind = type(value)
                if kind is str:
                    key = ("s", value)
                elif value is missing or value is None:
                    doc_keys[store_key] = no_keys
                    continue
                elif kind is int and -big <= value <= big:
                    key = ("n", float(value))
                elif kind is datetime.datetime and value.tzinfo is None:
                    key = ("t", value.replace(microsecond=0))
                else:
                    key = None
                if key is not None:
                    doc_keys[store_key] = enter(self, shared, key, store_key)
                    continue
            keys = indexing._doc_keys(doc, path)
            if keys is None:
                self._unkeyed.add(store_key)
                doc_keys[store_key] = None
            elif not keys:
                doc_keys[store_key] = no_keys
            else:
                keys = {enter(self, shared, key, store_key) for key in keys}
                doc_keys[store_key] = next(iter(keys)) if len(keys) == 1 else frozenset(keys)

    def add(self, store_key, doc):
        add_all(self, ((store_key, doc),))

    def remove(self, store_key):
        try:
            keys = self._doc_keys.pop(store_key)
        except KeyError:
            return
        if keys is None:
            self._unkeyed.discard(store_key)
            return
        for key in keys if type(keys) is frozenset else () if keys == no_keys else (keys,):
            held = self._entries.get(key)
            if type(held) is set:
                held.discard(store_key)
                if len(held) == 1:
                    self._entries[key] = next(iter(held))
                    self._shared.pop(key, None)
            elif held is not None and held == store_key:
                del self._entries[key]

    def candidates(self, keys):
        found = set(self._unkeyed)
        entries = self._entries
        for key in keys:
            held = entries.get(key)
            if held is None:
                continue
            if type(held) is set:
                found.update(held)
            else:
                found.add(held)
        return found

    def size(self, keys) -> int:
        """How many candidates ``candidates(keys)`` names at most, without making the set."""
        entries = self._entries
        n = len(self._unkeyed)
        for key in keys:
            held = entries.get(key)
            if held is not None:
                n += len(held) if type(held) is set else 1
        return n

    def holds(self, store_key, keys) -> bool:
        """Whether ``candidates(keys)`` names ``store_key`` (``keys``: a set or a tuple)."""
        held = self._doc_keys.get(store_key, no_keys)
        if held is None:  # a document this path cannot key: a candidate for any query
            return True
        if held is no_keys:
            return False
        if type(held) is frozenset:
            return not held.isdisjoint(keys)
        return held in keys

    def fill(self, pairs, chunk=2000):
        """Index a collection read whole ((store key, document) pairs, each key once) into this
        empty index: what ``add`` would make one document at a time, made a chunk at a time and
        one path at a time, for the first query on a collection in a process."""
        if self._docs:
            raise ValueError("fill() builds an empty index; add() documents to one in use")
        docs, fields = self._docs, list(self._fields.values())
        pairs = iter(pairs)
        while batch := list(itertools.islice(pairs, chunk)):
            for store_key, _doc in batch:
                docs[store_key] = self._next_seq
                self._next_seq += 1
            for field in fields:
                add_all(field, batch)

    cls.__init__, cls.add, cls.add_all, cls.remove, cls.candidates = init, add, add_all, remove, candidates
    cls.size, cls.holds = size, holds
    indexing.CollectionIndexes.fill = fill
    ORIGINAL_COLLECTION_INDEXES["candidates"] = indexing.CollectionIndexes.candidates

    def collection_candidates(self, filter):  # noqa: A002 - mongomock's name
        """litemongo's plan makes every queried field's candidates as a set and intersects
        them: a unique check on (officer, competency) copied the set of every gap row of the
        competency, for each row written. Here the smallest field's set is made, and each
        of its documents kept if the other fields name it too; the candidates are the same
        (``tests/test_store.py``)."""
        if not isinstance(filter, dict) or not filter:
            return None
        fields, found_sets = [], []
        for field, condition in filter.items():
            if field == "$and" and isinstance(condition, (list, tuple)):
                found = None
                for sub_filter in condition:
                    sub_found = self.candidates(sub_filter)
                    if sub_found is not None:
                        found = sub_found if found is None else found & sub_found
                if found is not None:
                    found_sets.append(found)
            elif field in self._fields:
                keys = indexing.query_keys(condition)
                if keys is not None:
                    fields.append((self._fields[field], keys))
        if not fields and not found_sets:
            return None
        if len(fields) == 1 and not found_sets:
            return fields[0][0].candidates(fields[0][1])
        if fields:
            fields.sort(key=lambda entry: entry[0].size(entry[1]))
            smallest, keys = fields[0]
            if found_sets and min(len(f) for f in found_sets) < smallest.size(keys):
                best = set(min(found_sets, key=len))
            else:
                best, fields = smallest.candidates(keys), fields[1:]
        else:
            best = set(min(found_sets, key=len))
        for index, keys in fields:
            if not best:
                return best
            best = {k for k in best if index.holds(k, keys)}
        for found in found_sets:
            if not best:
                return best
            best &= found
        return best

    indexing.CollectionIndexes.candidates = collection_candidates


def planned_paths(index_dicts) -> set[str]:
    """The paths litemongo's query index keeps for a collection's declared indexes: every
    field of a unique index (the uniqueness check looks its values up), and the first field of
    every other index unless it is sorted descending. litemongo kept every field of every
    index: a third of an officer's fields, each with an entry per document, though a query
    plans on its equality fields only, which lead an index (``tests/index_check.py``), and a
    leading descending field orders a list (``modified``, ``gap``). A query on a field not
    kept is answered as before, by reading the documents it cannot plan away."""
    paths = set()
    for index in index_dicts:
        keys = [(k[0], k[1]) if isinstance(k, (list, tuple)) else (k, 1) for k in index.get("key", ())]
        keys = [(name, way) for name, way in keys if isinstance(name, str) and not name.startswith("$")]
        if index.get("unique"):
            paths.update(name for name, _ in keys)
        elif keys and keys[0][1] != -1:
            paths.add(keys[0][0])
    return paths


def _read_documents_not_copied(lite_collection, helpers) -> None:
    """mongomock copies each document it returns, value by value, so that changing a result
    cannot change its in-memory store. The embedded store decodes each document afresh from
    its file for every read, so nobody else holds it: a whole document asked for as a plain
    dict is returned as decoded (the copy was an eighth of a list request's time). Projections
    and other document classes go to mongomock as before."""
    original = lite_collection.Collection._copy_only_fields

    def copy_only_fields(self, doc, fields, container):
        if container is dict and type(doc) is dict and (fields is None or not fields and helpers.PYMONGO_AT_LEAST_4_0):
            return doc
        return original(self, doc, fields, container)

    lite_collection.Collection._copy_only_fields = copy_only_fields


ORIGINAL_UPDATE: list = []  # mongomock's, kept for tests/test_store.py's comparison


def _simple_updates(lite_collection) -> None:
    """mongomock applies every update through its general machinery: the document found by
    a query, deep-copied as a snapshot, each operator walked field path by field path with
    each value encoded to check it, and the result compared with the snapshot. An update of
    one document named by its ``_id`` with only ``$set``, ``$inc`` and ``$setOnInsert`` of
    plain values on top-level fields (the rollups' and counters' upserts) is applied here
    directly: the same fields in the same order, the same write (none when nothing
    changed), the same unique check and the same answer. Anything else, and an ``$inc`` of
    a stored value that is not a plain number, goes to mongomock."""
    original = lite_collection.Collection._update
    ORIGINAL_UPDATE.append(original)
    numbers = frozenset({int, float})
    plain = frozenset({str, int, float, bool, type(None)})
    operators = frozenset({"$set", "$inc", "$setOnInsert"})
    stored_int = range(-(2**63), 2**63)

    def simple(spec, document) -> bool:
        if type(spec) is not dict or len(spec) != 1 or type(document) is not dict or not document:
            return False
        key = spec.get("_id")
        if type(key) is not str and (type(key) is not int or key not in stored_int):
            return False
        seen = set()
        for op, fields in document.items():
            if op not in operators or type(fields) is not dict or not fields:
                return False
            for name, value in fields.items():
                if (
                    type(name) is not str
                    or not name
                    or name in seen
                    or name == "_id"
                    or "." in name
                    or "$" in name[:1]
                    or "\0" in name
                ):
                    return False
                seen.add(name)
                kind = type(value)
                if op == "$inc" and kind not in numbers:
                    return False
                if kind is int and value not in stored_int:
                    return False
                if kind not in plain and not (
                    kind is datetime.datetime and value.tzinfo is None and value.microsecond % 1000 == 0
                ):
                    return False
        return True

    harmless = frozenset({"multi", "manipulate", "check_keys"})  # no matter for one document by _id

    def update(self, spec, document, upsert=False, *args, **kwargs):
        if args or any(v and k not in harmless for k, v in kwargs.items()) or not simple(spec, document):
            return original(self, spec, document, upsert, *args, **kwargs)
        existing = next(self._iter_documents(spec), None)
        if existing is not None:
            if any(name in existing and type(existing[name]) not in numbers for name in document.get("$inc", {})):
                return original(self, spec, document, upsert, *args, **kwargs)
        elif not upsert:
            return _update_result(self, 0, 0, None, False)
        inserting = existing is None
        target = {"_id": spec["_id"]} if inserting else existing
        snapshot = None if inserting else dict(existing)
        for op, fields in document.items():
            if op == "$inc":
                for name, value in fields.items():
                    target[name] = target.get(name, 0) + value
            elif op == "$set" or inserting:
                target.update(fields)
        if inserting:
            return _update_result(self, 1, 1, self._insert(target), False)
        if target == snapshot:
            return _update_result(self, 1, 0, None, True)
        self._store[target["_id"]] = target
        try:
            self._ensure_uniques(target)
        except lite_collection.DuplicateKeyError:
            self._store[snapshot["_id"]] = snapshot
            raise
        return _update_result(self, 1, 1, None, True)

    lite_collection.Collection._update = update


def _update_result(collection, matched: int, updated: int, upserted, updated_existing: bool) -> dict:
    """mongomock's answer to an update (``Collection._update``)."""
    return {
        "connectionId": collection.database.client._id,
        "err": None,
        "n": matched,
        "nModified": updated if updated_existing else 0,
        "ok": 1,
        "upserted": upserted,
        "updatedExisting": updated_existing,
    }


def _codec_converted_once(lite_collection) -> None:
    """mongomock checks each value an update sets by encoding it, converting the collection's
    codec options to pymongo's for each one (a third of a small update's check). The
    conversion is kept per codec options object."""
    original = lite_collection._bson_encode
    ours = lite_collection.mongomock_codec_options.CodecOptions
    converted: dict = {}  # id(options) -> (options, pymongo's)

    def encode(document, check_keys, codec_options):
        if type(codec_options) is ours:
            known = converted.get(id(codec_options))
            if known is None or known[0] is not codec_options:
                if len(converted) > 1000:
                    converted.clear()
                known = converted[id(codec_options)] = (codec_options, codec_options.to_pymongo())
            codec_options = known[1]
        return original(document, check_keys, codec_options)

    lite_collection._bson_encode = encode


def _indexes_checked_once_per_write(sqlite_store) -> None:
    """litemongo asks SQLite whether another connection changed a collection's declared
    indexes (``PRAGMA data_version``) each time they are read: for every document written,
    by the unique check. Inside one of this process's write calls no other process writes
    (``_locked_write`` holds the site's write lock), so once asked, the answer holds until
    the call ends."""
    table = sqlite_store.IndexDict
    original = table._get_cache

    def get_cache(self):
        if self._cache is not None and getattr(self, "checked_in_write", False):
            return self._cache
        cache = original(self)
        if getattr(self, "in_write", False):
            self.checked_in_write = True
        return cache

    table._get_cache = get_cache


def _bulk_sort_argument(mongomock_collection) -> None:
    """pymongo 4.9 and later hand ``sort`` to a bulk's ``add_update``/``add_replace``;
    mongomock 4.3 (litemongo's copy knows it) takes no such argument. It is accepted when
    it asks for nothing (the project never sorts a bulk update)."""
    import inspect

    builder = mongomock_collection.BulkOperationBuilder
    for name in ("add_update", "add_replace"):
        method = getattr(builder, name)
        if "sort" in inspect.signature(method).parameters:
            continue

        def without_sort(self, *args, _method=method, sort=None, **kwargs):
            if sort is not None:
                raise NotImplementedError("a bulk update with sort is not in the project's MongoDB subset")
            return _method(self, *args, **kwargs)

        setattr(builder, name, functools.wraps(method)(without_sort))


def _encoded_once(lite_collection, sqlite_store) -> None:
    """mongomock encodes every inserted document to BSON to check it can be stored (converting
    the collection's codec options for each), then the store encodes its copy again to write
    it: two encodes, a tenth of a raw insert. Here the copy as it will be stored is encoded
    once, with the store's codec options, and those bytes are written. A document that cannot
    be encoded is refused with the same error, before anything is written. The copy and the
    three checks of its field names are made in one pass (``checked_copy``). Only a plain
    dict, into a collection whose codec options are the store's, takes this path (the
    project's all do)."""
    from collections.abc import Mapping

    import bson

    original_insert = lite_collection.Collection._insert
    ORIGINAL_INSERT.append(original_insert)
    original_set = sqlite_store.TableDict.__setitem__  # the change log's set_item
    helpers = lite_collection.helpers

    def insert(self, data, session=None, ordered=True):
        store = self._store
        documents = getattr(store, "_documents", None)
        if session or type(data) is not dict or not isinstance(documents, sqlite_store.TableDict) or helpers.PYMONGO_BELOW_3_6:
            return original_insert(self, data, session, ordered)
        options, known = self._codec_options, getattr(self, "_same_codec", None)
        if known is None or known[0] is not options or known[1] is not documents._codec_options:
            known = (options, documents._codec_options, options.to_pymongo() == documents._codec_options)
            self._same_codec = known
        if not known[2]:
            return original_insert(self, data, session, ordered)
        stored = checked_copy(data)
        if "_id" not in data:
            data["_id"] = stored["_id"] = lite_collection.ObjectId()
        object_id = data["_id"]
        if isinstance(object_id, dict):
            object_id = helpers.hashdict(object_id)
        encoded = bson.encode(stored, codec_options=documents._codec_options)
        if object_id in store:
            raise lite_collection.DuplicateKeyError("E11000 Duplicate Key Error", 11000)
        documents.encoded_for = (stored, encoded)
        try:
            store[object_id] = stored
        finally:
            documents.encoded_for = None
        try:
            self._ensure_uniques(stored)
        except lite_collection.DuplicateKeyError:
            del store[object_id]
            raise
        return data["_id"]

    refused = lite_collection.InvalidDocument
    leaf = _plain_types()  # copied as they are
    unmapped = frozenset({list, tuple, datetime.datetime})  # copied, not searched for names

    def checked_copy(data: dict) -> dict:
        """The document as it will be stored (``patch_datetime_awareness_in_document``: its
        datetimes naive UTC to the millisecond), made in the same pass as mongomock's three
        checks of its field names, which refuse as they do, in their order: a top-level name
        that is not a string (ValueError), a null character at any depth or a nested name
        that is not a string (the first found), a top-level name starting with ``$``."""
        patch = helpers.patch_datetime_awareness_in_document
        out = dict(data)
        null = dollar = None
        for key, value in data.items():
            if type(key) is not str and not isinstance(key, str):
                raise ValueError("Document keys must be strings")
            if null is None and "\0" in key:
                null = _null_in_name(refused, key)
            if dollar is None and key.startswith("$"):
                dollar = key
            kind = type(value)
            if kind in leaf:
                continue
            if null is None and (kind is dict or (kind not in unmapped and isinstance(value, Mapping))):
                try:
                    lite_collection._recursive_key_check_null_character(value)
                except (refused, TypeError) as exc:  # TypeError: a nested name that is no string
                    null = exc
            out[key] = patch(value)
        if null is not None:
            raise null
        if dollar is not None:
            raise refused(f'Top-level field names cannot start with the "$" sign (found: {dollar})')
        return out

    def set_item(self, key, val):
        encoded_for = getattr(self, "encoded_for", None)
        if encoded_for is not None and encoded_for[0] is val:
            val = encoded_for[1]
        return original_set(self, key, val)

    lite_collection.Collection._insert = insert
    sqlite_store.TableDict.__setitem__ = set_item


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


def _plain_types() -> frozenset:
    """The value types a written document's copy keeps as they are: nothing nested, no
    datetime to round (``fast_datetime_patch``, ``_encoded_once``)."""
    from bson import ObjectId

    return frozenset({str, int, float, bool, type(None), bytes, ObjectId})


def _null_in_name(refused, key):
    """mongomock's refusal of a field name with the null character, word for word."""
    return refused(f"Field names cannot contain the null character (found: {key})")


def fast_datetime_patch(original):
    """mongomock's ``patch_datetime_awareness_in_document`` (every written document copied,
    its datetimes made naive UTC to the millisecond) walks every value with a chain of
    ``isinstance`` checks: a sixth of a plain insert. The same copy, with plain values and
    plain dicts and lists recognised by their exact type; anything else (an aware
    datetime, an OrderedDict, a Timestamp) goes to the original."""
    import datetime as dt

    plain = _plain_types()

    def patch(value):
        kind = type(value)
        if kind is dict:
            out = dict(value)
            for k, v in value.items():
                if type(v) not in plain:
                    out[k] = patch(v)
            return out
        if kind is list or kind is tuple:
            return [v if type(v) in plain else patch(v) for v in value]
        if kind is dt.datetime and value.tzinfo is None:
            micro = value.microsecond
            return value if micro % 1000 == 0 else value.replace(microsecond=micro // 1000 * 1000)
        if kind in plain:
            return value
        return original(value)

    return patch


def fast_key_check(lite_collection) -> None:
    """mongomock checks every written document's keys for the null character, testing each
    value with ``isinstance(value, Mapping)`` (an abstract-class check); a plain value is
    recognised by its exact type first. Same refusals, same messages."""
    from collections.abc import Mapping

    plain = _plain_types() | {list, datetime.datetime}
    refused = lite_collection.InvalidDocument

    def check(data):
        for key, value in data.items():
            if "\0" in key:
                raise _null_in_name(refused, key)
            if type(value) is dict or (type(value) not in plain and isinstance(value, Mapping)):
                check(value)

    lite_collection._recursive_key_check_null_character = check


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
            locked = _one_read if cursor_class is lite_collection.Cursor else _thread_locked
            cursor_class._compute_results = locked(cursor_class._compute_results)

        for name in WRITE_METHODS:
            method = getattr(lite_collection.Collection, name)
            setattr(lite_collection.Collection, name, _locked_write(method))
            # mongomock's read-modify-write ($inc in find_one_and_update) is not atomic
            # between threads either.
            method = getattr(mongomock.collection.Collection, name)
            setattr(mongomock.collection.Collection, name, _thread_locked(method))
        for name in READ_METHODS:
            method = getattr(lite_collection.Collection, name)
            setattr(lite_collection.Collection, name, _one_read(method))
        sqlite_store.CollectionStore.open = _locked_open(sqlite_store.CollectionStore.open)
        _allow_threads(sqlite_store)
        _one_lock_per_process(sqlite_store)
        _change_logged(sqlite_store)
        from litemongo._vendor.mongomock import indexing

        _compact_field_index(indexing)
        ORIGINAL_INDEX_PATHS.append(indexing.index_paths)
        indexing.index_paths = planned_paths
        from litemongo._vendor.mongomock import helpers as lite_helpers

        _uniques_from_the_index(lite_collection, lite_helpers, lite_filtering.filter_applies)
        fast_key_check(lite_collection)
        _contains_from_the_index(sqlite_store)
        ORIGINAL_DATETIME_PATCH.append(lite_helpers.patch_datetime_awareness_in_document)
        lite_helpers.patch_datetime_awareness_in_document = fast_datetime_patch(ORIGINAL_DATETIME_PATCH[0])
        _bulk_sort_argument(mongomock.collection)
        _encoded_once(lite_collection, sqlite_store)
        _indexes_checked_once_per_write(sqlite_store)
        _codec_converted_once(lite_collection)
        _read_documents_not_copied(lite_collection, lite_helpers)
        _simple_updates(lite_collection)
        _patch_gridfs()
        _applied = True


class _StoreLock:
    """A collection's reader/writer lock, as the process's store lock (``_thread_lock``).
    litemongo guards each collection's documents and query index with mongomock's
    reader/writer lock, made of three locks and a counter, taken again for each document
    written; every call on the embedded store already holds the store lock (patch 3), which
    lets one thread in at a time, so taking it again (it is re-entrant) guards as much at a
    fraction of the cost."""

    def reader(self):
        return _thread_lock

    writer = reader


def _one_lock_per_process(sqlite_store) -> None:
    original_init = sqlite_store.CollectionStore.__init__
    lock = _StoreLock()

    @functools.wraps(original_init)
    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._rwlock = lock

    sqlite_store.CollectionStore.__init__ = init


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
