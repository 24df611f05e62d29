"""How a new record gets its name (stored as ``_id``).

- ``field:<fieldname>``: the value of that field (e.g. an MDO's name).
- ``hash``: 10 random hex characters.
- a naming series such as ``OFF-.YYYY.-.#####``: the parts between dots are joined, with
  ``YYYY``, ``YY``, ``MM``, ``DD`` replaced by the date and ``#####`` by a counter padded to
  that many digits. The counter is kept per prefix (``OFF-2026-``) in the ``naming_series``
  collection and advanced with one atomic ``$inc`` on one document, so two processes (or two
  MongoDB clients on a sharded cluster) never receive the same number. Where a server hands
  one number out twice all the same (FerretDB reads and writes an update in two steps), the
  record's write meets the taken name and draws again (``lifecycle.insert``).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading

from app.errors import ValidationError

SERIES_COLLECTION = "naming_series"


def series_parts(pattern: str, now) -> tuple[str, int]:
    """``("OFF-2026-", 5)`` for ``OFF-.YYYY.-.#####`` in 2026."""
    return _series_parts(pattern, now.year, now.month, now.day)


@functools.lru_cache(maxsize=256)  # the same few series, the same day, for every record named
def _series_parts(pattern: str, year: int, month: int, day: int) -> tuple[str, int]:
    today = dt.date(year, month, day)
    prefix, digits = [], 0
    for part in pattern.split("."):
        if part and part == "#" * len(part):
            digits = len(part)
            break
        prefix.append(today.strftime(DATE_PARTS[part]) if part in DATE_PARTS else part)
    return "".join(prefix), digits


DATE_PARTS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}

_drawn = threading.local()
_DRAW = 4096  # random bytes asked of the system at a time


def random_names(count: int) -> list[str]:
    """``count`` names of 10 random hex characters (a ``hash`` record's, a child row's). The
    system's random bytes (``os.urandom``, as ``secrets`` uses) are asked for a few thousand
    at a time, per thread, rather than once per record: an import names two records and
    several child rows per officer. A forked process draws its own."""
    pool = getattr(_drawn, "pool", b"")
    needed = 5 * count
    if len(pool) < needed:
        pool += os.urandom(max(_DRAW, needed))
    taken, _drawn.pool = pool[:needed], pool[needed:]
    text = taken.hex()
    return [text[10 * i : 10 * i + 10] for i in range(count)]


def _forget_drawn() -> None:
    _drawn.pool = b""


os.register_at_fork(after_in_child=_forget_drawn)


def next_counter(db, key: str, count: int = 1) -> int:
    """Advance the series ``key`` by ``count``; returns the last number reserved. The counter
    is keyed by ``_id``, which every store keeps unique: of two first-ever upserts that race,
    one inserts and the other is refused with a duplicate key and retried, as an update of
    the counter the winner made (``persistence.upsert``)."""
    from app.model import persistence

    doc = persistence.upsert(db[SERIES_COLLECTION], {"_id": key}, {"$inc": {"current": count}}, returning=True)
    return doc["current"]


def make_name(ctx, meta, values: dict) -> str:
    rule = meta.autoname
    if rule == "hash":
        return random_names(1)[0]
    if rule.startswith("field:"):
        fieldname = rule[6:]
        value = values.get(fieldname)
        if value is None or not str(value).strip():
            raise ValidationError.for_fields(
                meta.name, None, {fieldname: ["Missing data for required field: the record is named after it."]}
            )
        return str(value).strip()
    if ctx.name_block > 1:
        pool = ctx.name_pool.setdefault(rule, [])
        if not pool or not pool[0].startswith(series_parts(rule, ctx.now())[0]):
            pool[:] = reserve_names(ctx, meta, ctx.name_block)
        return pool.pop(0)
    prefix, digits = series_parts(rule, ctx.now())
    return f"{prefix}{next_counter(ctx.site.db, prefix):0{digits}d}"


def name_after(ctx, meta, values: dict, taken: str) -> str:
    """Another name for a record whose drawn name ``taken`` another record holds. For a
    series: a number above the taken one, and the counter raised to it first, so that where
    the counter lost counts (a server that reads and writes an update in two steps) each
    writer still moves up past the numbers it met taken and the others follow."""
    rule = meta.autoname
    if ctx.name_block > 1 or rule == "hash" or rule.startswith("field:"):
        return make_name(ctx, meta, values)
    prefix, digits = series_parts(rule, ctx.now())
    number = taken[len(prefix) :] if taken.startswith(prefix) else ""
    if not number.isdigit():
        return make_name(ctx, meta, values)
    counters = ctx.site.db[SERIES_COLLECTION]
    counters.update_one({"_id": prefix}, {"$max": {"current": int(number)}})
    return f"{prefix}{max(next_counter(ctx.site.db, prefix), int(number) + 1):0{digits}d}"


def reserve_names(ctx, meta, count: int) -> list[str]:
    """``count`` consecutive series names with one counter update (bulk imports)."""
    prefix, digits = series_parts(meta.autoname, ctx.now())
    last = next_counter(ctx.site.db, prefix, count)
    return [f"{prefix}{n:0{digits}d}" for n in range(last - count + 1, last + 1)]


def amended_name(collection, name: str, amended_from: str | None) -> str:
    """The name of an amendment of ``name``: ``NAME-1``, then ``NAME-2`` (an amendment of
    ``NAME-1`` is ``NAME-2``, not ``NAME-1-1``)."""
    root = re.sub(r"-\d+$", "", name) if amended_from else name
    pattern = f"^{re.escape(root)}-(\\d+)$"
    taken = [int(re.match(pattern, d["_id"]).group(1)) for d in collection.find({"_id": {"$regex": pattern}}, {"_id": 1})]
    return f"{root}-{max(taken, default=0) + 1}"
