"""The embedded store and our patches to mongomock/litemongo."""

import multiprocessing

import mongomock
import pytest
from pymongo.errors import DuplicateKeyError

from app.config import Config
from app.store import connect, patches


class SliceCountingList(list):
    slices = 0

    def __getitem__(self, item):
        if isinstance(item, slice):
            SliceCountingList.slices += 1
        return super().__getitem__(item)


def random_value(rnd, depth=0, *, odd_containers=False, dates=False):
    """A random value for a written document: plain values, naive and aware datetimes, nested
    documents and lists; with ``odd_containers`` tuples and OrderedDicts too, and with
    ``dates`` calendar dates (which BSON cannot store)."""
    import collections
    import datetime as dt

    from bson import ObjectId

    roll = rnd.random()
    if depth < 3 and roll < 0.15:
        return {
            f"k{i}": random_value(rnd, depth + 1, odd_containers=odd_containers, dates=dates) for i in range(rnd.randint(0, 3))
        }
    if depth < 3 and roll < 0.25:
        return [random_value(rnd, depth + 1, odd_containers=odd_containers, dates=dates) for _ in range(rnd.randint(0, 3))]
    if odd_containers and depth < 3 and roll < 0.3:
        return tuple(random_value(rnd, depth + 1, odd_containers=True, dates=dates) for _ in range(2))
    if odd_containers and depth < 3 and roll < 0.35:
        return collections.OrderedDict(
            (f"o{i}", random_value(rnd, depth + 1, odd_containers=True, dates=dates)) for i in range(2)
        )
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    leaves = [
        lambda: rnd.randint(-(2**40), 2**40),
        lambda: rnd.random(),
        lambda: rnd.choice(["", "text", "पाठ्यक्रम"]),
        lambda: None,
        lambda: rnd.random() < 0.5,
        lambda: b"raw",
        lambda: ObjectId(),
        lambda: dt.datetime(2026, 12, 6, 10, 30, 15, rnd.randrange(10**6)),
        lambda: dt.datetime(2026, 12, 6, 10, 30, 15, rnd.randrange(10**6), tzinfo=ist),
    ] + ([lambda: dt.date(2026, 12, 6)] if dates else [])
    return rnd.choice(leaves)()


@pytest.fixture(params=["mongomock", "embedded"])
def db(request, tmp_path):
    store = connect(Config(store=request.param, data_dir=tmp_path / "var"))
    yield store.db
    store.close()


def test_patches_are_applied(db):
    from litemongo._vendor.mongomock import collection as lite_collection

    # (under the test suite's query recorder, tests/index_check.py, which wraps them)
    unwrap = lambda f: getattr(f, "__wrapped__", f)
    assert unwrap(mongomock.collection.Cursor.__next__) is patches.linear_next
    assert unwrap(lite_collection.Cursor.__next__) is patches.linear_next


def test_iteration_does_not_slice_per_document(db):
    db.items.insert_many([{"n": i} for i in range(500)])
    cursor = db.items.find().skip(10).limit(400)
    cursor._compute_results()
    cursor._results = SliceCountingList(cursor._results)
    SliceCountingList.slices = 0
    assert [d["n"] for d in cursor] == list(range(10, 410))
    assert SliceCountingList.slices == 0


@pytest.mark.parametrize("skip, limit, direction", [(0, 0, 1), (5, 0, 1), (0, 7, -1), (95, 10, 1), (3, -4, -1), (200, 5, 1)])
def test_skip_limit_sort_results_unchanged(db, skip, limit, direction):
    db.items.insert_many([{"n": i, "even": i % 2 == 0} for i in range(100)])
    expected = sorted(range(0, 100, 2), reverse=direction == -1)[skip:]
    if limit:
        expected = expected[: abs(limit)]
    got = [d["n"] for d in db.items.find({"even": True}).sort("n", direction).skip(skip).limit(limit)]
    assert got == expected


def test_find_one_and_empty_results(db):
    assert db.items.find_one({"n": 1}) is None
    assert list(db.items.find()) == []
    db.items.insert_one({"n": 1})
    assert db.items.find_one({"n": 1})["n"] == 1


def test_other_versions_are_refused(monkeypatch):
    monkeypatch.setattr(patches.metadata, "version", lambda package: "9.9.9")
    with pytest.raises(patches.PinnedVersionError, match="written for mongomock==4.3.0, found 9.9.9"):
        patches.check_versions()


def test_embedded_data_survives_reconnect(tmp_path):
    config = Config(store="embedded", data_dir=tmp_path / "var")
    store = connect(config)
    store.db.things.create_index("code", unique=True)
    store.db.things.insert_one({"_id": "a", "code": 1})
    store.close()
    again = connect(config)
    assert again.db.things.find_one({"_id": "a"})["code"] == 1
    with pytest.raises(DuplicateKeyError):
        again.db.things.insert_one({"_id": "b", "code": 1})


def _race_unique(data_dir, worker, queue):
    store = connect(Config(store="embedded", data_dir=data_dir))
    stored = 0
    for i in range(100):
        try:
            store.db.things.insert_one({"code": i, "worker": worker})
            stored += 1
        except DuplicateKeyError:
            pass
    queue.put(stored)


def test_unique_index_holds_across_processes(tmp_path):
    data_dir = tmp_path / "var"
    store = connect(Config(store="embedded", data_dir=data_dir))
    store.db.things.create_index("code", unique=True)
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [mp.Process(target=_race_unique, args=(data_dir, w, queue)) for w in range(2)]
    for p in procs:
        p.start()
    stored = queue.get(timeout=120) + queue.get(timeout=120)
    for p in procs:
        p.join(timeout=60)
    assert stored == 100
    assert store.db.things.count_documents({}) == 100
    assert len(store.db.things.distinct("code")) == 100


def test_negative_skip_keeps_mongomock_semantics(db):
    db.items.insert_many([{"n": i} for i in range(10)])
    assert [d["n"] for d in db.items.find().sort("n", 1).skip(-3)] == [7, 8, 9]


MIXED = [
    None,
    3,
    2.5,
    -1,
    "b",
    "a",
    "é",
    "",
    True,
    False,
    {"x": 1},
    {"a": 2},
    [2, 1],
    [],
    b"\x00bin",
    __import__("datetime").datetime(2026, 1, 1),
    __import__("datetime").datetime(2020, 5, 5),
    __import__("bson").ObjectId("6b046ed2c7d73dd2098fb1da"),
    __import__("bson").ObjectId("5b046ed2c7d73dd2098fb1da"),
    7,
    "a",
]


@pytest.mark.parametrize("direction", [1, -1])
def test_fast_sort_key_orders_like_the_original(db, direction):

    from mongomock import filtering

    docs = [{"_id": i, "v": v} for i, v in enumerate(MIXED)] + [{"_id": 100}]  # one with no v
    db.items.insert_many(docs)
    got = [d["_id"] for d in db.items.find().sort("v", direction)]
    original = patches.ORIGINAL_SORT_KEY[filtering.__name__]
    expected = [d["_id"] for d in sorted(docs, key=lambda d: original("v", d), reverse=direction < 0)]
    assert got == expected


def test_embedded_list_order_cache_follows_every_write(tmp_path):
    """Lists on the embedded store keep their ordered names until the collection changes:
    a write by this process or a commit by another connection (another process) shows at once."""
    from app import install, query
    from app.model import lifecycle
    from app.site import Site

    from .conftest import make_config

    a = Site(make_config("embedded", tmp_path / "var"))
    install.init(a)
    b = Site(make_config("embedded", tmp_path / "var"))  # a second connection to the same files
    try:

        def names():
            rows, total = query.get_list(a.context(), "MDO", order_by="name desc", limit=5)
            return [r["name"] for r in rows], total

        first, total = names()
        assert names() == (first, total)  # served again, unchanged
        lifecycle.insert(a.context(), "MDO", {"mdo_name": "Zz Ministry A", "mdo_type": "Ministry"})
        assert names()[0][0] == "Zz Ministry A" and names()[1] == total + 1
        lifecycle.insert(b.context(), "MDO", {"mdo_name": "Zzz Ministry B", "mdo_type": "Ministry"})
        assert names()[0][:2] == ["Zzz Ministry B", "Zz Ministry A"] and names()[1] == total + 2
        b.db.mdo.delete_one({"_id": "Zzz Ministry B"})
        assert names()[0][0] == "Zz Ministry A" and names()[1] == total + 1
    finally:
        b.close()
        a.close()


def test_the_fast_list_scan_agrees_with_the_store(tmp_path):
    """app.store.scan finds the same names in the same order as the embedded store's own
    matcher, on random documents and the query shapes lists use; it declines the others.
    (Booleans live in their own field here: the store's matcher takes true for 1, MongoDB
    does not, and the scan follows MongoDB.)"""
    import datetime as dt
    import random
    import re

    from app.store import connect, scan

    store = connect(Config(store="embedded", data_dir=tmp_path / "var"))
    coll = store.db.things
    rnd = random.Random(11)
    values = [
        None,
        0,
        1,
        2.5,
        -3,
        "a",
        "B",
        "abc",
        "Ministry of Power",
        "",
        dt.datetime(2026, 1, 2),
        dt.datetime(2025, 5, 1),
        [1, "a"],
        ["x", "y"],
        [],
    ]
    docs = []
    for i in range(300):
        doc = {"_id": f"D{i:04d}"}
        for field in ("f", "g", "h"):
            if rnd.random() < 0.8:
                doc[field] = rnd.choice(values)
        if rnd.random() < 0.8:
            doc["k"] = rnd.choice([True, False, None])
        if rnd.random() < 0.8:
            doc["rows"] = [{"m": rnd.choice(["Power", "Steel", "Coal"])} for _ in range(rnd.randrange(0, 3))]
        docs.append(doc)
    coll.insert_many(docs)
    scalars = [v for v in values if not isinstance(v, list)]

    def condition():
        field, kind = rnd.choice("fgh"), rnd.randrange(10)
        v = rnd.choice(scalars)
        if kind == 9:
            return rnd.choice(
                [
                    {"k": rnd.choice([True, False, None, {"$ne": True}, {"$in": [False, None]}])},
                    {"rows.m": rnd.choice(["Power", {"$in": ["Steel", "Coal"]}, {"$regex": "^P"}])},
                ]
            )
        if kind == 0:
            return {field: v}
        if kind == 1:
            return {field: {"$in": rnd.sample(scalars, 3)}}
        if kind == 2:
            return {field: {"$nin": rnd.sample(scalars, 2)}}
        if kind == 3:
            return {field: {"$ne": v}}
        if kind == 4:
            bound = rnd.choice([1, "a", dt.datetime(2025, 12, 1)])
            return {field: {rnd.choice(["$gt", "$gte", "$lt", "$lte"]): bound}}
        if kind == 5:
            return {field: {"$exists": rnd.random() < 0.5}}
        if kind == 6:
            return {field: {"$regex": rnd.choice(["a", "^M", "b$", "inistry"]), "$options": rnd.choice(["", "i"])}}
        if kind == 7:
            return {"$or": [condition(), condition()]}
        return {"$and": [condition(), condition()]}

    for _ in range(400):
        query = {k: v for c in (condition() for _ in range(rnd.randrange(1, 3))) for k, v in c.items()}
        sort = [(rnd.choice("fgh"), rnd.choice([1, -1])), ("_id", 1)]
        expected = [d["_id"] for d in coll.find(query).sort(sort)]
        assert scan.ordered_ids(coll, query, sort) == expected, (query, sort)
    assert scan.ordered_ids(coll, {"rows.m.x": "SO"}, [("_id", 1)]) is None  # deeper paths: the store's matcher
    assert scan.ordered_ids(coll, {"rows.m": None}, [("_id", 1)]) is None
    coll.insert_many([{"_id": "one", "n": 1}, {"_id": "true", "n": True}])
    assert scan.ordered_ids(coll, {"n": True}, [("_id", 1)]) == ["true"]  # as MongoDB: true is not 1
    assert scan.ordered_ids(coll, {"f": {"$elemMatch": {"$gt": 1}}}, [("_id", 1)]) is None
    assert scan.ordered_ids(coll, {"f": re.compile("a")}, [("_id", 1)]) == [
        d["_id"] for d in coll.find({"f": re.compile("a")}).sort("_id", 1)
    ]
    store.close()


def test_a_kept_list_takes_in_each_change_as_reading_it_again_would(tmp_path, monkeypatch):
    """A list's ordered names, kept on the embedded store, take in inserts, updates and
    deletes, made through this connection or another one on the same files (as another
    process would), one document at a time (``scan.Ordered.changed``, from the collection
    file's change log) and stay exactly what reading the collection again gives, for sorts in
    either direction, lists the compiled predicates decline (the store's matcher) and counts
    (no sort); the collection is read whole only at first and after it is dropped. The
    store's own query index (on ``m``) follows the other connection's writes too."""
    import datetime as dt
    import random

    from app import query as q
    from app.store import connect, scan

    store = connect(Config(store="embedded", data_dir=tmp_path / "var"))
    other = connect(Config(store="embedded", data_dir=tmp_path / "var"))
    coll = store.db.things
    coll.create_index("m")
    rnd = random.Random(5)
    values = [None, 0, 1, 2.5, -3, "a", "B", "abc", "", dt.datetime(2026, 1, 2), [1, "a"], ["x"], []]

    def doc(i):
        d = {"_id": f"D{i:04d}"}
        for field in ("f", "g"):
            if rnd.random() < 0.85:
                d[field] = rnd.choice(values)
        d["m"] = rnd.choice(["Power", "Steel", "Coal"])
        return d

    coll.insert_many([doc(i) for i in range(150)])
    lists = [
        ({}, [("_id", 1)]),
        ({"m": "Power"}, [("f", -1), ("_id", -1)]),
        ({"m": {"$in": ["Steel", "Coal"]}}, [("g", 1), ("f", -1), ("_id", 1)]),
        ({"f": {"$exists": True}, "g": {"$ne": None}}, [("f", 1), ("_id", 1)]),
        ({"f": {"$elemMatch": {"$eq": 1}}}, [("_id", -1)]),  # the store's own matcher
        ({"m": "Coal"}, []),  # a count
    ]
    computed = []
    original = scan.Ordered.compute.__func__
    monkeypatch.setattr(
        scan.Ordered, "compute", classmethod(lambda cls, *a, **k: computed.append(a[1]) or original(cls, *a, **k))
    )
    next_id = 150
    for step in range(250):
        kind = rnd.randrange(10)
        victim = f"D{rnd.randrange(next_id):04d}"
        writer = rnd.choice([store, other]).db.things
        if step == 120:
            coll.drop()
            coll.insert_many([doc(next_id + i) for i in range(20)])
            next_id += 20
        elif kind < 3:
            writer.insert_one(doc(next_id))
            next_id += 1
        elif kind < 6:
            writer.update_one({"_id": victim}, {"$set": {rnd.choice("fgm"): rnd.choice(values + ["Power", "Coal"])}})
        elif kind == 6:
            writer.update_one({"_id": victim}, {"$unset": {rnd.choice("fg"): ""}})
        elif kind == 7:
            writer.delete_one({"_id": victim})
        elif kind == 8:
            writer.update_many({"m": rnd.choice(["Power", "Steel"])}, {"$set": {"g": rnd.choice(values)}})
        else:
            writer.delete_many({"m": "Steel", "f": rnd.choice(values[:5])})
        for query, sort in lists:
            got = q._ordered_names(coll, query, sort)
            fresh = original(scan.Ordered, coll, query, sort).names
            assert (got if sort else sorted(got)) == (fresh if sort else sorted(fresh)), (step, query, sort)
        by_index = sorted(d["_id"] for d in coll.find({"m": "Power"}))
        assert by_index == sorted(d["_id"] for d in coll.find() if d.get("m") == "Power"), step
    assert len(computed) == 2 * len(lists), "read whole once at first and once after the drop"
    other.close()
    store.close()


def test_the_change_log_is_trimmed_and_a_list_older_than_it_is_read_again(tmp_path, monkeypatch):
    """The change log keeps its last entries only: trimming never disturbs the write that
    triggers it (a delete still reports what it deleted), and a kept list older than the log
    reaches back is read whole again, so it is never wrong."""
    from app import query as q
    from app.store import connect, patches, scan

    monkeypatch.setattr(patches, "_TRIM_EVERY", 5)
    monkeypatch.setattr(patches, "CHANGES_KEPT", 1000)  # at first a trim finds nothing to remove
    store = connect(Config(store="embedded", data_dir=tmp_path / "var"))
    coll = store.db.things
    coll.insert_many([{"_id": f"T{i:02d}", "n": i} for i in range(40)])
    sort = [("n", -1), ("_id", -1)]
    assert q._ordered_names(coll, {}, sort)[:2] == ["T39", "T38"]
    for i in range(0, 30, 2):  # deletes land on the trimming writes too
        assert coll.delete_one({"_id": f"T{i:02d}"}).deleted_count == 1
        names = q._ordered_names(coll, {}, sort)  # taken in change by change
        assert f"T{i:02d}" not in names and len(names) == 40 - (i // 2 + 1)
    monkeypatch.setattr(patches, "CHANGES_KEPT", 8)
    coll.insert_many([{"_id": f"U{i}", "n": 100 + i} for i in range(6)])
    seq = patches.data_version(coll)[1]
    assert coll._db_store["things"]._connection.execute("SELECT min(seq) FROM changes").fetchone()[0] > seq - 10
    computed = []
    original = scan.Ordered.compute.__func__
    monkeypatch.setattr(scan.Ordered, "compute", classmethod(lambda cls, *a, **k: computed.append(1) or original(cls, *a, **k)))
    for i in range(30, 40):  # more changes than the log keeps, then one read
        coll.update_one({"_id": f"T{i:02d}"}, {"$set": {"n": -i}})
    assert q._ordered_names(coll, {}, sort) == [d["_id"] for d in coll.find().sort(sort)]
    assert computed == [1]
    store.close()


def test_unique_indexes_refuse_what_mongomock_refuses(tmp_path):
    """The embedded store's unique checks (``patches._uniques_from_the_index``: the query
    index first, the full check only when it names more than one document) refuse exactly
    what mongomock refuses, for plain, compound, sparse and partial unique indexes, on
    inserts, bulk inserts and updates."""
    import random

    import mongomock
    from pymongo.errors import PyMongoError

    from app.store import connect

    store = connect(Config(store="embedded", data_dir=tmp_path / "var"))
    embedded, reference = store.db.things, mongomock.MongoClient().db.things
    for coll in (embedded, reference):
        coll.create_index("email", unique=True)
        coll.create_index([("mdo", 1), ("code", 1)], unique=True)
        coll.create_index("badge", unique=True, sparse=True)
        coll.create_index("seat", unique=True, partialFilterExpression={"active": True})
    rnd = random.Random(3)

    def values():
        d = {"email": f"e{rnd.randrange(40)}", "mdo": rnd.choice("AB"), "code": rnd.randrange(15)}
        if rnd.random() < 0.4:
            d["badge"] = rnd.randrange(10)
        if rnd.random() < 0.6:
            d["seat"], d["active"] = rnd.randrange(8), rnd.random() < 0.5
        return d

    for step in range(400):
        kind = rnd.randrange(3)
        if kind == 0:
            doc = {"_id": step, **values()}
            args = ("insert_one", doc)
        elif kind == 1:
            args = ("insert_many", [{"_id": f"{step}-{i}", **values()} for i in range(3)])
        else:
            args = ("update_one", {"_id": rnd.randrange(step + 1)}, {"$set": values()})
        outcomes = []
        for coll in (embedded, reference):
            try:
                getattr(coll, args[0])(*args[1:])
                outcomes.append("ok")
            except PyMongoError as exc:
                outcomes.append(type(exc).__name__)
        assert outcomes[0] == outcomes[1], (step, args, outcomes)
    assert list(embedded.find().sort("_id", 1)) == list(reference.find().sort("_id", 1))
    store.close()


def test_the_compact_query_index_finds_what_the_original_finds():
    """The embedded store's query index keeps a lone key or document as itself
    (``patches._compact_field_index``); over random adds, replacements and removals of
    documents with plain values, lists, missing fields and values it cannot key, it names
    the same candidates as litemongo's original index."""
    import datetime as dt
    import random

    from litemongo._vendor.mongomock import indexing

    from app.store import connect, patches

    connect(Config(store="mongomock"))  # the patches applied
    compact, original = indexing.FieldIndex("v"), indexing.FieldIndex("v")
    for name in ("add", "remove", "candidates"):  # the original's methods, on the second one
        setattr(original, name, patches.ORIGINAL_FIELD_INDEX[name].__get__(original))
    rnd = random.Random(9)
    pool = [
        1,
        2.0,
        True,
        2**60,
        "a",
        "b",
        dt.datetime(2026, 1, 1, 9, 30, 5, 1000),
        None,
        [1, "a"],
        ["b", "b"],
        [],
        {"x": 1},
        [[1]],
        object(),
    ]
    keys = [indexing._key_for(v) for v in (1, 2, 2**60, "a", "b", "c", dt.datetime(2026, 1, 1, 9, 30, 5))]
    for step in range(3000):
        name = f"k{rnd.randrange(40)}"
        if rnd.random() < 0.3:
            compact.remove(name)
            original.remove(name)
        else:
            doc = {"v": rnd.choice(pool)} if rnd.random() < 0.9 else {}
            for index in (compact, original):
                index.remove(name)  # a replacement, as CollectionIndexes.add does
                index.add(name, doc)
        wanted = rnd.sample(keys, rnd.randint(0, 3))
        assert compact.candidates(wanted) == original.candidates(wanted), step


def test_an_index_filled_whole_is_the_index_added_one_by_one():
    """A collection's first query in a process builds its query index from the whole
    collection at once (``CollectionIndexes.fill``); over random documents (plain values,
    nested documents, lists, missing fields, datetimes) on plain and dotted paths, it holds
    the same keys, documents and order as the index litemongo's own ``add`` builds."""
    import random

    from litemongo._vendor.mongomock import indexing

    from app.store import connect, patches

    connect(Config(store="mongomock"))  # the patches applied
    rnd = random.Random(11)
    pool = ["a", "b", 1, 2**60, None, {"x": "a"}, ["a", 1]]
    pairs = []
    for i in range(2500):
        doc = {f"f{j}": random_value(rnd) for j in range(3) if rnd.random() < 0.8}
        doc["p"] = rnd.choice(pool)
        if rnd.random() < 0.2:
            doc.pop("p")
        pairs.append((f"k{i}", doc))
    paths = ["f0", "f1", "f2", "p", "f0.k0", "p.x", "f1.k1.k0"]
    filled, added = indexing.CollectionIndexes(), indexing.CollectionIndexes()
    for index in (filled, added):
        index.set_paths(paths, ())
    filled.fill(iter(pairs), chunk=97)
    for path_index in added._fields.values():  # litemongo's own add on each path
        path_index.add = patches.ORIGINAL_FIELD_INDEX["add"].__get__(path_index)
    for key, doc in pairs:
        added.add(key, doc)
    assert filled._docs == added._docs and filled._next_seq == len(pairs)
    for path in [*paths, "_id"]:
        mine, theirs = filled._fields[path], added._fields[path]
        assert mine._unkeyed == theirs._unkeyed, path
        as_sets = {k: v if type(v) is set else {v} for k, v in mine._entries.items()}
        assert as_sets == theirs._entries, path
        for key, keys in theirs._doc_keys.items():
            held = mine._doc_keys[key]
            assert (held if held is None or type(held) is frozenset else set(held) if held == () else {held}) == keys, (path, key)
    noted: dict = {}  # documents sharing a plain value note one key object, not one each
    for held in filled._fields["p"]._doc_keys.values():
        if type(held) is tuple and held:
            noted.setdefault(held, set()).add(id(held))
    assert noted and all(len(objects) == 1 for objects in noted.values())
    with pytest.raises(ValueError):
        filled.fill(iter(pairs[:1]))


def test_the_query_index_keeps_the_paths_queries_plan_on(tmp_path):
    """The embedded store's query index keeps every field of a unique index and the first
    field of every other index unless it is sorted descending (a list's order); a query on
    any other field answers what mongomock answers, from the documents themselves."""
    import random

    from app.store import connect

    embedded = connect(Config(store="embedded", data_dir=tmp_path / "var")).db.things
    plain = connect(Config(store="mongomock")).db.things
    rnd = random.Random(5)
    docs = [
        {"_id": f"t{i}", "a": rnd.randrange(4), "b": rnd.choice("xyz"), "c": rnd.randrange(3), "d": f"d{i}", "e": i % 2}
        for i in range(300)
    ]
    for coll in (embedded, plain):
        coll.create_index([("a", 1), ("b", 1)])
        coll.create_index([("c", -1), ("_id", -1)])
        coll.create_index([("d", 1), ("e", 1)], unique=True)
        coll.insert_many([dict(d) for d in docs])
    index = embedded._store._get_query_index()
    assert set(index._fields) == {"_id", "a", "d", "e"}
    for query in ({"a": 1}, {"a": 2, "b": "y"}, {"b": "x"}, {"c": 2}, {"c": {"$in": [0, 2]}, "b": "z"}, {"e": 1, "a": 3}):
        assert list(embedded.find(query).sort("_id", 1)) == list(plain.find(query).sort("_id", 1)), query
    assert index.candidates({"b": "x"}) is None and index.candidates({"c": 2}) is None
    assert index.candidates({"a": 1}) is not None


def test_a_document_read_is_the_readers_own(db):
    """A whole document read is returned without mongomock's copy on the embedded store
    (``patches._read_documents_not_copied``): changing what one read returned, nested values
    included, changes neither the stored document nor what another read returns, in a find,
    a find_one or an aggregation."""
    db.things.create_index([("kind", 1)])
    db.things.insert_many([{"_id": f"t{i}", "kind": "a", "rows": [{"n": i}], "meta": {"tags": ["x"]}} for i in range(3)])
    stored = list(db.things.find({}).sort("_id", 1))
    reads = [
        list(db.things.find({"kind": "a"})),
        [db.things.find_one({"_id": "t1"})],
        list(db.things.aggregate([{"$match": {"kind": "a"}}])),
    ]
    for docs in reads:
        for doc in docs:
            doc["kind"] = "changed"
            doc["rows"][0]["n"] = -1
            doc["meta"]["tags"].append("y")
        assert list(db.things.find({}).sort("_id", 1)) == stored
    first, second = db.things.find_one({"_id": "t0"}), db.things.find_one({"_id": "t0"})
    assert first is not second and first["rows"] is not second["rows"]


def test_the_query_plan_names_the_candidates_litemongos_own_names():
    """Several indexed fields in one query: the embedded store makes the smallest field's
    candidates and keeps those the other fields name (``patches`` item 10) where litemongo
    makes each field's set and intersects them. Over random documents and queries (values,
    ``$in``, ``$eq``, ``$and``, unindexed fields) both name the same candidates."""
    import random

    from litemongo._vendor.mongomock import indexing

    from app.store import connect, patches

    connect(Config(store="mongomock"))  # the patches applied
    original = patches.ORIGINAL_COLLECTION_INDEXES["candidates"]
    rnd = random.Random(11)
    index = indexing.CollectionIndexes()
    index.set_paths({"a", "b", "c"}, ())
    pool = [1, 2, "x", "y", "z", None, [1, "x"], [], object()]

    def condition():
        roll = rnd.random()
        if roll < 0.5:
            return rnd.choice(pool[:5])
        if roll < 0.7:
            return {"$in": rnd.sample(pool[:5], rnd.randint(1, 3))}
        if roll < 0.8:
            return {"$eq": rnd.choice(pool[:5])}
        return {"$gt": 1}  # not planned

    def query(depth=0):
        fields = rnd.sample(["a", "b", "c", "_id", "unindexed"], rnd.randint(1, 3))
        out = {f: (f"d{rnd.randrange(60)}" if f == "_id" else condition()) for f in fields}
        if depth == 0 and rnd.random() < 0.3:
            out["$and"] = [query(1) for _ in range(rnd.randint(1, 2))]
        return out

    for step in range(3000):
        name = f"d{rnd.randrange(60)}"
        if rnd.random() < 0.2:
            index.remove(name)
        else:
            index.add(name, {k: rnd.choice(pool) for k in ("a", "b", "c") if rnd.random() < 0.9})
        q = query()
        assert index.candidates(q) == original(index, q), (step, q)


def test_the_fast_datetime_copy_matches_mongomocks_own():
    """Every written document is copied with its datetimes made naive UTC to the
    millisecond; the embedded store's copy (``patches.fast_datetime_patch``) gives what
    mongomock's gives, for plain and nested values, aware datetimes, tuples and OrderedDicts."""
    import random

    from app.store import connect, patches

    connect(Config(store="mongomock"))  # the patches applied
    original = patches.ORIGINAL_DATETIME_PATCH[0]
    fast = patches.fast_datetime_patch(original)
    rnd = random.Random(5)
    for step in range(2000):
        doc = {f"f{i}": random_value(rnd, odd_containers=True, dates=True) for i in range(4)}
        mine, theirs = fast(doc), original(doc)
        assert mine == theirs and repr(mine) == repr(theirs), step


def test_the_fast_in_matches_mongomocks_own():
    """The embedded store's ``$in`` (a set per list, app.store.patches.fast_in) answers as
    mongomock's own matcher for every kind of value and list."""
    import random

    from litemongo._vendor.mongomock import filtering

    from app.store import patches

    def mongomock_in(doc_val, search_val):  # mongomock 4.3's _in_op, as shipped
        if doc_val is filtering.NOTHING and None in search_val:
            return True
        values = doc_val if isinstance(doc_val, (list, tuple)) else [doc_val]
        return any(x in search_val for x in values)

    fast = patches.fast_in(mongomock_in, filtering.NOTHING)
    rnd = random.Random(7)
    pool = [0, 1, 1.0, True, False, None, "a", "b", "A", 2, 3.5, "OFF-1", (1, 2)]
    for _ in range(3000):
        search = rnd.sample(pool, rnd.randint(0, len(pool)))
        search = search * rnd.randint(1, 3)
        doc = rnd.choice([filtering.NOTHING, rnd.choice(pool), rnd.sample(pool, rnd.randint(0, 3)), [[1, 2]], {"a": 1}])
        assert fast(doc, search) == mongomock_in(doc, search), (doc, search)


def test_a_starting_server_reads_the_big_lists_ahead(tmp_path, monkeypatch):
    """``igot serve`` reads ahead, in each process, the query index and the whole list of
    each big collection whose list view asks for it (``app.query.warm``): the System
    Manager's first list of officers then reads no collection whole, and shows what a fresh
    read shows. Other collections, and small ones, are left to the first request."""
    from app import query
    from app.model import lifecycle
    from app.store import scan

    from .conftest import add_user, close_site, open_site, token_client

    site = open_site("embedded", tmp_path)
    ctx = site.context()
    for i in range(12):
        lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Read Ahead {i}",
                "email": f"ahead{i}@gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": "Ministry of Power",
            },
        )
    client = token_client(site, add_user(site, "manager@dopt.gov.in", ["System Manager"]))
    officers = site.db.officer.estimated_document_count()
    warmed = query.warm(site, threshold=officers)
    assert "Officer" in warmed
    big = {m.name for m in site.registry if not m.is_child and site.collection(m.name).estimated_document_count() >= officers}
    asked = {m.name for m in site.registry if m.list_view.get("read_ahead")}
    assert set(warmed) == big & asked
    assert big - asked, "a big collection whose list is not read ahead"

    computed = []
    original = scan.Ordered.compute.__func__
    monkeypatch.setattr(
        scan.Ordered, "compute", classmethod(lambda cls, *a, **k: computed.append(a[1]) or original(cls, *a, **k))
    )
    shown = client.get("/api/resource/Officer?limit=500")
    assert shown.status_code == 200, shown.get_json()
    assert computed == []
    fresh = [d["_id"] for d in site.db.officer.find({}, {"_id": 1}).sort([("modified", -1), ("_id", -1)])]
    assert [row["name"] for row in shown.get_json()["data"]] == fresh
    close_site(site)


@pytest.mark.parametrize("store_kind", ["mongomock", "embedded"])
def test_a_field_name_with_a_null_character_is_refused_at_any_depth(tmp_path, store_kind):
    """The embedded store's key check (``patches.fast_key_check``) refuses what mongomock's
    refuses: a null character in a field name, top-level or nested in an embedded document,
    and a top-level name starting with ``$``; a list is not searched, as in mongomock."""
    from bson.errors import InvalidDocument

    from app.store import connect

    db = connect(Config(store=store_kind, data_dir=tmp_path / "var")).db
    for doc in ({"a\0b": 1}, {"x": {"y": {"a\0b": 1}}}, {"$set": 1}):
        with pytest.raises(InvalidDocument):
            db.checked.insert_one(dict(doc))
    db.checked.insert_one({"_id": "ok", "rows": [{"a": 1}], "x": {"y": 2}})
    assert db.checked.count_documents({}) == 1


def test_a_document_is_encoded_once_and_stored_as_before(tmp_path, monkeypatch):
    """The embedded store encodes each inserted document once (``patches._encoded_once``):
    the bytes written, and what is read back, are those of litemongo's own insert (which
    encodes twice), for random documents with and without names, aware and naive datetimes,
    nested documents and lists; a document that cannot be encoded, and a name already taken,
    are refused as before, and nothing of them is written."""
    import random

    from bson import ObjectId
    from bson.errors import InvalidDocument
    from litemongo._vendor.mongomock import collection as lite_collection

    from app.store import connect, patches

    mine = connect(Config(store="embedded", data_dir=tmp_path / "mine")).db
    theirs = connect(Config(store="embedded", data_dir=tmp_path / "theirs")).db
    rnd = random.Random(11)
    docs = []
    for i in range(300):
        doc = {f"f{j}": random_value(rnd) for j in range(rnd.randint(0, 5))}
        if rnd.random() < 0.8:
            doc = {"_id": rnd.choice([f"DOC-{i}", i, ObjectId()]), **doc} if rnd.random() < 0.5 else {**doc, "_id": f"DOC-{i}"}
        docs.append(doc)
    for doc in docs:
        mine.items.insert_one(dict(doc))
    monkeypatch.setattr(lite_collection.Collection, "_insert", patches.ORIGINAL_INSERT[0])
    for doc in docs:
        theirs.items.insert_one(dict(doc))
    monkeypatch.undo()

    def stored(db):
        table = db.items._store._documents
        return [doc for _, doc in sorted(table._cur.execute("SELECT _id, doc FROM documents").fetchall())]

    def without_made_names(rows):
        return [
            {k: v for k, v in row.items() if k != "_id" or not isinstance(v, ObjectId) or any(v == d.get("_id") for d in docs)}
            for row in rows
        ]

    named = [d for d in docs if "_id" in d]
    assert [row for row in stored(mine) if row] and len(stored(mine)) == len(stored(theirs)) == len(docs)
    for doc in named:
        assert mine.items.find_one({"_id": doc["_id"]}) == theirs.items.find_one({"_id": doc["_id"]})
    assert without_made_names(mine.items.find({}, sort=[("_id", 1)])) == without_made_names(
        theirs.items.find({}, sort=[("_id", 1)])
    )
    table = mine.items._store._documents
    for doc in named:
        key = table.encode_key(doc["_id"])
        ours = table._cur.execute("SELECT doc FROM documents WHERE _id = ?", (key,)).fetchone()[0]
        other = theirs.items._store._documents
        assert ours == other._cur.execute("SELECT doc FROM documents WHERE _id = ?", (key,)).fetchone()[0], doc

    before = mine.items.count_documents({})
    with pytest.raises(InvalidDocument):
        mine.items.insert_one({"_id": "bad", "tags": {"a", "b"}})
    with pytest.raises(DuplicateKeyError):
        mine.items.insert_one({"_id": named[0]["_id"], "other": 1})
    assert mine.items.count_documents({}) == before and mine.items.find_one({"_id": "bad"}) is None
    assert mine.items.find_one({"_id": named[0]["_id"]}) == theirs.items.find_one({"_id": named[0]["_id"]})


def test_field_names_are_refused_as_mongomock_refuses_them(tmp_path, monkeypatch):
    """The embedded store checks a document's field names in one pass; for random documents
    with names that are not strings (at the top, a ValueError; nested, mongomock's own
    TypeError), null characters at any depth and top-level or nested names starting with
    ``$``, alone or together, it refuses what litemongo's own insert refuses, with the same
    error and message, and stores what it stores."""
    import random

    from litemongo._vendor.mongomock import collection as lite_collection

    from app.store import connect, patches

    mine = connect(Config(store="embedded", data_dir=tmp_path / "mine")).db
    theirs = connect(Config(store="embedded", data_dir=tmp_path / "theirs")).db
    rnd = random.Random(3)
    names = ["a", "b", "a\0b", "$x", "$", "c$", 7, "\0"]

    def value(depth=0):
        if depth < 2 and rnd.random() < 0.3:
            return {rnd.choice(names): value(depth + 1) for _ in range(rnd.randint(0, 3))}
        if depth < 2 and rnd.random() < 0.1:
            return [value(depth + 1)]
        return rnd.choice([1, "x", None])

    def outcome(db, doc):
        try:
            db.items.insert_one(doc)
        except (ValueError, TypeError, lite_collection.InvalidDocument) as exc:
            return type(exc), str(exc)
        return "stored"

    docs = [{"_id": i, **{rnd.choice(names): value() for _ in range(rnd.randint(0, 4))}} for i in range(1500)]
    ours = [outcome(mine, dict(doc)) for doc in docs]
    monkeypatch.setattr(lite_collection.Collection, "_insert", patches.ORIGINAL_INSERT[0])
    other = [outcome(theirs, dict(doc)) for doc in docs]
    monkeypatch.undo()
    assert {o if o == "stored" else o[0] for o in ours} == {"stored", ValueError, TypeError, lite_collection.InvalidDocument}
    assert ours == other
    assert list(mine.items.find({}, sort=[("_id", 1)])) == list(theirs.items.find({}, sort=[("_id", 1)]))


def test_an_update_that_sets_a_value_no_store_can_hold_is_refused(db):
    """Each value an update sets is checked by encoding it (on the embedded store with codec
    options converted once per collection, ``patches._codec_converted_once``): a set is
    refused and the record is left as it was, each time; a list is stored."""
    from bson.errors import InvalidDocument

    db.items.insert_one({"_id": 1, "x": 1})
    for _ in range(2):
        with pytest.raises(InvalidDocument):
            db.items.update_one({"_id": 1}, {"$set": {"x": {1, 2}}})
        assert db.items.find_one({"_id": 1})["x"] == 1
    db.items.update_one({"_id": 1}, {"$set": {"x": [1, 2]}})
    assert db.items.find_one({"_id": 1})["x"] == [1, 2]


def test_a_simple_update_does_what_mongomocks_own_does(tmp_path, monkeypatch):
    """The embedded store applies an update of one document by its ``_id`` with ``$set``,
    ``$inc`` and ``$setOnInsert`` of plain values directly (``patches._simple_updates``). For
    random updates, upserts and bulk writes, those it applies itself and those it hands on
    (nested fields, other operators, a stored value ``$inc`` cannot add to, a name already
    taken in a unique index), the answers, the errors and the bytes stored are mongomock's
    own; a refused update leaves the document as it was."""
    import datetime as dt
    import random

    from litemongo._vendor.mongomock import collection as lite_collection
    from pymongo import UpdateOne
    from pymongo.errors import BulkWriteError, PyMongoError

    mine = connect(Config(store="embedded", data_dir=tmp_path / "mine")).db
    theirs = connect(Config(store="embedded", data_dir=tmp_path / "theirs")).db
    rnd = random.Random(5)
    names = ["a", "b", "c", "n", "tag"]
    values = [
        lambda: rnd.randint(-5, 5),
        lambda: rnd.random(),
        lambda: rnd.choice(["x", "y", "पाठ"]),
        lambda: None,
        lambda: rnd.random() < 0.5,
        lambda: dt.datetime(2026, 12, 6, 10, rnd.randrange(60), 0, rnd.randrange(1000) * 1000),
        lambda: dt.datetime(2026, 12, 6, 10, 0, 0, rnd.randrange(10**6)),
        lambda: 2**70,
        lambda: [1, 2],
        lambda: {"k": 1},
    ]

    def update():
        doc = {}
        for op in rnd.sample(["$set", "$inc", "$setOnInsert", "$max"], rnd.randint(1, 3)):
            fields = {}
            for _ in range(rnd.randint(0 if rnd.random() < 0.05 else 1, 3)):
                name = rnd.choice(names + (["a.b"] if rnd.random() < 0.1 else []))
                fields[name] = rnd.choice([1, -2, 0.5, True]) if op == "$inc" and rnd.random() < 0.9 else rnd.choice(values)()
            doc[op] = fields
        return doc

    def run(db):
        db.items.create_index("tag", unique=True, sparse=True)
        out = []
        for i in range(600):
            key = rnd.choice([f"K{rnd.randrange(12)}", rnd.randrange(12)])
            try:
                if i % 7 == 0:
                    ops = [UpdateOne({"_id": f"K{rnd.randrange(12)}"}, update(), upsert=True) for _ in range(rnd.randint(1, 4))]
                    r = db.items.bulk_write(ops, ordered=rnd.random() < 0.5).bulk_api_result
                    out.append({k: v for k, v in r.items() if k != "upserted"})
                else:
                    method = rnd.choice([db.items.update_one, db.items.update_many])
                    r = method({"_id": key}, update(), upsert=rnd.random() < 0.6)
                    out.append((r.matched_count, r.modified_count, r.upserted_id))
            except BulkWriteError as exc:
                out.append(("bulk", [(e["index"], e["code"]) for e in exc.details["writeErrors"]], exc.details["nUpserted"]))
            except (PyMongoError, TypeError, ValueError, OverflowError) as exc:
                out.append((type(exc).__name__, str(exc)))
            if i % 50 == 0:
                out.append(list(db.items.find({}, sort=[("_id", 1)])))
        table = db.items._store._documents
        return out, sorted(table._cur.execute("SELECT _id, doc FROM documents").fetchall())

    state = rnd.getstate()
    ours = run(mine)
    rnd.setstate(state)
    monkeypatch.setattr(lite_collection.Collection, "_update", patches.ORIGINAL_UPDATE[0])
    other = run(theirs)
    monkeypatch.undo()
    kinds = {o[0] if isinstance(o, tuple) and isinstance(o[0], str) else "answer" for o in ours[0]}
    assert {"answer", "DuplicateKeyError", "bulk"} <= kinds, kinds
    assert any(type(o) is tuple and o[2] is not None for o in ours[0])  # upserts happened
    assert ours[1] and ours == other


def test_threads_reading_and_writing_one_collection_agree(tmp_path):
    """Each collection's documents and query index are guarded by the process's store lock
    (``patches._one_lock_per_process``): threads inserting, updating and querying one
    collection at once lose no write, and every query answers what its filter asks, through
    the index as by reading every document."""
    import threading

    db = connect(Config(store="embedded", data_dir=tmp_path / "var")).db
    db.items.create_index("group")
    db.items.insert_one({"_id": "counter", "group": -1, "n": 0})
    barrier, problems = threading.Barrier(6), []

    def writer(w):
        barrier.wait()
        for i in range(150):
            db.items.insert_one({"_id": f"{w}-{i}", "group": i % 5, "n": 0})
            db.items.update_one({"_id": f"{w}-{i // 2}"}, {"$inc": {"n": 1}})
            db.items.update_one({"_id": "counter"}, {"$inc": {"n": 1}}, upsert=True)

    def reader():
        barrier.wait()
        for i in range(150):
            found = list(db.items.find({"group": i % 5}))
            if any(doc["group"] != i % 5 for doc in found):
                problems.append(found)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert db.items.find_one({"_id": "counter"})["n"] == 450
    assert db.items.count_documents({"group": {"$gte": 0}}) == 450
    assert sum(doc["n"] for doc in db.items.find({"group": {"$gte": 0}})) == 450
    for g in range(5):
        by_index = sorted(doc["_id"] for doc in db.items.find({"group": g}))
        assert len(by_index) == 90 and by_index == sorted(doc["_id"] for doc in db.items.find() if doc["group"] == g)
