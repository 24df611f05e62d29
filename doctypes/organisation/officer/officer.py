"""Officer: checks that need more than one field or another record; the posting history that
follows a change of position; the learner account; the gap rollups."""
from app import lifecycle
from doctypes.frac import frac
from app.document import Document


class Officer(Document):
    resumable = ("after_insert", "on_update")

    def before_insert(self):
        if self.email:
            self.email = self.email.strip().lower()

    def validate(self):
        if self.service and self.group:
            service = self.ctx.cached_doc("Service", self.service)
            groups = [g.get("group") for g in (service or {}).get("groups", [])]
            if groups and self.group not in groups:
                self.add_error("group", f"Service {self.service} has groups {', '.join(groups)}; "
                                        f"got {self.group!r}.")
        if self.year_of_allotment and self.date_of_birth:
            born = int(str(self.date_of_birth)[:4])
            if self.year_of_allotment < born + 18:
                self.add_error("year_of_allotment",
                               f"{self.year_of_allotment} is before the officer turned 18 (born {self.date_of_birth}).")
        if self.office_pin_code and not (str(self.office_pin_code).isdigit() and len(str(self.office_pin_code)) == 6
                                         and str(self.office_pin_code)[0] != "0"):
            self.add_error("office_pin_code", f"{self.office_pin_code!r} is not a six-digit PIN code.")
        if self.position:
            position = self.ctx.site.db["position"].find_one({"_id": self.position}, {"mdo": 1})
            if position and position.get("mdo") != self.mdo:
                self.add_error("position", f"Position {self.position} belongs to {position.get('mdo')}, not {self.mdo}.")
        for row in self.postings or []:
            if row.get("to_date") and row.get("from_date") and row["to_date"] < row["from_date"]:
                self.add_error("postings", f"row {row['idx']}: to_date {row['to_date']} is before from_date {row['from_date']}.")

    def before_save(self):
        stored = self.ctx.site.db["officer"].find_one({"_id": self.name}, {"position": 1, "mdo": 1, "is_active": 1}) \
            if self.name else None
        before = (stored or {}).get("position")
        self._rollup_changed = stored is None and bool(self.position) or stored is not None and (
            before != self.position or stored.get("mdo") != self.mdo or stored.get("is_active", True) != self.is_active)
        if self.position and self.position != before:
            self._open_posting()
        if stored is not None and stored.get("mdo") != self.mdo:  # a transfer: the count moves with them
            from doctypes.organisation import activity

            activity.bump(self.ctx, stored.get("mdo"), "officers", self.creation, -1)
            activity.bump(self.ctx, self.mdo, "officers", self.creation, 1)

    def _open_posting(self):
        """Close the current posting and open one for the new position (the history)."""
        today = self.ctx.now().date().isoformat()  # Date fields are stored as ISO strings
        position = self.ctx.site.db["position"].find_one({"_id": self.position}, {"position_name": 1}) or {}
        rows = list(self.postings or [])
        for row in rows:
            if not row.get("to_date"):
                row["to_date"] = max(today, str(row.get("from_date") or today))
        rows.append({"position": self.position, "designation": position.get("position_name") or self.position,
                     "posting_mdo": self.mdo, "from_date": today, "idx": len(rows) + 1, "name": f"p{len(rows) + 1}"})
        self.postings = rows
        self.designation = position.get("position_name") or self.designation

    def after_insert(self):
        """Every officer is a learner: create their account (bound to their MDO) unless an
        account with the e-mail exists. If it cannot be created the officer is not kept.
        Then, last, the MDO dashboard counts the officer onboarded (once). Run again after a
        crash, it makes what is missing and nothing twice."""
        from doctypes.organisation import activity

        self.ensure_account()
        activity.bump_once(self, "officers", self.creation)

    def ensure_account(self) -> None:
        from app.errors import DuplicateEntry

        if self.ctx.site.db["user"].find_one({"_id": self.email}, {"_id": 1}):
            return
        try:
            lifecycle.insert(self.ctx.as_system(), "User", {
                "email": self.email, "full_name": self.full_name, "roles": [{"role": "Learner"}],
                "mdos": [{"mdo": self.mdo}]})
        except DuplicateEntry:
            pass  # made at the same moment by another request for the same e-mail

    @classmethod
    def import_resumed(cls, ctx, stored):
        """The dashboard's officers onboarded of those MDOs, counted again from the officers:
        the run that was cut off may have stopped between an officer and its count."""
        from doctypes.organisation import activity

        activity.recount(ctx, {d.get("mdo") for d in stored})

    def on_update(self):
        # _rollup_changed is known after before_save; run again after a crash, refresh anyway
        if getattr(self, "_rollup_changed", True):
            frac.refresh_officer_all(self.ctx.as_system(), self.name)

    def on_trash(self):
        if self.ctx.site.db["passbook_entry"].find_one({"officer": self.name}, {"_id": 1}):
            self.add_error("name", f"Officer {self.name} has passbook entries, which are never deleted; "
                                   f"mark the officer inactive instead.")
            return
        self.ctx.site.db["officer_competency"].delete_many({"officer": self.name})
        frac.remove_officer(self.ctx.as_system(), self.name)
        from doctypes.organisation import activity

        activity.bump(self.ctx, self.mdo, "officers", self.creation, -1)
