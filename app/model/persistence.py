"""Reading and writing one doctype's documents. No hooks, no permissions: the lifecycle
decides what to write; this module only writes it, each write one atomic single-document
operation (safe on replica sets and sharded clusters, and on the embedded store)."""

from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError as MongoDuplicateKey

from app.errors import DuplicateEntry, NotFound, StaleDocument


def to_db(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k != "name"}
    out["_id"] = doc["name"]
    return out


def from_db(raw: dict | None) -> dict | None:
    if raw is None:
        return None
    out = {"name": raw["_id"]}
    out.update((k, v) for k, v in raw.items() if k != "_id")
    return out


def get(collection, meta, name: str, extra_filter: dict | None = None) -> dict:
    query = {"_id": name}
    if extra_filter:
        query = {"$and": [query, extra_filter]}
    raw = collection.find_one(query)
    if raw is None:
        raise NotFound(f"{meta.name} {name!r} not found", doctype=meta.name, name=name)
    return from_db(raw)


def read_as(ctx, meta, name: str) -> dict:
    """The stored record, if the caller may read it (NotFound otherwise, as for a record
    that does not exist): the access layer's query filter and record check, no hooks."""
    ctx.access.check(meta, "read")
    data = get(ctx.site.collection(meta.name), meta, name, ctx.access.query_filter(meta))
    ctx.access.check(meta, "read", data)
    return data


def insert(collection, meta, doc: dict) -> None:
    try:
        collection.insert_one(to_db(doc))
    except MongoDuplicateKey as exc:
        raise duplicate_error(meta, doc, exc, collection) from None


def replace(collection, meta, doc: dict, expected_modified) -> None:
    """Replace the stored document only if it is still the version the caller read."""
    try:
        result = collection.replace_one({"_id": doc["name"], "modified": expected_modified}, to_db(doc))
    except MongoDuplicateKey as exc:
        raise duplicate_error(meta, doc, exc, collection, replacing=True) from None
    if result.matched_count == 0:
        current = collection.find_one({"_id": doc["name"]}, {"modified": 1})
        if current is None:
            raise NotFound(f"{meta.name} {doc['name']!r} not found", doctype=meta.name, name=doc["name"])
        raise StaleDocument(
            f"{meta.name} {doc['name']!r} was changed at {current['modified'].isoformat()} "
            f"after you read it (at {expected_modified.isoformat()}); reload it and try again",
            doctype=meta.name,
            name=doc["name"],
        )


def delete(collection, meta, name: str) -> None:
    if collection.delete_one({"_id": name}).deleted_count == 0:
        raise NotFound(f"{meta.name} {name!r} not found", doctype=meta.name, name=name)


def _duplicate_fields(meta, exc: Exception) -> list[str] | None:
    """The fields of the index a duplicate-key error names: from the server's ``keyPattern``
    (MongoDB), else from the index name in its message (mongomock); None if it names neither."""
    details = getattr(exc, "details", None) or {}
    pattern = details.get("keyPattern")
    if pattern:
        return ["name" if k == "_id" else k for k in pattern]
    match = re.search(r"index: (\S+)", str(exc))
    if match:
        index = match.group(1)
        if "_id" in index:
            return ["name"]
        return [
            f.fieldname for f in meta.all_fields if index in (f"unique_{f.fieldname}", f"{f.fieldname}_1") or f.fieldname in index
        ] or None
    return None


def duplicate_error(meta, doc: dict, exc: Exception, collection=None, *, replacing: bool = False) -> DuplicateEntry:
    """A duplicate-key error as the record and the field it concerns. A server that names no
    index (FerretDB) is asked which unique value another record already has."""
    fields = _duplicate_fields(meta, exc)
    if fields is None and collection is not None:
        fields = [
            f.fieldname
            for f in meta.all_fields
            if f.unique
            and doc.get(f.fieldname) not in (None, "")
            and collection.find_one({f.fieldname: doc[f.fieldname], "_id": {"$ne": doc["name"]}}, {"_id": 1})
        ]
        if not fields and not replacing:
            fields = ["name"]
    if not fields or fields == ["name"]:
        return DuplicateEntry(
            f"{meta.name} {doc['name']!r} already exists",
            doctype=meta.name,
            name=doc["name"],
            errors={"name": ["already exists"]},
        )
    fields = [f for f in fields if f != "name"]
    values = ", ".join(f"{f}={doc.get(f)!r}" for f in fields)
    return DuplicateEntry(
        f"{meta.name}: another record already has {values}",
        doctype=meta.name,
        name=doc["name"],
        errors={f: ["must be unique; another record has this value"] for f in fields},
    )


def upsert(collection, filter: dict, update: dict, *, returning: bool = False):
    """``update_one`` (or, ``returning``, ``find_one_and_update`` giving the document after)
    with ``upsert=True``, retried when two first-ever upserts of one document race: a server
    answers the loser with a duplicate key, and the retry finds the document and updates it."""
    from pymongo import ReturnDocument

    for attempt in range(5):
        try:
            if returning:
                return collection.find_one_and_update(filter, update, upsert=True, return_document=ReturnDocument.AFTER)
            return collection.update_one(filter, update, upsert=True)
        except MongoDuplicateKey:
            if attempt == 4:
                raise
    return None


def upsert_many(collection, updates: list[tuple[dict, dict]]) -> None:
    """``upsert`` for many documents ({filter, update} pairs, each filter naming one
    document) with one unordered bulk write: one round trip to a server, one transaction on
    the embedded store. Those refused because two first-ever upserts of a document raced
    are sent again, as ``upsert`` does."""
    from pymongo import UpdateOne
    from pymongo.errors import BulkWriteError

    pending = list(updates)
    for attempt in range(5):
        if not pending:
            return
        if _over_the_wire(collection):
            errors = _update_command(collection, pending)
            if not errors:
                return
            if attempt == 4 or any(e.get("code") != 11000 for e in errors):
                raise BulkWriteError({"writeErrors": errors, "nInserted": 0, "nUpserted": 0, "nMatched": 0, "nModified": 0})
            pending = [pending[e["index"]] for e in errors]
            continue
        try:
            collection.bulk_write([UpdateOne(f, u, upsert=True) for f, u in pending], ordered=False)
            return
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if attempt == 4 or not errors or any(e.get("code") != 11000 for e in errors):
                raise
            pending = [pending[e["index"]] for e in errors]


def _over_the_wire(collection) -> bool:
    from pymongo.collection import Collection

    return isinstance(collection, Collection)


def _update_command(collection, pending: list[tuple[dict, dict]]) -> list[dict]:
    """One unordered ``update`` command of upserts, its write errors (each with the index of
    the update it refused) read from the server's answer as it is: a server that leaves out
    ``nModified`` when some upserts lose a race (FerretDB does) would make pymongo's bulk
    result fail to merge, and with it the knowledge of which updates were applied."""
    answer = collection.database.command(
        {
            "update": collection.name,
            "updates": [{"q": f, "u": u, "upsert": True} for f, u in pending],
            "ordered": False,
        }
    )
    return list(answer.get("writeErrors") or [])
