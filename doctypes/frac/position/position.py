"""Position: a designation, named once per MDO."""

from app.model.document import Document


class Position(Document):
    def validate(self):
        if not (self.mdo and self.position_name):
            return
        other = self.ctx.site.unguarded("position").find_one(
            {"mdo": self.mdo, "position_name": self.position_name, "_id": {"$ne": self.name}}, {"_id": 1}
        )
        if other:
            self.add_error("position_name", f"{self.mdo} already has the position {self.position_name!r} ({other['_id']}).")

    def on_trash(self):
        used = self.ctx.site.unguarded("role_map").find_one({"position": self.name}, {"_id": 1}) or self.ctx.site.unguarded(
            "officer"
        ).find_one({"position": self.name}, {"_id": 1})
        if used:
            self.add_error("name", f"Position {self.name} is used by {used['_id']}; mark it inactive instead.")
