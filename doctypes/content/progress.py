"""Progress in a content module is measured, not declared.

How a module's completion is measured depends on its kind (``how``):

- **SCORM package**: the package reports through the SCORM 1.2 or 2004 run-time (scorm-again,
  in the learner's page); its CMI data is committed here per officer and part (SCO), kept,
  and given back when the officer returns (``suspend_data``, location, entry ``resume``). A
  part is complete when the package says so: SCORM 1.2 ``lesson_status`` completed or passed,
  SCORM 2004 ``completion_status`` completed (or ``success_status`` passed) and not failed.
  The module is complete when every SCO of its default organisation is.
- **Video** (a file, or a link to a media file): the player reports the stretches actually
  played; seeking does not count. Complete at the module's share (default 90%).
- **PDF**: complete when every page has been shown. **Lesson text**: when its end was reached
  after the time it takes to read (counted from the first opening, so across visits); until
  then its progress stays below 100 and the state says the reading time left.
- **External link** (and a video link the player cannot measure): the officer reports it;
  the module's competencies enter the passbook Pending, for the MDO to verify, and no
  certificate is issued.

A module may also require a passed assessment. When everything is done the module
completes once: a certificate, Verified passbook entries and plan progress
(``certificates.complete_module``).

**What the browser says is checked against what the server knows.** A video file's length and
a PDF's pages are the server's (read at upload, ``app.files.figures``): the duration and page
count the player sends are ignored. Progress is paced by the server's clock: newly watched
seconds may not exceed what plays at twice the normal speed since the attempt's last report
(with a few seconds in hand at the start, and at most a minute of idle time carried over), and
pages count at most one per 2 seconds (three in hand for a reader who stayed on a page); pages
sent too early are counted when the player sends them again.

**Time on content.** The player sends a heartbeat (``heartbeat``) every 15 seconds while the
module is in view; the server adds the time since the attempt's last heartbeat, at most 20
seconds, so a page left in the background (no heartbeats) or a burst of them adds nothing. A
module has a minimum time (``minimum_seconds``); a completion measured before it is reached is
kept as done and waiting (``waiting_for_time``), and the module completes once the time is
reached, at the next heartbeat or reading of its state.

Attempts are the platform's records: made and changed here only, with the platform's
context, after checking that the caller is the officer they belong to.
"""

from __future__ import annotations

import json
import re

from app.errors import NotFound, PermissionDenied, ValidationError
from app.model import lifecycle
from doctypes.learning import certificates
from doctypes.organisation import officers

from . import catalogue

COLLECTION = "module_attempt"
MEDIA = re.compile(r"\.(mp4|m4v|webm|ogv|ogg|mov)(\?|#|$)", re.I)
MAX_CMI_BYTES = 256 * 1024  # SCORM 2004 allows 64,000 characters of suspend_data, and more besides
MAX_STRETCHES = 2000
TOKEN_AGE = 12 * 3600  # a player page stays usable for a working day
IN_PROGRESS, COMPLETED, FAILED, SELF_REPORTED = "In Progress", "Completed", "Failed", "Self-reported"
HEARTBEAT_SECONDS = 15  # how often the player beats while the module is in view
HEARTBEAT_SLACK = 5  # a beat that is late by this much still counts in full
PLAYBACK_CAP = 2.0  # the fastest a video is counted as watched (the player allows no faster)
START_SLACK = 5.0  # seconds of video in hand when an attempt starts
IDLE_CARRIED = 60.0  # at most this much time without reports counts towards the next one
PAGE_SECONDS = 2.0  # at most one new page of a PDF per this many seconds
PAGES_IN_HAND = 3  # pages a reader may turn at once after staying on one
MAX_VIDEO_SECONDS = 24 * 3600


def how(row: dict) -> str:
    """How the module's completion is measured: scorm, video, pdf, text or self (reported)."""
    kind = row.get("kind")
    if kind == "SCORM Package":
        return "scorm"
    if kind == "Video File" or (kind == "Video Link" and MEDIA.search(row.get("url") or "")):
        return "video"
    if kind == "PDF":
        return "pdf"
    if kind == "Lesson Text":
        return "text"
    return "self"


def measured(row: dict) -> bool:
    return how(row) != "self" or bool(row.get("required_assessment"))


def _officer(ctx) -> dict:
    return officers.require_own_officer(ctx, "take modules")


def _module(ctx, name: str) -> dict:
    row = ctx.site.unguarded("content_module").find_one({"_id": name, "workflow_state": catalogue.PUBLISHED})
    if row is None:
        raise NotFound(f"Content Module {name!r} is not in the catalogue", doctype="Content Module", name=name)
    return row


def parts(ctx, row: dict) -> list[dict]:
    """A SCORM module's parts (its manifest's items that launch something), each with whether
    it is a SCO; one part for the launch file of a package described before parts were kept."""
    from app import files

    described = ((files.info(ctx.site, row.get("attachment")) or {}).get("metadata") or {}).get("scorm") or {}
    found = described.get("scos") or []
    if found:
        return found
    return [
        {"identifier": "", "title": row.get("package_title") or row.get("title"), "launch": row.get("launch_file"), "sco": True}
    ]


def _retire_revoked(ctx, officer: str, module: str) -> None:
    """After the certificate of a module was revoked, the attempts that earned it (completed
    before the revocation) end (marked
    with it, their part renamed so that the part's key is free): the officer takes the module
    again in new attempts, and the old ones stay for the record."""
    revoked = list(
        ctx.site.unguarded("certificate").find(
            {"officer": officer, "content_module": module, "status": "Revoked"}, {"modified": 1}
        )
    )
    if not revoked:
        return
    last = max(revoked, key=lambda c: c.get("modified") or ctx.now())
    for attempt in ctx.site.unguarded(COLLECTION).find(
        {"officer": officer, "module": module, "revoked_certificate": None, "completed_at": {"$lte": last.get("modified")}}
    ):
        ended = f"{attempt.get('sco') or ''}|revoked:{last['_id']}:{attempt['_id']}"
        _save(ctx, attempt, {"revoked_certificate": last["_id"], "sco": ended})


def _live(officer: str, module: str) -> dict:
    """The query of the officer's attempts at a module that count (not ended by a revocation)."""
    return {"officer": officer, "module": module, "revoked_certificate": None}


def _attempt(ctx, officer: dict, row: dict, sco: dict | None = None) -> dict:
    """The officer's attempt at the module (or one part of it), made on first use."""
    from app.errors import DuplicateEntry

    _retire_revoked(ctx, officer["_id"], row["_id"])
    key = {"officer": officer["_id"], "module": row["_id"], "sco": (sco or {}).get("identifier") or ""}
    found = ctx.site.unguarded(COLLECTION).find_one(key)
    if found:
        return found
    now = ctx.now()
    try:
        doc = lifecycle.insert(
            ctx.as_system(),
            "Module Attempt",
            {
                **key,
                "module_title": row.get("title"),
                "kind": row.get("kind"),
                "officer_name": officer.get("full_name"),
                "officer_email": ctx.user,
                "mdo": ctx.site.unguarded("officer").find_one({"_id": officer["_id"]}, {"mdo": 1}).get("mdo"),
                "sco_title": (sco or {}).get("title") or None,
                "scorm_version": row.get("package_version") if sco is not None else None,
                "status": IN_PROGRESS,
                "progress": 0.0,
                "commits": 0,
                "started_at": now,
                "last_active_at": now,
            },
        )
        return ctx.site.unguarded(COLLECTION).find_one({"_id": doc.name})
    except (DuplicateEntry, ValidationError):  # opened at the same moment in another tab
        found = ctx.site.unguarded(COLLECTION).find_one(key)
        if found is None:
            raise
        return found


def _own(ctx, attempt: str) -> dict:
    row = ctx.site.unguarded(COLLECTION).find_one({"_id": attempt})
    if row is None or row.get("officer_email") != ctx.user:
        raise NotFound(f"Module Attempt {attempt!r} not found", doctype="Module Attempt", name=attempt)
    return row


def _save(ctx, attempt: dict, changes: dict) -> dict:
    """Write an attempt's measured state (as the platform), keeping a completion once made."""
    if attempt.get("status") == COMPLETED:
        changes.pop("status", None)
        changes.pop("completed_at", None)
    elif changes.get("status") == COMPLETED:
        changes["completed_at"] = ctx.now()
    changes["last_active_at"] = ctx.now()
    meta = ctx.registry.get("Module Attempt")
    from app.model import persistence

    # the write that completes it marks the module's completion due (``ModuleAttempt.on_complete``)
    due = ("on_complete",) if changes.get("status") == COMPLETED else ()
    lifecycle.move(ctx.as_system(), meta, persistence.from_db(attempt), changes, due=due)
    return ctx.site.unguarded(COLLECTION).find_one({"_id": attempt["_id"]})


# SCORM ------------------------------------------------------------------------------------------


def flatten(value, prefix: str = "") -> dict[str, str]:
    """``{"cmi": {"core": {"lesson_status": "passed"}}}`` -> ``{"cmi.core.lesson_status": "passed"}``
    (lists by index, as the CMI data model names them)."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}"))
    elif value is not None and prefix:
        out[prefix] = value if isinstance(value, str) else json.dumps(value) if isinstance(value, bool) else str(value)
    return out


WRITE_ONLY = ("cmi.core.session_time", "cmi.core.exit", "cmi.session_time", "cmi.exit")
SKIP = re.compile(r"(^|\.)_(children|count|version)$")
NUMBERS = re.compile(r"\.score\.(raw|min|max|scaled)$|\.progress_measure$|\.scaled_passing_score$")


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # not NaN


def reported(version: str, cmi: dict[str, str]) -> dict:
    """What a package's CMI data says: completion, success, score (%), status."""
    if (version or "").startswith("SCORM 1.2") or "cmi.core.lesson_status" in cmi:
        lesson = (cmi.get("cmi.core.lesson_status") or "").strip().lower()
        raw, top = _number(cmi.get("cmi.core.score.raw")), _number(cmi.get("cmi.core.score.max"))
        score = raw if raw is None or not top else round(100 * raw / top, 2)
        status = COMPLETED if lesson in ("completed", "passed") else FAILED if lesson == "failed" else IN_PROGRESS
        success = lesson if lesson in ("passed", "failed") else "unknown"
        return {"completion_status": lesson or "not attempted", "success_status": success, "score": score, "status": status}
    completion = (cmi.get("cmi.completion_status") or "").strip().lower()
    success = (cmi.get("cmi.success_status") or "").strip().lower()
    scaled = _number(cmi.get("cmi.score.scaled"))
    raw, top = _number(cmi.get("cmi.score.raw")), _number(cmi.get("cmi.score.max"))
    score = round(100 * scaled, 2) if scaled is not None else (round(100 * raw / top, 2) if raw is not None and top else raw)
    if success == "failed":
        status = FAILED
    elif completion == "completed" or success == "passed":
        status = COMPLETED
    else:
        status = IN_PROGRESS
    return {
        "completion_status": completion or "unknown",
        "success_status": success or "unknown",
        "score": score,
        "status": status,
    }


def seed(attempt: dict, officer: dict) -> dict[str, str]:
    """The CMI data a package finds when it starts: what it committed before (less what is
    write-only), the learner, and entry ``resume`` after a suspended session."""
    stored = attempt.get("cmi") or {}
    flat = {k: v for k, v in stored.items() if k not in WRITE_ONLY and not SKIP.search(k)}
    name = officer.get("full_name") or ""
    if (attempt.get("scorm_version") or "").startswith("SCORM 1.2"):
        flat["cmi.core.student_id"] = officer["_id"]
        flat["cmi.core.student_name"] = _last_first(name)
        flat["cmi.core.entry"] = "resume" if stored.get("cmi.core.exit") == "suspend" else ("" if stored else "ab-initio")
        flat.setdefault("cmi.core.lesson_status", "not attempted")
    else:
        flat["cmi.learner_id"] = officer["_id"]
        flat["cmi.learner_name"] = name
        flat["cmi.entry"] = "resume" if stored.get("cmi.exit") == "suspend" else ("" if stored else "ab-initio")
    return flat


def _last_first(name: str) -> str:
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def content_origin(site, origin: str) -> str | None:
    """Where packages are served for a page at ``origin``: ``IGOT_CONTENT_URL``; else, on a
    loopback name, the other one (another origin for the same server); else None: a package
    must never run in the portal's own origin, where its scripts could use the learner's
    session, so without a content address of its own it is not played."""
    from urllib.parse import urlsplit

    if site.config.content_url:
        return site.config.content_url
    url = urlsplit(origin)
    other = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}.get(url.hostname or "")
    if other:
        return f"{url.scheme}://{other}" + (f":{url.port}" if url.port else "")
    return None


class NoContentOrigin(ValidationError):
    """SCORM packages cannot be played: the installation has no content address."""


def _content(site, origin: str) -> str:
    content = content_origin(site, origin)
    if content is None or content == origin:
        raise NoContentOrigin(
            "SCORM packages cannot be played here yet: they need a web address of their own, apart from the "
            "portal's. Ask the administrator to set IGOT_CONTENT_URL (see the README).",
            errors={"content_url": ["not set"]},
        )
    return content


def play(ctx, name: str, sco: str | None = None, *, origin: str) -> dict:
    """Open a SCORM module (or one of its parts) for the signed-in officer on a page at
    ``origin``: the part, its attempt and the CMI data to resume from, and the signed address
    of the launcher that plays it (at the content origin)."""
    officer = _officer(ctx)
    row = _module(ctx, name)
    if how(row) != "scorm":
        raise ValidationError.for_fields("Content Module", name, {"kind": ["is not a SCORM package."]})
    found = parts(ctx, row)
    part = next((p for p in found if p["identifier"] == sco), None) if sco else None
    if part is None:
        done = {
            a.get("sco"): a.get("status")
            for a in ctx.site.unguarded(COLLECTION).find({"officer": officer["_id"], "module": name})
        }
        part = next((p for p in found if p["sco"] and done.get(p["identifier"]) != COMPLETED), found[0])
    content = _content(ctx.site, origin)
    attempt = _attempt(ctx, officer, row, part)
    token = _signer(ctx.site).dumps({"a": attempt["_id"], "o": origin})
    return {
        "module": name,
        "part": part,
        "parts": found,
        "attempt": attempt["_id"],
        "version": version(row),
        "cmi": seed(attempt, officer),
        "src": f"{content}/scorm/{token}/",
        "content_origin": content,
        "status": attempt.get("status"),
    }


def version(row: dict) -> str:
    """The run-time a module's package talks to: "1.2" or "2004"."""
    return "1.2" if (row.get("package_version") or "").startswith("SCORM 1.2") else "2004"


def preview(ctx, row: dict, *, origin: str) -> dict | None:
    """A package's launcher address for a preview (a reviewer's, say): the same run-time, with
    nothing recorded. Only for a caller who reads the module (``row`` was read as them). None
    when packages cannot be played here (no content address)."""
    try:
        content = _content(ctx.site, origin)
    except NoContentOrigin:
        return None
    token = _signer(ctx.site).dumps({"p": row["_id"], "o": origin})
    return {"src": f"{content}/scorm/{token}/", "content_origin": content}


def _signer(site):
    import itsdangerous

    from app import keys

    return itsdangerous.URLSafeTimedSerializer(keys.site_secret(site), salt="igot-scorm-package")


def package_for(site, token: str) -> tuple[dict | None, dict, str]:
    """The attempt (None for a preview) and module a signed package address stands for, and
    the origin of the page that plays it; NotFound if it is forged or expired (a day old)."""
    import itsdangerous

    try:
        payload = _signer(site).loads(token, max_age=TOKEN_AGE)
    except itsdangerous.BadData:
        raise NotFound("This address of a package has expired or is not valid; open the module again") from None
    if payload.get("p"):  # a preview: no attempt
        attempt = None
        row = site.unguarded("content_module").find_one({"_id": payload["p"]})
    else:
        attempt = site.unguarded(COLLECTION).find_one({"_id": payload.get("a")})
        row = site.unguarded("content_module").find_one({"_id": attempt["module"]}) if attempt else None
    if (attempt is None and not payload.get("p")) or row is None or not row.get("attachment"):
        raise NotFound("This module is no longer available")
    return attempt, row, str(payload.get("o") or "")


def launch(site, attempt: dict | None, row: dict) -> str:
    """The launch address (relative to the package's root) of the part an attempt plays, or of
    the package's first part for a preview."""
    found = parts(site.context(), row)
    if attempt is None:
        return found[0]["launch"]
    part = next((p for p in found if p["identifier"] == (attempt.get("sco") or "")), None)
    if part is None:
        raise NotFound("This part of the module is no longer in its package; open the module again")
    return part["launch"]


def commit_by_token(site, token: str, cmi) -> dict:
    """A commit from the launcher at the content origin, which holds no session: the signed
    address names the attempt and so the officer. A preview's commits record nothing."""
    from app import auth

    attempt, row, _portal = package_for(site, token)
    if attempt is None:
        return {"result": True, "errorCode": 0}
    as_officer = auth.context_for(site, attempt["officer_email"])
    answer = commit(as_officer, attempt["_id"], cmi)
    return {"result": answer["result"], "errorCode": answer["errorCode"]}  # the package learns nothing more


def commit(ctx, attempt_name: str, cmi) -> dict:
    """The package committed its CMI data (a commit or its end): kept, read, and, when it
    completes the part, the module settled."""
    attempt = _own(ctx, attempt_name)
    if not isinstance(cmi, dict):
        raise ValidationError.for_fields("Module Attempt", attempt_name, {"cmi": ["must be the CMI data model as an object."]})
    flat = flatten(cmi.get("cmi", cmi) if isinstance(cmi.get("cmi"), dict) else cmi, "cmi")
    size = len(json.dumps(flat))
    if size > MAX_CMI_BYTES:
        raise ValidationError.for_fields(
            "Module Attempt", attempt_name, {"cmi": [f"is {size:,} bytes; at most {MAX_CMI_BYTES:,} are kept."]}
        )
    wrong = {k: v for k, v in flat.items() if NUMBERS.search(k) and v != "" and _number(v) is None}
    if wrong:
        key = sorted(wrong)[0]
        raise ValidationError.for_fields(
            "Module Attempt", attempt_name, {"cmi": [f"{key} must be a number; {str(wrong[key])[:40]!r} is not one."]}
        )
    merged = {**(attempt.get("cmi") or {}), **{k: v for k, v in flat.items() if not SKIP.search(k)}}
    said = reported(attempt.get("scorm_version") or "", merged)
    attempt = _save(
        ctx,
        attempt,
        {
            "cmi": merged,
            "commits": (attempt.get("commits") or 0) + 1,
            "progress": 100.0 if said["status"] == COMPLETED else attempt.get("progress") or 0.0,
            **said,
        },
    )
    return {"result": True, "errorCode": 0, **state(ctx, attempt["module"])}


# video, PDF, lesson text ------------------------------------------------------------------------


def _stretches(value, duration: float) -> list[list[float]]:
    if not isinstance(value, list) or len(value) > MAX_STRETCHES:
        raise ValidationError(
            f"watched: a list of at most {MAX_STRETCHES} [start, end] pairs of seconds", errors={"watched": ["not valid"]}
        )
    out = []
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ValidationError("watched: each stretch is [start, end] in seconds", errors={"watched": ["not valid"]})
        a, b = _number(pair[0]), _number(pair[1])
        if a is None or b is None or abs(a) == float("inf") or abs(b) == float("inf"):
            raise ValidationError("watched: each stretch is [start, end] in seconds", errors={"watched": ["not valid"]})
        a, b = max(0.0, min(a, duration)), max(0.0, min(b, duration))
        if b > a:
            out.append([a, b])
    return out


def merge(stretches: list[list[float]]) -> list[list[float]]:
    """Stretches of seconds, overlapping ones joined."""
    out: list[list[float]] = []
    for a, b in sorted(stretches):
        if out and a <= out[-1][1] + 0.5:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def reading_seconds(row: dict) -> float:
    """How long a lesson text must have been open before reaching its end reads it: its words
    at 300 a minute, at least 3 seconds and at most 10 minutes."""
    words = len((row.get("lesson_text") or "").split())
    return max(3.0, min(600.0, words * 60 / 300))


def _given(name: str, data: dict, field: str, *, what: str, low: float = 0.0, high: float = float("inf")) -> float | None:
    """A number the player sent in ``field`` (None when it sent none); a 400 naming the field
    when it is not a finite number within its bounds (``1e400`` reads as infinity)."""
    import math

    value = data.get(field)
    if value is None:
        return None
    number = _number(value) if not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not low <= number <= high:
        raise ValidationError.for_fields("Content Module", name, {field: [f"must be {what}."]})
    return number


def _seconds(moment) -> float:
    """A moment (as stored: naive UTC) in seconds, to do sums with."""
    import datetime as dt

    return (moment.replace(tzinfo=None) - dt.datetime(1970, 1, 1)).total_seconds()


def _figure(ctx, row: dict, key: str) -> float:
    """The server's figure for the module's file (``pages`` or ``duration``); a 400 saying
    why when it cannot be read (the module's owner must upload the file again)."""
    from app import files

    try:
        return files.figures(ctx.site, row.get("attachment"))[key]
    except ValueError as exc:
        what = "pages" if key == "pages" else "length"
        raise ValidationError.for_fields(
            "Content Module",
            row["_id"],
            {"attachment": [f"the {what} of this module's file cannot be read ({exc}); its owner must upload it again."]},
        ) from None


def _paced(ctx, attempt: dict, before: dict, slack: float) -> tuple[float, float]:
    """(now, the moment up to which the attempt's credit of time is spent), both in seconds:
    credit starts ``slack`` seconds before the attempt did, and time without reports carries
    over for at most ``IDLE_CARRIED`` seconds."""
    now = _seconds(ctx.now())
    spent_to = _number(before.get("paced_to"))
    if spent_to is None:
        spent_to = _seconds(attempt.get("started_at") or ctx.now()) - slack
    return now, max(spent_to, now - IDLE_CARRIED)


def _watched(stretches) -> float:
    return sum(b - a for a, b in stretches)


def record(ctx, name: str, data: dict) -> dict:
    """What the player measured in a video, PDF or lesson text (``data``): kept with what was
    measured before, checked against what the server knows (the file's length or pages) and
    its clock, and the module settled when it is enough."""
    officer = _officer(ctx)
    row = _module(ctx, name)
    kind = how(row)
    if kind not in ("video", "pdf", "text"):
        raise ValidationError.for_fields(
            "Content Module", name, {"kind": [f"a {row.get('kind')} module's progress is not measured by the player."]}
        )
    if not isinstance(data, dict):
        raise ValidationError("send the progress as a JSON object", errors={"module": ["not an object"]})
    attempt = _attempt(ctx, officer, row)
    before = attempt.get("measure") or {}
    if kind == "video":
        told = _given(name, data, "duration", what="the video's length in seconds", low=0.001, high=MAX_VIDEO_SECONDS)
        position = _given(name, data, "position", what="a position in the video in seconds", high=MAX_VIDEO_SECONDS)
        if row.get("kind") == "Video File":
            duration = _figure(ctx, row, "duration")  # the server's: what the browser says is ignored
        else:  # a link the server does not fetch: the length first reported, kept
            duration = _number(before.get("duration")) or told
            if not duration:
                raise ValidationError.for_fields("Content Module", name, {"duration": ["must be the video's length in seconds."]})
        earlier = merge(_stretches(before.get("watched") or [], duration))
        watched = merge(earlier + _stretches(data.get("watched") or [], duration))
        new = _watched(watched) - _watched(earlier)
        now, spent_to = _paced(ctx, attempt, before, START_SLACK / PLAYBACK_CAP)
        if new > PLAYBACK_CAP * (now - spent_to) + 0.5:
            raise ValidationError.for_fields(
                "Content Module",
                name,
                {
                    "watched": [
                        f"reports {new:.0f} seconds newly watched, more than the video can play since the last report "
                        f"(at most {PLAYBACK_CAP:g} times as fast as the clock); nothing was recorded."
                    ]
                },
            )
        share = round(min(100.0, 100 * _watched(watched) / duration), 1)
        measure = {
            "duration": duration,
            "watched": watched,
            "position": position if position is not None else before.get("position"),
            "paced_to": spent_to + new / PLAYBACK_CAP,
        }
        needed = row.get("completion_share") or 90
        status = COMPLETED if share >= needed else IN_PROGRESS
        progress = share
    elif kind == "pdf":
        pages = int(_figure(ctx, row, "pages"))  # the server's: the count the browser sends is ignored
        _given(name, data, "pages", what="the PDF's number of pages", low=1, high=10000)
        page = _given(name, data, "page", what="a page number", low=1, high=10000)
        seen_now = data.get("seen") or []
        if not isinstance(seen_now, list) or len(seen_now) > 10000:
            raise ValidationError.for_fields("Content Module", name, {"seen": ["must be a list of page numbers."]})
        told = set()
        for p in seen_now:
            number = _given(name, {"seen": p}, "seen", what="a list of page numbers", low=-1e9, high=1e9)
            if number is None:
                raise ValidationError.for_fields("Content Module", name, {"seen": ["must be a list of page numbers."]})
            told.add(int(number))
        earlier = {int(p) for p in before.get("seen") or [] if _number(p) and 1 <= int(_number(p)) <= pages}
        fresh = sorted(n for n in told if 1 <= n <= pages and n not in earlier)
        now, spent_to = _paced(ctx, attempt, before, PAGE_SECONDS)
        spent_to = max(spent_to, now - PAGE_SECONDS * PAGES_IN_HAND)
        counted = fresh[: max(0, int((now - spent_to) // PAGE_SECONDS))]  # no faster than pages are turned
        seen = sorted(earlier | set(counted))
        measure = {
            "pages": pages,
            "seen": seen,
            "page": int(page) if page else before.get("page"),
            "paced_to": spent_to + PAGE_SECONDS * len(counted),
        }
        if len(counted) < len(fresh):  # the rest count when sent again
            measure["wait"] = max(1, int(measure["paced_to"] + PAGE_SECONDS - now + 0.999))
        progress = round(100 * len(seen) / pages, 1)
        status = COMPLETED if len(seen) == pages else IN_PROGRESS
    else:
        share = _given(name, data, "share", what="a share of the text in per cent", high=100.0)
        share = share if share is not None else 0.0
        ended = bool(before.get("read_to_end"))
        measure = {"read_to_end": ended, "share": max(share, _number(before.get("share")) or 0.0)}
        if data.get("read_to_end") and not ended:  # its end reached: read, if it was open long enough to read
            spent = (ctx.now() - attempt["started_at"]).total_seconds()
            needed = reading_seconds(row)
            if spent >= needed:
                measure["read_to_end"] = ended = True
            else:
                measure["wait"] = int(needed - spent) + 1
        progress = 100.0 if ended else min(measure["share"], 99.0)  # 100 only once it counts as read
        status = COMPLETED if ended else IN_PROGRESS
    _save(ctx, attempt, {"measure": measure, "progress": progress, "status": status})
    return progress_state(ctx, name)


# time on content ---------------------------------------------------------------------------------


def minimum_seconds(ctx, row: dict) -> float:
    """How long the module must have been open and in view before it completes: its minimum
    time as set (``minimum_minutes``; 0 for none); else half its stated duration; else, for a
    video file, half the video's length; else none."""
    set_by_creator = _number(row.get("minimum_minutes"))
    if set_by_creator is not None:
        return max(0.0, set_by_creator * 60)
    stated = _number(row.get("duration_minutes"))
    if stated:
        return max(0.0, stated * 30)
    if row.get("kind") == "Video File" and row.get("attachment"):
        from app import files

        try:
            return files.figures(ctx.site, row["attachment"])["duration"] / 2
        except ValueError:
            return 0.0
    return 0.0


def time_reached(ctx, row: dict, attempts) -> bool:
    """Whether the officer's attempts at the module add up to its minimum time."""
    return sum(a.get("time_spent") or 0 for a in attempts) >= minimum_seconds(ctx, row)


def _current_attempt(ctx, officer: dict, row: dict) -> dict | None:
    """The attempt a heartbeat counts for: the one last active (a SCORM package's part being
    played); for another kind, made on first use."""
    _retire_revoked(ctx, officer["_id"], row["_id"])
    found = list(ctx.site.unguarded(COLLECTION).find(_live(officer["_id"], row["_id"])))
    if found:  # a module's attempts are few: one, or one per part
        return max(found, key=lambda a: a.get("last_active_at") or a.get("started_at"))
    return None if how(row) == "scorm" else _attempt(ctx, officer, row)


def heartbeat(ctx, name: str) -> dict:
    """The module is open and in view in the officer's player: the time since the attempt's last
    heartbeat is added to its time on content, at most ``HEARTBEAT_SECONDS`` and
    ``HEARTBEAT_SLACK`` (the server's clock, not the browser's, measures it)."""
    officer = _officer(ctx)
    row = _module(ctx, name)
    if how(row) == "self":
        raise ValidationError.for_fields(
            "Content Module", name, {"kind": [f"the time on a {row.get('kind')} module is not measured by the player."]}
        )
    attempt = _current_attempt(ctx, officer, row)
    if attempt is not None:
        now = ctx.now()
        last = attempt.get("last_heartbeat_at")
        gap = (now - last).total_seconds() if last else 0.0
        added = max(0.0, min(gap, HEARTBEAT_SECONDS + HEARTBEAT_SLACK))  # to the millisecond: no rounding up
        _save(ctx, attempt, {"time_spent": (attempt.get("time_spent") or 0) + added, "last_heartbeat_at": now})
    return progress_state(ctx, name)


def progress_state(ctx, name: str) -> dict:
    """``state`` settled, with the time on content (``time``: spent, minimum and remaining,
    in seconds) and each attempt marked as waiting for the minimum time or not."""
    result = state(ctx, name)
    row = ctx.site.unguarded("content_module").find_one({"_id": name}) or {}
    officer = _officer(ctx)
    attempts = list(ctx.site.unguarded(COLLECTION).find(_live(officer["_id"], name)))
    spent = sum(a.get("time_spent") or 0 for a in attempts)
    minimum = minimum_seconds(ctx, row)
    remaining = max(0, int(-(-(minimum - spent) // 1)))  # whole seconds, rounded up
    for attempt in attempts:
        waiting = attempt.get("status") == COMPLETED and not result["complete"] and remaining > 0
        if bool(attempt.get("waiting_for_time")) != waiting:
            _save(ctx, attempt, {"waiting_for_time": waiting})
    result["time"] = {
        "spent": int(spent),
        "minimum": int(round(minimum)),
        "remaining": remaining,
        "waiting": result["done"] and remaining > 0,
        "reading_left": reading_left(ctx, row, attempts) if how(row) == "text" and not result["complete"] else 0,
    }
    return result


def reading_left(ctx, row: dict, attempts) -> int:
    """Whole seconds before a lesson text counts as read: the time it takes to read
    (``reading_seconds``) counted from when the officer first opened it, so that it runs on
    across visits, or the module's minimum time on content if that is longer. What the
    player shows the learner, so that reaching the end early is not a silent 100 per cent."""
    attempt = next((a for a in attempts if not a.get("sco")), None)
    opened = attempt.get("started_at") if attempt else None
    if attempt and (attempt.get("measure") or {}).get("read_to_end"):
        reading = 0.0
    else:
        reading = reading_seconds(row) - ((ctx.now() - opened).total_seconds() if opened else 0.0)
    on_content = minimum_seconds(ctx, row) - sum(a.get("time_spent") or 0 for a in attempts)
    return max(0, int(-(-max(reading, on_content) // 1)))


def self_report(ctx, name: str) -> dict:
    """The officer says they completed a module the platform cannot measure (an external
    link): kept as self-reported, and its competencies enter the passbook Pending, for the
    MDO to verify. Refused for a module whose completion is measured."""
    officer = _officer(ctx)
    row = _module(ctx, name)
    if measured(row):
        why = (
            f"passing the assessment {row.get('required_assessment')} completes it"
            if how(row) == "self"
            else f"a {row.get('kind')} module is completed by working through it in the portal, where the player measures it"
        )
        raise ValidationError.for_fields("Content Module", name, {"kind": [f"cannot be marked complete by hand: {why}."]})
    attempt = _attempt(ctx, officer, row)
    if attempt.get("status") != SELF_REPORTED:
        _save(ctx, attempt, {"status": SELF_REPORTED, "progress": 100.0})
        today = ctx.now().date().isoformat()
        from app.errors import DuplicateEntry

        for c in row.get("competencies") or []:
            key = f"{officer['_id']}|reported:{name}|{c['competency']}"
            if ctx.site.unguarded("passbook_entry").find_one({"issue_key": key}, {"_id": 1}):
                continue
            try:
                lifecycle.insert(
                    ctx.as_system(),
                    "Passbook Entry",
                    {
                        "officer": officer["_id"],
                        "competency": c["competency"],
                        "level": int(c["level"]),
                        "source": "External Training",
                        "course": name,
                        "evidence": f"Reported completing {row.get('title')} ({row.get('url') or name})",
                        "acquired_on": today,
                        "issue_key": key,
                    },
                )
            except (DuplicateEntry, ValidationError) as exc:
                if "issue_key" not in exc.errors:
                    raise
    return state(ctx, name)


# the module as a whole ---------------------------------------------------------------------------


def _assessment_passed(ctx, officer: str, assessment: str) -> bool:
    return bool(
        ctx.site.unguarded("assessment_attempt").find_one(
            {"officer": officer, "assessment": assessment, "passed": True}, {"_id": 1}
        )
    )


def state(ctx, name: str, *, settle: bool = True, finish: bool = False) -> dict:
    """The signed-in officer's progress in a module: each part and its state, what remains,
    and the certificate once complete (the module is completed here when everything is done).
    ``finish``: complete it even though its certificate exists, as the follow-up of a
    completion does, so that one cut off after its certificate gets the rest (each step of
    ``certificates.complete_module`` is made once)."""
    officer = _officer(ctx)
    row = ctx.site.unguarded("content_module").find_one({"_id": name})
    if row is None:
        raise NotFound(f"Content Module {name!r} not found", doctype="Content Module", name=name)
    _retire_revoked(ctx, officer["_id"], name)
    mine = {a.get("sco") or "": a for a in ctx.site.unguarded(COLLECTION).find(_live(officer["_id"], name))}
    kind = how(row)
    if kind == "scorm":
        rows = [
            {
                "part": p["identifier"],
                "title": p.get("title"),
                "counts": bool(p.get("sco")),
                "status": (mine.get(p["identifier"]) or {}).get("status") or "Not Started",
                "score": (mine.get(p["identifier"]) or {}).get("score"),
            }
            for p in parts(ctx, row)
        ]
        done = all(r["status"] == COMPLETED for r in rows if r["counts"])
        progress = round(
            100 * sum(r["status"] == COMPLETED for r in rows if r["counts"]) / max(1, sum(r["counts"] for r in rows)), 1
        )
    else:
        mine_one = mine.get("") or {}
        rows = []
        done = mine_one.get("status") == COMPLETED
        progress = mine_one.get("progress") or 0.0
    assessment = row.get("required_assessment")
    assessed = _assessment_passed(ctx, officer["_id"], assessment) if assessment else True
    cert = ctx.site.unguarded("certificate").find_one({"issue_key": f"module:{officer['_id']}:{name}"}, {"code": 1})
    unfinished = cert is None or finish
    if (
        settle
        and unfinished
        and kind != "self"
        and done
        and assessed
        and row.get("workflow_state") == catalogue.PUBLISHED
        and time_reached(ctx, row, mine.values())
    ):
        made = certificates.complete_module(ctx, officer["_id"], name)
        cert = {"_id": made.name, "code": made.code}
    reported_self = (mine.get("") or {}).get("status") == SELF_REPORTED
    return {
        "module": name,
        "measured_by": kind,
        "parts": rows,
        "progress": progress,
        "done": done,
        "required_assessment": assessment,
        "assessment_passed": assessed,
        "self_reported": reported_self,
        "complete": cert is not None,
        "certificate": cert["_id"] if cert else None,
        "certificate_code": cert.get("code") if cert else None,
        "measure": (mine.get("") or {}).get("measure") or {},
    }


def after_assessment_pass(doc) -> None:
    """A passed assessment (an Assessment Attempt's ``on_pass``) may finish the modules that
    require it. Part of the pass's follow-up: run again after a crash, and then it finishes a
    module's completion cut off after its certificate too."""
    ctx, data = doc.ctx, doc.as_dict()
    if not data.get("passed"):
        return
    assessment = data.get("assessment")
    officer = data.get("officer")
    email = (ctx.site.unguarded("officer").find_one({"_id": officer}, {"email": 1}) or {}).get("email")
    if not email:
        return
    from app import auth

    try:
        as_officer = auth.context_for(ctx.site, email)
    except auth.Unauthenticated:
        return  # their account is disabled: nothing is completed for them
    for row in ctx.site.unguarded("content_module").find(
        {"required_assessment": assessment, "workflow_state": catalogue.PUBLISHED}, {"_id": 1}
    ):
        try:
            state(as_officer, row["_id"], finish=True)
        except (NotFound, PermissionDenied, ValidationError):
            continue


def started_modules(ctx, limit: int = 20) -> list[dict]:
    """The modules the signed-in officer has started and not completed, last opened first,
    with their progress."""
    officer = _officer(ctx)
    rows = ctx.site.unguarded(COLLECTION).find(
        {"officer": officer["_id"], "revoked_certificate": None}, {"module": 1, "module_title": 1, "status": 1}
    )
    rows = rows.sort("last_active_at", -1).limit(500)
    names: dict[str, str] = {}
    for r in rows:
        names.setdefault(r["module"], r.get("module_title"))
    certified = {
        c.get("content_module")
        for c in ctx.site.unguarded("certificate").find(
            {"officer": officer["_id"], "content_module": {"$in": list(names)}, "status": {"$ne": "Revoked"}},
            {"content_module": 1},
        )
    }
    out = []
    for name, title in names.items():
        if name in certified or len(out) >= limit:
            continue
        now = state(ctx, name, settle=False)
        if not now["self_reported"]:
            out.append({"module": name, "title": title, "progress": now["progress"]})
    return out
