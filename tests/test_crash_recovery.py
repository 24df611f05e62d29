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


# A completion is one resumable unit -----------------------------------------------------------

ASHA = "asha@power.gov.in"


def completion_world(data_dir, first: str) -> dict:
    """Asha, whose role needs budgeting at level 3; a published lesson on it (level 3) that
    requires a passed assessment of it (one attempt allowed) and is an item of her MDO's
    live plan; she has opened the lesson long enough ago to have read it, and has done
    ``first`` already ("pass" the assessment, or "read" the lesson), so that the other
    completes the module. Kept on disk, for the processes that follow."""
    import datetime as dt

    from app import auth, install
    from app.model import lifecycle
    from app.site import Site
    from doctypes.assessments import attempts
    from doctypes.content import progress

    from .conftest import make_config
    from .frac_world import BUDGET, build

    site = Site(make_config("embedded", data_dir))
    try:
        install.init(site)
        w = build(site)
        position = w.position()
        w.verify_map(w.role_map(position, [w.role("Budget officer", {BUDGET: 3})]))
        officer = w.officer(ASHA, position=position, name="Asha Rao")
        ctx = site.context()
        test = lifecycle.insert(
            ctx,
            "Assessment",
            {
                "title": "Outcome budgeting check",
                "mdo": POWER,
                "competency": BUDGET,
                "level": 3,
                "pass_mark": 100,
                "attempts_allowed": 1,
                "questions": [{"kind": "True/False", "question": "Outcomes are results.", "answer": "True"}],
                "workflow_state": "Published",
            },
        ).name
        module = lifecycle.insert(
            ctx,
            "Content Module",
            {
                "title": "Outcome budgeting",
                "kind": "Lesson Text",
                "mdo": POWER,
                "lesson_text": "Outcomes are results.",
                "competencies": [{"competency": BUDGET, "level": 3}],
                "required_assessment": test,
                "workflow_state": "Published",
            },
        ).name
        today = dt.date.today()
        lifecycle.insert(
            ctx,
            "Capacity Building Plan",
            {
                "plan_name": "Budget cell, this year",
                "mdo": POWER,
                "period_from": today.replace(month=1, day=1).isoformat(),
                "period_to": today.replace(month=12, day=31).isoformat(),
                "workflow_state": "Live",
                "items": [
                    {
                        "item_type": "Content Module",
                        "item": module,
                        "audience": "All Officers",
                        "due_date": today.replace(month=12, day=31).isoformat(),
                    }
                ],
            },
        )
        learner = auth.context_for(site, ASHA)
        progress.record(learner, module, {"share": 0})
        site.db.module_attempt.update_many({"module": module}, {"$set": {"started_at": ctx.now() - dt.timedelta(minutes=10)}})
        taking = attempts.start(learner, test)
        if first == "pass":
            attempts.submit(learner, taking["attempt"], {taking["questions"][0]["id"]: "True"})
        else:
            progress.record(learner, module, {"read_to_end": True})
            assert not progress.state(learner, module)["complete"]  # the assessment is still to pass
        return {"officer": officer, "module": module, "assessment": test, "taking": taking}
    finally:
        site.close()


def child(*args, timeout=180):
    from app.config import ROOT

    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
    return subprocess.run(
        [sys.executable, "-m", "tests.completion_child", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def repair(data_dir) -> str:
    """``igot repair`` in a fresh process, two minutes after the crash."""
    done = child("repair", data_dir, 2)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def completion_counts(site, world) -> dict:
    officer = world["officer"]
    return {
        "certificates": site.db.certificate.count_documents({"officer": officer, "content_module": world["module"]}),
        "module entries": site.db.passbook_entry.count_documents(
            {"officer": officer, "source": "Course Completion", "course": world["module"], "workflow_state": "Verified"}
        ),
        "assessment entries": site.db.passbook_entry.count_documents(
            {"officer": officer, "source": "Assessment", "workflow_state": "Verified"}
        ),
        "counted certificates": sum(r["count"] for r in site.db.mdo_activity.find({"mdo": POWER, "metric": "certificates"})),
        "marked": sum(
            site.db[c].count_documents({"_pending_hooks": {"$exists": True}})
            for c in ("assessment_attempt", "module_attempt", "certificate", "passbook_entry")
        ),
    }


COMPLETE = {"certificates": 1, "module entries": 1, "assessment entries": 1, "counted certificates": 1, "marked": 0}


def check_completed(data_dir, world) -> dict:
    """The officer's state is right: the assessment passed (and its entry named on the
    attempt), the module complete, its plan item done, her gap closed; and every step once."""
    from app import auth
    from app.site import Site
    from doctypes.assessments import attempts
    from doctypes.content import progress
    from doctypes.frac import frac

    from .conftest import make_config
    from .frac_world import BUDGET

    site = Site(make_config("embedded", data_dir))
    try:
        counts = completion_counts(site, world)
        assert counts == COMPLETE
        learner = auth.context_for(site, ASHA)
        passed = attempts.state(learner, world["assessment"])
        assert passed["passed"] and not passed["may_start"]
        attempt = site.db.assessment_attempt.find_one({"_id": world["taking"]["attempt"]})
        entry = site.db.passbook_entry.find_one({"officer": world["officer"], "source": "Assessment"})
        assert attempt["passbook_entry"] == entry["_id"]
        module = progress.state(learner, world["module"], settle=False)
        assert module["complete"] and module["certificate"]
        plan = frac.officer_plan(site.context(), world["officer"])
        assert [(i["content_module"], i["completed"]) for i in plan] == [(world["module"], True)]
        assert site.db.officer_gap.find_one({"officer": world["officer"], "competency": BUDGET})["gap"] == 0
        return counts
    finally:
        site.close()


def crash_and_repair(tmp_path, point: str, first: str) -> None:
    data_dir = tmp_path / "var"
    world = completion_world(data_dir, first)
    if first == "pass":
        action = ("read", world["module"])
    else:
        action = ("pass", world["taking"]["attempt"], world["taking"]["questions"][0]["id"], "True")
    killed = child("act", data_dir, point, ASHA, *action)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr  # it died at the point
    report = repair(data_dir)
    assert "follow-up work completed after an interruption" in report, report
    check_completed(data_dir, world)
    assert repair(data_dir).strip() == "nothing to repair"  # done once
    check_completed(data_dir, world)  # and nothing made twice


def test_killed_after_an_attempt_is_graded_repair_enters_the_pass(tmp_path):
    """Killed after the attempt was written Submitted and passed, before its passbook entry:
    the officer, who has no attempt left, would keep her gap for good."""
    crash_and_repair(tmp_path, "graded", first="read")


def test_killed_after_a_module_attempt_completes_repair_issues_the_certificate(tmp_path):
    crash_and_repair(tmp_path, "completed", first="pass")


def test_killed_after_the_certificate_repair_makes_the_passbook_entries(tmp_path):
    """Killed after the certificate, before the module's passbook entries: the certificate
    alone would stop the module's completion from ever being looked at again."""
    crash_and_repair(tmp_path, "certified", first="pass")


def test_killed_after_the_assessment_entry_repair_completes_the_module_and_plan_item(tmp_path):
    """Killed after the pass's passbook entry, before the module it completes (whose Verified
    entry is what marks the plan's item done)."""
    crash_and_repair(tmp_path, "entered", first="read")
