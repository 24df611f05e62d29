"""After a crash: what a server or worker does when it starts, and every minute after.

- Jobs whose worker died (no heartbeat within the lease) become Failed, saying where they
  stopped; retrying one resumes it (``app.jobs.reap``).
- Records whose resumable follow-up work was cut off between their write and its end (a
  certificate not yet issued for a certified enrolment, a learner account not yet made for
  a new officer) get it done (``app.lifecycle.resume_pending``).

``igot repair`` runs the same at once.
"""

from __future__ import annotations


def run(site) -> dict:
    from app import jobs
    from app.model import lifecycle

    return {"jobs_failed": jobs.reap(site), "resumed": lifecycle.resume_pending(site)}


def describe(report: dict) -> list[str]:
    lines = [f"job {name}: its worker had stopped; marked Failed (retry it to resume)" for name in report["jobs_failed"]]
    lines += [f"{doctype} {name}: follow-up work completed after an interruption" for doctype, name in report["resumed"]]
    return lines
