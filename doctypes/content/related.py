"""Beside a content module: the module itself to open (its reviewers take it as officers
will, a SCORM package in its run-time), and its quality reviews."""

from __future__ import annotations

from flask import url_for

from app import related


def module_open(ctx, module: dict) -> dict | None:
    url = url_for("catalogue.module", module_id=module["name"])
    words = "Open the module as officers will see it"
    if module.get("kind") == "SCORM Package":
        words = "Open the SCORM package in its player"
    return {"title": "The module", "items": [{"text": words, "url": url, "note": ""}], "total": 1}


def module_reviews(ctx, module: dict) -> dict | None:
    return related.records(
        ctx,
        "Quality reviews",
        "Content Review",
        {"content_module": module["name"]},
        order_by="modified desc",
        text=lambda r: f"{r.get('result') or 'Not scored'}: {r.get('total_percent') or 0}%",
        note=lambda r: ("Draft", "Submitted", "Cancelled")[r.get("docstatus") or 0],
    )
