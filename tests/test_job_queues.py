"""The job queue itself, on each real backend: the embedded SQLite queue and Redis (with
TEST_REDIS_URL; .ci/run starts Debian's redis-server). Jobs are taken by worker processes
(`igot worker`), a worker killed mid-job leaves a job that is detected and resumed, and two
workers never run one job twice."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from app import install, jobs
from app.auth import context_for
from app.site import Site

from .conftest import add_user, make_config
from .test_crash_recovery import ROWS, check_complete, staff_list, wait_for

REDIS = os.environ.get("TEST_REDIS_URL") or None
QUEUES = ["sqlite"] + (["redis"] if REDIS else [])
POWER = "Ministry of Power"


@pytest.fixture(params=QUEUES)
def installation(request, tmp_path, monkeypatch):
    """An embedded-store installation whose jobs go through a real queue, and the environment
    its worker processes run with."""
    queue_url = REDIS if request.param == "redis" else None
    db_name = f"igot_{uuid.uuid4().hex[:10]}"
    data_dir = tmp_path / "var"
    site = Site(make_config("embedded", data_dir, queue_url=queue_url, db_name=db_name))
    install.init(site)
    add_user(site, "dopt@gov.in", ["System Manager"])
    monkeypatch.setattr(jobs, "LEASE", __import__("datetime").timedelta(seconds=2))
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | {
        "IGOT_DATA_DIR": str(data_dir),
        "IGOT_DB_NAME": db_name,
        "IGOT_JOB_LEASE_SECONDS": "2",
    }
    if queue_url:
        env["IGOT_QUEUE"] = queue_url
    else:
        env.pop("IGOT_QUEUE", None)
    jobs.forget_queues()
    huey, _ = jobs.queue_for(site.config)
    huey.flush()
    workers = []

    def worker():
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(proc)
        return proc

    yield {"site": site, "data_dir": data_dir, "worker": worker, "huey": huey, "queue": request.param}
    for proc in workers:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    huey.flush()
    jobs.forget_queues()
    site.close()


def job_record(site, name):
    return site.db.background_job.find_one({"_id": name})


def test_a_worker_process_takes_a_queued_job(installation):
    site = installation["site"]
    job = jobs.submit(context_for(site, "dopt@gov.in"), "rebuild_rollups")
    assert job_record(site, job.name)["status"] == "Queued" and installation["huey"].pending_count() == 1
    installation["worker"]()
    done = wait_for(lambda: (r := job_record(site, job.name))["status"] in ("Succeeded", "Failed") and r)
    assert done["status"] == "Succeeded" and done["progress"] == 100 and done["attempts"] == 1


def test_a_worker_killed_mid_job_is_detected_and_the_job_resumed(installation):
    from app import files

    site = installation["site"]
    ctx = context_for(site, "dopt@gov.in")
    file_id = files.store(ctx, __import__("io").BytesIO(staff_list()), "staff.csv", accept=["text"])
    job = jobs.submit(ctx, "import", {"doctype": "Officer", "file": file_id, "mdo": POWER, "filename": "staff.csv"})
    first = installation["worker"]()
    wait_for(lambda: (job_record(site, job.name).get("progress") or 0) >= 10)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert job_record(site, job.name)["status"] == "Running"  # what the dead worker left
    time.sleep(2.5)  # past the lease
    assert job.name in jobs.reap(site)
    stopped = job_record(site, job.name)
    assert stopped["status"] == "Failed" and "the worker stopped" in stopped["error"]
    jobs.retry(ctx, job.name)
    installation["worker"]()
    done = wait_for(lambda: (r := job_record(site, job.name))["status"] in ("Succeeded", "Failed") and r, timeout=300)
    assert done["status"] == "Succeeded", done.get("error")
    assert done["result"]["already_imported"] >= 200 and done["result"]["imported"] + done["result"]["already_imported"] == ROWS
    check_complete(installation["data_dir"], site.db.name)


def test_two_workers_never_run_a_job_twice(installation):
    site = installation["site"]
    ctx = context_for(site, "dopt@gov.in")
    names = [jobs.submit(ctx, "rebuild_rollups").name for _ in range(8)]
    installation["worker"](), installation["worker"]()
    wait_for(lambda: all(job_record(site, n)["status"] == "Succeeded" for n in names), timeout=180)
    assert [job_record(site, n)["attempts"] for n in names] == [1] * 8
