"""Officer: checks that need more than one field or another record."""
from app.document import Document


class Officer(Document):
    def validate(self):
        if self.service and self.group:
            service = self.ctx.cached_doc("Service", self.service)
            groups = [g.get("group") for g in (service or {}).get("groups", [])]
            if groups and self.group not in groups:
                self.add_error("group", f"Service {self.service} has groups {', '.join(groups)}; "
                                        f"got {self.group!r}.")
        if self.year_of_allotment and self.date_of_birth:
            born = int(self.date_of_birth[:4])
            if self.year_of_allotment < born + 18:
                self.add_error("year_of_allotment",
                               f"{self.year_of_allotment} is before the officer turned 18 (born {self.date_of_birth}).")
        for row in self.postings or []:
            if row.get("to_date") and row.get("from_date") and row["to_date"] < row["from_date"]:
                self.add_error("postings", f"row {row['idx']}: to_date {row['to_date']} is before from_date {row['from_date']}.")
