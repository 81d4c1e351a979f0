import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dangjian.accounts.models import SecurityPolicy, User
from dangjian.accounts.scope import audit_for
from dangjian.accounts.services import security_policy_update, user_create
from dangjian.core.models import AuditEntry
from dangjian.members.selectors import members_for
from dangjian.orgs.selectors import orgs_for
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_lockout_after_repeated_failures(tree):
    policy = SecurityPolicy.current()
    for _ in range(policy.max_failed_logins):
        assert authenticate(username="admin_a", password="wrong") is None
    user = User.objects.get(username="admin_a")
    assert user.locked_until and user.locked_until > timezone.now()
    assert (
        authenticate(username="admin_a", password=PASSWORD) is None
    )  # locked: right password refused
    assert AuditEntry.objects.filter(action="user.lock", object_id="admin_a").count() == 1
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert authenticate(username="admin_a", password=PASSWORD) is not None


@pytest.mark.django_db
def test_three_separated_administrators_see_no_member_data(tree):
    for name in ("sysadmin", "secadmin", "auditor"):
        assert not members_for(tree[name]).exists()
    assert not orgs_for(tree["auditor"]).exists()
    assert audit_for(tree["auditor"]).exists()
    assert not audit_for(tree["admin"]).exists()
    with pytest.raises(PermissionDenied):
        security_policy_update(
            actor=tree["sysadmin"], max_failed_logins=5, lockout_minutes=10, idle_timeout_minutes=30
        )


@pytest.mark.django_db
def test_scope_is_the_subtree(tree):
    assert set(orgs_for(tree["admin_a"]).values_list("code", flat=True)) == {"TA001", "BA001"}
    assert members_for(tree["admin_a"]).count() == 4
    assert members_for(tree["secretary_a"]).count() == 4
    assert members_for(tree["admin_b"]).count() == 2
    tree["admin_a"].is_active = False
    tree["admin_a"].__dict__.pop("perms", None)
    assert not orgs_for(tree["admin_a"]).exists()


@pytest.mark.django_db
def test_user_create_validates_roles_and_password(tree):
    with pytest.raises(ValidationError) as info:
        user_create(
            actor=tree["sysadmin"], username="x", password="123", org=tree["root"], roles=["boss"]
        )
    assert {"roles", "password"} <= set(info.value.message_dict)
    with pytest.raises(PermissionDenied):
        user_create(
            actor=tree["admin"],
            username="y",
            password=PASSWORD,
            org=tree["root"],
            roles=["inspector"],
        )


@pytest.mark.django_db
def test_cli_user_add_and_audit_verify(tree, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "user",
        "add",
        "--username",
        "ducha2",
        "--org",
        "TA001",
        "--role",
        "督查员",
        "--password-stdin",
        stdout=out,
    )
    assert "ducha2" in out.getvalue()
    assert User.objects.get(username="ducha2").role_codes == {"inspector"}
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(CommandError, match="未知角色"):
        call_command(
            "user", "add", "--username", "z", "--org", "TA001", "--role", "boss", "--password-stdin"
        )
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "审计日志完整" in out.getvalue()
