"""What each store implements of the MongoDB subset the product and its tests use.

A test that needs a feature some server lacks is marked ``@pytest.mark.needs("lookup")`` (one
marker per feature); on a store without it the test is skipped, and the skip says which
feature and which server. ``tests/test_mongo_subset.py`` checks each feature on every store
and prints the matrix the README shows.
"""
from __future__ import annotations

# What FerretDB 1.24 does not implement (from its documentation and code, and checked by
# tests/test_mongo_subset.py): stages, accumulators and expressions, and index semantics.
FERRETDB_LACKS = {
    "lookup": "the $lookup stage",
    "accumulators": "the $avg, $min, $max, $push and $addToSet accumulators",
    "expressions": "the $cond, $ifNull, $size, $arrayElemAt, $year, $month and $dateToString expressions",
    "unwind_options": "$unwind with options",
    "sparse_unique": "sparse unique indexes (several documents without the field pass; sparse is ignored)",
    "atomic_regex": "atomic groups in regular expressions (Go's RE2 never backtracks, so needs none)",
    "transactions": "multi-document transactions",
}


def server_name(site) -> str:
    info = _build_info(site)
    if info is None:
        return site.store.kind
    return f"FerretDB {info['ferretdbVersion']}" if "ferretdbVersion" in info else f"MongoDB {info.get('version')}"


def _build_info(site):
    if site.store.kind != "mongodb":
        return None
    cache = site.__dict__.setdefault("_build_info", {})
    if "info" not in cache:
        cache["info"] = site.db.command("buildInfo")
    return cache["info"]


def missing(site) -> set[str]:
    """The features of FERRETDB_LACKS that ``site``'s store lacks."""
    info = _build_info(site)
    if info is None:
        return {"transactions"}  # mongomock and the embedded store have none either
    if "ferretdbVersion" in info:
        return set(FERRETDB_LACKS)
    return set()


missing.server_name = server_name
