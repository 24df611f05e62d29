"""The MongoDB features the product relies on, each checked on the stores the tests use.

Only what both MongoDB and mongomock implement may be used: this file is that list. Not on
it, and not to be used (mongomock lacks them): transactions, $text, collation, $jsonSchema,
change streams, $merge, the $unset stage, $dateTrunc, $round, $sortByCount, $lookup with a
pipeline, and unique indexes on array values. The last test fails if application code or a
saved analysis (scripts/analytics) starts using one; the analyses' own operators ($group with
$dateToString, $cond, $ifNull, $divide, $multiply, $bucket) run on both stores in
tests/test_analytics.py.
"""
import datetime as dt
import re
from pathlib import Path

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.config import Config
from app.store import connect

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.fixture(params=["mongomock", "embedded"])
def db(request, tmp_path):
    store = connect(Config(store=request.param, data_dir=tmp_path / "var"))
    store.db.officer.insert_many([
        {"_id": "O1", "mdo": "Ministry of Power", "service": "IAS", "year": 2010, "email": "a@gov.in",
         "creation": dt.datetime(2026, 1, 5), "postings": [{"designation": "SDM"}, {"designation": "DM"}]},
        {"_id": "O2", "mdo": "Ministry of Power", "service": "CSS", "year": 2015, "email": "b@gov.in",
         "creation": dt.datetime(2026, 1, 20), "postings": [{"designation": "SO"}]},
        {"_id": "O3", "mdo": "Ministry of Steel", "service": "IAS", "year": 2018,
         "creation": dt.datetime(2026, 2, 2), "postings": []},
    ])
    store.db.mdo.insert_many([{"_id": "Ministry of Power", "mdo_type": "Ministry"},
                              {"_id": "Ministry of Steel", "mdo_type": "Ministry"}])
    yield store.db
    store.close()


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
    ({"mdo": {"$not": re.compile("^Ministry of P")}}, ["O3"]),
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
def test_query_operator(db, query, expected):
    assert ids(db.officer.find(query)) == expected
    assert db.officer.count_documents(query) == len(expected)


def test_projection_sort_skip_limit(db):
    rows = list(db.officer.find({}, {"_id": 1, "year": 1}).sort([("service", 1), ("year", -1), ("_id", 1)]).skip(1).limit(2))
    assert rows == [{"_id": "O3", "year": 2018}, {"_id": "O1", "year": 2010}]


def test_distinct(db):
    assert sorted(db.officer.distinct("service")) == ["CSS", "IAS"]


def test_writes(db):
    db.officer.update_one({"_id": "O1"}, {"$set": {"year": 2011}, "$inc": {"edits": 1}})
    assert db.officer.find_one({"_id": "O1"})["edits"] == 1
    result = db.officer.replace_one({"_id": "O2", "year": 1999}, {"year": 1})
    assert result.matched_count == 0
    assert db.officer.replace_one({"_id": "O2", "year": 2015}, {"year": 2016}).matched_count == 1
    assert db.officer.delete_one({"_id": "O3"}).deleted_count == 1
    assert db.officer.delete_many({"year": {"$gt": 0}}).deleted_count == 2


def test_atomic_counter(db):
    for expected in (1, 2, 5):
        doc = db.naming_series.find_one_and_update({"_id": "OFF-2026-"}, {"$inc": {"current": 3 if expected == 5 else 1}},
                                                   upsert=True, return_document=ReturnDocument.AFTER)
        assert doc["current"] == expected


def test_upsert_with_inc_set_and_set_on_insert(db):
    """How the gap rollups move: one atomic upsert per (MDO, position, competency)."""
    for officers in (1, 2):
        db.gap_summary.update_one({"_id": "P|US|Drafting"}, {"$inc": {"officers": 1, "total_gap": 2},
                                                             "$set": {"mdo": "P", "modified": officers},
                                                             "$setOnInsert": {"creation": "first"}}, upsert=True)
    assert db.gap_summary.find_one({"_id": "P|US|Drafting"}) == {
        "_id": "P|US|Drafting", "officers": 2, "total_gap": 4, "mdo": "P", "modified": 2, "creation": "first"}
    db.gap_summary.update_one({"_id": "P|US|Drafting"}, {"$inc": {"officers": -2}})
    assert db.gap_summary.delete_many({"_id": {"$in": ["P|US|Drafting"]}, "officers": {"$lte": 0}}).deleted_count == 1


def test_indexes_compound_unique_sparse(db):
    db.officer.create_index([("mdo", 1), ("year", -1)])
    db.officer.create_index([("email", 1)], unique=True, sparse=True, name="unique_email")
    names = set(db.officer.index_information())
    assert {"mdo_1_year_-1", "unique_email"} <= names
    db.officer.insert_one({"_id": "O4"})  # no email: sparse index skips it
    db.officer.insert_one({"_id": "O5"})
    with pytest.raises(DuplicateKeyError):
        db.officer.insert_one({"_id": "O6", "email": "a@gov.in"})
    with pytest.raises(DuplicateKeyError):
        db.officer.insert_one({"_id": "O1"})


def test_aggregation_stages(db):
    pipeline = [
        {"$match": {"creation": {"$gte": dt.datetime(2026, 1, 1)}}},
        {"$group": {"_id": {"mdo": "$mdo", "month": {"$dateToString": {"format": "%Y-%m", "date": "$creation"}}},
                    "officers": {"$sum": 1}, "first_year": {"$min": "$year"}, "last_year": {"$max": "$year"},
                    "avg_year": {"$avg": "$year"}, "services": {"$addToSet": "$service"}, "names": {"$push": "$_id"}}},
        {"$sort": {"_id.mdo": 1, "_id.month": 1}},
        {"$project": {"_id": 0, "mdo": "$_id.mdo", "month": "$_id.month", "officers": 1, "first_year": 1,
                      "span": {"$subtract": ["$last_year", "$first_year"]}}},
    ]
    assert list(db.officer.aggregate(pipeline)) == [
        {"officers": 2, "first_year": 2010, "mdo": "Ministry of Power", "month": "2026-01", "span": 5},
        {"officers": 1, "first_year": 2018, "mdo": "Ministry of Steel", "month": "2026-02", "span": 0},
    ]


def test_aggregation_unwind_lookup_count_facets(db):
    unwound = list(db.officer.aggregate([{"$unwind": "$postings"}, {"$group": {"_id": "$postings.designation", "n": {"$sum": 1}}},
                                         {"$sort": {"_id": 1}}]))
    assert [d["_id"] for d in unwound] == ["DM", "SDM", "SO"]
    joined = list(db.officer.aggregate([{"$match": {"_id": "O3"}},
                                        {"$lookup": {"from": "mdo", "localField": "mdo", "foreignField": "_id", "as": "org"}},
                                        {"$project": {"type": {"$arrayElemAt": ["$org.mdo_type", 0]}}}]))
    assert joined == [{"_id": "O3", "type": "Ministry"}]
    assert list(db.officer.aggregate([{"$match": {"service": "IAS"}}, {"$count": "n"}])) == [{"n": 2}]
    paged = list(db.officer.aggregate([{"$sort": {"_id": 1}}, {"$skip": 1}, {"$limit": 1}]))
    assert [d["_id"] for d in paged] == ["O2"]
    cond = list(db.officer.aggregate([{"$project": {"senior": {"$cond": [{"$lt": ["$year", 2012]}, 1, 0]},
                                                    "mail": {"$ifNull": ["$email", "none"]},
                                                    "postings": {"$size": "$postings"}, "y": {"$year": "$creation"},
                                                    "m": {"$month": "$creation"}}}, {"$sort": {"_id": 1}}]))
    assert [(d["senior"], d["mail"], d["postings"], d["y"], d["m"]) for d in cond] == [
        (1, "a@gov.in", 2, 2026, 1), (0, "b@gov.in", 1, 2026, 1), (0, "none", 0, 2026, 2)]


FORBIDDEN = {
    "transactions": r"start_session|with_transaction",
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
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name in ("patches.py", "readonly.py"):  # readonly.py names $out and $merge to refuse them
            continue
        text = path.read_text()
        offenders += [f"{path.relative_to(APP)}: {name}" for name, pattern in FORBIDDEN.items() if re.search(pattern, text)]
    for path in (APP.parent / "scripts" / "analytics").glob("*.js"):
        text = path.read_text()
        offenders += [f"{path.name}: {name}" for name, pattern in FORBIDDEN.items() if re.search(pattern, text)]
    assert offenders == []
