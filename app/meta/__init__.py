"""DocType definitions: read from ``doctypes/<folder>/<folder>.json``, checked, and kept in a
registry that everything else (storage, validation, API, admin, docs) reads.

A definition is checked twice: first against ``doctype.schema.json`` (shape and types), then
across definitions (Link targets exist, Table options are child doctypes, every field named by
title_field, search_fields, list_view and indexes exists). Any failure raises ``MetaError``
naming the file, the field and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema

from app.errors import MetaError

SCHEMA = json.loads((Path(__file__).parent / "doctype.schema.json").read_text())
_validator = jsonschema.Draft202012Validator(SCHEMA)

# Fields every document has. ``name`` is stored as ``_id``.
STANDARD_FIELDS = ("name", "owner", "creation", "modified", "modified_by", "docstatus")
CHILD_STANDARD_FIELDS = ("name", "idx")
RESERVED = set(STANDARD_FIELDS) | {"_id", "idx", "amended_from", "mdo", "doctype", "parent"}
SERIES_RE = re.compile(r"\.#+")


@dataclass(frozen=True)
class Field:
    fieldname: str
    fieldtype: str
    label: str = ""
    options: str | None = None
    reqd: bool = False
    unique: bool = False
    default: Any = None
    read_only: bool = False
    hidden: bool = False
    in_list_view: bool = False
    in_filter: bool = False
    allow_on_submit: bool = False
    permlevel: int = 0
    description: str = ""
    min: float | None = None
    max: float | None = None
    length: int | None = None
    standard: bool = False
    fetch_from: str | None = None
    aliases: tuple = ()
    # Conditions the linked record must meet, as sorted (field, value) pairs (a frozen
    # dataclass must stay hashable); ``link_conditions`` gives them as a filter.
    link_filters: tuple = ()
    # For an Attach field: the kinds of file it takes (``app.files.KINDS``), as JSON: a list,
    # or {"by": field, "values": {value: [kinds]}} when another field's value decides.
    accept: str | None = None
    # Shown on the form only while another field has one of some values, as JSON:
    # {"field": "kind", "in": ["PDF"]} (the form's behaviour; the controller checks what is needed).
    depends_on: str | None = None
    # A Text field of answers picked, on the form, from another field's lines (JSON; admin.js).
    choose_from: str | None = None

    @property
    def link_conditions(self) -> dict:
        return dict(self.link_filters)

    @property
    def select_options(self) -> list[str]:
        return [o.strip() for o in (self.options or "").replace("\r", "\n").split("\n") if o.strip()]

    def to_dict(self) -> dict:
        if self.link_filters:
            return {
                **{k: v for k, v in self.__dict__.items() if v not in (None, False, "", 0) or k == "fieldname"},
                "link_filters": self.link_conditions,
            }
        return {k: v for k, v in self.__dict__.items() if v not in (None, False, "", 0) or k == "fieldname"}


@dataclass
class DocTypeMeta:
    name: str
    collection: str
    module: str
    fields: list[Field]
    source: Path
    description: str = ""
    autoname: str = "hash"
    title_field: str | None = None
    search_fields: list[str] = field(default_factory=list)
    is_submittable: bool = False
    track_changes: bool = False
    is_child: bool = False
    is_tenant: bool = False
    tenant_field: str = "mdo"
    tenant_read: str = "own"
    owner_field: str = "owner"
    actions: list[dict] = field(default_factory=list)
    teaches: dict | None = None
    import_first: bool = False  # Data Import opens on it (the staff list)
    import_match: list[str] = field(default_factory=list)  # fields by which an import finds a record that exists
    beside: str | None = None  # a Link field whose record the form shows beside it (a review's module)
    # Editing a record in one of ``states`` makes a new draft version instead (fields
    # ``version``, ``previous_version``, ``version_of``); when that version reaches one of
    # ``states`` by workflow, the one before moves to ``superseded``.
    versioned_edit: dict | None = None
    list_view: dict = field(default_factory=dict)
    indexes: list[dict] = field(default_factory=list)
    permissions: list[dict] = field(default_factory=list)
    controller_class: type | None = None
    # Set on a meta that includes custom fields: which MDO's, and the change stamp it was
    # built at (schemas are cached by it).
    variant: tuple = ()

    @property
    def cache_key(self) -> tuple:
        return (self.name,) + self.variant

    @cached_property
    def fields_by_name(self) -> dict[str, Field]:
        return {f.fieldname: f for f in self.all_fields}

    @cached_property
    def all_fields(self) -> list[Field]:
        """Declared fields plus the implicit ones (``mdo`` on tenant doctypes,
        ``amended_from`` on submittable ones)."""
        extra = []
        if self.is_tenant and self.tenant_field == "mdo" and not any(f.fieldname == "mdo" for f in self.fields):
            extra.append(
                Field(
                    "mdo",
                    "Link",
                    label="MDO",
                    options="MDO",
                    reqd=True,
                    in_list_view=True,
                    in_filter=True,
                    standard=True,
                    description="The ministry, department or organisation the record belongs to",
                )
            )
        if self.is_submittable:
            extra.append(Field("amended_from", "Link", label="Amended From", options=self.name, read_only=True, standard=True))
        return extra + list(self.fields)

    def get_field(self, fieldname: str) -> Field | None:
        return self.fields_by_name.get(fieldname)

    @cached_property
    def table_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.fieldtype == "Table")

    @cached_property
    def link_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.fieldtype == "Link")

    @cached_property
    def link_and_table_fields(self) -> tuple[Field, ...]:
        """The Link and Table fields, in their order: where a record's links are."""
        return tuple(f for f in self.all_fields if f.fieldtype in ("Link", "Table"))

    @cached_property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.reqd)

    @cached_property
    def unique_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.unique)

    @cached_property
    def attach_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.fieldtype == "Attach")

    @property
    def is_series(self) -> bool:
        return bool(SERIES_RE.search(self.autoname))

    @cached_property
    def known_fieldnames(self) -> frozenset[str]:
        standard = CHILD_STANDARD_FIELDS if self.is_child else STANDARD_FIELDS
        return frozenset(self.fields_by_name) | frozenset(standard)

    @property
    def tenant_required(self) -> bool:
        f = self.get_field(self.tenant_field.split(".")[0])
        return bool(f and f.reqd)

    @property
    def tenant_key(self) -> str:
        """The MongoDB path holding a tenant record's MDO (``_id`` for the MDO itself)."""
        return "_id" if self.tenant_field == "name" else self.tenant_field

    def tenant_values(self, doc: dict) -> set[str]:
        """The MDOs a record belongs to."""
        head, _, rest = self.tenant_field.partition(".")
        value = doc.get(head)
        if rest:  # a child table's rows; anything else (a malformed body) names no MDO, and is refused later
            rows = value if isinstance(value, list) else []
            return {row.get(rest) for row in rows if isinstance(row, dict) and row.get(rest)}
        if isinstance(value, list):
            return set(value)
        return {value} if value else set()

    @property
    def default_sort(self) -> str:
        return self.list_view.get("sort", "-modified")

    @property
    def list_columns(self) -> list[str]:
        return self.list_view.get("columns") or [f.fieldname for f in self.all_fields if f.in_list_view]

    def controller(self):
        """The doctype's controller class (``app.model.controllers`` attaches it)."""
        if self.controller_class is None:
            raise MetaError(f"{self.name}: no controller attached; load doctypes with app.model.controllers.load_registry")
        return self.controller_class


class Registry:
    """All doctypes of an installation, by name and by collection."""

    def __init__(self, metas: dict[str, DocTypeMeta]):
        self._metas = metas
        self._by_collection = {m.collection: m for m in metas.values()}

    def __contains__(self, name: str) -> bool:
        return name in self._metas

    def __iter__(self):
        return iter(self._metas.values())

    def get(self, name: str) -> DocTypeMeta:
        try:
            return self._metas[name]
        except (KeyError, TypeError):
            from app.errors import NotFound

            raise NotFound(f"DocType {name!r} does not exist") from None

    def by_collection(self, collection: str) -> DocTypeMeta:
        return self._by_collection[collection]

    @property
    def names(self) -> list[str]:
        return sorted(self._metas)


def load_registry(paths) -> Registry:
    metas: dict[str, DocTypeMeta] = {}
    for base in paths:
        # a doctype folder holds <folder>.json: directly under a path (the engine's own), or
        # in a module's folder (doctypes/<module>/<doctype>/)
        for json_path in sorted([*Path(base).glob("*/*.json"), *Path(base).glob("*/*/*.json")]):
            if json_path.stem != json_path.parent.name:
                continue
            meta = load_definition(json_path)
            if meta.name in metas:
                raise MetaError(f"{json_path}: DocType {meta.name!r} is already defined in {metas[meta.name].source}")
            metas[meta.name] = meta
    _cross_check(metas)
    return Registry(metas)


def load_definition(path: Path) -> DocTypeMeta:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise MetaError(f"{path}: not valid JSON: {exc}") from None
    errors = sorted(_validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise MetaError(f"{path}: {_describe(errors[0], data)}")
    fields = [
        Field(
            **{
                **f,
                "label": f.get("label") or f["fieldname"].replace("_", " ").title(),
                "link_filters": tuple(sorted((f.get("link_filters") or {}).items())),
                "aliases": tuple(f.get("aliases") or ()),
                "accept": json.dumps(f["accept"], sort_keys=True) if f.get("accept") else None,
                "depends_on": json.dumps(f["depends_on"], sort_keys=True) if f.get("depends_on") else None,
                "choose_from": json.dumps(f["choose_from"], sort_keys=True) if f.get("choose_from") else None,
            }
        )
        for f in data["fields"]
    ]
    meta = DocTypeMeta(
        name=data["name"],
        collection=data["collection"],
        module=data["module"],
        fields=fields,
        source=path,
        description=data.get("description", ""),
        autoname=data.get("autoname", "hash"),
        title_field=data.get("title_field"),
        search_fields=data.get("search_fields", []),
        is_submittable=data.get("is_submittable", False),
        track_changes=data.get("track_changes", False),
        is_child=data.get("is_child", False),
        is_tenant=data.get("is_tenant", False),
        tenant_field=data.get("tenant_field", "mdo"),
        tenant_read=data.get("tenant_read", "own"),
        actions=data.get("actions", []),
        teaches=data.get("teaches"),
        import_first=data.get("import_first", False),
        import_match=data.get("import_match", []),
        beside=data.get("beside"),
        versioned_edit=data.get("versioned_edit"),
        owner_field=data.get("owner_field", "owner"),
        list_view=data.get("list_view", {}),
        indexes=data.get("indexes", []),
        permissions=data.get("permissions", []),
    )
    _check_own_fields(meta)
    return meta


def _describe(error: jsonschema.ValidationError, data: dict) -> str:
    path = list(error.absolute_path)
    where = "/".join(str(p) for p in path) or "(top level)"
    if len(path) >= 2 and path[0] == "fields" and isinstance(path[1], int):
        fieldname = (
            data["fields"][path[1]].get("fieldname", f"#{path[1]}")
            if isinstance(data["fields"][path[1]], dict)
            else f"#{path[1]}"
        )
        key = path[2] if len(path) > 2 else None
        where = f"field {fieldname!r}" + (f", key {key!r}" if key else "")
    return f"{where}: {error.message}"


def _check_own_fields(meta: DocTypeMeta) -> None:
    src = meta.source
    seen: set[str] = set()
    for f in meta.fields:
        if f.fieldname in seen:
            raise MetaError(f"{src}: field {f.fieldname!r}: defined twice")
        seen.add(f.fieldname)
        reserved = {"_id", *CHILD_STANDARD_FIELDS} if meta.is_child else RESERVED - ({"mdo"} if meta.is_tenant else set())
        if f.fieldname in reserved:
            raise MetaError(f"{src}: field {f.fieldname!r}: is a standard field name and cannot be redefined")
        if f.fieldtype in ("Select", "Link", "Table") and not f.options:
            raise MetaError(f"{src}: field {f.fieldname!r}: a {f.fieldtype} field needs options")
        if f.min is not None and f.max is not None and f.min > f.max:
            raise MetaError(f"{src}: field {f.fieldname!r}: min {f.min} is greater than max {f.max}")
        is_code = bool(f.options) and f.options.isalpha() and f.options.isupper() and len(f.options) == 3
        if f.fieldtype == "Currency" and f.options and not is_code and f.options not in {g.fieldname for g in meta.fields}:
            # as in Frappe: the field holding the amount's currency code, or the code itself
            raise MetaError(
                f"{src}: field {f.fieldname!r}: options {f.options!r} is neither a field of {meta.name} "
                "holding the currency code nor a currency code such as INR"
            )
        if f.fieldtype == "Select" and f.default is not None and f.default not in f.select_options:
            raise MetaError(f"{src}: field {f.fieldname!r}: default {f.default!r} is not one of its options")
        if f.fieldtype == "Table" and (f.reqd or f.unique):
            raise MetaError(f"{src}: field {f.fieldname!r}: a Table field cannot be reqd or unique")
        if f.link_filters and f.fieldtype != "Link":
            raise MetaError(f"{src}: field {f.fieldname!r}: link_filters apply to Link fields only")
        if f.accept and f.fieldtype != "Attach":
            raise MetaError(f"{src}: field {f.fieldname!r}: accept applies to Attach fields only")
    for f in meta.fields:
        if f.fetch_from:
            source = meta.fields_by_name.get(f.fetch_from.split(".")[0])
            if source is None or source.fieldtype != "Link":
                raise MetaError(
                    f"{src}: field {f.fieldname!r}: fetch_from {f.fetch_from!r} must start with a Link field of {meta.name}"
                )
    for f in meta.fields:
        spec = json.loads(f.accept) if f.accept else None
        if isinstance(spec, dict):
            by = meta.fields_by_name.get(spec["by"])
            if by is None or by.fieldtype != "Select":
                raise MetaError(f"{src}: field {f.fieldname!r}: accept: by {spec['by']!r} must be a Select field of {meta.name}")
            unknown = sorted(set(spec["values"]) - set(by.select_options))
            if unknown:
                raise MetaError(f"{src}: field {f.fieldname!r}: accept: {', '.join(unknown)} not among {by.fieldname}'s options")
    for f in meta.fields:
        rule = json.loads(f.depends_on) if f.depends_on else None
        if rule is None:
            continue
        by = meta.get_field(rule["field"])
        if by is None or by.fieldtype not in ("Select", "Check"):
            raise MetaError(
                f"{src}: field {f.fieldname!r}: depends_on: {rule['field']!r} must be a Select or Check field of {meta.name}"
            )
        unknown = sorted(str(v) for v in rule["in"] if by.fieldtype == "Select" and v not in by.select_options)
        if unknown:
            raise MetaError(f"{src}: field {f.fieldname!r}: depends_on: {', '.join(unknown)} not among {by.fieldname}'s options")
    for f in meta.fields:
        spec = json.loads(f.choose_from) if f.choose_from else None
        if spec is None:
            continue
        source, by = meta.get_field(spec["field"]), meta.get_field(spec["by"])
        if f.fieldtype != "Text" or source is None or source.fieldtype != "Text" or by is None or by.fieldtype != "Select":
            raise MetaError(
                f"{src}: field {f.fieldname!r}: choose_from: a Text field picks from a Text field of {meta.name} by a Select field"
            )
    known = meta.known_fieldnames
    if meta.autoname.startswith("field:") and meta.autoname[6:] not in meta.fields_by_name:
        raise MetaError(f"{src}: autoname: field {meta.autoname[6:]!r} does not exist")
    for label, names in (
        ("title_field", [meta.title_field] if meta.title_field else []),
        ("search_fields", meta.search_fields),
        ("list_view.columns", meta.list_view.get("columns", [])),
        ("list_view.sort", [meta.list_view["sort"].lstrip("-")] if "sort" in meta.list_view else []),
    ):
        for name in names:
            if name not in known:
                raise MetaError(f"{src}: {label}: field {name!r} does not exist")
    if meta.beside and (meta.get_field(meta.beside) is None or meta.get_field(meta.beside).fieldtype != "Link"):
        raise MetaError(f"{src}: beside: {meta.beside!r} is not a Link field of {meta.name}")
    for i, index in enumerate(meta.indexes):
        for key in index["fields"]:
            root = key.lstrip("-").split(".")[0]
            if root not in known:
                raise MetaError(f"{src}: indexes[{i}]: field {root!r} does not exist")
    tenant_root = meta.tenant_field.split(".")[0]
    if meta.is_tenant and tenant_root not in known:
        raise MetaError(f"{src}: tenant_field: field {tenant_root!r} does not exist")
    if not meta.is_child and meta.owner_field not in known:
        raise MetaError(f"{src}: owner_field: field {meta.owner_field!r} does not exist")
    if meta.versioned_edit:
        missing = [n for n in ("version", "previous_version", "version_of") if n not in meta.fields_by_name]
        if missing:
            raise MetaError(f"{src}: versioned_edit needs the fields {', '.join(missing)}")
    if meta.teaches and meta.teaches["table"] not in meta.fields_by_name:
        raise MetaError(f"{src}: teaches: field {meta.teaches['table']!r} does not exist")
    if meta.tenant_read == "all" and not meta.is_tenant:
        raise MetaError(f"{src}: tenant_read: only a tenant doctype (is_tenant) can share its records across MDOs")
    if meta.is_child and (meta.is_submittable or meta.is_tenant):
        raise MetaError(f"{src}: a child doctype cannot be submittable or tenant; its parent is")


def _cross_check(metas: dict[str, DocTypeMeta]) -> None:
    collections: dict[str, str] = {}
    for meta in metas.values():
        if meta.collection in collections:
            raise MetaError(
                f"{meta.source}: collection {meta.collection!r} is already used by DocType {collections[meta.collection]!r}"
            )
        collections[meta.collection] = meta.name
        for f in meta.all_fields:
            if f.fieldtype == "Link" and f.options not in metas:
                raise MetaError(f"{meta.source}: field {f.fieldname!r}: Link target DocType {f.options!r} does not exist")
            if f.fetch_from:
                link, remote = f.fetch_from.split(".")
                target = metas.get(meta.fields_by_name[link].options)
                if target is not None and remote not in target.known_fieldnames:
                    raise MetaError(f"{meta.source}: field {f.fieldname!r}: fetch_from: {target.name} has no field {remote!r}")
            if meta.teaches and f.fieldname == meta.teaches["table"]:
                child = metas.get(f.options)
                columns = set(meta.teaches["columns"].values())
                if f.fieldtype != "Table" or child is None or not columns <= child.known_fieldnames:
                    raise MetaError(
                        f"{meta.source}: teaches: {f.fieldname!r} must be a Table whose rows have {', '.join(sorted(columns))}"
                    )
            for key in f.link_conditions:
                target = metas.get(f.options)
                if target is not None and key not in target.known_fieldnames:
                    raise MetaError(f"{meta.source}: field {f.fieldname!r}: link_filters: {target.name} has no field {key!r}")
            if f.fieldtype == "Table":
                target = metas.get(f.options)
                if target is None:
                    raise MetaError(f"{meta.source}: field {f.fieldname!r}: Table DocType {f.options!r} does not exist")
                if not target.is_child:
                    raise MetaError(
                        f"{meta.source}: field {f.fieldname!r}: Table DocType "
                        f"{f.options!r} is not a child doctype (is_child: true)"
                    )
