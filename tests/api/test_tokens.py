"""Token issue (through Django's authenticate and the lockout backend), use, expiry, revocation,
throttling, and session authentication for the browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts.backends import LOGIN_FAILED
from dangjian.accounts.models import SecurityPolicy, User
from dangjian.api.models import ApiToken
from dangjian.api.services import token_digest, token_issue
from dangjian.core.models import AuditEntry
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def _obtain(username: str, password: str = PASSWORD, client: APIClient | None = None):
    client = client or APIClient()
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _with_token(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.mark.django_db
def test_token_issue_use_and_audit(tree):
    response = _obtain("admin_a")
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    assert len(raw) >= 40 and response.json()["expires_at"]
    # only the digest is stored
    token = ApiToken.objects.get(user=tree["admin_a"])
    assert token.digest == token_digest(raw) and raw not in (token.digest, token.prefix)
    entry = AuditEntry.objects.filter(action="api.token.issue").latest("seq")
    assert entry.actor_id == tree["admin_a"].pk and entry.scope_path == tree["town_a"].path
    assert raw not in str(entry.after)
    listed = _with_token(raw).get("/api/v1/orgs/")
    assert listed.status_code == 200
    assert {o["code"] for o in listed.json()["results"]} == {"TA001", "BA001"}
    assert _with_token(raw + "x").get("/api/v1/orgs/").status_code == 401
    assert (
        _with_token(raw).get("/api/v1/orgs/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    )


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_get_the_same_answer(tree):
    before = ApiToken.objects.count()
    wrong = _obtain("admin_a", "not-the-password")
    unknown = _obtain("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json() == {"non_field_errors": [LOGIN_FAILED]}
    assert "用户名或密码错误" in LOGIN_FAILED
    assert ApiToken.objects.count() == before
    assert User.objects.get(pk=tree["admin_a"].pk).failed_logins == 1


@pytest.mark.django_db
def test_missing_fields_are_chinese_400(tree):
    response = APIClient().post(TOKEN_URL, {"username": "admin_a"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["password"][0])


@pytest.mark.django_db
def test_lockout_after_repeated_failures_never_gives_a_token(tree):
    limit = SecurityPolicy.current().max_failed_logins
    codes = [_obtain("admin_a", "wrong-password-123").status_code for _ in range(limit)]
    # a locked account answers like an unknown one (issue 11 item 7: no oracle of locked accounts)
    assert codes == [400] * limit
    tokens, audit = ApiToken.objects.count(), AuditEntry.objects.count()
    locked = _obtain("admin_a")  # the right password, but the account is locked now
    unknown = _obtain("nobody-here")
    assert locked.status_code == unknown.status_code == 400
    assert locked.json() == unknown.json() == {"non_field_errors": [LOGIN_FAILED]}
    assert ApiToken.objects.count() == tokens
    assert not AuditEntry.objects.filter(action="api.token.issue", seq__gt=audit).exists()
    assert AuditEntry.objects.filter(action="user.lock", object_id="admin_a").exists()
    # other accounts are not affected
    assert _obtain("admin_b").status_code == 201


@pytest.mark.django_db
def test_revoke_with_delete_and_with_post(tree):
    _t1, raw1 = token_issue(user=tree["admin_a"])
    _t2, raw2 = token_issue(user=tree["admin_a"])
    _t3, raw3 = token_issue(user=tree["admin_b"])
    response = _with_token(raw1).delete(TOKEN_URL)
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert _with_token(raw1).get("/api/v1/orgs/").status_code == 401
    assert _with_token(raw2).get("/api/v1/orgs/").status_code == 200
    response = _with_token(raw2).post(f"{TOKEN_URL}revoke/", {}, format="json")
    assert response.json() == {"revoked": 1}
    assert _with_token(raw2).get("/api/v1/orgs/").status_code == 401
    assert _with_token(raw3).get("/api/v1/orgs/").status_code == 200  # someone else's token
    assert AuditEntry.objects.filter(action="api.token.revoke").count() == 2
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert APIClient().post(f"{TOKEN_URL}revoke/").status_code == 401


@pytest.mark.django_db
def test_revoke_all_own_tokens(tree):
    raws = [token_issue(user=tree["admin_a"])[1] for _ in range(3)]
    _other, other_raw = token_issue(user=tree["admin_b"])
    response = _with_token(raws[0]).post(f"{TOKEN_URL}revoke/", {"all": True}, format="json")
    assert response.json() == {"revoked": 3}
    assert all(_with_token(r).get("/api/v1/orgs/").status_code == 401 for r in raws)
    assert _with_token(other_raw).get("/api/v1/orgs/").status_code == 200


@pytest.mark.django_db
def test_expired_token_and_inactive_user_are_401(tree):
    token, raw = token_issue(user=tree["admin_a"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _with_token(raw).get("/api/v1/orgs/")
    assert response.status_code == 401 and "过期" in response.json()["detail"]
    _token, raw_b = token_issue(user=tree["admin_b"])
    User.objects.filter(pk=tree["admin_b"].pk).update(is_active=False)
    assert _with_token(raw_b).get("/api/v1/orgs/").status_code == 401
    # a new token for admin_a clears the expired one away
    token_issue(user=tree["admin_a"])
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token", "Token a b", "Token 令牌"])
def test_malformed_authorization_header_is_401(tree, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert client.get("/api/v1/orgs/").status_code == 401


@pytest.mark.django_db
def test_token_endpoint_is_throttled(tree):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"}}
    with override_settings(REST_FRAMEWORK=rest):
        codes = [_obtain("admin_a", "wrong-password-123").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


@pytest.mark.django_db
def test_session_authentication_for_the_browser(tree):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="admin_b", password=PASSWORD)
    listed = client.get("/api/v1/orgs/")
    assert listed.status_code == 200
    assert {o["code"] for o in listed.json()["results"]} == {"TB001", "BB001"}
    # a write over the session needs the CSRF token
    before = AuditEntry.objects.count()
    refused = client.patch("/api/v1/orgs/BB001/", {"name": "改"}, format="json")
    assert refused.status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_session_write_with_csrf_token(tree):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="admin_b", password=PASSWORD)
    secret = "a" * 32  # Django accepts the unmasked cookie secret as the header token
    client.cookies["csrftoken"] = secret
    response = client.patch(
        "/api/v1/orgs/BB001/", {"name": "乙社区第一党支部"}, format="json", HTTP_X_CSRFTOKEN=secret
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "org.update" and entry.actor_id == tree["admin_b"].pk
