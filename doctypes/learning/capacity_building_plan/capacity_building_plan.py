"""Capacity Building Plan: each item names its audience."""

from app.model.document import Document


class CapacityBuildingPlan(Document):
    def validate(self):
        if self.period_from and self.period_to and str(self.period_to) < str(self.period_from):
            self.add_error("period_to", f"{self.period_to} is before the start of the period, {self.period_from}.")
        db = self.ctx.site.unguarded_db
        for row in self.items or []:
            where = f"row {row['idx']}"
            if row.get("audience") == "Position" and not row.get("position"):
                self.add_error("items", f"{where}: an item for a position needs the position.")
            if row.get("audience") == "Officer" and not row.get("officer"):
                self.add_error("items", f"{where}: an item for an officer needs the officer.")
            for field, collection in (("position", "position"), ("officer", "officer")):
                if row.get(field):
                    other = db[collection].find_one({"_id": row[field]}, {"mdo": 1})
                    if other and other.get("mdo") != self.mdo:
                        self.add_error("items", f"{where}: {row[field]} belongs to {other.get('mdo')}, not {self.mdo}.")
            if row.get("due_date") and self.period_to and str(row["due_date"]) > str(self.period_to):
                self.add_error("items", f"{where}: due {row['due_date']}, after the plan's period ends ({self.period_to}).")
