"""igot init creates the indexes the meta declares and records the definitions."""

import pytest

from app import install


def test_declared_compound_and_unique_indexes_exist(site):
    info = site.db.officer.index_information()
    keys = {tuple(v["key"]) for v in info.values()}
    # declared keys, then _id in the last key's direction (lists sort by key, then _id)
    assert (("mdo", 1), ("full_name", 1), ("_id", 1)) in keys
    assert (("service", 1), ("group", 1), ("year_of_allotment", 1), ("_id", 1)) in keys
    assert (("modified", -1), ("_id", -1)) in keys
    assert info["unique_email"]["unique"]
    assert site.db.mdo.index_information()["unique_mdo_name"]["unique"]
    assert {"ref_doctype", "docname"} <= {k for v in site.db.version.index_information().values() for k, _ in v["key"]}


@pytest.mark.needs("sparse_unique")
def test_unique_indexes_skip_records_without_the_value(site):
    assert site.db.officer.index_information()["unique_email"].get("sparse")


def test_init_twice_keeps_one_index_each(site):
    before = sorted(site.db.officer.index_information())
    install.init(site)
    assert sorted(site.db.officer.index_information()) == before


def test_definitions_recorded(site):
    officer = site.db.doctype.find_one({"_id": "Officer"})
    assert officer["collection"] == "officer" and officer["autoname"] == "OFF-.YYYY.-.#####"
    assert install.is_initialised(site)


def test_internal_collections_are_indexed(site):
    assert (("user", 1), ("created", 1)) in {tuple(v["key"]) for v in site.db.api_token.index_information().values()}
    assert (("locked_until", -1),) in {tuple(v["key"]) for v in site.db.login_attempt.index_information().values()}
