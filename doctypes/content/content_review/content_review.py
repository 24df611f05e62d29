"""Content Review: one reviewer's scoring of a module against a quality rubric.

The rows come from the rubric (its default one unless another is chosen); the reviewer
gives each a score from 0 to its maximum, with comments. The total is the weighted share of
the maximum; the review passes when the total reaches the rubric's pass mark and no
criterion is under its minimum. Submitting needs every criterion scored and puts the result
on the module, which may then be approved (Reviewed) if it passed.

Maker-checker: the module's creator may not review it, unless the Content Publishing
workflow relaxes maker-checker for the module's MDO.
"""

from app.model import lifecycle, persistence, workflow
from app.model.document import Document


class ContentReview(Document):
    def _module(self):
        return self.ctx.site.unguarded("content_module").find_one({"_id": self.content_module}) if self.content_module else None

    def _rubric(self):
        db = self.ctx.site.unguarded_db
        if self.rubric:
            return db["quality_rubric"].find_one({"_id": self.rubric})
        return db["quality_rubric"].find_one({"is_default": True}, sort=[("_id", 1)])

    def new_form(self):
        """The form opened from the module: the rubric's rows to score, nothing saved yet."""
        rubric = self._rubric()
        if rubric is not None:
            self._rows(rubric)

    def before_insert(self):
        rubric = self._rubric()
        if rubric is None:
            self.add_error("rubric", "no default quality rubric: choose one, or mark one as default (Content → Quality Rubric).")
            return
        self._rows(rubric)

    def _rows(self, rubric):
        self.rubric = rubric["_id"]
        if not self.scores:
            self.scores = [
                {"criterion": c["criterion"], "max_score": c["max_score"], "idx": i + 1}
                for i, c in enumerate(rubric.get("criteria") or [])
            ]

    def validate(self):
        module = self._module()
        if module is None:
            return  # the Link check names it
        if self.docstatus == 0 and module.get("workflow_state") != "In Review":
            self.add_error(
                "content_module", f"{module['_id']} is {module.get('workflow_state')!r}; only modules In Review are scored."
            )
        if module.get("owner") == self.owner and not self._relaxed(module):
            self.add_error("content_module", f"maker-checker: {self.owner} created {module['_id']} and may not review it.")
        rubric = self._rubric()
        if rubric is None:
            return
        criteria = {c["criterion"]: c for c in rubric.get("criteria") or []}
        rows = {}
        for row in self.scores or []:
            c = criteria.get(row.get("criterion"))
            if c is None:
                self.add_error("scores", f"row {row.get('idx')}: {row.get('criterion')!r} is not a criterion of {rubric['_id']}.")
                continue
            row["max_score"] = c["max_score"]
            score = row.get("score")
            if score is not None and not 0 <= score <= c["max_score"]:
                self.add_error("scores", f"row {row.get('idx')} ({c['criterion']}): {score} is outside 0 to {c['max_score']}.")
            rows[c["criterion"]] = row
        missing = [name for name in criteria if name not in rows]
        if missing:
            self.add_error("scores", f"the rubric's criteria {', '.join(missing)} have no row.")
        self.pass_mark = rubric.get("pass_mark")
        self._total(criteria, rows)

    def _total(self, criteria, rows):
        if not criteria or any(rows.get(n, {}).get("score") is None for n in criteria):
            self.total_percent = self.result = None
            return
        weight = sum(float(c.get("weight") or 0) for c in criteria.values()) or 1.0
        total = sum(float(c.get("weight") or 0) * rows[n]["score"] / c["max_score"] for n, c in criteria.items())
        self.total_percent = round(100 * total / weight, 1)
        low = [n for n, c in criteria.items() if c.get("minimum") is not None and rows[n]["score"] < c["minimum"]]
        self.result = "Passed" if self.total_percent >= float(self.pass_mark or 0) and not low else "Failed"

    def before_submit(self):
        unscored = [f"{r.get('criterion')}" for r in self.scores or [] if r.get("score") is None]
        if unscored:
            self.add_error("scores", f"score every criterion before submitting: {', '.join(unscored)} not scored.")
        module = self._module()
        if module and module.get("workflow_state") != "In Review":
            self.add_error("content_module", f"{module['_id']} is no longer In Review ({module.get('workflow_state')!r}).")

    def on_submit(self):
        module = self._module()
        system = self.ctx.as_system()
        meta = system.registry.get("Content Module")
        lifecycle.move(
            system,
            meta,
            persistence.from_db(module),
            {"quality_review": self.name, "quality_score": self.total_percent, "quality_result": self.result},
        )

    def _relaxed(self, module) -> bool:
        meta = self.ctx.registry.get("Content Module")
        return workflow.relaxed(self.ctx, meta, persistence.from_db(module))
