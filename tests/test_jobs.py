"""Background jobs: submitted by a user, run as that user by a worker, with progress, result
or error in a Background Job record only they (and the System Manager) read; failed jobs are
retried; queued jobs survive a restart of the embedded (SQLite) queue."""

import io

import pytest

from app import i18n, install, jobs
from app.model import lifecycle
from app.site import Site

from .conftest import add_user, make_config, token_client

POWER = "Ministry of Power"


def new_site(**kw):
    site = Site(make_config("mongomock", **kw))
    install.init(site)
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "nodal2@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "learner@power.gov.in", ["Learner"], [POWER])
    add_user(site, "dopt@gov.in", ["System Manager"])
    return site


@pytest.fixture
def immediate():
    site = new_site(queue_url="immediate")
    yield site
    site.close()


def staff_csv(n: int, bad: int = 0) -> bytes:
    lines = ["full_name,email,group,service"]
    lines += [f"Officer {i},officer{i}@power.gov.in,A,CSS" for i in range(n)]
    lines += [f"Bad {i},not-an-email-{i},A,CSS" for i in range(bad)]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_runs_as_a_job_with_its_result_for_the_user_who_started_it(immediate):
    from app.web import create_app

    app = create_app(site=immediate)
    nodal = token_client(immediate, "nodal@power.gov.in", app=app)
    r = nodal.post(
        "/api/method/import_job",
        data={"doctype": "Officer", "mdo": POWER, "file": (io.BytesIO(staff_csv(450, bad=2)), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 202, r.json
    job = nodal.get(f"/api/resource/Background Job/{r.json['data']['name']}").json["data"]
    assert (job["status"], job["progress"], job["started_by"]) == ("Succeeded", 100.0, "nodal@power.gov.in")
    assert (job["result"]["imported"], job["result"]["rejected"]) == (450, 2)
    assert "line 452: email" in job["result"]["errors"][0]
    assert immediate.db.officer.count_documents({"mdo": POWER}) == 450
    told = immediate.db.notification.find_one({"for_user": "nodal@power.gov.in", "kind": "Job"})
    assert told["subject"] == "Your import of officer records from staff.csv finished: 450 imported, 2 rejected."
    assert "line 452: email" in told["message"]
    assert i18n.say(immediate, told["subject_words"], "hi") == (
        "staff.csv से अधिकारी अभिलेखों का आपका आयात पूरा हुआ: 450 आयात हुए, 2 अस्वीकार हुए।"
    )
    # only the user who started it (and the System Manager) reads it
    other = token_client(immediate, "nodal2@power.gov.in", app=app)
    assert other.get(f"/api/resource/Background Job/{job['name']}").status_code == 404
    assert [j["name"] for j in other.get("/api/resource/Background Job").json["data"]] == []
    dopt = token_client(immediate, "dopt@gov.in", app=app)
    assert dopt.get(f"/api/resource/Background Job/{job['name']}").status_code == 200


def test_jobs_are_refused_to_users_who_may_not_do_the_work(immediate):
    from app.web import create_app

    app = create_app(site=immediate)
    learner = token_client(immediate, "learner@power.gov.in", app=app)
    assert learner.post("/api/method/run_job", json={"job": "rebuild_rollups"}).status_code == 403
    r = learner.post(
        "/api/method/import_job",
        data={"doctype": "Officer", "file": (io.BytesIO(staff_csv(1)), "s.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    assert (
        token_client(immediate, "nodal@power.gov.in", app=app)
        .post("/api/method/run_job", json={"job": "format_disk"})
        .status_code
        == 400
    )
    assert immediate.db.background_job.count_documents({}) == 0


def test_a_failed_job_says_why_and_can_be_retried(immediate, monkeypatch):
    calls = []

    def flaky(ctx, args, progress):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return {"officers": 0}

    import dataclasses

    spec = jobs.job_spec(immediate, "rebuild_rollups")
    monkeypatch.setattr(jobs, "job_spec", lambda site, name: dataclasses.replace(spec, run=flaky) if name == spec.name else None)
    from app.auth import context_for

    ctx = context_for(immediate, "dopt@gov.in")
    job = jobs.submit(ctx, "rebuild_rollups")
    failed = immediate.db.background_job.find_one({"_id": job.name})
    assert (failed["status"], failed["error"], failed["attempts"]) == ("Failed", "RuntimeError: the database went away", 1)
    from app.auth import context_for
    from app.errors import NotFound

    with pytest.raises(NotFound):
        lifecycle.get(context_for(immediate, "nodal@power.gov.in"), "Background Job", job.name)  # not theirs
    from app.model import actions

    actions.run(ctx, "Background Job", job.name, "retry")
    done = immediate.db.background_job.find_one({"_id": job.name})
    assert (done["status"], done["attempts"], done.get("error")) == ("Succeeded", 2, None)
    with pytest.raises(Exception, match="only failed jobs"):
        jobs.retry(ctx, job.name)


def test_queued_jobs_survive_a_restart_of_the_embedded_queue(tmp_path):
    site = new_site(data_dir=tmp_path / "var", queue_url=None)  # the embedded SQLite queue
    try:
        from app.auth import context_for

        job = jobs.submit(context_for(site, "dopt@gov.in"), "rebuild_rollups")
        assert site.db.background_job.find_one({"_id": job.name})["status"] == "Queued"
        assert (tmp_path / "var" / "jobs.db").exists()
        jobs.forget_queues()  # the process restarts
        huey, _ = jobs.queue_for(site.config)
        assert huey.pending_count() == 1
        huey.execute(huey.dequeue())  # a worker takes it
        assert site.db.background_job.find_one({"_id": job.name})["status"] == "Succeeded"
        assert huey.pending_count() == 0
    finally:
        jobs.forget_queues()
        site.close()


def test_progress_is_written_as_the_job_goes(immediate, monkeypatch):
    seen = []
    original = jobs._set

    def spy(site, job, **values):
        if "progress" in values:
            seen.append(values["progress"])
        return original(site, job, **values)

    monkeypatch.setattr(jobs, "_set", spy)
    from app import files
    from app.auth import context_for
    from app.model import lifecycle

    monkeypatch.setattr(lifecycle, "BATCH", 100)  # rows go in batches; progress is told after each

    ctx = context_for(immediate, "nodal@power.gov.in")

    file_id = files.store(ctx, io.BytesIO(staff_csv(600)), "staff.csv")
    jobs.submit(ctx, "import", {"doctype": "Officer", "file": file_id, "mdo": POWER})
    assert 0 < seen[0] < seen[1] < seen[2] < 100 and seen[-1] == 100.0 and len(seen) == 5
