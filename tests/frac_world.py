"""A small Ministry of Power and Ministry of Steel for the FRAC tests: users of every role
that takes part, through the API, and helpers that drive a role map to Verified."""

from __future__ import annotations

from dataclasses import dataclass, field

from .conftest import add_user, token_client

POWER, STEEL = "Ministry of Power", "Ministry of Steel"
DRAFTING = "Noting and Drafting"
CABINET = "Preparation of Cabinet Notes"
BUDGET = "Budgeting and Expenditure Management"

USERS = {
    "admin": ("nodal@power.gov.in", ["MDO Admin"], [POWER]),
    "ifu": ("ifu@power.gov.in", ["IFU Member"], [POWER]),
    "l1": ("l1@power.gov.in", ["FRAC Reviewer L1"], [POWER]),
    "l1b": ("l1b@power.gov.in", ["FRAC Reviewer L1"], [POWER]),
    "l2": ("l2@power.gov.in", ["FRAC Reviewer L2"], [POWER]),
    "ifu_l1": ("ifu.l1@power.gov.in", ["IFU Member", "FRAC Reviewer L1"], [POWER]),
    "steel_admin": ("nodal@steel.gov.in", ["MDO Admin"], [STEEL]),
    "steel_l1": ("l1@steel.gov.in", ["FRAC Reviewer L1"], [STEEL]),
    "dopt": ("dopt@gov.in", ["System Manager"], []),
    "analyst": ("analyst@gov.in", ["Analyst"], []),
    "cbp": ("cbp@power.gov.in", ["CBP Admin"], [POWER]),
    "content": ("creator@power.gov.in", ["Content Creator"], [POWER]),
}


@dataclass
class World:
    site: object
    c: dict = field(default_factory=dict)
    app: object = None

    def post(self, who, path, body=None, status=None):
        r = self.c[who].post(f"/api/{path}", json=body or {})
        if status is not None:
            assert r.status_code == status, (who, path, r.status_code, r.json)
        return r

    def get(self, who, path, status=None, **params):
        r = self.c[who].get(f"/api/{path}", query_string=params)
        if status is not None:
            assert r.status_code == status, (who, path, r.status_code, r.json)
        return r

    def put(self, who, path, body, status=None):
        r = self.c[who].put(f"/api/{path}", json=body)
        if status is not None:
            assert r.status_code == status, (who, path, r.status_code, r.json)
        return r

    def act(self, who, doctype, name, action, comment=None, status=200):
        return self.post(who, f"resource/{doctype}/{name}/transition", {"action": action, "comment": comment}, status)

    def create(self, who, doctype, body):
        return self.post(who, f"resource/{doctype}", body, 201).json["data"]

    def position(self, name="Under Secretary (Budget)", mdo=POWER, who="admin"):
        return self.create(who, "Position", {"position_name": name, "mdo": mdo, "group": "A"})["name"]

    def role(self, name, needs: dict, who="admin", mdo=POWER):
        return self.create(
            who,
            "FRAC Role",
            {
                "role_name": name,
                "mdo": mdo,
                "activities": [{"activity": f"{name}: prepare the file", "knowledge_resources": "Manual of Office Procedure"}],
                "competencies": [{"competency": c, "required_level": lvl} for c, lvl in needs.items()],
            },
        )["name"]

    def role_map(self, position, roles, who="admin", mdo=POWER):
        return self.create(who, "Role Map", {"position": position, "mdo": mdo, "roles": [{"frac_role": r} for r in roles]})[
            "name"
        ]

    def verify_map(self, name, maker="admin"):
        self.act(maker, "Role Map", name, "Submit for Review")
        self.act("l1", "Role Map", name, "Verify")
        self.act("l2", "Role Map", name, "Verify")

    def officer(self, email, position=None, mdo=POWER, who="admin", name=None):
        body = {"full_name": name or email.split("@")[0].title(), "email": email, "group": "A", "service": "CSS", "mdo": mdo}
        if position:
            body["position"] = position
        return self.create(who, "Officer", body)["name"]

    def learner(self, email):
        """A token client for the learner account an officer's creation made."""
        from app import auth

        auth.set_password(self.site, email, "pw-" + email)
        self.c[email] = token_client(self.site, email, app=self.app)
        return email


def build(site) -> World:
    from app.web import create_app

    w = World(site)
    w.app = create_app(site=site)  # one app for every user's client: building it is the costly part
    for key, (email, roles, mdos) in USERS.items():
        add_user(site, email, roles, mdos)
        w.c[key] = token_client(site, email, app=w.app)
    add_courses(site)
    return w


# Courses the tests' capacity building plans name (a plan's item is a real course)
PLAN_COURSES = ("Public Financial Management", "Data, Economics and Development Policy")


def add_courses(site, titles=PLAN_COURSES) -> None:
    """The courses, as records of the catalogue (written straight to the store: only their
    being there matters to a plan)."""
    for title in titles:
        if not site.db["course"].find_one({"_id": title}, {"_id": 1}):
            site.db["course"].insert_one({"_id": title, "title": title, "status": "Active", "docstatus": 0})
