#!/usr/bin/env python
"""Store benchmarks; prints figures, asserts nothing.

1. Reading: time per document of ``list(find())`` at 10k, 20k and 40k documents, with our
   linear cursor and, side by side, mongomock's original one (quadratic). Linear means the
   time per document stays about flat (ratio to 10k within 1.5x).
2. Writing: importing N officers through the full document pipeline (CSV parsing, type
   coercion, Link and unique checks, naming series, hooks) against a raw ``insert_many``
   of the same rows on the same store.

    python scripts/bench_store.py                  # embedded store, 10k/20k/40k, 10k import
    python scripts/bench_store.py --store mongomock --sizes 10000 20000 --import-rows 2000
"""

from __future__ import annotations

import argparse
import csv
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import importer, install  # noqa: E402
from app.config import Config  # noqa: E402
from app.site import Site  # noqa: E402
from app.store import patches  # noqa: E402


def timed(fn, repeat=5):
    """Best of ``repeat`` runs, each starting from a collected heap."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cursor_classes():
    import mongomock.collection
    from litemongo._vendor.mongomock import collection as lite_collection

    return (mongomock.collection.Cursor, lite_collection.Cursor)


def bench_reads(site, sizes, original_up_to):
    print(f"\n== reading list(find()) on the {site.store.kind} store")
    print(f"{'documents':>10} {'linear us/doc':>14} {'ratio':>6} {'original us/doc':>16} {'ratio':>6}")
    coll = site.db["bench_read"]
    coll.drop()
    have, base = 0, {}
    for n in sizes:
        coll.insert_many(
            [{"_id": i, "name": f"Officer {i}", "mdo": "Ministry of Power", "year": 2000 + i % 20} for i in range(have, n)]
        )
        have = n
        linear = timed(lambda: list(coll.find())) / n * 1e6
        original = None
        if n <= original_up_to:
            for cls in cursor_classes():
                cls.__next__ = patches.ORIGINAL_NEXT[cls]
            try:
                original = timed(lambda: list(coll.find()), repeat=1) / n * 1e6
            finally:
                for cls in cursor_classes():
                    cls.__next__ = patches.linear_next
        base.setdefault("linear", linear)
        if original is not None:
            base.setdefault("original", original)
        orig_text = (
            f"{original:16.2f} {original / base['original']:6.2f}" if original is not None else f"{'(skipped)':>16} {'':>6}"
        )
        print(f"{n:>10} {linear:14.2f} {linear / base['linear']:6.2f} {orig_text}")
    coll.drop()


def bench_import(site, rows, workdir):
    print(f"\n== importing {rows} officers on the {site.store.kind} store")
    path = Path(workdir) / "officers.csv"
    services = [("IAS", "A"), ("IPS", "A"), ("CSS", "B"), ("SCS", "C")]
    mdos = [d["_id"] for d in site.db.mdo.find({}, {"_id": 1})]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "service", "group", "mdo", "year_of_allotment", "date_of_birth", "designation"])
        for i in range(rows):
            service, group = services[i % len(services)]
            writer.writerow(
                [
                    f"Officer {i}",
                    f"officer{i}@gov.in",
                    service,
                    group,
                    mdos[i % len(mdos)],
                    2000 + i % 20,
                    f"19{70 + i % 20}-0{1 + i % 9}-1{i % 10}",
                    "Under Secretary",
                ]
            )
    ctx = site.context("bench@gov.in")
    site.db.officer.delete_many({})
    start = time.perf_counter()
    result = importer.import_file(ctx, "Officer", path)
    pipeline = time.perf_counter() - start
    assert not result.errors, result.errors[:3]
    stored = list(site.db.officer.find())
    raw_coll = site.db["bench_raw_officer"]
    raw_coll.drop()
    start = time.perf_counter()
    raw_coll.insert_many(stored)
    raw = time.perf_counter() - start
    raw_coll.drop()
    print(f"full pipeline : {pipeline:8.2f} s  ({pipeline / rows * 1e3:.3f} ms/officer)")
    print(f"insert_many   : {raw:8.2f} s  ({raw / rows * 1e3:.3f} ms/officer)")
    print(f"ratio pipeline/raw: {pipeline / raw:.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["embedded", "mongomock"], default="embedded")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 40_000])
    parser.add_argument(
        "--original-up-to", type=int, default=20_000, help="time the original quadratic cursor up to this many documents"
    )
    parser.add_argument("--import-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        site = Site(Config(store=args.store, data_dir=Path(workdir) / "var"))
        install.init(site)
        bench_reads(site, sorted(args.sizes), args.original_up_to)
        if args.import_rows:
            bench_import(site, args.import_rows, workdir)
        site.close()


if __name__ == "__main__":
    main()
