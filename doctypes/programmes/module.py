"""The iGOT programme (the 2019 office memorandum with MITx): programmes with eligibility
rules as data, the course catalogue and offerings, the selection committee, enrolment to
certificate, credits and thresholds, nominations and fee reimbursement."""

from __future__ import annotations

from app.i18n import N_
from app.registry import ApiMethod, Attention, Figure, Module, Page, Param, RecordWords, Related, ValueLines

from . import api, figures, programme_rules, related
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
    figures=(
        Figure(figures.enrolments, "Enrolments appear as officers enrol in open programmes.", "course_offering/"),
        Figure(figures.claims, "Claims appear here once approved.", "reimbursement_claim/"),
    ),
    related=(
        Related("Officer", related.officer_enrolments, 40),
        Related("Course", related.course_offerings, 10),
        Related("Course", related.course_enrolments, 20),
    ),
    attention=(
        Attention("Eligibility forms to check", "Enrolment", (("workflow_state", "=", "Form Submitted"),)),
        Attention("Fee claims to verify", "Reimbursement Claim", (("workflow_state", "=", "Submitted"),)),
        Attention("Fee claims to approve", "Reimbursement Claim", (("workflow_state", "=", "Verified"),)),
        Attention("Fee claims to pay", "Reimbursement Claim", (("workflow_state", "=", "Approved"),)),
    ),
    record_words=(
        RecordWords(
            "Reimbursement Claim",
            N_("the fee claim of %(officer_name)s for %(course)s"),
            yours=N_("your fee claim for %(course)s"),
        ),
        RecordWords("Enrolment", N_("the enrolment of %(officer_name)s in %(course)s"), yours=N_("your enrolment in %(course)s")),
    ),
    # the eligibility Training Division checks, as the officer reads it, rule by rule
    value_lines=(ValueLines((("Enrolment", "eligibility"),), programme_rules.eligibility_lines),),
)
