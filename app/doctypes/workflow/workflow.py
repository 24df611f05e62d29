"""Workflow: a definition that can actually run."""

from app.model.document import Document
from app.query import OPERATORS


class Workflow(Document):
    def validate(self):
        registry = self.ctx.registry
        if self.document_type not in registry:
            self.add_error("document_type", f"DocType {self.document_type!r} does not exist.")
            return
        meta = registry.get(self.document_type)
        field = meta.get_field(self.state_field)
        if field is None or field.fieldtype not in ("Data", "Select"):
            self.add_error("state_field", f"{meta.name} needs a Data or Select field {self.state_field!r} to hold the state.")
        states = [s["state"] for s in self.states or []]
        if not states:
            self.add_error("states", "a workflow needs at least one state.")
        if len(set(states)) != len(states):
            self.add_error("states", "each state may appear once.")
        if any(s.get("docstatus", 0) and not meta.is_submittable for s in self.states or []):
            self.add_error("states", f"{meta.name} is not submittable: every state must have docstatus 0.")
        for row in self.transitions or []:
            for key in ("state", "next_state"):
                if row.get(key) not in states:
                    self.add_error("transitions", f"row {row['idx']}: {key} {row.get(key)!r} is not one of the states.")
            for key in ("condition", "offered_when"):
                cond = row.get(key)
                if cond is not None and not (
                    isinstance(cond, list)
                    and len(cond) == 3
                    and str(cond[1]).lower() in OPERATORS
                    and meta.get_field(cond[0]) is not None
                ):
                    self.add_error("transitions", f"row {row['idx']}: {key} must be [field of {meta.name}, operator, value].")
            inputs = row.get("inputs")
            if inputs is not None and not (
                isinstance(inputs, list)
                and all(isinstance(i, dict) and meta.get_field(i.get("field")) is not None for i in inputs)
                and all(meta.get_field(i["field"]).fieldtype != "Table" for i in inputs)
            ):
                self.add_error(
                    "transitions", f'row {row["idx"]}: inputs must be [{{"field": field of {meta.name}, "required": true}}, ...].'
                )
        if self.is_active:
            other = self.ctx.site.collection("Workflow").find_one(
                {"document_type": self.document_type, "is_active": True, "_id": {"$ne": self.name}}, {"_id": 1}
            )
            if other:
                self.add_error("is_active", f"{self.document_type} already has an active workflow, {other['_id']!r}.")
