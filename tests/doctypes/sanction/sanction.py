from app.model.document import Document

CALLS = []


def _recorder(hook):
    def method(self):
        CALLS.append((self.name, hook))
        if self.refuse_in == hook:
            self.add_error("purpose", f"refused in {hook}")

    method.__name__ = hook
    return method


class Sanction(Document):
    pass


for _hook in (
    "before_insert",
    "validate",
    "before_save",
    "after_insert",
    "on_update",
    "before_submit",
    "on_submit",
    "before_cancel",
    "on_cancel",
    "on_trash",
):
    setattr(Sanction, _hook, _recorder(_hook))
