"""Learning: certificates (issued for a completed course or module, with a PDF and a public
verification page), capacity building plans, and completing a module."""

from __future__ import annotations

from app.registry import DocEvent, Figure, Job, Module, Param, Related, Route, Schedule, SetupStep
from doctypes.organisation.figures import monthly

from . import certificates, plans, related


def _check_pdfs(ctx, args):
    ctx.access.require("issue_certificate_pdfs", "make certificate PDFs")


def _run_pdfs(ctx, args, progress):
    """(Re)generate the PDFs of certificates (those named, or all without one)."""
    names = args.get("certificates") or [
        c["_id"] for c in ctx.site.unguarded("certificate").find({"pdf": {"$exists": False}}, {"_id": 1})
    ]
    for i, name in enumerate(names, 1):
        certificates.attach_pdf(ctx, name)
        progress(i, len(names), f"{i} of {len(names)} certificates")
    return {"certificates": len(names)}


MODULE = Module(
    name="Learning",
    after=("Organisation", "FRAC and Competencies"),
    capabilities=(("issue_certificate_pdfs", "make (or make again) certificates' PDFs"),),
    routes=(
        Route(
            "/verify/<code>",
            certificates.verify,
            "Whether a certificate is valid (public)",
            public=True,
            tag="Certificates",
            html=True,
            params=(Param("code", where="path", required=True), Param("format")),
        ),
    ),
    jobs=(Job("certificates", "Certificate PDFs", _check_pdfs, _run_pdfs),),
    events=(DocEvent("Capacity Building Plan", "after_transition", plans.plan_live),),
    schedules=(Schedule("plan_reminders", plans.remind_due, hour=3),),
    related=(Related("Officer", related.officer_certificates, 50), Related("Officer", related.officer_plans, 60)),
    figures=(
        Figure(
            monthly("chart-certificates", "Certificates issued per month", "Enrolment", "certificates"),
            "Certificates appear as officers complete courses: publish the first one.",
            "content_module/",
        ),
    ),
    setup_steps=(
        SetupStep(
            70,
            "Choose the content: a capacity building plan",
            "A plan assigns published modules and courses to your officers' positions; a content creator publishes more.",
            "Capacity Building Plan",
            (),
            "capacity_building_plan/new/",
            audience="lead_an_mdo",
        ),
    ),
)
