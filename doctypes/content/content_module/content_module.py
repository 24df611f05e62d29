"""Content Module: what each kind of module needs before review, the SCORM package's
description copied from its upload, and the quality rubric that must pass before Reviewed.

- A draft may be incomplete; to leave Draft a link or external link needs its URL, lesson
  text its text, and a video file, PDF or SCORM package its attachment (of that kind: the
  upload is checked by content, see ``app.files``).
- A SCORM package's version, title, organisations and launch file are read from its
  manifest at upload and kept here, read-only.
- A PDF's pages and a video file's length are read by the server (``app.files.figures``): a
  new attachment whose figures cannot be read is refused, saying why, since the player's
  progress is checked against them.
- Each time the module is sent for review the last round's quality result is cleared; it
  reaches Reviewed only with a passing Content Review of this round.
- Editing a Published module makes a new draft version (meta ``versioned_edit``); the
  published one stays live until the new one is published, then becomes Superseded.
"""

from app import files
from app.model import lifecycle
from app.model.document import Document

NEEDS = {
    "Video Link": "url",
    "External Link": "url",
    "Lesson Text": "lesson_text",
    "Video File": "attachment",
    "PDF": "attachment",
    "SCORM Package": "attachment",
}
PASSED = "Passed"


class ContentModule(Document):
    def validate(self):
        self._package()
        self._figures()
        state = self.workflow_state
        if state and state != "Draft":
            need = NEEDS.get(self.kind)
            if need and not self.get(need):
                self.add_error(need, f"a {self.kind} module needs its {self.meta.get_field(need).label.lower()} before review.")
        if state == "Reviewed" and self._stored_state() == "In Review" and self.quality_result != PASSED:
            why = (
                f"its quality review {self.quality_review} scored {self.quality_score}% and failed"
                if self.quality_review
                else "nobody has scored the quality rubric in this round"
            )
            self.add_error(
                "quality_review",
                f"a passing quality review is needed before Reviewed: {why}. "
                "Use “Score the Quality Rubric”, then submit the review.",
            )

    def before_save(self):
        if self.workflow_state == "In Review" and self._stored_state() == "Draft":
            self.quality_review = self.quality_score = self.quality_result = None  # a new round

    def _stored_state(self):
        """The state as stored before this save (read once per save)."""
        if "_stored" not in self.__dict__:
            stored = (
                self.ctx.site.unguarded("content_module").find_one({"_id": self.name}, {"workflow_state": 1})
                if self.name
                else None
            )
            self.__dict__["_stored"] = stored.get("workflow_state") if stored else None
        return self.__dict__["_stored"]

    def _figures(self):
        """A new PDF or video file must have the figures its progress is checked against."""
        if self.kind not in ("PDF", "Video File") or not self.attachment:
            return
        if self.name and self._stored_attachment() == (self.kind, self.attachment):
            return  # kept as it was: read when played
        kind = ((files.info(self.ctx.site, self.attachment) or {}).get("metadata") or {}).get("kind")
        if kind != ("pdf" if self.kind == "PDF" else "video"):
            return  # not a file of this kind at all: the field's accept says so
        try:
            files.figures(self.ctx.site, self.attachment)
        except ValueError as exc:
            what = "pages" if self.kind == "PDF" else "length"
            self.add_error("attachment", f"the server must know the {what} of a {self.kind}, and cannot: {exc}.")

    def _stored_attachment(self):
        stored = self.ctx.site.unguarded("content_module").find_one({"_id": self.name}, {"kind": 1, "attachment": 1})
        return (stored.get("kind"), stored.get("attachment")) if stored else None

    def _package(self):
        package = None
        if self.kind == "SCORM Package" and self.attachment:
            package = ((files.info(self.ctx.site, self.attachment) or {}).get("metadata") or {}).get("scorm")
        self.package_version = package["version"] if package else None
        self.package_title = package["title"] if package else None
        self.launch_file = package["launch"] if package else None
        self.package_organisations = (
            [
                {"identifier": o["identifier"], "title": o["title"], "items": o["items"], "launch": o["launch"]}
                for o in package["organisations"]
            ]
            if package
            else []
        )

    def action_new_version(self):
        """A draft version of this published module, through the same path as an edit of it
        (``versioned_edit``): one draft at a time, this one live until the draft is published."""
        return lifecycle.save(self.ctx, "Content Module", self.name, {})

    def action_score_quality(self):
        """A new quality review of this module, with a row per criterion of the default rubric."""
        return lifecycle.insert(self.ctx, "Content Review", {"content_module": self.name})
