"""The MongoDB features the product relies on, each checked on every store the tests use:
mongomock, the embedded store, and over the wire (TEST_MONGODB_URI: FerretDB in CI).

Only what MongoDB and mongomock both implement may be used: this file is that list. Not on
it, and not to be used (mongomock lacks them): transactions, $text, collation, $jsonSchema,
change streams, $merge, the $unset stage, $dateTrunc, $round, $sortByCount, $lookup with a
pipeline, and unique indexes on array values. The last test fails if application code or a
saved analysis (scripts/analytics) starts using one.

Each check records its outcome per store; the run ends by printing the matrix (feature x
store) that the README shows. A feature a server is known to lack (tests/features.py) is
still tried there: its cell says what happened, and the check is skipped rather than failed.
"""

import datetime as dt
import re
import threading
import uuid
from pathlib import Path

import pytest
from bson.regex import Regex
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.config import Config
from app.store import connect

from . import features
from .conftest import STORES, WIRE

APP = Path(__file__).resolve().parent.parent / "app"


class Subset:
    def __init__(self, store, name):
        self.store, self.name, self.db = store, name, store.db


@pytest.fixture(params=STORES)
def subset(request, tmp_path):
    name = request.param
    if name == "wire":
        store = connect(Config(mongodb_uri=WIRE, db_name=f"igot_subset_{uuid.uuid4().hex[:10]}"))
    else:
        store = connect(Config(store=name, data_dir=tmp_path / "var"))
    store.db.officer.insert_many(
        [
            {
                "_id": "O1",
                "mdo": "Ministry of Power",
                "service": "IAS",
                "year": 2010,
                "batch": 2010,
                "email": "a@gov.in",
                "creation": dt.datetime(2026, 1, 5),
                "postings": [{"designation": "SDM"}, {"designation": "DM"}],
            },
            {
                "_id": "O2",
                "mdo": "Ministry of Power",
                "service": "CSS",
                "year": 2015,
                "batch": 2015,
                "email": "b@gov.in",
                "creation": dt.datetime(2026, 1, 20),
                "postings": [{"designation": "SO"}],
            },
            {
                "_id": "O3",
                "mdo": "Ministry of Steel",
                "service": "IAS",
                "year": 2018,
                "batch": 2018,
                "creation": dt.datetime(2026, 2, 2),
                "postings": [],
            },
        ]
    )
    store.db.mdo.insert_many(
        [{"_id": "Ministry of Power", "mdo_type": "Ministry"}, {"_id": "Ministry of Steel", "mdo_type": "Ministry"}]
    )
    yield Subset(store, name)
    if name == "wire":
        store.client.drop_database(store.db.name)
    store.close()


def _lacks(subset) -> set[str]:
    if subset.name != "wire":
        return {"transactions"}
    info = subset.db.command("buildInfo")
    return set(features.FERRETDB_LACKS) if "ferretdbVersion" in info else set()


def feature(name: str, needs: str | None = None):
    """Record the check's outcome as ``name`` on its store (one failure marks the feature);
    on a store known to lack ``needs``, a failing check is a skip that says so."""

    def decorate(check):
        def run(subset, *args, **kwargs):
            try:
                check(subset.db, *args, **kwargs)
            except Exception:
                features.RESULTS[(name, subset.name)] = "no"
                if needs and needs in _lacks(subset):
                    pytest.skip(f"needs {needs}: {features.FERRETDB_LACKS[needs]}")
                raise
            features.RESULTS.setdefault((name, subset.name), "yes")

        import inspect

        params = list(inspect.signature(check).parameters.values())
        run.__signature__ = inspect.Signature([inspect.Parameter("subset", inspect.Parameter.POSITIONAL_OR_KEYWORD), *params[1:]])
        run.__name__, run.__doc__ = check.__name__, check.__doc__
        return run

    return decorate


def ids(cursor):
    return sorted(d["_id"] for d in cursor)


QUERIES = [
    ({"service": "IAS"}, ["O1", "O3"]),
    ({"service": {"$eq": "CSS"}}, ["O2"]),
    ({"service": {"$ne": "IAS"}}, ["O2"]),
    ({"year": {"$gt": 2010, "$lte": 2015}}, ["O2"]),
    ({"year": {"$gte": 2015, "$lt": 2019}}, ["O2", "O3"]),
    ({"service": {"$in": ["CSS", "IPS"]}}, ["O2"]),
    ({"service": {"$nin": ["CSS"]}}, ["O1", "O3"]),
    ({"mdo": {"$regex": "^ministry of p", "$options": "i"}}, ["O1", "O2"]),
    ({"mdo": {"$not": Regex("^Ministry of P", "i")}}, ["O3"]),
    ({"email": {"$exists": False}}, ["O3"]),
    ({"email": {"$nin": [None, ""]}}, ["O1", "O2"]),
    ({"email": {"$in": [None, ""]}}, ["O3"]),
    ({"$and": [{"service": "IAS"}, {"year": {"$gt": 2012}}]}, ["O3"]),
    ({"$or": [{"service": "CSS"}, {"year": 2018}]}, ["O2", "O3"]),
    ({"postings.designation": "DM"}, ["O1"]),
    ({"creation": {"$gte": dt.datetime(2026, 1, 10), "$lte": dt.datetime(2026, 1, 31)}}, ["O2"]),
    ({"_id": {"$gt": "O1"}}, ["O2", "O3"]),
]


@pytest.mark.parametrize("query, expected", QUERIES, ids=[str(q) for q, _ in QUERIES])
@feature("query operators, dotted paths into arrays")
def test_query_operator(db, query, expected):
    assert ids(db.officer.find(query)) == expected
    assert db.officer.count_documents(query) == len(expected)


@feature("projection, multi-key sort, skip, limit")
def test_projection_sort_skip_limit(db):
    rows = list(db.officer.find({}, {"_id": 1, "year": 1}).sort([("service", 1), ("year", -1), ("_id", 1)]).skip(1).limit(2))
    assert rows == [{"_id": "O3", "year": 2018}, {"_id": "O1", "year": 2010}]


@feature("distinct")
def test_distinct(db):
    assert sorted(db.officer.distinct("service")) == ["CSS", "IAS"]


@feature("update, conditional replace, delete")
def test_writes(db):
    db.officer.update_one({"_id": "O1"}, {"$set": {"year": 2011}, "$inc": {"edits": 1}})
    assert db.officer.find_one({"_id": "O1"})["edits"] == 1
    result = db.officer.replace_one({"_id": "O2", "year": 1999}, {"year": 1})
    assert result.matched_count == 0
    assert db.officer.replace_one({"_id": "O2", "year": 2015}, {"year": 2016}).matched_count == 1
    assert db.officer.delete_one({"_id": "O3"}).deleted_count == 1
    assert db.officer.delete_many({"year": {"$gt": 0}}).deleted_count == 2


@feature("findAndModify with $inc and upsert")
def test_atomic_counter(db):
    for expected in (1, 2, 5):
        doc = db.naming_series.find_one_and_update(
            {"_id": "OFF-2026-"},
            {"$inc": {"current": 3 if expected == 5 else 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc["current"] == expected


@feature("upsert with $inc, $set, $setOnInsert")
def test_upsert_with_inc_set_and_set_on_insert(db):
    """How the gap rollups move: one atomic upsert per (MDO, position, competency)."""
    for officers in (1, 2):
        db.gap_summary.update_one(
            {"_id": "P|US|Drafting"},
            {
                "$inc": {"officers": 1, "total_gap": 2},
                "$set": {"mdo": "P", "modified": officers},
                "$setOnInsert": {"creation": "first"},
            },
            upsert=True,
        )
    assert db.gap_summary.find_one({"_id": "P|US|Drafting"}) == {
        "_id": "P|US|Drafting",
        "officers": 2,
        "total_gap": 4,
        "mdo": "P",
        "modified": 2,
        "creation": "first",
    }
    db.gap_summary.update_one({"_id": "P|US|Drafting"}, {"$inc": {"officers": -2}})
    assert db.gap_summary.delete_many({"_id": {"$in": ["P|US|Drafting"]}, "officers": {"$lte": 0}}).deleted_count == 1


@feature("unordered bulk write of upserts")
def test_bulk_upserts(db):
    """How the rollups' counters move in a batch (``persistence.upsert_many``): one bulk write
    of ``UpdateOne`` upserts, a document named twice moved twice."""
    from pymongo import UpdateOne

    def counter(key, by):
        return UpdateOne({"_id": key}, {"$inc": {"count": by}, "$setOnInsert": {"first": by}}, upsert=True)

    result = db.mdo_activity.bulk_write(
        [counter("P|officers", 2), counter("S|officers", 1), counter("P|officers", 3)], ordered=False
    )
    assert result.upserted_count == 2
    assert list(db.mdo_activity.find().sort("_id", 1)) == [
        {"_id": "P|officers", "count": 5, "first": 2},
        {"_id": "S|officers", "count": 1, "first": 1},
    ]


@feature("a bulk write's refused operation named by its place", needs="bulk_write_errors")
def test_bulk_write_errors(db):
    """An upsert of ``persistence.upsert_many`` refused by a unique index (two first-ever
    upserts raced) is reported with its place in the bulk, which ``upsert_many`` sends again."""
    from pymongo import UpdateOne
    from pymongo.errors import BulkWriteError

    db.bulk_refusal.create_index([("email", 1)], unique=True)
    db.bulk_refusal.insert_one({"_id": "taken", "email": "a@gov.in"})
    with pytest.raises(BulkWriteError) as refused:
        db.bulk_refusal.bulk_write(
            [
                UpdateOne({"_id": "new"}, {"$set": {"email": "b@gov.in"}}, upsert=True),
                UpdateOne({"_id": "again"}, {"$set": {"email": "a@gov.in"}}, upsert=True),
            ],
            ordered=False,
        )
    assert [e["index"] for e in refused.value.details["writeErrors"]] == [1]
    assert ids(db.bulk_refusal.find()) == ["new", "taken"]


@feature("compound and unique indexes, enforced")
def test_indexes_compound_unique(db):
    db.officer.create_index([("mdo", 1), ("year", -1)])
    db.officer.create_index([("email", 1)], unique=True, sparse=True, name="unique_email")
    names = set(db.officer.index_information())
    assert {"mdo_1_year_-1", "unique_email"} <= names
    db.officer.insert_one({"_id": "O4"})  # without the field
    with pytest.raises(DuplicateKeyError):
        db.officer.insert_one({"_id": "O6", "email": "a@gov.in"})
    with pytest.raises(DuplicateKeyError):
        db.officer.insert_one({"_id": "O1"})


@feature("sparse unique index (several records without the field; the option reported)", needs="sparse_unique")
def test_sparse_unique_index(db):
    db.officer.create_index([("email", 1)], unique=True, sparse=True, name="unique_email")
    db.officer.insert_one({"_id": "O4"})
    db.officer.insert_one({"_id": "O5"})  # MongoDB: skipped by the sparse index, like O4
    assert db.officer.index_information()["unique_email"].get("sparse") is True


@feature("$match $group $sort $skip $limit $count with $sum")
def test_aggregation_stages(db):
    pipeline = [
        {"$match": {"creation": {"$gte": dt.datetime(2026, 1, 1)}}},
        {"$group": {"_id": "$mdo", "years": {"$sum": "$batch"}}},
        {"$sort": {"_id": 1}},
        {"$skip": 0},
        {"$limit": 5},
    ]
    assert list(db.officer.aggregate(pipeline)) == [
        {"_id": "Ministry of Power", "years": 4025},
        {"_id": "Ministry of Steel", "years": 2018},
    ]
    counted = list(db.officer.aggregate([{"$group": {"_id": "$service", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]))
    assert counted == [{"_id": "CSS", "n": 1}, {"_id": "IAS", "n": 2}]
    assert list(db.officer.aggregate([{"$match": {"service": "IAS"}}, {"$count": "n"}])) == [{"n": 2}]
    paged = list(db.officer.aggregate([{"$sort": {"_id": 1}}, {"$skip": 1}, {"$limit": 1}]))
    assert [d["_id"] for d in paged] == ["O2"]


@feature("several $sum accumulators in one $group", needs="several_sums")
def test_several_sums(db):
    rows = list(
        db.officer.aggregate([{"$group": {"_id": "$mdo", "n": {"$sum": 1}, "years": {"$sum": "$batch"}}}, {"$sort": {"_id": 1}}])
    )
    assert [(r["n"], r["years"]) for r in rows] == [(2, 4025), (1, 2018)]


@feature("$project with exclusion (the analysts' views)")
def test_project_exclusion(db):
    rows = list(db.officer.aggregate([{"$project": {"email": 0, "postings": 0}}, {"$match": {"email": "a@gov.in"}}]))
    assert rows == []
    first = list(db.officer.aggregate([{"$project": {"email": 0, "postings": 0}}, {"$sort": {"_id": 1}}]))[0]
    assert set(first) == {"_id", "mdo", "service", "year", "batch", "creation"}


@feature("accumulators $min $max $avg $addToSet $push", needs="accumulators")
def test_accumulators(db):
    rows = list(
        db.officer.aggregate(
            [
                {
                    "$group": {
                        "_id": "$mdo",
                        "first": {"$min": "$year"},
                        "last": {"$max": "$year"},
                        "avg": {"$avg": "$year"},
                        "services": {"$addToSet": "$service"},
                        "names": {"$push": "$_id"},
                    }
                },
                {"$sort": {"_id": 1}},
            ]
        )
    )
    assert [(r["first"], r["last"], r["avg"], sorted(r["services"]), sorted(r["names"])) for r in rows] == [
        (2010, 2015, 2012.5, ["CSS", "IAS"], ["O1", "O2"]),
        (2018, 2018, 2018.0, ["IAS"], ["O3"]),
    ]


@feature("expressions $dateToString $cond $ifNull $size $year $month $subtract", needs="expressions")
def test_expressions(db):
    cond = list(
        db.officer.aggregate(
            [
                {
                    "$project": {
                        "senior": {"$cond": [{"$lt": ["$year", 2012]}, 1, 0]},
                        "mail": {"$ifNull": ["$email", "none"]},
                        "postings": {"$size": "$postings"},
                        "y": {"$year": "$creation"},
                        "m": {"$month": "$creation"},
                        "ago": {"$subtract": [2026, "$year"]},
                        "month": {"$dateToString": {"format": "%Y-%m", "date": "$creation"}},
                    }
                },
                {"$sort": {"_id": 1}},
            ]
        )
    )
    assert [(d["senior"], d["mail"], d["postings"], d["y"], d["m"], d["ago"], d["month"]) for d in cond] == [
        (1, "a@gov.in", 2, 2026, 1, 16, "2026-01"),
        (0, "b@gov.in", 1, 2026, 1, 11, "2026-01"),
        (0, "none", 0, 2026, 2, 8, "2026-02"),
    ]


@feature("$unwind")
def test_unwind(db):
    unwound = list(
        db.officer.aggregate(
            [{"$unwind": "$postings"}, {"$group": {"_id": "$postings.designation", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]
        )
    )
    assert [d["_id"] for d in unwound] == ["DM", "SDM", "SO"]


@feature("$lookup", needs="lookup")
def test_lookup(db):
    joined = list(
        db.officer.aggregate(
            [{"$match": {"_id": "O3"}}, {"$lookup": {"from": "mdo", "localField": "mdo", "foreignField": "_id", "as": "org"}}]
        )
    )
    assert [o["mdo_type"] for o in joined[0]["org"]] == ["Ministry"]


@feature("$addToSet $pull $push updates")
def test_array_updates(db):
    db.officer.update_one({"_id": "O3"}, {"$addToSet": {"tags": "new"}})
    db.officer.update_one({"_id": "O3"}, {"$addToSet": {"tags": "new"}})
    db.officer.update_one({"_id": "O3"}, {"$push": {"tags": "old"}})
    db.officer.update_one({"_id": "O3"}, {"$pull": {"tags": "old"}})
    assert db.officer.find_one({"_id": "O3"})["tags"] == ["new"]


@feature("$pull with a condition ($in)", needs="pull_condition")
def test_pull_with_a_condition(db):
    db.officer.update_one({"_id": "O3"}, {"$set": {"tags": ["a", "b", "c"]}})
    db.officer.update_one({"_id": "O3"}, {"$pull": {"tags": {"$in": ["a", "c"]}}})
    assert db.officer.find_one({"_id": "O3"})["tags"] == ["b"]


@feature("datetimes kept to the millisecond, ObjectIds and types round-trip")
def test_round_trips(db):
    from bson import ObjectId

    moment = dt.datetime(2026, 3, 1, 9, 30, 15, 123000)
    oid = ObjectId()
    db.kinds.insert_one(
        {
            "_id": "k",
            "when": moment,
            "oid": oid,
            "n": 3,
            "x": 2.5,
            "flag": True,
            "none": None,
            "rows": [{"a": 1}],
            "obj": {"b": [1, 2]},
        }
    )
    got = db.kinds.find_one({"_id": "k"})
    assert (got["when"], got["oid"], got["n"], got["x"], got["flag"], got["none"], got["rows"], got["obj"]) == (
        moment,
        oid,
        3,
        2.5,
        True,
        None,
        [{"a": 1}],
        {"b": [1, 2]},
    )
    assert type(got["n"]) is int and type(got["x"]) is float


@feature("GridFS (files in fs.files and fs.chunks)")
def test_gridfs(db):
    import gridfs

    fs = gridfs.GridFS(db)
    data = b"x" * (300 * 1024)  # more than one chunk
    file_id = fs.put(data, filename="big.bin", metadata={"kind": "binary"})
    got = fs.get(file_id)
    assert got.read() == data and got.metadata == {"kind": "binary"}
    fs.delete(file_id)
    assert not fs.exists(file_id)


@feature("a cursor over many documents, read in batches")
def test_large_cursor(db):
    db.many.insert_many([{"_id": i, "n": i % 7} for i in range(3000)])
    assert sum(1 for _ in db.many.find({}, batch_size=100)) == 3000
    assert [d["_id"] for d in db.many.find({"n": 3}).sort("_id", -1).limit(3)] == [2999, 2992, 2985]


@feature("atomic single-document updates under concurrency", needs="atomic_updates")
def test_concurrent_updates_are_atomic(db):
    db.counter.insert_one({"_id": "c", "n": 0})
    db.doc.insert_one({"_id": "d", "v": 0})
    barrier, wins = threading.Barrier(8), []

    def work(i):
        barrier.wait()
        for _ in range(25):
            db.counter.find_one_and_update({"_id": "c"}, {"$inc": {"n": 1}})
        wins.append(db.doc.replace_one({"_id": "d", "v": 0}, {"v": i + 1}).matched_count)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.counter.find_one({"_id": "c"})["n"] == 200  # no increment lost
    assert sum(wins) == 1  # one conditional replace wins


@feature("atomic groups in $regex (linear-time like patterns)", needs="atomic_regex")
def test_atomic_regex(db):
    assert [d["_id"] for d in db.officer.find({"mdo": {"$regex": "^(?>.*?of)(?>.*?P).*r$", "$options": "is"}})] == ["O1", "O2"]


FORBIDDEN = {
    "transactions": r"\.start_session\(|with_transaction",
    "$text search": r"['\"]\$text['\"]",
    "collation": r"collation\s*=",
    "$jsonSchema": r"\$jsonSchema",
    "change streams": r"\.watch\(",
    "$merge": r"['\"]\$merge['\"]",
    "$unset stage": r"\{\s*['\"]\$unset['\"]\s*:\s*\[",
    "$dateTrunc": r"\$dateTrunc",
    "$round": r"['\"]\$round['\"]",
    "$sortByCount": r"\$sortByCount",
    "server-side JavaScript": r"\$where|\$function|\$accumulator",
}


def test_application_code_uses_nothing_outside_the_subset():
    """The product's code (not the analysts' saved pipelines, which are mongosh scripts)."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name in ("patches.py", "readonly.py", "analysts.py"):  # these name $out and $merge to refuse them
            continue
        text = path.read_text()
        offenders += [f"{path.relative_to(APP)}: {name}" for name, pattern in FORBIDDEN.items() if re.search(pattern, text)]
    for path in (APP.parent / "scripts" / "analytics").glob("*.js"):
        text = path.read_text()
        offenders += [f"{path.name}: {name}" for name, pattern in FORBIDDEN.items() if re.search(pattern, text)]
    assert offenders == []
