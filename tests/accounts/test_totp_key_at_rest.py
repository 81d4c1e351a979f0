"""Issue 11 item 6 (follow-up): the administrators' TOTP secret is 鉴别信息 and 等保三级 wants it
protected at rest. The project's device stores it encrypted with the field key (SM4-GCM), the
column never holds the secret in clear and a device still verifies codes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django_otp.oath import totp

from dangjian.accounts.models import TOTPDevice
from dangjian.core import crypto
from tests.conftest import SHANGHAI

SECRET = b"12345678901234567890"  # the RFC 6238 test key
MOMENT = dt.datetime(2026, 11, 23, 9, 0, 0, tzinfo=SHANGHAI)


def _raw_key(pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db
def test_the_secret_is_not_in_the_database_in_clear(tree):
    device = TOTPDevice.objects.create(user=tree["secadmin"], name="动态口令", confirmed=True)
    plain = device.key
    assert len(plain) == 40 and bytes.fromhex(plain)
    raw = _raw_key(device.pk)
    for clear in (plain.encode(), plain.upper().encode(), bytes.fromhex(plain)):
        assert clear not in raw
    assert crypto.decrypt(raw) == plain  # the field key opens it
    assert TOTPDevice.objects.get(pk=device.pk).key == plain
    # a queryset update is encrypted as well
    TOTPDevice.objects.filter(pk=device.pk).update(key=SECRET.hex())
    assert SECRET.hex().encode() not in _raw_key(device.pk)
    assert crypto.decrypt(_raw_key(device.pk)) == SECRET.hex()


@pytest.mark.django_db
def test_a_device_verifies_a_code_once_and_refuses_a_wrong_one(tree):
    device = TOTPDevice.objects.create(
        user=tree["secadmin"], name="动态口令", confirmed=True, key=SECRET.hex()
    )
    with time_machine.travel(MOMENT, tick=False) as traveller:
        good = f"{totp(SECRET):06d}"
        device = TOTPDevice.objects.get(pk=device.pk)
        assert device.verify_token(good)
        assert not TOTPDevice.objects.get(pk=device.pk).verify_token(good)  # used once only
        traveller.shift(60)
        device = TOTPDevice.objects.get(pk=device.pk)
        assert not device.verify_token("000000")
        traveller.shift(5)  # django-otp's throttle after a failure
        assert TOTPDevice.objects.get(pk=device.pk).verify_token(f"{totp(SECRET):06d}")
    assert device.config_url.startswith("otpauth://totp/")
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in device.config_url
