"""The authorization matrix: every endpoint and method, for an anonymous client, a user of the
other subtree, a user of the right subtree without the permission, and a user with it. A denied
write must leave every table (and the audit trail) exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import db_state
from tests.factories import make_id_number, make_org

ANON, OTHER, NOPERM, ALLOWED = "anonymous", "other subtree", "no permission", "allowed"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[dict], str]
    noperm_user: str
    other_status: int
    ok_status: int
    body: Callable[[dict], dict[str, Any]] | None = None
    #: for reads the other subtree may answer 200: these codes must then not appear in it
    hidden: tuple[str, ...] = ()

    @property
    def is_write(self) -> bool:
        return self.method not in ("get", "head")


def _new_org(_t: dict) -> dict[str, Any]:
    return {
        "code": "BA077",
        "name": "甲镇新建党支部",
        "type": "党支部",
        "sector": "农村",
        "parent": "TA001",
    }


def _new_member(_t: dict) -> dict[str, Any]:
    return {
        "name": "新党员",
        "id_number": make_id_number(),
        "member_type": "预备党员",
        "joined_on": "2025-07-01",
        "org": "BA001",
    }


def _a0(t: dict) -> int:
    return t["members_a"][0].pk


CASES = [
    Case(
        "org list", "get", lambda t: "/api/v1/orgs/", "auditor", 200, 200, hidden=("TA001", "BA001")
    ),
    Case("org list by parent", "get", lambda t: "/api/v1/orgs/?parent=TA001", "auditor", 404, 200),
    Case("org detail", "get", lambda t: "/api/v1/orgs/BA001/", "auditor", 404, 200),
    Case("org create", "post", lambda t: "/api/v1/orgs/", "inspector_a", 400, 201, _new_org),
    Case(
        "org create (secretary)",
        "post",
        lambda t: "/api/v1/orgs/",
        "secretary_a",
        400,
        201,
        _new_org,
    ),
    Case(
        "org patch",
        "patch",
        lambda t: "/api/v1/orgs/BA001/",
        "inspector_a",
        404,
        200,
        lambda t: {"name": "甲村党支部（改）"},
    ),
    Case(
        "org move",
        "patch",
        lambda t: "/api/v1/orgs/BA001/",
        "secretary_a",
        404,
        200,
        lambda t: {"parent": "GA001"},
    ),
    Case(
        "member list", "get", lambda t: "/api/v1/members/", "sysadmin", 200, 200, hidden=("BA001",)
    ),
    Case(
        "member list by org",
        "get",
        lambda t: "/api/v1/members/?org=BA001&subtree=1",
        "sysadmin",
        404,
        200,
    ),
    Case("member detail", "get", lambda t: f"/api/v1/members/{_a0(t)}/", "sysadmin", 404, 200),
    Case(
        "member create", "post", lambda t: "/api/v1/members/", "inspector_a", 400, 201, _new_member
    ),
    Case(
        "member patch",
        "patch",
        lambda t: f"/api/v1/members/{_a0(t)}/",
        "inspector_a",
        404,
        200,
        lambda t: {"name": "改名党员", "phone": "13900001111"},
    ),
    Case(
        "member reveal",
        "post",
        lambda t: f"/api/v1/members/{_a0(t)}/reveal/",
        "inspector_a",
        404,
        200,
        lambda t: {"reason": "核对"},
    ),
    Case(
        "member statuses",
        "get",
        lambda t: f"/api/v1/members/{_a0(t)}/statuses/",
        "sysadmin",
        404,
        200,
    ),
    Case(
        "member status record",
        "post",
        lambda t: f"/api/v1/members/{_a0(t)}/statuses/",
        "inspector_a",
        404,
        201,
        lambda t: {"kind": "停止党籍", "started_on": "2026-05-06", "decided_by": "甲村党支部"},
    ),
    Case("findings", "get", lambda t: "/api/v1/findings/", "sysadmin", 200, 200, hidden=("BA009",)),
    Case("findings of org", "get", lambda t: "/api/v1/findings/?org=BA009", "auditor", 404, 200),
]


@pytest.fixture
def world(tree):
    # a 党总支 in subtree A (target of the move) and an empty branch that has findings
    make_org(tree["town_a"], org_type="党总支", sector="农村", code="GA001", name="甲镇党总支")
    make_org(tree["town_a"], org_type="党支部", sector="农村", code="BA009", name="甲空支部")
    return tree


def _actor(case: Case, who: str) -> str | None:
    return {
        ANON: None,
        OTHER: "admin_b",
        NOPERM: case.noperm_user,
        ALLOWED: "admin_a",
    }[who]


def _codes(payload: Any) -> set[str]:
    found: set[str] = set()
    for item in payload.get("results", []):
        for key in ("code", "org", "subject"):
            if key in item:
                found.add(item[key])
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("who", [ANON, OTHER, NOPERM, ALLOWED])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matrix(world, client_for, case: Case, who: str):
    client = client_for(_actor(case, who))
    body = case.body(world) if case.body else None
    before = db_state()
    url = case.url(world)
    if case.is_write:
        response = getattr(client, case.method)(url, body, format="json")
    else:
        response = getattr(client, case.method)(url)
    expected = {ANON: 401, OTHER: case.other_status, NOPERM: 403, ALLOWED: case.ok_status}[who]
    assert response.status_code == expected, response.content.decode()
    after = db_state()
    if who == ANON:
        assert response["WWW-Authenticate"] == "Token"
    if expected >= 400:
        assert isinstance(response.json(), dict)
        message = response.json().get("detail") or next(iter(response.json().values()))
        assert message  # every refusal says why
    if case.is_write and expected >= 400:
        assert after == before, "a denied write changed the database"
    if case.is_write and who == ALLOWED:
        assert after.audit > before.audit, "an accepted write (or reveal) must be audited"
    if who == OTHER and expected == 200:
        assert not (_codes(response.json()) & set(case.hidden))
    if who == ALLOWED and case.hidden:
        assert _codes(response.json()) & set(case.hidden)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url",
    [
        ("put", "/api/v1/orgs/BA001/"),
        ("delete", "/api/v1/orgs/BA001/"),
        ("put", "/api/v1/members/{pk}/"),
        ("delete", "/api/v1/members/{pk}/"),
        ("get", "/api/v1/members/{pk}/reveal/"),
        ("post", "/api/v1/findings/"),
    ],
)
def test_unsupported_methods_change_nothing(world, client_for, method, url):
    url = url.format(pk=world["members_a"][0].pk)
    before = db_state()
    anonymous = getattr(client_for(None), method)(url, {}, format="json")
    assert anonymous.status_code == 401
    response = getattr(client_for("admin"), method)(url, {}, format="json")
    assert response.status_code in (403, 405)
    assert db_state().orgs == before.orgs and db_state().members == before.members
