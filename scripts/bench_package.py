#!/usr/bin/env python
"""A SCORM package's files as the learner's browser asks for them: a large package (5,700
files, as a Storyline export with its media can be) beside a small one (20 files), on the
embedded store, through the app; prints figures, asserts nothing.

A package is extracted once, on its first request, into ``<data dir>/packages/<file id>/``
(``doctypes/content/packages.py``); every later request reads one file from there. Before,
each request reopened the zip from the file store and searched its entry list. This times,
for each package, the first request (the extraction), then the same number of requests for
random files of it, and prints the median and 95th percentile of those and their ratio, large
to small, in one run; and, for comparison, the same requests answered the earlier way (the
zip reopened and searched for every file).

    python scripts/bench_package.py
    python scripts/bench_package.py --files 5700 --requests 400
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>Bench</title>
    <item identifier="I" identifierref="R"><title>Bench</title></item></organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="story.html"/></resources>
</manifest>"""


def package(files: int) -> bytes:
    out = io.BytesIO()
    rng = random.Random(files)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", MANIFEST)
        z.writestr("story.html", "<!doctype html><title>Bench</title>")
        for i in range(files - 2):
            z.writestr(f"story_content/{i % 40}/slide{i}.js", f"var s = {i};" + " " * rng.randint(100, 4000))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5700)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    from app import auth, files, install
    from app.model import lifecycle
    from app.site import Site
    from app.web import create_app
    from doctypes.content import progress, scorm
    from tests.conftest import make_config

    with tempfile.TemporaryDirectory() as tmp:
        site = Site(make_config("embedded", Path(tmp) / "var"))
        install.init(site)
        ctx = site.context()
        lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": "Bench Officer",
                "email": "bench@power.gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": "Ministry of Power",
            },
        )
        auth.set_password(site, "bench@power.gov.in", "correct horse battery staple")
        app = create_app(site=site)
        client = app.test_client()
        learner = auth.context_for(site, "bench@power.gov.in")
        rows = {}
        for label, count in (("small", 20), ("large", args.files)):
            attachment = files.store(ctx, io.BytesIO(package(count)), f"{label}.zip", accept=["scorm"])
            module = lifecycle.insert(
                ctx,
                "Content Module",
                {
                    "title": f"Bench {label}",
                    "kind": "SCORM Package",
                    "mdo": "Ministry of Power",
                    "attachment": attachment,
                    "workflow_state": "Published",
                },
            ).name
            play = progress.play(learner, module, origin="http://127.0.0.1")
            base = play["src"].removeprefix(play["content_origin"])
            names = [n for n in zipfile.ZipFile(files.stored(site, attachment)).namelist() if n.endswith(".js")]
            rng = random.Random(7)
            picks = [rng.choice(names) for _ in range(args.requests)]
            start = time.perf_counter()
            assert client.get(base + "story.html", base_url="http://localhost").status_code == 200
            first = time.perf_counter() - start
            times = []
            for name in picks:
                start = time.perf_counter()
                response = client.get(base + name, base_url="http://localhost")
                response.get_data()
                times.append(time.perf_counter() - start)
                assert response.status_code == 200
            before = []
            for name in picks[: min(60, len(picks))]:  # the earlier way: the zip reopened and searched every time
                start = time.perf_counter()
                with files.stored(site, attachment) as stored, zipfile.ZipFile(stored) as archive:
                    archive.read(scorm.find_entry(archive, name))
                before.append(time.perf_counter() - start)
            rows[label] = (first, times, before)

        print(f"{'package':>8} {'files':>6} {'first (extract) ms':>19} {'median ms':>10} {'p95 ms':>8} {'earlier median ms':>18}")
        for label, count in (("small", 20), ("large", args.files)):
            first, times, before = rows[label]
            p95 = sorted(times)[int(0.95 * len(times)) - 1]
            print(
                f"{label:>8} {count:>6} {first * 1000:>19.1f} {statistics.median(times) * 1000:>10.2f} {p95 * 1000:>8.2f}"
                f" {statistics.median(before) * 1000:>18.2f}"
            )
        ratio = statistics.median(rows["large"][1]) / statistics.median(rows["small"][1])
        earlier = statistics.median(rows["large"][2]) / statistics.median(rows["small"][2])
        print(f"large / small, median request: {ratio:.2f}x now; {earlier:.2f}x the earlier way (zip reopened per file)")
        site.close()


if __name__ == "__main__":
    main()
