"""Module Attempt: made and changed by the platform only, from what the player measured
(``doctypes.content.progress``)."""

from app.model.document import Document


class ModuleAttempt(Document):
    # Marked due by the write that makes the attempt Completed (``progress._save``), and run
    # again after a crash until the module's completion is whole.
    resumable = ("on_complete",)

    def on_complete(self):
        """A part was completed: if that was all the module needed, it completes (certificate,
        Verified passbook entries, and with them plan progress and gaps), each step keyed
        once, so a run cut off half-way is finished by running this again."""
        from app.errors import NotFound
        from app.site import Context
        from doctypes.content import progress
        from doctypes.organisation import officers

        officer = Context(self.ctx.site, self.officer_email or "", self.ctx.access, clock=self.ctx.clock)
        if officers.own_officer(officer) is None:
            return  # the officer's record is gone, or under another e-mail: nothing to complete for them
        try:
            progress.state(officer, self.module, finish=True)
        except NotFound:
            return  # the module is gone
