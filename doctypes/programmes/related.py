"""Beside an officer's record: their enrolments; beside a course: its offerings and enrolments."""

from __future__ import annotations

from app import related


def officer_enrolments(ctx, officer: dict) -> dict | None:
    return related.records(ctx, "Enrolments", "Enrolment", {"officer": officer["name"]}, order_by="modified desc")


def course_offerings(ctx, course: dict) -> dict | None:
    return related.records(ctx, "Offerings", "Course Offering", {"course": course["name"]}, order_by="starts_on desc")


def course_enrolments(ctx, course: dict) -> dict | None:
    return related.records(
        ctx,
        "Enrolments",
        "Enrolment",
        {"course": course["name"]},
        order_by="modified desc",
        text=lambda r: r.get("officer_name") or r.get("officer_email") or r["name"],
    )
