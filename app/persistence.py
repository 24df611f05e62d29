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


def insert(collection, meta, doc: dict) -> None:
    try:
        collection.insert_one(to_db(doc))
    except MongoDuplicateKey as exc:
        raise duplicate_error(meta, doc, exc) from None


def replace(collection, meta, doc: dict, expected_modified) -> None:
    """Replace the stored document only if it is still the version the caller read."""
    try:
        result = collection.replace_one({"_id": doc["name"], "modified": expected_modified}, to_db(doc))
    except MongoDuplicateKey as exc:
        raise duplicate_error(meta, doc, exc) from None
    if result.matched_count == 0:
        current = collection.find_one({"_id": doc["name"]}, {"modified": 1})
        if current is None:
            raise NotFound(f"{meta.name} {doc['name']!r} not found", doctype=meta.name, name=doc["name"])
        raise StaleDocument(
            f"{meta.name} {doc['name']!r} was changed at {current['modified'].isoformat()} "
            f"after you read it (at {expected_modified.isoformat()}); reload it and try again",
            doctype=meta.name, name=doc["name"])


def delete(collection, meta, name: str) -> None:
    if collection.delete_one({"_id": name}).deleted_count == 0:
        raise NotFound(f"{meta.name} {name!r} not found", doctype=meta.name, name=name)


def duplicate_error(meta, doc: dict, exc: Exception) -> DuplicateEntry:
    text = str(exc)
    match = re.search(r"index: (\S+)", text)
    index = match.group(1) if match else ""
    fields = [f.fieldname for f in meta.all_fields if f.fieldname in index] if index else []
    if not fields or "_id" in index or "_id_" in text:
        return DuplicateEntry(f"{meta.name} {doc['name']!r} already exists", doctype=meta.name,
                              name=doc["name"], errors={"name": ["already exists"]})
    values = ", ".join(f"{f}={doc.get(f)!r}" for f in fields)
    return DuplicateEntry(f"{meta.name}: another record already has {values}", doctype=meta.name,
                          name=doc["name"], errors={f: ["must be unique; another record has this value"] for f in fields})


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
