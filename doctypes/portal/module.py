"""Learner Portal: the officer's own pages at the site's root (the engine's portal shell):
My learning (what I am doing, what my plans assign me, what I completed, and what is
recommended for my gaps, with why), the catalogue and a module's page, my passbook, and my
certificates. Every page reads through the access layer as the signed-in officer."""

from __future__ import annotations

from app.registry import Module, PortalPage

from . import pages, programme_pages

MODULE = Module(
    name="Learner Portal",
    after=("Organisation", "FRAC and Competencies", "Learning", "Content", "Programme", "Assessments"),
    portal_pages=(
        PortalPage("/learning", "my_learning", "My learning", pages.my_learning, order=10, shows=("Capacity Building Plan",)),
        PortalPage("/catalogue", "catalogue", "Catalogue", pages.catalogue, order=20),
        PortalPage(
            "/catalogue/<path:name>", "catalogue_module", "Catalogue", pages.catalogue_module, methods=("GET", "POST"), menu=False
        ),
        PortalPage("/assessments", "assessments", "Assessments", pages.assessments, order=25),
        PortalPage(
            "/assessments/<path:name>", "assessment", "Assessments", pages.assessment, methods=("GET", "POST"), menu=False
        ),
        PortalPage(
            "/attempts/<attempt>",
            "assessment_attempt",
            "Assessments",
            pages.assessment_attempt,
            methods=("GET", "POST"),
            menu=False,
        ),
        PortalPage(
            "/programmes",
            "programmes",
            "Programmes",
            programme_pages.programmes,
            methods=("GET", "POST"),
            order=27,
            shows=("Enrolment", "Reimbursement Claim"),
        ),
        PortalPage(
            "/programmes/course/<path:name>", "programme_course", "Programmes", programme_pages.programme_course, menu=False
        ),
        PortalPage(
            "/programmes/enrolment/<name>",
            "programme_enrolment",
            "Programmes",
            programme_pages.programme_enrolment,
            methods=("GET", "POST"),
            menu=False,
        ),
        PortalPage("/passbook", "passbook", "My passbook", pages.passbook, order=30, shows=("Passbook Entry",)),
        PortalPage("/certificates", "certificates", "My certificates", pages.certificates, order=40, shows=("Certificate",)),
        PortalPage("/profile", "profile", "My profile", pages.profile, methods=("GET", "POST"), order=90),
    ),
)
