"""Assessment: every question must be answerable as written (its correct answer among its
options, a number a number), and one must exist before it goes to review."""

from app.model.document import Document
from doctypes.assessments import grading


class Assessment(Document):
    def validate(self):
        questions = self.get("questions") or []
        for i, q in enumerate(questions, 1):
            for problem in grading.problems(q if isinstance(q, dict) else dict(q)):
                self.add_error("questions", f"question {i}: {problem}")
        if self.draw and self.draw > len(questions):
            self.add_error("draw", f"draws {self.draw} questions, but the bank has {len(questions)}.")
        if self.workflow_state not in (None, "", "Draft") and not questions:
            self.add_error("questions", "an assessment needs at least one question before review.")
