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
