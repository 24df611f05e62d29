#!/usr/bin/env python
"""A fresh process's first query on each big collection of a large installation, on the
embedded store; prints figures, asserts nothing.

The embedded store keeps, in each process, a query index of each collection, built from the
whole collection on the process's first query of it (a worker after a restart, an ``igot
import`` run). This builds an installation as ``scripts/bench.py`` does (N officers imported
through the full pipeline into positions with verified role maps, each with a learner
account, three gap rows, two verified passbook entries and an enrolment), then, in fresh
processes, times each big collection's first query and the resident memory it adds: with the
query index as shipped (patch 14 of the README's store section: the fields queries plan on,
built a chunk and a field at a time, shared keys) beside litemongo's own (every field of
every declared index, one document at a time), in one run.

    python scripts/bench_first_query.py                   # 20,000 officers (about a minute)
    python scripts/bench_first_query.py --officers 100000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess  # nosec B404 - runs this script again, in a fresh process
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLLECTIONS = ("officer", "user", "passbook_entry", "officer_gap", "officer_competency", "enrolment")
KINDS = {"shipped": "as shipped", "litemongo": "litemongo's own"}


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def _litemongos_own_index() -> None:
    """litemongo's query index as it comes: every field of every declared index, each
    document added one at a time into a set per key."""
    from litemongo._vendor.mongomock import indexing

    from app.store import patches

    indexing.index_paths = patches.ORIGINAL_INDEX_PATHS[0]
    indexing.FieldIndex.add = patches.ORIGINAL_FIELD_INDEX["add"]

    def fill(self, pairs, chunk=None):
        for store_key, doc in pairs:
            self.add(store_key, doc)

    indexing.CollectionIndexes.fill = fill


def measure(data_dir: Path, kind: str) -> dict:
    """In this (fresh) process: each collection's first query, its time and added memory."""
    from app.config import Config
    from app.site import Site

    site = Site(Config(store="embedded", data_dir=data_dir, password_profile="CHEAPEST", queue_url=None))
    if kind == "litemongo":
        _litemongos_own_index()
    figures = {}
    for name in COLLECTIONS:
        coll = site.db[name]
        before, started = _resident_mb(), time.perf_counter()
        coll.find_one({"_id": "no such record"})
        took, added = time.perf_counter() - started, _resident_mb() - before
        figures[name] = {"documents": coll.estimated_document_count(), "s": took, "mb": added}
    site.close()
    return figures


def build(data_dir: Path, officers: int) -> None:
    from app import install
    from app.config import Config
    from app.site import Site
    from scripts import bench

    site = Site(Config(store="embedded", data_dir=data_dir, password_profile="CHEAPEST", queue_url=None))
    install.init(site)
    bench.build(site, officers, data_dir)
    site.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--measure", choices=sorted(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.data_dir, args.measure)))
        return
    random.seed(7)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        print(f"building {args.officers:,} officers ...", file=sys.stderr, flush=True)
        build(data_dir, args.officers)
        runs = {kind: [] for kind in KINDS}
        for _ in range(2):  # each kind twice, alternately, in fresh processes; the faster kept
            for kind in KINDS:
                out = subprocess.run(  # nosec B603 - this script, with fixed arguments
                    [sys.executable, __file__, "--measure", kind, "--data-dir", str(data_dir)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs[kind].append(json.loads(out.strip().splitlines()[-1]))
    best = {
        kind: {name: min((r[name] for r in found), key=lambda f: f["s"]) for name in COLLECTIONS} for kind, found in runs.items()
    }
    print(
        f"\nfirst query per collection in a fresh process, {args.officers:,} officers on the embedded store; "
        f"{time.strftime('%Y-%m-%d')}; whole run {time.perf_counter() - began:.0f} s\n"
    )
    print(
        f"{'collection':20} {'documents':>10}  {'as shipped s':>12} {'MB':>6}  {'litemongo own s':>15} {'MB':>6}  {'time':>6} {'memory':>7}"
    )
    totals = {kind: [0.0, 0.0] for kind in KINDS}
    for name in COLLECTIONS:
        ours, theirs = best["shipped"][name], best["litemongo"][name]
        for kind, f in (("shipped", ours), ("litemongo", theirs)):
            totals[kind][0] += f["s"]
            totals[kind][1] += f["mb"]
        print(
            f"{name:20} {ours['documents']:>10,}  {ours['s']:>12.2f} {ours['mb']:>6.0f}  {theirs['s']:>15.2f} {theirs['mb']:>6.0f}"
            f"  {ours['s'] / theirs['s']:>5.2f}x {ours['mb'] / max(theirs['mb'], 1):>6.2f}x"
        )
    (ts, tm), (ls, lm) = totals["shipped"], totals["litemongo"]
    print(f"{'all six':20} {'':>10}  {ts:>12.2f} {tm:>6.0f}  {ls:>15.2f} {lm:>6.0f}  {ts / ls:>5.2f}x {tm / max(lm, 1):>6.2f}x")


if __name__ == "__main__":
    main()
