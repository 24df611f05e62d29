"""Custom Field: checked so that it can never shadow a standard field, a field of the doctype,
or another custom field that applies to the same records."""

import re

from app.meta import RESERVED, STANDARD_FIELDS
from app.model import customize
from app.model.document import Document

FIELDNAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CustomField(Document):
    def validate(self):
        registry = self.ctx.registry
        if self.ref_doctype not in registry:
            self.add_error("ref_doctype", f"DocType {self.ref_doctype!r} does not exist.")
            return
        meta = registry.get(self.ref_doctype)
        if meta.is_child:
            self.add_error("ref_doctype", f"{meta.name} is a child table; add the field to its parent.")
        if self.mdo and not meta.is_tenant:
            self.add_error("mdo", f"{meta.name} records do not belong to an MDO; leave MDO empty.")
        if not FIELDNAME.match(self.fieldname or ""):
            self.add_error("fieldname", "use lower-case letters, digits and _; start with a letter (at most 64).")
        elif self.fieldname in meta.fields_by_name or self.fieldname in RESERVED or self.fieldname in STANDARD_FIELDS:
            self.add_error("fieldname", f"{meta.name} already has a field {self.fieldname!r}.")
        else:
            clash = customize.clashing_field(self.ctx, self.ref_doctype, self.fieldname, self.mdo, self.name)
            if clash:
                where = f"for {clash['mdo']}" if clash.get("mdo") else "for every MDO"
                self.add_error("fieldname", f"a custom field {self.fieldname!r} already exists on {meta.name} {where}.")
        if self.fieldtype == "Select" and not [o for o in (self.options or "").split("\n") if o.strip()]:
            self.add_error("options", "a Select field needs its choices, one per line.")
        if self.fieldtype == "Link":
            target = (self.options or "").strip()
            if target not in registry or registry.get(target).is_child:
                self.add_error("options", f"a Link field needs a DocType to link to; {target!r} is not one.")
        stored = self.ctx.site.collection("Custom Field").find_one({"_id": self.name}) if self.name else None
        if stored and (stored["fieldname"], stored["ref_doctype"]) != (self.fieldname, self.ref_doctype):
            self.add_error("fieldname", "cannot be changed once created (stored values would be orphaned); add a new field.")
        if stored and stored["fieldtype"] != self.fieldtype:
            self.add_error("fieldtype", "cannot be changed once created; add a new field.")
        if self.insert_after and self.insert_after not in meta.known_fieldnames:
            self.add_error("insert_after", f"{meta.name} has no field {self.insert_after!r}.")

    def on_update(self):
        customize.bump(self.ctx.site)

    def on_trash(self):
        customize.bump(self.ctx.site)
