"""The outbound channels: one interface, pluggable senders chosen in the settings.

``settings.DANGJIAN_NOTIFY_SENDERS`` (environment ``DANGJIAN_NOTIFY_SENDERS``, JSON) is a list of
channel configurations; the default is the log only::

    [{"channel": "log"},
     {"channel": "sms", "url": "https://sms.example.gov.cn/send", "token_env": "SMS_TOKEN",
      "kinds": ["overdue", "escalated"]},
     {"channel": "webhook", "style": "dingtalk", "url_env": "DINGTALK_ROBOT_URL",
      "secret_env": "DINGTALK_ROBOT_SECRET", "org": "A01"},
     {"channel": "webhook", "style": "wecom", "url_env": "WECOM_ROBOT_URL"}]

- ``log`` — writes one line per message to the logger ``dangjian.notify`` (the default; nothing
  leaves the server).
- ``sms`` — an SMS gateway over HTTP: ``POST url`` with JSON ``{"phone", "content"}`` and
  ``Authorization: Bearer <token>``; a 2xx answer is success. Only users with a mobile number
  (:class:`~dangjian.notify.models.Contact`) get one.
- ``webhook`` — a group robot of 钉钉 (``style: dingtalk``; optional ``secret_env`` for the
  signed webhook) or 企业微信/政务微信 (``style: wecom``): ``POST url`` with the text message
  ``{"msgtype": "text", "text": {"content"}}``; success is ``errcode == 0``. ``org``: only
  messages to users of that organization's subtree go to that group.

Every configuration may name ``kinds`` (the message kinds it carries; all by default) and
``timeout`` (seconds, default 5). Secrets are named by environment variable (``*_env``), never
written into the settings themselves. The HTTP calls use the standard library (``urllib``), with
the timeout; any failure raises :class:`SendError`, which the delivery records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from dangjian.accounts.models import User
from dangjian.core import idnumber

logger = logging.getLogger("dangjian.notify")

DEFAULT_TIMEOUT = 5.0


class SendError(Exception):
    """A channel could not deliver a message (the text is recorded on the delivery)."""


class ConfigError(ValueError):
    """The senders' configuration is malformed (Chinese message)."""


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends: the recipient and the text."""

    user: User
    subject: str
    body: str = ""
    link: str = ""

    @property
    def text(self) -> str:
        parts = [self.subject, self.body]
        return "\n".join(p for p in parts if p)


@dataclass
class Sender:
    """A channel; subclasses implement :meth:`address` and :meth:`send`."""

    channel: str = "log"
    kinds: frozenset[str] = frozenset()
    org: str = ""
    timeout: float = DEFAULT_TIMEOUT
    options: Mapping[str, Any] = field(default_factory=dict)

    def carries(self, kind: str, user: User) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.org:
            from dangjian.orgs.models import Organization

            path = Organization.objects.filter(code=self.org).values_list("path", flat=True)
            prefix = path.first()
            return bool(prefix and user.org and user.org.path.startswith(prefix))
        return True

    def address(self, user: User) -> str | None:
        """Where ``user`` is reached on this channel (``None``: not reachable here)."""
        raise NotImplementedError

    def masked(self, address: str) -> str:
        return address

    def send(self, address: str, message: Outgoing) -> None:
        raise NotImplementedError


class LogSender(Sender):
    def address(self, user: User) -> str | None:
        return user.username

    def send(self, address: str, message: Outgoing) -> None:
        logger.info("站内消息 → %s：%s", address, message.subject)


def _secret(options: Mapping[str, Any], name: str) -> str:
    env = options.get(f"{name}_env")
    if env:
        return os.environ.get(str(env), "")
    return str(options.get(name, ""))


def _post_json(url: str, payload: Mapping[str, Any], *, timeout: float, **headers: str) -> Any:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310  (the URL comes from the operator's settings)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"网关返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"无法连接网关：{reason}") from None
    try:
        return json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        return {}


class SmsSender(Sender):
    def address(self, user: User) -> str | None:
        contact = getattr(user, "notify_contact", None)
        try:
            phone = contact.phone if contact is not None else ""
        except Exception:
            return None
        return phone or None

    def masked(self, address: str) -> str:
        return idnumber.mask_phone(address)

    def send(self, address: str, message: Outgoing) -> None:
        url = _secret(self.options, "url")
        if not url:
            raise SendError("未配置短信网关地址")
        token = _secret(self.options, "token")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        _post_json(
            url, {"phone": address, "content": message.text}, timeout=self.timeout, **headers
        )


class WebhookSender(Sender):
    """A group robot: every message of the users it carries goes to the one group."""

    def address(self, user: User) -> str | None:
        return _secret(self.options, "url") or None

    def masked(self, address: str) -> str:
        parts = urllib.parse.urlsplit(address)
        return f"{parts.netloc}（群机器人）"[:100]

    def _signed(self, url: str) -> str:
        secret = _secret(self.options, "secret")
        if not secret or self.options.get("style", "dingtalk") != "dingtalk":
            return url
        stamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        joiner = "&" if "?" in url else "?"
        return f"{url}{joiner}timestamp={stamp}&sign={sign}"

    def send(self, address: str, message: Outgoing) -> None:
        answer = _post_json(
            self._signed(address),
            {"msgtype": "text", "text": {"content": message.text}},
            timeout=self.timeout,
        )
        code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if code not in (0, "0"):
            raise SendError(f"群机器人返回错误 {code}：{answer.get('errmsg', '')}"[:300])


_KINDS: dict[str, type[Sender]] = {"log": LogSender, "sms": SmsSender, "webhook": WebhookSender}


def build(config: Mapping[str, Any]) -> Sender:
    """One sender from one configuration (``ConfigError`` in Chinese when malformed)."""
    if not isinstance(config, Mapping):
        raise ConfigError("消息渠道配置应为键值对")
    channel = str(config.get("channel", ""))
    cls = _KINDS.get(channel)
    if cls is None:
        raise ConfigError(f"未知的消息渠道“{channel}”，可用：{'、'.join(_KINDS)}")
    kinds = config.get("kinds") or []
    if not isinstance(kinds, list):
        raise ConfigError(f"消息渠道 {channel} 的 kinds 应为列表")
    try:
        timeout = float(config.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        raise ConfigError(f"消息渠道 {channel} 的 timeout 应为秒数") from None
    if channel == "webhook" and config.get("style", "dingtalk") not in ("dingtalk", "wecom"):
        raise ConfigError("群机器人的 style 应为 dingtalk 或 wecom")
    # the name of the delivery's channel: "webhook" twice (two groups) is told apart by a suffix
    name = str(config.get("name") or channel)[:16]
    return cls(
        channel=name,
        kinds=frozenset(str(k) for k in kinds),
        org=str(config.get("org", "")),
        timeout=timeout,
        options=dict(config),
    )


def configured() -> list[Sender]:
    """The senders of ``settings.DANGJIAN_NOTIFY_SENDERS`` (the log only by default)."""
    configs = getattr(settings, "DANGJIAN_NOTIFY_SENDERS", None) or [{"channel": "log"}]
    senders = [build(c) for c in configs]
    names = [s.channel for s in senders]
    if len(names) != len(set(names)):
        raise ConfigError("同一渠道配置了多次，请用 name 区分（如 webhook_town）")
    return senders
