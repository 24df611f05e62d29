"""Naming rules, and a naming series that never repeats under concurrent inserts."""

import datetime as dt
import multiprocessing

import pytest

from app.errors import DuplicateEntry, ValidationError
from app.model import lifecycle, naming
from app.site import Site


def test_series_parts():
    when = dt.datetime(2026, 3, 9)
    assert naming.series_parts("OFF-.YYYY.-.#####", when) == ("OFF-2026-", 5)
    assert naming.series_parts("SAN-.YY.-.MM.-.DD.-.###", when) == ("SAN-26-03-09-", 3)


def test_series_counts_per_prefix_and_resets_by_year(ctx, officer_data):
    ctx.clock = lambda: dt.datetime(2025, 12, 31, 23, 59)
    a = lifecycle.insert(ctx, "Officer", officer_data)
    b = lifecycle.insert(ctx, "Officer", officer_data | {"email": "b@gov.in"})
    ctx.clock = lambda: dt.datetime(2026, 1, 1, 0, 1)
    c = lifecycle.insert(ctx, "Officer", officer_data | {"email": "c@gov.in"})
    assert (a.name, b.name, c.name) == ("OFF-2025-00001", "OFF-2025-00002", "OFF-2026-00001")


def test_refused_record_does_not_use_a_number(ctx, officer_data):
    with pytest.raises(ValidationError):
        lifecycle.insert(ctx, "Officer", officer_data | {"service": "Nowhere"})
    assert lifecycle.insert(ctx, "Officer", officer_data).name.endswith("-00001")


def test_field_naming_and_duplicate(ctx):
    doc = lifecycle.insert(
        ctx, "Service", {"service_code": "IRS", "service_name": "Indian Revenue Service", "category": "Central Civil Service"}
    )
    assert doc.name == "IRS"
    with pytest.raises(ValidationError, match="must be unique"):
        lifecycle.insert(ctx, "Service", {"service_code": "IRS", "service_name": "Again", "category": "Central Civil Service"})


def test_explicit_name_collision_is_a_duplicate(ctx):
    with pytest.raises(DuplicateEntry, match="MDO 'Ministry of Steel' already exists"):
        lifecycle.insert(ctx, "MDO", {"mdo_name": "Ministry of Steel 2", "mdo_type": "Ministry"}, name="Ministry of Steel")


def test_hash_names_are_distinct(ctx):
    names = {lifecycle.insert(ctx, "Version", {"ref_doctype": "X", "docname": str(i)}).name for i in range(50)}
    assert len(names) == 50 and all(len(n) == 10 for n in names)


def test_reserve_names_is_one_contiguous_block(ctx):
    meta = ctx.registry.get("Officer")
    ctx.clock = lambda: dt.datetime(2026, 5, 1)
    first = naming.reserve_names(ctx, meta, 3)
    assert first == ["OFF-2026-00001", "OFF-2026-00002", "OFF-2026-00003"]
    assert naming.reserve_names(ctx, meta, 1) == ["OFF-2026-00004"]


def test_forty_creates_at_once_all_succeed_with_distinct_numbers(site):
    """Forty officers created at the same moment, as forty requests to one server: every one
    is stored, each with its own number (over the wire, FerretDB once gave three of forty a
    409 for a number handed out twice)."""
    import threading

    barrier, results = threading.Barrier(40), []

    def create(i):
        ctx = site.context("nodal.power@gov.in")
        barrier.wait()
        try:
            doc = lifecycle.insert(
                ctx,
                "Officer",
                {
                    "full_name": f"Officer {i}",
                    "email": f"o{i}@gov.in",
                    "service": "IAS",
                    "group": "A",
                    "mdo": "Ministry of Power",
                },
            )
            results.append(doc.name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            results.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    failures = [r for r in results if not isinstance(r, str)]
    assert failures == [] and len(set(results)) == 40, failures[:3]
    assert site.db.officer.count_documents({}) == 40


@pytest.mark.needs("atomic_updates")  # FerretDB's $inc loses counts; its records are kept apart above
def test_a_new_series_drawn_by_many_at_once_gives_each_its_own_number(site):
    """The counter does not exist yet: twenty first-ever upserts race; the losers are
    refused by the unique ``_id`` and retried as updates."""
    import threading

    barrier, numbers = threading.Barrier(20), []

    def draw():
        barrier.wait()
        numbers.append(naming.next_counter(site.db, "RACE-2026-"))

    threads = [threading.Thread(target=draw) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(numbers) == list(range(1, 21))


def test_a_drawn_name_taken_meanwhile_is_drawn_again_and_a_given_one_is_not(ctx, officer_data):
    """The counter behind (as after a lost update): the write meets a taken number and
    takes the next; a name the caller gives is refused as a duplicate."""
    first = lifecycle.insert(ctx, "Officer", officer_data)
    ctx.site.db.naming_series.update_one({"_id": first.name[:9]}, {"$set": {"current": 0}})
    again = lifecycle.insert(ctx, "Officer", officer_data | {"email": "b@gov.in"})
    assert again.name == first.name[:9] + "00002"
    with pytest.raises(DuplicateEntry, match="already exists"):
        lifecycle.insert(ctx, "Officer", officer_data | {"email": "c@gov.in"}, name=first.name)


def _open(store, data_dir, db_name):
    from .conftest import store_config

    config = store_config(store, data_dir)
    return Site(config if store != "wire" else dataclass_replace(config, db_name=db_name))


def dataclass_replace(config, **kw):
    import dataclasses

    return dataclasses.replace(config, **kw)


def _insert_many(store, data_dir, db_name, worker, count, queue):
    site = _open(store, data_dir, db_name)
    ctx = site.context(f"worker{worker}@gov.in")
    names = []
    for i in range(count):
        doc = lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Officer {worker}-{i}",
                "email": f"w{worker}.{i}@gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": "Ministry of Steel",
            },
        )
        names.append(doc.name)
    queue.put(names)


def _save_once(store, data_dir, db_name, name, modified, worker, barrier, queue):
    from app.errors import StaleDocument

    site = _open(store, data_dir, db_name)
    barrier.wait()
    try:
        lifecycle.save(
            site.context(f"worker{worker}@gov.in"), "Officer", name, {"designation": f"by {worker}"}, expected_modified=modified
        )
        queue.put("saved")
    except StaleDocument:
        queue.put("stale")


def two_process_stores():
    from .conftest import WIRE

    out = ["embedded"]
    if WIRE:
        out.append(pytest.param("wire", marks=pytest.mark.needs("atomic_updates")))
    return out


@pytest.fixture
def shared(request, tmp_path):
    """A store two processes open at once: the embedded one (one data directory) or a server."""
    from .conftest import close_site, open_site, skip_unless_supported

    site = open_site(request.param, tmp_path / "var")
    try:
        skip_unless_supported(request, site)
        yield request.param, tmp_path / "var", site
    finally:
        close_site(site)


@pytest.mark.parametrize("shared", two_process_stores(), indirect=True)
def test_series_unique_across_two_processes(shared):
    store, data_dir, site = shared
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    workers = [mp.Process(target=_insert_many, args=(store, data_dir, site.db.name, w, 60, queue)) for w in range(2)]
    for p in workers:
        p.start()
    names = queue.get(timeout=120) + queue.get(timeout=120)
    for p in workers:
        p.join(timeout=60)
    assert len(names) == 120 and len(set(names)) == 120
    assert site.db.officer.count_documents({}) == 120
    assert site.db.naming_series.find_one({"_id": names[0][:9]})["current"] == 120


@pytest.mark.parametrize("shared", two_process_stores(), indirect=True)
def test_one_of_two_processes_saving_the_same_version_wins(shared):
    """Optimistic locking across processes: both read the same version and save; exactly one
    is written, the other is told the record changed."""
    store, data_dir, site = shared
    doc = lifecycle.insert(
        site.context(),
        "Officer",
        {"full_name": "Shared", "email": "shared@gov.in", "service": "IAS", "group": "A", "mdo": "Ministry of Steel"},
    )
    mp = multiprocessing.get_context("spawn")
    for round_ in range(3):
        modified = site.db.officer.find_one({"_id": doc.name})["modified"]
        queue, barrier = mp.Queue(), mp.Barrier(2)
        workers = [
            mp.Process(target=_save_once, args=(store, data_dir, site.db.name, doc.name, modified, w, barrier, queue))
            for w in range(2)
        ]
        for p in workers:
            p.start()
        outcomes = sorted([queue.get(timeout=120), queue.get(timeout=120)])
        for p in workers:
            p.join(timeout=60)
        assert outcomes == ["saved", "stale"], round_
