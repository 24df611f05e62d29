"""What the FRAC module does when records of other modules change: an officer's rollups
follow their position and MDO, and an officer with passbook entries is never deleted."""

from __future__ import annotations

from . import frac


def officer_changed(officer) -> None:
    """After an officer is saved: their current levels and gaps, if what they depend on
    changed (or when run again after a crash)."""
    if getattr(officer, "rollup_changed", True):
        frac.refresh_officer_all(officer.ctx.as_system(), officer.name)


def officers_changed(officers) -> None:
    """``officer_changed`` for many officers at once (an imported staff list): their levels
    and gaps computed together, written in bulk."""
    changed = [o for o in officers if getattr(o, "rollup_changed", True)]
    if changed:
        written = {o.name: {**o.as_dict(), "_id": o.name} for o in changed}
        # made by this write: before_save ran (a batch completed after a crash skips it)
        new = {o.name for o in changed if o.before is None and hasattr(o, "rollup_changed")}
        frac.refresh_officers(officers[0].ctx.as_system(), [o.name for o in changed], written, new)


def officer_deleted(officer) -> None:
    """Before an officer is deleted: refused if they have passbook entries (which are never
    deleted); otherwise their rollups go with them."""
    db = officer.ctx.site.unguarded("passbook_entry")
    if db.find_one({"officer": officer.name}, {"_id": 1}):
        officer.add_error(
            "name", f"Officer {officer.name} has passbook entries, which are never deleted; mark the officer inactive instead."
        )
        return
    officer.ctx.site.unguarded("officer_competency").delete_many({"officer": officer.name})
    frac.remove_officer(officer.ctx.as_system(), officer.name)
