"""The one place that decides who may read and write what.

Every read (get, list, count, search, export, Link checks, versions) and every write (insert,
save, submit, cancel, delete, import) in ``app/lifecycle.py`` and ``app/query.py`` asks the
Context's ``Access``. Nothing else in the product filters by MDO or checks a role, so the API,
the admin, the CLI and reports cannot disagree.

Three layers, all data:

1. Doctype permissions: rows ``{role, permlevel, if_owner, read, write, create, delete,
   submit, cancel, import, export}`` from the doctype's JSON, replaced for a doctype by its
   Custom DocPerm records when a System Manager has made any.
2. ``if_owner`` rows: the record's ``owner_field`` (``owner`` unless the meta says otherwise)
   must be the user.
3. MDO tenancy: a tenant record belongs to the MDOs at its ``tenant_field``. A user bound to
   MDOs reads records that share one of them and writes only records all of whose MDOs are
   theirs. A role's ``mdo_scope`` (a Role record's field) widens that: "All MDOs" (System
   Manager; DoPT's Training Division and Finance) or "All MDOs, read only" (Analyst, the
   course selection committee). Analyst changes nothing anywhere.
   A doctype with ``tenant_read: "all"`` (the competency dictionary) is read by every user
   who may read it at all, whatever their MDO; writes still stay within the record's MDO.

Beyond records, a role holds **capabilities** (its Role record's ``capabilities``): named things
it may do, declared by the engine (``CAPABILITIES``) and by the modules, such as seeing login
locks or searching talent. Code asks ``ctx.access.can("search_talent")``; role names appear
only here and in the JSON (doctype permissions, workflows, fixtures). ``ctx.is_system`` tells
the platform acting for itself (fixtures, derived records) from a user.

Fields with a ``permlevel`` above 0 (date of birth, mobile, employee id) are read and written
only by roles that hold a row for that level; for everyone else they are left out of
responses, lists, exports and version history, refused on write, and refused as a filter,
a search field or a sort key (which would otherwise tell their values).

A record outside the caller's scope answers NotFound, never PermissionDenied, so its
existence is not revealed.
"""

from __future__ import annotations

from app.errors import NotFound, PermissionDenied

ACTIONS = ("read", "write", "create", "delete", "submit", "cancel", "import", "export")
# The engine's own capabilities; modules declare theirs (``Module.capabilities``).
CAPABILITIES = {
    "grant_any_role": "give users any role, not only those an MDO Admin may assign",
    "see_login_locks": "see the accounts locked and the addresses slowed after failed logins",
    "run_platform_jobs": "run the platform's own jobs (rebuilding the rollups)",
    "customize_for_every_mdo": "add custom fields for every MDO, or for any one",
    "analyse": "read the data directly, as an analyst (igot shell --read-only, the analysts' role)",
    "back_office": "work in the back office (/admin); a learner alone has the learner portal",
    "lead_an_mdo": "be an MDO's nodal officer: onboard its staff, map its roles, verify its passbooks",
    "set_up_installation": "see a new installation's first-run checklist (MDOs, their admins, staff, the first course)",
}
READ_ACTIONS = ("read", "export")
# A permission row for "All" holds for every signed-in user, whatever their roles (Frappe's
# "All"): a doctype every user reads their own records of, such as their notifications.
EVERYONE = "All"
ALL_MDOS = "System Manager"
READ_ALL_MDOS = "Analyst"
NEVER = {"_id": {"$in": []}}


class Access:
    """Unrestricted: the system itself (CLI administration, fixtures, migrations)."""

    user = "Administrator"
    is_system = True
    roles: frozenset = frozenset()
    mdos: frozenset = frozenset()

    def has_role(self, role: str) -> bool:
        return True

    def can(self, capability: str) -> bool:
        """Whether the caller holds ``capability`` (through one of their roles)."""
        return True

    def require(self, capability: str, doing: str) -> None:
        """Refuse (PermissionDenied) unless the caller holds ``capability``; ``doing`` says
        what was refused, in words ("see login locks")."""
        if not self.can(capability):
            raise PermissionDenied(f"{self.user} may not {doing}")

    def reads_all_mdos(self, action: str = "read") -> bool:
        """Whether the caller's roles reach every MDO for ``action`` (their scope)."""
        return True

    def owner_only(self, meta, action: str = "read") -> bool:
        """Whether the caller may ``action`` only the ``meta`` records they own (a learner's)."""
        return False

    def check(self, meta, action: str, doc: dict | None = None) -> None:
        return None

    def query_filter(self, meta, action: str = "read") -> dict:
        return {}

    def link_filter(self, meta) -> dict:
        return {}

    def visible(self, meta, doc: dict) -> dict:
        return doc

    def readable_levels(self, meta, doc: dict | None = None) -> set[int]:
        """The field permission levels the caller reads on ``doc`` (without ``doc``: on every
        record they may read, so filters, search and sort may use them)."""
        return {0} | {f.permlevel for f in meta.all_fields}

    def check_fields(self, meta, doc: dict, fieldnames) -> None:
        return None

    def check_scope(self, meta, doc: dict) -> None:
        """Raise unless ``doc`` lies within the MDOs the caller may change (for actions whose
        permission comes from elsewhere, such as a workflow transition's role)."""
        return None

    def check_upload(self) -> None:
        """Raise PermissionDenied if the caller may not store an attachment."""
        return None

    def allowed_actions(self, meta, doc: dict | None = None) -> list[str]:
        return list(ACTIONS)


SystemAccess = Access


def permission_rows(site, meta) -> list[dict]:
    """The doctype's permission rules: its Custom DocPerm rows if it has any, else the
    definition's (read from the store once, then again only when Custom DocPerm changes)."""
    custom = site.kept("custom_docperm", meta.name, lambda: tuple(site.db["custom_docperm"].find({"ref_doctype": meta.name})))
    return list(custom) or list(meta.permissions)


class UserAccess(Access):
    is_system = False

    def __init__(self, site, user: str, roles, mdos):
        self.site = site
        self.user = user
        self.roles = set(roles)
        self.mdos = set(mdos)
        self._rows: dict[str, list[dict]] = {}

    def __repr__(self):
        return f"<UserAccess {self.user} roles={sorted(self.roles)} mdos={sorted(self.mdos)}>"

    def has_role(self, role: str) -> bool:
        return role in self.roles or role == EVERYONE

    # rows ----------------------------------------------------------------------------------
    def rows(self, meta, permlevel: int = 0) -> list[dict]:
        if meta.name not in self._rows:
            self._rows[meta.name] = [r for r in permission_rows(self.site, meta) if self.has_role(r.get("role"))]
        return [r for r in self._rows[meta.name] if r.get("permlevel", 0) == permlevel]

    def _grant(self, meta, action: str, permlevel: int = 0) -> tuple[bool, bool]:
        """(allowed at all, only on records the user owns)."""
        rows = [
            r
            for r in self.rows(meta, permlevel)
            if r.get(action)
            and not (r.get("role") == READ_ALL_MDOS and action not in READ_ACTIONS)
            # what every user may do is no way around the Analyst's never changing anything
            and not (r.get("role") == EVERYONE and action not in READ_ACTIONS and self.roles <= {READ_ALL_MDOS})
        ]
        if not rows:
            return False, False
        return True, all(r.get("if_owner") for r in rows)

    def _role_records(self) -> list[dict]:
        if "_role_cache" not in self.__dict__:
            roles = tuple(sorted(self.roles))
            self.__dict__["_role_cache"] = list(
                self.site.kept(
                    "role",
                    roles,
                    lambda: tuple(self.site.db["role"].find({"_id": {"$in": list(roles)}}, {"mdo_scope": 1, "capabilities": 1})),
                )
            )
        return self.__dict__["_role_cache"]

    @property
    def _scopes(self) -> set[str]:
        scopes = {r.get("mdo_scope") for r in self._role_records()}
        if ALL_MDOS in self.roles:
            scopes.add("All MDOs")
        if READ_ALL_MDOS in self.roles:
            scopes.add("All MDOs, read only")
        return scopes

    def _all_mdos(self, action: str) -> bool:
        return "All MDOs" in self._scopes or ("All MDOs, read only" in self._scopes and action in READ_ACTIONS)

    def reads_all_mdos(self, action: str = "read") -> bool:
        return self._all_mdos(action)

    def owner_only(self, meta, action: str = "read") -> bool:
        allowed, owner_only = self._grant(meta, action)
        return allowed and owner_only

    def can(self, capability: str) -> bool:
        return any(c.get("capability") == capability for r in self._role_records() for c in r.get("capabilities") or [])

    # records -------------------------------------------------------------------------------
    def _in_scope(self, meta, action: str, doc: dict, owner_only: bool) -> bool:
        if (
            owner_only
            and doc.get(meta.owner_field) != self.user
            and not (action == "create" and doc.get(meta.owner_field) in (None, ""))
        ):
            return False  # (an empty owner on create: validation reports what is missing)
        if meta.is_tenant and not self._all_mdos(action):
            if action in READ_ACTIONS and meta.tenant_read == "all":
                return True
            values = meta.tenant_values(doc)
            if action in READ_ACTIONS:
                return bool(values & self.mdos)
            if not values and action == "create" and meta.tenant_required:
                return True  # validation reports the missing MDO as a required field
            return bool(values) and values <= self.mdos
        return True

    def check(self, meta, action, doc=None):
        allowed, owner_only = self._grant(meta, action)
        if not allowed:
            raise PermissionDenied(f"{self.user} may not {action} {meta.name}", doctype=meta.name)
        if doc is None or self._in_scope(meta, action, doc, owner_only):
            return
        if action in ("create", "import"):
            mdos = ", ".join(sorted(meta.tenant_values(doc))) or "no MDO"
            raise PermissionDenied(
                f"{self.user} may not create {meta.name} records for {mdos}",
                doctype=meta.name,
                errors={meta.tenant_field.split(".")[0]: [f"not one of your MDOs: {mdos}"]},
            )
        raise NotFound(f"{meta.name} {doc.get('name')!r} not found", doctype=meta.name, name=doc.get("name"))

    def query_filter(self, meta, action="read"):
        allowed, owner_only = self._grant(meta, action)
        if not allowed:
            return NEVER
        parts = []
        if owner_only:
            parts.append({"_id" if meta.owner_field == "name" else meta.owner_field: self.user})
        parts.append(self.link_filter(meta, action))
        parts = [p for p in parts if p]
        return {} if not parts else parts[0] if len(parts) == 1 else {"$and": parts}

    def link_filter(self, meta, action="read"):
        """Records a Link may point at: those of the caller's MDOs (tenant doctypes only)."""
        if not meta.is_tenant or self._all_mdos(action) or (meta.tenant_read == "all" and action in READ_ACTIONS):
            return {}
        return {meta.tenant_key: {"$in": sorted(self.mdos)}}

    # fields --------------------------------------------------------------------------------
    def _field_levels(self, meta) -> set[int]:
        """The permission levels of a doctype's fields and of its child tables' fields (a
        child row's field is read at its parent's rows, as the analysts' views read it)."""
        levels = {f.permlevel for f in meta.all_fields if f.permlevel}
        for table in meta.table_fields:
            levels |= {f.permlevel for f in self.site.meta(table.options).all_fields if f.permlevel}
        return levels

    def _levels(self, meta, doc: dict, action: str) -> set[int]:
        levels = {0}
        for level in self._field_levels(meta):
            allowed, owner_only = self._grant(meta, action, level)
            if allowed and (not owner_only or doc.get(meta.owner_field) == self.user):
                levels.add(level)
        return levels

    def readable_levels(self, meta, doc: dict | None = None) -> set[int]:
        if doc is not None:
            return self._levels(meta, doc, "read")
        levels = {0}
        for level in self._field_levels(meta):
            allowed, owner_only = self._grant(meta, "read", level)
            if allowed and not owner_only:
                levels.add(level)
        return levels

    def visible(self, meta, doc: dict) -> dict:
        owner = doc.get(meta.owner_field) == self.user  # what of the record the levels depend on
        plans = self.__dict__.setdefault("_visible", {})  # worked out once per meta for a list
        plan = plans.get((id(meta), owner))
        if plan is None or plan[0] is not meta:
            levels = self._levels(meta, doc, "read")
            hidden = {f.fieldname for f in meta.all_fields if f.permlevel not in levels}
            children = []  # and the child rows' fields above the caller's levels
            for table in meta.table_fields:
                child_hidden = {f.fieldname for f in self.site.meta(table.options).all_fields if f.permlevel not in levels}
                if child_hidden:
                    children.append((table.fieldname, child_hidden))
            plan = plans[(id(meta), owner)] = (meta, hidden, children)
        _meta, hidden, children = plan
        out = {k: v for k, v in doc.items() if k not in hidden} if hidden else doc
        for fieldname, child_hidden in children:
            rows = out.get(fieldname)
            if isinstance(rows, list):
                out = {**out, fieldname: [_without(r, child_hidden) for r in rows]}
        return out

    def check_fields(self, meta, doc: dict, fieldnames) -> None:
        levels = self._levels(meta, doc, "write")
        refused = sorted(f for f in fieldnames if meta.get_field(f) and meta.get_field(f).permlevel not in levels)
        if refused:
            raise PermissionDenied(
                f"{self.user} may not set {', '.join(refused)} on {meta.name}",
                doctype=meta.name,
                name=doc.get("name"),
                errors={f: ["not permitted to set this field"] for f in refused},
            )

    def check_scope(self, meta, doc: dict) -> None:
        if not self._in_scope(meta, "write", doc, owner_only=False):
            mdos = ", ".join(sorted(meta.tenant_values(doc))) or "no MDO"
            raise PermissionDenied(
                f"{meta.name} {doc.get('name')!r} belongs to {mdos}, not to your MDOs", doctype=meta.name, name=doc.get("name")
            )

    def check_upload(self) -> None:
        if not self.roles:
            raise PermissionDenied(f"{self.user} holds no role and may not upload files")

    def allowed_actions(self, meta, doc=None) -> list[str]:
        out = []
        for action in ACTIONS:
            try:
                self.check(meta, action, doc)
                out.append(action)
            except (PermissionDenied, NotFound):
                pass
        return out


def roles_given_to_officers(ctx) -> list[str]:
    """The roles every officer's own account holds (the Learner's), from the Role records;
    read once per Context (an import of many officers asks once)."""
    cache = ctx.__dict__.setdefault("_officer_roles", [])
    if not cache:
        cache.extend(sorted(r["_id"] for r in ctx.site.db["role"].find({"given_to_officers": True}, {"_id": 1})))
    return list(cache)


def roles_with(site, capability: str) -> list[str]:
    """The roles that hold ``capability``."""
    return sorted(r["_id"] for r in site.db["role"].find({"capabilities.capability": capability}, {"_id": 1}))


def analyst_roles(registry) -> set[str]:
    """The roles whose rows say what analysts read (the analysts' surface): the read-only
    role that reads every MDO."""
    return {READ_ALL_MDOS}


def _without(row, keys: set) -> dict:
    return {k: v for k, v in row.items() if k not in keys} if isinstance(row, dict) else row
