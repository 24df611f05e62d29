#!/usr/bin/env python
"""Staff onboarding benchmark; prints figures, asserts nothing.

An MDO's staff list of N rows (the columns MDOs use: name, email, mobile, group,
designation, gender, category, date of birth, mother tongue, employee id, office PIN code,
external system and id, tags) is imported by its nodal officer into a fresh embedded store,
with a progress bar: each row makes an officer and its learner account through the full
pipeline (coercion, Link and unique checks, naming series, hooks, rollups). Side by side, in
the same run, the same officers written to the same store with a raw ``insert_many``.

    python scripts/bench_onboarding.py                       # 10,000 rows, embedded store
    python scripts/bench_onboarding.py --rows 2000 --store mongomock
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402

from app import auth, importer, install
from app.config import Config  # noqa: E402
from app.model import lifecycle  # noqa: E402
from app.site import Site  # noqa: E402

HEADINGS = [
    "Name",
    "Email",
    "Mobile",
    "Group",
    "Designation",
    "Gender",
    "Category",
    "Date of Birth",
    "Mother Tongue",
    "Employee ID",
    "Office PIN Code",
    "External System ID",
    "External System",
    "Tags",
]
TONGUES = ["Hindi", "Tamil", "Bengali", "Marathi", "Telugu", "Kannada", "Malayalam", "Odia"]


def staff_list(path: Path, rows: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADINGS)
        for i in range(rows):
            out.writerow(
                [
                    f"Officer {i:05d}",
                    f"officer{i:05d}@power.gov.in",
                    f"98{i:08d}",
                    "ABC"[i % 3],
                    ("Under Secretary", "Section Officer", "Assistant Section Officer")[i % 3],
                    ("Female", "Male")[i % 2],
                    ("General", "OBC", "SC", "ST", "EWS")[i % 5],
                    f"{1965 + i % 35}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    TONGUES[i % len(TONGUES)],
                    f"PW-{i:06d}",
                    f"1100{i % 90 + 10:02d}",
                    f"EH-{i}",
                    "e-HRMS",
                    "phase-1",
                ]
            )
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--store", default="embedded", choices=["embedded", "mongomock"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Config(store=args.store, data_dir=Path(tmp) / "var", password_profile="CHEAPEST"))
        install.init(site)
        lifecycle.insert(
            site.context(),
            "User",
            {
                "email": "nodal@power.gov.in",
                "full_name": "Nodal Officer",
                "roles": [{"role": "MDO Admin"}],
                "mdos": [{"mdo": "Ministry of Power"}],
            },
        )
        nodal = auth.context_for(site, "nodal@power.gov.in")
        path = staff_list(Path(tmp) / "staff.csv", args.rows)

        start = time.perf_counter()
        with click.progressbar(length=args.rows, label="importing the staff list", file=sys.stderr, show_pos=True) as bar:
            result = importer.import_file(nodal, "Officer", path, progress=bar.update, defaults={"mdo": "Ministry of Power"})
        full = time.perf_counter() - start
        officers = site.db["officer"].count_documents({})
        learners = site.db["user"].count_documents({"roles.role": "Learner"})

        raw = [{**d, "_id": f"RAW-{d['_id']}", "email": f"raw.{d['email']}"} for d in site.db["officer"].find({})]
        start = time.perf_counter()
        site.db["officer_raw_copy"].insert_many(raw)
        bare = time.perf_counter() - start
        site.close()

    print(f"\n== staff onboarding on the {args.store} store: {args.rows} rows")
    print(f"officers created      {officers}   learner accounts {learners}   rejected rows {len(result.failed_lines)}")
    print(f"full pipeline         {full:8.2f} s   {args.rows / full:8.0f} rows/s   {full / args.rows * 1e3:6.2f} ms/row")
    print(f"raw insert_many       {bare:8.2f} s   {args.rows / bare:8.0f} rows/s   (officer documents only)")
    print(f"ratio                 {full / bare:8.1f}x")


if __name__ == "__main__":
    main()
