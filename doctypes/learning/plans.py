"""Telling officers what their capacity building plans ask of them: when a plan goes live,
each officer it assigns items to is told (kind Plan); a week before an item is due, its
officers are reminded (kind Reminder, a daily schedule). Each is told once."""

from __future__ import annotations

import datetime as dt

from app import i18n, notifications

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
            i18n.words(
                i18n.N_("%(plan)s: %(count)s items for you") if len(rows) != 1 else i18n.N_("%(plan)s: 1 item for you"),
                plan=plan.get("plan_name"),
                count=len(rows),
            ),
            message=_lines(rows),
            doctype="Capacity Building Plan",
            name=plan["name"],
            reason=i18n.words(
                i18n.N_("You get this mail because the capacity building plan of %(mdo)s assigns you items."), mdo=plan.get("mdo")
            ),
            event=f"plan:{plan['name']}",
        )


def indian_date(value) -> str:
    """A date (ISO, or a date) as DD/MM/YYYY."""
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


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
                    i18n.words(i18n.N_("Due on %(date)s: %(item)s"), date=indian_date(row.get("due_date")), item=row.get("item")),
                    message=i18n.words(i18n.N_("From %(plan)s."), plan=plan.get("plan_name")),
                    doctype="Capacity Building Plan",
                    name=plan["name"],
                    reason=i18n.words(
                        i18n.N_("You get this mail because an item of your capacity building plan is due within a week.")
                    ),
                    event=f"reminder:{plan['name']}:{row.get('name')}:{email}",
                ):
                    told += 1
    return told
