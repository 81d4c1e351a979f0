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
- :class:`VolunteerTeam` / :class:`TeamMembership` — a 红色志愿服务队 of a village, community or
  town and its members from the roll, each of a kind (在职、无职、退休、流动).
- :class:`DoubleReport` / :class:`DoubleReportRating` — 双报到: an in-service member registered
  with the community where they live (their own branch stays theirs), and the community's yearly
  rating of their service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.core import crypto
from dangjian.core.attachments import AttachmentBase
from dangjian.core.models import user_link

from .choices import DepartmentKind, EventKind, Level, MemberKind, OrderState, Rating, ReportRating


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
    households = models.IntegerField("户数", default=0)
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
    # where the resident says it is (WGS-84, from Open311 ``lat``/``long``) and a picture's link
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
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
    dispatched_team = models.ForeignKey(
        "VolunteerTeam",
        verbose_name="派往志愿服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatched_orders",
    )
    dispatched_member = models.ForeignKey(
        "DoubleReport",
        verbose_name="派往双报到党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatched_orders",
    )
    taken_at = models.DateTimeField("接单时间", null=True, blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    refuse_reason = models.CharField("不予受理原因", max_length=16, blank=True)
    department = models.ForeignKey(
        "service.Department",
        verbose_name="牵头联动部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
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
            # the open orders of a few villages (a town's overdue list: its villages' open
            # orders, then sorted by age — a few hundred rows, not the city's open orders)
            models.Index(
                fields=["org", "submitted_at"],
                condition=models.Q(state__in=["submitted", "accepted", "dispatched", "taken"]),
                name="service_order_open_by_org",
            ),
            # the overdue count per child organization (the dashboard): every column it reads
            # is in this index of the open orders, so it is counted without visiting the table
            models.Index(
                fields=["org", "resolution_due", "response_due", "responded_at"],
                condition=models.Q(state__in=["submitted", "accepted", "dispatched", "taken"]),
                name="service_order_open_due",
            ),
            # the overview's overdue list, the nearest limit first: walked in that order and
            # stopped after a page (at a city's root 97 ms of sorting 21,000 open orders → 2 ms)
            models.Index(
                fields=["resolution_due", "id"],
                condition=models.Q(state__in=["submitted", "accepted", "dispatched", "taken"]),
                name="service_order_open_by_due",
            ),
            # the Open311 list: newest first, and one service_code in a date window
            models.Index(fields=["-submitted_at", "-id"], name="service_order_newest"),
            models.Index(fields=["category", "submitted_at"], name="service_order_cat_time"),
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


# --- linked departments, 片区 and 敲门行动 (SERVICE-LINKED-DEPARTMENT, -AREA, -DOOR-KNOCK)


class Department(models.Model):
    """A linked department (联动部门 of the 先锋共同体: 公安派出所, 民政所, 司法所 …), registered
    with the town (or county) organization it works with. Its contact users take and resolve the
    orders a town dispatcher refers to it (跨级联合). The unit's duty phone is stored encrypted
    with a masked copy."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="联动的乡镇（县级）组织",
        on_delete=models.PROTECT,
        related_name="service_departments",
    )
    name = models.CharField("部门名称", max_length=60)
    kind = models.CharField("部门类别", max_length=12, choices=DepartmentKind.choices)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="联络人",
        blank=True,
        related_name="service_departments",
    )
    phone_cipher = models.BinaryField("值班电话（密文）", null=True, blank=True)
    phone_masked = models.CharField("值班电话", max_length=20, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "联动部门"
        verbose_name_plural = "联动部门"
        ordering = ["org_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="service_department_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    """One department an order is referred to (跨级联合); ``lead`` is the 牵头 department (also
    ``Order.department``), the others 协办. The contact users of any of them may take it."""

    order = models.ForeignKey(
        Order, verbose_name="工单", on_delete=models.CASCADE, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name="联动部门", on_delete=models.PROTECT, related_name="referrals"
    )
    lead = models.BooleanField("牵头", default=False)
    at = models.DateTimeField("转办时间")
    by = user_link("转办人")

    class Meta:
        verbose_name = "联动转办"
        verbose_name_plural = "联动转办"
        ordering = ["order_id", "-lead", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "department"], name="service_referral_once_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.tracking_code} → {self.department.name}"


class ServiceArea(models.Model):
    """A 片区 of a village or community: the grids whose ``Grid.area`` carries this ``name``,
    and its leaders (片区长), who take the orders escalated to the 片区 (复杂矛盾片区化)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属村（社区）",
        on_delete=models.PROTECT,
        related_name="service_areas",
    )
    name = models.CharField("片区名称", max_length=50)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="片区长", blank=True, related_name="service_areas"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "片区"
        verbose_name_plural = "片区"
        ordering = ["org_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="service_area_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """敲门行动: one door-knock visit to a household of a grid. The household is a label (门牌号
    or 户编号), never a person's identity; the needs found are :class:`VisitNeed` rows."""

    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="visits"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="service_visits",
    )
    household = models.CharField("走访户（门牌号或户编号）", max_length=30)
    visited_on = models.DateField("走访日期")
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="走访人", related_name="service_visits"
    )
    note = models.CharField("走访情况", max_length=500, blank=True)
    follow_up_due = models.DateField("回访期限", null=True, blank=True)
    done = models.BooleanField("已回访", default=False)
    done_at = models.DateTimeField("回访完成时间", null=True, blank=True)
    recorded_by = user_link("登记人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "敲门行动走访"
        verbose_name_plural = "敲门行动走访"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["org", "done", "follow_up_due"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household}"


class VisitNeed(models.Model):
    """A need found on a visit; ``order`` once it was turned into a service order."""

    visit = models.ForeignKey(
        Visit, verbose_name="走访", on_delete=models.CASCADE, related_name="needs"
    )
    text = models.CharField("需求", max_length=500)
    category = models.CharField("服务类别", max_length=32, blank=True)
    order = models.OneToOneField(
        Order,
        verbose_name="转成的工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_need",
    )

    class Meta:
        verbose_name = "走访发现的需求"
        verbose_name_plural = "走访发现的需求"
        ordering = ["visit_id", "pk"]

    def __str__(self) -> str:
        return self.text


class VolunteerTeam(models.Model):
    """A 红色志愿服务队 of a village, community or town (``org``): the services it offers
    (category codes of ``categories.yaml``), the area it covers, its leader (an account who may
    take the orders dispatched to the team, as may its members' accounts)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属组织",
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
    )
    name = models.CharField("服务队名称", max_length=50)
    services = models.JSONField("服务项目", default=list, blank=True)
    area = models.CharField("服务范围", max_length=100, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="队长账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["org_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="service_team_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """One member of the roll in one team (a member may serve in several), of a kind; ``user``
    is the member's own account, when they have one, so they can take the team's orders."""

    team = models.ForeignKey(
        VolunteerTeam, verbose_name="服务队", on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    kind = models.CharField("党员类别", max_length=4, choices=MemberKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="本人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
    )
    joined_on = models.DateField("加入日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务队队员"
        verbose_name_plural = "服务队队员"
        ordering = ["team_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "member"], name="service_team_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.team.name} {self.member.name}"


class DoubleReport(models.Model):
    """双报到: an in-service member registered with the community (``community``) where they
    live. The member's own branch (``member.org``, the employer's organization) stays theirs;
    the registration counts for both — in the community's list and in the branch's figures.
    ``user`` is the member's own account: without one, no order can be dispatched to them."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="double_reports",
    )
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name="报到村（社区）",
        on_delete=models.PROTECT,
        related_name="double_reports",
    )
    registered_on = models.DateField("报到日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    offers = models.CharField("服务承诺（特长）", max_length=200, blank=True)
    services = models.JSONField("服务项目", default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="本人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="double_reports",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "双报到登记"
        verbose_name_plural = "双报到登记"
        ordering = ["community_id", "registered_on", "pk"]
        constraints = [
            # one registration in force per member (they live in one place)
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True),
                name="service_double_report_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name} 到{self.community.name}报到"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class DoubleReportRating(models.Model):
    """The community's yearly rating of a registered member's service (feeds the employer
    branch's 在职党员 evaluation as organization-level counts only)."""

    report = models.ForeignKey(
        DoubleReport, verbose_name="双报到登记", on_delete=models.CASCADE, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField("年度")
    rating = models.CharField("评价等次", max_length=8, choices=ReportRating.choices)
    note = models.CharField("评语", max_length=500, blank=True)
    rated_by = user_link("评价人")
    rated_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "双报到年度评价"
        verbose_name_plural = "双报到年度评价"
        ordering = ["report_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["report", "year"], name="service_report_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度 {self.get_rating_display()}"


#: upper edges (minutes) of the buckets of the time histograms of :class:`ServiceTally`, log
#: spaced from 5 minutes to 60 days; one more bucket holds everything longer. A percentile read
#: from the buckets is exact to the width of its bucket (see :mod:`dangjian.service.rollup`).
TIME_EDGES_MINUTES = (
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880, 4320,
    5760, 7200, 10080, 14400, 20160, 30240, 43200, 64800, 86400,
)  # fmt: skip
#: the number of buckets of each histogram (the last one open-ended)
TIME_BUCKETS = len(TIME_EDGES_MINUTES) + 1
#: the counts of a :class:`ServiceTally` row (the names of :data:`dangjian.service.stats.COUNTS`)
TALLY_COUNTS = (
    "total",
    "valid",
    "responded",
    "accepted",
    "resolved",
    "rated",
    "satisfied",
    "basic",
    "reopened",
    "ever_resolved",
)


class ServiceTally(models.Model):
    """The orders of one village (社区), grid, category and handling level submitted in one month,
    counted: what :func:`dangjian.service.stats.rates_by` sums instead of reading the orders.
    Kept by every write in the write's transaction (:mod:`dangjian.service.rollup`), rebuilt and
    checked by ``dangjian rollups rebuild|check``. ``r00``… count the orders by time to the first
    response, ``s00``… by time to the resolution, in the buckets of :data:`TIME_EDGES_MINUTES`."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="村（社区）", on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.CASCADE, related_name="+")
    category = models.CharField("服务类别", max_length=32)
    level = models.CharField("承办层级", max_length=8, choices=Level.choices)
    month = models.DateField("点单月份")  # the first day of the month (local time)
    total = models.IntegerField("点单数", default=0)
    valid = models.IntegerField("点单数（不含合并）", default=0)
    responded = models.IntegerField("时限内响应", default=0)
    accepted = models.IntegerField("受理", default=0)
    resolved = models.IntegerField("已解决", default=0)
    rated = models.IntegerField("已评价", default=0)
    satisfied = models.IntegerField("满意", default=0)
    basic = models.IntegerField("基本满意", default=0)
    reopened = models.IntegerField("重新办理", default=0)
    ever_resolved = models.IntegerField("办理过", default=0)

    class Meta:
        verbose_name = "服务工单按月汇总"
        verbose_name_plural = "服务工单按月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month", "grid", "category", "level"],
                name="service_tally_cell",
            )
        ]
        indexes = [models.Index(fields=["month", "org"], name="service_tally_month")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.category}"


#: the histogram columns of :class:`ServiceTally`: response times, then resolution times
RESPOND_BUCKETS = tuple(f"r{i:02d}" for i in range(TIME_BUCKETS))
RESOLVE_BUCKETS = tuple(f"s{i:02d}" for i in range(TIME_BUCKETS))
for _name in RESPOND_BUCKETS + RESOLVE_BUCKETS:
    ServiceTally.add_to_class(_name, models.IntegerField(default=0))


class ServiceSubtreeTally(models.Model):
    """The orders of the villages strictly below one organization (each ancestor of a village:
    片区, town, city), by category, handling level and month, counted: the same columns as
    :class:`ServiceTally` summed over those villages and their grids, so a dashboard reads one
    row per child instead of grouping every village's rows. Kept with :class:`ServiceTally` in
    the write's transaction (:mod:`dangjian.service.rollup`), rebuilt and checked with it."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField("服务类别", max_length=32)
    level = models.CharField("承办层级", max_length=8, choices=Level.choices)
    month = models.DateField("点单月份")  # the first day of the month (local time)

    class Meta:
        verbose_name = "服务工单按月汇总（下辖合计）"
        verbose_name_plural = "服务工单按月汇总（下辖合计）"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month", "category", "level"], name="service_subtree_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.category}"


# the same counter columns as ServiceTally (one definition: its fields, cloned)
for _name in TALLY_COUNTS + RESPOND_BUCKETS + RESOLVE_BUCKETS:
    _field = ServiceTally._meta.get_field(_name)
    assert isinstance(_field, models.IntegerField)
    _args, _kwargs = _field.deconstruct()[2:]
    ServiceSubtreeTally.add_to_class(_name, models.IntegerField(*_args, **_kwargs))


class OrderAttachment(AttachmentBase):
    """A photo of what was done (JPEG, PNG or WebP), added by whoever holds the order while it is
    taken or with the result; shown to staff in scope only, to the resident only as a count."""

    HOLDER = "order"

    order = models.ForeignKey(
        Order, verbose_name="工单", on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(AttachmentBase.Meta):
        verbose_name = "工单照片"
        verbose_name_plural = "工单照片"
