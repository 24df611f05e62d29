#!/usr/bin/env python
"""Admin screen render times on the embedded store with N officers loaded (default 10,000).
Prints the median and worst of several renders per screen, as an MDO Admin (tenancy applied)
and as the System Manager; asserts nothing. Target: each screen under 200 ms.

    python scripts/bench_admin.py [--officers 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import auth, install
from app.config import Config  # noqa: E402
from app.model import lifecycle  # noqa: E402
from app.site import Site  # noqa: E402
from app.web import create_app  # noqa: E402

PASSWORD = "benchmark password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def load(site, count: int) -> str:
    ctx = site.context("bench@dopt.gov.in")
    mdos = [d["_id"] for d in site.db.mdo.find({}, {"_id": 1})]
    services = [("IAS", "A"), ("IPS", "A"), ("CSS", "B"), ("SCS", "C")]
    ctx.name_block = 1000
    for i in range(count):
        service, group = services[i % 4]
        lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Officer {i:05d}",
                "email": f"officer{i}@gov.in",
                "service": service,
                "group": group,
                "mdo": mdos[i % len(mdos)],
                "year_of_allotment": 2000 + i % 20,
                "designation": "Under Secretary",
            },
        )
    return site.db.officer.find_one({"mdo": "Ministry of Power"})["_id"]


def user(site, email, roles, mdos=()):
    lifecycle.insert(
        site.context(),
        "User",
        {"email": email, "full_name": email, "roles": [{"role": r} for r in roles], "mdos": [{"mdo": m} for m in mdos]},
    )
    auth.set_password(site, email, PASSWORD)


def signed_in(app, email):
    client = app.test_client()
    token = TOKEN.search(client.get("/admin/login/").get_data(as_text=True)).group(1)
    client.post("/admin/login/", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Config(store="embedded", data_dir=Path(tmp) / "var", password_profile="CHEAPEST"))
        install.init(site)
        start = time.perf_counter()
        officer = load(site, args.officers)
        print(f"loaded {args.officers} officers in {time.perf_counter() - start:.1f} s")
        user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
        user(site, "dopt@dopt.gov.in", ["System Manager"])
        app = create_app(site=site)
        screens = [
            ("home", "/admin/"),
            ("officer list", "/admin/officer/"),
            ("officer list, page 5, sorted", "/admin/officer/?page=4&sort=0&desc=1"),
            ("officer search", "/admin/officer/?search=Officer%2000"),
            ("officer create form", "/admin/officer/new/"),
            ("officer edit form", f"/admin/officer/edit/?id={officer}"),
            ("officer details", f"/admin/officer/details/?id={officer}"),
            ("customize form", "/admin/customize/?doctype=Officer"),
            ("MDO list", "/admin/mdo/"),
        ]
        print(f"\n{'screen':32} {'as':18} {'median ms':>10} {'worst ms':>9} {'status':>6}")
        for who in ("nodal@power.gov.in", "dopt@dopt.gov.in"):
            client = signed_in(app, who)
            for label, url in screens:
                times, status = [], None
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                    status = response.status_code
                print(f"{label:32} {who.split('@')[0]:18} {statistics.median(times):10.1f} {max(times):9.1f} {status:>6}")
        site.close()


if __name__ == "__main__":
    main()
