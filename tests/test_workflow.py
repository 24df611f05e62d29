"""Workflows as data: states, transitions, maker-checker, comments, history."""

import importlib

import pytest

from app.errors import DocStatusError, ValidationError
from app.model import lifecycle

from .conftest import add_user, token_client

POWER, STEEL = "Ministry of Power", "Ministry of Steel"

APPROVAL = {
    "workflow_name": "Sanction Approval",
    "document_type": "Sanction",
    "state_field": "workflow_state",
    "states": [
        {"state": "Draft", "docstatus": 0, "allow_edit": "MDO Admin"},
        {"state": "Pending Approval", "docstatus": 0},
        {"state": "Rejected", "docstatus": 0, "allow_edit": "MDO Admin"},
        {"state": "Approved", "docstatus": 1},
        {"state": "Withdrawn", "docstatus": 2},
    ],
    "transitions": [
        {
            "state": "Draft",
            "action": "Send for Approval",
            "next_state": "Pending Approval",
            "allowed": "MDO Admin",
            "allow_self_approval": True,
        },
        {
            "state": "Pending Approval",
            "action": "Approve",
            "next_state": "Approved",
            "allowed": "Finance",
            "condition": ["amount", "<=", 1000],
        },
        {
            "state": "Pending Approval",
            "action": "Reject",
            "next_state": "Rejected",
            "allowed": "Finance",
            "comment_required": True,
        },
        {
            "state": "Rejected",
            "action": "Send for Approval",
            "next_state": "Pending Approval",
            "allowed": "MDO Admin",
            "allow_self_approval": True,
        },
        {"state": "Approved", "action": "Withdraw", "next_state": "Withdrawn", "allowed": "Finance", "comment_required": True},
    ],
}


@pytest.fixture
def flow(site):
    lifecycle.insert(site.context(), "Workflow", APPROVAL)
    # Here each MDO has its own finance unit (the shipped Finance role is DoPT's, across MDOs)
    lifecycle.save(site.context(), "Role", "Finance", {"mdo_scope": "Own MDOs"})
    users = {
        "maker": add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER]),
        "checker": add_user(site, "finance@power.gov.in", ["Finance"], [POWER]),
        "both": add_user(site, "both@power.gov.in", ["MDO Admin", "Finance"], [POWER]),
        "steel_finance": add_user(site, "finance@steel.gov.in", ["Finance"], [STEEL]),
    }
    clients = {k: token_client(site, v) for k, v in users.items()}
    doc = clients["maker"].post("/api/resource/Sanction", json={"purpose": "MITx fee", "amount": 100, "mdo": POWER}).json["data"]
    return {"site": site, "users": users, "c": clients, "name": doc["name"], "doc": doc}


def act(client, name, action, comment=None):
    return client.post(f"/api/resource/Sanction/{name}/transition", json={"action": action, "comment": comment})


def test_new_record_starts_in_first_state(flow):
    assert flow["doc"]["workflow_state"] == "Draft"
    refused = flow["c"]["maker"].post(
        "/api/resource/Sanction", json={"purpose": "x", "amount": 1, "mdo": POWER, "workflow_state": "Approved"}
    )
    assert refused.status_code == 400 and "new records start in 'Draft'" in refused.json["errors"]["workflow_state"][0]


def test_full_path_with_history_and_docstatus(flow):
    maker, checker = flow["c"]["maker"], flow["c"]["checker"]
    got = maker.get(f"/api/resource/Sanction/{flow['name']}").json
    assert got["workflow"]["state"] == "Draft" and got["workflow"]["actions"] == ["Send for Approval"]
    assert checker.get(f"/api/resource/Sanction/{flow['name']}").json["workflow"]["actions"] == []
    assert act(maker, flow["name"], "Send for Approval").status_code == 200
    assert checker.get(f"/api/resource/Sanction/{flow['name']}").json["workflow"]["actions"] == ["Approve", "Reject"]
    approved = act(checker, flow["name"], "Approve", "within budget")
    assert approved.status_code == 200
    assert approved.json["data"]["workflow_state"] == "Approved" and approved.json["data"]["docstatus"] == 1
    history = approved.json["workflow"]["history"]
    assert [(h["action"], h["from_state"], h["to_state"], h["user"]) for h in history] == [
        ("Send for Approval", "Draft", "Pending Approval", flow["users"]["maker"]),
        ("Approve", "Pending Approval", "Approved", flow["users"]["checker"]),
    ]
    assert history[1]["comment"] == "within budget"
    calls = importlib.import_module("igot_doctypes.sanction").CALLS
    assert [h for n, h in calls if n == flow["name"]][-2:] == ["before_submit", "on_submit"]


def test_wrong_role_is_refused(flow):
    response = act(flow["c"]["maker"], flow["name"], "Send for Approval")
    assert response.status_code == 200
    refused = act(flow["c"]["maker"], flow["name"], "Approve")
    assert refused.status_code == 403 and "only Finance may Approve" in refused.json["message"]
    unknown = act(flow["c"]["checker"], flow["name"], "Publish")
    assert unknown.status_code == 400 and "possible: Approve, Reject" in unknown.json["errors"]["action"][0]


def test_maker_cannot_approve_own_record_unless_allowed(flow):
    both = flow["c"]["both"]
    own = both.post("/api/resource/Sanction", json={"purpose": "own", "amount": 10, "mdo": POWER}).json["data"]
    act(both, own["name"], "Send for Approval")
    assert both.get(f"/api/resource/Sanction/{own['name']}").json["workflow"]["actions"] == []
    refused = act(both, own["name"], "Approve")
    assert refused.status_code == 403 and "maker-checker" in refused.json["message"]
    assert act(flow["c"]["checker"], own["name"], "Approve").status_code == 200
    # the user who sent it for approval is a maker too, even if someone else created it
    act(both, flow["name"], "Send for Approval")
    assert act(both, flow["name"], "Approve").status_code == 403


def test_self_approval_when_the_transition_allows_it(site, flow):
    wf = site.db.workflow.find_one({"_id": "Sanction Approval"})
    for t in wf["transitions"]:
        if t["action"] == "Approve":
            t["allow_self_approval"] = True
    lifecycle.save(site.context(), "Workflow", "Sanction Approval", {"transitions": wf["transitions"]})
    both = flow["c"]["both"]
    own = both.post("/api/resource/Sanction", json={"purpose": "own", "amount": 10, "mdo": POWER}).json["data"]
    act(both, own["name"], "Send for Approval")
    assert act(both, own["name"], "Approve").status_code == 200


def test_rejection_needs_a_comment(flow):
    act(flow["c"]["maker"], flow["name"], "Send for Approval")
    missing = act(flow["c"]["checker"], flow["name"], "Reject", "  ")
    assert missing.status_code == 400 and "needs a comment" in missing.json["errors"]["comment"][0]
    rejected = act(flow["c"]["checker"], flow["name"], "Reject", "attach the fee receipt")
    assert rejected.json["data"]["workflow_state"] == "Rejected"
    assert rejected.json["workflow"]["history"][-1]["comment"] == "attach the fee receipt"
    assert (
        flow["c"]["maker"].put(f"/api/resource/Sanction/{flow['name']}", json={"remarks": "receipt attached"}).status_code == 200
    )


def test_condition_is_enforced(flow):
    maker = flow["c"]["maker"]
    maker.put(f"/api/resource/Sanction/{flow['name']}", json={"amount": 5000})
    act(maker, flow["name"], "Send for Approval")
    refused = act(flow["c"]["checker"], flow["name"], "Approve")
    assert refused.status_code == 403 and "needs amount <= 1000 (it is 5000.0)" in refused.json["message"]


def test_editing_follows_the_state(flow):
    maker = flow["c"]["maker"]
    assert maker.put(f"/api/resource/Sanction/{flow['name']}", json={"workflow_state": "Approved"}).status_code == 400
    act(maker, flow["name"], "Send for Approval")
    locked = maker.put(f"/api/resource/Sanction/{flow['name']}", json={"amount": 1})
    assert locked.status_code == 403 and "only nobody may edit" in locked.json["message"]


def test_direct_submit_is_refused_while_a_workflow_is_active(flow, site):
    with pytest.raises(DocStatusError, match="follows the workflow 'Sanction Approval'"):
        lifecycle.submit(site.context(), "Sanction", flow["name"])


def test_other_mdo_cannot_act_or_see_history(flow):
    act(flow["c"]["maker"], flow["name"], "Send for Approval")
    assert act(flow["c"]["steel_finance"], flow["name"], "Approve").status_code == 404
    lifecycle.save(flow["site"].context(), "Role", "Finance", {"mdo_scope": "All MDOs"})  # scope is data
    assert (
        token_client(flow["site"], flow["users"]["steel_finance"]).get(f"/api/resource/Sanction/{flow['name']}").status_code
        == 200
    )
    steel_admin = token_client(flow["site"], add_user(flow["site"], "nodal@steel.gov.in", ["MDO Admin"], [STEEL]))
    assert steel_admin.get("/api/resource/Workflow Action").json["total"] == 0
    assert flow["c"]["maker"].get("/api/resource/Workflow Action").status_code == 200


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"document_type": "Nothing"}, "document_type", "does not exist"),
        ({"state_field": "colour"}, "state_field", "needs a Data or Select field 'colour'"),
        (
            {"transitions": [{"state": "Draft", "action": "Go", "next_state": "Nowhere", "allowed": "Finance"}]},
            "transitions",
            "'Nowhere' is not one of the states",
        ),
        (
            {
                "transitions": [
                    {
                        "state": "Draft",
                        "action": "Go",
                        "next_state": "Rejected",
                        "allowed": "Finance",
                        "condition": ["shoe", "=", 1],
                    }
                ]
            },
            "transitions",
            "condition must be",
        ),
    ],
)
def test_bad_workflow_is_refused(site, change, field, message):
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(site.context(), "Workflow", APPROVAL | {"workflow_name": "Other"} | change)
    assert message in " ".join(err.value.errors[field])


def test_one_active_workflow_per_doctype(flow, site):
    with pytest.raises(ValidationError, match="already has an active workflow"):
        lifecycle.insert(site.context(), "Workflow", APPROVAL | {"workflow_name": "Second"})


def test_a_workflow_activated_by_another_process_holds_at_once(tmp_path):
    """A doctype's active workflow is kept per process until a workflow changes
    (``Site.kept``): one activated in another process (another site on the same embedded
    store) holds from the next request on, tried from the side of the maker it stops from
    submitting directly; deactivated there, it no longer holds here."""
    from app import install
    from app.site import Site

    from .conftest import make_config

    one = Site(make_config("embedded", tmp_path))
    install.init(one)
    other = Site(make_config("embedded", tmp_path))
    maker = token_client(one, add_user(one, "nodal@power.gov.in", ["MDO Admin"], [POWER]))
    first = maker.post("/api/resource/Sanction", json={"purpose": "Before", "amount": 10, "mdo": POWER}).json["data"]
    assert not first.get("workflow_state")

    made = lifecycle.insert(other.context(), "Workflow", APPROVAL)
    second = maker.post("/api/resource/Sanction", json={"purpose": "After", "amount": 10, "mdo": POWER}).json["data"]
    assert second["workflow_state"] == "Draft"
    with pytest.raises(DocStatusError, match="follows the workflow 'Sanction Approval'"):
        lifecycle.submit(one.context(), "Sanction", second["name"])

    lifecycle.save(other.context(), "Workflow", made.name, {"is_active": False})
    third = maker.post("/api/resource/Sanction", json={"purpose": "Off", "amount": 10, "mdo": POWER}).json["data"]
    assert not third.get("workflow_state")
    one.close()
    other.close()
