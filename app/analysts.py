"""What analysts read, designed once for both stores.

Analysts query the database directly (mongosh on MongoDB; ``igot shell --read-only`` and
``igot aggregate`` on any store), so what they may read is a list of names, the **analysts'
surface** (``surface``):

- every doctype's collection that the Analyst role reads, under its own name, when it has no
  field above the Analyst's permission level;
- for a doctype that has such fields (an officer's employee id, mobile and date of birth; a
  version's restricted changes; a job's traceback), a view named ``analyst_<collection>``:
  the collection without those fields. The collection itself is not on the surface;
- the platform's rollups that are not doctypes (``mdo_activity``) and the doctype
  definitions (``doctype``).

Nothing else: not the credentials, API tokens, sessions, login attempts or settings, not
the attachments (``fs.files``), not the naming counters. On MongoDB, ``igot analyst-role``
creates the views and a role that may ``find`` (and so aggregate) only these names; MongoDB
checks a view's privileges on the view alone, so the role never reaches the collections
behind them. On any store, ``AnalystDatabase`` gives the same names with the same fields
(views are applied as a ``$project`` stage), for ``igot shell --read-only`` and
``igot aggregate``. The data dictionary lists the surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.store.readonly import ReadOnlyError

ROLE = "igot_analyst"
VIEW_PREFIX = "analyst_"
# Collections that are not doctypes and that analysts read: the platform's rollups and the
# definitions the database describes itself with.
EXTRA = {"mdo_activity": "the MDO dashboard's rollup: one count per MDO, metric and month", "doctype": "the doctype definitions"}
# Stages that read or write other collections: refused where views are emulated (on MongoDB
# the role's privileges decide, collection by collection).
FORBIDDEN_STAGES = ("$out", "$merge", "$lookup", "$graphLookup", "$unionWith")


@dataclass(frozen=True)
class View:
    name: str  # what analysts read
    source: str  # the collection behind it
    hidden: tuple = field(default=())  # fields left out (dotted for child table fields)
    about: str = ""

    @property
    def is_view(self) -> bool:
        return self.name != self.source

    @property
    def pipeline(self) -> list[dict]:
        return [{"$project": {h: 0 for h in self.hidden}}] if self.hidden else []


def _analyst_levels(meta) -> set[int]:
    from app.access import analyst_roles

    roles = analyst_roles(None)
    return {r.get("permlevel", 0) for r in meta.permissions if r.get("role") in roles and r.get("read")}


def _hidden(registry, meta, levels: set[int]) -> list[str]:
    hidden = []
    for f in meta.all_fields:
        if f.permlevel not in levels:
            hidden.append(f.fieldname)
        elif f.fieldtype == "Table":
            child = registry.get(f.options)
            hidden += [f"{f.fieldname}.{cf.fieldname}" for cf in child.all_fields if cf.permlevel not in levels]
    return hidden


def surface(registry) -> dict[str, View]:
    """The names analysts read, each with its source collection and the fields left out."""
    out: dict[str, View] = {}
    for meta in sorted(registry, key=lambda m: m.collection):
        if meta.is_child:
            continue
        levels = _analyst_levels(meta)
        if 0 not in levels:
            continue
        hidden = tuple(_hidden(registry, meta, levels))
        name = f"{VIEW_PREFIX}{meta.collection}" if hidden else meta.collection
        out[name] = View(name, meta.collection, hidden, meta.description or meta.name)
    for name, about in EXTRA.items():
        out[name] = View(name, name, (), about)
    return out


# On any store: the surface as a database object ---------------------------------------------


class AnalystDatabase:
    """The analysts' surface of ``db``: only its names, views applied, reads only."""

    def __init__(self, db, registry):
        self._db = db
        self._views = surface(registry)

    def list_collection_names(self) -> list[str]:
        return sorted(self._views)

    def __getitem__(self, name: str) -> AnalystCollection:
        view = self._views.get(name)
        if view is None:
            hint = f"; read {VIEW_PREFIX}{name}" if f"{VIEW_PREFIX}{name}" in self._views else ""
            raise ReadOnlyError(f"{name} is not available to analysts{hint} (db.list_collection_names() lists what is)")
        return AnalystCollection(self._db[view.source], view, self)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "name":
            return self._db.name
        if name in ("command", "client", "drop_collection", "create_collection", "rename_collection"):
            raise ReadOnlyError(f"analysts' shell: db.{name} is not allowed")
        return self[name]

    def __repr__(self):
        return f"AnalystDatabase({self._db.name!r}, {len(self._views)} collections and views)"


class AnalystCollection:
    """Reads of one name of the surface. A view's fields are projected out before the
    caller's own filter runs, so a filter on a left-out field matches nothing, as on MongoDB."""

    def __init__(self, collection, view: View, database: AnalystDatabase):
        self._c = collection
        self._view = view
        self._database = database

    @property
    def name(self) -> str:
        return self._view.name

    def aggregate(self, pipeline, *args, **kwargs):
        for stage in pipeline:
            bad = [k for k in stage if k in FORBIDDEN_STAGES]
            if bad:
                raise ReadOnlyError(
                    f"analysts' shell: the {bad[0]} stage reads or writes other collections and is not allowed here"
                )
        return self._c.aggregate(self._view.pipeline + list(pipeline), *args, **kwargs)

    def find(self, filter=None, projection=None):
        return AnalystCursor(self, filter or {}, projection)

    def find_one(self, filter=None, projection=None):
        return next(iter(self.find(filter, projection).limit(1)), None)

    def count_documents(self, filter=None) -> int:
        rows = list(self.aggregate([{"$match": filter or {}}, {"$count": "n"}]))
        return rows[0]["n"] if rows else 0

    def estimated_document_count(self) -> int:
        return self._c.estimated_document_count()

    def distinct(self, key: str, filter=None) -> list:
        if any(key == h or key.startswith(h + ".") for h in self._view.hidden):
            return []
        values: list = []
        for row in self.aggregate([{"$match": filter or {}}, {"$group": {"_id": f"${key}"}}]):
            value = row["_id"]
            for v in value if isinstance(value, list) else [value]:
                if v is not None and v not in values:
                    values.append(v)
        return sorted(values, key=str)

    # the names mongosh users type first
    countDocuments = count_documents  # noqa: N815
    findOne = find_one  # noqa: N815
    estimatedDocumentCount = estimated_document_count  # noqa: N815

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        raise ReadOnlyError(
            f"analysts' shell: {self._view.name}.{attr}() is not allowed (reads only: find, "
            f"find_one, aggregate, count_documents, distinct)"
        )

    def __repr__(self):
        return f"AnalystCollection({self._view.name!r})"


class AnalystCursor:
    """``find``'s answer: sort, skip and limit, as a cursor has them, run as one pipeline."""

    def __init__(self, collection: AnalystCollection, filter: dict, projection):
        self._coll, self._filter, self._projection = collection, filter, projection
        self._sort: list = []
        self._skip = 0
        self._limit = 0

    def sort(self, key, direction=1):
        self._sort = list(key) if isinstance(key, list) else [(key, direction)]
        return self

    def skip(self, n: int):
        self._skip = int(n)
        return self

    def limit(self, n: int):
        self._limit = int(n)
        return self

    def _pipeline(self) -> list[dict]:
        stages: list[dict] = [{"$match": self._filter}]
        if self._sort:
            stages.append({"$sort": dict(self._sort)})
        if self._skip:
            stages.append({"$skip": self._skip})
        if self._limit:
            stages.append({"$limit": self._limit})
        projection = self._projection
        if isinstance(projection, (list, tuple)):
            projection = {k: 1 for k in projection}
        if projection:
            stages.append({"$project": dict(projection)})
        return stages

    def __iter__(self):
        return iter(self._coll.aggregate(self._pipeline()))

    def to_list(self, length=None) -> list:
        rows = list(self)
        return rows if length is None else rows[:length]

    def toArray(self) -> list:  # noqa: N802 - as mongosh names it
        return list(self)

    def pretty(self):
        """As in mongosh: the cursor, which the shell prints a document per block."""
        return self

    def __repr__(self):
        import pprint

        rows = list(self._coll.aggregate(self._pipeline() + ([] if self._limit else [{"$limit": SHOWN + 1}])))
        more = len(rows) > SHOWN and not self._limit
        text = "\n".join(pprint.pformat(r, sort_dicts=False, width=110) for r in rows[:SHOWN]) or "(no documents)"
        return text + ("\n... more: use .skip(20) or list(...) for all" if more else "")


SHOWN = 20  # documents a cursor shows when the shell prints it, as mongosh does


# mongosh habits in the analysts' shell (a Python console) ----------------------------------

MONGOSH_HINT = (
    "This shell speaks Python: quote keys ({'mdo': 'Ministry of Power'}), write True, False, None, "
    "and count_documents or countDocuments; `show collections` lists what you may read."
)


class AnalystConsole:
    """The read-only shell's console: Python, plus what mongosh users type first (``show
    collections``, ``countDocuments``, ``.pretty()``), and a plain hint when what was typed
    cannot be Python (a block still open, a ``for`` or a ``def``, waits for its next line, as
    in the standard console)."""

    def __init__(self, db, local: dict):
        import code

        console = self

        class _Console(code.InteractiveConsole):
            def runsource(self, source, filename="<input>", symbol="single"):
                said = source.strip().rstrip(";")
                if said in ("show collections", "show tables"):
                    self.write("\n".join(db.list_collection_names()) + "\n")
                    return False
                if said in ("show dbs", "show databases"):
                    self.write(f"{db.name}\n")
                    return False
                if said in ("exit", "quit"):
                    raise SystemExit
                try:
                    # compiled as the console compiles (codeop): None while a block is still
                    # open (a `for`, a `def`), and the next line continues it; only input
                    # that can never be Python gets the hint in place of the SyntaxError
                    if self.compile(source, filename, symbol) is None:
                        return True
                except SyntaxError:
                    console.hinted = True
                    self.write(MONGOSH_HINT + "\n")
                    return False
                except (OverflowError, ValueError):
                    pass  # the console reports these itself
                return super().runsource(source, filename, symbol)

            def showtraceback(self):
                import sys

                kind = sys.exc_info()[0]
                super().showtraceback()
                if kind is NameError:  # {mdo: "X"}, true, null: mongosh's words, not Python's
                    console.hinted = True
                    self.write(MONGOSH_HINT + "\n")

        self.hinted = False
        self.console = _Console(local)

    def interact(self, banner: str) -> None:
        self.console.interact(banner=banner, exitmsg="")

    def push(self, line: str) -> bool:
        return self.console.push(line)


# On MongoDB: the views and the role ------------------------------------------------------


def role_commands(db_name: str, registry, role: str = ROLE) -> list[dict]:
    """The database commands that create (or bring up to date) the views and the role: a
    ``create`` per view (``collMod`` if it exists), then ``createRole`` (``updateRole``)."""
    views = surface(registry)
    commands: list[dict] = []
    for view in views.values():
        if view.is_view:
            commands.append({"create": view.name, "viewOn": view.source, "pipeline": view.pipeline})
    privileges = [
        {"resource": {"db": db_name, "collection": name}, "actions": ["find", "listIndexes", "collStats"]}
        for name in sorted(views)
    ]
    privileges.append({"resource": {"db": db_name, "collection": ""}, "actions": ["listCollections"]})
    commands.append({"createRole": role, "privileges": privileges, "roles": []})
    return commands


def mongosh_script(db_name: str, registry, role: str = ROLE) -> str:
    """The same commands as a mongosh script, for an operator who runs them by hand."""
    import json

    lines = [
        f"// The analysts' views and role for the database {db_name!r} (igot analyst-role --print).",
        f"const target = db.getSiblingDB({json.dumps(db_name)});",
    ]
    for command in role_commands(db_name, registry, role):
        if "create" in command:
            name = json.dumps(command["create"])
            lines.append(
                f"if (target.getCollectionNames().includes({name})) "
                f"target.runCommand({json.dumps({'collMod': command['create'], 'viewOn': command['viewOn'], 'pipeline': command['pipeline']})}); "
                f"else target.runCommand({json.dumps(command)});"
            )
        else:
            update = {"updateRole": command["createRole"], "privileges": command["privileges"], "roles": []}
            lines.append(
                f"if (target.getRole({json.dumps(role)})) target.runCommand({json.dumps(update)}); "
                f"else target.runCommand({json.dumps(command)});"
            )
    lines.append(f'// then: target.createUser({{user: "analyst", pwd: passwordPrompt(), roles: [{json.dumps(role)}]}})')
    return "\n".join(lines) + "\n"


def apply_role(db, registry, role: str = ROLE) -> list[str]:
    """Run ``role_commands`` on a MongoDB database; returns what was done, one line each."""
    from pymongo.errors import OperationFailure

    done = []
    existing = set(db.list_collection_names())
    for command in role_commands(db.name, registry, role):
        if "create" in command:
            if command["create"] in existing:
                db.command({"collMod": command["create"], "viewOn": command["viewOn"], "pipeline": command["pipeline"]})
                done.append(f"view {command['create']}: updated")
            else:
                db.command(command)
                done.append(f"view {command['create']}: created")
            continue
        try:
            db.command(command)
            done.append(f"role {role}: created with {len(command['privileges']) - 1} collections and views")
        except OperationFailure as exc:
            if getattr(exc, "code", None) != 51002:  # the role exists
                raise
            db.command({"updateRole": role, "privileges": command["privileges"], "roles": []})
            done.append(f"role {role}: updated with {len(command['privileges']) - 1} collections and views")
    return done
