"""The MDO dashboard's rollup (``mdo_activity``): per MDO and month, officers onboarded,
enrolments, certificates and passbook entries verified, kept by atomic ``$inc`` as officers and enrolments come and
go, and recomputed from scratch by ``igot rollups rebuild``. The dashboard reads this and
``gap_summary`` only, so it costs the same at 1,000 officers as at 10 million.
"""

from __future__ import annotations

import datetime as dt

COLLECTION = "mdo_activity"
METRICS = ("officers", "enrolments", "certificates", "passbook_verified")


def _month(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m")
    return str(value or "")[:7] or "unknown"


def bump(ctx, mdo: str | None, metric: str, when, by: int = 1) -> None:
    """Count ``by`` more (or fewer) of ``metric`` for ``mdo`` in the month of ``when``."""
    bump_many(ctx, metric, {(mdo, _month(when)): by})


def bump_many(ctx, metric: str, counts: dict[tuple, int]) -> None:
    """``bump`` for several MDOs and months ({(mdo, month): by}) with one bulk write."""
    from app.model.persistence import upsert_many

    now = ctx.now()
    upsert_many(
        ctx.site.unguarded(COLLECTION),
        [
            (
                {"_id": f"{mdo}|{metric}|{month}"},
                {
                    "$inc": {"count": by},
                    "$set": {"modified": now, "modified_by": ctx.user},
                    "$setOnInsert": {
                        "mdo": mdo,
                        "metric": metric,
                        "month": month,
                        "owner": ctx.user,
                        "creation": now,
                        "docstatus": 0,
                    },
                },
            )
            for (mdo, month), by in sorted(counts.items(), key=str)
            if mdo
        ],
    )


COUNTED = "_counted"  # on a record: the metrics it has been counted in


def bump_once(doc, metric: str, when, by: int = 1) -> bool:
    """Count a record in ``metric`` once, however often its hook runs (a hook run again after
    a crash): the record is claimed for the metric by an atomic update of the record itself,
    then counted. Returns whether it was counted now. A record of an ``insert_many`` batch
    whose note claimed the metric is not counted again when the batch is completed after a
    crash."""
    if metric in doc.ctx.batch_counted:
        return False
    claimed = doc.ctx.site.collection(doc.doctype).update_one(
        {"_id": doc.name, COUNTED: {"$ne": metric}}, {"$addToSet": {COUNTED: metric}}
    )
    if claimed.modified_count:
        bump(doc.ctx, doc.get("mdo"), metric, when, by)
    return bool(claimed.modified_count)


def bump_once_many(ctx, doctype: str, docs, metric: str) -> None:
    """``bump_once`` for many records: those not counted yet claimed with one update, then
    counted with one increment per MDO and month. In the follow-up of an ``insert_many``
    batch (whose records are new, counted nowhere else) the claim is one update of the
    batch's note rather than of every record."""
    if not docs:
        return
    if ctx.batch_note is not None:
        from app.model.lifecycle import claim_for_batch

        fresh = list(docs) if claim_for_batch(ctx, metric) else []
    else:
        coll = ctx.site.collection(doctype)
        names = [d.name for d in docs]
        already = {d["_id"] for d in coll.find({"_id": {"$in": names}, COUNTED: metric}, {"_id": 1})}
        fresh = [d for d in docs if d.name not in already]
        if fresh:
            coll.update_many({"_id": {"$in": [d.name for d in fresh]}}, {"$addToSet": {COUNTED: metric}})
    if not fresh:
        return
    sums: dict[tuple, int] = {}
    for doc in fresh:
        key = (doc.get("mdo"), _month(doc.creation))
        sums[key] = sums.get(key, 0) + 1
    bump_many(ctx, metric, sums)


def recount(ctx, mdos) -> None:
    """Recompute the officers onboarded of ``mdos`` from the officers themselves (after an
    interrupted import, whose counting may have been cut off)."""
    db = ctx.site.unguarded_db
    for mdo in sorted({m for m in mdos if m}):
        counts: dict[str, int] = {}
        # every officer of the MDO is counted from now on, so a hook run again counts none twice
        db["officer"].update_many({"mdo": mdo, COUNTED: {"$ne": "officers"}}, {"$addToSet": {COUNTED: "officers"}})
        for o in db["officer"].find({"mdo": mdo}, {"creation": 1}):
            counts[_month(o.get("creation"))] = counts.get(_month(o.get("creation")), 0) + 1
        db[COLLECTION].delete_many({"mdo": mdo, "metric": "officers"})
        now = ctx.now()
        rows = [
            {
                "_id": f"{mdo}|officers|{month}",
                "mdo": mdo,
                "metric": "officers",
                "month": month,
                "count": n,
                "owner": ctx.user,
                "creation": now,
                "modified": now,
                "modified_by": ctx.user,
                "docstatus": 0,
            }
            for month, n in counts.items()
        ]
        if rows:
            db[COLLECTION].insert_many(rows)


def rebuild(ctx) -> int:
    """Recompute every count from the officers and enrolments."""
    db = ctx.site.unguarded_db
    counts: dict[tuple, int] = {}
    for o in db["officer"].find({}, {"mdo": 1, "creation": 1}):
        key = (o.get("mdo"), "officers", _month(o.get("creation")))
        counts[key] = counts.get(key, 0) + 1
    for e in db["enrolment"].find({}, {"mdo": 1, "creation": 1}):
        key = (e.get("mdo"), "enrolments", _month(e.get("creation")))
        counts[key] = counts.get(key, 0) + 1
    for c in db["certificate"].find({}, {"mdo": 1, "issued_on": 1}):  # of courses and of modules alike
        key = (c.get("mdo"), "certificates", _month(c.get("issued_on")))
        counts[key] = counts.get(key, 0) + 1
    for p in db["passbook_entry"].find({"docstatus": 1}, {"mdo": 1, "modified": 1}):
        key = (p.get("mdo"), "passbook_verified", _month(p.get("modified")))
        counts[key] = counts.get(key, 0) + 1
    db[COLLECTION].delete_many({})
    now = ctx.now()
    rows = [
        {
            "_id": f"{m}|{metric}|{month}",
            "mdo": m,
            "metric": metric,
            "month": month,
            "count": n,
            "owner": ctx.user,
            "creation": now,
            "modified": now,
            "modified_by": ctx.user,
            "docstatus": 0,
        }
        for (m, metric, month), n in counts.items()
        if m
    ]
    if rows:
        db[COLLECTION].insert_many(rows)
    return len(rows)


def dashboard(ctx, mdos: list[str] | None) -> dict:
    """The figures of an MDO (or several, or every MDO with None): totals and the last twelve
    months of officers onboarded, enrolments and certificates, and the top competency gaps.
    Reads only rollups."""
    db = ctx.site.unguarded_db
    match = {"mdo": {"$in": mdos}} if mdos is not None else {}
    series: dict[str, dict[str, int]] = {m: {} for m in METRICS}
    totals = dict.fromkeys(METRICS, 0)
    for row in db[COLLECTION].find(match, {"metric": 1, "month": 1, "count": 1}):
        if row.get("metric") in series:
            series[row["metric"]][row["month"]] = series[row["metric"]].get(row["month"], 0) + row["count"]
            totals[row["metric"]] += row["count"]
    gaps = list(
        db["gap_summary"].aggregate(
            ([{"$match": match}] if match else [])
            + [
                {"$group": {"_id": "$competency", "short": {"$sum": "$officers_short"}}},
                {"$match": {"short": {"$gt": 0}}},
                {"$sort": {"short": -1, "_id": 1}},
                {"$limit": 10},
            ]
        )
    )
    return {
        "mdos": mdos,
        "totals": totals,
        "months": {m: [{"month": k, "count": v} for k, v in sorted(s.items())][-12:] for m, s in series.items()},
        "top_gaps": [{"competency": g["_id"], "officers_short": g["short"]} for g in gaps],
    }


def by_mdo(ctx, mdos: list[str] | None, metric: str) -> list[dict]:
    """Each MDO's total of ``metric``, largest first."""
    match = {"metric": metric, **({"mdo": {"$in": mdos}} if mdos is not None else {})}
    totals: dict[str, int] = {}
    for row in ctx.site.unguarded(COLLECTION).find(match, {"mdo": 1, "count": 1}):
        totals[row["mdo"]] = totals.get(row["mdo"], 0) + row["count"]
    return [{"mdo": m, "count": n} for m, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if n]
