"""Mail: one message of the outbox (``app.mail``)."""

from app import mail
from app.model import lifecycle
from app.model.document import Document


class Mail(Document):
    def action_send_again(self):
        mail.send_again(self.ctx.site, self.name)
        return lifecycle.get(self.ctx, "Mail", self.name)
