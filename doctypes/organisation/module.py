"""Organisation: officers, their services and postings, and the MDO dashboard's rollup of
officers onboarded, enrolments and certificates (``activity``)."""

from __future__ import annotations

from app.registry import Attention, Figure, Module, SetupStep

from . import figures, officers

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
        SetupStep(
            10,
            "Load your staff",
            "Upload the staff list (CSV or XLSX): each officer gets a learner account and an invitation.",
            "Officer",
            (),
            "import/?doctype=Officer",
            audience="lead_an_mdo",
        ),
        SetupStep(
            20,
            "Give every officer a position",
            "An officer's position decides their role map and gaps: select officers in the list and choose Set position.",
            "Officer",
            (),
            "officer/",
            audience="lead_an_mdo",
            done=officers.all_placed,
        ),
    ),
)
