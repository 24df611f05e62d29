"""Telling officers what their capacity building plans ask of them: when a plan goes live,
each officer it assigns items to is told (kind Plan); a week before an item is due, its
officers are reminded (kind Reminder, a daily schedule). Each is told once."""

from __future__ import annotations

import datetime as dt

from app import notifications

REMIND_DAYS = 7


def _officers(site, plan: dict, row: dict) -> list[str]:
    """The e-mail addresses of the active officers an item is for."""
    query: dict = {"mdo": plan.get("mdo"), "is_active": {"$ne": False}}
    if row.get("audience") == "Position":
        query["position"] = row.get("position")
    elif row.get("audience") == "Officer":
        query = {"_id": row.get("officer"), "mdo": plan.get("mdo")}
    return [o["email"] for o in site.unguarded("officer").find(query, {"email": 1}) if o.get("email")]


def _by_officer(site, plan: dict, rows) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        for email in _officers(site, plan, row):
            out.setdefault(email, []).append(row)
    return out


def _lines(rows) -> str:
    return "\n".join(f"- {r.get('item')} ({r.get('item_type')}), due {r.get('due_date')}" for r in rows)


def plan_live(doc) -> None:
    """After a plan's workflow action: on going live, tell its officers their items."""
    if (doc.transition or {}).get("to_state") != "Live":
        return
    site, plan = doc.ctx.site, doc.as_dict()
    for email, rows in sorted(_by_officer(site, plan, plan.get("items") or []).items()):
        notifications.notify(
            site,
            email,
            "Plan",
            f"{plan.get('plan_name')}: {len(rows)} item{'s' if len(rows) != 1 else ''} for you",
            message=_lines(rows),
            doctype="Capacity Building Plan",
            name=plan["name"],
            reason=f"You get this mail because {plan.get('mdo')}'s capacity building plan assigns you items.",
            event=f"plan:{plan['name']}",
        )


def remind_due(site, now: dt.datetime) -> int:
    """Remind officers of the items of live plans due in ``REMIND_DAYS`` days or fewer (and not
    yet past); returns how many were told."""
    today = now.date()
    until = (today + dt.timedelta(days=REMIND_DAYS)).isoformat()
    told = 0
    for plan in site.unguarded("capacity_building_plan").find(
        {"workflow_state": "Live", "items.due_date": {"$gte": today.isoformat(), "$lte": until}}
    ):
        plan["name"] = plan["_id"]
        rows = [r for r in plan.get("items") or [] if today.isoformat() <= str(r.get("due_date")) <= until]
        for email, mine in sorted(_by_officer(site, plan, rows).items()):
            for row in mine:
                if notifications.notify(
                    site,
                    email,
                    "Reminder",
                    f"Due on {row.get('due_date')}: {row.get('item')}",
                    message=f"From {plan.get('plan_name')}.",
                    doctype="Capacity Building Plan",
                    name=plan["name"],
                    reason="You get this mail because an item of your capacity building plan is due within a week.",
                    event=f"reminder:{plan['name']}:{row.get('name')}:{email}",
                ):
                    told += 1
    return told
