"""What a module adds to the engine, declared in one place.

The engine (``app/``, ``admin/``) never imports a product module. Each module of the product
(a folder under ``doctypes/``, holding its doctypes, their controllers and its logic) has a
``module.py`` that defines ``MODULE = Module(...)``: everything it adds, typed, so a reader
finds every entry point of a module in one file, the way a Frappe app's ``hooks.py`` lists
them, but explicit:

- ``methods``: API methods under ``/api/method/<name>`` (``ApiMethod``), described in the
  OpenAPI from the same declaration;
- ``routes``: other web routes the module serves (``Route``: the certificate verification
  page, a SCORM package's files);
- ``jobs``: background jobs (``Job``) with the check made when one is queued;
- ``commands``: ``igot`` subcommands (``Command``: a click command or group);
- ``pages``: admin pages (``Page``: a Flask-Admin view class and where it sits in the menu);
- ``figures``: charts on the admin home (``Figure``: a function of the caller's Context, and
  what fills an empty one);
- ``attention``: lines of the admin home's "Needs attention" (``Attention``: records of a
  doctype in a given condition, counted for the roles whose work they are);
- ``setup_steps``: a first-run checklist (``SetupStep``: done once a record exists, or by its
  own test): the System Manager's for the installation, a nodal officer's for her MDO;
- ``related``: what belongs to a record, beside it on its back-office page (``Related``: an
  officer's gaps, passbook, enrolments; a course's offerings), read through the access layer;
- ``events``: document events (``DocEvent``): code that runs when a record of another
  module's doctype is written, such as the FRAC rollups of an officer who moves; the
  lifecycle runs them after the doctype's own hook, in the order modules are loaded;
- ``file_kinds``: kinds of upload the module checks (``FileKind``: a SCORM package);
- ``file_readers``: other ways a caller may read a file attached to the module's records
  (every signed-in user reads a published module's file);
- ``schedules``: daily work (``Schedule``), such as reminders of what is due;
- ``portal_pages``: pages of the learner portal at the site's root (``PortalPage``);
- ``value_names``: names for the numbers of some fields (``ValueNames``: a competency's
  levels), shown beside the number and offered by name in forms; ``value_lines``: how a
  structured value reads (``ValueLines``: an enrolment's eligibility, rule by rule);
- ``capabilities``: what a role may be given to do beyond records (``ctx.access.can``); the
  Role records, data, say which roles hold them.
- ``record_words``: how a doctype's record is named in a sentence people read (``RecordWords``:
  "the role map for Section Officer", "your passbook entry for Noting and Drafting"), where the
  engine's own "the <doctype> “<title>”" reads badly; notifications say it.

``load(paths)`` imports the modules found under the doctype paths, in dependency order
(``Module.after``), and refuses a module that names an unknown one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Param:
    """A query or path parameter of an API method."""

    name: str
    type: str = "string"  # OpenAPI type: string, integer, number, boolean
    required: bool = False
    where: str = "query"
    description: str = ""


@dataclass(frozen=True)
class ApiMethod:
    """``/api/method/<name>``: ``handler(call)`` (an ``app.web.methods.Call``: the caller's
    Context, the declared parameters, coerced, and the body) returns the JSON to send, a
    (JSON, status) pair, or a Flask response. The OpenAPI description is made from this."""

    name: str
    handler: Callable
    summary: str
    http_method: str = "GET"
    params: tuple[Param, ...] = ()
    body: dict | None = None  # the JSON body's schema (OpenAPI), for POST methods
    multipart: dict | None = None  # the form fields of a multipart body (name -> OpenAPI schema)
    status: int = 200
    tag: str = ""
    public: bool = False  # answered without a signed-in user


@dataclass(frozen=True)
class Route:
    """A web route outside ``/api/method``: ``view(**url_args)`` is a Flask view."""

    rule: str
    view: Callable
    summary: str
    methods: tuple[str, ...] = ("GET",)
    params: tuple[Param, ...] = ()
    public: bool = False
    tag: str = ""
    html: bool = False
    # served on the content origin (IGOT_CONTENT_URL), where nothing else answers: a SCORM
    # package's launcher and files
    content: bool = False


@dataclass(frozen=True)
class Job:
    """A background job: ``check(ctx, args)`` refuses at submit what the job would refuse;
    ``run(ctx, args, progress)`` does the work and returns its result."""

    name: str
    label: str
    check: Callable
    run: Callable


@dataclass(frozen=True)
class Command:
    """An ``igot`` subcommand: a click command or group, given the function that opens the
    installation's Site."""

    build: Callable  # (open_site) -> click.Command


@dataclass(frozen=True)
class Page:
    """An admin page: ``view`` is a Flask-Admin BaseView subclass."""

    view: Any
    name: str
    endpoint: str
    url: str
    category: str | None = None


@dataclass(frozen=True)
class PortalPage:
    """A page of the learner portal (``app.portal``) at ``url`` under the site's root:
    ``view(**url_args)`` is a Flask view, for signed-in users only (``app.portal.ctx()`` is
    theirs). With ``menu``, it is in the portal's menu as ``label`` (translated), by ``order``.
    ``shows``: the doctypes whose records this page shows their officer, so a notification
    about one links a learner here rather than to the back office."""

    url: str
    endpoint: str
    label: str
    view: Callable
    methods: tuple[str, ...] = ("GET",)
    menu: bool = True
    order: int = 50
    shows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A chart of the admin home: ``build(ctx)`` returns chart dicts (id, title, type,
    labels, values), or [] for a user who may not see it."""

    build: Callable
    empty: str = ""  # what fills the chart, said while it has nothing to show
    step: str = ""  # where that is done: an admin path ("import/?doctype=Officer")


@dataclass(frozen=True)
class Attention:
    """A line of the admin home's "Needs attention": how many ``doctype`` records the user may
    read match ``filters`` (``app.query`` triples), in ``words`` ("Officers without a
    position"), linked to the list with the same filters (each an ``in_filter`` field). Shown
    to the users ``audience`` names: "act", those whose roles take the workflow's actions in
    the state the filters name; "write", those who may edit the doctype's records."""

    words: str
    doctype: str
    filters: tuple[tuple[str, str, Any], ...]
    audience: tuple[str, ...] = ("act",)


@dataclass(frozen=True)
class SetupStep:
    """A step of a first-run checklist, on the home of the users whose roles hold the
    capability ``audience`` (``set_up_installation``: the System Manager, for the installation;
    ``lead_an_mdo``: a nodal officer, for her MDO, counted through the access layer): done once
    a ``doctype`` record matching ``filters`` exists, or when ``done(ctx)`` says so (no officer
    left without a position); ``step`` is the admin path where it is taken, ``why`` says in a
    line why it matters, and ``detail(ctx)`` may list what is left (``[{"text", "url"}]``:
    the MDOs without reviewers)."""

    order: int
    words: str
    why: str
    doctype: str
    filters: tuple[tuple[str, str, Any], ...] | Callable  # or a function of the Context giving them
    step: str
    audience: str = "set_up_installation"
    done: Callable | None = None
    detail: Callable | None = None


@dataclass(frozen=True)
class Related:
    """A section beside a ``doctype`` record on its back-office page, as Frappe's form
    sidebar: ``build(ctx, record)`` returns ``{"title", "items": [{"text", "doctype", "name"}
    or {"text", "url"}, with an optional "note"], "total", "more": (doctype, filters)}`` or
    None. It reads through the access layer (``app.related.records``), so each user sees
    what they may read, and nothing else."""

    doctype: str
    build: Callable
    order: int = 50


@dataclass(frozen=True)
class ValueNames:
    """Names for the numbers of some Int fields, as ``(doctype, fieldname)`` pairs (a
    competency's levels: 2 reads "2 - Proficient"): ``names(ctx, record)`` returns
    ``{number: name}`` for that record (or child row), read through the access layer. Every
    surface shows the name beside the number, and forms pick the number by its name."""

    fields: tuple[tuple[str, str], ...]
    names: Callable


@dataclass(frozen=True)
class ValueLines:
    """How a structured value (a JSON field) reads, as ``(doctype, fieldname)`` pairs:
    ``lines(ctx, value, record)`` returns the lines a person reads (an enrolment's eligibility,
    rule by rule, as the officer sees it) instead of the raw data."""

    fields: tuple[tuple[str, str], ...]
    lines: Callable


@dataclass(frozen=True)
class DocEvent:
    """``handler(doc)`` runs after ``doctype``'s own ``hook`` (a Document hook name, or
    ``after_transition``: after a workflow action, the document carrying ``doc.transition``).
    The engine's own events may name every doctype (``"*"``)."""

    doctype: str
    hook: str
    handler: Callable
    resumable: bool = False  # written to be run twice: run again after a crash
    batch: Callable | None = None  # batch(docs): the same for many records at once (lifecycle.insert_many)


@dataclass(frozen=True)
class Schedule:
    """Work run once a day (UTC), at or after ``hour``, by the server or worker's scheduler
    (``app.schedule``): ``run(site, now)``, written to be run again safely."""

    name: str
    run: Callable
    hour: int = 0


@dataclass(frozen=True)
class FileKind:
    """An upload kind a module checks: ``inspect(fileobj, limit_bytes, filename)`` returns
    what to keep about the file, or raises ``ValueError`` with the reason it is refused.
    ``from_kind``: the kind found by content that this one refines (a zip)."""

    name: str
    words: str
    from_kind: str
    inspect: Callable


@dataclass(frozen=True)
class RecordWords:
    """How a ``doctype`` record is named in a sentence (a notification's "Venkatesh Rao approved
    <the role map for Section Officer>"). ``the`` names it for anyone; ``yours`` for the person
    the record is for (its ``owner_field``), when that reads differently. Both are messages
    (marked ``N_``, translated in the module's catalogue) whose ``%(fieldname)s`` placeholders
    take the record's fields as people read them: a Link by its record's title, a date as
    DD/MM/YYYY, an option by its label; ``%(title)s`` is the record's title."""

    doctype: str
    the: str
    yours: str = ""


@dataclass(frozen=True)
class Module:
    name: str
    after: tuple[str, ...] = ()  # modules this one builds on (loaded before it)
    methods: tuple[ApiMethod, ...] = ()
    routes: tuple[Route, ...] = ()
    jobs: tuple[Job, ...] = ()
    commands: tuple[Command, ...] = ()
    pages: tuple[Page, ...] = ()
    figures: tuple[Figure, ...] = ()
    attention: tuple[Attention, ...] = ()
    setup_steps: tuple[SetupStep, ...] = ()
    related: tuple[Related, ...] = ()
    events: tuple[DocEvent, ...] = ()
    file_kinds: tuple[FileKind, ...] = ()
    file_readers: dict = field(default_factory=dict)  # doctype -> reader(ctx, name, field, file_id) -> bool
    capabilities: tuple[tuple[str, str], ...] = ()  # (name, what it lets a role do), given to roles as data
    schedules: tuple[Schedule, ...] = ()
    portal_pages: tuple[PortalPage, ...] = ()
    record_words: tuple[RecordWords, ...] = ()
    value_names: tuple[ValueNames, ...] = ()
    value_lines: tuple[ValueLines, ...] = ()


@dataclass
class Modules:
    """The loaded modules of an installation, and what they add, collected."""

    modules: list[Module] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)  # module name -> its folder

    def all(self, attribute: str) -> list:
        return [item for m in self.modules for item in getattr(m, attribute)]

    def method(self, name: str) -> ApiMethod | None:
        return next((m for m in self.all("methods") if m.name == name), None)

    def job(self, name: str) -> Job | None:
        return next((j for j in self.all("jobs") if j.name == name), None)

    def events_for(self, doctype: str, hook: str) -> list[DocEvent]:
        """Asked on every hook of every record: found once per doctype, hook and set of modules."""
        key = (doctype, hook, len(self.modules))
        cache = self.__dict__.setdefault("_events_for", {})
        if key not in cache:
            cache[key] = [e for e in self.all("events") if e.doctype in (doctype, "*") and e.hook == hook]
        return list(cache[key])

    def words_for(self, doctype: str) -> RecordWords | None:
        return next((w for w in self.all("record_words") if w.doctype == doctype), None)

    def file_kind(self, name: str) -> FileKind | None:
        return next((k for k in self.all("file_kinds") if k.name == name), None)

    def file_reader(self, doctype: str):
        return next((m.file_readers[doctype] for m in self.modules if doctype in m.file_readers), None)

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.modules]


_LOADED: dict[str, Module] = {}
# The engine's own modules (named, and imported when an installation's modules are loaded):
# they declare events on every doctype, such as who is told of a workflow's records.
ENGINE_MODULES = ("app.notifications",)


def engine_modules() -> tuple[Module, ...]:
    return tuple(importlib.import_module(name).MODULE for name in ENGINE_MODULES)


def _import(path: Path) -> Module:
    key = str(path.resolve())
    if key not in _LOADED:
        package = path.parent
        name = f"{package.parent.name}.{package.name}.module"
        root = str(package.parent.parent)
        if root not in sys.path:
            sys.path.insert(0, root)
        module = sys.modules.get(name)
        if module is None or getattr(module, "__file__", None) != str(path):
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        declared = getattr(module, "MODULE", None)
        if not isinstance(declared, Module):
            raise TypeError(f"{path}: defines no MODULE = Module(...)")
        _LOADED[key] = declared
    return _LOADED[key]


def load(paths, engine: tuple = ()) -> Modules:
    """The modules under the doctype ``paths`` (each ``<path>/<module>/module.py``), ordered
    so that a module comes after those it names in ``after``; then the ``engine``'s own
    (notifications), whose events run after every module's."""
    files = [p for root in paths for p in sorted(Path(root).glob("*/module.py"))]
    found = [_import(p) for p in files]
    folders = {m.name: p.parent for m, p in zip(found, files)}
    by_name = {m.name: m for m in found}
    ordered: list[Module] = []

    def visit(module: Module, trail=()):
        if module in ordered:
            return
        if module.name in trail:
            raise ValueError(f"modules depend on each other in a circle: {' -> '.join(trail + (module.name,))}")
        for name in module.after:
            if name not in by_name:
                raise ValueError(f"module {module.name!r} builds on {name!r}, which is not installed")
            visit(by_name[name], trail + (module.name,))
        ordered.append(module)

    for module in found:
        visit(module)
    return Modules([*ordered, *engine], {m.name: folders[m.name] for m in ordered})
