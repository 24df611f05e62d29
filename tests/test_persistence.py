"""A duplicate key refused by the store's own unique index (two requests racing past the
unique check) is reported as the record and field it concerns, on every store: from the
server's keyPattern, the index named in the message, or by asking the store."""

import pytest

from app.errors import DuplicateEntry
from app.model import persistence


def test_a_duplicate_unique_value_names_its_field(site):
    meta, coll = site.meta("Officer"), site.collection("Officer")
    base = {"full_name": "A", "service": "IAS", "group": "A", "mdo": "Ministry of Power", "docstatus": 0}
    persistence.insert(coll, meta, {**base, "name": "OFF-X-1", "email": "same@gov.in"})
    with pytest.raises(DuplicateEntry) as refused:
        persistence.insert(coll, meta, {**base, "name": "OFF-X-2", "email": "same@gov.in"})
    assert set(refused.value.errors) == {"email"} and "email='same@gov.in'" in refused.value.message


def test_a_duplicate_name_says_the_record_exists(site):
    meta, coll = site.meta("Officer"), site.collection("Officer")
    base = {"full_name": "A", "service": "IAS", "group": "A", "mdo": "Ministry of Power", "docstatus": 0}
    persistence.insert(coll, meta, {**base, "name": "OFF-X-1", "email": "one@gov.in"})
    with pytest.raises(DuplicateEntry) as refused:
        persistence.insert(coll, meta, {**base, "name": "OFF-X-1", "email": "two@gov.in"})
    assert set(refused.value.errors) == {"name"} and "already exists" in refused.value.message


def test_upsert_many_sends_again_only_what_a_race_refused(site):
    """Two first-ever upserts of one document racing: the loser's bulk names it refused with
    a duplicate key, and ``upsert_many`` sends that one again (the counter then moves by the
    sum of both); any other refusal is raised."""
    from pymongo.errors import BulkWriteError

    coll = site.db.upsert_race
    real_bulk_write, calls = coll.bulk_write, []

    class Racing:
        """The collection, with another writer creating "B" just before the first bulk lands."""

        def bulk_write(self, requests, ordered):
            calls.append([r._filter["_id"] for r in requests])
            if len(calls) == 1:
                real_bulk_write([requests[0]], ordered=ordered)
                coll.insert_one({"_id": "B", "officers": 10})
                raise BulkWriteError({"writeErrors": [{"index": 1, "code": 11000, "errmsg": "E11000"}]})
            return real_bulk_write(requests, ordered=ordered)

    persistence.upsert_many(Racing(), [({"_id": "A"}, {"$inc": {"officers": 1}}), ({"_id": "B"}, {"$inc": {"officers": 2}})])
    assert calls == [["A", "B"], ["B"]]
    assert {d["_id"]: d["officers"] for d in coll.find()} == {"A": 1, "B": 12}

    class Refusing:
        def bulk_write(self, requests, ordered):
            raise BulkWriteError({"writeErrors": [{"index": 0, "code": 121, "errmsg": "validation"}]})

    with pytest.raises(BulkWriteError):
        persistence.upsert_many(Refusing(), [({"_id": "C"}, {"$inc": {"officers": 1}})])
