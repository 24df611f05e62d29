"""A Version shows the changes to the fields its reader may read on the changed record."""

from __future__ import annotations

from app.model.document import Document


class Version(Document):
    present_needs = {"data": ["restricted", "ref_doctype"]}

    @classmethod
    def present(cls, ctx, doc: dict) -> dict:
        restricted = doc.pop("restricted", None) if "restricted" in doc else None
        if not restricted or doc.get("ref_doctype") not in ctx.registry.names:
            return doc
        levels = ctx.access.readable_levels(ctx.registry.get(doc["ref_doctype"]))
        data = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in (doc.get("data") or {}).items()}
        for level, changes in sorted(restricted.items()):
            if int(level) not in levels:
                continue
            for key, items in changes.items():
                if key == "deleted":
                    data.setdefault("deleted", {}).update(items)
                else:
                    data.setdefault(key, []).extend(items)
        return {**doc, "data": data}
