"""The document lifecycle: hook order, docstatus, optimistic concurrency, amend, delete."""

import datetime as dt
import importlib

import pytest

from app.errors import DocStatusError, NotFound, StaleDocument, ValidationError
from app.model import lifecycle
from app.model.document import DocStatus


@pytest.fixture
def calls(site):
    module = importlib.import_module("igot_doctypes.sanction")
    module.CALLS.clear()
    return module.CALLS


def sanction(ctx, **kw):
    data = {"purpose": "MITx course fee", "amount": 100, "mdo": "Ministry of Steel"} | kw
    return lifecycle.insert(ctx, "Sanction", data)


def hooks(calls):
    return [hook for _, hook in calls]


def test_hook_order_insert(ctx, calls):
    sanction(ctx)
    assert hooks(calls) == ["before_insert", "validate", "before_save", "after_insert", "on_update"]


def test_hook_order_save_submit_cancel_delete(ctx, calls):
    doc = sanction(ctx)
    calls.clear()
    lifecycle.save(ctx, "Sanction", doc.name, {"amount": 120})
    assert hooks(calls) == ["validate", "before_save", "on_update"]
    calls.clear()
    lifecycle.submit(ctx, "Sanction", doc.name)
    assert hooks(calls) == ["validate", "before_submit", "on_submit"]
    calls.clear()
    lifecycle.cancel(ctx, "Sanction", doc.name)
    assert hooks(calls) == ["before_cancel", "on_cancel"]
    calls.clear()
    lifecycle.delete(ctx, "Sanction", doc.name)
    assert hooks(calls) == ["on_trash"]


@pytest.mark.parametrize("hook", ["validate", "before_save"])
def test_hook_refusal_stores_nothing(site, ctx, calls, hook):
    with pytest.raises(ValidationError, match=f"refused in {hook}"):
        sanction(ctx, refuse_in=hook)
    assert site.db.sanction.count_documents({}) == 0
    assert "after_insert" not in hooks(calls)


def test_refused_save_leaves_stored_record_unchanged(site, ctx):
    doc = sanction(ctx)
    before = site.db.sanction.find_one({"_id": doc.name})
    with pytest.raises(ValidationError):
        lifecycle.save(ctx, "Sanction", doc.name, {"amount": "lots", "purpose": "changed"})
    assert site.db.sanction.find_one({"_id": doc.name}) == before


def test_standard_fields_are_set(ctx):
    doc = sanction(ctx)
    assert doc.owner == doc.modified_by == "nodal.power@gov.in"
    assert doc.creation == doc.modified and doc.docstatus == DocStatus.DRAFT
    assert doc.name.startswith(f"SAN-{dt.date.today():%y}-") and len(doc.name) == 10


def test_standard_fields_cannot_be_given(ctx):
    with pytest.raises(ValidationError) as err:
        sanction(ctx, owner="someone.else@gov.in", docstatus=1)
    assert set(err.value.errors) == {"owner", "docstatus"}


def test_submitted_record_is_read_only_except_allow_on_submit(site, ctx):
    doc = sanction(ctx)
    lifecycle.submit(ctx, "Sanction", doc.name)
    with pytest.raises(DocStatusError, match="amount cannot be changed"):
        lifecycle.save(ctx, "Sanction", doc.name, {"amount": 500})
    assert site.db.sanction.find_one({"_id": doc.name})["amount"] == 100
    saved = lifecycle.save(ctx, "Sanction", doc.name, {"remarks": "paid on 2019-08-01"})
    assert saved.remarks == "paid on 2019-08-01" and saved.docstatus == DocStatus.SUBMITTED


@pytest.mark.parametrize(
    "path, action, message",
    [
        ([], "cancel", "it is draft; only a submitted record can be cancelled"),
        ([], "amend", "it is draft; only a cancelled record can be amended"),
        (["submit"], "submit", "it is submitted; only a draft record can be submitted"),
        (["submit"], "delete", "is submitted and cannot be deleted"),
        (["submit", "cancel"], "submit", "it is cancelled; only a draft record can be submitted"),
        (["submit", "cancel"], "cancel", "it is cancelled; only a submitted record can be cancelled"),
    ],
)
def test_docstatus_only_moves_forward(ctx, path, action, message):
    doc = sanction(ctx)
    for step in path:
        getattr(lifecycle, step)(ctx, "Sanction", doc.name)
    with pytest.raises(DocStatusError, match=message):
        getattr(lifecycle, action)(ctx, "Sanction", doc.name)


def test_cancelled_record_cannot_be_saved(ctx):
    doc = sanction(ctx)
    lifecycle.submit(ctx, "Sanction", doc.name)
    lifecycle.cancel(ctx, "Sanction", doc.name)
    with pytest.raises(DocStatusError, match="is cancelled and cannot be changed; amend it"):
        lifecycle.save(ctx, "Sanction", doc.name, {"remarks": "x"})


def test_non_submittable_doctype_cannot_be_submitted(ctx, officer_data):
    officer = lifecycle.insert(ctx, "Officer", officer_data)
    with pytest.raises(DocStatusError, match="Officer is not submittable"):
        lifecycle.submit(ctx, "Officer", officer.name)


def test_amend_copies_into_name_1_then_name_2(site, ctx):
    doc = sanction(ctx, amount=100)
    lifecycle.submit(ctx, "Sanction", doc.name)
    lifecycle.cancel(ctx, "Sanction", doc.name)
    first = lifecycle.amend(ctx, "Sanction", doc.name)
    assert first.name == f"{doc.name}-1" and first.amended_from == doc.name
    assert first.docstatus == DocStatus.DRAFT and first.amount == 100
    lifecycle.submit(ctx, "Sanction", first.name)
    lifecycle.cancel(ctx, "Sanction", first.name)
    second = lifecycle.amend(ctx, "Sanction", first.name)
    assert second.name == f"{doc.name}-2" and second.amended_from == first.name
    assert site.db.sanction.find_one({"_id": doc.name})["docstatus"] == DocStatus.CANCELLED


def test_stale_save_is_refused_and_overwrites_nothing(site, ctx):
    doc = sanction(ctx)
    read_at = doc.modified
    lifecycle.save(ctx, "Sanction", doc.name, {"amount": 150, "modified": read_at})
    with pytest.raises(StaleDocument, match="was changed at .* after the version you read"):
        lifecycle.save(ctx, "Sanction", doc.name, {"amount": 175, "modified": read_at})
    assert site.db.sanction.find_one({"_id": doc.name})["amount"] == 150


def test_stale_submit_is_refused(ctx):
    doc = sanction(ctx)
    lifecycle.save(ctx, "Sanction", doc.name, {"amount": 150})
    with pytest.raises(StaleDocument):
        lifecycle.submit(ctx, "Sanction", doc.name, expected_modified=doc.modified)


def test_concurrent_write_between_read_and_write_is_refused(site, ctx, monkeypatch):
    """The write itself is conditional on `modified`: a change landing after our read is
    detected even when the caller sent no `modified`."""
    doc = sanction(ctx)
    real_get = lifecycle.get

    def get_then_someone_else_saves(*args, **kwargs):
        read = real_get(*args, **kwargs)
        site.db.sanction.update_one(
            {"_id": doc.name}, {"$set": {"modified": read.modified + dt.timedelta(seconds=1), "amount": 999}}
        )
        return read

    monkeypatch.setattr(lifecycle, "get", get_then_someone_else_saves)
    with pytest.raises(StaleDocument):
        lifecycle.save(ctx, "Sanction", doc.name, {"amount": 1})
    assert site.db.sanction.find_one({"_id": doc.name})["amount"] == 999


def test_modified_strictly_increases(ctx):
    frozen = dt.datetime(2026, 1, 1, 12, 0)
    ctx.clock = lambda: frozen
    doc = sanction(ctx)
    again = lifecycle.save(ctx, "Sanction", doc.name, {"amount": 101})
    assert again.modified > doc.modified


def test_delete_and_missing_record(site, ctx):
    doc = sanction(ctx)
    lifecycle.delete(ctx, "Sanction", doc.name)
    with pytest.raises(NotFound, match=f"Sanction '{doc.name}' not found"):
        lifecycle.get(ctx, "Sanction", doc.name)
    with pytest.raises(NotFound):
        lifecycle.delete(ctx, "Sanction", doc.name)


def test_officer_controller_checks_group_against_service(ctx, officer_data):
    with pytest.raises(ValidationError, match="Service IAS has groups A; got 'B'"):
        lifecycle.insert(ctx, "Officer", officer_data | {"group": "B"})
    officer = lifecycle.insert(ctx, "Officer", officer_data | {"service": "CSS", "group": "B"})
    assert officer.group == "B"


def test_a_follow_up_marked_due_is_on_the_record_until_it_has_run(site, ctx, calls):
    module = importlib.import_module("igot_doctypes.sanction")
    module.MARKED.clear()
    doc = sanction(ctx)
    calls.clear()
    meta = ctx.registry.get("Sanction")
    lifecycle.move(ctx, meta, lifecycle.get(ctx, "Sanction", doc.name).as_dict(), {"amount": 150}, due=("on_release",))
    assert hooks(calls) == ["validate", "before_save", "on_update", "on_release"]
    assert module.MARKED == [["on_release"]]  # written with the change, before the follow-up ran
    stored = site.db.sanction.find_one({"_id": doc.name})
    assert stored["amount"] == 150 and lifecycle.PENDING not in stored
    calls.clear()
    lifecycle.save(ctx, "Sanction", doc.name, {"amount": 160})  # an ordinary save makes nothing due
    assert "on_release" not in hooks(calls)


def test_recovery_finishes_cut_off_follow_ups_and_one_that_fails_waits_for_the_next_run(site, ctx, calls):
    from app import recovery

    module = importlib.import_module("igot_doctypes.sanction")
    first, second = sanction(ctx).name, sanction(ctx, purpose="Travel").name
    five_minutes_ago = ctx.now() - dt.timedelta(minutes=5)
    for name in (first, second):  # what a crash right after the write that marked it leaves
        site.db.sanction.update_one({"_id": name}, {"$set": {lifecycle.PENDING: ["on_release"], "modified": five_minutes_ago}})
    calls.clear()
    module.FAIL.add(first)
    try:
        report = recovery.run(site)
    finally:
        module.FAIL.clear()
    assert ("Sanction", second) in report["resumed"] and ("Sanction", first) not in report["resumed"]
    assert report["not_resumed"] == [("Sanction", first, "the treasury did not answer")]
    assert f"Sanction {first}: follow-up work could not be completed" in "\n".join(recovery.describe(report))
    assert site.db.sanction.find_one({"_id": first})[lifecycle.PENDING] == ["on_release"]  # kept, for the next run
    assert lifecycle.PENDING not in site.db.sanction.find_one({"_id": second})
    again = recovery.run(site)
    assert again["resumed"] == [("Sanction", first)] and again["not_resumed"] == []
    assert sorted(name for name, hook in calls if hook == "on_release") == sorted([first, first, second])
