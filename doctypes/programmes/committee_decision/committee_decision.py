"""Committee Decision: once recorded (submitted), the courses it shortlists open."""

from app.model import lifecycle
from app.model.document import Document


class CommitteeDecision(Document):
    def validate(self):
        if not self.courses:
            self.add_error("courses", "a decision shortlists at least one course.")
        if not self.categories:
            self.add_error("categories", "name the categories of officers the courses are shortlisted for.")
        chairs = [m for m in self.members or [] if str(m.get("capacity", "")).startswith("Chairperson")]
        if len(chairs) > 1:
            self.add_error("members", "the committee has one chairperson (JS/AS Training).")

    def on_submit(self):
        system = self.ctx.as_system()
        for row in self.courses or []:
            course = self.ctx.site.unguarded("course").find_one({"_id": row["course"]}, {"status": 1})
            if course and course.get("status") != "Open":
                lifecycle.save(system, "Course", row["course"], {"status": "Open"})
