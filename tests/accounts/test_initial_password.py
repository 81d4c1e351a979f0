"""Issue 11 item 6 (follow-up), 等保 初始口令首次登录修改: an account whose password someone else
chose (the 系统管理员 on the users page, the operator with ``dangjian user add``) must change it
at the first login; the demo's printed accounts and the operator's service accounts
(``--no-change-required``) are not forced."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.services import role_grant_approve
from dangjian.core.models import AuditEntry

INITIAL = "Zx-9long-enough!"
CHOSEN = "Qw-7mine-and-only!"


def _sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_an_account_made_by_the_sysadmin_changes_its_password_at_the_first_login(tree, login):
    made = login("sysadmin").post(
        reverse("web:users"),
        {
            "username": "ducha9",
            "display_name": "新督查员",
            "password": INITIAL,
            "org": "D0001",
            "roles": ["inspector"],
        },
    )
    assert made.status_code == 302
    user = User.objects.get(username="ducha9")
    assert user.must_change_password
    # the role shows persons: the 安全管理员 approves it (三员分立)
    role_grant_approve(actor=tree["secadmin"], grant=RoleGrant.objects.get(user=user))
    assert User.objects.get(username="ducha9").role_codes == {"inspector"}
    entry = AuditEntry.objects.get(action="user.create", object_id="ducha9")
    assert (entry.after or {})["must_change_password"] is True

    client = _sign_in("ducha9", INITIAL)
    home = client.get(reverse("web:tree"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("password_change"))
    change = client.get(home["Location"])
    assert change.status_code == 200 and "初始密码" in change.content.decode()
    assert client.get("/api/v1/orgs/").status_code == 403  # the session API waits too
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "ducha9", "password": INITIAL}, format="json"
    )
    assert token.status_code == 403  # no token for the initial password either

    done = client.post(
        reverse("password_change"),
        {"old_password": INITIAL, "new_password": CHOSEN, "new_password2": CHOSEN, "next": "/"},
    )
    assert done.status_code == 302
    assert not User.objects.get(username="ducha9").must_change_password
    assert client.get(reverse("web:tree")).status_code == 200
    assert client.get("/api/v1/orgs/").status_code == 200
    # and the next login goes straight in with the chosen password
    assert _sign_in("ducha9", CHOSEN).get(reverse("web:tree")).status_code == 200


def _cli_add(monkeypatch, username: str, *extra: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(INITIAL + "\n"))
    out = io.StringIO()
    call_command(
        "user",
        "add",
        "--username",
        username,
        "--org",
        "D0001",
        "--role",
        "督查员",
        "--password-stdin",
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db
def test_the_operator_sets_an_initial_password_unless_it_is_a_service_account(tree, monkeypatch):
    said = _cli_add(monkeypatch, "person1")
    assert "首次登录须修改密码" in said
    assert User.objects.get(username="person1").must_change_password
    home = _sign_in("person1", INITIAL).get(reverse("web:tree"))
    assert home["Location"].startswith(reverse("password_change"))

    said = _cli_add(monkeypatch, "service1", "--no-change-required")
    assert "首次登录须修改密码" not in said
    assert not User.objects.get(username="service1").must_change_password
    assert _sign_in("service1", INITIAL).get(reverse("web:tree")).status_code == 200
