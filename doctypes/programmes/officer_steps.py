"""Every step an officer takes in the programme, as the officer: finding a course (search and
filters), enrolling, the eligibility confirmation form with its upload, withdrawing, reporting
progress and claiming the course fee back with its receipt.

Each step goes through the engine's lifecycle and workflow with the officer's own Context, so
what is refused here is refused by the same rules as the API (the record's owner, the
workflow state's editors, the transition's roles, the controller's checks). The portal's pages
call these; nothing here knows about a web page.
"""

from __future__ import annotations

import re

from app import files, query
from app.model import lifecycle, transitions
from doctypes.organisation import officers

from . import programme_rules

CLOSED = ("Withdrawn", "Not Eligible", "Not Certified")
FORM_FIELDS = ("cadre_intimated_on", "cadre_approval_required", "cadre_approval_ref")  # what the officer sets on the form
DURATIONS = {"short": (1, 4), "medium": (5, 12), "long": (13, 10**6)}  # weeks, both ends included
COURSE_FIELDS = (
    "title",
    "provider",
    "programme",
    "level",
    "mode",
    "status",
    "weeks",
    "hours_per_week",
    "list_fee",
    "discounted_fee",
    "currency",
    "objective",
    "prerequisites",
    "registration_link",
    "competencies",
    "modules",
)

# What comes next for an enrolment in each state, in the officer's words
NEXT_STEP = {
    "Registered": "Intimate your cadre controlling authority, then submit the eligibility confirmation form.",
    "Form Submitted": "The training division checks your eligibility.",
    "Confirmed": "Take the course; the training division records your grade (at least 50 per cent online) and the proctored exam.",
    "Certified": "Certified. You may claim the course fee back.",
}
CLAIM_NEXT = {
    "Submitted": "The training division checks your claim.",
    "Verified": "Checked. Waiting for Finance to approve and pay it.",
    "Approved": "Approved. Waiting for Finance to pay it.",
    "Paid": "The fee is paid back to you.",
    "Rejected": "Not reimbursed.",
}


def courses(ctx, officer: str, *, search=None, provider=None, fee=None, mode=None, duration=None, open_now=False) -> list[dict]:
    """The programme's courses the officer may read, each with its offerings open for
    registration today and the officer's eligibility for each; filtered by words in the
    title, provider or objective, by provider, fee ("free" or "paid"), mode, duration
    (``DURATIONS``) and whether an offering is open now."""
    rows, _total = query.get_list(
        ctx, "Course", fields=list(COURSE_FIELDS), order_by="title", limit=query.MAX_LIMIT, with_total=False
    )
    open_by_course: dict[str, list] = {}
    for o in programme_rules.eligible_offerings(ctx, officer):
        o["failed"] = [r for r in o["rules"] if not r["pass"]]
        open_by_course.setdefault(o["course"], []).append(o)
    words = re.compile(re.escape(search.strip()), re.IGNORECASE) if search and search.strip() else None
    out = []
    for c in rows:
        if c.get("status") == "Draft":
            continue
        c["offerings"] = open_by_course.get(c["name"], [])
        c["fee"] = c.get("discounted_fee") or c.get("list_fee") or 0
        if words and not any(words.search(str(c.get(f) or "")) for f in ("title", "provider", "objective")):
            continue
        if provider and c.get("provider") != provider:
            continue
        if fee == "free" and c["fee"]:
            continue
        if fee == "paid" and not c["fee"]:
            continue
        if mode and c.get("mode") != mode:
            continue
        if duration in DURATIONS:
            low, high = DURATIONS[duration]
            if not (c.get("weeks") and low <= c["weeks"] <= high):
                continue
        if open_now and not c["offerings"]:
            continue
        out.append(c)
    return sorted(out, key=lambda c: (not c["offerings"], c.get("title") or c["name"]))


def providers(ctx) -> list[str]:
    """Every provider of a course, for the filter."""
    rows, _total = query.get_list(ctx, "Course", fields=["provider"], limit=query.MAX_LIMIT, with_total=False)
    return sorted({r["provider"] for r in rows if r.get("provider")})


def course(ctx, officer: str, name: str) -> dict:
    """One course as the officer may read it, with its offerings open now and their
    eligibility rule by rule; NotFound as for any read."""
    c = lifecycle.read(ctx, "Course", name)
    c["offerings"] = [o for o in programme_rules.eligible_offerings(ctx, officer) if o["course"] == name]
    for o in c["offerings"]:
        o["failed"] = [r for r in o["rules"] if not r["pass"]]
    c["fee"] = c.get("discounted_fee") or c.get("list_fee") or 0
    return c


def enrol(ctx, officer: str, offering: str):
    """Register the officer for an offering (the controller checks the window and the rules)."""
    return lifecycle.insert(ctx, "Enrolment", {"officer": officer, "offering": offering or ""})


def enrolments(ctx, officer: str) -> list[dict]:
    """The officer's enrolments, open ones first, each with its fee claim (if any), the
    course's title and what comes next."""
    officers.officer_records(ctx, "Enrolment", officer)  # the caller may read this officer's enrolments
    system = ctx.as_system()  # ... all of them, by officer, wherever they were made
    rows, _total = query.get_list(
        system, "Enrolment", filters={"officer": officer}, order_by="modified desc", limit=100, with_total=False
    )
    if not rows:
        return []
    claims, _total = query.get_list(
        system,
        "Reimbursement Claim",
        filters={"officer": officer},
        fields=["name", "enrolment", "amount_paid", "currency", "approved_amount", "workflow_state", "paid_on"],
        limit=100,
        with_total=False,
    )
    by_enrolment = {c["enrolment"]: c for c in claims}
    titles = _titles(system, {r["course"] for r in rows if r.get("course")})
    for r in rows:
        r["title"] = titles.get(r.get("course"), r.get("course"))
        r["claim"] = by_enrolment.get(r["name"])
        r["open"] = r.get("workflow_state") not in CLOSED
    return sorted(rows, key=lambda r: not r["open"])


def _titles(ctx, names) -> dict:
    rows, _total = query.get_list(
        ctx, "Course", filters={"name": ["in", sorted(names)]}, fields=["title"], limit=query.MAX_LIMIT, with_total=False
    )
    return {r["name"]: r.get("title") or r["name"] for r in rows}


def enrolment(ctx, name: str) -> dict:
    """One enrolment as the caller may read it (their own), with its course, its claim, the
    programme's reimbursement limit and the actions the workflow offers the caller now."""
    from app.model import workflow

    doc = lifecycle.get(ctx, "Enrolment", name)
    row = doc.as_dict()
    row["course_record"] = lifecycle.read(ctx, "Course", row["course"]) if row.get("course") else {}
    row["title"] = row["course_record"].get("title") or row.get("course")
    row["actions"] = workflow.actions_for(ctx, doc.meta, row)
    row["editable"] = workflow.editable(ctx, doc.meta, row) and "write" in ctx.access.allowed_actions(doc.meta, row)
    found = ctx.site.unguarded("reimbursement_claim").find_one({"enrolment": name}, {"_id": 1})  # one per enrolment
    row["claim"] = lifecycle.read(ctx, "Reimbursement Claim", found["_id"]) if found else None  # as the caller
    if row["claim"]:
        row["claim"]["history"] = workflow.history(ctx, ctx.registry.get("Reimbursement Claim"), row["claim"]["name"])
    programme = row["course_record"].get("programme")
    prog = ctx.site.unguarded("programme").find_one({"_id": programme}, {"reimbursement_limit": 1, "currency": 1}) or {}
    row["limit"] = prog.get("reimbursement_limit", 100)
    row["limit_currency"] = prog.get("currency", "USD")
    return row


def submit_eligibility_form(ctx, name: str, values: dict, upload=None):
    """Save what the officer gives on the form (the cadre's intimation and approval, and the
    signed form's upload) and take the workflow's "Submit Eligibility Form". What is saved
    stays saved when the submission is refused, so the officer corrects only what is named."""
    changes = {f: values.get(f) for f in FORM_FIELDS if f in values}
    file_id = _store(ctx, "Enrolment", name, "eligibility_form", upload) if upload else None
    if file_id:
        changes["eligibility_form"] = file_id
    try:
        lifecycle.save(ctx, "Enrolment", name, changes)
    except Exception:
        if file_id:
            files.discard(ctx.site, file_id)  # the record refused it: keep nothing
        raise
    return transitions.apply(ctx, "Enrolment", name, "Submit Eligibility Form")


def withdraw(ctx, name: str):
    return transitions.apply(ctx, "Enrolment", name, "Withdraw")


def report_progress(ctx, name: str, percent):
    return lifecycle.save(ctx, "Enrolment", name, {"progress": percent})


def claim_fee(ctx, enrolment_name: str, amount, currency: str | None, upload=None):
    """File the fee claim for a certified enrolment with its receipt: the claim's own rules
    (the programme's limit and currency, one claim per certificate) decide."""
    file_id = _store(ctx, "Reimbursement Claim", None, "proof", upload) if upload else None
    data = {"enrolment": enrolment_name, "amount_paid": amount, "currency": currency, "proof": file_id}
    try:
        return lifecycle.insert(ctx, "Reimbursement Claim", data)
    except Exception:
        if file_id:
            files.discard(ctx.site, file_id)
        raise


def _store(ctx, doctype: str, name: str | None, field: str, upload) -> str:
    meta_field = ctx.registry.get(doctype).fields_by_name[field]
    record = lifecycle.read(ctx, doctype, name) if name else {}
    from app.files import store as store_file  # the file store's door (not the raw database)

    return store_file(
        ctx,
        upload.stream,
        upload.filename,
        upload.mimetype,
        accept=files.accepted(meta_field, record),
        doctype=doctype,
        name=name,
        field=field,
    )


def catalogue_courses(ctx, *, search=None, competency=None) -> list[dict]:
    """The programme's courses for the catalogue beside the modules: by words in the title or
    provider, and by a competency they teach."""
    rows, _total = query.get_list(
        ctx,
        "Course",
        fields=["title", "provider", "mode", "weeks", "status", "competencies"],
        order_by="title",
        limit=query.MAX_LIMIT,
        with_total=False,
    )  # the programme's courses are a short list: filtered here, as on the Programmes page
    rows = [r for r in rows if r.get("status") != "Draft"]
    if competency:
        rows = [r for r in rows if any(c.get("competency") == competency for c in r.get("competencies") or [])]
    if search and search.strip():
        words = re.compile(re.escape(search.strip()), re.IGNORECASE)
        rows = [r for r in rows if words.search(r.get("title") or "") or words.search(r.get("provider") or "")]
    return rows
