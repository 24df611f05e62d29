from app.model.document import Document

CALLS = []


def _recorder(hook):
    def method(self):
        CALLS.append((self.name, hook))
        if self.refuse_in == hook:
            self.add_error("purpose", f"refused in {hook}")

    method.__name__ = hook
    return method


MARKED = []  # the marker on the stored record while ``on_release`` runs
FAIL = set()  # names whose ``on_release`` fails (a store down, a bug)


class Sanction(Document):
    # a follow-up a change may mark due: ``lifecycle.move(..., due=("on_release",))``
    resumable = ("on_release",)

    def on_release(self):
        CALLS.append((self.name, "on_release"))
        MARKED.append(self.ctx.site.collection("Sanction").find_one({"_id": self.name}).get("_pending_hooks"))
        if self.name in FAIL:
            raise RuntimeError("the treasury did not answer")


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
