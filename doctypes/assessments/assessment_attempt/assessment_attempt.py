"""Assessment Attempt: made and graded by the platform only (``doctypes.assessments.attempts``)."""

from app.model.document import Document


class AssessmentAttempt(Document):
    pass
