"""Every query on an index: while the suite runs, every query, update, delete and aggregation
the application issues (filter keys, sort keys, collection) is recorded, and at the end each
must be served by an index the meta declares: its equality fields, then its sort fields, as
a prefix of a declared index (ranges may follow). A query that is not fails the suite, named
with its collection and where in the code it was issued. The few deliberate exceptions are
``EXCEPTIONS`` below, each with its reason (and in docs/scaling.md).

Recording wraps the query methods of mongomock's engine, which both test stores use (the
embedded store is a copy of that engine over SQLite). Queries written by the tests themselves are not recorded.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = tuple(str(ROOT / d) + "/" for d in ("app", "doctypes", "admin", "scripts"))
SKIP = (str(ROOT / "app" / "store") + "/", str(ROOT / "tests") + "/", str(ROOT / "app" / "persistence.py"))
QUERY = str(ROOT / "app" / "query.py")
EQUALITY_OPS = {"$eq", "$in", "$all"}
_inside = threading.local()  # the engine's own queries inside a recorded one are not recorded


def _nested(call, *args, **kwargs):
    """Run ``call`` with the queries it makes itself left unrecorded."""
    _inside.depth = getattr(_inside, "depth", 0) + 1
    try:
        return call(*args, **kwargs)
    finally:
        _inside.depth -= 1


# Code that lists records with the filters, search and order a user chose (the API's list
# and link lookups, the admin's list screens). Their default list (the caller's MDOs or own
# records, in the doctype's default order) must be indexed like any other query; a filter,
# search or order the user picks is served by an index when one fits and otherwise scans the
# caller's records: ad-hoc filters on every field cannot all be indexed.
USER_LISTS = {
    "app/web/resource.py:list_records",
    "app/web/session.py:_link_options",
    "admin/views.py:get_list",
    "admin/link.py:lookup",
}
SCOPE_KEYS = {"mdo", "owner", "docstatus"}

# Code location -> why its queries may go without an index.
EXCEPTIONS = {
    "app/importer.py:_names": "an import looks up each distinct Link title (a service's, a position's) once per file,"
    " in the small doctypes a title names; an officer by e-mail (unique) or employee id (indexed), in the caller's MDOs",
    "app/importer.py:export_rows": "exports read a whole collection (or the user's filter) once, in batches by _id",
    "doctypes/frac/frac.py:rebuild": "`igot rollups rebuild` recomputes every rollup from whole collections, on purpose",
    "doctypes/organisation/activity.py:rebuild": "the same, for the MDO dashboard's rollup",
    "app/cli.py:shell": "what a user types in `igot shell`",
    "app/fixtures.py:load_records": "installing fixtures compares a handful of rows by name",
    "app/install.py:sync_doctypes": "recording the definitions at install",
    "app/install.py:claim_attachments": "once per installation: every record with an Attach field, to claim its files",
    "app/install.py:is_initialised": "one find_one({}) at start: is any definition recorded (stops at the first document)",
    "app/docs.py:generate": "the data dictionary reads every custom field",
    "app/analytics.py:run": "saved analyses aggregate whole collections (or one MDO's, on the mdo index)",
    "doctypes/content/catalogue.py:modules": "the catalogue's filters as a learner combines them (competency, kind, language, title), among published modules",
    "app/analysts.py:aggregate": "the analysts' own queries and saved analyses, through the analysts' surface",
    "admin/home.py:index": "the home page counts each doctype's records the caller may see (estimated on MongoDB)",
    "doctypes/organisation/figures.py:officers_by": "the home page's officers by MDO, from the dashboard rollup",
    # Across every MDO (System Manager, Analyst, DoPT): the rollups themselves are the summary,
    # one small row per MDO and month or per MDO, position and competency.
    "doctypes/organisation/activity.py:dashboard|unfiltered": "every MDO's dashboard rollup rows",
    "doctypes/organisation/activity.py:by_mdo|unfiltered": "every MDO's dashboard rollup rows",
    "doctypes/programmes/programme_rules.py:claim_totals|unfiltered": "fee claims across MDOs (a few thousand a year) for finance",
}


@dataclass(frozen=True)
class Shape:
    collection: str
    equality: tuple
    sort: tuple
    ranges: tuple
    where: str
    listing: bool = False  # issued through app.query's list for a user's list (USER_LISTS)


def _keys(flt, eq: set, rng: set) -> list[dict]:
    """Split a filter into equality and range fields; an $or gives one branch per alternative."""
    branches = []
    for key, value in (flt or {}).items():
        if key == "$and":
            for part in value:
                for b in _keys(part, eq, rng):
                    branches.append(b)
        elif key in ("$or", "$nor"):
            branches.append({"or": value})
        elif key.startswith("$"):
            continue
        elif isinstance(value, dict) and any(k.startswith("$") for k in value):
            (eq if set(value) <= EQUALITY_OPS else rng).add(key)
        else:
            eq.add(key)
    return branches


def shapes_of(flt, sort) -> list[tuple[tuple, tuple, tuple]]:
    eq, rng = set(), set()
    branches = _keys(flt, eq, rng)
    sort_keys = tuple((k, 1 if d in (1, "1", "asc") else -1) for k, d in (sort or []))
    out = [(tuple(sorted(eq)), sort_keys, tuple(sorted(rng)))]
    for b in branches:
        if "or" in b:
            out = []
            for alt in b["or"]:
                e2, r2 = set(eq), set(rng)
                _keys(alt, e2, r2)
                out.append((tuple(sorted(e2)), sort_keys, tuple(sorted(r2))))
    return out


def served(equality: tuple, sort: tuple, ranges: tuple, indexes: list[list[tuple]]) -> bool:
    """Whether some index has the equality fields, then the sort fields, as a prefix."""
    if "_id" in equality:
        return True
    sort = tuple(k for k in sort if k[0] not in equality)  # ordering by a field held equal is free
    if not equality and not sort and not ranges:
        return False  # a whole-collection scan
    for index in indexes:
        names = [k for k, _ in index]
        n = len(equality)
        if set(names[:n]) != set(equality):
            continue
        rest = index[n : n + len(sort)]
        if len(rest) != len(sort) or [k for k, _ in rest] != [k for k, _ in sort]:
            continue
        same = all(d == rd for (_, d), (_, rd) in zip(sort, rest))
        flipped = all(d == -rd for (_, d), (_, rd) in zip(sort, rest))
        if not (same or flipped):
            continue
        if not equality and not sort and names[0] not in ranges:
            continue
        return True
    return False


def _where() -> tuple[str, bool] | None:
    """The application code that issued the query, as ``path:function`` (app/query.py's
    helpers are looked through to their caller), and whether it is a user's list; None for
    queries the tests write themselves."""
    frame = sys._getframe(2)
    via_query = False
    while frame is not None:
        filename, name = frame.f_code.co_filename, frame.f_code.co_name
        if filename == __file__ or name.startswith("<"):  # comprehensions: their function is next
            pass
        elif "/gridfs/" in filename:
            return None  # GridFS's own queries, on the indexes it creates
        elif filename.startswith(SKIP):
            if filename.startswith(SKIP[1]):
                return None
        elif filename == QUERY:
            via_query = True
        elif filename.startswith(OURS):
            where = f"{Path(filename).relative_to(ROOT)}:{name}"
            return where, via_query and where in USER_LISTS
        frame = frame.f_back
    return None


class Recorder:
    def __init__(self):
        self.shapes: set[Shape] = set()
        self.examples: dict[Shape, str] = {}

    def record(self, collection: str, flt, sort, text: str, where=None):
        where = where or _where()
        if where is None:
            return
        for eq, srt, rng in shapes_of(flt, sort):
            shape = Shape(collection, eq, srt, rng, *where)
            if shape not in self.shapes:
                self.shapes.add(shape)
                self.examples[shape] = text[:300]

    def install(self):
        """Wrap the query methods of both mongomock engines (mongomock, and the copy inside
        litemongo), after the store's own patches, so both test stores are recorded."""
        import mongomock.collection as mc
        from litemongo._vendor.mongomock import collection as lc

        from app.store import patches

        patches.apply()
        for module in (mc, lc):
            self._wrap(module.Collection, module.Cursor)

    def _wrap(self, C, Cursor):
        recorder = self

        def wrap(name, flt_arg=0, sort_kw=None, pipeline=False):
            original = getattr(C, name)

            def method(self, *args, **kwargs):
                if getattr(_inside, "depth", 0):
                    return original(self, *args, **kwargs)
                try:
                    if pipeline:
                        stages = list(args[0] if args else kwargs.get("pipeline", []))
                        match = stages[0].get("$match") if stages else None
                        after = stages[1:] if match is not None else stages
                        sort = list(after[0]["$sort"].items()) if after and "$sort" in after[0] else None
                        recorder.record(self.name, match or {}, sort, f"aggregate({stages!r})")
                    else:
                        flt = args[flt_arg] if len(args) > flt_arg else kwargs.get("filter", {})
                        sort = kwargs.get(sort_kw) if sort_kw else None
                        recorder.record(
                            self.name,
                            flt if isinstance(flt, dict) else {"_id": flt},
                            sort,
                            f"{name}({flt!r}{', sort=' + repr(sort) if sort else ''})",
                        )
                except Exception:  # never let the recorder break a query
                    pass
                return _nested(original, self, *args, **kwargs)

            method.__name__ = name
            setattr(C, name, method)

        for name in ("count_documents", "update_one", "update_many", "replace_one", "delete_one", "delete_many", "distinct"):
            wrap(name, flt_arg=1 if name == "distinct" else 0)
        for name in ("find_one_and_update", "find_one_and_replace", "find_one_and_delete"):
            wrap(name, sort_kw="sort")
        wrap("aggregate", pipeline=True)
        counted = C.estimated_document_count  # metadata on MongoDB; the engine counts by query

        def estimated_document_count(self, *args, **kwargs):
            return _nested(counted, self, *args, **kwargs)

        C.estimated_document_count = estimated_document_count
        original_find, original_sort, original_next = C.find, Cursor.sort, Cursor.__next__

        def find(self, filter=None, *args, **kwargs):
            cursor = original_find(self, filter, *args, **kwargs)
            where = None if getattr(_inside, "depth", 0) else _where()
            cursor._igot_record = (recorder, self.name, filter or {}, kwargs.get("sort"), where)
            return cursor

        def sort(self, key_or_list, direction=None):
            info = getattr(self, "_igot_record", None)
            if info is not None:
                keys = [(key_or_list, direction or 1)] if isinstance(key_or_list, str) else list(key_or_list)
                self._igot_record = info[:3] + (keys, info[4])
            return original_sort(self, key_or_list, direction)

        def next_(self):
            info = self.__dict__.pop("_igot_record", None)
            if info is not None:
                rec, coll, flt, srt, where = info
                try:
                    if where is not None:
                        rec.record(
                            coll,
                            flt if isinstance(flt, dict) else {"_id": flt},
                            srt,
                            f"find({flt!r}{', sort=' + repr(srt) if srt else ''})",
                            where,
                        )
                except Exception:
                    pass
            return original_next(self)

        next_.__wrapped__ = original_next
        C.find, Cursor.sort, Cursor.__next__, Cursor.next = find, sort, next_, next_


def declared_indexes() -> dict[str, list[list[tuple]]]:
    from app.install import INTERNAL_INDEXES, index_specs
    from app.model.controllers import load_registry

    from .conftest import TEST_DOCTYPES

    out: dict[str, list] = {c: [[("_id", 1)], *(list(k) for k in specs)] for c, specs in INTERNAL_INDEXES.items()}
    for meta in load_registry((ROOT / "app" / "doctypes", ROOT / "doctypes", TEST_DOCTYPES)):
        if not meta.is_child:
            out.setdefault(meta.collection, [[("_id", 1)]]).extend(spec["keys"] for spec in index_specs(meta))
    out.setdefault("fs.files", []).append([("filename", 1), ("uploadDate", 1)])  # GridFS's own
    out.setdefault("fs.chunks", []).append([("files_id", 1), ("n", 1)])
    return out


def _default_sorts() -> dict[str, tuple]:
    from app.model.controllers import load_registry

    from .conftest import TEST_DOCTYPES

    out = {}
    for meta in load_registry((ROOT / "app" / "doctypes", ROOT / "doctypes", TEST_DOCTYPES)):
        spec = (meta.list_view or {}).get("sort") or "-modified"
        keys = [k.strip() for k in spec.split(",")]
        out[meta.collection] = tuple((k.lstrip("-"), -1 if k.startswith("-") else 1) for k in keys)
        out[meta.collection + ":owner"] = meta.owner_field
    return out


def excepted(shape: Shape, defaults: dict) -> str | None:
    if shape.where in EXCEPTIONS:
        return EXCEPTIONS[shape.where]
    if not shape.equality and not shape.ranges and f"{shape.where}|unfiltered" in EXCEPTIONS:
        return EXCEPTIONS[f"{shape.where}|unfiltered"]
    if shape.listing:
        scope = SCOPE_KEYS | {defaults.get(shape.collection + ":owner")}
        order = tuple(k for k in shape.sort if k[0] != "_id")
        default = shape.sort == () or order == defaults.get(shape.collection)
        if not (set(shape.equality) <= scope and not shape.ranges and default):
            return "a filter, search or order the user chose"
    return None


def violations(recorder: Recorder) -> list[str]:
    indexes, defaults = declared_indexes(), _default_sorts()
    out = []
    for shape in sorted(recorder.shapes, key=lambda s: (s.collection, s.where, s.equality, s.sort)):
        if excepted(shape, defaults) or served(shape.equality, shape.sort, shape.ranges, indexes.get(shape.collection, [])):
            continue
        out.append(
            f"{shape.collection}: equality {list(shape.equality)}, sort {list(shape.sort)}, range {list(shape.ranges)} "
            f"from {shape.where}, e.g. {recorder.examples[shape]}"
        )
    return out
