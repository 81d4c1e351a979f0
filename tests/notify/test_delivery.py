"""Outbound messages: the senders of the settings, every delivery recorded with its state, sent
after the commit, a failure recorded without breaking the write that caused it."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest

from dangjian.notify import delivery, senders
from dangjian.notify.models import Contact, Delivery, DeliveryState, Message
from dangjian.notify.services import contact_set
from dangjian.service import services as s
from dangjian.service.choices import OrderState
from dangjian.service.models import Order

from .conftest import at, submit

T = at(2026, 11, 2, 9, 0)


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def http(monkeypatch):
    """Every HTTP call of the senders, recorded; answers from ``http.answers`` (an exception is
    raised)."""
    calls: list[urllib.request.Request] = []
    state = {"answer": b'{"errcode": 0}'}

    def urlopen(request, timeout=None):
        calls.append(request)
        assert timeout == 5.0
        answer = state["answer"]
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return type("Http", (), {"calls": calls, "state": state})


def dispatch(place):
    order = submit(place.grid, T)
    order = s.order_accept(actor=place.dispatcher, order=order)
    return s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)


def test_the_log_is_the_default_and_is_sent_after_the_commit(
    place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch(place)
        rows = Delivery.objects.all()
        assert [(d.channel, d.state) for d in rows] == [("log", "queued")] * 3
    sending = [c for c in callbacks if getattr(c, "func", None) is delivery._enqueue]
    assert len(sending) == 1  # one task for every delivery of the transaction
    sending[0]()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    row = Delivery.objects.get(message__user=place.worker)
    assert row.attempts == 1 and row.sent_at is not None and row.address == place.worker.username


def test_a_failing_sms_gateway_is_recorded_and_the_order_is_dispatched(
    place, settings, http, django_capture_on_commit_callbacks
):
    settings.DANGJIAN_NOTIFY_SENDERS = [
        {"channel": "log"},
        {"channel": "sms", "url": "https://sms.example.invalid/send", "token": "t0ken"},
    ]
    contact_set(actor=place.worker, user=place.worker, phone="13900001111")
    http.state["answer"] = urllib.error.URLError("connection refused")
    with django_capture_on_commit_callbacks(execute=True):
        order = dispatch(place)
    assert Order.objects.get(pk=order.pk).state == OrderState.DISPATCHED
    sms = Delivery.objects.get(channel="sms")  # worker2 has no mobile number: no SMS
    assert sms.state == DeliveryState.FAILED and sms.attempts == 1
    assert "无法连接网关" in sms.error and sms.address == "139****1111"
    assert Delivery.objects.filter(channel="log", state="sent").count() == 3
    sent = json.loads(http.calls[0].data)
    assert sent["phone"] == "13900001111" and order.tracking_code in sent["content"]
    assert http.calls[0].headers["Authorization"] == "Bearer t0ken"
    # the retry sends it once the gateway is back, and stops after three attempts
    http.state["answer"] = b"{}"
    assert delivery.retry()["sent"] == 1
    assert Delivery.objects.get(channel="sms").state == DeliveryState.SENT


def test_three_failed_attempts_are_the_last(place, settings, http):
    settings.DANGJIAN_NOTIFY_SENDERS = [{"channel": "sms", "url": "https://sms.example.invalid/"}]
    contact_set(actor=place.worker, user=place.worker, phone="13900001111")
    http.state["answer"] = urllib.error.HTTPError("u", 502, "bad gateway", {}, None)
    dispatch(place)
    pk = Delivery.objects.get().pk
    for _ in range(5):
        delivery.deliver([pk])
    row = Delivery.objects.get()
    assert row.attempts == delivery.MAX_ATTEMPTS and row.state == "failed"
    assert row.error == "网关返回 HTTP 502"


def test_a_dingtalk_robot_gets_a_signed_text_message(place, settings, http, monkeypatch):
    monkeypatch.setenv("ROBOT_URL", "https://oapi.dingtalk.com/robot/send?access_token=abc")
    monkeypatch.setenv("ROBOT_SECRET", "SEC123")
    settings.DANGJIAN_NOTIFY_SENDERS = [
        {
            "channel": "webhook",
            "style": "dingtalk",
            "url_env": "ROBOT_URL",
            "secret_env": "ROBOT_SECRET",
            "kinds": ["assigned"],
        }
    ]
    dispatch(place)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert delivery.deliver(ids) == {"sent": 2, "failed": 0, "skipped": 0}
    request = http.calls[0]
    assert "timestamp=" in request.full_url and "sign=" in request.full_url
    body = json.loads(request.data)
    assert body["msgtype"] == "text" and "新派工单" in body["text"]["content"]
    assert Delivery.objects.first().address == "oapi.dingtalk.com（群机器人）"


def test_a_wecom_robot_error_code_is_a_failure(place, settings, http, monkeypatch):
    monkeypatch.setenv("WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    settings.DANGJIAN_NOTIFY_SENDERS = [
        {"channel": "webhook", "style": "wecom", "url_env": "WECOM_URL"}
    ]
    http.state["answer"] = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    dispatch(place)
    delivery.deliver(Delivery.objects.values_list("pk", flat=True))
    row = Delivery.objects.first()
    assert row.state == "failed" and "93000" in row.error


def test_kinds_and_org_choose_what_a_channel_carries(place, settings):
    settings.DANGJIAN_NOTIFY_SENDERS = [
        {"channel": "log"},
        {
            "channel": "webhook",
            "name": "webhook_other",
            "url": "https://x.invalid/",
            "org": place.other.code,
        },
        {"channel": "webhook", "url": "https://y.invalid/", "kinds": ["overdue"]},
    ]
    dispatch(place)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"log"}


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"channel": "fax"}, "未知的消息渠道"),
        ({"channel": "sms", "kinds": "overdue"}, "kinds 应为列表"),
        ({"channel": "sms", "timeout": "soon"}, "timeout 应为秒数"),
        ({"channel": "webhook", "style": "qq"}, "dingtalk 或 wecom"),
    ],
)
def test_a_bad_sender_configuration_is_refused_in_chinese(config, words):
    with pytest.raises(senders.ConfigError, match=words):
        senders.build(config)


def test_misconfigured_senders_leave_the_inbox_working(place, settings):
    settings.DANGJIAN_NOTIFY_SENDERS = [{"channel": "fax"}]
    dispatch(place)
    assert Message.objects.count() == 3 and not Delivery.objects.exists()


def test_the_mobile_number_is_encrypted_masked_and_set_by_its_owner_only(place):
    from django.core.exceptions import PermissionDenied, ValidationError

    contact = contact_set(actor=place.worker, user=place.worker, phone="13900001111")
    raw = Contact.objects.filter(pk=contact.pk).values_list("phone_cipher", flat=True)[0]
    assert b"13900001111" not in bytes(raw) and contact.phone_masked == "139****1111"
    with pytest.raises(PermissionDenied):
        contact_set(actor=place.worker2, user=place.worker, phone="13900002222")
    with pytest.raises(ValidationError):
        contact_set(actor=place.worker, user=place.worker, phone="12345")
    assert Contact.objects.get(pk=contact.pk).phone == "13900001111"
