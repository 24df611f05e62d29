"""After a crash: what a server or worker does when it starts, and every minute after.

- Jobs whose worker died (no heartbeat within the lease) become Failed, saying where they
  stopped; retrying one resumes it (``app.jobs.reap``).
- Records whose resumable follow-up work was cut off between their write and its end (a
  certificate not yet issued for a certified enrolment, a learner account not yet made for
  a new officer) get it done (``app.lifecycle.resume_pending``). So do completions: the write
  that decides one (an assessment attempt graded passed, a module's part made Completed)
  marks the whole of it due, and every step (certificate, passbook entries, what they
  complete in turn) is keyed once, so running it again finishes what is missing and makes
  nothing twice. A record whose follow-up fails again is reported and tried the next run.

``igot repair`` runs the same at once.
"""

from __future__ import annotations


def run(site) -> dict:
    from app import jobs
    from app.model import lifecycle

    failed: list = []
    report = {"jobs_failed": jobs.reap(site), "resumed": lifecycle.resume_pending(site, failed=failed)}
    return {**report, "not_resumed": failed}


def describe(report: dict) -> list[str]:
    lines = [f"job {name}: its worker had stopped; marked Failed (retry it to resume)" for name in report["jobs_failed"]]
    lines += [f"{doctype} {name}: follow-up work completed after an interruption" for doctype, name in report["resumed"]]
    lines += [
        f"{doctype} {name}: follow-up work could not be completed ({reason}); tried again at the next run"
        for doctype, name, reason in report.get("not_resumed", ())
    ]
    return lines
