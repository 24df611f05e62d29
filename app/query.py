"""Listing records: filters, search, sort, fields, paging, and the total count.

Filters come as a list, Frappe style, ``[["service", "=", "IAS"], ["year_of_allotment", ">=", 2015]]``,
or as a dict, ``{"service": "IAS", "year_of_allotment": [">=", 2015]}``. Field names are checked
against the meta (child table fields as ``postings.designation``) and values coerced to the
field's type, so ``"2015"`` compares as the Int 2015. Operators map to the MongoDB subset that
mongomock implements too (see tests/test_mongo_subset.py).
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict

from bson.regex import Regex

from app import inputs
from app.errors import ValidationError
from app.model import customize, persistence, schemas

OPERATORS = {
    "=": "$eq",
    "!=": "$ne",
    ">": "$gt",
    "<": "$lt",
    ">=": "$gte",
    "<=": "$lte",
    "in": "$in",
    "not in": "$nin",
    "like": "like",
    "not like": "not like",
    "is": "is",
    "between": "between",
}
MAX_LIMIT = 1000


def _bad(meta, field, message):
    return ValidationError(f"{meta.name}: filter on {field!r}: {message}", doctype=meta.name, errors={field: [message]})


def parse_filters(ctx, meta, filters) -> dict:
    if filters in (None, "", [], {}):
        return {}
    if isinstance(filters, str):
        filters = inputs.load_json(filters, "filters")
    else:
        inputs.check_value(filters, "filters", max_depth=inputs.MAX_PARAM_DEPTH)
    if isinstance(filters, (list, dict)) and len(filters) > inputs.MAX_CONDITIONS:
        raise ValidationError(
            f"{meta.name}: {len(filters)} filters; at most {inputs.MAX_CONDITIONS} are accepted",
            doctype=meta.name,
            errors={"filters": ["too many conditions"]},
        )
    triples = []
    if isinstance(filters, dict):
        for field, cond in filters.items():
            if isinstance(cond, list) and len(cond) == 2 and isinstance(cond[0], str) and cond[0].lower() in OPERATORS:
                triples.append([field, cond[0], cond[1]])
            else:
                triples.append([field, "=", cond])
    elif isinstance(filters, list):
        for item in filters:
            if not (isinstance(item, list) and len(item) == 3):
                raise ValidationError(
                    f"{meta.name}: each filter must be [field, operator, value], got {item!r}",
                    doctype=meta.name,
                    errors={"filters": [f"bad filter {item!r}"]},
                )
            triples.append(item)
    else:
        raise ValidationError(
            f"{meta.name}: filters must be a list or an object",
            doctype=meta.name,
            errors={"filters": ["must be a list or an object"]},
        )
    clauses = [_clause(ctx, meta, *t) for t in triples]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def resolve_field(ctx, meta, path: str):
    """(mongo key, Field or None for standard fields) for a filter or sort path. A field the
    caller may not read is refused: matching or ordering on it would tell its values."""
    if not isinstance(path, str) or not path:
        raise _bad(meta, str(path), "a field name must be a non-empty text")
    if path == "name":
        return "_id", None
    head, _, rest = path.partition(".")
    f = meta.get_field(head)
    if f is None:
        if head in meta.known_fieldnames and not rest:
            return head, None
        raise _bad(meta, path, f"unknown field: {meta.name} has no field {head!r}")
    _check_readable(ctx, meta, f, path)
    if rest:
        if f.fieldtype != "Table":
            raise _bad(meta, path, f"{head!r} is not a child table")
        child = ctx.registry.get(f.options)
        cf = child.get_field(rest)
        if cf is None and rest not in child.known_fieldnames:
            raise _bad(meta, path, f"unknown field: {child.name} has no field {rest!r}")
        if cf is not None:
            _check_readable(ctx, child, cf, path)
        return path, cf
    return head, f


def _check_readable(ctx, meta, f, path: str) -> None:
    if f.permlevel and f.permlevel not in ctx.access.readable_levels(meta):
        raise _bad(meta, path, f"you may not filter, search or sort on {f.label}")


def readable_search_fields(ctx, meta) -> list[str]:
    """The meta's search fields that the caller may read on every record they may read."""
    levels = ctx.access.readable_levels(meta)
    return [name for name in meta.search_fields if (f := meta.get_field(name)) is None or f.permlevel in levels]


SCALARS = (str, int, float, bool, type(None))


def _coerce(ctx, meta, field_path, f, value):
    if not isinstance(value, SCALARS):
        raise _bad(meta, field_path, f"{value!r} is not a value to compare with (a text, a number, true or false)")
    if f is None or value is None:
        if field_path.split(".")[0] in ("creation", "modified") and value is not None:
            try:
                return schemas.UTCDateTime().deserialize(value)
            except Exception:  # marshmallow.ValidationError
                raise _bad(
                    meta, field_path, f"{value!r} is not a date and time (e.g. 2026-12-01 or 2026-12-01T09:30:00)"
                ) from None
        return value
    if f.fieldtype in ("Table",):
        raise _bad(meta, field_path, "filter on a child table's fields, e.g. table.field")
    try:
        return schemas.marshmallow_field(f).deserialize(value)
    except Exception as exc:  # marshmallow.ValidationError
        messages = getattr(exc, "messages", [str(exc)])
        raise _bad(meta, field_path, f"{value!r}: {'; '.join(map(str, messages))}") from None


def _clause(ctx, meta, field, op, value) -> dict:
    key, f = resolve_field(ctx, meta, field)
    op = str(op).lower()
    if op not in OPERATORS:
        raise _bad(meta, field, f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
    if op in ("in", "not in"):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        if not isinstance(value, list):
            raise _bad(meta, field, f"{op!r} takes a list of values, got {value!r}")
        if len(value) > inputs.MAX_VALUES:
            raise _bad(meta, field, f"{op!r} takes at most {inputs.MAX_VALUES} values, got {len(value)}")
        return {key: {OPERATORS[op]: [_coerce(ctx, meta, field, f, v) for v in value]}}
    if op in ("like", "not like"):
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _bad(meta, field, f"{op!r} takes a text pattern, got {value!r}")
        pattern = like_pattern(inputs.pattern(value, f"filters: {field}"), ctx.site.store.regex_dialect)
        cond = {"$regex": pattern, "$options": "is"}
        # a BSON regex with exactly these options (a compiled Python pattern would also carry "u")
        return {key: cond} if op == "like" else {key: {"$not": Regex(pattern, "is")}}
    if op == "is":
        if value not in ("set", "not set"):
            raise _bad(meta, field, "'is' takes 'set' or 'not set'")
        empty = [None, ""]
        return {key: {"$nin": empty}} if value == "set" else {key: {"$in": empty}}
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2):
            raise _bad(meta, field, "'between' takes [low, high]")
        return {key: {"$gte": _coerce(ctx, meta, field, f, value[0]), "$lte": _coerce(ctx, meta, field, f, value[1])}}
    return {key: {OPERATORS[op]: _coerce(ctx, meta, field, f, value)}}


def like_pattern(value: str, dialect: str = "atomic") -> str:
    """A ``like`` pattern (``%`` for any text, the rest literal) as an anchored regex that
    matches in linear time. Each piece between two ``%`` is found at its first occurrence
    after the previous piece, in an atomic group, so nothing is ever tried twice; the last
    piece must end the value. (Taking the first occurrence is always right: a later one
    leaves less room for what follows.) ``dialect="re2"``: servers whose regex engine never
    backtracks and has no atomic groups (Go's RE2) get the plain form."""
    pieces = str(value).split("%")
    if len(pieces) == 1:
        return "^" + re.escape(pieces[0]) + "$"
    first, middle, last = pieces[0], [p for p in pieces[1:-1] if p], pieces[-1]
    if dialect == "re2":
        return "^" + re.escape(first) + "".join(f".*{re.escape(p)}" for p in middle) + ".*" + re.escape(last) + "$"
    return "^" + re.escape(first) + "".join(f"(?>.*?{re.escape(p)})" for p in middle) + ".*" + re.escape(last) + "$"


def parse_sort(ctx, meta, order_by: str | None) -> list[tuple[str, int]]:
    """``"modified desc"``, ``"-modified"`` or ``"year_of_allotment asc, full_name"``."""
    order_by = order_by or meta.default_sort
    if not isinstance(order_by, str) or len(order_by) > inputs.MAX_PATTERN:
        raise _bad(meta, "order_by", f"must be a text such as 'modified desc' of at most {inputs.MAX_PATTERN} characters")
    sort = []
    meta = customize.query_meta(ctx, meta)
    for part in order_by.split(","):
        words = part.strip().split()
        if not words:
            continue
        field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
        if field.startswith("-"):
            field, direction = field[1:], "desc"
        if direction not in ("asc", "desc"):
            raise _bad(meta, field, f"sort direction must be asc or desc, got {direction!r}")
        key, _ = resolve_field(ctx, meta, field)
        sort.append((key, 1 if direction == "asc" else -1))
    if not any(k == "_id" for k, _ in sort):
        sort.append(("_id", sort[-1][1] if sort else 1))  # a stable order for paging
    return sort


def search_filter(meta, text: str | None, fields=None) -> dict:
    """``text`` anywhere in the name or a search field (``fields``: those the caller may read;
    the meta's by default)."""
    if not text:
        return {}
    pattern = re.escape(inputs.pattern(text, "search").strip())
    keys = ["_id"] + list(meta.search_fields if fields is None else fields)
    return {"$or": [{k: {"$regex": pattern, "$options": "i"}} for k in keys]}


def build_query(ctx, meta, filters=None, search=None, action="read") -> dict:
    meta = customize.query_meta(ctx, meta)
    parts = [
        p
        for p in (
            ctx.access.query_filter(meta, action),
            parse_filters(ctx, meta, filters),
            search_filter(meta, search, readable_search_fields(ctx, meta)),
        )
        if p
    ]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


def get_list(
    ctx, doctype: str, *, filters=None, fields=None, order_by=None, limit=20, offset=0, search=None, with_total=True
) -> tuple[list[dict], int | None]:
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    query = build_query(ctx, meta, filters, search)
    projection = None
    if fields:
        fields = inputs.field_list(fields)
        projection = {"_id": 1, "mdo": 1}  # mdo: which custom fields a row shows
        if meta.is_tenant:
            projection[meta.tenant_key] = 1
        qmeta = customize.query_meta(ctx, meta)
        needs = meta.controller().present_needs
        for name in fields:
            projection[resolve_field(ctx, qmeta, name)[0]] = 1
            projection.update({extra: 1 for extra in needs.get(name, ())})
    if int(offset) < 0 or int(limit) < 0:
        raise ValidationError(
            f"{meta.name}: limit and offset cannot be negative",
            doctype=meta.name,
            errors={"offset" if int(offset) < 0 else "limit": ["cannot be negative"]},
        )
    limit = min(int(limit), MAX_LIMIT)
    coll = ctx.site.collection(doctype)
    sort = parse_sort(ctx, meta, order_by)
    if ctx.site.store.kind == "embedded":
        raw, total = _page_in_one_pass(coll, query, projection, sort, int(offset), limit)
        total = total if with_total else None
    else:
        cursor = coll.find(query, projection).sort(sort).skip(int(offset))
        raw = cursor.limit(limit) if limit else cursor
        total = None
        if with_total:  # an unfiltered count is the collection's size: no scan
            total = coll.estimated_document_count() if not query else coll.count_documents(query)
    rows = [customize.present(ctx, meta, persistence.from_db(r)) for r in raw]
    if fields:
        wanted = {"name", *(f.split(".")[0] for f in fields)}
        rows = [{k: v for k, v in row.items() if k in wanted} for row in rows]
    return rows, total


_ORDERS: OrderedDict[tuple, object] = OrderedDict()
_ORDERS_LOCK = threading.Lock()
_FLIGHTS: dict[tuple, threading.Lock] = {}
ORDER_CACHE_SIZE = 256


def _cached_order(key):
    with _ORDERS_LOCK:
        cached = _ORDERS.get(key)
        if cached is not None:
            _ORDERS.move_to_end(key)
        return cached


def _page_in_one_pass(coll, query, projection, sort, offset, limit):
    """The embedded store evaluates a filter and a sort in Python, document by document:
    rather than once for the page and again for the count, find the matching names in order
    once, count them, and fetch the page's records by name. The ordered names are kept, and
    kept current, as the collection changes (``_ordered_names``), so paging and re-reading a
    list costs one fetch of its page."""
    names = _ordered_names(coll, query, sort)
    page = names[offset : offset + limit] if limit else names[offset:]
    found = {d["_id"]: d for d in coll.find({"_id": {"$in": page}}, projection)}
    return [found[name] for name in page if name in found], len(names)


def _ordered_names(coll, query, sort) -> list:
    """The names matching ``query`` on the embedded store, in ``sort`` order. A list is read
    whole once; after that, the documents changed since, by any process, are taken in one by
    one (``scan.Ordered.changed``, from ``patches.changes_since``); it is read whole again only
    when the change log cannot say what changed (trimmed, or the collection dropped)."""
    from app.store import patches, scan

    key = (coll.full_name, json.dumps(query, sort_keys=True, default=str), tuple(sort))
    version = patches.data_version(coll)
    cached = _cached_order(key)
    if cached is not None and cached.version == version:
        return cached.names
    with _ORDERS_LOCK:
        flight = _FLIGHTS.setdefault(key, threading.Lock())
    with flight:  # one request brings a list up to date; the others wait for it, then share it
        cached = _cached_order(key)
        version = patches.data_version(coll)  # read before the documents, so nothing is missed
        if cached is not None and cached.version == version:
            return cached.names
        changed = patches.changes_since(coll, cached.version, version) if cached is not None else None
        if changed is not None:
            with _ORDERS_LOCK:
                _ORDERS.pop(key, None)  # until it is current again (a failure half-way leaves none)
            ordered = cached.changed(coll, changed)
        else:
            ordered = scan.Ordered.compute(coll, query, sort)
        ordered.version = version
        if version is not None:
            with _ORDERS_LOCK:
                _ORDERS[key] = ordered
                while len(_ORDERS) > ORDER_CACHE_SIZE:
                    _FLIGHTS.pop(_ORDERS.popitem(last=False)[0], None)
    return ordered.names


WARM_FROM = 5_000  # documents: a collection this big is read ahead when a server starts


def warm(site, threshold: int = WARM_FROM) -> list[str]:
    """On the embedded store, read ahead what the first request would otherwise wait for
    (seconds at 100,000 officers): for each doctype whose list view says ``read_ahead`` (the
    lists read most: officers, accounts) and that holds at least ``threshold`` records, its
    query index and its whole list in the default order as the platform sees it. ``igot
    serve`` runs it as each process starts, before the process takes requests. Returns the
    doctypes read ahead."""
    if site.store.kind != "embedded":
        return []
    ctx = site.context()
    warmed = []
    for meta in site.registry:
        if meta.is_child or not meta.list_view.get("read_ahead"):
            continue
        coll = site.collection(meta.name)
        if coll.estimated_document_count() < threshold:
            continue
        get_list(ctx, meta.name, limit=1, with_total=False)
        warmed.append(meta.name)
    return warmed


def count(ctx, doctype: str, *, filters=None, search=None) -> int:
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    query = build_query(ctx, meta, filters, search)
    coll = ctx.site.collection(doctype)
    if not query:
        return coll.estimated_document_count()
    if ctx.site.store.kind == "embedded":  # the matching names (unsorted), kept until the collection changes
        return len(_ordered_names(coll, query, []))
    return coll.count_documents(query)


def iter_all(ctx, doctype: str, *, filters=None, batch: int = 1000):
    """Every matching record, in name order, fetched in batches (exports)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "export")
    query = build_query(ctx, meta, filters, action="export")
    coll = ctx.site.collection(doctype)
    last = None
    while True:
        q = query if last is None else {"$and": [query, {"_id": {"$gt": last}}]} if query else {"_id": {"$gt": last}}
        page = list(coll.find(q).sort("_id", 1).limit(batch))
        if not page:
            return
        for raw in page:
            yield customize.present(ctx, meta, persistence.from_db(raw))
        last = page[-1]["_id"]


def count_by(ctx, doctype: str, field: str, limit: int = 10) -> list[tuple]:
    """(value, records) for the records the caller may read, most first: a dashboard's
    "by service" bar. On the embedded store the records are matched directly (app.store.scan)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    resolve_field(ctx, meta, field)  # a field the caller may read
    scope = ctx.access.query_filter(meta)
    coll = ctx.site.collection(doctype)
    docs = None
    if ctx.site.store.kind == "embedded" and "." not in field:
        from app.store import scan

        docs = scan.matching(coll, scope or {})
    if docs is not None:
        counts: dict = {}
        for d in docs:
            counts[d.get(field)] = counts.get(d.get(field), 0) + 1
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    else:
        rows = [
            (r["_id"], r["n"])
            for r in coll.aggregate(
                ([{"$match": scope}] if scope else [])
                + [{"$group": {"_id": f"${field}", "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}]
            )
        ]
    return rows[:limit]


def aggregate(ctx, doctype: str, pipeline: list[dict]) -> list[dict]:
    """Run an aggregation over the records the caller may read: their scope (MDOs, owner)
    is the pipeline's first stage, so reports and dashboards obey the same tenancy as lists."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    scope = ctx.access.query_filter(meta)
    stages = ([{"$match": scope}] if scope else []) + list(pipeline)
    return list(ctx.site.collection(doctype).aggregate(stages))
