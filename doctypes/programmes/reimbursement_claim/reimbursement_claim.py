"""Reimbursement Claim: against an issued certificate, up to the programme's limit.

- The officer claims what they paid; Finance approves that amount, or less (Approve takes the
  approved amount), never more than the programme's limit or than was paid.
- Pay takes the day the money went and the payment's reference (the bank's UTR or the PFMS
  payment ID): a claim is Paid only with both, so the payment can be traced.
- Every amount is shown in rupees beside the programme's currency, at the programme's rate
  (kept on the claim once it is paid: a later rate does not rewrite a payment).
"""

import re

from app.model.document import Document

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/-]{5,39}$")  # a UTR (16 or 22) or a PFMS payment ID
PAID = "Paid"


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
        self._approved(limit, currency, prog)
        if self.workflow_state == PAID:
            self._payment()
        if self.workflow_state != PAID or self.inr_rate is None:
            rate = prog.get("inr_rate") or (1.0 if currency == "INR" else None)
            self.inr_rate = float(rate) if rate else None

    def _approved(self, limit, currency, prog):
        """Finance may approve less than was paid, never more, nor over the limit."""
        if self.workflow_state in (None, "Submitted") or self.approved_amount is None:
            self.approved_amount = self.amount_paid  # the officer's claim, until Finance decides
            return
        if self.approved_amount <= 0:
            self.add_error("approved_amount", "must be more than zero (reject the claim instead).")
        elif self.approved_amount > limit:
            self.add_error(
                "approved_amount",
                f"{self.approved_amount:g} {currency} is over the {limit:g} {currency} limit of {prog.get('_id')}.",
            )
        elif self.amount_paid is not None and self.approved_amount > self.amount_paid:
            self.add_error(
                "approved_amount", f"{self.approved_amount:g} {currency} is more than the {self.amount_paid:g} the officer paid."
            )

    def _payment(self):
        if not self.paid_on:
            self.add_error("paid_on", "the day of the payment is needed to Pay.")
        elif str(self.paid_on) > self.ctx.now().date().isoformat():
            self.add_error("paid_on", f"{_day(self.paid_on)} is in the future: give the day the payment was made.")
        reference = (self.payment_reference or "").strip()
        if not reference:
            self.add_error("payment_reference", "the bank's UTR or the PFMS payment ID is needed to Pay.")
        elif not REFERENCE.match(reference):
            self.add_error(
                "payment_reference",
                f"{reference!r} is not a UTR or a PFMS payment ID: 6 to 40 letters and digits (a UTR has 16 or 22).",
            )

    def before_save(self):
        rate = self.inr_rate
        self.amount_paid_inr = round(self.amount_paid * rate, 2) if rate and self.amount_paid is not None else None
        self.approved_amount_inr = round(self.approved_amount * rate, 2) if rate and self.approved_amount is not None else None

    def before_submit(self):
        self.before_save()


def _day(value) -> str:
    text = str(value)[:10]
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if len(text) == 10 else text
