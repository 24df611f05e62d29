"""``igot init``: create indexes, record the doctype definitions, load fixtures. Idempotent."""

from __future__ import annotations

import json

import pymongo

from app import fixtures

DOCTYPE_COLLECTION = "doctype"


def index_specs(meta) -> list[dict]:
    """The indexes a doctype's collection needs: those declared in its meta, plus one unique
    index per ``unique`` field (sparse: records without a value are not compared)."""
    specs = []
    for index in meta.indexes:
        keys = [(k.lstrip("-"), pymongo.DESCENDING if k.startswith("-") else pymongo.ASCENDING) for k in index["fields"]]
        if not index.get("unique") and all(k != "_id" for k, _ in keys):
            # Lists page in a stable order: their sort ends with _id, in the last key's direction.
            keys.append(("_id", keys[-1][1]))
        spec = {"keys": keys, "unique": index.get("unique", False)}
        if index.get("name"):
            spec["name"] = index["name"]
        specs.append(spec)
    for keys in list_indexes(meta):
        if not any([k for k, _ in spec["keys"][: len(keys)]] == [k for k, _ in keys] for spec in specs):
            specs.append({"keys": keys, "unique": False})
    if "workflow_state" in meta.fields_by_name:  # task lists (app.tasks): by state, oldest first
        owner = "_id" if meta.owner_field == "name" else meta.owner_field
        tenant = [(meta.tenant_key, pymongo.ASCENDING)] if meta.is_tenant and meta.tenant_key != "_id" else []
        own = [(owner, pymongo.ASCENDING)] if owner != "_id" else []
        # every scope a caller's read can have: none, their MDOs, their own records, both
        for prefix in ([], tenant, own, [*own, *tenant] if own and tenant else []):
            keys = [*prefix, ("workflow_state", pymongo.ASCENDING), ("modified", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]
            if not any(spec["keys"] == keys for spec in specs):
                specs.append({"keys": keys, "unique": False})
    for f in meta.all_fields:
        keys = [(f.fieldname, pymongo.ASCENDING)]
        if f.unique and not any(spec["keys"] == keys for spec in specs):  # a server refuses one key set twice
            specs.append({"keys": keys, "unique": True, "sparse": True, "name": f"unique_{f.fieldname}"})
    from app import importer
    from app.model import lifecycle

    if meta.controller().resumable:  # records whose follow-up work a crash cut off (app.recovery)
        specs.append({"keys": [(lifecycle.PENDING, pymongo.ASCENDING)], "unique": False, "sparse": True, "name": "pending_hooks"})
    if any(r.get("import") for r in meta.permissions):  # each row of an imported file, once (app.importer)
        specs.append(
            {
                "keys": [(importer.FILE_KEY, pymongo.ASCENDING), (importer.LINE_KEY, pymongo.ASCENDING)],
                "unique": True,
                "sparse": True,
                "name": "import_row",
            }
        )
    return specs


def list_indexes(meta) -> list[list[tuple]]:
    """The indexes a doctype's default list needs, from its meta: its default order (for
    roles that see every MDO), the same within an MDO (tenant doctypes), and within the user's
    own records (doctypes whose permissions have ``if_owner`` rows); each then ``_id``."""
    sort = []
    for part in meta.default_sort.split(","):
        words = part.strip().split()
        if not words:
            continue
        field, desc = words[0], len(words) > 1 and words[1].lower() == "desc"
        if field.startswith("-"):
            field, desc = field[1:], True
        sort.append(("_id" if field == "name" else field, pymongo.DESCENDING if desc else pymongo.ASCENDING))
    if not sort or sort[-1][0] != "_id":
        sort.append(("_id", sort[-1][1] if sort else pymongo.ASCENDING))
    out = [sort] if sort[0][0] != "_id" else []
    tenant = [(meta.tenant_key, pymongo.ASCENDING)] if meta.is_tenant and meta.tenant_key != "_id" else []
    if tenant:
        out.append(tenant + sort)
    if any(r.get("if_owner") for r in meta.permissions):
        owner = "_id" if meta.owner_field == "name" else meta.owner_field
        if owner != "_id":
            out.append([(owner, pymongo.ASCENDING)] + tenant + sort)
    return out


# Collections that are not doctypes (never served by the API) and the indexes their queries use.
INTERNAL_INDEXES = {
    "api_token": [[("user", 1), ("created", 1)]],
    "login_attempt": [[("locked_until", -1)], [("failures", -1)]],
    "user_session": [[("user", 1), ("created", -1)]],
    "account_link": [
        [("user", 1), ("purpose", 1), ("used_at", 1), ("superseded_at", 1)],
        [("user", 1), ("used_at", 1), ("superseded_at", 1)],
        [("user", 1), ("purpose", 1), ("created", 1)],
    ],
    "mdo_activity": [[("mdo", 1), ("metric", 1), ("month", 1)], [("metric", 1), ("mdo", 1)]],
    "pending_batch": [[("created", 1)], [("source", 1), ("created", 1)]],
}


def create_indexes(site) -> int:
    created = 0
    for collection, specs in INTERNAL_INDEXES.items():
        for keys in specs:
            site.db[collection].create_index(keys)
            created += 1
    for meta in site.registry:
        if meta.is_child:
            continue
        coll = site.db[meta.collection]
        for spec in index_specs(meta):
            options = {k: v for k, v in spec.items() if k != "keys"}
            coll.create_index(spec["keys"], **options)
            created += 1
    return created


def sync_doctypes(site) -> None:
    """Keep each definition in the ``doctype`` collection, so the database describes itself
    to anyone querying it directly."""
    coll = site.db[DOCTYPE_COLLECTION]
    for meta in site.registry:
        definition = json.loads(meta.source.read_text())
        coll.replace_one(
            {"_id": meta.name}, {"_id": meta.name, **{k: v for k, v in definition.items() if k != "name"}}, upsert=True
        )


def claim_attachments(site) -> int:
    """Once per installation: record, on each stored file, the records that hold it in an
    Attach field (``app.files``: a file is read through what it belongs to). Files attached
    since are claimed by the lifecycle as they are written."""
    from app import files

    done = site.db["site_settings"].find_one({"_id": "migrations"}) or {}
    if "file_claims" in (done.get("applied") or []):
        return 0
    claimed = 0
    system = site.context("Administrator")
    for meta in site.registry:
        attach = [f.fieldname for f in meta.all_fields if f.fieldtype == "Attach"]
        if meta.is_child or not attach:
            continue
        for raw in site.db[meta.collection].find({}, {f: 1 for f in attach}):
            files.claim(system, meta, {"name": raw["_id"], **raw})
            claimed += 1
    site.db["site_settings"].update_one({"_id": "migrations"}, {"$addToSet": {"applied": "file_claims"}}, upsert=True)
    return claimed


def init(site, *, with_fixtures: bool = True) -> dict:
    report = {"indexes": create_indexes(site)}
    sync_doctypes(site)
    claim_attachments(site)
    if with_fixtures:
        report["fixtures"] = fixtures.load_all(site.context("Administrator"), site.config.fixture_paths)
    return report


def is_initialised(site) -> bool:
    return site.db[DOCTYPE_COLLECTION].find_one({}, {"_id": 1}) is not None
