"""Role: which roles a user may be offered to give. An MDO Admin reads every role (a user's
page shows the roles the System Manager gave), but her role picker offers only those she may
grant; the User record refuses the others (``app/doctypes/user/user.py``)."""

from app.model.document import Document


class Role(Document):
    @classmethod
    def offered(cls, ctx) -> list:
        if ctx.access.can("grant_any_role"):
            return []
        return [["assignable_by_mdo_admin", "=", 1]]


def granted_only_by_system_manager(ctx) -> list[str]:
    """The roles the caller may not grant (none for a System Manager), by name."""
    if ctx.access.can("grant_any_role"):
        return []
    return sorted(d["_id"] for d in ctx.site.collection("Role").find({"assignable_by_mdo_admin": {"$ne": True}}, {"_id": 1}))
