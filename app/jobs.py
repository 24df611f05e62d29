"""Background jobs: long work (imports of 10,000+ rows, rollup recomputes, certificate PDFs,
exports) runs outside the request, with its progress in a **Background Job** record
(``background_job``) that the user who started it can read.

The queue is huey's. By default it is embedded: a SQLite file beside the data
(``IGOT_DATA_DIR/jobs.db``), so a restart loses no queued job; with ``IGOT_QUEUE=redis://…``
it is Redis, for several web and job workers. The code is the same: ``submit`` records the
job and enqueues its id; a worker (``igot worker``) runs it as the user who started it, so
every permission check applies, and records progress, the result or the error. A failed job
can be retried (the ``retry`` action, or ``igot jobs retry``).

A worker can die with its job (killed, restarted, out of memory). While a job runs, its
worker writes ``heartbeat_at`` every ``LEASE / 4``; a job still Running whose heartbeat is
older than ``LEASE`` (``IGOT_JOB_LEASE_SECONDS``, default 120) is taken to have lost its worker
and is marked Failed (``reap``: when a server or worker starts, every minute while it runs,
and when the job is retried), saying where it stopped. Retrying it runs it
again; the jobs are written to resume: an import completes the rows that are missing and
creates nothing twice (``app.importer``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import threading
import traceback
from pathlib import Path

from app.errors import IgotError, ValidationError

DOCTYPE = "Background Job"
LEASE = dt.timedelta(seconds=int(__import__("os").environ.get("IGOT_JOB_LEASE_SECONDS", "120")))
_hueys: dict = {}
_sites: dict = {}
_lock = threading.Lock()
PROGRESS_EVERY = 200  # rows or officers between progress writes


# the queue ----------------------------------------------------------------------------------


def queue_for(config):
    """(huey, the run-job task) for an installation: one per process and location."""
    key = _queue_key(config)
    immediate = key[2]
    with _lock:
        if key not in _hueys:
            if config.queue_url and config.queue_url.startswith(("redis://", "rediss://")):
                from huey import RedisHuey

                huey = RedisHuey(f"igot-{config.db_name}", url=config.queue_url)  # one queue per installation
            elif immediate:
                from huey import MemoryHuey

                huey = MemoryHuey("igot", immediate=True)
            else:
                from huey import SqliteHuey

                Path(config.data_dir).mkdir(parents=True, exist_ok=True)
                huey = SqliteHuey("igot", filename=str(Path(config.data_dir) / "jobs.db"))
            _hueys[key] = (huey, huey.task(name="igot.run_job")(_run_job_task), huey.task(name="igot.call")(_call_task))
        return _hueys[key][:2]


def _queue_key(config) -> tuple:
    return (config.queue_url or "", str(Path(config.data_dir).absolute()), config.queue_url == "immediate")


def forget_queues() -> None:
    """Drop this process's queue objects (as a restart does); queued jobs stay in the queue."""
    with _lock:
        _hueys.clear()


def _run_job_task(config_values: dict, job: str):
    """The task a worker runs: find the installation (this process's, or one opened from the
    configuration), then run the job."""
    run(_site_for(config_values), job)


def _site_for(config_values: dict):
    from app.config import Config
    from app.site import Site

    key = json.dumps(config_values, sort_keys=True, default=str)
    with _lock:
        site = _sites.get(key)
        if site is None:
            values = dict(config_values)
            values["data_dir"] = Path(values["data_dir"])
            values["doctype_paths"] = tuple(Path(p) for p in values["doctype_paths"])
            values["fixture_paths"] = tuple(Path(p) for p in values["fixture_paths"])
            site = _sites[key] = Site(Config(**values))
    return site


def _call_task(config_values: dict, target: str, arg):
    """The engine's own small queued work (delivering a mail): ``target`` is
    ``app.<module>:<function>``, called with the site and ``arg``."""
    import importlib

    module, _, function = target.partition(":")
    if not module.startswith("app.") or not function:
        raise ValueError(f"not an engine call: {target!r}")
    getattr(importlib.import_module(module), function)(_site_for(config_values), arg)


def enqueue_call(site, target: str, arg) -> None:
    """Queue ``target(site, arg)`` (an engine function named ``app.<module>:<function>``) for
    a worker: work that is not a user's job and keeps no Background Job record, such as
    delivering a mail; it records its own outcome."""
    register_site(site)
    queue_for(site.config)
    _hueys[_queue_key(site.config)][2](_config_values(site.config), target, arg)


def work(huey, idle_seconds: float = 1.0, stop=None) -> None:
    """Run queued jobs one after another until ``stop`` (a threading.Event) is set."""
    import time

    while stop is None or not stop.is_set():
        try:
            task = huey.dequeue()
        except Exception:  # noqa: BLE001 - the queue's storage hiccuped: try again shortly
            task = None
        if task is None:
            time.sleep(idle_seconds)
            continue
        huey.execute(task)


def register_site(site) -> None:
    """Let this process's workers use ``site`` itself (an in-memory store has no other way)."""
    with _lock:
        _sites[json.dumps(_config_values(site.config), sort_keys=True, default=str)] = site


def _config_values(config) -> dict:
    from dataclasses import asdict

    values = asdict(config)
    values["data_dir"] = str(values["data_dir"])
    values["doctype_paths"] = [str(p) for p in values["doctype_paths"]]
    values["fixture_paths"] = [str(p) for p in values["fixture_paths"]]
    return values


# submitting and running -----------------------------------------------------------------------


def submit(ctx, job_type: str, args: dict | None = None, *, label: str | None = None):
    """Record a job for the caller and enqueue it; returns the Background Job."""
    from app.model import lifecycle

    spec = job_spec(ctx.site, job_type)
    if spec is None:
        raise ValidationError(
            f"unknown job {job_type!r}; jobs: {', '.join(job_names(ctx.site))}", errors={"job_type": ["unknown"]}
        )
    spec.check(ctx, args or {})  # refuse now what the job would refuse later
    doc = lifecycle.insert(
        ctx.as_system(),
        DOCTYPE,
        {
            "job_type": job_type,
            "title": label or spec.label,
            "args": args or {},
            "status": "Queued",
            "started_by": ctx.user,
            "progress": 0,
            "attempts": 0,
            "queued_at": ctx.now(),
            "as_platform": ctx.is_system,
        },
    )
    _enqueue(ctx.site, doc.name)
    return doc


def _enqueue(site, job: str) -> None:
    register_site(site)
    _, task = queue_for(site.config)
    task(_config_values(site.config), job)


def reap(site, now=None) -> list[str]:
    """Mark Failed every Running job whose worker stopped sending heartbeats; returns them."""
    now = now or _now()
    stale = []
    for record in site.db["background_job"].find({"status": "Running", "heartbeat_at": {"$lt": now - LEASE}}):
        where = record.get("progress_text") or f"{record.get('progress') or 0}%"
        done = site.db["background_job"].update_one(
            {"_id": record["_id"], "status": "Running", "heartbeat_at": record["heartbeat_at"]},
            {
                "$set": {
                    "status": "Failed",
                    "finished_at": now,
                    "modified": now,
                    "progress_text": f"stopped at {where}",
                    "error": f"the worker stopped while running this job (at {where}, last heard from "
                    f"{record['heartbeat_at']:%Y-%m-%d %H:%M:%S} UTC); retry it to resume",
                }
            },
        )
        if done.modified_count:
            stale.append(record["_id"])
    return stale


def retry(ctx, job: str):
    """Put a failed job back in the queue (a job whose worker died is failed first)."""
    from app.model import lifecycle

    reap(ctx.site)
    doc = lifecycle.get(ctx, DOCTYPE, job)
    if doc.status != "Failed":
        raise ValidationError.for_fields(DOCTYPE, job, {"status": [f"is {doc.status}; only failed jobs are retried."]})
    _set(ctx.site, job, status="Queued", error=None, progress=0, progress_text="queued again", queued_at=ctx.now())
    _enqueue(ctx.site, job)
    return lifecycle.get(ctx, DOCTYPE, job)


def run(site, job: str) -> None:
    """Run one job now, as the user who started it; its record says how it went."""
    from app import auth

    record = site.db["background_job"].find_one({"_id": job})
    if record is None or record.get("status") not in ("Queued",):
        return  # already run (a queue may deliver twice), or withdrawn
    started = site.db["background_job"].update_one(
        {"_id": job, "status": "Queued"},
        {
            "$set": {
                "status": "Running",
                "started_at": _now(),
                "heartbeat_at": _now(),
                "modified": _now(),
                "progress_text": "started",
                "attempts": int(record.get("attempts") or 0) + 1,
            }
        },
    )
    if not started.modified_count:
        return  # another worker took it first
    beating = threading.Event()
    threading.Thread(target=_heartbeat, args=(site, job, beating), name=f"igot-heartbeat-{job}", daemon=True).start()
    try:
        ctx = site.context(record["started_by"]) if record.get("as_platform") else auth.context_for(site, record["started_by"])
        spec = job_spec(site, record["job_type"])
        result = spec.run(ctx, record.get("args") or {}, Progress(site, job))
        _set(site, job, status="Succeeded", progress=100, finished_at=_now(), result=result or {}, progress_text="done")
    except Exception as exc:  # noqa: BLE001 - a job reports every failure as its result
        message = exc.message if isinstance(exc, IgotError) else f"{type(exc).__name__}: {exc}"
        _set(
            site,
            job,
            status="Failed",
            finished_at=_now(),
            error=message,
            progress_text="failed",
            traceback=traceback.format_exc()[-4000:],
        )
    finally:
        beating.set()
    finished = site.db["background_job"].find_one({"_id": job})
    for event in site.modules.events_for(DOCTYPE, "job_finished"):
        try:
            event.handler(site, finished)  # the user who started it is told (app.notifications)
        except Exception:  # noqa: BLE001 - telling must not undo the job's outcome
            logging.getLogger("igot.jobs").exception("telling of job %s failed", job)


def _heartbeat(site, job: str, stop: threading.Event) -> None:
    """While the job runs in this process, say so every quarter of the lease."""
    while not stop.wait(LEASE.total_seconds() / 4):
        try:
            site.db["background_job"].update_one({"_id": job, "status": "Running"}, {"$set": {"heartbeat_at": _now()}})
        except Exception:  # noqa: BLE001 - a missed beat is made up by the next
            pass


class Progress:
    """``progress(done, total, text)``: written to the job record every few hundred steps."""

    def __init__(self, site, job: str):
        self.site, self.job, self.last = site, job, -PROGRESS_EVERY

    def __call__(self, done: int, total: int, text: str = "") -> None:
        if done - self.last < PROGRESS_EVERY and done < total:
            return
        self.last = done
        _set(
            self.site,
            self.job,
            progress=round(100 * done / total, 1) if total else 100.0,
            progress_text=text or f"{done} of {total}",
        )


def _now():
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _set(site, job: str, **values) -> None:
    """Job bookkeeping: a single-document update by the platform (not a user's edit)."""
    site.db["background_job"].update_one({"_id": job}, {"$set": {**values, "modified": _now()}})


# the jobs -------------------------------------------------------------------------------------


def _check_import(ctx, args):
    meta = ctx.registry.get(args.get("doctype") or "")
    ctx.access.check(meta, "import")
    if not args.get("file"):
        raise ValidationError("an import job needs the uploaded file", errors={"file": ["missing"]})


def _run_import(ctx, args, progress):
    """Import a CSV or XLSX kept in GridFS; the rejected rows and their reasons are the result."""
    from bson import ObjectId

    from app import importer

    stored = ctx.site.store.files.get(ObjectId(args["file"]))
    suffix = Path(stored.filename or "upload.csv").suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(stored.read())
        total = len(importer.read_file(path))
        done = [0]

        def step(n=1):
            done[0] += n
            progress(done[0], total, f"{done[0]} of {total} rows")

        result = importer.import_file(
            ctx,
            args["doctype"],
            path,
            progress=step,
            defaults={"mdo": args["mdo"]} if args.get("mdo") else None,
            update=bool(args.get("update")),
        )
    return {
        "rows": result.rows,
        "imported": len(result.inserted),
        "updated": len(result.updated),
        "already_imported": len(result.resumed),
        "rejected": len(result.failed_lines),
        "errors": [str(e) for e in result.errors[:1000]],
    }


def _check_export(ctx, args):
    from app import query

    meta = ctx.registry.get(args.get("doctype") or "")
    ctx.access.check(meta, "export")
    if args.get("format") not in (None, "csv", "json"):
        raise ValidationError(f"format: {args['format']!r} is not csv or json", errors={"format": ["csv or json"]})
    query.build_query(ctx, meta, args.get("filters"), action="export")  # bad filters are refused now, not in the job


def _run_export(ctx, args, progress):
    """Export records the caller may read; the file is kept in GridFS for them to download."""
    from app import importer

    fmt = args.get("format") or "csv"
    text = importer.export_rows(ctx, args["doctype"], fmt, args.get("filters"))
    from app import files

    meta = ctx.registry.get(args["doctype"])
    file_id = files.put(
        ctx,
        text.encode(),
        f"{meta.collection}.{fmt}",
        kind="text",
        job=progress.job,
        content_type="text/csv" if fmt == "csv" else "application/json",
    )
    return {"file": file_id, "filename": f"{meta.collection}.{fmt}", "bytes": len(text.encode())}


def _engine_jobs():
    from app.registry import Job

    return (Job("import", "Import", _check_import, _run_import), Job("export", "Export", _check_export, _run_export))


ENGINE_JOBS = _engine_jobs()


def job_spec(site, name: str):
    """The engine's job or a module's of that name, or None."""
    return next((j for j in ENGINE_JOBS if j.name == name), None) or site.modules.job(name)


def job_names(site) -> list[str]:
    return [j.name for j in ENGINE_JOBS] + [j.name for j in site.modules.all("jobs")]
