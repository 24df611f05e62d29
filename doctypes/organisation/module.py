"""Organisation: officers, their services and postings, and the MDO dashboard's rollup of
officers onboarded, enrolments and certificates (``activity``)."""

from __future__ import annotations

from app.registry import Figure, Module

from . import figures

MODULE = Module(
    name="Organisation",
    figures=(
        Figure(figures.monthly("chart-onboarded", "Officers onboarded per month", "Officer", "officers")),
        Figure(figures.officers_by),
    ),
)
