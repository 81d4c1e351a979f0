"""Issue 11 item 6: the password policy (validators with Chinese messages, as settings), the own
password change, the reset by the 安全管理员 that forces a change, and the maximum age."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts.credentials import password_change, password_reset
from dangjian.accounts.models import User
from dangjian.accounts.services import user_create
from dangjian.api.services import token_issue
from dangjian.core.models import AuditEntry
from tests.factories import PASSWORD

NEW = "Hongqi-Piao7x"


def _messages(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text) and not any(
        word in text for word in ("password", "This", "must", "characters")
    )


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("zzzzzzzzzzzz", "连续出现"),
        ("Zzzzz-9zzzzzz", "连续出现"),
        ("Dangjian2026", "常见单词"),
        ("dangjian@2026!", "常见单词"),
        ("Zhibu#20250101", "常见单词"),
        ("P@ssw0rd2024!", "常见单词"),
        ("Admin@123456", "常见单词"),
        ("Short1!", "至少需要 10 个字符"),
        ("alllowercaseletters", "至少 3 类"),
        ("12345678901", "只包含数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, says):
    messages = _messages(password)
    assert messages, f"{password} was accepted"
    assert any(says in m for m in messages), messages
    assert all(_is_chinese(m) for m in messages), messages


@pytest.mark.parametrize("password", [PASSWORD, NEW, "qiu-Tian-3-feng", "7Bd#rk2Lp9mW"])
def test_strong_passwords_pass(password):
    assert _messages(password) == []


def test_the_policy_is_settings(settings):
    settings.DANGJIAN_PASSWORD_MIN_LENGTH = 14
    settings.DANGJIAN_PASSWORD_MIN_CLASSES = 4
    settings.DANGJIAN_PASSWORD_FORBIDDEN_WORDS = ["hongqi"]
    messages = _messages("Hongqi-Piao7x")
    assert any("至少需要 14 个字符" in m for m in messages)
    assert _messages("Qiu-tian3feng") and any("至少 4 类" in m for m in _messages("qiutian3fengab"))
    assert any("常见单词" in m for m in _messages("Hongqi#2026!"))


@pytest.mark.django_db
def test_too_similar_to_the_username_is_chinese(tree):
    messages = _messages("admin_a2026X!", tree["admin_a"])
    assert messages == ["密码与账号信息（用户名、姓名）过于相似，请换一个。"]


@pytest.mark.django_db
def test_user_create_refuses_the_reported_passwords(tree):
    for weak in ("zzzzzzzzzzzz", "Dangjian2026"):
        with pytest.raises(ValidationError) as info:
            user_create(
                actor=tree["sysadmin"],
                username="x1",
                password=weak,
                org=tree["root"],
                roles=["inspector"],
            )
        assert "password" in info.value.message_dict


@pytest.mark.django_db
def test_change_own_password_on_the_page(tree, login):
    client = login("admin_a")
    url = reverse("password_change")
    page = client.get(url)
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    assert "至少 10 个字符" in page.content.decode()  # the rules are shown, in Chinese
    weak = client.post(
        url,
        {"old_password": PASSWORD, "new_password": "Dangjian2026", "new_password2": "Dangjian2026"},
    )
    assert weak.status_code == 400 and "常见单词" in weak.content.decode()
    wrong_old = client.post(
        url, {"old_password": "nope", "new_password": NEW, "new_password2": NEW}
    )
    assert wrong_old.status_code == 400 and "原密码不正确" in wrong_old.content.decode()
    mismatch = client.post(
        url, {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW + "1"}
    )
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in mismatch.content.decode()
    done = client.post(url, {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert client.get(reverse("web:home")).status_code in (200, 302)  # still signed in
    user = User.objects.get(username="admin_a")
    assert user.check_password(NEW) and user.password_changed_at is not None
    entry = AuditEntry.objects.filter(action="user.password_change").latest("seq")
    assert entry.object_id == "admin_a" and NEW not in str(entry.after)


@pytest.mark.django_db
def test_reset_by_the_security_admin_forces_a_change(tree, login):
    _token, raw = token_issue(user=tree["admin_a"])
    victim_session = login("admin_a")
    admin = login("secadmin")
    url = reverse("web:password_reset")
    assert admin.get(url + "?username=admin_a").status_code == 200
    response = admin.post(url, {"username": "admin_a", "action": "password", "new_password": ""})
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    temporary = response.context["temporary"]
    assert temporary and temporary in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    entry = AuditEntry.objects.filter(action="user.password_reset").latest("seq")
    assert entry.actor_id == tree["secadmin"].pk and temporary not in str(entry.after)
    # the old session ended, the API token stops working until the password is changed
    assert victim_session.get(reverse("web:tree")).status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    refused = api.get("/api/v1/orgs/")
    assert refused.status_code == 401 and "修改密码" in refused.json()["detail"]
    # signing in with the temporary password leads to the change page, and nowhere else
    client = APIClient()  # a plain client; APIClient is a Client too
    assert (
        client.post(reverse("login"), {"username": "admin_a", "password": temporary}).status_code
        == 302
    )
    tree_page = client.get(reverse("web:tree"))
    assert tree_page.status_code == 302 and tree_page["Location"].startswith(
        reverse("password_change")
    )
    assert client.get("/api/v1/orgs/").status_code == 403
    assert "密码已由安全管理员重置" in client.get(reverse("password_change")).content.decode()
    token_refused = APIClient().post(
        "/api/v1/auth/token/", {"username": "admin_a", "password": temporary}, format="json"
    )
    assert token_refused.status_code == 403 and "修改密码" in token_refused.json()["detail"]
    changed = client.post(
        reverse("password_change"),
        {"old_password": temporary, "new_password": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302
    assert client.get(reverse("web:tree")).status_code == 200
    assert api.get("/api/v1/orgs/").status_code == 200


@pytest.mark.django_db
def test_reset_with_a_typed_password_is_validated(tree, login):
    admin = login("secadmin")
    url = reverse("web:password_reset")
    weak = admin.post(
        url, {"username": "admin_a", "action": "password", "new_password": "zzzzzzzzzzzz"}
    )
    assert weak.status_code == 400 and "连续出现" in weak.content.decode()
    typed = admin.post(url, {"username": "admin_a", "action": "password", "new_password": NEW})
    assert typed.status_code == 200
    assert User.objects.get(username="admin_a").must_change_password


@pytest.mark.django_db
def test_reset_is_the_security_admins_own_and_not_their_own_password(tree):
    with pytest.raises(PermissionDenied):
        password_reset(actor=tree["sysadmin"], user=tree["admin_a"])
    with pytest.raises(PermissionDenied):
        password_reset(actor=tree["secadmin"], user=tree["secadmin"])


@pytest.mark.django_db
def test_maximum_age_forces_a_change_when_set(tree, login, settings):
    password_change(user=tree["admin_a"], old_password=PASSWORD, new_password=NEW)
    changed_at = timezone.now() - dt.timedelta(days=91)
    User.objects.filter(username="admin_a").update(password_changed_at=changed_at)
    client = login("admin_a")
    assert client.get(reverse("web:tree")).status_code == 200  # default: passwords never expire
    settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS = 90
    expired = client.get(reverse("web:tree"))
    assert expired.status_code == 302 and expired["Location"].startswith(reverse("password_change"))
    assert "已超过有效期" in client.get(reverse("password_change")).content.decode()
    client.post(
        reverse("password_change"),
        {
            "old_password": NEW,
            "new_password": "qiu-Tian-3-feng",
            "new_password2": "qiu-Tian-3-feng",
        },
    )
    assert client.get(reverse("web:tree")).status_code == 200


@pytest.mark.django_db
def test_cli_resets_a_password_for_the_lone_security_admin(tree):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("user", "reset-password", "--username", "secadmin", stdout=out)
    temporary = out.getvalue().strip().splitlines()[-1]
    user = User.objects.get(username="secadmin")
    assert user.check_password(temporary) and user.must_change_password
    assert AuditEntry.objects.filter(action="user.password_reset", object_id="secadmin").exists()
