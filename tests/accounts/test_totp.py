"""Issue 11 item 6: the optional TOTP second factor of the administrators (``DANGJIAN_ADMIN_TOTP``,
django-otp): enrolment with a QR code, the code after the password, the API token, and the
安全管理员 removing a lost device. A fixed RFC 6238 secret and a stopped clock make the codes
known in advance."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from rest_framework.test import APIClient

from dangjian.accounts.models import TOTPDevice
from dangjian.core.models import AuditEntry
from tests.conftest import SHANGHAI
from tests.factories import PASSWORD

SECRET = b"12345678901234567890"  # the RFC 6238 test key
MOMENT = dt.datetime(2026, 11, 23, 9, 0, 0, tzinfo=SHANGHAI)


def code(at: dt.datetime) -> str:
    with time_machine.travel(at, tick=False):
        return f"{totp(SECRET):06d}"


@pytest.fixture
def stopped():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def totp_on(settings):
    settings.DANGJIAN_ADMIN_TOTP = True


def _sign_in(username: str) -> APIClient:
    client = APIClient()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(username: str) -> APIClient:
    client = _sign_in(username)
    assert client.get(reverse("otp_setup")).status_code == 200
    TOTPDevice.objects.filter(user__username=username).update(key=SECRET.hex())
    done = client.post(reverse("otp_setup"), {"token": code(MOMENT)})
    assert done.status_code == 302
    return client


@pytest.mark.django_db
def test_off_by_default_an_administrator_signs_in_with_the_password(tree, stopped):
    client = _sign_in("secadmin")
    assert client.get(reverse("web:security")).status_code == 200


@pytest.mark.django_db
def test_an_administrator_enrols_then_gives_the_code_at_each_login(tree, totp_on, stopped):
    client = _sign_in("secadmin")
    pending = client.get(reverse("web:security"))
    assert pending.status_code == 302 and pending["Location"].startswith(reverse("otp_setup"))
    assert client.get("/api/v1/orgs/").status_code == 403  # the session API waits too
    setup = client.get(reverse("otp_setup"))
    page = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in page and "绑定动态口令" in page
    device = TOTPDevice.objects.get(user=tree["secadmin"], confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")
    TOTPDevice.objects.filter(pk=device.pk).update(key=SECRET.hex())
    wrong = client.post(reverse("otp_setup"), {"token": "000000"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    # django-otp throttles after a wrong code: wait it out
    stopped.shift(5)
    ok = client.post(reverse("otp_setup"), {"token": code(MOMENT + dt.timedelta(seconds=5))})
    assert ok.status_code == 302
    assert client.get(reverse("web:security")).status_code == 200
    assert AuditEntry.objects.filter(action="user.totp_enrol", object_id="secadmin").exists()
    # the next login asks for the code
    later = MOMENT + dt.timedelta(minutes=2)
    stopped.move_to(later)
    client = _sign_in("secadmin")
    pending = client.get(reverse("web:security"))
    assert pending["Location"].startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_verify"), {"token": "12x"}).status_code == 400
    stopped.shift(5)
    verified = client.post(
        reverse("otp_verify"),
        {"token": code(later + dt.timedelta(seconds=5)), "next": "/security/"},
    )
    assert verified.status_code == 302 and verified["Location"] == "/security/"
    assert client.get(reverse("web:security")).status_code == 200


@pytest.mark.django_db
def test_other_roles_do_not_need_a_second_factor(tree, totp_on, stopped):
    client = _sign_in("admin_a")  # 党委管理员
    assert client.get(reverse("web:tree")).status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_api_token_of_an_administrator_needs_the_code(tree, totp_on, stopped):
    url = "/api/v1/auth/token/"
    body = {"username": "auditor", "password": PASSWORD}
    not_enrolled = APIClient().post(url, body, format="json")
    assert not_enrolled.status_code == 403 and "绑定动态口令" in not_enrolled.json()["detail"]
    _enrol("auditor")
    stopped.shift(30)
    missing = APIClient().post(url, body, format="json")
    assert missing.status_code == 400 and missing.json() == {"otp": ["动态口令错误或缺失"]}
    stopped.shift(5)
    good = {**body, "otp": code(MOMENT + dt.timedelta(seconds=35))}
    assert APIClient().post(url, good, format="json").status_code == 201
    # an ordinary account needs no code
    plain = {"username": "admin_a", "password": PASSWORD}
    assert APIClient().post(url, plain, format="json").status_code == 201


@pytest.mark.django_db
def test_the_security_admin_removes_a_lost_device(tree, totp_on, stopped, login):
    _enrol("auditor")
    assert TOTPDevice.objects.filter(user=tree["auditor"], confirmed=True).exists()
    admin = _enrol("secadmin")
    url = reverse("web:password_reset")
    assert "解除绑定" in admin.get(url + "?username=auditor").content.decode()
    done = admin.post(url, {"username": "auditor", "action": "totp"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=tree["auditor"]).exists()
    assert AuditEntry.objects.filter(action="user.totp_reset", object_id="auditor").exists()
    # the auditor enrols again at the next login
    client = _sign_in("auditor")
    assert client.get(reverse("web:audit"))["Location"].startswith(reverse("otp_setup"))
