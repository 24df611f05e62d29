"""FRAC: what each position needs, what each officer has shown, and the gap between them.

Three rollup collections are kept current incrementally, so that the figures an MDO looks at
are read, not recomputed from every officer on each page load:

- ``officer_competency``: an officer's current level in a competency, the highest level of
  their *verified* passbook entries (entries are never deleted, so history is never lost);
- ``officer_gap``: for each competency the verified role map of an officer's position
  requires, the required level, the officer's current level and the gap (0 when met);
- ``gap_summary``: per (MDO, position, competency), the active officers asked for it, how
  many fall short and the sum of their gaps. MDO figures add up the positions.

What changes them, and what is refreshed:

- a passbook entry verified, rejected or cancelled: that officer's levels, then their gaps;
- an officer's position, MDO or active flag changed, or the officer deleted: their gaps;
- a role map version verified (superseding the previous one): the gaps of every officer in
  the position.

Each refresh recomputes the one officer's rows and moves ``gap_summary`` by the difference
with ``$inc``, which is atomic on every store (and on a sharded cluster). ``rebuild`` computes
all three from scratch; ``tests/test_frac_rollups.py`` checks that both agree after a random
sequence of changes. Everything here is the platform's own bookkeeping, done as the system
after the caller's change has passed their permission checks.
"""

from __future__ import annotations

from collections import defaultdict

from app.model import persistence
from doctypes.organisation import officers

LEVELS = (1, 2, 3, 4, 5)
DEFAULT_SCALE = (
    (1, "Basic", "Knows the concepts and performs routine tasks with guidance."),
    (2, "Proficient", "Applies it independently in routine situations."),
    (3, "Advanced", "Handles complex and unusual situations and guides others."),
    (4, "Expert", "A recognised authority in the MDO who shapes its practice."),
    (5, "Ustad", "A master across government who develops the field and teaches experts."),
)
VERIFIED = "Verified"
SUPERSEDED = "Superseded"


def _stamp(ctx) -> dict:
    now = ctx.now()
    return {"modified": now, "modified_by": "Administrator"}


def _created(ctx) -> dict:
    """The standard fields a rollup document gets when it is first written."""
    return {"owner": "Administrator", "creation": ctx.now(), "docstatus": 0}


# levels ------------------------------------------------------------------------------------


def officer_levels(db, officer: str) -> dict[str, tuple[int, int]]:
    """{competency: (current level, verified entries)} from the officer's passbook."""
    out: dict[str, tuple[int, int]] = {}
    for e in db["passbook_entry"].find({"officer": officer, "workflow_state": VERIFIED}, {"competency": 1, "level": 1}):
        level, n = out.get(e["competency"], (0, 0))
        out[e["competency"]] = (max(level, int(e["level"])), n + 1)
    return out


def refresh_levels(ctx, officer: str) -> None:
    db = ctx.site.unguarded_db
    off = db["officer"].find_one({"_id": officer}, {"full_name": 1, "email": 1, "mdo": 1})
    wanted = officer_levels(db, officer) if off else {}
    have = {d["competency"]: d for d in db["officer_competency"].find({"officer": officer})}
    for competency in set(have) - set(wanted):
        db["officer_competency"].delete_one({"_id": have[competency]["_id"]})
    for competency, (level, entries) in wanted.items():
        row = {
            "officer": officer,
            "officer_name": off.get("full_name"),
            "officer_email": off.get("email"),
            "mdo": off.get("mdo"),
            "competency": competency,
            "level": level,
            "entries": entries,
        }
        old = have.get(competency)
        if old and all(old.get(k) == v for k, v in row.items()):
            continue
        persistence.upsert(
            db["officer_competency"],
            {"_id": f"{officer}|{competency}"},
            {"$set": {**row, **_stamp(ctx)}, "$setOnInsert": _created(ctx)},
        )


# requirements ------------------------------------------------------------------------------


def verified_map(db, mdo: str, position: str) -> dict | None:
    """The role map in force for a position: its Verified version."""
    return db["role_map"].find_one({"mdo": mdo, "position": position, "workflow_state": VERIFIED})


def requirements(role_map: dict | None) -> dict[str, int]:
    """{competency: required level}; a competency several roles need counts at its highest."""
    out: dict[str, int] = {}
    for row in (role_map or {}).get("requirements", []):
        out[row["competency"]] = max(out.get(row["competency"], 0), int(row["required_level"]))
    return out


def _gap_rows(db, off: dict | None, role_map_cache: dict | None = None, levels: dict | None = None) -> list[dict]:
    if not off or not off.get("is_active", True) or not off.get("position") or not off.get("mdo"):
        return []
    key = (off["mdo"], off["position"])
    if role_map_cache is not None and key in role_map_cache:
        rm = role_map_cache[key]
    else:
        rm = verified_map(db, *key)
        if role_map_cache is not None:
            role_map_cache[key] = rm
    needed = requirements(rm)
    if not needed:
        return []
    have = (
        levels
        if levels is not None
        else {
            d["competency"]: d["level"]
            for d in db["officer_competency"].find({"officer": off["_id"]}, {"competency": 1, "level": 1})
        }
    )
    rows = []
    for competency, required in sorted(needed.items()):
        current = int(have.get(competency, 0))
        rows.append(
            {
                "_id": f"{off['_id']}|{competency}",
                "officer": off["_id"],
                "officer_name": off.get("full_name"),
                "officer_email": off.get("email"),
                "mdo": off["mdo"],
                "position": off["position"],
                "position_name": rm.get("position_name"),
                "role_map": rm["_id"],
                "competency": competency,
                "required_level": required,
                "current_level": current,
                "gap": max(0, required - current),
            }
        )
    return rows


def _summary_key(row: dict) -> str:
    return f"{row['mdo']}|{row['position']}|{row['competency']}"


def remove_officer(ctx, officer: str) -> None:
    """Before an officer is deleted: take their gaps out of the summary."""
    refresh_officer(ctx, officer, gone=True)


def refresh_officer(ctx, officer: str, gone: bool = False) -> None:
    """Recompute one officer's gaps and move the MDO summary by the difference."""
    db = ctx.site.unguarded_db
    off = None if gone else db["officer"].find_one({"_id": officer})
    _write_gaps(ctx, db, {officer: list(db["officer_gap"].find({"officer": officer}))}, {officer: _gap_rows(db, off)})


def _write_gaps(ctx, db, old_rows: dict[str, list], new_rows: dict[str, list]) -> None:
    """Officers' gap rows from ``old_rows`` to ``new_rows`` ({officer: rows}): the rows of
    those that changed replaced in bulk, and each MDO summary key moved once by the summed
    difference (every figure, zeros too, so a new summary holds all three, as a rebuild
    writes them)."""
    moved = [o for o in new_rows if not _same(old_rows.get(o, []), new_rows[o])]
    if not moved:
        return
    delta: dict[str, dict] = {}
    for o in moved:
        for sign, rows in ((-1, old_rows.get(o, [])), (1, new_rows[o])):
            for r in rows:
                d = delta.setdefault(_summary_key(r), {"row": r, "officers": 0, "officers_short": 0, "total_gap": 0})
                d["officers"] += sign
                d["officers_short"] += sign * (1 if r["gap"] > 0 else 0)
                d["total_gap"] += sign * r["gap"]
                if sign > 0:
                    d["row"] = r
    stale = [o for o in moved if old_rows.get(o)]
    if stale:  # (new officers, as an import makes, have none)
        db["officer_gap"].delete_many({"officer": {"$in": stale}})
    standard = {**_created(ctx), **_stamp(ctx)}
    rows = [{**r, **standard} for o in moved for r in new_rows[o]]
    for i in range(0, len(rows), 1000):
        db["officer_gap"].insert_many(rows[i : i + 1000])
    updates = []
    for key, d in sorted(delta.items()):
        r = d["row"]
        update = {
            "$set": {
                "mdo": r["mdo"],
                "position": r["position"],
                "competency": r["competency"],
                **_stamp(ctx),
                **({"position_name": r.get("position_name")} if r.get("position_name") else {}),
            },
            "$setOnInsert": _created(ctx),
            "$inc": {k: d[k] for k in ("officers", "officers_short", "total_gap")},
        }
        updates.append(({"_id": key}, update))
    persistence.upsert_many(db["gap_summary"], updates)
    db["gap_summary"].delete_many({"_id": {"$in": list(delta)}, "officers": {"$lte": 0}})


def _same(old_rows: list[dict], new_rows: list[dict]) -> bool:
    keys = (
        "_id",
        "mdo",
        "position",
        "position_name",
        "role_map",
        "required_level",
        "current_level",
        "gap",
        "officer_name",
        "officer_email",
    )
    strip = lambda rows: sorted(tuple(r.get(k) for k in keys) for r in rows)  # noqa: E731
    return strip(old_rows) == strip(new_rows)


def refresh_officers(ctx, officers: list[str], written: dict[str, dict] | None = None, new=frozenset()) -> None:
    """``refresh_officer_all`` for many officers: their levels from their passbooks, their
    gap rows and the MDO summaries' differences, each read with one query and written in
    bulk (the summary once per key, the differences summed). ``written``: the officers as
    just written ({name: record}), which need not be read back. ``new``: those of them
    created by this very write, who can have no passbook entry, level or gap row yet: none
    is looked for (in a process that has not read those collections yet, the first look
    reads each whole)."""
    db = ctx.site.unguarded_db
    offs = dict(written or {})
    missing = [o for o in officers if o not in offs]
    if missing:
        offs.update((d["_id"], d) for d in db["officer"].find({"_id": {"$in": missing}}))
    stored = [o for o in officers if o not in new]
    wanted: dict[str, dict] = {o: {} for o in officers}
    have: dict[str, dict] = {o: {} for o in officers}
    old_rows: dict[str, list] = {o: [] for o in officers}
    if stored:
        for e in db["passbook_entry"].find(
            {"officer": {"$in": stored}, "workflow_state": VERIFIED}, {"officer": 1, "competency": 1, "level": 1}
        ):
            level, n = wanted[e["officer"]].get(e["competency"], (0, 0))
            wanted[e["officer"]][e["competency"]] = (max(level, int(e["level"])), n + 1)
        for d in db["officer_competency"].find({"officer": {"$in": stored}}):
            have[d["officer"]][d["competency"]] = d
        for r in db["officer_gap"].find({"officer": {"$in": stored}}):
            old_rows[r["officer"]].append(r)
    for officer in officers:  # the levels, kept one by one (a new officer has none)
        if wanted[officer] or have[officer]:
            refresh_levels(ctx, officer)
    cache: dict = {}
    new_rows = {
        o: _gap_rows(db, offs.get(o), cache, {c: lvl for c, (lvl, _) in wanted[o].items()} if offs.get(o) else None)
        for o in officers
    }
    _write_gaps(ctx, db, old_rows, new_rows)


def refresh_officer_all(ctx, officer: str) -> None:
    refresh_levels(ctx, officer)
    refresh_officer(ctx, officer)


def refresh_position(ctx, mdo: str, position: str) -> int:
    """After a role map version is verified: every officer in the position. Returns how many."""
    names = [d["_id"] for d in ctx.site.unguarded("officer").find({"mdo": mdo, "position": position}, {"_id": 1})]
    names += [d["officer"] for d in ctx.site.unguarded("officer_gap").find({"mdo": mdo, "position": position}, {"officer": 1})]
    for name in sorted(set(names)):
        refresh_officer(ctx, name)
    return len(set(names))


def rebuild(ctx, progress=None) -> dict:
    """Recompute the three rollups from the passbooks, officers and verified role maps."""
    db = ctx.site.unguarded_db
    for collection in ("officer_competency", "officer_gap", "gap_summary"):
        db[collection].delete_many({})
    levels = defaultdict(dict)
    for e in db["passbook_entry"].find({"workflow_state": VERIFIED}, {"officer": 1, "competency": 1, "level": 1}):
        level, n = levels[e["officer"]].get(e["competency"], (0, 0))
        levels[e["officer"]][e["competency"]] = (max(level, int(e["level"])), n + 1)
    standard = {**_created(ctx), **_stamp(ctx)}
    everyone = {d["_id"]: d for d in db["officer"].find({})}
    batch = [
        {
            "_id": f"{o}|{c}",
            "officer": o,
            "officer_name": everyone[o].get("full_name"),
            "officer_email": everyone[o].get("email"),
            "mdo": everyone[o].get("mdo"),
            "competency": c,
            "level": level,
            "entries": n,
            **standard,
        }
        for o, comps in levels.items()
        if o in everyone
        for c, (level, n) in comps.items()
    ]
    if batch:
        db["officer_competency"].insert_many(batch)
    cache: dict = {}
    summary: dict[str, dict] = {}
    gaps = []
    for off in everyone.values():
        for r in _gap_rows(db, off, cache):
            gaps.append({**r, **standard})
            s = summary.setdefault(
                _summary_key(r),
                {
                    "_id": _summary_key(r),
                    "mdo": r["mdo"],
                    "position": r["position"],
                    "position_name": r.get("position_name"),
                    "competency": r["competency"],
                    "officers": 0,
                    "officers_short": 0,
                    "total_gap": 0,
                    **standard,
                },
            )
            s["officers"] += 1
            s["officers_short"] += 1 if r["gap"] > 0 else 0
            s["total_gap"] += r["gap"]
        if progress:
            progress(1)
    if gaps:
        db["officer_gap"].insert_many(gaps)
    if summary:
        db["gap_summary"].insert_many([{k: v for k, v in s.items() if v is not None} for s in summary.values()])
    from doctypes.organisation import activity

    return {
        "officer_competency": len(batch),
        "officer_gap": len(gaps),
        "gap_summary": len(summary),
        "mdo_activity": activity.rebuild(ctx),
    }


# reading -----------------------------------------------------------------------------------


def verified_competencies(ctx) -> list[str]:
    """The verified competency dictionary's names, in order: what every signed-in user may
    choose from (a catalogue's or a talent search's filter)."""
    from app import query

    rows, _ = query.get_list(
        ctx.as_system(),
        "Competency",
        filters={"workflow_state": VERIFIED},
        fields=["name"],
        order_by="competency_name",
        limit=query.MAX_LIMIT,
        with_total=False,
    )
    return [r["name"] for r in rows]


def recommendations(ctx, competency: str, level: int) -> list[dict]:
    """Live learning that teaches ``competency`` at ``level`` or above, from every doctype
    whose meta declares what it teaches (``"teaches"``: its competency table and the
    condition that makes a record live, such as {"workflow_state": "Published"})."""
    from app import query
    from app.errors import PermissionDenied

    out = []
    for meta in ctx.registry:
        teaches = getattr(meta, "teaches", None)
        if not teaches:
            continue
        table, columns = teaches["table"], teaches["columns"]
        filters = {**teaches.get("live", {}), f"{table}.{columns['competency']}": competency}
        # Live learning is the catalogue of every MDO: read with the platform's access, and
        # only names, titles and levels leave here.
        try:
            rows, _ = query.get_list(ctx.as_system(), meta.name, filters=filters, limit=query.MAX_LIMIT, with_total=False)
        except PermissionDenied:
            continue
        for r in rows:
            best = max(
                (int(t.get(columns["level"]) or 0) for t in r.get(table) or [] if t.get(columns["competency"]) == competency),
                default=0,
            )
            if best >= level:
                out.append(
                    {
                        "doctype": meta.name,
                        "name": r["name"],
                        "title": r.get(meta.title_field) if meta.title_field else r["name"],
                        "level": best,
                    }
                )
    return sorted(out, key=lambda r: (r["level"], r["title"] or ""))


# answers for the API and the admin ------------------------------------------------------------


def officer_gap(ctx, officer: str, *, learning: bool = True) -> dict:
    """An officer's gaps against their position's verified role map, with the live courses
    and content that close each (unless ``learning`` is False: the levels alone). NotFound
    unless the caller may read the officer."""
    from app.model import lifecycle

    off = lifecycle.read(ctx, "Officer", officer)
    db = ctx.site.unguarded_db
    rows = sorted(db["officer_gap"].find({"officer": officer}), key=lambda r: (-r["gap"], r["competency"]))
    out = {
        "officer": officer,
        "full_name": off.get("full_name"),
        "mdo": off.get("mdo"),
        "position": off.get("position"),
        "role_map": rows[0]["role_map"] if rows else None,
        "position_name": rows[0].get("position_name") if rows else None,
        "competencies": [],
    }
    if not off.get("position"):
        out["message"] = "No position is assigned to this officer, so no role map sets what they need."
    elif not rows:
        rm = verified_map(db, off.get("mdo"), off["position"])
        out["message"] = (
            "The position's verified role map requires no competencies."
            if rm
            else "The officer's position has no verified role map yet."
        )
    for r in rows:
        out["competencies"].append(
            {
                "competency": r["competency"],
                "required_level": r["required_level"],
                "current_level": r["current_level"],
                "gap": r["gap"],
                "learning": recommendations(ctx, r["competency"], r["required_level"]) if r["gap"] and learning else [],
            }
        )
    return out


def mdo_gap(ctx, mdo: str) -> dict:
    """Per competency, how many of an MDO's officers fall short and by how much on average,
    with the same per position; read from the ``gap_summary`` rollup."""
    from app import query
    from app.errors import NotFound

    officers.check_mdo(ctx, ctx.registry.get("Gap Summary"), mdo)
    if not ctx.site.unguarded("mdo").find_one({"_id": mdo}, {"_id": 1}):
        raise NotFound(f"MDO {mdo!r} not found", doctype="MDO", name=mdo)
    rows = query.aggregate(ctx, "Gap Summary", [{"$match": {"mdo": mdo}}, {"$sort": {"competency": 1, "position_name": 1}}])
    by_comp: dict[str, dict] = {}
    for r in rows:
        c = by_comp.setdefault(
            r["competency"], {"competency": r["competency"], "officers": 0, "officers_short": 0, "total_gap": 0, "positions": []}
        )
        for k in ("officers", "officers_short", "total_gap"):
            c[k] += r.get(k, 0)
        c["positions"].append(
            {
                "position": r["position"],
                "position_name": r.get("position_name"),
                "officers": r["officers"],
                "officers_short": r["officers_short"],
                "average_gap": round(r["total_gap"] / r["officers_short"], 2) if r["officers_short"] else 0,
            }
        )
    comps = []
    for c in by_comp.values():
        c["average_gap"] = round(c["total_gap"] / c["officers_short"], 2) if c["officers_short"] else 0
        comps.append(c)
    comps.sort(key=lambda c: (-c["officers_short"], -c["average_gap"], c["competency"]))
    return {"mdo": mdo, "competencies": comps}


def passbook(ctx, officer: str) -> dict:
    """An officer's passbook: every entry (pending, verified, rejected) and current levels."""
    from app import query

    off = officers.officer_records(ctx, "Passbook Entry", officer)
    system = ctx.as_system()  # the caller may read this officer's passbook: all of it, by officer
    entries, offset = [], 0
    while True:
        page, _ = query.get_list(
            system,
            "Passbook Entry",
            filters={"officer": officer},
            order_by="acquired_on desc",
            limit=query.MAX_LIMIT,
            offset=offset,
            with_total=False,
        )
        entries += page
        if len(page) < query.MAX_LIMIT:
            break
        offset += len(page)
    levels = sorted(
        ctx.site.unguarded("officer_competency").find({"officer": officer}), key=lambda r: (-r["level"], r["competency"])
    )
    return {
        "officer": officer,
        "full_name": off.get("full_name"),
        "mdo": off.get("mdo"),
        "current_levels": [{"competency": r["competency"], "level": r["level"], "entries": r.get("entries")} for r in levels],
        "entries": [
            {
                k: e.get(k)
                for k in (
                    "name",
                    "competency",
                    "level",
                    "source",
                    "course",
                    "certificate",
                    "score",
                    "acquired_on",
                    "workflow_state",
                    "evidence",
                )
            }
            for e in entries
        ],
    }


def talent(ctx, competency: str, level: int, mdo: str | None = None, limit: int = 50) -> list[dict]:
    """Officers with ``competency`` at ``level`` or above: an MDO Admin's among their MDO's,
    the System Manager's (and Analyst's) across MDOs. Personal fields stay hidden by the
    field-level rules, as officers are read through the query layer."""
    from app import query
    from app.errors import ValidationError

    ctx.access.require("search_talent", "search for talent")
    if level not in LEVELS:
        raise ValidationError(f"level must be 1 to 5, got {level!r}", errors={"level": ["must be 1 to 5"]})
    filters = {"competency": competency, "level": [">=", level], **({"mdo": mdo} if mdo else {})}
    found, _ = query.get_list(ctx, "Officer Competency", filters=filters, order_by="level desc", limit=limit, with_total=False)
    if not found:
        return []
    officers, _ = query.get_list(
        ctx,
        "Officer",
        filters={"name": ["in", [r["officer"] for r in found]], "is_active": True},
        limit=len(found),
        with_total=False,
    )
    by_name = {o["name"]: o for o in officers}
    keep = ("name", "full_name", "email", "designation", "position", "group", "service", "mdo", "mobile", "employee_id")
    return [
        {**{k: by_name[r["officer"]].get(k) for k in keep if k in by_name[r["officer"]]}, "level": r["level"]}
        for r in found
        if r["officer"] in by_name
    ]


def _assigned(item: dict, off: dict) -> bool:
    audience = item.get("audience") or "All Officers"
    return (
        audience == "All Officers"
        or (audience == "Position" and item.get("position") == off.get("position"))
        or (audience == "Officer" and item.get("officer") == off.get("_id", off.get("name")))
    )


def _completed(db, officers: list[str], item: dict) -> set[str]:
    """Officers who completed a plan's item: a course, by a verified completion in their
    passbook; a module, by a valid certificate of it (a revoked one does not count). An item
    of an older plan names its course in ``item``."""
    module = item.get("content_module")
    if module or item.get("item_type") == "Content Module":
        return {
            c["officer"]
            for c in db["certificate"].find(
                {"content_module": module or item.get("item"), "officer": {"$in": officers}}, {"officer": 1, "status": 1}
            )
            if c.get("status") == "Valid"
        }
    course = item.get("course") or item.get("item")
    return {
        e["officer"]
        for e in db["passbook_entry"].find(
            {"officer": {"$in": officers}, "course": course, "source": "Course Completion", "workflow_state": VERIFIED},
            {"officer": 1},
        )
    }


def officer_plan(ctx, officer: str) -> list[dict]:
    """The items of their MDO's live capacity building plans assigned to an officer."""
    from app.model import lifecycle, persistence

    off = persistence.to_db(lifecycle.read(ctx, "Officer", officer))
    db = ctx.site.unguarded_db
    out = []
    for plan in db["capacity_building_plan"].find({"mdo": off.get("mdo"), "workflow_state": "Live"}).sort("period_from", -1):
        for item in plan.get("items", []):
            if _assigned(item, off):
                done = bool(_completed(db, [officer], item))
                out.append(
                    {
                        "plan": plan["_id"],
                        "plan_name": plan.get("plan_name"),
                        "item_type": item.get("item_type"),
                        "item": item["item"],
                        "course": item.get("course"),
                        "content_module": item.get("content_module"),
                        "due_date": item.get("due_date"),
                        "completed": done,
                    }
                )
    return out


def assessment_key(officer: str, assessment: str, competency: str) -> str:
    """The unique key of the passbook entry an officer's pass of an assessment makes."""
    return f"{officer}|assessment:{assessment}|{competency}"


def record_assessment_pass(
    ctx, officer: str, assessment: str, title, competency: str, level: int, score, passed_on
) -> str | None:
    """A passed assessment enters the officer's passbook, verified by the platform, once (a
    second pass adds nothing). Returns the entry, or None if it was entered before."""
    from app.errors import DuplicateEntry, ValidationError
    from app.model import lifecycle
    from app.model.document import DocStatus

    key = assessment_key(officer, assessment, competency)
    if ctx.site.unguarded("passbook_entry").find_one({"issue_key": key}, {"_id": 1}):
        return None
    try:
        doc = lifecycle.insert(
            ctx.as_system(),
            "Passbook Entry",
            {
                "officer": officer,
                "competency": competency,
                "level": int(level),
                "source": "Assessment",
                "score": score,
                "evidence": f"Passed the assessment {title} ({assessment}) with {score}%",
                "acquired_on": passed_on,
                "workflow_state": VERIFIED,
                "issue_key": key,
            },
            docstatus=DocStatus.SUBMITTED,
        )
    except (DuplicateEntry, ValidationError) as exc:
        if "issue_key" in exc.errors:
            return None  # entered at the same moment by another request
        raise
    return doc.name


def plan_progress(ctx, plan: str) -> dict:
    """Completion of each item of a plan, and per position: officers assigned and done."""
    from app.model import lifecycle

    doc = lifecycle.read(ctx, "Capacity Building Plan", plan)
    db = ctx.site.unguarded_db
    officers = list(db["officer"].find({"mdo": doc.get("mdo"), "is_active": {"$ne": False}}, {"position": 1, "position_name": 1}))
    positions = {p["_id"]: p.get("position_name") for p in db["position"].find({"mdo": doc.get("mdo")}, {"position_name": 1})}
    items, per_position = [], {}
    for item in doc.get("items", []):
        assigned = [o for o in officers if _assigned(item, o)]
        done = _completed(db, [o["_id"] for o in assigned], item)
        items.append(
            {
                "item": item["item"],
                "item_type": item.get("item_type"),
                "audience": item.get("audience"),
                "due_date": item.get("due_date"),
                "assigned": len(assigned),
                "completed": len(done),
                "percent": round(100 * len(done) / len(assigned), 1) if assigned else 0.0,
            }
        )
        for o in assigned:
            key = o.get("position") or ""
            p = per_position.setdefault(
                key, {"position": key or None, "position_name": positions.get(key, "No position"), "assigned": 0, "completed": 0}
            )
            p["assigned"] += 1
            p["completed"] += 1 if o["_id"] in done else 0
    for p in per_position.values():
        p["percent"] = round(100 * p["completed"] / p["assigned"], 1) if p["assigned"] else 0.0
    return {"plan": plan, "items": items, "positions": sorted(per_position.values(), key=lambda p: p["position_name"] or "")}


def record_course_completion(ctx, officer: str, course: str, certificate: str, competencies, completed_on) -> list[str]:
    """When an enrolment completes with a certificate: the course's competencies enter the
    officer's passbook, verified, once (a repeated call adds nothing). ``competencies`` is
    [(competency, level)]. Returns the entries created."""
    from app.errors import DuplicateEntry, ValidationError
    from app.model import lifecycle
    from app.model.document import DocStatus

    system = ctx.as_system()
    created = []
    for competency, level in competencies:
        key = f"{officer}|{course}|{competency}"
        if ctx.site.unguarded("passbook_entry").find_one({"issue_key": key}, {"_id": 1}):
            continue
        try:
            doc = lifecycle.insert(
                system,
                "Passbook Entry",
                {
                    "officer": officer,
                    "competency": competency,
                    "level": int(level),
                    "source": "Course Completion",
                    "course": course,
                    "certificate": certificate,
                    "acquired_on": completed_on,
                    "workflow_state": VERIFIED,
                    "issue_key": key,
                },
                docstatus=DocStatus.SUBMITTED,
            )
        except (DuplicateEntry, ValidationError) as exc:  # refused by the unique check or the index
            if "issue_key" in exc.errors:
                continue  # made at the same moment by another request
            raise
        created.append(doc.name)
    return created


def level_names(ctx, record: dict) -> dict[int, str]:
    """{level: name} of the record's competency, as the dictionary names them (the default
    scale where the record names no competency, or its competency cannot be read)."""
    from app import query
    from app.errors import IgotError

    names = {n: name for n, name, _ in DEFAULT_SCALE}
    competency = record.get("competency")
    if competency and isinstance(competency, str):
        try:
            rows, _ = query.get_list(ctx, "Competency", filters={"name": competency}, fields=["name", "levels"], limit=1)
        except IgotError:
            rows = []
        for row in (rows[0].get("levels") if rows else None) or []:
            if row.get("level") and row.get("level_name"):
                names[int(row["level"])] = row["level_name"]
    return names


# The numbers that are competency levels, wherever they are kept: shown and picked by name.
LEVEL_FIELDS = (
    ("Passbook Entry", "level"),
    ("Officer Competency", "level"),
    ("Officer Gap", "required_level"),
    ("Officer Gap", "current_level"),
    ("Role Map Requirement", "required_level"),
    ("FRAC Role Competency", "required_level"),
    ("Course Competency", "level"),
    ("Assessment", "level"),
)
