"""Certificate: its verification code is drawn once, at issue; revocation is an action with
a reason (``app.certificates.revoke``)."""

from app import i18n, notifications
from app.model.document import Document
from doctypes.learning import certificates


class Certificate(Document):
    resumable = ("after_insert",)

    def before_insert(self):
        self.code = certificates.new_code()
        self.status = "Valid"

    def validate(self):
        if not (self.course or self.content_module):
            self.add_error("course", "a certificate is for a course or a content module: give one.")

    def after_insert(self):
        """The MDO dashboard counts it (once), and its PDF is queued (unless it has one)."""
        from doctypes.organisation import activity

        activity.bump_once(self, "certificates", self.issued_on)
        if not self.pdf:
            certificates.queue_pdf(self.ctx, self.name)
        if self.officer_email:  # told once, also when this runs again after a crash
            notifications.notify(
                self.ctx.site,
                self.officer_email,
                "Certificate",
                i18n.words(i18n.N_("Your certificate: %(title)s"), title=self.title),
                message=i18n.words(
                    i18n.N_("Anyone can check it is genuine at %(url)s. Its PDF is with your certificates."),
                    url=certificates.verify_url(self.ctx.site, self.code),
                ),
                doctype="Certificate",
                name=self.name,
                reason=i18n.words(i18n.N_("You get this mail because a certificate was issued to you.")),
                event=f"certificate:{self.name}",
            )

    def action_revoke(self, reason=None):
        return certificates.revoke(self.ctx, self, reason or "")
