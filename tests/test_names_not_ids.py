"""Names, not ids: every record page (details and edit) and history of the back office, and
the officer's profile in the portal, show a linked record by its title and a date as
DD/MM/YYYY. One record is built for each doctype with a Link field, every field filled,
each link pointing at a record with a title; a Version of it changes every link and date."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from html.parser import HTMLParser

import pytest

from app.model import lifecycle
from app.web import create_app

from .conftest import PASSWORD, add_user
from .test_admin import signed_in

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TARGET_ID = re.compile(r"ID-[a-z_]+-\d+\b")
DAY = dt.date(2026, 12, 4)  # 04/12/2026: read as 12/04/2026 by a US reader, so never shown either way but one
MOMENT = dt.datetime(2026, 12, 4, 9, 30)
MANAGER = "dopt@gov.in"


class _Visible(HTMLParser):
    """The text a person sees on a page: text outside scripts and styles, and the values of
    the inputs they can see (a date field's value, not a hidden id)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag in ("input", "textarea") and attrs.get("type") not in ("hidden", "checkbox", "radio", "submit", "file"):
            self.parts.append(attrs.get("value") or "")
        if tag == "option" and "selected" not in attrs:
            self._skip += 1  # a choice not taken is not on the screen until the list opens
            self._option = True

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if tag == "option" and getattr(self, "_option", False):
            self._skip -= 1
            self._option = False

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    # a child table's blank row, kept escaped in a hidden element until "Add" copies it
    parser.feed(re.sub(r'<div class="inline-field-template[^"]*"[^>]*>.*?</div>', "", page, flags=re.S))
    return html.unescape(" ".join(p.strip() for p in parser.parts if p.strip()))


def problems(text: str) -> list[str]:
    """Ids of titled records and ISO dates in ``text``, each with a little around it."""
    found = []
    for pattern in (TARGET_ID, ISO_DATE):
        for m in pattern.finditer(text):
            found.append(text[max(0, m.start() - 60) : m.end() + 20])
    return found


# one record per doctype, every field filled -------------------------------------------------------


_SERIAL = itertools.count(1)


def _value(registry, f, targets, n=1):
    kind = f.fieldtype
    if kind == "Link":
        return targets(f.options, n)
    if kind == "Date":
        return (DAY + dt.timedelta(days=n - 1)).isoformat()
    if kind == "Datetime":
        return MOMENT + dt.timedelta(days=n - 1)
    if kind in ("Int", "Rating"):
        return n + 1
    if kind in ("Float", "Currency", "Percent"):
        return 1.5
    if kind == "Check":
        return 1
    if kind == "Select":
        return f.select_options[0] if f.select_options else None
    if kind in ("JSON", "Attach", "Table", "Password"):
        return None
    if kind == "Email":
        return f"someone.{next(_SERIAL)}@example.gov.in"
    return f"{f.label} {next(_SERIAL)}"  # unique, for fields that must be


class World:
    """Raw records written straight to the store (what is displayed is under test here, not
    the rules that made it): targets named ``ID-<collection>-<n>`` with a title, and one record
    of each doctype with links, named ``REC-<collection>``."""

    def __init__(self, site):
        self.site, self.registry = site, site.registry
        self.made: set = set()

    def target(self, doctype: str, n: int = 1) -> str:
        meta = self.registry.get(doctype)
        # a record with no title can only be shown by its name: "NT-", which the test allows
        name = f"{'ID' if meta.title_field else 'NT'}-{meta.collection}-{n}"
        if (doctype, name) not in self.made:
            self.made.add((doctype, name))
            self.write(meta, name, n, title=f"Title of {doctype} {n}")
        return name

    def write(self, meta, name: str, n: int = 1, title: str | None = None) -> dict:
        doc = {"_id": name, "owner": "Administrator", "modified_by": "Administrator", "docstatus": 0}
        doc["creation"] = doc["modified"] = MOMENT
        for f in meta.all_fields:
            if f.fieldname in ("name", "docstatus", "workflow_state") or f.fieldname in doc:
                continue
            if f.fieldtype == "Table":
                child = self.registry.get(f.options)
                doc[f.fieldname] = [
                    {
                        "name": f"{name}-row",
                        "idx": 1,
                        **{
                            c.fieldname: _value(self.registry, c, self.target, n)
                            for c in child.all_fields
                            if c.fieldname not in ("name", "idx")
                        },
                    }
                ]
                continue
            # a link to its own kind (Amended From) points at another record, with links of its own
            doc[f.fieldname] = _value(self.registry, f, self.target, n + 1000 if f.options == meta.name and n < 1000 else n)
        if meta.title_field and meta.title_field in doc and title:
            field = meta.get_field(meta.title_field)
            if field.fieldtype not in ("Link", "Date", "Datetime", "Int", "Select"):
                doc[meta.title_field] = title
        self.site.db[meta.collection].delete_one({"_id": name})
        self.site.db[meta.collection].insert_one(doc)
        return doc

    def version(self, meta, name: str) -> None:
        """A history in which every link and date of the record changed."""
        changed = [
            {
                "field": f.fieldname,
                "old": _value(self.registry, f, self.target, 1),
                "new": _value(self.registry, f, self.target, 2),
            }
            for f in meta.all_fields
            if f.fieldtype in ("Link", "Date", "Datetime")
        ]
        added = [
            {"table": f.fieldname, "row": self.site.db[meta.collection].find_one({"_id": name})[f.fieldname][0]}
            for f in meta.table_fields
        ]
        self.site.db["version"].insert_one(
            {
                "_id": f"VER-{meta.collection}",
                "ref_doctype": meta.name,
                "docname": name,
                "data": {"changed": changed, **({"added": added} if added else {})},
                "owner": "Administrator",
                "modified_by": "Administrator",
                "creation": MOMENT,
                "modified": MOMENT,
                "docstatus": 0,
            }
        )


def with_links(registry) -> list:
    """The doctypes with a Link field, their own or in a child table (a child table's are
    walked on its parent's page)."""

    def links(meta):
        return any(f.fieldtype == "Link" for f in meta.all_fields) or any(
            links(registry.get(t.options)) for t in meta.table_fields
        )

    return [registry.get(n) for n in sorted(registry.names) if not registry.get(n).is_child and links(registry.get(n))]


@pytest.fixture
def world(site):
    add_user(site, MANAGER, ["System Manager"])
    w = World(site)
    w.app = create_app(site=site)
    return w


def test_record_pages_and_histories_show_titles_and_indian_dates(world):
    site = world.site
    client = signed_in(world.app, MANAGER)
    walked, found = [], {}
    for i, meta in enumerate(with_links(site.registry)):
        name = f"REC-{meta.collection}"
        world.write(meta, name, 100 + i)  # its own targets: a link may be unique (one claim per enrolment)
        world.version(meta, name)
        for kind in ("details", "edit"):
            r = client.get(f"/admin/{meta.collection}/{kind}/?id={name}", follow_redirects=True)
            assert r.status_code == 200, (meta.name, kind, r.status_code)
            page = r.get_data(as_text=True)
            if kind == "details":
                assert "version-history" in page, f"{meta.name}: its history is not on its page"
            walked.append((meta.name, kind))
            bad = problems(visible(page))
            if bad:
                found[f"{meta.name} {kind}"] = bad
        # the Version itself, as the history's own page shows it
        page = client.get(f"/admin/version/details/?id=VER-{meta.collection}").get_data(as_text=True)
        bad = problems(visible(page))
        if bad:
            found[f"{meta.name} version"] = bad
    assert len(walked) >= 2 * 30, walked  # every doctype with a link (32 now), both of its pages
    assert not found, "\n".join(f"{k}: {v[:3]}" for k, v in found.items())


def test_a_level_reads_with_its_name_and_is_picked_by_name(world):
    """A competency level is "2 - Proficient" on the page, in its history and in the form."""
    site = world.site
    client = signed_in(world.app, MANAGER)
    meta = site.registry.get("Passbook Entry")
    world.write(meta, "REC-passbook_entry")
    site.db["competency"].update_one(
        {"_id": world.target("Competency")}, {"$set": {"levels": [{"level": 2, "level_name": "Can draft alone"}]}}
    )
    shown = visible(client.get("/admin/passbook_entry/details/?id=REC-passbook_entry").get_data(as_text=True))
    assert "2 - Can draft alone" in shown
    r = client.get("/admin/passbook_entry/new/")
    assert r.status_code == 200
    select = re.search(r'<select[^>]*name="level".*?</select>', r.get_data(as_text=True), re.S)
    assert select, "the level is not picked from a list"
    assert '<option value="2">2 - Proficient</option>' in select.group(0)
    assert '<option value="5">5 - Ustad</option>' in select.group(0)


def test_the_officers_profile_shows_position_and_service_by_name(site):
    """In the portal the officer sees their position and service by name, not POS-00001/CSS."""
    from app.auth import context_for

    add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
    add_user(site, "asha@power.gov.in", ["Learner"], ["Ministry of Power"])
    nodal = context_for(site, "nodal@power.gov.in")
    position = lifecycle.insert(nodal, "Position", {"position_name": "Under Secretary (Coal)", "mdo": "Ministry of Power"}).name
    service = site.db["service"].find_one({}, {"_id": 1, "service_name": 1})
    assert service["_id"] != service["service_name"]
    lifecycle.insert(
        nodal,
        "Officer",
        {
            "full_name": "Asha Rao",
            "email": "asha@power.gov.in",
            "service": service["_id"],
            "group": "A",
            "mdo": "Ministry of Power",
            "position": position,
            "date_of_birth": "1985-04-02",
        },
    )
    app = create_app(site=site)
    app.config["WTF_CSRF_ENABLED"] = False  # the sign-in form is not under test here
    client = app.test_client()
    r = client.post("/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    page = client.get("/profile")
    assert page.status_code == 200
    text = visible(page.get_data(as_text=True))
    assert "Under Secretary (Coal)" in text and position not in text
    assert service["service_name"] in text
    assert not ISO_DATE.search(text)


def test_training_division_reads_the_eligibility_rule_by_rule(world):
    """The enrolment's eligibility as the officer sees it, not a JSON blob with %(who)s."""
    site = world.site
    client = signed_in(world.app, MANAGER)
    world.write(site.registry.get("Enrolment"), "REC-enrolment")
    answer = {
        "eligible": False,
        "rules": [
            {
                "rule": "category",
                "pass": True,
                "reason": "IAS group A is one of the categories of MOOC",
                "words": ["%(who)s is one of the categories of %(programme)s", {"who": "IAS group A", "programme": "MOOC"}],
            },
            {
                "rule": "age",
                "pass": False,
                "reason": "born 1960-04-02: 66 on 2026-07-01, over the limit of 56",
                "words": [
                    "born %(born)s: %(age)s on %(on)s, over the limit of %(limit)s",
                    {"born": "02/04/1960", "age": 66, "on": "01/07/2026", "limit": 56},
                ],
            },
        ],
    }
    site.db["enrolment"].update_one({"_id": "REC-enrolment"}, {"$set": {"eligibility": answer}})
    page = client.get("/admin/enrolment/details/?id=REC-enrolment").get_data(as_text=True)
    block = re.search(r'<div class="value-lines" data-field="eligibility">(.*?)</div>', page, re.S)
    assert block, "the eligibility is not shown as a list of rules"
    text = visible(block.group(1))
    assert text.startswith("Not eligible")
    assert "Category: met (IAS group A is one of the categories of MOOC)" in text
    assert "Age: not met (born 02/04/1960: 66 on 01/07/2026, over the limit of 56)" in text
    assert "%(" not in visible(page) and '"rules"' not in visible(page)
