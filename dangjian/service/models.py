"""Grids (网格) and service orders (群众点单、村居派单、网格接单、群众评单) with their history.

- :class:`Grid` — a cell of a 村/社区 organization (``org``), optionally grouped into a 片区
  (``area``), with its grid workers (users) and a household count. ``token`` names its public
  page (the link and QR code a resident uses; no account needed).
- :class:`Order` — one resident's order. ``org`` is the village or community organization whose
  grid received it (the scope path of the order); ``handler_org`` is the organization handling it
  now (the village, or the town after an escalation). The resident's phone is stored encrypted
  (SM4) with a keyed digest and a masked copy, like a member's. ``tracking_code`` is what the
  resident follows it by. The limits are copied from the category at submission
  (``response_due``, ``resolution_due``; see :mod:`dangjian.service.deadlines`).
- :class:`OrderEvent` — every transition: who (a user, or 群众), when, from → to, the note, and
  whether it came after its deadline (late actions are allowed and marked, never refused).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.core import crypto
from dangjian.core.models import user_link

from .choices import EventKind, Level, OrderState, Rating


class Grid(models.Model):
    """A grid cell (网格) of a village or community, with its grid workers."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属村（社区）",
        on_delete=models.PROTECT,
        related_name="grids",
    )
    name = models.CharField("网格名称", max_length=50)
    area = models.CharField("所属片区", max_length=50, blank=True)
    households = models.PositiveIntegerField("户数", default=0)
    boundary = models.JSONField("范围（GeoJSON）", null=True, blank=True)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="网格员", blank=True, related_name="grids"
    )
    token = models.CharField("公开页面标识", max_length=24, unique=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["org_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="service_grid_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """One service order of a resident, from 点单 to 评单 (see the module docstring)."""

    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="orders"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="service_orders",
    )
    handler_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="承办组织",
        on_delete=models.PROTECT,
        related_name="handled_service_orders",
    )
    level = models.CharField("承办层级", max_length=8, choices=Level.choices, default=Level.VILLAGE)
    category = models.CharField("服务类别", max_length=32)
    description = models.TextField("诉求内容")
    address = models.CharField("地点", max_length=200, blank=True)
    contact_name = models.CharField("称呼", max_length=20, blank=True)
    phone_cipher = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_digest = models.CharField("联系电话摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=OrderState.choices, default=OrderState.SUBMITTED
    )
    # the limits as the category had them when the order came in (SERVICE-DEADLINE)
    response_hours = models.PositiveIntegerField("响应时限（小时）")
    resolution_days = models.PositiveIntegerField("办结时限（天）")
    workdays = models.BooleanField("办结时限按工作日计")
    submitted_at = models.DateTimeField("点单时间")
    response_due = models.DateTimeField("响应期限")
    resolution_due = models.DateTimeField("办结期限")
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    dispatched_grid = models.ForeignKey(
        Grid,
        verbose_name="派往网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatched_orders",
    )
    assignee = user_link("承办人")
    taken_at = models.DateTimeField("接单时间", null=True, blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    refuse_reason = models.CharField("不予受理原因", max_length=16, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    escalation_count = models.PositiveSmallIntegerField("上报次数", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "服务工单"
        verbose_name_plural = "服务工单"
        ordering = ["submitted_at", "pk"]
        indexes = [
            models.Index(fields=["handler_org", "state", "submitted_at"]),
            models.Index(fields=["org", "submitted_at"]),
            models.Index(fields=["state", "resolution_due"]),
            # the overdue list, oldest first, walks the open orders in submission order and
            # stops after a page (a city's year: 1 M orders, ~20,000 open)
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(state__in=["submitted", "accepted", "dispatched", "taken"]),
                name="service_order_open_by_age",
            ),
        ]

    def __str__(self) -> str:
        return f"工单 {self.tracking_code}"

    @property
    def phone(self) -> str:
        """The plain phone number, or ``""`` (shown only to whoever handles the order)."""
        return crypto.decrypt(bytes(self.phone_cipher)) if self.phone_cipher else ""


class OrderEvent(models.Model):
    """One transition of an order: who, when, from → to, note; ``late`` after its deadline."""

    order = models.ForeignKey(
        Order, verbose_name="工单", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("操作", max_length=12, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    by = user_link("操作人")
    by_resident = models.BooleanField("群众本人操作", default=False)
    from_state = models.CharField("原状态", max_length=12, choices=OrderState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=OrderState.choices)
    note = models.CharField("说明", max_length=1000, blank=True)
    late = models.BooleanField("超过时限", default=False)

    class Meta:
        verbose_name = "工单流转记录"
        verbose_name_plural = "工单流转记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order.tracking_code} {self.get_kind_display()}"
