from app.model.document import Document


class CustomDocPerm(Document):
    def validate(self):
        if self.ref_doctype and self.ref_doctype not in self.ctx.registry:
            self.add_error("ref_doctype", f"DocType {self.ref_doctype!r} does not exist.")
