"""三员分立 (issue 11, GB/T 22239 8.1.4.2): each attack of the issue, reproduced as the 系统管理员
(``sysadmin``, the demo's ``xitong``) would make it, and the two-person rule for role grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.credentials import password_change
from dangjian.accounts.models import RoleGrant, SecurityPolicy, User
from dangjian.accounts.services import role_grant_approve, user_create
from dangjian.core.audit import ACTION_LABELS
from dangjian.core.models import AuditEntry
from tests.authz import state
from tests.factories import PASSWORD, make_user
from tests.life.helpers import attend, meet

NEW = "Zx-9long-enough!"


def _new_user(username: str, org: str, *roles: str) -> dict[str, Any]:
    return {
        "username": username,
        "display_name": "新账号",
        "password": NEW,
        "org": org,
        "roles": list(roles),
    }


def _roles_form(user: User, *roles: str, active: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {f"u{user.pk}-roles": list(roles)}
    if active:
        data[f"u{user.pk}-is_active"] = "on"
    return data


def _decide(login: Any, who: str | User, grant: RoleGrant, decision: str, **data: str) -> Any:
    url = reverse("web:role_grant_decide", args=[grant.pk, decision])
    return login(who).post(url, data)


@pytest.mark.django_db
def test_an_org_admin_made_by_the_sysadmin_reveals_nothing_until_approved(tree, login, api):
    """The attack: xitong creates a 组织部管理员 at the root (POST /users/) and that account reveals
    full ID numbers (POST /api/v1/members/<id>/reveal/)."""
    response = login("sysadmin").post(reverse("web:users"), _new_user("zzb2", "D0001", "org_admin"))
    assert response.status_code == 302
    created = User.objects.get(username="zzb2")
    # the person first replaces the initial password (等保: changed at the first login)
    password_change(user=created, old_password=NEW, new_password=NEW + "2")
    assert created.role_codes == set()
    grant = RoleGrant.objects.get(user=created)
    assert (grant.role, grant.status, grant.requested_by) == (
        "org_admin",
        "pending",
        tree["sysadmin"],
    )
    member = tree["members_b"][0]
    reveal = f"/api/v1/members/{member.pk}/reveal/"
    refused = api(created).post(reveal, {"reason": "核对"}, format="json")
    assert refused.status_code == 403
    assert member.id_number() not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="member.view_pii").exists()
    # the request is audited, and the users page says it waits
    request = AuditEntry.objects.get(action="user.role_grant.request", object_id="zzb2")
    assert request.actor_name == "sysadmin" and (request.after or {})["role"] == "org_admin"
    page = login("sysadmin").get(reverse("web:users")).content.decode()
    assert "待安全管理员批准：组织部管理员" in page
    # a second person, the 安全管理员, approves: now the role takes effect
    assert _decide(login, "secadmin", grant, "approve").status_code == 302
    created = User.objects.get(username="zzb2")
    assert created.role_codes == {"org_admin"}
    entry = AuditEntry.objects.get(action="user.role_grant.approve", object_id="zzb2")
    assert entry.actor_name == "secadmin" and (entry.after or {})["roles"] == ["org_admin"]
    assert (entry.after or {})["requested_by"] == "sysadmin"
    shown = api(created).post(reveal, {"reason": "核对"}, format="json")
    assert shown.status_code == 200 and member.id_number() in shown.content.decode()
    # the 审计管理员 reads both in Chinese
    trail = login("auditor").get(reverse("web:audit") + "?action=user.").content.decode()
    assert "申请授予角色（待安全管理员批准）" in trail and "批准授予角色" in trail
    assert "待安全管理员批准的角色" in trail and "申请人" in trail
    for key in ("pending_roles", "requested_by", "org_admin"):
        assert key not in trail


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_grants_nothing(tree, login):
    login("sysadmin").post(reverse("web:users"), _new_user("zb2", "BA001", "branch_secretary"))
    grant = RoleGrant.objects.get(user__username="zb2")
    before = state()
    empty = _decide(login, "secadmin", grant, "refuse", reason="  ")
    assert empty.status_code == 400 and "请填写拒绝理由" in empty.content.decode()
    assert state() == before
    assert _decide(login, "secadmin", grant, "refuse", reason="未见任职文件").status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.reason, grant.decided_by) == (
        "refused",
        "未见任职文件",
        tree["secadmin"],
    )
    assert User.objects.get(username="zb2").role_codes == set()
    entry = AuditEntry.objects.get(action="user.role_grant.refuse", object_id="zb2")
    assert (entry.after or {})["reason"] == "未见任职文件" and entry.actor_name == "secadmin"
    # decided once: neither approved afterwards nor refused again
    again = _decide(login, "secadmin", grant, "approve")
    assert again.status_code == 400 and "已拒绝" in again.content.decode()
    assert User.objects.get(username="zb2").role_codes == set()
    page = login("secadmin").get(reverse("web:role_grants")).content.decode()
    assert "已拒绝：未见任职文件" in page and "没有待审批的申请" in page


@pytest.mark.django_db
def test_the_audit_vocabulary_names_the_grant_actions_in_chinese():
    assert ACTION_LABELS["user.role_grant.request"] == "申请授予角色（待安全管理员批准）"
    assert ACTION_LABELS["user.role_grant.approve"] == "批准授予角色"
    assert ACTION_LABELS["user.role_grant.refuse"] == "拒绝授予角色"


@pytest.mark.django_db
def test_two_persons_the_approver_is_neither_the_requester_nor_the_grantee(tree, login):
    """Whoever approves is another person than whoever asked, and not the account itself."""
    secadmin = tree["secadmin"]
    now = timezone.now()
    own_request = RoleGrant.objects.create(
        user=tree["inspector_a"], role="org_admin", requested_by=secadmin, requested_at=now
    )
    for_himself = RoleGrant.objects.create(
        user=secadmin, role="org_admin", requested_by=tree["sysadmin"], requested_at=now
    )
    for grant, words in ((own_request, "双人规则"), (for_himself, "不能审批授予自己的角色")):
        before = state()
        response = _decide(login, "secadmin", grant, "approve")
        assert response.status_code == 403 and words in response.content.decode()
        assert state() == before
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=secadmin, grant=own_request)
    page = login("secadmin").get(reverse("web:role_grants")).content.decode()
    assert "须由另一位安全管理员审批" in page


@pytest.mark.django_db
def test_only_a_security_admin_over_the_account_decides(tree, login):
    login("sysadmin").post(reverse("web:users"), _new_user("ducha9", "TA001", "inspector"))
    grant = RoleGrant.objects.get(user__username="ducha9")
    other = make_user(tree["town_b"], "security_admin", username="secadmin_b")
    before = state()
    assert _decide(login, other, grant, "approve").status_code == 404  # another subtree
    assert _decide(login, "sysadmin", grant, "approve").status_code == 403
    assert _decide(login, "admin", grant, "approve").status_code == 403
    assert state() == before


@pytest.mark.django_db
def test_the_sysadmin_cannot_touch_the_security_and_audit_accounts(tree, login):
    """The attack: xitong deactivates the 审计管理员 (POST /users/shenji/roles/)."""
    client = login("sysadmin")
    for target, role in (("auditor", "audit_admin"), ("secadmin", "security_admin")):
        user = tree[target]
        before = state()
        for data in (_roles_form(user, role, active=False), _roles_form(user, "sys_admin")):
            response = client.post(reverse("web:user_roles", args=[target]), data)
            assert response.status_code == 403, target
            text = response.content.decode()
            assert "无权访问" in text and "三员分立" in text
        assert state() == before
        assert User.objects.get(username=target).is_active
    # nor create one, nor grant those roles to another account
    before = state()
    for role in ("audit_admin", "security_admin"):
        made = client.post(reverse("web:users"), _new_user("shenji2", "D0001", role))
        assert made.status_code == 403 and "三员分立" in made.content.decode()
        granted = client.post(
            reverse("web:user_roles", args=["inspector_a"]),
            _roles_form(tree["inspector_a"], "inspector", role),
        )
        assert granted.status_code == 403
    assert state() == before
    page = client.get(reverse("web:users")).content.decode()
    assert "系统管理员不能修改此账号" in page
    assert reverse("web:user_roles", args=["auditor"]) not in page


@pytest.mark.django_db
def test_the_three_administrators_roles_are_held_alone(tree, login):
    client = login("sysadmin")
    other = make_user(tree["town_a"], "sys_admin", username="xitong2")
    before = state()
    both = client.post(reverse("web:users"), _new_user("x2", "TA001", "sys_admin", "inspector"))
    assert both.status_code == 400 and "不能与其他角色兼任" in both.content.decode()
    more = client.post(
        reverse("web:user_roles", args=["xitong2"]), _roles_form(other, "sys_admin", "org_admin")
    )
    assert more.status_code == 400 and "不能与其他角色兼任" in more.content.decode()
    assert state() == before


@pytest.mark.django_db
def test_roles_without_personal_data_and_removals_take_effect_at_once(tree, login):
    client = login("sysadmin")
    target = tree["inspector_a"]
    url = reverse("web:user_roles", args=["inspector_a"])
    assert client.post(url, _roles_form(target, "inspector", "org_admin")).status_code == 302
    assert RoleGrant.objects.get(user=target).status == "pending"
    # asked no longer: the pending grant is withdrawn; the held role is taken away at once
    assert client.post(url, _roles_form(target, "sys_admin")).status_code == 302
    target = User.objects.get(pk=target.pk)
    assert target.role_codes == {"sys_admin"}
    assert RoleGrant.objects.get(user=target).status == "withdrawn"
    # the command-line operator grants directly (the person with a shell on the server)
    assert make_user(tree["town_a"], "org_admin").role_codes == {"org_admin"}


@pytest.mark.django_db
def test_the_sysadmin_reads_no_meeting_minutes(tree, login, api):
    """The attack: xitong reads minutes naming members (GET /api/v1/meetings/<id>/, the ledger)."""
    name = tree["members_a"][0].name
    meeting = meet(tree["branch_a"], "支部党员大会", dt.date(2026, 3, 10), minutes=f"{name}发言")
    attend(meeting, tree["members_a"][0], False, "因病")
    client, web = api("sysadmin"), login("sysadmin")
    before = state()
    for response in (
        client.get(f"/api/v1/meetings/{meeting.pk}/"),
        client.get("/api/v1/meetings/"),
        web.get(reverse("life:meeting", args=[meeting.pk])),
        web.get(reverse("life:ledger", args=["BA001"]) + "?year=2026"),
        web.post(reverse("life:ledger_file", args=["BA001", "xlsx"]) + "?year=2026"),
    ):
        assert response.status_code == 403
        assert name not in response.content.decode()
    assert state() == before
    assert name in api("admin_a").get(f"/api/v1/meetings/{meeting.pk}/").content.decode()


@pytest.mark.django_db
def test_the_sysadmin_is_shown_no_link_it_may_not_follow(tree, login):
    """The load test found it: the branch page showed xitong links to the branch's 待办, records
    and ledger, each answering 403. Every link of the page now opens for the user who sees it."""
    import re

    web = login("sysadmin")
    page = web.get(reverse("web:org", args=["BA001"])).content.decode()
    links = set(re.findall(r'href="(/[^"#?]*)', page))
    assert links and not any("/life/" in link for link in links)
    for link in links:
        assert web.get(link).status_code != 403, link
    # the branch's own secretary still finds them there
    own = login("secretary_a").get(reverse("web:org", args=["BA001"])).content.decode()
    for name in ("life:todo", "life:meetings", "life:ledger"):
        assert reverse(name, args=["BA001"]) in own


@pytest.mark.django_db
def test_the_security_admin_unlocks_and_exempts_an_administrator(tree, login):
    """Anybody who knows an administrator's username can lock the account by typing wrong
    passwords; the 安全管理员 unlocks it on the security page and may exempt it from locking for a
    while, so the lock-out cannot be renewed by others."""
    policy = SecurityPolicy.current()
    for _ in range(policy.max_failed_logins):
        authenticate(username="sysadmin", password="wrong")
    assert User.objects.get(username="sysadmin").locked_until is not None
    client = login("secadmin")
    page = client.get(reverse("web:security")).content.decode()
    assert "sysadmin" in page and "解锁后免于锁定（小时）" in page
    target = tree["sysadmin"]
    before = state()
    too_long = client.post(
        reverse("web:user_unlock", args=["sysadmin"]), {f"u{target.pk}-exempt_hours": "999"}
    )
    assert too_long.status_code == 400 and "最多 72 小时" in too_long.content.decode()
    assert state() == before
    response = client.post(
        reverse("web:user_unlock", args=["sysadmin"]), {f"u{target.pk}-exempt_hours": "24"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="user.unlock", object_id="sysadmin").get()
    assert entry.actor_name == "secadmin" and (entry.after or {})["lock_exempt_until"]
    # others keep typing wrong passwords: counted, but the account stays open to its owner
    for _ in range(policy.max_failed_logins * 3):
        assert authenticate(username="sysadmin", password="wrong") is None
    user = User.objects.get(username="sysadmin")
    assert user.locked_until is None and user.failed_logins == policy.max_failed_logins * 3
    assert authenticate(username="sysadmin", password=PASSWORD) is not None
    assert "免于锁定至" in client.get(reverse("web:security")).content.decode()


@pytest.mark.django_db
def test_the_exemption_ends(tree, clock):
    user = tree["admin_a"]
    User.objects.filter(pk=user.pk).update(lock_exempt_until=timezone.now() + dt.timedelta(hours=1))
    clock.shift(dt.timedelta(hours=2))
    for _ in range(SecurityPolicy.current().max_failed_logins):
        authenticate(username="admin_a", password="wrong")
    assert User.objects.get(pk=user.pk).locked_until is not None


@pytest.mark.django_db
def test_a_pending_grant_is_recorded_for_each_role_asked(tree):
    from dangjian.accounts.services import user_set_roles

    created = user_create(
        actor=tree["sysadmin"],
        username="two",
        password=NEW,
        org=tree["town_a"],
        roles=["inspector", "branch_secretary"],
    )
    assert sorted(created.role_grants.values_list("role", flat=True)) == [
        "branch_secretary",
        "inspector",
    ]
    # asked again: still one pending grant per role
    user_set_roles(
        actor=tree["sysadmin"],
        user=created,
        roles=["inspector", "branch_secretary"],
        is_active=True,
    )
    assert created.role_grants.filter(status="pending").count() == 2


@pytest.mark.django_db
def test_the_operator_unlocks_a_locked_security_admin_at_the_command_line(tree):
    """The 安全管理员 locked out by others cannot unlock himself: the operator can."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    User.objects.filter(username="secadmin").update(
        locked_until=timezone.now() + dt.timedelta(minutes=15)
    )
    out = io.StringIO()
    call_command("user", "unlock", "--username", "secadmin", "--exempt-hours", "8", stdout=out)
    assert "已解锁 secadmin，8 小时内免于锁定" in out.getvalue()
    user = User.objects.get(username="secadmin")
    assert user.locked_until is None and user.lock_exempt_until is not None
    with pytest.raises(CommandError, match="72 小时"):
        call_command("user", "unlock", "--username", "secadmin", "--exempt-hours", "100")


@pytest.mark.django_db
def test_the_sysadmin_sees_no_member_on_the_api_nor_in_exports(tree, login, api):
    member = tree["members_a"][0]
    client = api("sysadmin")
    web = login("sysadmin")
    before = state()
    for response in (
        client.get("/api/v1/members/"),
        client.get(f"/api/v1/members/{member.pk}/"),
        client.post(f"/api/v1/members/{member.pk}/reveal/", {"reason": "核对"}, format="json"),
        client.get("/api/v1/recruitment/cases/"),
        web.get(reverse("web:member", args=[member.pk])),
        web.post(reverse("web:member_reveal", args=[member.pk])),
        web.post(reverse("exchange:export", kwargs={"kind": "members", "fmt": "csv"})),
        web.get(reverse("recruit:index")),
    ):
        assert response.status_code == 403, response.request["PATH_INFO"]
        assert member.name not in response.content.decode()
    assert state() == before
