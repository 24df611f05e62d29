"""Fixtures from the seeds, loaded idempotently."""

import json

from app import fixtures, install
from app.config import ROOT
from app.model import lifecycle


def test_seed_mdos_and_services(site):
    assert site.db.mdo.count_documents({}) == 33
    assert site.db.mdo.count_documents({"phase_1_pilot": True}) == 12
    assert site.db.mdo.count_documents({"runs_flagship_programme": True}) == 18
    assert site.db.mdo.find_one({"_id": "Department of Economic Affairs"})["parent_mdo"] == "Ministry of Finance"
    assert {d["_id"] for d in site.db.service.find()} == {"IAS", "IPS", "IFoS", "CCS", "CSS", "CSSS", "SCS"}
    assert [g["group"] for g in site.db.service.find_one({"_id": "CSS"})["groups"]] == ["A", "B", "C"]


def test_loading_twice_changes_nothing(site):
    before = {d["_id"]: d["modified"] for d in site.db.mdo.find()}
    versions = site.db.version.count_documents({})
    report = install.init(site)
    assert report["fixtures"]["MDO"] == {"inserted": 0, "updated": 0, "unchanged": 33}
    assert report["fixtures"]["Service"]["unchanged"] == 7
    assert {d["_id"]: d["modified"] for d in site.db.mdo.find()} == before
    assert site.db.version.count_documents({}) == versions


def test_changed_fixture_updates_and_missing_record_is_restored(site, tmp_path):
    ctx = site.context()
    lifecycle.save(ctx, "MDO", "Ministry of Steel", {"abbreviation": "STEEL"})
    site.db.mdo.delete_one({"_id": "Ministry of Tourism"})
    report = fixtures.load_all(ctx, [ROOT / "fixtures"])
    assert report["MDO"] == {"inserted": 1, "updated": 1, "unchanged": 31}
    assert site.db.mdo.find_one({"_id": "Ministry of Steel"})["abbreviation"] == "MoS"


def test_export_fixtures_round_trips(site, tmp_path):
    ctx = site.context()
    path = fixtures.export(ctx, "Service", tmp_path / "service.json")
    exported = json.loads(path.read_text())
    shipped = json.loads((ROOT / "fixtures" / "service.json").read_text())
    assert exported["doctype"] == "Service"
    key = lambda r: r["name"]
    strip = lambda recs: sorted(({k: v for k, v in r.items() if v not in (None, [])} for r in recs), key=key)
    assert strip(exported["records"]) == strip(shipped["records"])
    assert fixtures.load_records(ctx, "Service", exported["records"])["unchanged"] == 7
