"""The iGOT programme (the 2019 office memorandum with MITx): programmes with eligibility
rules as data, the course catalogue and offerings, the selection committee, enrolment to
certificate, credits and thresholds, nominations and fee reimbursement."""

from __future__ import annotations

from app.registry import ApiMethod, Figure, Module, Page, Param

from . import api, figures
from .my_courses_page import MyCoursesView

TAG = "Programme"

MODULE = Module(
    name="Programme",
    after=("Organisation", "FRAC and Competencies", "Learning"),
    capabilities=(("see_claim_totals", "see fee claims totalled by MDO, course or month"),),
    methods=(
        ApiMethod(
            "eligibility",
            api.eligibility,
            "Every eligibility rule for an officer and an offering, with pass or fail and why",
            tag=TAG,
            params=(Param("officer", required=True), Param("offering", required=True)),
        ),
        ApiMethod(
            "eligible_courses",
            api.eligible_courses,
            "Offerings open for registration, with the officer's eligibility",
            tag=TAG,
            params=(Param("officer", required=True),),
        ),
        ApiMethod(
            "credits", api.credits, "An officer's credit ledger and balance", tag=TAG, params=(Param("officer", required=True),)
        ),
        ApiMethod(
            "nominees",
            api.nominees,
            "Nominees of a training programme, ranked",
            tag=TAG,
            params=(Param("programme", required=True),),
        ),
        ApiMethod(
            "claim_totals", api.claim_totals, "Fee claims totalled by MDO, course or month", tag=TAG, params=(Param("by"),)
        ),
    ),
    pages=(Page(MyCoursesView, "My Courses", "my_courses", "my-courses", "Programme"),),
    figures=(Figure(figures.enrolments), Figure(figures.claims)),
)
