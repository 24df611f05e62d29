"""Assessment Attempt: made and graded by the platform only (``doctypes.assessments.attempts``)."""

from app.model.document import Document


class AssessmentAttempt(Document):
    # Marked due by the write that grades an attempt passed, and run again after a crash
    # until the pass is whole (``attempts.submit``).
    resumable = ("on_pass",)

    def on_pass(self):
        """The pass's follow-up: its Verified passbook entry, once; the modules it completes
        are the Content module's (an ``on_pass`` document event)."""
        from doctypes.assessments import attempts

        attempts.record_pass(self)
