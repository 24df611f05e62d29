"""User: an MDO Admin manages the users of their own MDOs, and cannot hand out more power
than the roles marked assignable_by_mdo_admin."""

from app.model.document import Document


class User(Document):
    def before_insert(self):
        if self.email:
            self.email = self.email.strip().lower()

    def validate(self):
        access = self.ctx.access
        if access.can("grant_any_role"):
            return
        roles = {r.get("role") for r in self.roles or []}
        if roles:
            assignable = {d["_id"] for d in self.ctx.site.collection("Role").find({"assignable_by_mdo_admin": True}, {"_id": 1})}
            refused = sorted(roles - assignable - self._roles_before())
            if refused:
                self.add_error("roles", f"only a System Manager may grant {', '.join(refused)}.")

    def _roles_before(self) -> set:
        if not self.name:
            return set()
        stored = self.ctx.site.collection("User").find_one({"_id": self.name}, {"roles": 1}) or {}
        return {r.get("role") for r in stored.get("roles", [])}

    def on_update(self):
        if self.enabled is False:  # a disabled account is signed out everywhere at once
            from app import auth

            auth.end_sessions(self.ctx.site, self.name)
