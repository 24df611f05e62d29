"""A learner's action in a process of its own, killed with SIGKILL (what the OOM killer or a
power cut does: nothing runs after it) at a named point of the completion the action
causes; and ``igot repair`` in a fresh process, run with its clock a few minutes on, since
recovery leaves alone what was written in the last minute (a request may still be writing
it). Run by tests/test_crash_recovery.py:

    python -m tests.completion_child act DATA_DIR POINT EMAIL read MODULE
    python -m tests.completion_child act DATA_DIR POINT EMAIL pass ATTEMPT QUESTION ANSWER
    python -m tests.completion_child repair DATA_DIR MINUTES
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time

# Where the process dies: the call that is the next step of a completion.
POINTS = {
    # the attempt is written Submitted and passed; its passbook entry is not made yet
    "graded": ("doctypes.frac.frac", "record_assessment_pass"),
    # the module attempt is written Completed; the certificate is not issued yet
    "completed": ("doctypes.learning.certificates", "issue"),
    # the certificate is issued; the module's passbook entries are not made yet
    "certified": ("doctypes.frac.frac", "record_course_completion"),
    # the assessment's passbook entry is made; the module it completes (a plan's item) not yet
    "entered": ("doctypes.learning.certificates", "complete_module"),
}
NOT_KILLED = 3  # the exit status when the action ran to its end without reaching the point


def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def act(data_dir: str, point: str, email: str, action: str, *args: str) -> None:
    from app import auth
    from app.site import Site
    from doctypes.assessments import attempts
    from doctypes.content import progress

    from .conftest import make_config

    module, function = POINTS[point]
    setattr(importlib.import_module(module), function, _die)
    site = Site(make_config("embedded", data_dir))
    learner = auth.context_for(site, email)
    if action == "read":
        progress.record(learner, args[0], {"read_to_end": True})
    else:
        attempts.submit(learner, args[0], {args[1]: args[2]})
    site.close()
    sys.exit(NOT_KILLED)


def repair(data_dir: str, minutes: str) -> None:
    real = time.time_ns
    time.time_ns = lambda: real() + int(minutes) * 60 * 10**9
    os.environ["IGOT_DATA_DIR"] = data_dir
    from app.cli import main

    main(["repair"])


if __name__ == "__main__":
    {"act": act, "repair": repair}[sys.argv[1]](*sys.argv[2:])
