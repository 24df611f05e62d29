"""A read-only view of the database for analysts (``igot shell --read-only``): reads pass
through; every write, index change, drop and writing aggregation stage ($out, $merge) is
refused before it reaches the store. On a real MongoDB, also give analysts a database user
with only the built-in ``read`` role: this guard protects the shell, the server protects
the data."""
from __future__ import annotations

READS = {"find", "find_one", "aggregate", "count_documents", "estimated_document_count", "distinct",
         "list_indexes", "index_information", "options", "name", "full_name", "database", "find_raw_batches"}
WRITING_STAGES = ("$out", "$merge")


class ReadOnlyError(PermissionError):
    pass


class ReadOnlyCollection:
    def __init__(self, collection):
        self._c = collection

    def __getattr__(self, attr):
        if attr not in READS:
            if not attr.startswith("_") and hasattr(self._c, attr):
                raise ReadOnlyError(f"read-only shell: {self._c.name}.{attr}() is not allowed")
            raise AttributeError(attr)
        if attr == "aggregate":
            return self._aggregate
        return getattr(self._c, attr)

    def __getitem__(self, sub):  # db.fs.files
        return ReadOnlyCollection(self._c[sub])

    def _aggregate(self, pipeline, *args, **kwargs):
        for stage in pipeline:
            writing = [k for k in stage if k in WRITING_STAGES]
            if writing:
                raise ReadOnlyError(f"read-only shell: the {writing[0]} stage writes and is not allowed")
        return self._c.aggregate(pipeline, *args, **kwargs)

    def __repr__(self):
        return f"ReadOnlyCollection({self._c.name!r})"


class ReadOnlyDatabase:
    def __init__(self, db):
        self._db = db

    def __getitem__(self, name):
        return ReadOnlyCollection(self._db[name])

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("list_collection_names", "list_collections", "name"):
            return getattr(self._db, name)
        if name == "command":
            return self._command
        if name in ("drop_collection", "create_collection", "rename_collection", "client"):
            raise ReadOnlyError(f"read-only shell: db.{name} is not allowed")
        return ReadOnlyCollection(self._db[name])

    def _command(self, command, *args, **kwargs):
        name = command if isinstance(command, str) else next(iter(command))
        if name not in ("ping", "dbStats", "dbstats", "collStats", "collstats", "buildInfo", "buildinfo", "listCollections", "explain"):
            raise ReadOnlyError(f"read-only shell: the {name} command is not allowed")
        return self._db.command(command, *args, **kwargs)

    def __repr__(self):
        return f"ReadOnlyDatabase({self._db.name!r})"
