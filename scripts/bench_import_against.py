#!/usr/bin/env python
"""A staff-list import with this tree's code beside the same import with an earlier
commit's, in turns, on the embedded store; prints figures, asserts nothing.

The machine's speed changes from minute to minute, so two figures taken at different times
say little about a change. This builds a small installation once (as ``scripts/bench.py``
does: 33 MDOs, 3 positions each with verified role maps, a few hundred officers), then
imports the same new staff list into a fresh copy of it, in a fresh process (after a short
import of 50 other officers, not timed, which loads what the import uses), alternately
with the commit's code (checked out with ``git archive``) and with this tree's (each going
first in every other round), and prints each side's rows per second (of wall time and of
processor time) and their ratio. Identical code on both sides (``--ref HEAD``) shows what
the machine alone does (1.01x in a run of eight rounds).

    python scripts/bench_import_against.py --ref HEAD~3
    python scripts/bench_import_against.py --ref 4d53be6 --rows 6000 --rounds 8
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess  # nosec B404 - git, and this script again in a fresh process
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def staff_list(site, path: Path, rows: int, who: str) -> None:
    """New officers spread over every MDO and position of the installation."""
    from scripts import bench

    positions: dict = {}
    for p in site.db.position.find({}, {"_id": 1, "mdo": 1}).sort("_id", 1):
        positions.setdefault(p["mdo"], []).append(p["_id"])
    bench.write_staff_list(path, rows, sorted(positions), positions, who)


def build(data_dir: Path, officers: int, rows: int) -> Path:
    from app import install
    from app.config import Config
    from app.site import Site
    from scripts import bench

    site = Site(Config(store="embedded", data_dir=data_dir, password_profile="CHEAPEST", queue_url=None))
    install.init(site)
    bench.build(site, officers, data_dir)
    staff = data_dir.parent / "staff.csv"
    staff_list(site, staff, rows, "newcomer")
    staff_list(site, data_dir.parent / "warm-up.csv", 50, "early")
    site.close()
    return staff


def measure(root: Path, data_dir: Path, staff: Path) -> dict:
    """In this fresh process, with the code under ``root``: the import's time."""
    sys.path.insert(0, str(root))
    import app
    from app import importer, jobs
    from app.config import Config
    from app.site import Site

    site = Site(Config(store="embedded", data_dir=data_dir, password_profile="CHEAPEST", queue_url=None))
    ctx = site.context("bench@dopt.gov.in")
    jobs.queue_for(site.config)
    # a short import first, not timed, as in a server that has run: every module the import
    # uses loaded (from source, where no compiled copy is kept) and the store's indexes read
    importer.import_file(ctx, "Officer", staff.parent / "warm-up.csv")
    wall, cpu = time.perf_counter(), time.process_time()
    result = importer.import_file(ctx, "Officer", staff)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    site.close()
    code = str(Path(app.__file__).resolve().parent.parent)
    return {"rows": len(result.inserted), "refused": len(result.errors), "wall": wall, "cpu": cpu, "code": code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="HEAD~1", help="the earlier commit (default: HEAD~1)")
    parser.add_argument("--officers", type=int, default=300, help="officers in the installation before the import")
    parser.add_argument("--rows", type=int, default=6000, help="rows of the staff list imported")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--measure", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    sys.path.insert(0, str(HERE))
    random.seed(7)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        earlier = tmp / "earlier"
        earlier.mkdir()
        archive = subprocess.run(["git", "-C", str(HERE), "archive", args.ref], check=True, capture_output=True).stdout  # nosec B603 B607
        subprocess.run(["tar", "-x", "-C", str(earlier)], input=archive, check=True)  # nosec B603 B607
        print(f"building {args.officers:,} officers ...", file=sys.stderr, flush=True)
        staff = build(tmp / "base", args.officers, args.rows)
        sides = {args.ref: earlier, "this tree": HERE}
        runs: dict = {name: [] for name in sides}
        for round_ in range(args.rounds):
            order = list(sides.items())  # which goes first changes each round: the second ran faster
            for name, root in order if round_ % 2 == 0 else order[::-1]:
                work = tmp / "work"
                shutil.rmtree(work, ignore_errors=True)
                shutil.copytree(tmp / "base", work)
                print(f"round {round_ + 1}: {name} ...", file=sys.stderr, flush=True)
                out = subprocess.run(  # nosec B603 - this script, with fixed arguments
                    [sys.executable, __file__, "--measure", str(root), str(work), str(staff)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=root,
                ).stdout
                run = json.loads(out.strip().splitlines()[-1])
                if Path(run["code"]) != root.resolve():
                    raise SystemExit(f"the import ran {run['code']}'s code, not {root}'s")
                runs[name].append(run)
    print(
        f"\nimport of {args.rows:,} officers into an installation of {args.officers:,}, {args.rounds} rounds, "
        f"the two sides in turns; {time.strftime('%Y-%m-%d')}; whole run {time.perf_counter() - began:.0f} s\n"
    )
    print(
        f"{'code':<12} {'rows':>6} {'refused':>7}  {'rows/s median':>13} {'best':>6}  {'rows per CPU s median':>21} {'best':>6}"
    )
    medians = {}
    for name, found in runs.items():
        wall = [r["rows"] / r["wall"] for r in found]
        cpu = [r["rows"] / r["cpu"] for r in found]
        medians[name] = (statistics.median(wall), statistics.median(cpu))
        print(
            f"{name:<12} {found[0]['rows']:>6,} {found[0]['refused']:>7}  {medians[name][0]:>13,.0f} {max(wall):>6,.0f}"
            f"  {medians[name][1]:>21,.0f} {max(cpu):>6,.0f}"
        )
    (ew, ec), (tw, tc) = medians[args.ref], medians["this tree"]
    print(f"\nthis tree / {args.ref}: {tw / ew:.2f}x the rows per second, {tc / ec:.2f}x the rows per processor second")


if __name__ == "__main__":
    main()
