"""Competency: five proficiency levels, the default scale when none are given."""

from app.model.document import Document
from doctypes.frac.frac import DEFAULT_SCALE, LEVELS


class Competency(Document):
    def before_insert(self):
        if not self.levels:
            self.levels = [{"level": n, "level_name": name, "description": text} for n, name, text in DEFAULT_SCALE]

    def validate(self):
        levels = sorted(int(r.get("level") or 0) for r in self.levels or [])
        if self.levels and levels != list(LEVELS):
            self.add_error("levels", f"needs exactly the levels 1 to 5, once each; got {', '.join(map(str, levels)) or 'none'}.")
        if not self.levels and self.name:
            self.add_error("levels", "needs its five proficiency levels.")
