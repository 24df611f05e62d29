"""Role Map: one version of a position's FRAC role map.

While a version is a draft (and when it is sent for review) its roles' activities and
competency requirements are copied into it, so reviewers verify exactly what will be in
force; later edits to a role reach the position through a new version. Reaching Verified
supersedes the version in force and refreshes the gaps of the position's officers.
"""

from app.model import lifecycle, persistence, workflow
from app.model.document import Document
from doctypes.frac import frac

OPEN_STATES = ("Draft", "Submitted", "L1 Verified")
COPIED_IN = (None, "Draft", "Submitted")


class RoleMap(Document):
    def before_insert(self):
        maps = list(self.ctx.site.unguarded("role_map").find({"position": self.position}, {"version": 1, "workflow_state": 1}))
        self.version = max((m.get("version") or 0 for m in maps), default=0) + 1
        current = next((m for m in maps if m.get("workflow_state") == frac.VERIFIED), None)
        self.previous_version = current["_id"] if current else None

    def validate(self):
        db = self.ctx.site.unguarded_db
        position = db["position"].find_one({"_id": self.position}, {"mdo": 1, "position_name": 1}) if self.position else None
        if position and position.get("mdo") != self.mdo:
            self.add_error("position", f"Position {self.position} belongs to {position.get('mdo')}, not {self.mdo}.")
        if self.workflow_state in OPEN_STATES or self.workflow_state is None:
            other = db["role_map"].find_one(
                {"position": self.position, "_id": {"$ne": self.name}, "workflow_state": {"$in": list(OPEN_STATES)}},
                {"_id": 1, "version": 1},
            )
            if other:
                self.add_error(
                    "position",
                    f"version {other.get('version')} ({other['_id']}) of this position's role map is "
                    f"still open; continue it instead of starting another.",
                )
        if self.workflow_state in COPIED_IN:
            self._copy_roles(db)
        if self.workflow_state == "Submitted":
            if not self.roles:
                self.add_error("roles", "a role map needs at least one role before review.")
            elif not self.requirements:
                self.add_error("roles", "none of the roles lists a competency it needs; add them before review.")

    def _copy_roles(self, db):
        names = [r.get("frac_role") for r in self.roles or []]
        seen = set()
        for r in self.roles or []:
            if r.get("frac_role") in seen:
                self.add_error("roles", f"row {r['idx']}: {r['frac_role']} is listed twice.")
            seen.add(r.get("frac_role"))
        roles = {d["_id"]: d for d in db["frac_role"].find({"_id": {"$in": names}})}
        activities, requirements = [], []
        for r in self.roles or []:
            role = roles.get(r.get("frac_role"))
            if role is None:
                continue
            if role.get("mdo") != self.mdo:
                self.add_error("roles", f"row {r['idx']}: {role['_id']} is a role of {role.get('mdo')}, not {self.mdo}.")
            r["role_name"] = role.get("role_name")
            for a in role.get("activities", []):
                activities.append(
                    {
                        "role_name": role.get("role_name"),
                        "activity": a.get("activity"),
                        "knowledge_resources": a.get("knowledge_resources"),
                    }
                )
            for c in role.get("competencies", []):
                requirements.append(
                    {
                        "role_name": role.get("role_name"),
                        "competency": c.get("competency"),
                        "required_level": c.get("required_level"),
                    }
                )
        for i, row in enumerate(activities, 1):
            row.update(idx=i, name=f"a{i}")
        for i, row in enumerate(requirements, 1):
            row.update(idx=i, name=f"c{i}")
        self.activities = activities
        self.requirements = requirements

    def before_submit(self):
        self.verified_on = self.ctx.now()

    def on_submit(self):
        """Verified: the previous version in force becomes Superseded; the position's officers'
        gaps now follow this version."""
        system = self.ctx.as_system()
        for old in self.ctx.site.unguarded("role_map").find(
            {"position": self.position, "workflow_state": frac.VERIFIED, "_id": {"$ne": self.name}}
        ):
            lifecycle.move(system, self.meta, persistence.from_db(old), {"workflow_state": frac.SUPERSEDED})
            workflow.log(
                system,
                self.meta,
                old["_id"],
                "Supersede",
                frac.VERIFIED,
                frac.SUPERSEDED,
                f"version {self.version} ({self.name}) verified",
                mdos=[self.mdo],
            )
        frac.refresh_position(system, self.mdo, self.position)

    def action_new_version(self):
        """A draft copy of this verified map with the same roles; this one stays in force."""
        return lifecycle.insert(
            self.ctx,
            "Role Map",
            {
                "mdo": self.mdo,
                "position": self.position,
                "remarks": self.remarks,
                "roles": [{"frac_role": r["frac_role"]} for r in self.roles or []],
            },
        )
