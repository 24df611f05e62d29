"""The data dictionary (``igot docs`` → ``docs/data-dictionary.md``), generated from the
doctype definitions and the installation's custom fields, for analysts who query the
collections directly. A test regenerates it and fails if the committed file is stale."""

from __future__ import annotations

from app.install import INTERNAL_INDEXES, index_specs
from app.model.fieldtypes import FIELDTYPES

STANDARD = [
    ("_id", "string", "The record's name (its key); the API calls it `name`"),
    ("owner", "string", "E-mail of the user who created it"),
    ("creation", "date (UTC)", "When it was created"),
    ("modified", "date (UTC)", "When it last changed (saves compare it to refuse stale writes)"),
    ("modified_by", "string", "E-mail of the user who last changed it"),
    ("docstatus", "int", "0 draft, 1 submitted, 2 cancelled"),
]
OTHER = [
    (
        "version",
        "Audit: one record per change (`ref_doctype`, `docname`, `owner`, `creation`, `data.changed: [{field, old, new}]`, child rows added/removed/changed, deletions; changes above level 0 in `restricted`)",
    ),
    (
        "workflow_action",
        "Workflow transitions taken (`ref_doctype`, `docname`, `workflow`, `action`, `from_state`, `to_state`, `comment`, `owner`, `creation`, `mdos`)",
    ),
    ("naming_series", 'Counters of naming series: `{_id: "OFF-2026-", current: 1234}`'),
    (
        "user_credential, api_token, login_attempt, user_session",
        "Password hashes, API token hashes, failed-login counters and locks, signed-in sessions; never served by the API, never read by analysts",
    ),
    (
        "site_settings",
        "The custom-field change stamp and applied migrations (the session-signing key is not in the database: `IGOT_SECRET_KEY` or `secret_key` in the data directory)",
    ),
    (
        "mdo_activity",
        'The MDO dashboard\'s rollup: `{_id: "mdo|metric|YYYY-MM", mdo, metric (officers, enrolments, certificates), month, count}`, kept by `$inc` and rebuilt by `igot rollups rebuild`',
    ),
    (
        "form_submission",
        'The back office\'s create forms, each saved once: `{_id: "<user>|<form key>", user, doctype, name, created}`; a form sent again opens the record `name` instead of making another',
    ),
    (
        "pending_batch",
        "Batches of records imported together whose follow-up work (learner accounts, rollups, counters) is running: `{_id, doctype, names, hooks, user, created, counted, source}` (`counted`: the dashboard counters the batch has claimed, so none counts it twice; `source`: the imported file's SHA-256, on its rows' batches and on those their follow-up made, so running the file again completes them at once); removed when done, completed by `igot repair` after a crash",
    ),
    ("doctype", "The doctype definitions themselves, as JSON"),
    (
        "fs.files, fs.chunks",
        "Attachments (GridFS). `fs.files.metadata`: `content_type` (found from the content), `kind`, `declared_type`, `owner`, `scorm` for packages",
    ),
]


def _esc(text) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ").strip()


def _allowed(f, registry) -> str:
    if f.fieldtype == "Select":
        return ", ".join(f"`{o}`" for o in f.select_options)
    if f.fieldtype == "Link":
        target = registry.get(f.options) if f.options in registry.names else None
        where = f" where {', '.join(f'{k} = {v!r}' for k, v in f.link_filters)}" if f.link_filters else ""
        return f"a `{target.collection if target else f.options}` `_id`{where}"
    if f.fieldtype == "Table":
        return f"rows of {f.options} (below)"
    parts = []
    if f.min is not None:
        parts.append(f"≥ {f.min:g}")
    if f.max is not None:
        parts.append(f"≤ {f.max:g}")
    if f.length and f.fieldtype in ("Data", "Text", "Small Text"):
        parts.append(f"at most {f.length} characters")
    return ", ".join(parts)


def _meaning(f) -> str:
    bits = [f.description or f.label]
    flags = [
        w
        for w, on in (
            ("required", f.reqd),
            ("unique", f.unique),
            ("set by the platform", f.read_only),
            (f"field level {f.permlevel}", f.permlevel),
        )
        if on
    ]
    if f.fetch_from:
        flags.append(f"copied from {f.fetch_from}")
    return _esc(bits[0]) + (f" ({', '.join(flags)})" if flags else "")


def _field_rows(meta, registry) -> list[str]:
    rows = ["| field | stored as | meaning | allowed values |", "|---|---|---|---|"]
    for f in meta.all_fields:
        rows.append(f"| `{f.fieldname}` | {FIELDTYPES[f.fieldtype].storage} | {_meaning(f)} | {_esc(_allowed(f, registry))} |")
    return rows


def _index_text(spec) -> str:
    keys = ", ".join(f"{k}{'' if d == 1 else ' desc'}" for k, d in spec["keys"])
    return f"`{{{keys}}}`" + (" unique" if spec.get("unique") else "")


def generate(site) -> str:
    registry = site.registry
    metas = sorted((m for m in registry if not m.is_child), key=lambda m: (m.module, m.name))
    children = {m.name: m for m in registry if m.is_child}
    custom = list(site.db["custom_field"].find({}, sort=[("ref_doctype", 1), ("mdo", 1), ("fieldname", 1)]))
    out = [
        "# Data dictionary",
        "",
        "Generated by `igot docs` from the doctype definitions under `doctypes/` and this installation's "
        "custom fields; do not edit by hand (a test fails when it is stale). Every collection below is a "
        "MongoDB collection of the same name. Analysts read what [What analysts read](#what-analysts-read) "
        "lists, with mongosh (a user with the `igot_analyst` role of `igot analyst-role`), `igot shell --read-only` "
        "or the saved analyses (`igot aggregate`).",
        "",
        "Every record has these standard fields; tenant collections also have `mdo` (the MDO the record "
        "belongs to), and submittable ones `amended_from`. A field with no value is absent.",
        "",
        "| field | stored as | meaning |",
        "|---|---|---|",
        *[f"| `{n}` | {t} | {m} |" for n, t, m in STANDARD],
        "",
        "## Collections",
        "",
    ]
    module = None
    for meta in metas:
        if meta.module != module:
            module = meta.module
            out.append(
                f"- **{module}**: " + ", ".join(f"[`{m.collection}`](#{m.collection})" for m in metas if m.module == module)
            )
    out.append("")
    for meta in metas:
        out += [
            f'<a id="{meta.collection}"></a>',
            f"### `{meta.collection}` ({meta.name})",
            "",
            _esc(meta.description) or meta.name,
            "",
        ]
        facts = [f"module {meta.module}", f"named {'by ' + meta.autoname if meta.autoname != 'hash' else 'by a random hash'}"]
        if meta.is_tenant:
            facts.append("per MDO (`mdo`)" + (", readable by every MDO" if meta.tenant_read == "all" else ""))
        if meta.is_submittable:
            facts.append("submittable")
        if meta.track_changes:
            facts.append("changes kept in `version`")
        out += ["- " + "; ".join(facts) + ".", ""]
        out += _field_rows(meta, registry)
        for f in meta.table_fields:
            child = children.get(f.options)
            if child:
                out += ["", f"Rows of `{f.fieldname}` ({child.name}), each with `name` and `idx`:", ""]
                out += _field_rows(child, registry)
        links = [f for f in meta.all_fields if f.fieldtype == "Link" and f.options in registry.names]
        refs = sorted(
            {(m.collection, f.fieldname) for m in metas for f in m.all_fields if f.fieldtype == "Link" and f.options == meta.name}
            | {
                (m.collection, f"{t.fieldname}.{cf.fieldname}")
                for m in metas
                for t in m.table_fields
                if t.options in children
                for cf in children[t.options].all_fields
                if cf.fieldtype == "Link" and cf.options == meta.name
            }
        )
        if links or refs:
            out += ["", "Relations:"]
            for f in links:
                out.append(f"- `{f.fieldname}` → `{registry.get(f.options).collection}._id`")
            for coll, field in refs:
                out.append(f"- `{coll}.{field}` → here")
        specs = [{"keys": [("_id", 1)], "unique": True}] + index_specs(meta)
        out += ["", "Indexes: " + "; ".join(_index_text(s) for s in specs) + "."]
        mine = [c for c in custom if c.get("ref_doctype") == meta.name]
        if mine:
            out += ["", "Custom fields:", "", "| MDO | field | type | label | options |", "|---|---|---|---|---|"]
            for c in mine:
                out.append(
                    f"| {_esc(c.get('mdo') or 'all MDOs')} | `{c.get('fieldname')}` | {c.get('fieldtype')} | "
                    f"{_esc(c.get('label'))} | {_esc(c.get('options'))} |"
                )
        out.append("")
    out += ["## Other collections", "", "| collection | holds |", "|---|---|", *[f"| `{c}` | {t} |" for c, t in OTHER], ""]
    from app import analysts

    out += [
        '<a id="what-analysts-read"></a>',
        "## What analysts read",
        "",
        "The same names and fields on every store: on MongoDB, `igot analyst-role` creates the views and the "
        f"`{analysts.ROLE}` role, which may `find` and aggregate these names only; `igot shell --read-only` and "
        "`igot aggregate` read exactly these. A collection with fields above the Analyst's permission level is read "
        f"through a view `{analysts.VIEW_PREFIX}<collection>` without them; nothing else (credentials, tokens, "
        "sessions, settings, attachments, counters) is readable.",
        "",
        "| name | reads | left out |",
        "|---|---|---|",
    ]
    for view in analysts.surface(registry).values():
        left_out = ", ".join(f"`{h}`" for h in view.hidden) or "nothing"
        out.append(f"| `{view.name}` | `{view.source}`{' (a view)' if view.is_view else ''} | {left_out} |")
    out.append("")
    internal = "; ".join(f"`{c}` " + ", ".join(_index_text({"keys": k}) for k in specs) for c, specs in INTERNAL_INDEXES.items())
    out += [f"Their indexes: {internal}.", ""]
    return "\n".join(out)
