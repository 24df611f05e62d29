"""What runs by the clock, every minute, in ``igot serve`` and ``igot worker`` (or once with
``igot schedule run``, from cron):

- mails whose next try is due are queued again (``app.mail.retry_due``);
- once a day, the daily digests of notifications (``app.notifications.send_digests``);
- once a day, the modules' schedules (``Module.schedules``: the reminders of plan items due
  within a week), each at or after its hour (UTC), recorded in ``schedule_run`` so that
  several servers, or a restart, run each once a day.
"""

from __future__ import annotations

import datetime as dt
import logging

from app import mail, notifications

RUNS = "schedule_run"
log = logging.getLogger("igot.schedule")


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _claim(site, name: str, day: str) -> bool:
    """Whether this process runs ``name`` today (the first to ask does)."""
    from pymongo.errors import DuplicateKeyError

    try:
        site.unguarded(RUNS).insert_one({"_id": f"{name}:{day}", "name": name, "day": day, "at": _now()})
        return True
    except DuplicateKeyError:
        return False


def run_due(site, now: dt.datetime | None = None) -> dict:
    now = now or _now()
    report = {"mails": mail.retry_due(site, now), "digests": notifications.send_digests(site, now), "schedules": []}
    day = now.date().isoformat()
    for schedule in site.modules.all("schedules"):
        if now.hour >= schedule.hour and _claim(site, schedule.name, day):
            try:
                schedule.run(site, now)
                report["schedules"].append(schedule.name)
            except Exception:  # noqa: BLE001 - one schedule failing does not stop the others
                log.exception("schedule %s failed", schedule.name)
    return report
