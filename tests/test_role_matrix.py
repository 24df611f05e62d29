"""For every role and every doctype, the API grants exactly what the permission rows grant:
a role without read is refused the list (403), without create the insert, without delete
the deletion. Derived from the meta, so a new doctype or role is covered as it is added."""

import json

import pytest

from app.access import EVERYONE, READ_ACTIONS, READ_ALL_MDOS
from app.config import ROOT

from .conftest import add_user, token_client

ROLES = [r["role_name"] for r in json.loads((ROOT / "fixtures" / "role.json").read_text())["records"]]


def grants(meta, role, action):
    rows = [r for r in meta.permissions if r["role"] in (role, EVERYONE) and r.get("permlevel", 0) == 0 and r.get(action)]
    return bool(rows) and not (role == READ_ALL_MDOS and action not in READ_ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_role_is_refused_what_it_is_not_granted(mock_site, role):
    client = token_client(
        mock_site, add_user(mock_site, f"{role.replace(' ', '.').lower()}@gov.in", [role], ["Ministry of Power"])
    )
    checked = 0
    for meta in mock_site.registry:
        if meta.is_child:
            continue
        base = f"/api/resource/{meta.name}"
        listed = client.get(base)
        assert (listed.status_code == 200) == grants(meta, role, "read"), (role, meta.name, "read", listed.status_code)
        body = {}
        if meta.is_tenant and meta.tenant_field != "name":
            head, _, rest = meta.tenant_field.partition(".")
            body = {head: [{rest: "Ministry of Power"}]} if rest else {head: "Ministry of Power"}
        created = client.post(base, json=body)
        if grants(meta, role, "create"):
            assert created.status_code == 400, (role, meta.name, created.json)  # allowed, but {} is invalid
        else:
            assert created.status_code == 403, (role, meta.name, "create", created.status_code)
        deleted = client.delete(f"{base}/no-such-record")
        assert deleted.status_code == (404 if grants(meta, role, "delete") else 403), (role, meta.name, "delete")
        checked += 1
    assert checked >= 10
