"""Reimbursement Claim: against an issued certificate, up to the programme's limit."""

from app.model.document import Document


class ReimbursementClaim(Document):
    def validate(self):
        db = self.ctx.site.unguarded_db
        enrolment = db["enrolment"].find_one({"_id": self.enrolment}) if self.enrolment else None
        if enrolment is None:
            return
        course = db["course"].find_one({"_id": enrolment.get("course")}, {"programme": 1}) or {}
        prog = db["programme"].find_one({"_id": course.get("programme")}) or {}
        limit, currency = prog.get("reimbursement_limit", 100), prog.get("currency", "USD")
        if self.currency and self.currency != currency:
            self.add_error("currency", f"{prog.get('_id')} reimburses in {currency}.")
        if self.amount_paid is not None and self.amount_paid > limit:
            self.add_error(
                "amount_paid",
                f"{self.amount_paid:g} {self.currency} is over the {limit:g} {currency} "
                f"the DoPT reimburses per course under {prog.get('_id')}.",
            )
        if self.amount_paid is not None and self.amount_paid <= 0:
            self.add_error("amount_paid", "must be more than zero.")

    def before_save(self):
        self.approved_amount = self.amount_paid

    def before_submit(self):
        self.paid_on = self.ctx.now().date().isoformat()
