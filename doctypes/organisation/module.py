"""Organisation: officers, their services and postings, and the MDO dashboard's rollup of
officers onboarded, enrolments and certificates (``activity``)."""

from __future__ import annotations

from app.registry import Attention, Figure, Module, SetupStep

from . import figures

MODULE = Module(
    name="Organisation",
    figures=(
        Figure(
            figures.monthly("chart-onboarded", "Officers onboarded per month", "Officer", "officers"),
            "Officers appear here as they are onboarded: load the staff list.",
            "import/?doctype=Officer",
        ),
        Figure(figures.officers_by, "Officers appear here as they are onboarded.", "import/?doctype=Officer"),
    ),
    attention=(Attention("Officers onboarded without a position", "Officer", (("position", "is", "not set"),), ("write",)),),
    setup_steps=(
        SetupStep(
            30,
            "Load the staff",
            "Officers are onboarded from a spreadsheet (Data Import), or one by one.",
            "Officer",
            (),
            "import/?doctype=Officer",
        ),
    ),
)
