"""Structured logs: one line per event, ``event key=value ...``, on the ``igot`` loggers.

- ``igot.request``: every request (method, path, status, duration in ms, user);
- ``igot.security``: failed logins, account locks, slowed addresses, refusals (401, 403)
  and bad requests the API answered with a reason (400, 409, 429);
- ``igot.jobs``: a job started, succeeded, failed, or found without its worker;
- ``igot.recovery``: a record's follow-up work that failed again when recovery ran it (it
  keeps its marker and is tried at the next run).

Waitress says "Task queue depth is N" whenever a request waits for a thread, which a browser
loading a page's styles and scripts at once causes on nearly every page: only a real backlog
(``QUEUE_WARN_DEPTH`` requests waiting) is said, and at most once a minute.

The level comes from ``IGOT_LOG_LEVEL`` (default INFO; the test suite runs at WARNING, so it
is quiet). Values are quoted when they hold spaces; no password, token or personal field is
ever logged.
"""

from __future__ import annotations

import logging
import os
import time

REQUEST = logging.getLogger("igot.request")
SECURITY = logging.getLogger("igot.security")
JOBS = logging.getLogger("igot.jobs")
QUEUE_WARN_DEPTH = 50  # requests waiting for a thread before the backlog is worth a line
QUEUE_WARN_EVERY = 60.0  # seconds between two such lines
_configured = False


class _QueueBacklog(logging.Filter):
    """Lets waitress's "Task queue depth is N" through only for a backlog, once a minute: a
    few requests waiting for a thread while a page loads its assets is normal work."""

    def __init__(self):
        super().__init__()
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if not isinstance(depth, int) or depth < QUEUE_WARN_DEPTH:
            return False
        now = time.monotonic()
        if now - self._last < QUEUE_WARN_EVERY:
            return False
        self._last = now
        return True


def quiet_queue() -> None:
    """Filter waitress's queue logger (once per process)."""
    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, _QueueBacklog) for f in queue.filters):
        queue.addFilter(_QueueBacklog())


def configure(level: str | None = None) -> None:
    """Send the igot loggers to stderr at ``level`` (once per process)."""
    global _configured
    root = logging.getLogger("igot")
    root.setLevel((level or os.environ.get("IGOT_LOG_LEVEL") or "INFO").upper())
    if not _configured and not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.propagate = False
    _configured = True


def _value(v) -> str:
    text = str(v)
    return f'"{text}"' if (" " in text or not text) else text


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, name + "".join(f" {k}={_value(v)}" for k, v in fields.items() if v is not None))


def install(app) -> None:
    """Log every request of ``app`` with its duration and user."""
    from flask import g, request

    quiet_queue()

    @app.before_request
    def _started():
        g.igot_started = time.perf_counter()

    @app.after_request
    def _finished(response):
        started = g.get("igot_started")
        ctx = g.get("igot_ctx") or g.get("igot_admin_ctx")
        event(
            REQUEST,
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
            user=getattr(ctx, "user", None),
        )
        return response


def refusal(exc) -> None:
    """A request the API refused with a reason (an ``IgotError``)."""
    status = getattr(exc, "status", 500)
    if status in (401, 403, 429):
        event(SECURITY, "refused", logging.WARNING, status=status, error=type(exc).__name__, message=exc.message)
    elif 400 <= status < 500:
        event(SECURITY, "bad_request", logging.INFO, status=status, error=type(exc).__name__, doctype=exc.doctype)
