"""``lifecycle.insert_many`` keeps every rule of ``insert``: for the same rows, good and bad,
one installation inserting them one by one and another in a batch end with the same records,
the same errors row by row, the same learner accounts and invitations, the same gap rollups
and the same dashboard counters."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import install
from app.errors import IgotError
from app.model import lifecycle
from app.site import Site

from .conftest import make_config

POWER, STEEL = "Ministry of Power", "Ministry of Steel"
VOLATILE = {"_id", "name", "creation", "modified", "owner", "modified_by", "officer", "role_map", "_counted"}


def _verified(now) -> dict:
    """A verified record's workflow fields, as written straight into the store."""
    return {
        "workflow_state": "Verified",
        "docstatus": 1,
        "owner": "Administrator",
        "creation": now,
        "modified": now,
        "modified_by": "Administrator",
    }


def _world(tmp, store="mongomock"):
    site = Site(make_config(store, tmp))
    install.init(site)
    ctx = site.context()
    positions = {}
    competencies = [c["_id"] for c in site.db.competency.find({"workflow_state": "Verified"}).sort("_id", 1).limit(3)]
    for mdo in (POWER, STEEL):
        pos = lifecycle.insert(ctx, "Position", {"position_name": "Under Secretary", "mdo": mdo, "group": "A"}).name
        positions[mdo] = pos
        now = ctx.now()
        site.db.role_map.insert_one(
            {
                "_id": f"RM-{mdo[-5:]}",
                "mdo": mdo,
                "position": pos,
                "position_name": "Under Secretary",
                "version": 1,
                **_verified(now),
                "requirements": [
                    {"role_name": "US", "competency": c, "required_level": 2 + i} for i, c in enumerate(competencies)
                ],
            }
        )
    return site, positions


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    one, positions = _world(tmp_path_factory.mktemp("one"))
    many, _ = _world(tmp_path_factory.mktemp("many"))
    yield one, many, positions
    one.close()
    many.close()


ROW = st.fixed_dictionaries(
    {
        "who": st.integers(0, 6),  # a small pool of addresses: repeats within a batch and across them
        "mdo": st.sampled_from([POWER, STEEL, "Ministry of Nowhere"]),
        "group": st.sampled_from(["A", "B", "Z"]),
        "service": st.sampled_from(["CSS", "IAS", "No Such Service"]),
        "year": st.one_of(st.none(), st.integers(1940, 2030)),
        "position": st.booleans(),
        "named": st.booleans(),
        "case": st.booleans(),
    }
)


def _rows(draws, run, positions):
    rows = []
    for d in draws:
        email = f"officer{d['who']}.run{run}@gov.in"
        row = {
            "email": email.upper() if d["case"] else email,
            "group": d["group"],
            "service": d["service"],
            "mdo": d["mdo"],
        }
        if d["named"]:
            row["full_name"] = f"Officer {d['who']}"
        if d["year"] is not None:
            row["year_of_allotment"] = d["year"]
        if d["position"]:
            row["position"] = positions.get(d["mdo"], "POS-NONE")
        rows.append(row)
    return rows


def _records(site, collection, run):
    out = []
    for doc in site.db[collection].find({}):
        key = doc.get("email") or doc.get("officer_email") or doc.get("recipient") or doc.get("_id")
        if f".run{run}@" not in str(key):
            continue
        if collection == "mail":  # each link is new and the time of sending moves: who, what, why
            doc = {k: doc.get(k) for k in ("recipient", "subject", "kind", "reason", "status")}
        out.append({k: _plain(v) for k, v in doc.items() if k not in VOLATILE and not isinstance(v, dt.datetime)})
    return sorted(out, key=repr)


def _plain(value):
    """A child table's rows without their random row names."""
    if isinstance(value, list):
        return [{k: v for k, v in r.items() if k != "name"} if isinstance(r, dict) else r for r in value]
    return value


def _shared(site, collection):
    return sorted(
        (
            {k: v for k, v in d.items() if k not in ("creation", "modified", "modified_by", "owner")}
            for d in site.db[collection].find({})
        ),
        key=repr,
    )


RUNS = iter(range(10**6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draws=st.lists(ROW, min_size=1, max_size=12))
def test_insert_many_matches_insert_row_by_row(worlds, draws):
    one, many, positions = worlds
    run = next(RUNS)
    rows = _rows(draws, run, positions)
    singly = []
    for row in rows:
        try:
            singly.append(lifecycle.insert(one.context("nodal@dopt.gov.in"), "Officer", dict(row)))
        except IgotError as exc:
            singly.append(exc)
    batch = lifecycle.insert_many(many.context("nodal@dopt.gov.in"), "Officer", [dict(r) for r in rows])
    assert len(batch) == len(singly)
    for a, b in zip(singly, batch, strict=True):
        assert isinstance(a, IgotError) == isinstance(b, IgotError), (a, b)
        if isinstance(a, IgotError):
            assert (type(a), a.errors) == (type(b), b.errors)
            assert a.message.split(": ", 1)[-1] == b.message.split(": ", 1)[-1]
    for collection in ("officer", "user", "officer_gap", "mail"):
        assert _records(one, collection, run) == _records(many, collection, run), collection
    for collection in ("gap_summary", "mdo_activity"):
        assert _shared(one, collection) == _shared(many, collection), collection


def test_a_batch_cut_off_before_its_follow_up_is_completed_once(tmp_path, monkeypatch):
    """A process that dies after a batch is written and before its follow-up ran leaves the
    batch's note (``pending_batch``), not a marker on each record; ``resume_pending`` then
    gives each officer written its learner account and dashboard count, once, and removes
    the note. A batch that finished leaves no note."""
    site, _ = _world(tmp_path)
    ctx = site.context("nodal@dopt.gov.in")
    rows = [{"full_name": f"Cut {i}", "email": f"cut{i}@gov.in", "group": "A", "service": "CSS", "mdo": POWER} for i in range(5)]
    counted = sum(d["count"] for d in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
    with monkeypatch.context() as m:  # the process dies once the records are written
        m.setattr(lifecycle, "_hooks_batch", lambda *a: {})
        m.setattr(lifecycle, "_close_batch", lambda *a: None)
        lifecycle.insert_many(ctx, "Officer", rows)
    names = [d["_id"] for d in site.db.officer.find({"email": {"$regex": "^cut"}})]
    assert len(names) == 5 and site.db.officer.count_documents({lifecycle.PENDING: {"$exists": True}}) == 0
    assert [b["names"] for b in site.db.pending_batch.find()] == [sorted(names)]
    assert site.db.user.count_documents({"_id": {"$in": [r["email"] for r in rows]}}) == 0

    resumed = lifecycle.resume_pending(site, min_age=dt.timedelta(0))
    assert sorted(n for d, n in resumed if d == "Officer") == sorted(names)
    assert site.db.user.count_documents({"_id": {"$in": [r["email"] for r in rows]}}) == 5
    assert site.db.pending_batch.count_documents({}) == 0
    after = sum(d["count"] for d in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
    assert after == counted + 5
    assert lifecycle.resume_pending(site, min_age=dt.timedelta(0)) == []  # nothing twice

    lifecycle.insert_many(
        ctx, "Officer", [{"full_name": "Whole", "email": "whole@gov.in", "group": "A", "service": "CSS", "mdo": POWER}]
    )
    assert site.db.pending_batch.count_documents({}) == 0
    site.close()


def test_a_batch_cut_off_after_its_count_is_not_counted_twice(tmp_path, monkeypatch):
    """The dashboard's count of a batch is claimed on the batch's note, once, rather than on
    each officer: a process that dies after the count and before the note is removed leaves
    the note, and completing it gives no officer a second count."""
    site, _ = _world(tmp_path)
    ctx = site.context("nodal@dopt.gov.in")
    rows = [
        {"full_name": f"Late {i}", "email": f"late{i}@gov.in", "group": "A", "service": "CSS", "mdo": POWER} for i in range(4)
    ]
    counted = sum(d["count"] for d in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
    with monkeypatch.context() as m:  # the process dies once the follow-up is done
        m.setattr(lifecycle, "_close_batch", lambda *a: None)
        lifecycle.insert_many(ctx, "Officer", rows)
    assert [b["counted"] for b in site.db.pending_batch.find({"doctype": "Officer"})] == [["officers"]]
    assert sum(d["count"] for d in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"})) == counted + 4

    lifecycle.resume_pending(site, min_age=dt.timedelta(0))
    assert site.db.pending_batch.count_documents({}) == 0
    assert sum(d["count"] for d in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"})) == counted + 4
    assert site.db.user.count_documents({"_id": {"$in": [r["email"] for r in rows]}}) == 4
    site.close()


def test_a_batch_never_written_is_dropped_when_the_file_is_imported_again(tmp_path, monkeypatch):
    """A run killed after noting a batch and before writing it leaves a note that names no
    record; importing the same file again drops it at once (the note carries the file's
    digest) and imports every row."""
    from app import importer

    site, _ = _world(tmp_path)
    ctx = site.context("nodal@dopt.gov.in")
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "full_name,email,group,service,mdo\n" + "".join(f"Never {i},never{i}@gov.in,A,CSS,{POWER}\n" for i in range(3))
    )

    def killed(*args):
        raise KeyboardInterrupt  # the process dies before the batch is written

    with monkeypatch.context() as m:
        m.setattr(lifecycle, "_write_many", killed)
        with pytest.raises(KeyboardInterrupt):
            importer.import_file(ctx, "Officer", staff)
    assert site.db.pending_batch.count_documents({}) == 1
    assert site.db.officer.count_documents({"email": {"$regex": "^never"}}) == 0

    result = importer.import_file(ctx, "Officer", staff)
    assert len(result.inserted) == 3 and not result.errors
    assert site.db.pending_batch.count_documents({}) == 0
    site.close()


def test_new_officers_read_no_passbook_levels_or_gaps_and_a_resumed_batch_reads_them(tmp_path, monkeypatch):
    """Officers just made by a batch can have no passbook entry, level or gap row yet, so
    their gaps are computed without looking for any: in a process that has not read those
    collections, the look would read each whole (the embedded store's query index). A batch
    completed after a crash is of officers that exist: a passbook entry verified since the
    crash counts in their levels and gaps."""
    site, positions = _world(tmp_path, "embedded")
    site.close()
    site = Site(make_config("embedded", tmp_path))  # a fresh process: no collection read yet
    ctx = site.context("nodal@dopt.gov.in")

    def stored(collection):
        return site.db[collection]._store._query_index is not None

    rows = [
        {
            "full_name": f"New {i}",
            "email": f"new{i}@gov.in",
            "group": "A",
            "service": "CSS",
            "mdo": POWER,
            "position": positions[POWER],
        }
        for i in range(3)
    ]
    made = lifecycle.insert_many(ctx, "Officer", rows)
    assert not [m for m in made if isinstance(m, IgotError)]
    assert site.db.officer_gap.count_documents({"officer": {"$in": [m.name for m in made]}}) == 9
    assert not stored("passbook_entry") and not stored("officer_competency")

    cut = [dict(r, full_name=f"Cut {i}", email=f"cutgap{i}@gov.in") for i, r in enumerate(rows)]
    with monkeypatch.context() as m:  # the process dies once the records are written
        m.setattr(lifecycle, "_hooks_batch", lambda *a: {})
        m.setattr(lifecycle, "_close_batch", lambda *a: None)
        lifecycle.insert_many(ctx, "Officer", cut)
    officer = site.db.officer.find_one({"email": "cutgap0@gov.in"})["_id"]
    gap = site.db.role_map.find_one({"mdo": POWER})["requirements"][0]
    now = ctx.now()
    site.db.passbook_entry.insert_one(
        {
            "_id": "PBE-CUT-1",
            "officer": officer,
            "officer_email": "cutgap0@gov.in",
            "mdo": POWER,
            "competency": gap["competency"],
            "level": gap["required_level"],
            **_verified(now),
        }
    )
    lifecycle.resume_pending(site, min_age=dt.timedelta(0))
    level = site.db.officer_competency.find_one({"officer": officer, "competency": gap["competency"]})
    assert level is not None and level["level"] == gap["required_level"]
    row = site.db.officer_gap.find_one({"officer": officer, "competency": gap["competency"]})
    assert (row["current_level"], row["gap"]) == (gap["required_level"], 0)
    assert site.db.officer_gap.count_documents({"officer": officer}) == 3
    site.close()
