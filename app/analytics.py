"""Saved analyses: aggregation pipelines kept once, under ``scripts/analytics/<name>.js``,
each runnable by mongosh against a real MongoDB and by ``igot aggregate <name>`` on any
store. The file holds the collection and the pipeline as strict JSON; ``--mdo`` (``var MDO``
in mongosh) puts ``{$match: {mdo: M}}`` in front, which every analysed collection indexes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from app.config import ROOT

FOLDER = ROOT / "scripts" / "analytics"
_COLLECTION = re.compile(r'^const collection = "([\w.]+)";$', re.M)
_PIPELINE = re.compile(r"^const pipeline = (\[.*?^\]);$", re.M | re.S)


class AnalysisError(ValueError):
    pass


def names(folder: Path = FOLDER) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.js"))


def load(name: str, folder: Path = FOLDER) -> dict:
    path = folder / f"{name}.js"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.exists():
        raise AnalysisError(f"no saved analysis {name!r}; there are: {', '.join(names(folder))}")
    text = path.read_text()
    coll, pipe = _COLLECTION.search(text), _PIPELINE.search(text)
    if not coll or not pipe:
        raise AnalysisError(f'{path}: expected `const collection = "...";` and `const pipeline = [...];`')
    try:
        pipeline = json.loads(pipe.group(1))
    except json.JSONDecodeError as exc:
        raise AnalysisError(f"{path}: the pipeline is not strict JSON: {exc}") from None
    about = " ".join(line[3:] for line in text.splitlines()[:1] if line.startswith("// "))
    return {"name": name, "collection": coll.group(1), "pipeline": pipeline, "about": about, "path": path}


def stages(analysis: dict, mdo: str | None = None) -> list[dict]:
    return ([{"$match": {"mdo": mdo}}] if mdo else []) + analysis["pipeline"]


def run(db, name: str, mdo: str | None = None) -> list[dict]:
    """The analysis's rows; with ``mdo``, only that MDO's (AnalysisError if no MDO has the name)."""
    analysis = load(name)
    if mdo and not db["mdo"].count_documents({"_id": mdo}):
        import difflib

        known = [m for m in db["mdo"].distinct("_id") if m]
        close = difflib.get_close_matches(mdo, known, n=3, cutoff=0.5)
        hint = (
            f"; did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else "; `igot shell --read-only`, then db.mdo.distinct('_id'), lists them"
        )
        raise AnalysisError(f"--mdo {mdo!r} is not an MDO{hint}")
    return list(db[analysis["collection"]].aggregate(stages(analysis, mdo)))


# the columns an analyst reads a row by, first: who, what, when; then the figures
KEYS = ("mdo", "mdo_name", "competency", "position", "position_name", "course", "programme", "kind", "state", "month", "year")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def render(rows: list[dict], fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    seen = list(dict.fromkeys(k for r in rows for k in r))
    columns = [k for k in KEYS if k in seen] + [k for k in seen if k not in KEYS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in columns])
        return out.getvalue().rstrip("\n")
    if not rows:
        return "(no rows)"
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += [
        "  ".join(
            v.rjust(w) if r[i] and isinstance(rows[n].get(columns[i]), (int, float)) else v.ljust(w)
            for i, (v, w) in enumerate(zip(r, widths))
        )
        for n, r in enumerate(cells)
    ]
    return "\n".join(lines)
