"""Each create form is saved once. The form carries a key (``forms.with_form_key``); the
first submission claims it in ``form_submission`` before the record is inserted and notes the
record made, so a second submission of the same form (Back, then Save; a double click; a
second server) finds the record instead of inserting another. A failed insert gives the key
back, so the corrected form can be sent again; a claim left by a process killed mid-way is
taken over after ``STALE_SECONDS``."""

from __future__ import annotations

import datetime as dt

from pymongo.errors import DuplicateKeyError

COLLECTION = "form_submission"
STALE_SECONDS = 60


def _id(ctx, key: str) -> str:
    return f"{ctx.user}|{key[:64]}"


def claim(ctx, doctype: str, key: str) -> dict | None:
    """None when this submission is the first (the key is now claimed); otherwise the earlier
    claim: ``{"name": ...}`` once its record exists, ``{"name": None}`` while it is made."""
    coll = ctx.site.db[COLLECTION]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        coll.insert_one({"_id": _id(ctx, key), "user": ctx.user, "doctype": doctype, "name": None, "created": now})
        return None
    except DuplicateKeyError:
        earlier = coll.find_one({"_id": _id(ctx, key)}) or {}
    if earlier.get("name") is None and earlier.get("created") and (now - earlier["created"]).total_seconds() > STALE_SECONDS:
        taken = coll.update_one({"_id": _id(ctx, key), "name": None, "created": earlier["created"]}, {"$set": {"created": now}})
        if taken.modified_count:
            return None
    return earlier


def made(ctx, key: str, name: str) -> None:
    ctx.site.db[COLLECTION].update_one({"_id": _id(ctx, key)}, {"$set": {"name": name}})


def release(ctx, key: str) -> None:
    ctx.site.db[COLLECTION].delete_one({"_id": _id(ctx, key), "name": None})
