#!/usr/bin/env python
"""A ministry-sized staff list on the embedded store; prints figures, asserts nothing.

Builds N officers (default 100,000) on a fresh embedded store: the first 300 imported through
the full pipeline, the rest copies of them written directly (each with its own name, e-mail
and MDO, the same shape and size), then measures through the API (in-process, no network):

- the officer list of the System Manager (every officer) and of an MDO Admin (one MDO's):
  the first read in a fresh process, which reads the collection once, and a read after that;
- the first read after a write: an officer changed through the API by this process, and by
  another connection to the same files (as another worker process or ``igot import``
  would), each followed by one list read, 10 times; median and worst;
- the process's resident memory before the officers were loaded and after the reads;
- a fresh process that reads the big lists ahead as ``igot serve`` does (``app.query.warm``):
  how long that takes, and the System Manager's first read after it.

    python scripts/bench_scale.py                   # 100,000 officers (about two minutes)
    python scripts/bench_scale.py --officers 20000
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import auth, importer, install  # noqa: E402
from app.config import Config  # noqa: E402
from app.model import lifecycle  # noqa: E402
from app.site import Site  # noqa: E402

SEED_ROWS = 300


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(site, n: int, tmp: Path) -> list[str]:
    ctx = site.context("bench@dopt.gov.in")
    mdos = [d["_id"] for d in site.db.mdo.find({}, {"_id": 1}).sort("_id", 1)]
    staff = tmp / "staff.csv"
    with open(staff, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["full_name", "email", "group", "mdo", "service", "year_of_allotment"])
        for i in range(min(n, SEED_ROWS)):
            out.writerow([f"Officer {i:06d}", f"officer{i}@scale.gov.in", "A", mdos[i % len(mdos)], "CSS", 2000 + i % 20])
    result = importer.import_file(ctx, "Officer", staff)
    assert len(result.inserted) == min(n, SEED_ROWS), result.errors[:3]
    seeds = list(site.db.officer.find({}))
    batch = []
    for i in range(len(seeds), n):
        copy = dict(seeds[i % len(seeds)])
        copy.update(
            _id=f"OFF-SCALE-{i:07d}",
            full_name=f"Officer {i:06d}",
            email=f"officer{i}@scale.gov.in",
            mdo=mdos[i % len(mdos)],
            year_of_allotment=2000 + i % 20,
        )
        for key in ("_pending_hooks", "_import_file", "_import_line"):
            copy.pop(key, None)
        batch.append(copy)
        if len(batch) == 5000:
            site.db.officer.insert_many(batch)
            batch = []
    if batch:
        site.db.officer.insert_many(batch)
    return [d["_id"] for d in site.db.officer.find({"mdo": "Ministry of Power"}, {"_id": 1}).limit(200)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=100_000)
    args = parser.parse_args()
    random.seed(5)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(store="embedded", data_dir=Path(tmp) / "var", password_profile="CHEAPEST", queue_url="immediate")
        site = Site(config)
        install.init(site)
        for email, roles, mdos in (
            ("nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"]),
            ("dopt@bench.gov.in", ["System Manager"], []),
        ):
            lifecycle.insert(
                site.context(),
                "User",
                {"email": email, "full_name": email, "roles": [{"role": r} for r in roles], "mdos": [{"mdo": m} for m in mdos]},
            )
        tokens = {e: auth.create_token(site, e) for e in ("nodal@power.gov.in", "dopt@bench.gov.in")}
        print(f"building {args.officers:,} officers ...", file=sys.stderr, flush=True)
        names = build(site, args.officers, Path(tmp))
        site.close()

        # a fresh process's view: a new connection, nothing read yet
        site = Site(config)
        other = Site(config)  # another process's connection to the same files
        before = resident_mb()
        from app.web import create_app

        client = create_app(site=site).test_client()
        figures: dict[str, list[float]] = {}

        def read(who: str, key: str) -> float:
            started = time.perf_counter()
            r = client.get("/api/resource/Officer?limit=20", headers={"Authorization": f"token {tokens[who]}"})
            elapsed = (time.perf_counter() - started) * 1000
            assert r.status_code == 200, r.json
            figures.setdefault(key, []).append(elapsed)
            return r.json["total"]

        totals = {}
        for who, label in (("dopt@bench.gov.in", "System Manager"), ("nodal@power.gov.in", "MDO Admin")):
            totals[label] = read(who, f"{label}|first read in a fresh process")
            for _ in range(10):
                read(who, f"{label}|read again")
            for i in range(10):
                name = random.choice(names)
                r = client.put(
                    f"/api/resource/Officer/{name}",
                    json={"designation": f"Director {i}"},
                    headers={"Authorization": f"token {tokens['dopt@bench.gov.in']}"},
                )
                assert r.status_code == 200, r.json
                read(who, f"{label}|first read after a write here")
            for i in range(10):
                other.db.officer.update_one({"_id": random.choice(names)}, {"$set": {"designation": f"Joint Secretary {i}"}})
                read(who, f"{label}|first read after another process's write")
        after = resident_mb()
        other.close()
        site.close()

        # a fresh process as igot serve starts one: it reads the big lists ahead (app.query.warm),
        # then the first request comes (the process-wide list cache emptied, a new connection)
        from app import query

        query._ORDERS.clear()
        site = Site(config)
        client = create_app(site=site).test_client()
        started = time.perf_counter()
        warmed = query.warm(site)
        read_ahead = time.perf_counter() - started
        read("dopt@bench.gov.in", "System Manager|first read after the read-ahead")
        site.close()

    print(
        f"\n{args.officers:,} officers on the embedded store; {time.strftime('%Y-%m-%d')}; whole run {time.perf_counter() - began:.0f} s\n"
    )
    print(f"{'as':<16} {'GET /api/resource/Officer?limit=20':<44} {'count':>5} {'median ms':>10} {'worst ms':>9}")
    for key, values in figures.items():
        who, what = key.split("|")
        print(f"{who:<16} {what:<44} {len(values):>5} {statistics.median(values):>10.1f} {max(values):>9.1f}")
    print(f"\nofficers listed: System Manager {totals['System Manager']:,}, MDO Admin {totals['MDO Admin']:,}")
    print(f"read ahead when a server process starts: {', '.join(warmed)} in {read_ahead:.1f} s")
    print(
        f"resident memory of the serving process: {before:.0f} MB before the reads, {after:.0f} MB after "
        f"({(after - before) / args.officers * 100_000:.0f} MB per 100,000 officers read)"
    )


if __name__ == "__main__":
    main()
