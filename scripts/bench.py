#!/usr/bin/env python
"""The scale benchmark; prints figures, asserts nothing.

For each size N (default 1,000 and 10,000) it builds a synthetic installation on a fresh
embedded store: positions with verified FRAC role maps in each of the 33 MDOs, N officers
imported from a staff list through the full document pipeline, two verified passbook
entries and an enrolment per officer, and the rollups. It prints, side by side:

- import throughput through the pipeline, and a raw driver ``insert_many`` of the same
  officer documents into a collection of the same store with the same indexes (their ratio
  is the framework's overhead); then the raw insert of every document the pipeline wrote
  (officers, learner accounts, gap rows), the store's own floor for the import. The job
  queue is opened before the import is timed, as in a running server, and the raw inserts
  run with the cycle collector set as the import sets it (``app.heap.bulk_work``);
- the MDO dashboard (``GET /api/method/mdo_dashboard``, which reads rollups) at each N: the
  two medians should be within 1.5x;
- the day's schedules (reminders, digests) at each N, run before the load runs, as on a
  server that has run for days;
- at the largest N, API list and get latency (median and 95th percentile) under 20
  concurrent clients on loopback, against a waitress server;
- at the largest N, a mixed load (90% reads and 10% writes, then 75/25) from the same
  clients: requests per second, p50 and p95, and every answered write checked in the store.

    python scripts/bench.py                     # N = 1,000 and 10,000 (a few minutes)
    python scripts/bench.py --sizes 2000 --clients 10 --requests 200
    python scripts/bench.py --sizes 10000,100000 --workers 0   # the import at ministry scale, no load runs
    python scripts/bench.py --mongodb-uri mongodb://127.0.0.1:27117/   # the same on a server too, side by side
    python scripts/bench.py --mongodb-uri mongodb://127.0.0.1:27117/ --server-sizes 1000

With ``--mongodb-uri`` every figure is measured on the embedded store and on that server (a
database of its own, dropped at the end), in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import auth, heap, importer, install, jobs, schedule  # noqa: E402
from app.config import Config  # noqa: E402
from app.model import lifecycle  # noqa: E402
from app.site import Site  # noqa: E402
from doctypes.frac import frac  # noqa: E402

POSITIONS = ("Section Officer", "Under Secretary", "Deputy Secretary")
PASSWORD = "benchmark password"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def write_staff_list(path: Path, rows: int, mdos: list, positions: dict, who: str = "officer") -> None:
    """A staff list of new officers spread over the MDOs and their positions, in turn."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["full_name", "email", "group", "mdo", "position", "service", "year_of_allotment"])
        for i in range(rows):
            mdo = mdos[i % len(mdos)]
            given = positions[mdo]
            out.writerow(
                [f"{who.title()} {i:06d}", f"{who}{i}@bench.gov.in", "A", mdo, given[i % len(given)], "CSS", 2000 + i % 20]
            )


def build(site, n: int, tmp: Path) -> dict:
    ctx = site.context("bench@dopt.gov.in")
    db = site.db
    mdos = [d["_id"] for d in db.mdo.find({}, {"_id": 1}).sort("_id", 1)]
    competencies = [c["_id"] for c in db.competency.find({"workflow_state": "Verified"}, {"_id": 1}).sort("_id", 1)]
    positions = {}
    for m_i, mdo in enumerate(mdos):
        for p_i, title in enumerate(POSITIONS):
            pos = lifecycle.insert(ctx, "Position", {"position_name": title, "mdo": mdo, "group": "A"}).name
            positions.setdefault(mdo, []).append(pos)
            needs = [competencies[(m_i + p_i + k) % len(competencies)] for k in range(3)]
            now = ctx.now()
            db.role_map.insert_one(
                {
                    "_id": f"RM-BENCH-{m_i:02d}-{p_i}",
                    "mdo": mdo,
                    "position": pos,
                    "position_name": title,
                    "version": 1,
                    "workflow_state": "Verified",
                    "docstatus": 1,
                    "owner": ctx.user,
                    "creation": now,
                    "modified": now,
                    "modified_by": ctx.user,
                    "requirements": [{"role_name": title, "competency": c, "required_level": 3} for c in needs],
                }
            )
    staff = tmp / f"staff-{n}.csv"
    write_staff_list(staff, n, mdos, positions)
    # The job queue opened (its library loaded) before the clock starts, as in a server or a
    # worker that has run a job: the import's first invitation would otherwise pay for it.
    jobs.queue_for(site.config)
    started = time.perf_counter()
    result = importer.import_file(ctx, "Officer", staff)
    pipeline = time.perf_counter() - started
    assert len(result.inserted) == n, result.errors[:3]

    # The raw driver insert of the same documents, into collections with the same indexes: the
    # officers alone (the pipeline's overhead), then everything the pipeline wrote for them
    # (officers, learner accounts, gap rows: the store's own floor for this import).
    emails = [f"officer{i}@bench.gov.in" for i in range(n)]
    officers = list(db.officer.find({"email": {"$in": emails}}))
    written = {
        "officer": officers,
        "user": list(db.user.find({"_id": {"$in": emails}})),
        "officer_gap": list(db.officer_gap.find({"officer": {"$in": [o["_id"] for o in officers]}})),
    }
    raw = {source: raw_insert(db, source, docs) for source, docs in written.items()}
    now = ctx.now()
    entries, enrolments = [], []
    for o in db.officer.find({}, {"mdo": 1, "email": 1, "full_name": 1}):
        for k in range(2):
            entries.append(
                {
                    "_id": f"PB-{o['_id']}-{k}",
                    "officer": o["_id"],
                    "officer_email": o["email"],
                    "mdo": o["mdo"],
                    "competency": competencies[(hash(o["_id"]) + k) % len(competencies)],
                    "level": 1 + k * 2,
                    "source": "Assessment",
                    "workflow_state": "Verified",
                    "docstatus": 1,
                    "acquired_on": "2026-06-01",
                    "owner": ctx.user,
                    "creation": now,
                    "modified": now,
                    "modified_by": ctx.user,
                }
            )
        enrolments.append(
            {
                "_id": f"ENR-{o['_id']}",
                "officer": o["_id"],
                "officer_email": o["email"],
                "mdo": o["mdo"],
                "course": "The Challenges of Global Poverty",
                "workflow_state": random.choice(["Registered", "Certified"]),
                "docstatus": 0,
                "owner": ctx.user,
                "creation": now,
                "modified": now,
                "modified_by": ctx.user,
                "certified_on": "2026-09-30",
            }
        )
    for i in range(0, len(entries), 2000):
        db.passbook_entry.insert_many(entries[i : i + 2000])
    for i in range(0, len(enrolments), 2000):
        db.enrolment.insert_many(enrolments[i : i + 2000])
    started = time.perf_counter()
    frac.rebuild(ctx)
    rebuild = time.perf_counter() - started
    return {
        "pipeline": pipeline,
        "raw": raw["officer"],
        "raw_all": sum(raw.values()),
        "written": sum(len(d) for d in written.values()),
        "rebuild": rebuild,
        "mdos": mdos,
    }


def raw_insert(db, source: str, docs: list[dict]) -> float:
    """Seconds to insert ``docs`` (as stored in ``source``) with the driver's insert_many,
    1,000 at a time, into an empty collection with the same indexes as ``source``."""
    scratch = db[f"bench_raw_{source}"]
    scratch.drop()
    for name, spec in db[source].index_information().items():
        if name != "_id_":
            options = {k: spec[k] for k in ("unique", "sparse", "partialFilterExpression") if k in spec}
            scratch.create_index(spec["key"], name=name, **options)
    with heap.bulk_work():  # the collector set as the import sets it, so neither pays more for it
        started = time.perf_counter()
        for i in range(0, len(docs), 1000):
            scratch.insert_many(docs[i : i + 1000])
        elapsed = time.perf_counter() - started
    scratch.drop()
    return elapsed


def users(site):
    for email, roles, mdos in (
        ("nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"]),
        ("dopt@bench.gov.in", ["System Manager"], []),
    ):
        lifecycle.insert(
            site.context(),
            "User",
            {"email": email, "full_name": email, "roles": [{"role": r} for r in roles], "mdos": [{"mdo": m} for m in mdos]},
        )
    return {e: auth.create_token(site, e) for e in ("nodal@power.gov.in", "dopt@bench.gov.in")}


def dashboard_client(site, token: str):
    """A function that fetches an MDO Admin's dashboard and returns how long it took (ms)."""
    from app.web import create_app

    client = create_app(site=site).test_client()
    headers = {"Authorization": f"token {token}"}

    def call() -> float:
        started = time.perf_counter()
        r = client.get("/api/method/mdo_dashboard?mdo=Ministry%20of%20Power", headers=headers)
        elapsed = time.perf_counter() - started
        assert r.status_code == 200, r.json
        return elapsed * 1000

    return call


@contextlib.contextmanager
def server_process(site, workers: int, threads: int):
    """``igot serve`` on the installation, in processes of its own (as an outside load test
    sees it): yields its port. The staff list's queued invitations are dropped first, so the
    figures are the API's, not a backlog of ten thousand mails."""
    from app import jobs

    huey, _ = jobs.queue_for(site.config)
    huey.flush()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, IGOT_DATA_DIR=str(site.config.data_dir), IGOT_DB_NAME=site.config.db_name)
    env.pop("MONGODB_URI", None)
    if site.config.mongodb_uri:
        env["MONGODB_URI"] = site.config.mongodb_uri
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"igot serve did not start: {process.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        if workers > 1:
            time.sleep(3)  # every worker up, not only the first
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def run_clients(client, clients: int) -> float:
    """``client(seed)`` in ``clients`` threads at once; the seconds until the last is done."""
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def concurrent_latency(site, port: int, token: str, clients: int, requests: int) -> dict[str, list[float]]:
    names = [o["_id"] for o in site.db.officer.find({"mdo": "Ministry of Power"}, {"_id": 1}).limit(500)]
    results: dict[str, list[float]] = {"list": [], "get": []}
    lock = threading.Lock()

    def client(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"token {token}"}
        for i in range(requests // clients):
            kind = "list" if i % 2 == 0 else "get"
            path = (
                f"/api/resource/Officer?limit=20&offset={rnd.randrange(0, 200, 20)}"
                if kind == "list"
                else f"/api/resource/Officer/{rnd.choice(names)}"
            )
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            with lock:
                results[kind].append(elapsed)
        conn.close()

    results["wall"] = [run_clients(client, clients)]
    return results


def mixed_load(site, port: int, token: str, clients: int, requests: int, write_share: float, tag: str) -> dict:
    """``clients`` concurrent clients on loopback, each sending its share of ``requests``: reads
    (a list page or a record) and, ``write_share`` of the time, writes (a new officer, or a
    change to one of the client's own officers). Afterwards every write that was answered
    2xx is checked in the store: each new officer is there, each changed officer holds the
    last value its client wrote. A 409 (two writes met, e.g. on a server without atomic
    counters) is sent again, as a client would, and counted."""
    import json

    names = [o["_id"] for o in site.db.officer.find({"mdo": "Ministry of Power"}, {"_id": 1}).limit(500)]
    latencies: list[float] = []
    conflicts: list[str] = []
    created: list[str] = []
    last: dict[str, str] = {}
    lock = threading.Lock()

    def client(seed):
        rnd = random.Random(seed)
        mine = names[seed::clients] or names
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        for i in range(requests // clients):
            body = None
            if rnd.random() < write_share:
                if rnd.random() < 0.5:
                    email = f"{tag}.{seed}.{i}@power.gov.in"
                    method, path = "POST", "/api/resource/Officer"
                    body = {
                        "full_name": f"Load {seed} {i}",
                        "email": email,
                        "group": "A",
                        "service": "CSS",
                        "mdo": "Ministry of Power",
                    }
                else:
                    officer = rnd.choice(mine)
                    method, path, body = "PUT", f"/api/resource/Officer/{officer}", {"designation": f"{tag} {seed} {i}"}
            elif i % 2:
                method, path = "GET", f"/api/resource/Officer?limit=20&offset={rnd.randrange(0, 200, 20)}"
            else:
                method, path = "GET", f"/api/resource/Officer/{rnd.choice(names)}"
            started = time.perf_counter()
            for _attempt in range(5):  # a 409 (a write that met another) is sent again, as a client would
                conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 409:
                    break
                with lock:
                    conflicts.append(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status}")
            with lock:
                latencies.append(elapsed)
                if method == "POST":
                    created.append(body["email"])
                elif method == "PUT":
                    last[path.rsplit("/", 1)[1]] = body["designation"]
        conn.close()

    wall = run_clients(client, clients)
    found = site.db.officer.count_documents({"email": {"$in": created}}) if created else 0
    held = sum(
        1 for n, d in last.items() if (site.db.officer.find_one({"_id": n}, {"designation": 1}) or {}).get("designation") == d
    )
    return {
        "latencies": latencies,
        "wall": wall,
        "created": (found, len(created)),
        "conflicts": len(conflicts),
        "changed": (held, len(last)),
    }


def machine_pace() -> float:
    """Seconds a fixed loop of arithmetic takes, best of three: this machine's speed at the
    moment, which changes from minute to minute, printed with the figures it explains."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--server-sizes", default=None, help="sizes on the --mongodb-uri server (default: --sizes)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1200, help="API requests in all, across the clients, per run")
    parser.add_argument("--mongodb-uri", default=None, help="also measure on this MongoDB (or FerretDB) server")
    parser.add_argument("--workers", default="1,2", help="igot serve --workers, side by side (0: no load runs)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    sizes_on = {"embedded": sizes, "server": [int(s) for s in (args.server_sizes or args.sizes).split(",")]}
    workers = [int(w) for w in args.workers.split(",") if int(w) > 0]  # 0: the import and dashboard only
    stores = ["embedded"] + (["server"] if args.mongodb_uri else [])
    random.seed(7)
    figures = {}
    pace_before = machine_pace()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for store in stores:
            for n in sizes_on[store]:
                # the job queue on SQLite, as a single-host installation runs it: the staff list's
                # invitations wait there for a worker (none runs here), as in production
                common = dict(data_dir=Path(tmp) / f"var-{store}-{n}", password_profile="CHEAPEST", queue_url=None)
                config = (
                    Config(store="embedded", **common)
                    if store == "embedded"
                    else Config(mongodb_uri=args.mongodb_uri, db_name=f"igot_bench_{n}_{random.randrange(10**6)}", **common)
                )
                site = Site(config)
                if site.store.kind == "mongodb":  # the benchmark's own database, left by a run cut short
                    site.store.client.drop_database(config.db_name)
                install.init(site)
                print(f"building N = {n:,} on the {store} ...", file=sys.stderr, flush=True)
                built = build(site, n, Path(tmp))
                tokens = users(site)
                # the day's schedules (reminders, digests) done now, as on a server that has run
                # for days: otherwise the served process's first minute runs them for every
                # officer, in the middle of the load runs
                started = time.perf_counter()
                schedule.run_due(site)
                built["daily"] = time.perf_counter() - started
                built["site"], built["tokens"] = site, tokens
                figures[store, n] = built
        # the dashboards side by side, in turns, once every installation is built (the same
        # process state for each)
        clients = {key: dashboard_client(f["site"], f["tokens"]["nodal@power.gov.in"]) for key, f in figures.items()}
        for f in figures.values():
            f["dashboard"] = []
        for i in range(63):
            for key, call in clients.items():
                elapsed = call()
                if i >= 3:
                    figures[key]["dashboard"].append(elapsed)
        for store in stores:
            last = figures[store, sizes_on[store][-1]]
            nodal, dopt = last["tokens"]["nodal@power.gov.in"], last["tokens"]["dopt@bench.gov.in"]
            for w in workers:
                print(f"{args.clients} concurrent clients, {w} worker(s), on the {store} ...", file=sys.stderr, flush=True)
                with server_process(last["site"], w, args.clients) as port:
                    # warm-up, not measured: each worker's first list reads the collection whole
                    # (the cold first read is its own figure, below)
                    concurrent_latency(last["site"], port, nodal, args.clients, args.clients * 4)
                    concurrent_latency(last["site"], port, dopt, args.clients, args.clients * 4)
                    last["api", w] = concurrent_latency(last["site"], port, nodal, args.clients, args.requests)
                    last["api_all", w] = concurrent_latency(last["site"], port, dopt, args.clients, args.requests)
                    for share in (0.10, 0.25):
                        tag = f"mix{int(share * 100)}w{w}"
                        last["mixed", share, w] = mixed_load(last["site"], port, nodal, args.clients, args.requests, share, tag)
        for f in figures.values():
            if f["site"].store.kind == "mongodb":
                f["site"].store.client.drop_database(f["site"].db.name)
            f["site"].close()
    where = "the embedded store" + (" and a server over the wire" if args.mongodb_uri else "")
    print(f"\nsynthetic installation on {where}; {dt.date.today()}; whole run {time.perf_counter() - began:.0f} s")
    print(
        f"machine pace (a fixed loop of arithmetic, lower is faster): {pace_before:.3f} s before the run, {machine_pace():.3f} s after\n"
    )
    print(
        f"{'store':<9} {'N officers':>10}  {'pipeline rows/s':>15}  {'raw insert rows/s':>17}  {'overhead':>8}  "
        f"{'docs written':>12}  {'raw, all docs s':>15}  {'overhead':>8}  "
        f"{'rollup rebuild s':>16}  {'dashboard median ms':>19}  {'p95 ms':>7}"
    )
    for (store, n), f in figures.items():
        print(
            f"{store:<9} {n:>10,}  {n / f['pipeline']:>15,.0f}  {n / f['raw']:>17,.0f}  {f['pipeline'] / f['raw']:>7.1f}x  "
            f"{f['written']:>12,}  {f['raw_all']:>15.2f}  {f['pipeline'] / f['raw_all']:>7.1f}x  "
            f"{f['rebuild']:>16.1f}  {statistics.median(f['dashboard']):>19.1f}  {percentile(f['dashboard'], 95):>7.1f}"
        )
    for (store, n), f in figures.items():
        print(f"{store}: the day's schedules (reminders, digests) at {n:,} officers: {f['daily']:.1f} s")
    for store in stores:
        ns = sizes_on[store]
        if len(ns) > 1:
            small = statistics.median(figures[store, ns[0]]["dashboard"])
            big = statistics.median(figures[store, ns[-1]]["dashboard"])
            print(f"\n{store}: dashboard at {ns[-1]:,} vs {ns[0]:,} officers: {big / small:.2f}x (target: within 1.5x)")
    for store in stores if workers else ():
        last = figures[store, sizes_on[store][-1]]
        print(
            f"\nmixed load, {args.clients} concurrent clients, N = {sizes_on[store][-1]:,}, {store} (writes: new officers and changes):"
        )
        print(
            f"{'workers':>7}  {'reads/writes':<13} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}  writes checked afterwards"
        )
        for w in workers:
            for share in (0.10, 0.25):
                m = last["mixed", share, w]
                v = m["latencies"]
                print(
                    f"{w:>7}  {f'{100 - share * 100:.0f}/{share * 100:.0f}':<13} {len(v):>8} {len(v) / m['wall']:>7.0f} "
                    f"{statistics.median(v):>7.0f} {percentile(v, 95):>7.0f}  "
                    f"new {m['created'][0]}/{m['created'][1]} found, changed {m['changed'][0]}/{m['changed'][1]} as last written"
                    + (f", {m['conflicts']} conflicts (409) sent again" if m["conflicts"] else "")
                )
    for store in stores if workers else ():
        last = figures[store, sizes_on[store][-1]]
        print(f"\nAPI reads under {args.clients} concurrent clients on loopback, N = {sizes_on[store][-1]:,}, {store}:")
        print(f"{'workers':>7}  {'as':<16} {'request':<32} {'count':>6} {'median ms':>10} {'p95 ms':>8}")
        for w in workers:
            for who, key in (("MDO Admin", "api"), ("System Manager", "api_all")):
                runs = last[key, w]
                for kind, label in (("list", "GET /api/resource/Officer?limit=20"), ("get", "GET /api/resource/Officer/<name>")):
                    values = runs[kind]
                    print(
                        f"{w:>7}  {who:<16} {label:<32} {len(values):>6} {statistics.median(values):>10.1f} "
                        f"{percentile(values, 95):>8.1f}"
                    )
                every = runs["list"] + runs["get"]
                print(
                    f"{w:>7}  {who:<16} {'all reads':<32} {len(every):>6} {statistics.median(every):>10.1f} "
                    f"{percentile(every, 95):>8.1f}   {len(every) / runs['wall'][0]:.0f} req/s"
                )


if __name__ == "__main__":
    main()
