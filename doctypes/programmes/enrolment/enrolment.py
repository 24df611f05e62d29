"""Enrolment: registration (window and eligibility, explained), the steps to DoPT's
confirmation, and the certificate with its passbook and credit entries."""

import secrets

from app.model.document import Document
from doctypes.frac import frac
from doctypes.programmes import programme_rules as programme

CLOSED = ("Not Certified", "Withdrawn", "Not Eligible")


class Enrolment(Document):
    resumable = ("after_insert", "on_submit")

    def validate(self):
        db = self.ctx.site.unguarded_db
        offering = db["course_offering"].find_one({"_id": self.offering}) if self.offering else None
        if self.name is None and offering is not None:  # registering
            self._register(db, offering)
        elif self.name is not None:
            stored = db["enrolment"].find_one({"_id": self.name}, {"officer": 1, "offering": 1}) or {}
            for field in ("officer", "offering"):
                if stored.get(field) != self.get(field):
                    self.add_error(field, "is fixed at registration; withdraw and enrol again instead.")
        state = self.workflow_state
        if state == "Form Submitted":
            if not self.cadre_intimated_on:
                self.add_error("cadre_intimated_on", "intimate your cadre controlling authority first and give the date.")
            if self.cadre_approval_required and not self.cadre_approval_ref:
                self.add_error("cadre_approval_ref", "your cadre needs its approval: give the approval's reference.")
            if not self.eligibility_form:
                self.add_error("eligibility_form", "upload the signed eligibility confirmation form first.")
        if state in (programme.CERTIFIED, "Not Certified") and offering is not None and self._entering(db, state):
            course = db["course"].find_one({"_id": self.course}) or {}
            why = programme.not_run_yet(offering, course, self.ctx.now().date())
            if why:
                what = "no certificate" if state == programme.CERTIFIED else "no result"
                self.add_error("offering", f"{what} before the course has run: {why}.")
        if state == programme.CERTIFIED:
            course = db["course"].find_one({"_id": self.course}) or {}
            for problem in programme.check_certificate(course, self.final_grade, self.exam_result):
                self.add_error("final_grade" if "grade" in problem else "exam_result", f"no certificate: {problem}.")

    def _entering(self, db, state) -> bool:
        """Whether this save moves the enrolment into ``state`` (not one already in it)."""
        stored = db["enrolment"].find_one({"_id": self.name}, {"workflow_state": 1}) if self.name else None
        return (stored or {}).get("workflow_state") != state

    def _register(self, db, offering):
        today = self.ctx.now().date()
        ok, why = programme.registration_open(offering, today)
        if not ok:
            self.add_error("offering", why + ".")
            return
        officer = db["officer"].find_one({"_id": self.officer})
        if officer is None:
            return
        answer = programme.eligibility(db, officer, offering, today)
        self.eligibility = answer
        if not answer["eligible"]:
            self.add_error("officer", "not eligible: " + "; ".join(r["reason"] for r in answer["rules"] if not r["pass"]) + ".")
        other = db["enrolment"].find_one(
            {"officer": self.officer, "course": offering["course"], "workflow_state": {"$nin": list(CLOSED)}},
            {"_id": 1, "workflow_state": 1},
        )
        if other:
            self.add_error(
                "offering", f"already enrolled in {offering['course']} ({other['_id']}, {other.get('workflow_state')})."
            )

    def before_save(self):
        self.eligibility_form_submitted = bool(self.eligibility_form)  # the upload is the submission
        if self.workflow_state == "Confirmed" and not self.coupon_code:
            self.coupon_code = "IGOT-" + secrets.token_hex(5).upper()  # single use: unique across enrolments

    def before_submit(self):
        if self.workflow_state == programme.CERTIFIED:
            today = self.ctx.now().date()
            self.certified_on = today.isoformat()
            self.certificate_no = f"IGOT/{today.year}/{self.name}"

    def after_insert(self):
        from doctypes.organisation import activity

        activity.bump_once(self, "enrolments", self.creation)

    def after_delete(self):
        from doctypes.organisation import activity

        activity.bump(self.ctx, self.mdo, "enrolments", self.creation, -1)

    def on_submit(self):
        """Certified: the certificate, its passbook entries and the credits, each once (unique
        keys), so the hook can run again after a crash and complete what is missing."""
        if self.workflow_state != programme.CERTIFIED:
            return
        db = self.ctx.site.unguarded_db
        course = db["course"].find_one({"_id": self.course}) or {}
        from doctypes.learning import certificates

        cert = certificates.issue(
            self.ctx,
            officer=self.officer,
            title=course.get("title") or self.course,
            issued_on=self.certified_on,
            course=self.course,
            enrolment=self.name,
        )
        frac.record_course_completion(
            self.ctx,
            self.officer,
            self.course,
            cert.name,
            [(c["competency"], c["level"]) for c in course.get("competencies", [])],
            self.certified_on,
        )
        programme.post_course_credits(self.ctx, self.as_dict(), course)
        if course.get("is_micromasters") and programme.micromasters_completer(db, self.officer):
            from app.model import lifecycle

            lifecycle.save(self.ctx.as_system(), "Officer", self.officer, {"mit_masters_eligible": True})
