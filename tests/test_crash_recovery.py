"""A crash half-way leaves nothing half-made for good: the server is killed (SIGKILL) during
a 2,000-row background import, and after a restart and a retry every row is imported once,
every officer has a learner account and the dashboard's count equals a recount. The same
for a killed ``igot import`` run again. And once-only rules hold under concurrency."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from .conftest import add_user
from .test_restart import call, free_port, make_admin, start

POWER = "Ministry of Power"
ROWS = 2000


def staff_list(n=ROWS) -> bytes:
    lines = ["Name,Email,Group,Service,MDO"]
    lines += [f"Officer {i},officer{i}@power.gov.in,A,IAS,{POWER}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def upload_import(port, token, data: bytes) -> str:
    boundary = "igotboundary"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="doctype"\r\n\r\nOfficer\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="staff.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/method/import_job",
        data=body,
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    import json

    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]["name"]


def wait_for(predicate, timeout=120, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def check_complete(data_dir, db_name="igot"):
    """Every row once, every officer with a learner account, counts equal to a recount."""
    from app.site import Site

    from .conftest import make_config

    site = Site(make_config("embedded", data_dir, db_name=db_name))
    try:
        officers = list(site.db.officer.find({}, {"email": 1, "mdo": 1}))
        emails = [o["email"] for o in officers]
        assert len(emails) == ROWS and len(set(emails)) == ROWS
        users = {u["_id"] for u in site.db.user.find({"roles.role": "Learner"}, {"_id": 1})}
        assert set(emails) <= users
        counted = sum(r["count"] for r in site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
        assert counted == site.db.officer.count_documents({"mdo": POWER}) == ROWS
        assert site.db.officer.count_documents({"_pending_hooks": {"$exists": True}}) == 0
        # every cut-off batch was completed by the run again, one never written too (the run
        # killed between noting it and writing it)
        assert site.db.pending_batch.count_documents({}) == 0
    finally:
        site.close()


def test_a_server_killed_during_an_import_job_resumes_it(tmp_path, monkeypatch):
    data_dir = tmp_path / "var"
    token = make_admin(data_dir)
    monkeypatch.setenv("IGOT_JOB_LEASE_SECONDS", "2")
    port = free_port()
    server = start(data_dir, port)
    try:
        job = upload_import(port, token, staff_list())
        wait_for(
            lambda: (call(port, "GET", f"/api/resource/Background%20Job/{job}", token=token)["data"].get("progress") or 0) >= 10
        )
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    server = start(data_dir, port)
    try:
        stuck = call(port, "GET", f"/api/resource/Background%20Job/{job}", token=token)["data"]
        assert stuck["status"] in ("Running", "Failed")
        time.sleep(2.5)  # past the lease: the dead worker's heartbeat has stopped
        retried = call(port, "POST", f"/api/resource/Background%20Job/{job}/action/retry", {}, token=token)["data"]
        assert retried["status"] in ("Queued", "Running", "Succeeded")
        done = wait_for(
            lambda: (lambda d: d if d["status"] in ("Succeeded", "Failed") else None)(
                call(port, "GET", f"/api/resource/Background%20Job/{job}", token=token)["data"]
            ),
            timeout=300,
        )
        assert done["status"] == "Succeeded", done.get("error")
        assert done["result"]["rejected"] == 0 and done["result"]["already_imported"] >= 200
        assert done["result"]["imported"] + done["result"]["already_imported"] == ROWS
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    check_complete(data_dir)


def test_a_killed_igot_import_run_again_completes_it(tmp_path):
    data_dir = tmp_path / "var"
    make_admin(data_dir)
    staff = tmp_path / "staff.csv"
    staff.write_bytes(staff_list())
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | {"IGOT_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "app.cli", "import", "Officer", str(staff)]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    from app.site import Site

    from .conftest import make_config

    watcher = Site(make_config("embedded", data_dir))
    try:
        wait_for(lambda: watcher.db.officer.estimated_document_count() >= 150 or run.poll() is not None)
    finally:
        watcher.close()
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already imported by an earlier run" in again.stdout and "0 rejected" in again.stdout
    check_complete(data_dir)


def test_concurrent_completions_make_one_certificate_and_one_entry_each(mock_site):
    """Eight requests complete the same module at once: one certificate, one verified
    passbook entry per competency, and the dashboard counts the certificate."""
    from app.auth import context_for
    from app.model import lifecycle
    from doctypes.learning import certificates

    from .frac_world import BUDGET

    ctx = mock_site.context()
    add_user(mock_site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    officer = lifecycle.insert(
        ctx, "Officer", {"full_name": "Asha", "email": "asha@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER}
    ).name
    module = lifecycle.insert(
        ctx,
        "Content Module",
        {
            "title": "Budgeting 101",
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": "...",
            "workflow_state": "Published",
            "competencies": [{"competency": BUDGET, "level": 2}],
        },
    ).name
    learner = context_for(mock_site, "asha@power.gov.in")
    barrier = threading.Barrier(8)
    results, errors = [], []

    def complete():
        barrier.wait()
        try:
            results.append(certificates.complete_module(learner, officer, module).name)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=complete) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1
    assert mock_site.db.certificate.count_documents({"officer": officer}) == 1
    assert mock_site.db.passbook_entry.count_documents({"officer": officer, "competency": BUDGET}) == 1
    counted = sum(r["count"] for r in mock_site.db.mdo_activity.find({"mdo": POWER, "metric": "certificates"}))
    assert counted == 1


def test_follow_up_work_cut_off_by_a_crash_is_done_by_recovery(mock_site):
    """A certified enrolment whose certificate was never issued (the process died after the
    write): recovery runs the resumable hook again, and a second run adds nothing."""
    import datetime as dt

    from app import recovery
    from app.model import lifecycle

    ctx = mock_site.context()
    officer = lifecycle.insert(
        ctx, "Officer", {"full_name": "Ravi", "email": "ravi@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER}
    )
    # what a crash right after the insert's write leaves: the record, marked, and no account yet
    mock_site.db.user.delete_one({"_id": "ravi@power.gov.in"})
    old = ctx.now() - dt.timedelta(minutes=5)
    mock_site.db.officer.update_one(
        {"_id": officer.name},
        {"$set": {"_pending_hooks": ["after_insert", "on_update"], "modified": old}, "$unset": {"_counted": ""}},
    )
    before = sum(r["count"] for r in mock_site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
    report = recovery.run(mock_site)
    assert ("Officer", officer.name) in report["resumed"]
    assert mock_site.db.user.find_one({"_id": "ravi@power.gov.in"}) is not None
    after = sum(r["count"] for r in mock_site.db.mdo_activity.find({"mdo": POWER, "metric": "officers"}))
    assert after == before + 1
    assert recovery.run(mock_site)["resumed"] == []  # done once
    assert "_pending_hooks" not in mock_site.db.officer.find_one({"_id": officer.name})
