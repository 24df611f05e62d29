"""User: an MDO Admin manages the users of their own MDOs, and cannot hand out more power
than the roles marked assignable_by_mdo_admin. Every new account is invited to set its
password (``app.accounts``)."""

from app import accounts, auth
from app.model import lifecycle
from app.model.document import Document


class User(Document):
    # run again after a crash between the write and the mail: the invitation goes out once
    resumable = ("after_insert",)

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
                self.add_error(
                    "roles",
                    f"only the System Manager grants {', '.join(refused)}: ask them to give "
                    f"{'it' if len(refused) == 1 else 'these roles'} to this user.",
                )

    def _roles_before(self) -> set:
        return {r.get("role") for r in (self.before or {}).get("roles", [])}

    def after_insert(self):
        if auth.backend(self.ctx.site).manages_passwords and self.enabled is not False:
            accounts.invite_new(self.ctx.site, self.name, invited_by=self.ctx.user)

    @classmethod
    def after_insert_batch(cls, ctx, docs) -> None:
        """``after_insert`` for many new accounts (an imported staff list's learners): their
        invitations are queued as one job, which mails each once (``accounts.invite_batch``)."""
        if not auth.backend(ctx.site).manages_passwords:
            return
        emails = [d.name for d in docs if d.enabled is not False]
        if emails:
            from app import jobs

            jobs.enqueue_call(ctx.site, "app.accounts:invite_batch", {"emails": emails, "invited_by": ctx.user})

    def on_update(self):
        if self.enabled is False:  # a disabled account is signed out everywhere at once
            auth.end_sessions(self.ctx.site, self.name)
            accounts.end_links(self.ctx.site, self.name)

    def action_resend_invitation(self):
        accounts.invite(self.ctx.site, self.name, invited_by=self.ctx.user)
        return lifecycle.get(self.ctx, "User", self.name)
