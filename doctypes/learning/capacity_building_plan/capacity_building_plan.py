"""Capacity Building Plan: each item names its audience, and a real course or module (so
its completion can be counted): picked by link, or given by its name."""

from app.model.document import Document


class CapacityBuildingPlan(Document):
    def validate(self):
        if self.period_from and self.period_to and str(self.period_to) < str(self.period_from):
            self.add_error("period_to", f"{self.period_to} is before the start of the period, {self.period_from}.")
        db = self.ctx.site.unguarded_db
        for row in self.items or []:
            where = f"row {row['idx']}"
            self._item(db, row, where)
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

    # (the link field, the collection) of each kind of item
    KINDS = {"Course": ("course", "course"), "Content Module": ("content_module", "content_module")}

    def _item(self, db, row, where: str) -> None:
        """The item's course or module: the link picked, or the one an API client names in
        "item"; a text that names no record is refused, since it could never be counted.
        ``item`` then holds its title, for mails and lists."""
        kind = self.KINDS.get(row.get("item_type"))
        if kind is None:
            return  # the item type's own check says what is wrong
        field, collection = kind
        other = "content_module" if field == "course" else "course"
        row[other] = None
        what = "course" if field == "course" else "module"
        given = row.get(field) or row.get("item")
        if not given:
            self.add_error("items", f"{where}: choose the {what} from the list.")
            return
        found = db[collection].find_one({"_id": given}, {"title": 1})
        if found is None:
            self.add_error("items", f"{where}: there is no {what} {given!r}; choose one from the list.")
            return
        row[field] = found["_id"]
        row["item"] = found.get("title") or found["_id"]
