"""Officer: checks that need more than one field or another record; the posting history that
follows a change of position; the learner account; the MDO dashboard's count. (The FRAC
module keeps the officer's gaps through its document events.)"""

from app.access import roles_given_to_officers
from app.model import lifecycle
from app.model.document import Document
from doctypes.organisation import activity


class Officer(Document):
    resumable = ("after_insert",)

    def before_insert(self):
        if self.email:
            self.email = self.email.strip().lower()

    def validate(self):
        if self.service and self.group:
            service = self.ctx.cached_doc("Service", self.service)
            groups = [g.get("group") for g in (service or {}).get("groups", [])]
            if groups and self.group not in groups:
                self.add_error("group", f"Service {self.service} has groups {', '.join(groups)}; got {self.group!r}.")
        if self.year_of_allotment and self.date_of_birth:
            born = int(str(self.date_of_birth)[:4])
            if self.year_of_allotment < born + 18:
                self.add_error(
                    "year_of_allotment", f"{self.year_of_allotment} is before the officer turned 18 (born {self.date_of_birth})."
                )
        if self.office_pin_code and not (
            str(self.office_pin_code).isdigit() and len(str(self.office_pin_code)) == 6 and str(self.office_pin_code)[0] != "0"
        ):
            self.add_error("office_pin_code", f"{self.office_pin_code!r} is not a six-digit PIN code.")
        if self.position:
            position = self._position()
            if position and position.get("mdo") != self.mdo:
                self.add_error("position", f"Position {self.position} belongs to {position.get('mdo')}, not {self.mdo}.")
        for row in self.postings or []:
            if row.get("to_date") and row.get("from_date") and row["to_date"] < row["from_date"]:
                self.add_error("postings", f"row {row['idx']}: to_date {row['to_date']} is before from_date {row['from_date']}.")

    def before_save(self):
        stored = self.before
        # what other modules' rollups depend on (the FRAC gaps follow position, MDO, activity)
        self.rollup_changed = (
            stored is None
            and bool(self.position)
            or stored is not None
            and (
                stored.get("position") != self.position
                or stored.get("mdo") != self.mdo
                or stored.get("is_active", True) != self.is_active
            )
        )
        if self.position and self.has_value_changed("position"):
            self._open_posting()
        if stored is not None and stored.get("mdo") != self.mdo:  # a transfer: the count moves with them
            activity.bump(self.ctx, stored.get("mdo"), "officers", self.creation, -1)
            activity.bump(self.ctx, self.mdo, "officers", self.creation, 1)

    def _position(self) -> dict | None:
        """The officer's position (its MDO and name), read once per import batch."""
        return self.ctx.batch_cached(
            ("Position", self.position),
            lambda: self.ctx.site.unguarded("position").find_one({"_id": self.position}, {"mdo": 1, "position_name": 1}),
        )

    def _open_posting(self):
        """Close the current posting and open one for the new position (the history)."""
        today = self.ctx.now().date().isoformat()  # Date fields are stored as ISO strings
        position = self._position() or {}
        rows = list(self.postings or [])
        for row in rows:
            if not row.get("to_date"):
                row["to_date"] = max(today, str(row.get("from_date") or today))
        rows.append(
            {
                "position": self.position,
                "designation": position.get("position_name") or self.position,
                "posting_mdo": self.mdo,
                "from_date": today,
                "idx": len(rows) + 1,
                "name": f"p{len(rows) + 1}",
            }
        )
        self.postings = rows
        self.designation = position.get("position_name") or self.designation

    def after_insert(self):
        """Every officer is a learner: create their account (bound to their MDO) unless an
        account with the e-mail exists. If it cannot be created the officer is not kept.
        Then, last, the MDO dashboard counts the officer onboarded (once). Run again after a
        crash, it makes what is missing and nothing twice."""
        self.ensure_account()
        activity.bump_once(self, "officers", self.creation)

    def ensure_account(self) -> None:
        from app.errors import DuplicateEntry

        site = self.ctx.site
        if site.unguarded("user").find_one({"_id": self.email}, {"_id": 1}):
            return
        try:
            lifecycle.insert(self.ctx.as_system(), "User", self.account())
        except DuplicateEntry:
            pass  # made at the same moment by another request for the same e-mail

    def account(self) -> dict:
        """The officer's learner account: their address and name, the officers' roles, their MDO."""
        return {
            "email": self.email,
            "full_name": self.full_name,
            "roles": [{"role": r} for r in roles_given_to_officers(self.ctx)],
            "mdos": [{"mdo": self.mdo}],
        }

    @classmethod
    def after_insert_batch(cls, ctx, docs) -> None:
        """``after_insert`` for many officers at once (``lifecycle.insert_many``): the learner
        accounts that do not exist yet made in one batch, and the dashboard's count claimed
        with one update and moved by one increment per MDO and month."""
        from app.errors import DuplicateEntry, IgotError

        site = ctx.site
        emails = sorted({d.email for d in docs if d.email})
        existing = {u["_id"] for u in site.unguarded("user").find({"_id": {"$in": emails}}, {"_id": 1})}
        wanted, owners = [], {}
        for doc in docs:
            if doc.email and doc.email not in existing and doc.email not in owners:
                owners[doc.email] = doc
                wanted.append(doc.account())
        system = ctx.as_system()
        for row, outcome in zip(wanted, lifecycle.insert_many(system, "User", wanted), strict=True):
            if isinstance(outcome, IgotError) and not isinstance(outcome, DuplicateEntry):
                owners[row["email"]].add_error("email", f"the officer's learner account could not be made: {outcome.message}")
        counted = [d for d in docs if not d.has_errors()]
        activity.bump_once_many(ctx, "Officer", counted, "officers")

    @classmethod
    def import_resumed(cls, ctx, stored):
        """The dashboard's officers onboarded of those MDOs, counted again from the officers:
        the run that was cut off may have stopped between an officer and its count."""
        activity.recount(ctx, {d.get("mdo") for d in stored})

    def after_delete(self):
        activity.bump(self.ctx, self.mdo, "officers", self.creation, -1)
