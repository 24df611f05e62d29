"""Telling people: in-app notifications (the bell), e-mailed as each user prefers, and who
is told about a workflow's records.

- ``notify(site, user, kind, subject, ...)`` makes a **Notification** for one user, only if
  that user may read the record it names (the access layer decides, as for any read: role,
  tenancy, owner-only rows), and e-mails it as their preference for its kind says:
  immediately, in the daily digest (``send_digests``), or not at all.
- **Workflows** (any doctype, nothing written per doctype): when a record enters a state,
  with or without an action, every enabled user who may now take one of that state's
  actions is told (kind Task), read from the meta: the transitions' roles, the record's
  MDOs, owner-only permissions, and maker-checker (whoever made or moved the record is not
  asked to check it). After an action, the people whose record it is (who made it, whom it
  is for, who sent it on) are told the decision (kind Decision), with the comment.
- The modules tell of their own events with ``notify`` (a certificate issued, a plan's items
  assigned or due soon); the engine tells of a finished import.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import quote

from app import i18n, mail
from app.errors import IgotError, NotFound, PermissionDenied
from app.registry import DocEvent, Module

KINDS = ("Task", "Decision", "Certificate", "Plan", "Reminder", "Job")
DELIVERIES = ("Immediately", "Daily digest", "Off")
# each kind as the person told of it would say it (My account, My profile)
KIND_WORDS = {
    "Task": "A record waits for my action",
    "Decision": "A record of mine was decided",
    "Certificate": "A certificate was issued to me",
    "Plan": "A capacity building plan assigned me items",
    "Reminder": "An item of my plan is due within a week",
    "Job": "An import I started finished",
}
COLLECTION = "notification"
DIGESTS = "notification_digest"  # per user: when their last digest went
DIGEST_HOUR = 3  # UTC (08:30 in India)
MAX_RECIPIENTS = 500  # of one task notification: a role map is for its reviewers, not a crowd
log = logging.getLogger("igot.notifications")


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def record_link(site, doctype: str, name: str, user: str | None = None) -> str:
    """Where a record opens for ``user``: in the back office, or, for someone who does not work
    there (a learner), on the portal page that shows such records (``PortalPage.shows``)."""
    if user is not None and not _works_in_back_office(site, user):
        for page in site.modules.all("portal_pages"):
            if doctype in page.shows and "<" not in page.url:
                return f"{site.config.public_url}{page.url}"
    return f"{site.config.public_url}/admin/{site.meta(doctype).collection}/details/?id={quote(str(name), safe='')}"


def _works_in_back_office(site, user: str) -> bool:
    from app import auth

    return auth.context_for(site, user).access.can("back_office")


def display_name(site, user: str | None) -> str:
    """A user's full name (their e-mail if the account has none)."""
    if not user or user == "Administrator":
        return site.config.site_name
    record = site.unguarded("user").find_one({"_id": user}, {"full_name": 1})
    return (record or {}).get("full_name") or user


def title_of(meta, doc: dict) -> str:
    title = doc.get(meta.title_field) if meta.title_field else None
    return f"{meta.name} {title}" if title and title != doc.get("name") else f"{meta.name} {doc.get('name')}"


# records and what was done to them, in sentences -------------------------------------------------

# A workflow action of the shipped workflows, done by someone (``%(by)s``) to a record
# (``%(record)s``), as the person told of it reads it; another action is said by DONE_ANYHOW.
ACTION_DONE = {
    "Propose": i18n.N_("%(by)s proposed %(record)s"),
    "Submit for Review": i18n.N_("%(by)s sent %(record)s for review"),
    "Send for Review": i18n.N_("%(by)s sent %(record)s for review"),
    "Verify": i18n.N_("%(by)s verified %(record)s"),
    "Reject": i18n.N_("%(by)s rejected %(record)s"),
    "Approve": i18n.N_("%(by)s approved %(record)s"),
    "Approve Review": i18n.N_("%(by)s approved the review of %(record)s"),
    "Pay": i18n.N_("%(by)s paid %(record)s"),
    "Publish": i18n.N_("%(by)s published %(record)s"),
    "Retire": i18n.N_("%(by)s retired %(record)s"),
    "Go Live": i18n.N_("%(by)s made %(record)s live"),
    "Archive": i18n.N_("%(by)s archived %(record)s"),
    "Submit Eligibility Form": i18n.N_("%(by)s submitted the eligibility form for %(record)s"),
    "Withdraw": i18n.N_("%(by)s withdrew %(record)s"),
    "Confirm": i18n.N_("%(by)s confirmed %(record)s"),
    "Issue Certificate": i18n.N_("%(by)s issued the certificate for %(record)s"),
    "Record Not Certified": i18n.N_("%(by)s recorded %(record)s as not certified"),
}
DONE_ANYHOW = i18n.N_("%(by)s chose “%(action)s” for %(record)s")
SENT_IN = i18n.N_("%(by)s sent in %(record)s")  # a new record that waits for someone
# how a record is named when its module says nothing (``registry.RecordWords``)
THE_RECORD = i18n.N_("the %(doctype)s “%(title)s”")
THE_RECORD_OF = i18n.N_("%(person)s's %(doctype)s “%(title)s”")
YOUR_RECORD = i18n.N_("your %(doctype)s “%(title)s”")


def _as_read(site, meta, doc: dict, fieldname: str):
    """A field's value as people read it: a Link by its record's title, a date as DD/MM/YYYY,
    an option by its (translated) label."""
    value = doc.get(fieldname)
    field = meta.fields_by_name.get(fieldname)
    if value in (None, "") or field is None:
        return "" if value is None else value
    if field.fieldtype == "Link":
        target = site.meta(field.options)
        if target.title_field and target.title_field != "name":
            found = site.unguarded(target.collection).find_one({"_id": value}, {target.title_field: 1}) or {}
            return _as_read(site, target, found, target.title_field) or value
        return value
    if field.fieldtype == "Date":
        try:
            return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if field.fieldtype == "Select":
        return i18n.label(value)
    return value


def record_title(site, meta, doc: dict):
    """The record's title as people read it (a linked record's title where the title field is
    a Link), its name where it has none."""
    if meta.title_field and doc.get(meta.title_field):
        return _as_read(site, meta, doc, meta.title_field)
    return doc.get("name") or ""


def _is_for(meta, doc: dict, user: str | None) -> bool:
    return bool(user) and meta.owner_field not in ("owner", "name") and doc.get(meta.owner_field) == user


def record_words(site, meta, doc: dict, reader: str | None = None, by: str | None = None) -> dict:
    """The record named in a sentence for ``reader``: "your fee claim for Machine Learning" to
    the officer it is for, "the role map for Section Officer" to anyone else, as its module
    declares (``registry.RecordWords``) or, by default, its doctype and title (and, for a
    record that is someone's, whose)."""
    declared = site.modules.words_for(meta.name)
    yours = _is_for(meta, doc, reader)
    if declared is not None:
        msgid = declared.yours if yours and declared.yours else declared.the
        names = _placeholders(msgid)
        values = {n: record_title(site, meta, doc) if n == "title" else _as_read(site, meta, doc, n) for n in names}
        return i18n.words(msgid, **values)
    kind, title = i18n.label(meta.name, in_sentence=True), record_title(site, meta, doc)
    if yours:
        return i18n.words(YOUR_RECORD, doctype=kind, title=title)
    person = doc.get(meta.owner_field) if meta.owner_field not in ("owner", "name") else None
    if person and person != by:  # "Asha Rao sent in the fee claim", not "Asha Rao's"
        return i18n.words(THE_RECORD_OF, doctype=kind, title=title, person=display_name(site, person))
    return i18n.words(THE_RECORD, doctype=kind, title=title)


def _placeholders(msgid: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", msgid)


def amount_of(meta, doc: dict) -> str:
    """The record's amount with its currency ("INR 12,000"; Indian digit grouping), or "" when
    it has none: its last filled Currency field in the doctype's order (a fee claim's approved
    amount once there is one, the amount paid before), in the currency its field declares
    (``options``: the field holding the code, or the code, as in Frappe), else in the record's
    ``currency`` field."""
    from babel.numbers import format_decimal

    fields = [f for f in reversed(meta.fields) if f.fieldtype == "Currency"]
    # the record's own amounts first; a figure kept in a fixed currency beside them (a claim's
    # rupees) only where the record has no other
    fields = [f for f in fields if not _fixed_code(meta, f)] + [f for f in fields if _fixed_code(meta, f)]
    for field in fields:
        value = doc.get(field.fieldname)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        source = field.options or ("currency" if "currency" in meta.fields_by_name else None)
        code = (doc.get(source) or "") if source and source in meta.fields_by_name else (source or "")
        figure = format_decimal(value, format="#,##,##0.00" if value % 1 else "#,##,##0", locale="en_IN")
        return f"{code} {figure}".strip()
    return ""


def _fixed_code(meta, field) -> bool:
    """Whether a Currency field names its currency itself ("INR") rather than a field of the record."""
    return bool(field.options) and field.options not in meta.fields_by_name


def what_happened(site, meta, doc: dict, action: str | None, by: str | None, reader: str | None) -> dict:
    """One sentence: who did what to which record, with its amount where it has one
    ("Finance Officer paid your fee claim for Machine Learning: USD 100.")."""
    values = {"by": display_name(site, by), "record": record_words(site, meta, doc, reader, by)}
    if action is None:
        done = i18n.words(SENT_IN, **values)
    elif action in ACTION_DONE:
        done = i18n.words(ACTION_DONE[action], **values)
    else:
        done = i18n.words(DONE_ANYHOW, action=i18n.label(action), **values)
    amount = amount_of(meta, doc)
    if amount:
        return i18n.words(i18n.N_("%(done)s: %(amount)s."), done=done, amount=amount)
    return i18n.words(i18n.N_("%(done)s."), done=done)


def _context(site, user: str):
    from app import auth

    try:
        return auth.context_for(site, user)
    except IgotError:
        return None  # disabled or gone: nobody to tell


def may_read(site, user: str, meta, doc: dict) -> bool:
    ctx = _context(site, user)
    if ctx is None:
        return False
    try:
        ctx.access.check(meta, "read", doc)
    except (PermissionDenied, NotFound):
        return False
    return True


def preference(user_record: dict, kind: str) -> str:
    for row in user_record.get("notification_preferences") or []:
        if row.get("kind") == kind and row.get("delivery") in DELIVERIES:
            return row["delivery"]
    return "Immediately"


def notify(
    site,
    user: str,
    kind: str,
    subject,
    *,
    message="",
    doctype: str | None = None,
    name: str | None = None,
    doc: dict | None = None,
    link: str | None = None,
    reason: str = "",
    event: str | None = None,
) -> str | None:
    """Tell ``user``; returns the Notification's name, or None when they were not told (they
    may not read the record, are disabled, or were told of this ``event`` already).
    ``subject``, ``message`` and ``reason`` may be ``i18n.words(...)``: kept as words, shown
    and mailed in the user's language (the English is kept too, for the back office)."""
    from app.model import lifecycle

    user_record = site.unguarded("user").find_one({"_id": user})
    if user_record is None or not user_record.get("enabled", True):
        return None
    if doctype and name:
        meta = site.meta(doctype)
        doc = doc if doc is not None else site.unguarded(meta.collection).find_one({"_id": name})
        if doc is None or not may_read(site, user, meta, doc):
            return None
        link = link or record_link(site, doctype, name, user)
    if event and site.unguarded(COLLECTION).find_one({"for_user": user, "event": event}, {"_id": 1}):
        return None
    delivery = preference(user_record, kind)
    status = {"Immediately": "Sent", "Daily digest": "In the next digest", "Off": "Not e-mailed"}[delivery]
    record = lifecycle.insert(
        site.context(),
        "Notification",
        {
            "for_user": user,
            "kind": kind,
            "subject": i18n.say(site, subject, "en")[:300],
            "message": i18n.say(site, message, "en")[:4000],
            "subject_words": subject if isinstance(subject, dict) else None,
            "message_words": message if isinstance(message, dict) else None,
            "document_type": doctype,
            "document_name": name,
            "link": link,
            "read": False,
            "email_status": status,
            "event": event,
        },
    )
    if delivery == "Immediately":
        mail.send(
            site,
            user,
            "notification",
            subject,
            {"full_name": user_record.get("full_name") or user, "subject": subject, "message": message, "link": link},
            kind=kind.lower(),
            reason=reason
            or i18n.words(i18n.N_("You get this mail because of your work on %(site)s."), site=site.config.site_name),
        )
    return record.name


# reading and marking ------------------------------------------------------------------------------


def unread_count(ctx) -> int:
    if ctx.is_system:
        return 0
    return ctx.site.unguarded(COLLECTION).count_documents({"for_user": ctx.user, "read": False})


def recent(ctx, limit: int = 10) -> list[dict]:
    """The caller's newest notifications (only their own)."""
    if ctx.is_system:
        return []
    fields = {"subject": 1, "kind": 1, "link": 1, "read": 1, "creation": 1, "message": 1, "subject_words": 1, "message_words": 1}
    return list(ctx.site.unguarded(COLLECTION).find({"for_user": ctx.user}, fields).sort("creation", -1).limit(limit))


def mark_read(ctx, names=None) -> int:
    """Mark the caller's notifications read (``names``, or all); returns how many changed.
    Another user's names are not touched."""
    query = {"for_user": ctx.user, "read": False}
    if names is not None:
        query["_id"] = {"$in": [str(n) for n in names]}
    now = ctx.now()
    return (
        ctx.site.unguarded(COLLECTION)
        .update_many(query, {"$set": {"read": True, "read_at": now, "modified": now}})
        .modified_count
    )


# the daily digest --------------------------------------------------------------------------------


def send_digests(site, now: dt.datetime | None = None, hour: int = DIGEST_HOUR) -> list[str]:
    """Once a day, at or after ``hour`` UTC: one mail per user with what waits in their digest.
    Returns the users mailed."""
    now = now or _now()
    if now.hour < hour:
        return []
    day = now.date().isoformat()
    coll = site.unguarded(COLLECTION)
    users = sorted({n["for_user"] for n in coll.find({"email_status": "In the next digest"}, {"for_user": 1})})
    sent = []
    for user in users:
        done = site.unguarded(DIGESTS).find_one({"_id": user}) or {}
        if done.get("day") == day:
            continue
        items = list(
            coll.find(
                {"for_user": user, "email_status": "In the next digest"}, {"subject": 1, "subject_words": 1, "link": 1}
            ).sort("creation", 1)
        )
        record = site.unguarded("user").find_one({"_id": user}, {"full_name": 1}) or {}
        lang = i18n.language_of(site, user)
        mail.send(
            site,
            user,
            "digest",
            i18n.words(
                i18n.N_("%(site)s: %(count)s notifications since your last digest")
                if len(items) != 1
                else i18n.N_("%(site)s: 1 notification since your last digest"),
                site=site.config.site_name,
                count=len(items),
            ),
            {
                "full_name": record.get("full_name") or user,
                "items": [
                    {"subject": i18n.say(site, i.get("subject_words") or i.get("subject"), lang), "link": i.get("link")}
                    for i in items
                ],
                "notifications_url": f"{site.config.public_url}/admin/notifications/",
            },
            kind="digest",
            reason=i18n.words(i18n.N_("You get this mail because you chose a daily digest for some kinds of notification.")),
            lang=lang,
        )
        coll.update_many({"_id": {"$in": [i["_id"] for i in items]}}, {"$set": {"email_status": "In a digest"}})
        site.unguarded(DIGESTS).replace_one({"_id": user}, {"_id": user, "day": day, "at": now}, upsert=True)
        sent.append(user)
    return sent


# workflows: who waits, who is told the decision --------------------------------------------------


def _roles_reading_only_own(site, meta, roles) -> bool:
    """Whether every one of ``roles`` reads ``meta`` only where the user is its owner."""
    from app.access import permission_rows

    rows = [r for r in permission_rows(site, meta) if r.get("role") in roles and r.get("read") and r.get("permlevel", 0) == 0]
    return bool(rows) and all(r.get("if_owner") for r in rows)


def waiting_for(site, meta, wf: dict, doc: dict, *, exclude=()) -> list[tuple[str, list[str]]]:
    """The users who may take an action on ``doc`` in its state now, with those actions."""
    from app.model import workflow

    state = doc.get(wf["state_field"])
    roles = sorted({t["allowed"] for t in wf["transitions"] if t["state"] == state})
    if not roles:
        return []
    users = site.unguarded("user")
    enabled = {"enabled": {"$ne": False}}
    if _roles_reading_only_own(site, meta, roles):
        queries = [({"_id": doc.get(meta.owner_field), "roles.role": {"$in": roles}, **enabled}, "_id")]
    elif meta.is_tenant and meta.tenant_values(doc):
        # the record's MDOs' users who hold one of the roles (on the index by MDO: an index
        # cannot hold two lists, MDOs and roles), and the users of the roles that work on every MDO
        everywhere = [r["_id"] for r in site.unguarded("role").find({"_id": {"$in": roles}, "mdo_scope": "All MDOs"}, {"_id": 1})]
        queries = [
            (
                {
                    "mdos.mdo": {"$in": sorted(meta.tenant_values(doc))},
                    "roles": {"$elemMatch": {"role": {"$in": roles}}},
                    **enabled,
                },
                "email",
            )
        ]
        if everywhere:
            queries.append(({"roles.role": {"$in": everywhere}, **enabled}, "_id"))
    else:
        queries = [({"roles.role": {"$in": roles}, **enabled}, "_id")]
    found = sorted({r["_id"] for q, order in queries for r in users.find(q, {"_id": 1}).sort(order, 1).limit(MAX_RECIPIENTS)})
    out = []
    for user in found[:MAX_RECIPIENTS]:
        if user in exclude:
            continue
        ctx = _context(site, user)
        if ctx is None:
            continue
        try:
            ctx.access.check(meta, "read", doc)
        except (PermissionDenied, NotFound):
            continue
        actions = workflow.actions_in(ctx, meta, wf, doc)
        if actions:
            out.append((user, actions))
    return out


def _tell_waiting(doc, wf: dict, mover: str | None, comment: str | None = None, action: str | None = None) -> set:
    """Whoever may act on the record now is told what happened and that it waits for them."""
    site, meta = doc.ctx.site, doc.meta
    data = doc.as_dict()
    told = set()
    for user, actions in waiting_for(site, meta, wf, data, exclude={mover}):
        choices = _either(actions)
        if mover and mover != "Administrator":
            subject = i18n.sentences(
                what_happened(site, meta, data, action, mover, user),
                i18n.words(i18n.N_("It waits for you: %(actions)s."), actions=choices),
            )
        else:
            subject = i18n.words(
                i18n.N_("%(record)s waits for you: %(actions)s"), record=record_words(site, meta, data, user), actions=choices
            )
        notify(
            site,
            user,
            "Task",
            subject,
            message=_outcome(wf, data, comment),
            doctype=meta.name,
            name=data["name"],
            doc=data,
            reason=i18n.words(
                i18n.N_("You get this mail because you may %(actions)s this %(doctype)s."),
                actions=choices,
                doctype=i18n.label(meta.name),
            ),
        )
        told.add(user)
    return told


def _either(actions: list[str]):
    """Actions as a choice, each translated: "Verify or Reject"."""
    said = i18n.label(actions[0])
    for action in actions[1:]:
        said = i18n.words(i18n.N_("%(first)s or %(second)s"), first=said, second=i18n.label(action))
    return said


def _outcome(wf: dict, data: dict, comment: str | None) -> dict:
    """Where the record stands now: its state, and the comment given with the action."""
    return i18n.sentences(
        i18n.words(i18n.N_("It is now %(state)s."), state=i18n.label(data.get(wf["state_field"]))) if wf else "",
        i18n.words(i18n.N_("Comment: %(comment)s"), comment=comment) if comment else "",
    )


def on_insert(doc) -> None:
    """A new record in a workflow: whoever must act on it first is told (a passbook entry to
    its MDO Admin, a fee claim to the Training Division)."""
    from app.model import workflow

    if doc.meta.is_child or doc.ctx.is_system:
        return
    wf = workflow.active(doc.ctx, doc.meta.name)  # looked up once for all that follows
    if not wf:
        return
    if workflow.actions_in(doc.ctx, doc.meta, wf, doc.as_dict()):
        return  # the maker's own draft: nobody else waits on it until they send it on
    _tell_waiting(doc, wf, doc.ctx.user)


def on_transition(doc) -> None:
    """After a workflow action: the next actors are told it waits for them, and the people
    whose record it is are told what was decided."""
    t = doc.transition or {}
    site, meta, data = doc.ctx.site, doc.meta, doc.as_dict()
    site.unguarded(COLLECTION).update_many(  # the earlier state's tasks are done
        {"document_type": meta.name, "document_name": data["name"], "kind": "Task", "read": False},
        {"$set": {"read": True, "read_at": doc.ctx.now()}},
    )
    from app.model import workflow

    wf = workflow.active(doc.ctx, meta.name)
    told = _tell_waiting(doc, wf, t.get("by"), t.get("comment"), t.get("action")) if wf else set()
    makers = {data.get("owner"), data.get(meta.owner_field) if meta.owner_field != "name" else None}
    history = (
        site.unguarded("workflow_action")
        .find({"ref_doctype": meta.name, "docname": data["name"]}, {"to_state": 1, "action": 1, "owner": 1})
        .sort([("creation", -1), ("_id", -1)])
    )
    for step in history:  # whoever sent it on to the state just decided
        if step.get("to_state") == t.get("from_state") and step.get("action") != "Edit":
            makers.add(step.get("owner"))
            break
    for user in sorted(u for u in makers if u and u not in told and u != t.get("by") and u != "Administrator"):
        notify(
            site,
            user,
            "Decision",
            what_happened(site, meta, data, t.get("action"), t.get("by"), user),
            message=_outcome(wf, data, t.get("comment")),
            doctype=meta.name,
            name=data["name"],
            doc=data,
            reason=i18n.words(
                i18n.N_("You get this mail because you made or sent on this %(doctype)s."), doctype=i18n.label(meta.name)
            ),
        )


def job_finished(site, record: dict) -> None:
    """An import its user started has finished: tell them what came of their file, in their
    language, with what was rejected and why."""
    if record.get("job_type") != "import" or record.get("as_platform"):
        return
    result, args = record.get("result") or {}, record.get("args") or {}
    what = {
        "doctype": i18n.label(args["doctype"], in_sentence=True) if args.get("doctype") else record.get("title"),
        "file": args.get("filename") or record.get("title"),
    }
    if record.get("status") == "Succeeded":
        subject = i18n.words(
            i18n.N_("Your import of %(doctype)s records from %(file)s finished: %(imported)s imported, %(rejected)s rejected."),
            imported=result.get("imported", 0),
            rejected=result.get("rejected", 0),
            **what,
        )
        message = "\n".join(result.get("errors", [])[:20])
    else:
        subject = i18n.words(i18n.N_("Your import of %(doctype)s records from %(file)s failed."), **what)
        message = record.get("error") or ""
    notify(
        site,
        record["started_by"],
        "Job",
        subject,
        message=message,
        doctype="Background Job",
        name=record["_id"],
        reason=i18n.words(i18n.N_("You get this mail because you started this import.")),
    )


MODULE = Module(
    name="Notifications",
    events=(
        DocEvent("*", "after_insert", on_insert),
        DocEvent("*", "after_transition", on_transition),
        DocEvent("Background Job", "job_finished", job_finished),
    ),
)
