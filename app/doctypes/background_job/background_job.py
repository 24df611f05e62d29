"""Background Job: the record of a job in the queue (``app.jobs``)."""

from app import jobs
from app.model.document import Document


class BackgroundJob(Document):
    def action_retry(self):
        return jobs.retry(self.ctx, self.name)
