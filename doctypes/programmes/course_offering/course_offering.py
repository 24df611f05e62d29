"""Course Offering: its label and a registration window that makes sense."""

from app.model.document import Document


class CourseOffering(Document):
    def validate(self):
        if (
            self.registration_opens
            and self.registration_last_date
            and str(self.registration_last_date) < str(self.registration_opens)
        ):
            self.add_error(
                "registration_last_date",
                f"{self.registration_last_date} is before registration opens ({self.registration_opens}).",
            )
        if self.registration_opens and self.starts_on and str(self.registration_opens) > str(self.starts_on):
            self.add_error("registration_opens", f"{self.registration_opens} is after the training commences ({self.starts_on}).")

    def before_save(self):
        year = str(self.starts_on)[:4] if self.starts_on else ""
        self.label = f"{self.course}: {self.session} {year}".strip()
