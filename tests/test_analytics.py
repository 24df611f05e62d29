"""For analysts: the data dictionary is generated from the meta and kept current; each saved
analysis is one pipeline, run by `igot aggregate` on any store and by mongosh (checked here
by running the same file under node with a stand-in `db`); the read-only shell refuses
writes."""

import datetime as dt
import json
import shutil
import subprocess
from collections import Counter, defaultdict

import pytest
from click.testing import CliRunner

from app import analytics, docs, install
from app.config import ROOT, Config
from app.model import lifecycle
from app.site import Site

POWER, STEEL = "Ministry of Power", "Ministry of Steel"


def test_the_committed_data_dictionary_is_current():
    site = Site(Config(store="mongomock"))  # the product's doctypes only, a fresh installation
    install.init(site)
    committed = (ROOT / "docs" / "data-dictionary.md").read_text()
    assert docs.generate(site) == committed, "docs/data-dictionary.md is stale: run `igot docs`"


def test_the_dictionary_names_collections_fields_values_relations_indexes_and_custom_fields(mock_site):
    text = docs.generate(mock_site)
    officer = text[text.index("### `officer`") : text.index("### `service`")]
    assert "| `group` | string | Group (required) | `A`, `B`, `C` |" in officer
    assert "- `service` → `service._id`" in officer and "- `enrolment.officer` → here" in officer
    assert "`{mdo, modified desc, _id desc}`" in officer and "`{email}` unique" in officer
    lifecycle.insert(
        mock_site.context(),
        "Custom Field",
        {"ref_doctype": "Officer", "mdo": POWER, "fieldname": "cpao_code", "label": "CPAO Code", "fieldtype": "Data"},
    )
    officer = docs.generate(mock_site).split("### `officer`")[1].split("### `")[0]
    assert f"| {POWER} | `cpao_code` | Data | CPAO Code |" in officer


@pytest.fixture
def data(site):
    """Officers, enrolments, claims, ledger entries, gaps and content across two MDOs, written
    as the application writes them (the analyses read the same collections)."""
    db = site.db
    months = [dt.datetime(2026, 1, 10), dt.datetime(2026, 2, 3), dt.datetime(2026, 2, 20)]
    states = ["Certified", "Registered", "Certified", "Withdrawn", "Not Certified", "Certified"]
    for i in range(12):
        mdo = POWER if i % 3 else STEEL
        db.officer.insert_one({"_id": f"OFF-{i}", "mdo": mdo, "full_name": f"O{i}", "creation": months[i % 3]})
        db.enrolment.insert_one(
            {
                "_id": f"ENR-{i}",
                "officer": f"OFF-{i}",
                "mdo": mdo,
                "course": f"Course {i % 2}",
                "workflow_state": states[i % 6],
                "creation": months[(i + 1) % 3],
            }
        )
        db.credit_ledger.insert_one({"_id": f"CE-{i}", "officer": f"OFF-{i % 5}", "mdo": mdo, "points": 20})
        db.content_module.insert_one({"_id": f"CM-{i}", "mdo": mdo, "workflow_state": ["Draft", "Published"][i % 2]})
    for i in range(4):
        db.reimbursement_claim.insert_one(
            {
                "_id": f"RC-{i}",
                "mdo": POWER,
                "currency": "USD",
                "amount_paid": 100.0,
                "approved_amount": 100.0 if i < 3 else None,
                "workflow_state": ["Paid", "Approved", "Paid", "Submitted"][i],
                "creation": months[i % 2],
            }
        )
    db.gap_summary.insert_many(
        [
            {
                "_id": "a",
                "mdo": POWER,
                "position": "P1",
                "competency": "Budgeting",
                "officers": 4,
                "officers_short": 2,
                "total_gap": 3,
            },
            {
                "_id": "b",
                "mdo": POWER,
                "position": "P2",
                "competency": "Budgeting",
                "officers": 2,
                "officers_short": 2,
                "total_gap": 5,
            },
            {
                "_id": "c",
                "mdo": STEEL,
                "position": "P3",
                "competency": "Drafting",
                "officers": 3,
                "officers_short": 0,
                "total_gap": 0,
            },
        ]
    )
    return db


@pytest.mark.needs("expressions")
def test_every_saved_analysis_runs_and_agrees_with_the_records(data, site):
    from app.analysts import AnalystDatabase

    db = data
    surface = AnalystDatabase(db, site.registry)
    officers = analytics.run(surface, "officers_by_mdo_month")
    expected = Counter((o["mdo"], o["creation"].strftime("%Y-%m")) for o in db.officer.find())
    assert {(r["mdo"], r["month"]): r["officers"] for r in officers} == expected
    assert [(r["mdo"], r["month"]) for r in officers] == sorted(expected)

    power = analytics.run(surface, "enrolments_by_mdo_month", mdo=POWER)
    assert {r["mdo"] for r in power} == {POWER}
    assert sum(r["enrolments"] for r in power) == db.enrolment.count_documents({"mdo": POWER})
    assert sum(r["certified"] for r in power) == db.enrolment.count_documents({"mdo": POWER, "workflow_state": "Certified"})

    rates = {r["course"]: r for r in analytics.run(surface, "completion_rates_by_course")}
    for course, r in rates.items():
        counted = [e for e in db.enrolment.find({"course": course}) if e["workflow_state"] not in ("Withdrawn", "Not Eligible")]
        done = sum(e["workflow_state"] == "Certified" for e in counted)
        assert (r["enrolments"], r["certified"]) == (len(counted), done)
        assert r["completion_percent"] == pytest.approx(100 * done / len(counted))

    gaps = analytics.run(surface, "competency_gaps_by_mdo")
    assert gaps == [{"mdo": POWER, "competency": "Budgeting", "officers": 6, "officers_short": 4, "average_gap": 2.0}]

    claims = analytics.run(surface, "reimbursements_by_mdo_month")
    assert sum(r["claims"] for r in claims) == 4 and sum(r["claimed"] for r in claims) == 400.0
    assert sum(r["approved"] for r in claims) == 300.0 and sum(r["paid"] for r in claims) == 200.0

    balances = defaultdict(int)
    for e in db.credit_ledger.find():
        balances[e["officer"]] += e["points"]
    bands = {r["from_points"]: r["officers"] for r in analytics.run(surface, "credit_balance_distribution")}
    assert sum(bands.values()) == len(balances) and bands[40] == sum(1 for b in balances.values() if 40 <= b < 60)

    content = analytics.run(surface, "content_by_state_mdo", mdo=STEEL)
    assert {(r["state"], r["modules"]) for r in content} == set(
        Counter(c["workflow_state"] for c in db.content_module.find({"mdo": STEEL})).items()
    )
    assert len(analytics.names()) >= 7


@pytest.mark.needs("expressions")
def test_igot_aggregate_prints_table_csv_and_json(data, site, monkeypatch):
    from app import cli

    monkeypatch.setattr(cli, "_site", lambda: site)
    runner = CliRunner()
    table = runner.invoke(cli.main, ["aggregate", "content_by_state_mdo", "--mdo", POWER])
    assert table.exit_code == 0 and table.output.splitlines()[0].split() == ["mdo", "state", "modules"]  # keys first
    csv = runner.invoke(cli.main, ["aggregate", "content_by_state_mdo", "--format", "csv"]).output.splitlines()
    assert csv[0] == "mdo,state,modules" and len(csv) == 1 + 4
    typo = runner.invoke(cli.main, ["aggregate", "content_by_state_mdo", "--mdo", "Ministry of Powr"])
    assert typo.exit_code == 1 and "'Ministry of Powr' is not an MDO; did you mean 'Ministry of Power'" in typo.output
    out = json.loads(runner.invoke(cli.main, ["aggregate", "officers_by_mdo_month", "--format", "json"]).output)
    assert sum(r["officers"] for r in out) == 12
    missing = runner.invoke(cli.main, ["aggregate", "no_such_thing"])
    assert missing.exit_code != 0 and "officers_by_mdo_month" in missing.output
    listing = runner.invoke(cli.main, ["aggregate"]).output
    assert "completion_rates_by_course: Completion rate by course" in listing


NODE = shutil.which("node")
STUB = """
const captured = [];
globalThis.printjson = (row) => captured.push(row);
globalThis.db = { getCollection: (name) => ({ aggregate: (stages) => { captured.push({ collection: name, stages });
                                                                     return [{ ok: 1 }]; } }) };
if (process.argv[3]) globalThis.MDO = process.argv[3];
const source = require("fs").readFileSync(process.argv[2], "utf8");
new Function(source.replace(/^const /gm, "var "))();
console.log(JSON.stringify(captured));
"""


@pytest.mark.parametrize("name", analytics.names())
def test_mongosh_runs_the_same_pipeline(name, tmp_path):
    if NODE is None:
        if __import__("os").environ.get("CI"):
            raise RuntimeError("node is missing: .ci/run must install Debian's nodejs")
        pytest.skip("node is not installed here (.ci/run installs it)")
    stub = tmp_path / "stub.js"
    stub.write_text(STUB)
    analysis = analytics.load(name)
    for mdo in (None, POWER):
        args = [NODE, str(stub), str(analysis["path"])] + ([mdo] if mdo else [])
        call, row = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        assert call == {"collection": analysis["collection"], "stages": analytics.stages(analysis, mdo)}
        assert row == {"ok": 1}  # each result row is printed


def test_the_read_only_shell_reads_and_refuses_writes(data, site):
    from app.analysts import AnalystDatabase
    from app.store.readonly import ReadOnlyError

    ro = AnalystDatabase(data, site.registry)
    assert ro.analyst_officer.count_documents({"mdo": POWER}) == 8
    assert ro["analyst_officer"].find_one({"_id": "OFF-1"})["full_name"] == "O1"
    assert len(list(ro.enrolment.aggregate([{"$match": {"mdo": STEEL}}]))) == 4
    for attempt in (
        lambda: ro.analyst_officer.insert_one({"_id": "x"}),
        lambda: ro.enrolment.update_many({}, {"$set": {"mdo": "x"}}),
        lambda: ro.enrolment.delete_many({}),
        lambda: ro.enrolment.drop(),
        lambda: ro.enrolment.create_index("x"),
        lambda: ro.enrolment.aggregate([{"$match": {}}, {"$out": "copy"}]),
        lambda: ro.drop_collection("officer"),
        lambda: ro.command("dropDatabase"),
        lambda: ro.fs.files.delete_many({}),
    ):
        with pytest.raises(ReadOnlyError):
            attempt()
    assert data.officer.count_documents({}) == 12 and "copy" not in data.list_collection_names()


def test_the_read_only_shell_takes_what_mongosh_users_type_first(data, site, capsys):
    from app.analysts import AnalystConsole, AnalystDatabase

    db = AnalystDatabase(site.db, site.registry)
    console = AnalystConsole(db, {"db": db})
    console.push("show collections")
    assert "analyst_officer" in capsys.readouterr().err.split()
    console.push("db.content_module.countDocuments({'mdo': 'Ministry of Steel'})")
    assert capsys.readouterr().out.strip() == str(site.db.content_module.count_documents({"mdo": STEEL}))
    console.push("db.content_module.find({'mdo': 'Ministry of Steel'}).pretty()")
    shown = capsys.readouterr().out
    assert shown.count("'mdo': 'Ministry of Steel'") == site.db.content_module.count_documents({"mdo": STEEL})
    console.push("db.content_module.find({mdo: 'Ministry of Steel', retired: true})")  # mongosh, not Python
    assert "This shell speaks Python: quote keys" in capsys.readouterr().err and console.hinted


def test_the_analyst_reads_every_mdo_and_changes_nothing_in_the_api_or_the_admin(mock_site):
    import re

    from app.web import create_app

    from .conftest import PASSWORD, add_user, token_client

    ctx = mock_site.context()
    power = lifecycle.insert(ctx, "Officer", {"full_name": "Asha", "email": "asha@power.gov.in", "group": "A", "mdo": POWER}).name
    lifecycle.insert(ctx, "Officer", {"full_name": "Sunil", "email": "sunil@steel.gov.in", "group": "A", "mdo": STEEL})
    add_user(mock_site, "analyst@gov.in", ["Analyst"])
    app = create_app(site=mock_site)
    api = token_client(mock_site, "analyst@gov.in", app=app)
    assert {r["mdo"] for r in api.get("/api/resource/Officer").json["data"]} == {POWER, STEEL}
    before = mock_site.db.officer.find_one({"_id": power})
    assert api.put(f"/api/resource/Officer/{power}", json={"full_name": "Changed"}).status_code == 403
    assert (
        api.post("/api/resource/Officer", json={"full_name": "X", "email": "x@gov.in", "group": "A", "mdo": POWER}).status_code
        == 403
    )
    assert api.delete(f"/api/resource/Officer/{power}").status_code == 403
    assert api.post("/api/method/run_job", json={"job": "rebuild_rollups"}).status_code == 403
    assert mock_site.db.officer.find_one({"_id": power}) == before

    admin = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', admin.get("/admin/login/").get_data(as_text=True)).group(1)
    admin.post("/admin/login/", data={"email": "analyst@gov.in", "password": PASSWORD, "csrf_token": token})
    assert "Sunil" in admin.get("/admin/officer/").get_data(as_text=True)
    # signing in starts a new session, with a new CSRF token
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', admin.get("/admin/officer/").get_data(as_text=True)).group(1)
    edit = admin.post(f"/admin/officer/edit/?id={power}", data={"full_name": "Changed", "csrf_token": token})
    assert edit.status_code in (302, 403) and mock_site.db.officer.find_one({"_id": power}) == before
    assert admin.get("/admin/officer/new/").status_code in (302, 403)
