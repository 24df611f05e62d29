"""FRAC Role: one name per MDO; each competency listed once."""

from app.model.document import Document


class FRACRole(Document):
    def validate(self):
        db = self.ctx.site.unguarded_db
        if self.mdo and self.role_name:
            other = db["frac_role"].find_one(
                {"mdo": self.mdo, "role_name": self.role_name, "_id": {"$ne": self.name}}, {"_id": 1}
            )
            if other:
                self.add_error("role_name", f"{self.mdo} already has the role {self.role_name!r} ({other['_id']}); reuse it.")
        seen = {}
        for row in self.competencies or []:
            if row.get("competency") in seen:
                self.add_error(
                    "competencies", f"row {row['idx']}: {row['competency']} is already required in row {seen[row['competency']]}."
                )
            seen.setdefault(row.get("competency"), row.get("idx"))
