"""Naming rules, and a naming series that never repeats under concurrent inserts."""
import datetime as dt
import multiprocessing
import threading

import pytest

from app import install, lifecycle, naming
from app.errors import DuplicateEntry, ValidationError
from app.site import Site

from .conftest import make_config


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
    doc = lifecycle.insert(ctx, "Service", {"service_code": "IRS", "service_name": "Indian Revenue Service",
                                            "category": "Central Civil Service"})
    assert doc.name == "IRS"
    with pytest.raises(ValidationError, match="must be unique"):
        lifecycle.insert(ctx, "Service", {"service_code": "IRS", "service_name": "Again",
                                          "category": "Central Civil Service"})


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


def _insert_many(data_dir, worker, count, queue):
    site = Site(make_config("embedded", data_dir))
    ctx = site.context(f"worker{worker}@gov.in")
    names = []
    for i in range(count):
        doc = lifecycle.insert(ctx, "Officer", {
            "full_name": f"Officer {worker}-{i}", "email": f"w{worker}.{i}@gov.in", "service": "IAS",
            "group": "A", "mdo": "Ministry of Steel"})
        names.append(doc.name)
    queue.put(names)


def test_series_unique_across_two_processes(tmp_path):
    data_dir = tmp_path / "var"
    install.init(Site(make_config("embedded", data_dir)))
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    workers = [mp.Process(target=_insert_many, args=(data_dir, w, 60, queue)) for w in range(2)]
    for p in workers:
        p.start()
    names = queue.get(timeout=120) + queue.get(timeout=120)
    for p in workers:
        p.join(timeout=60)
    assert len(names) == 120 and len(set(names)) == 120
    site = Site(make_config("embedded", data_dir))
    assert site.db.officer.count_documents({}) == 120
    assert site.db.naming_series.find_one({"_id": names[0][:9]})["current"] == 120


def test_series_unique_across_threads(site, officer_data):
    names, errors = [], []

    def work(w):
        ctx = site.context()
        try:
            for i in range(25):
                names.append(lifecycle.insert(ctx, "Officer", officer_data | {"email": f"t{w}.{i}@gov.in"}).name)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(names) == 100 and len(set(names)) == 100
