"""Course: opens only once a committee decision shortlists it."""

from app.model.document import Document


class Course(Document):
    def validate(self):
        if self.status == "Open" and not self.ctx.site.unguarded("committee_decision").find_one(
            {"docstatus": 1, "courses.course": self.name or self.title}, {"_id": 1}
        ):
            self.add_error("status", "a course opens only after a course selection committee decision shortlists it.")
        if self.discounted_fee is not None and self.list_fee is not None and self.discounted_fee > self.list_fee:
            self.add_error("discounted_fee", f"{self.discounted_fee} is more than the list fee {self.list_fee}.")
        if self.mode == "External MOOC" and self.status == "Open" and not self.registration_link:
            self.add_error("registration_link", "an external MOOC needs the link where officers register.")
