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
    "several_sums": "several $sum accumulators in one $group (all but the first answer 0)",
    "pull_condition": "$pull with a condition such as $in (a plain value is pulled)",
    "bulk_write_errors": "a bulk write with a refused update (its reply lacks nModified, so pymongo raises KeyError)",
    "atomic_updates": "atomic single-document updates under concurrency (an update or findAndModify is read and "
    "written in two steps, so concurrent $inc lose counts and two conditional replaces both win; "
    "FerretDB issue #3040)",
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


# (feature, store) -> "yes" / "no": filled by tests/test_mongo_subset.py, printed at the end.
RESULTS: dict[tuple[str, str], str] = {}
STORE_TITLES = {"mongomock": "mongomock", "embedded": "embedded store", "wire": "over the wire"}


def matrix() -> list[str]:
    """The feature x store table, as Markdown."""
    stores = [s for s in STORE_TITLES if any(k[1] == s for k in RESULTS)]
    names = list(dict.fromkeys(k[0] for k in RESULTS))
    marks = {"yes": "yes", "no": "**no**"}
    lines = ["| feature | " + " | ".join(STORE_TITLES[s] for s in stores) + " |", "|---|" + "---|" * len(stores)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(marks.get(RESULTS.get((name, s)), "not run") for s in stores) + " |")
    return lines
