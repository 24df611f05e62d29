"""Module Attempt: made and changed by the platform only, from what the player measured
(``doctypes.content.progress``)."""

from app.model.document import Document


class ModuleAttempt(Document):
    pass
