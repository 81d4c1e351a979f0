"""Issue 11 item 7: login spraying from one address is refused after a threshold (web and API
share one counter in the default cache), and a locked account answers like an unknown one."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.accounts.backends import LOGIN_FAILED
from dangjian.accounts.models import SecurityPolicy, User
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
REFUSED = "登录尝试过于频繁"


def _web(client: Client, username: str, password: str = "wrong-Passw0rd!"):
    return client.post(reverse("login"), {"username": username, "password": password})


def _api(client: APIClient, username: str, password: str = "wrong-Passw0rd!"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_thirty_usernames_from_one_address_are_refused_on_the_web(tree, settings):
    settings.DANGJIAN_LOGIN_RATE_LIMIT = 10
    client = Client(REMOTE_ADDR="203.0.113.7")
    codes = [_web(client, f"user{i:02d}").status_code for i in range(30)]
    assert codes == [200] * 10 + [429] * 20
    refused = _web(client, "admin_a", PASSWORD)  # even the right password, once refused
    assert refused.status_code == 429
    assert REFUSED in refused.content.decode() and "分钟后再试" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= settings.DANGJIAN_LOGIN_RATE_WINDOW
    assert "_auth_user_id" not in client.session
    # the refused attempts never reached an account: no failure counted on admin_a
    assert User.objects.get(username="admin_a").failed_logins == 0
    # another address is not affected
    assert _web(Client(REMOTE_ADDR="203.0.113.8"), "admin_a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_api_and_the_web_share_the_counter(tree, settings):
    settings.DANGJIAN_LOGIN_RATE_LIMIT = 10
    web, api = Client(REMOTE_ADDR="198.51.100.1"), APIClient(REMOTE_ADDR="198.51.100.1")
    assert [_web(web, f"w{i}").status_code for i in range(6)] == [200] * 6
    assert [_api(api, f"a{i}").status_code for i in range(4)] == [400] * 4
    refused = _api(api, "admin_a", PASSWORD)
    assert refused.status_code == 429
    assert REFUSED in refused.json()["detail"] and int(refused["Retry-After"]) > 0
    assert _web(web, "admin_a", PASSWORD).status_code == 429
    assert _api(APIClient(REMOTE_ADDR="198.51.100.2"), "admin_a", PASSWORD).status_code == 201


@pytest.mark.django_db
def test_the_counter_lives_in_the_default_cache_and_the_window_ends(tree, settings, clock):
    settings.DANGJIAN_LOGIN_RATE_LIMIT = 3
    settings.DANGJIAN_LOGIN_RATE_WINDOW = 60
    client = Client(REMOTE_ADDR="192.0.2.9")
    assert [_web(client, "x").status_code for _ in range(4)] == [200, 200, 200, 429]
    caches["default"].clear()  # the count is there and nowhere else
    assert _web(client, "x").status_code == 200
    assert [_web(client, "x").status_code for _ in range(3)] == [200, 200, 429]
    clock.shift(61)
    assert _web(client, "admin_a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_successful_logins_are_not_counted(tree, settings):
    """An office behind one address where everyone signs in at nine is not blocked."""
    settings.DANGJIAN_LOGIN_RATE_LIMIT = 3
    for _ in range(10):
        client = Client(REMOTE_ADDR="192.0.2.50")
        assert _web(client, "admin_a", PASSWORD).status_code == 302


def _page(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db
def test_locked_and_unknown_accounts_answer_the_same(tree):
    for _ in range(SecurityPolicy.current().max_failed_logins):
        _web(Client(), "admin_b")
    assert User.objects.get(username="admin_b").locked_until is not None
    # web: the same status and the same page (but for the username typed back into the form)
    locked, unknown = _web(Client(), "admin_b", PASSWORD), _web(Client(), "nobody", PASSWORD)
    assert locked.status_code == unknown.status_code == 200
    assert _page(locked).replace("admin_b", "nobody") == _page(unknown)
    assert LOGIN_FAILED in _page(locked)
    # API: the same status and body
    locked, unknown = _api(APIClient(), "admin_b", PASSWORD), _api(APIClient(), "nobody", PASSWORD)
    assert locked.status_code == unknown.status_code == 400
    assert locked.json() == unknown.json() == {"non_field_errors": [LOGIN_FAILED]}
    # an inactive account too
    User.objects.filter(username="admin_a").update(is_active=False)
    inactive = _api(APIClient(), "admin_a", PASSWORD)
    assert inactive.status_code == 400 and inactive.json() == unknown.json()
