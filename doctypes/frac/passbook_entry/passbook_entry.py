"""Passbook Entry: who may enter what, and the rollups that follow a verification.

- Course completions are entered by the platform when an enrolment completes with a
  certificate (``app.frac.record_course_completion``), already verified.
- Assessment results are entered by the officer's MDO (MDO Admin) or the System Manager.
- External training and self-declared entries are the officer's own, with evidence.
Entries other than the platform's start Pending and count once their MDO Admin verifies
them (workflow "Passbook Verification"); they are never deleted.
"""

from app.model.document import Document
from doctypes.frac import frac


class PassbookEntry(Document):
    resumable = ("on_submit", "on_cancel")

    def validate(self):
        access = self.ctx.access
        platform = self.ctx.is_system
        if self.source == "Course Completion":
            if not platform and not access.can("enter_course_completions"):
                self.add_error(
                    "source", "course completions are entered by the platform when a course is completed with a certificate."
                )
            for field in ("course", "certificate"):
                if not self.get(field):
                    self.add_error(field, f"a course completion needs its {field}.")
        elif self.source == "Assessment" and not platform and not access.can("enter_assessments"):
            self.add_error("source", "assessment results are entered by the officer's MDO.")
        elif self.source == "External Training" and not self.course:
            self.add_error("course", "name the training programme attended.")
        elif self.source == "Self-declared" and not (self.evidence or self.evidence_file):
            self.add_error("evidence", "a self-declared competency needs evidence (a description or a file).")
        if self.acquired_on and str(self.acquired_on) > self.ctx.now().date().isoformat():
            self.add_error("acquired_on", f"{self.acquired_on} is in the future.")

    def on_submit(self):
        from doctypes.organisation import activity

        activity.bump_once(self, "passbook_verified", self.modified)
        frac.refresh_officer_all(self.ctx.as_system(), self.officer)

    def on_cancel(self):
        frac.refresh_officer_all(self.ctx.as_system(), self.officer)
