"""Recruitment records (发展党员): a case per applicant, its dated steps, notices, half-yearly
activist reviews, and the annual recruitment plans with priority-group quotas.

Stable interface (the web pages build on it; changes are additive only):

- :class:`RecruitCase` — one applicant at one branch (``org``). ID and phone numbers are stored
  like :class:`dangjian.members.models.Member` (SM4-GCM cipher, keyed digest, masked form); they
  are needed to put the person on the roll at admission. ``status`` is the outcome
  (:class:`CaseStatus`); the stage within an open case is derived from the steps
  (:func:`dangjian.recruit.selectors.case_timeline`). Political review (政审) keeps only the
  result, its date and the reviewing body — never the content.
- :class:`RecruitStep` — step ``number`` 1–25 (rules.md §3) done on ``done_on``. ``round`` is 1,
  or 2 for steps 22–24 after an extended probation (the conversion is discussed again); unique
  (case, number, round). ``details`` (JSON) holds, depending on the step:
  ``talker`` (str, steps 2 and 16), ``contacts`` (step 5) and ``introducers`` (step 9) as lists of
  ``{"member": id, "name": str, "status": "full" | "probationary" | "probation_watch"}`` (a
  snapshot of the status on the day), ``vote`` (steps 15 and 23:
  ``{"entitled", "present", "yes", "written_opinions"}``), ``decision`` (steps 13, 17, 24:
  ``approved`` / ``rejected`` / ``extended`` / ``cancelled``) with ``decided_by`` (organization
  id), ``extension_months``. ``late`` is set when the step was recorded more than the configured
  number of days after ``done_on`` (never refused).
- ``ended_on`` — the day a case ended without admission or conversion (withdrawn, not admitted,
  probation cancelled): no deadline runs after it, and the retention period of the applicant's
  personal numbers counts from it (:func:`dangjian.recruit.services.case_purge_numbers`);
  ``numbers_purged_at`` is when the ID and phone numbers were deleted (then empty).
- :class:`ApprovalExtension` — an approved extension of the upper committee's approval period
  of step 17 or 24 (special cases, at most 6 months in all), with reason and approving body.
- :class:`RecruitNotice` — a public-notice window (公示) of one kind per case.
- :class:`ActivistReview` — the branch's half-yearly assessment of an activist.
- :class:`RecruitAttachment` — a document of the case (scan, photo, PDF), optionally of one step.
- :class:`RecruitPlan` / :class:`RecruitPlanQuota` — the annual plan of an organization and its
  separate quotas per priority group (单列计划).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core import crypto
from dangjian.core.attachments import AttachmentBase
from dangjian.core.models import period_check, user_link
from dangjian.core.records import EnteredRecord
from dangjian.members.choices import Category


class PriorityGroup(models.TextChoices):
    WORKER = "一线工人", "一线工人"
    FARMER = "农民", "农民"
    YOUTH = "青年", "青年"
    HIGH_KNOWLEDGE = "高知识群体", "高知识群体"
    NON_PUBLIC = "非公企业和社会组织从业人员", "非公企业和社会组织从业人员"
    OTHER = "其他", "其他"


class CaseStatus(models.TextChoices):
    OPEN = "open", "培养中"
    ADMITTED = "admitted", "预备党员"
    CONVERTED = "converted", "已转正"
    NOT_ADMITTED = "not_admitted", "未接收"
    WITHDRAWN = "withdrawn", "已终止"
    PROBATION_CANCELLED = "probation_cancelled", "取消预备党员资格"


class PoliticalReview(models.TextChoices):
    NONE = "none", "未进行"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class NoticeKind(models.TextChoices):
    ACTIVIST = "activist", "确定入党积极分子"
    CANDIDATE = "candidate", "确定发展对象"
    ADMISSION = "admission", "接收预备党员"
    CONVERSION = "conversion", "预备党员转正"


class Decision(models.TextChoices):
    APPROVED = "approved", "同意"
    REJECTED = "rejected", "不同意"
    EXTENDED = "extended", "延长预备期"
    CANCELLED = "cancelled", "取消预备党员资格"


class RecruitCase(EnteredRecord):
    """One applicant's way from application to full membership at one branch."""

    case_no = models.CharField("案例编号", max_length=32, unique=True)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所在党支部",
        on_delete=models.PROTECT,
        related_name="recruit_cases",
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=[("男", "男"), ("女", "女")])
    birth_date = models.DateField("出生日期")
    id_number_cipher = models.BinaryField("公民身份号码（密文）")
    id_number_digest = models.CharField("公民身份号码摘要", max_length=64, db_index=True)
    id_number_masked = models.CharField("公民身份号码", max_length=18)
    phone_cipher = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_digest = models.CharField("联系电话摘要", max_length=64, blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    category = models.CharField("人员类别", max_length=16, choices=Category.choices, blank=True)
    priority_group = models.CharField(
        "重点群体", max_length=16, choices=PriorityGroup.choices, default=PriorityGroup.OTHER
    )
    approver = models.ForeignKey(
        "orgs.Organization",
        verbose_name="审批党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruit_approvals",
    )
    expected_leaving_on = models.DateField("预计离开本单位日期", null=True, blank=True)
    political_review = models.CharField(
        "政治审查结论",
        max_length=8,
        choices=PoliticalReview.choices,
        default=PoliticalReview.NONE,
    )
    political_review_on = models.DateField("政治审查日期", null=True, blank=True)
    political_review_body = models.CharField("政治审查单位", max_length=100, blank=True)
    training_hours = models.DecimalField(
        "集中培训学时", max_digits=5, decimal_places=1, null=True, blank=True
    )
    probation_extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    status = models.CharField(
        "状态", max_length=24, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    ended_on = models.DateField("结束日期", null=True, blank=True)
    numbers_purged_at = models.DateTimeField("个人号码删除时间", null=True, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruit_cases",
    )

    class Meta:
        verbose_name = "发展党员案例"
        verbose_name_plural = "发展党员案例"
        indexes = [models.Index(fields=["org", "status"]), models.Index(fields=["approver"])]

    def __str__(self) -> str:
        return f"{self.case_no} {self.name}"

    def id_number(self) -> str:
        """The plain ID number; only services that audit the view call this ("" once deleted
        after the retention period)."""
        cipher = bytes(self.id_number_cipher or b"")
        return crypto.decrypt(cipher) if cipher else ""

    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher) if self.phone_cipher else ""


class RecruitStep(models.Model):
    """One of the 25 steps of a case, done on a date (see the module docstring for details)."""

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="steps"
    )
    number = models.PositiveSmallIntegerField("步骤")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    done_on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    late = models.BooleanField("补录超期", default=False)
    recorded_by = user_link("录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ["case", "round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number", "round"], name="recruit_step_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=25), name="recruit_step_number_1_25"
            ),
        ]
        # the admissions of a year (step 17 by date) for the plans, without a scan of every step
        indexes = [models.Index(fields=["number", "done_on"], name="recruit_step_number_day")]

    def __str__(self) -> str:
        return f"第{self.number}步 {self.done_on}"


class ApprovalExtension(models.Model):
    """An approved extension of the approval period of step 17 (admission) or 24 (conversion):
    in special cases the upper committee may take longer than 3 months, at most 6 months in all
    from the branch vote (RECRUIT-APPROVAL-3-MONTHS, RECRUIT-CONVERSION-APPROVAL-3-MONTHS).
    ``months`` is the period in all; ``round`` as for the steps (2 for a conversion discussed
    again after an extended probation)."""

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="extensions"
    )
    step = models.PositiveSmallIntegerField("审批步骤")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    months = models.PositiveSmallIntegerField("延长后的审批期限（月）")
    approved_on = models.DateField("批准日期")
    approved_by = models.CharField("批准机关", max_length=100)
    reason = models.CharField("特殊情况", max_length=500)
    recorded_by = user_link("录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "延长审批期限"
        verbose_name_plural = "延长审批期限"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step", "round"], name="recruit_extension_once_per_step"
            ),
            models.CheckConstraint(
                condition=Q(step__in=[17, 24]), name="recruit_extension_step_17_24"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.step}步审批期限延长至 {self.months} 个月"


class RecruitNotice(models.Model):
    """A public-notice window (公示) before a decision; one per kind and case."""

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("公示类别", max_length=12, choices=NoticeKind.choices)
    first_day = models.DateField("公示首日")
    last_day = models.DateField("公示末日")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="recruit_notice_once_per_kind"),
            period_check("first_day", "last_day", "recruit_notice_order", open_end=False),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}公示 {self.first_day}–{self.last_day}"


class ActivistReview(models.Model):
    """The branch's half-yearly assessment of an activist (RECRUIT-ACTIVIST-REVIEW-HALF-YEAR)."""

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField("考察日期")
    note = models.TextField("考察意见", blank=True)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "积极分子考察"
        verbose_name_plural = "积极分子考察"
        ordering = ["case", "reviewed_on"]

    def __str__(self) -> str:
        return f"积极分子考察 {self.reviewed_on}"


class RecruitPlan(models.Model):
    """An organization's annual recruitment plan (年度发展党员计划)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="recruit_plans",
    )
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveIntegerField("计划数")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展党员计划"
        verbose_name_plural = "发展党员计划"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="recruit_plan_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} 年发展党员计划：{self.quota} 名"


class RecruitPlanQuota(models.Model):
    """A separate quota for one priority group within a plan (单列计划)."""

    plan = models.ForeignKey(
        RecruitPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="quotas"
    )
    priority_group = models.CharField("重点群体", max_length=16, choices=PriorityGroup.choices)
    quota = models.PositiveIntegerField("单列计划数")

    class Meta:
        verbose_name = "单列计划"
        verbose_name_plural = "单列计划"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority_group"], name="recruit_quota_once_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.priority_group}单列计划：{self.quota} 名"


class RecruitAttachment(AttachmentBase):
    """A document of a case (全程记实): a scan or photo of the application, the 志愿书, the
    minutes of a vote, a notice… optionally tied to one step (``step`` 1–25)."""

    HOLDER = "case"
    AUDIT_FIELDS = ("step",)

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="attachments"
    )
    step = models.PositiveSmallIntegerField("步骤", null=True, blank=True)

    class Meta(AttachmentBase.Meta):
        verbose_name = "发展党员材料"
        verbose_name_plural = "发展党员材料"
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=True) | (Q(step__gte=1) & Q(step__lte=25)),
                name="recruit_attachment_step_1_25",
            )
        ]


# --- rollups (kept by every write of the services: :mod:`dangjian.recruit.rollups`) ------------


class CaseState(models.Model):
    """Where a case stands, kept by every write of the case through the services and rebuilt
    from the records (``dangjian rollups rebuild``): what the dashboard and the queue read
    instead of loading every case. Computed as of ``computed_on`` (the day of the write) with
    the rules' parameters in force that day; the pages use a row only for that day or, where
    nothing else changes with the date, for later days under the same parameters.

    ``next_deadline`` is the earliest deadline of the steps that come next, as the case's
    timeline gives it, and ``next_rule`` the rule whose parameters set it. ``probation_*`` are
    set for a probationary member whose conversion has not been discussed (step 15 recorded,
    step 23 not). ``findings`` are the rule ids of the case's errors and warnings on
    ``computed_on`` (one per finding, sorted); ``years`` the years of its steps
    (``",2024,2025,"``)."""

    case = models.OneToOneField(
        RecruitCase,
        verbose_name="案例",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="state",
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="所在党支部", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255)
    case_no = models.CharField("案例编号", max_length=32)
    status = models.CharField("状态", max_length=24)
    stage = models.CharField("阶段", max_length=16)
    years = models.CharField("步骤年度", max_length=200, blank=True)
    computed_on = models.DateField("计算日期")
    next_deadline = models.DateField("下一期限", null=True, blank=True)
    next_step = models.PositiveSmallIntegerField("期限步骤", null=True, blank=True)
    next_rule = models.CharField("期限依据规则", max_length=64, blank=True)
    probation_ends = models.DateField("预备期满日期", null=True, blank=True)
    probation_due_from = models.DateField("预备期满提醒起始日期", null=True, blank=True)
    conversion_vote_due = models.DateField("讨论转正截止日期", null=True, blank=True)
    findings = models.TextField("问题规则", blank=True)
    #: the year of the approved admission (step 17, first round) and the case's priority group
    #: then: what the plans count (``None`` / empty without an approved admission)
    admitted_year = models.PositiveSmallIntegerField("接收预备党员批准年度", null=True, blank=True)
    admitted_group = models.CharField("接收时重点群体", max_length=16, blank=True)

    class Meta:
        verbose_name = "发展党员案例汇总"
        verbose_name_plural = "发展党员案例汇总"
        indexes = [
            models.Index(fields=["org_path", "next_deadline"], name="recruit_state_deadline"),
            models.Index(fields=["org_path", "stage"], name="recruit_state_stage"),
            models.Index(fields=["org_path", "probation_ends"], name="recruit_state_probation"),
            models.Index(fields=["org_path", "case_no"], name="recruit_state_case_no"),
            # a page of a list at the root (every path) in case order, read without a sort
            models.Index(fields=["case_no"], name="recruit_state_by_case_no"),
            # the dashboard's probation lists and their lengths at any level: ranges of the
            # probationary rows only (the prefix of ``org_path`` is no index range in every
            # collation), of a size of the lists, whatever the number of cases
            models.Index(
                fields=["probation_due_from"],
                condition=Q(status="admitted", probation_ends__isnull=False),
                name="recruit_state_due_from",
            ),
            models.Index(
                fields=["probation_ends", "case_no"],
                condition=Q(status="admitted", probation_ends__isnull=False),
                name="recruit_state_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_no} {self.stage}"


class CaseWaiting(models.Model):
    """A decision of the upper committee a case waits for (pre-review 13, admission 17,
    conversion 24), kept with :class:`CaseState`: the approval queue reads these rows, paged."""

    case = models.ForeignKey(
        RecruitCase, verbose_name="案例", on_delete=models.CASCADE, related_name="waiting"
    )
    step = models.PositiveSmallIntegerField("审批步骤")
    org_path = models.CharField("组织路径", max_length=255)
    case_no = models.CharField("案例编号", max_length=32)
    waiting_since = models.DateField("等待起始日期")
    deadline = models.DateField("审批期限", null=True, blank=True)

    class Meta:
        verbose_name = "待审批汇总"
        verbose_name_plural = "待审批汇总"
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="recruit_waiting_once_per_step")
        ]
        indexes = [
            models.Index(fields=["org_path", "waiting_since"], name="recruit_waiting_since"),
            models.Index(fields=["org_path", "deadline"], name="recruit_waiting_deadline"),
            # the queue's order, for its pages at the root
            models.Index(fields=["waiting_since", "case_no", "step"], name="recruit_waiting_order"),
            # the overdue approvals and their number: a range of the overdue rows only
            models.Index(fields=["deadline"], name="recruit_waiting_overdue"),
        ]

    def __str__(self) -> str:
        return f"{self.case_no} 第{self.step}步"


class StageCount(models.Model):
    """Cases of a branch by stage (:class:`CaseState`): ``year`` 0 counts every case, a year
    the cases with a step in that year. A missing row means zero."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    stage = models.CharField("阶段", max_length=16)
    n = models.IntegerField("案例数", default=0)

    class Meta:
        verbose_name = "发展党员阶段人数汇总"
        verbose_name_plural = "发展党员阶段人数汇总"
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "stage"], name="recruit_stage_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.stage}：{self.n}"


class CaseTally(models.Model):
    """The cases of the subtree of an organization (itself included) by what the dashboard
    counts, kept from :class:`CaseState` by every write of a case and rebuilt with it
    (:mod:`dangjian.recruit.rollups`): the dashboard at any level reads a few rows of its
    organization instead of every case below. ``kind``:

    - ``stage``: cases by stage (``code``); ``year`` 0 every case, a year the full and closed
      cases with a step in that year;
    - ``flag`` / ``rule``: cases with errors or warnings, and their findings by rule id
      (``code``); ``year`` 0 the open and probationary cases, a year the other cases with a
      step in that year;
    - ``admit``: admissions approved (step 17, first round) in ``year`` by priority group;
    - ``day``: cases by the day their row was computed (``code``, ISO date; ``year`` 0).

    A missing row means zero."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类别", max_length=8)
    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("代码", max_length=64)
    sub_cases = models.IntegerField("含下级案例数", default=0)

    class Meta:
        verbose_name = "发展党员下级汇总"
        verbose_name_plural = "发展党员下级汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "year", "code"], name="recruit_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.year} {self.code}：{self.sub_cases}"
