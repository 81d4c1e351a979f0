"""Forms of the 发展党员 pages. They only parse input; every rule is checked by the services
(:mod:`dangjian.recruit.services`), whose Chinese messages are put back on the fields.

A procedural mistake (a step too early, a probationary introducer, a vote without majority) is
never a form error: the record is saved and the checker shows the finding on the case page.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from dangjian.core.attachments import AttachmentUploadForm
from dangjian.members.choices import Category, MemberType
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.web.forms import date_field

from .case import STEPS
from .models import Decision, NoticeKind, PoliticalReview, PriorityGroup
from .rules import params_in_force
from .services import (
    DECISION_STEPS,
    VOTE_STEPS,
    CaseInput,
    CaseUpdate,
    StepInput,
    VoteInput,
)

_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")


def _remark(label: str, max_length: int, rows: int = 3) -> forms.CharField:
    """An optional text of a few lines."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _phone(label: str) -> forms.CharField:
    """An optional phone number (checked and normalized by the services)."""
    return forms.CharField(
        label=label,
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


def _count(label: str, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=100000,
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}应为整数",
            "min_value": f"{label}不能为负数",
        },
    )


def member_label(member: Member, standing: Any = None) -> str:
    """A roll entry with its status, as the pickers show it: full / probationary, and a
    留党察看 or 停止党籍 in force (``standing``: :class:`dangjian.members.selectors.Standing`
    on the step's date, when known)."""
    if standing is not None and standing.status is not None:
        return f"{member.name}（{standing.status}）"
    kind = standing.member_type if standing is not None else member.member_type
    status = "正式党员" if kind == MemberType.FULL else "预备党员"
    return f"{member.name}（{status}）"


class CaseOpenForm(forms.Form):
    """开案: the application arrives (step 1)."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=18,
        error_messages={"required": "请填写公民身份号码"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    applied_on = date_field("递交入党申请书日期")
    phone = _phone("联系电话（可选）")
    category = forms.ChoiceField(
        label="人员类别（可选）", required=False, choices=[("", "—"), *Category.choices]
    )
    priority_group = forms.ChoiceField(
        label="重点群体（单列计划）", choices=PriorityGroup.choices, initial=PriorityGroup.OTHER
    )
    expected_leaving_on = date_field("预计离开本单位日期（可选）", required=False)
    note = _remark("说明（可选）", 2000)

    def case_input(self, org: Organization) -> CaseInput:
        d = self.cleaned_data
        return CaseInput(
            org=org,
            name=d["name"],
            id_number=d["id_number"].strip(),
            applied_on=d["applied_on"],
            phone=d.get("phone") or "",
            category=d.get("category") or "",
            priority_group=d["priority_group"],
            expected_leaving_on=d.get("expected_leaving_on"),
            note=d.get("note") or "",
        )


class StepForm(forms.Form):
    """Record one step; the fields depend on the step number (see :meth:`__init__`)."""

    done_on = date_field("日期")
    note = _remark("说明（可选）", 5000)

    def __init__(
        self,
        *args: Any,
        number: int,
        roll: list[Member],
        standings: dict[int, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        self.roll = {m.pk: m for m in roll}
        standings = standings or {}
        people = [(m.pk, member_label(m, standings.get(m.pk))) for m in roll]
        if number == 2:
            self.fields["talker_member"] = forms.TypedChoiceField(
                label="谈话人（从本支部名册选择）",
                required=False,
                coerce=int,
                choices=[("", "—"), *people],
                error_messages={"invalid_choice": "谈话人应从本支部名册中选择"},
            )
        if number in (2, 16):
            self.fields["talker"] = forms.CharField(
                label="谈话人姓名（名册以外的人员，如上级党委派出的同志）",
                required=number == 16,
                max_length=50,
                error_messages={"required": "请填写谈话人"},
            )
        if number in (5, 9):
            most = params_in_force("RECRUIT-CONTACTS", timezone.localdate())["max"]
            label = (
                f"培养联系人（1–{most} 名正式党员）"
                if number == 5
                else "入党介绍人（2 名正式党员）"
            )
            self.fields["people"] = forms.TypedMultipleChoiceField(
                label=label,
                coerce=int,
                choices=people,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "required": "请从名册中选择" + ("培养联系人" if number == 5 else "入党介绍人"),
                    "invalid_choice": "只能从本支部名册中选择",
                },
            )
        if number in VOTE_STEPS:
            self.fields["entitled"] = _count("应到会有表决权的正式党员人数")

            self.fields["present"] = _count("实到会有表决权的人数")
            self.fields["yes"] = _count("赞成票（含书面意见中的赞成）")
            self.fields["written_opinions"] = _count("因故缺席党员的书面意见份数", required=False)
        if number == 10:
            self.fields["review"] = forms.ChoiceField(
                label="政治审查结论",
                choices=[(PoliticalReview.PASS, "合格"), (PoliticalReview.FAIL, "不合格")],
                widget=forms.RadioSelect,
                error_messages={"required": "请选择政治审查结论"},
            )
            self.fields["review_body"] = forms.CharField(
                label="审查单位",
                max_length=100,
                error_messages={"required": "请填写进行政治审查的单位"},
            )
        today = timezone.localdate()
        if number == 11:
            hours = params_in_force("RECRUIT-TRAINING-3-DAYS", today)["hours"]
            self.fields["hours"] = forms.DecimalField(
                label=f"集中培训学时（不少于 {hours} 学时）",
                min_value=0,
                max_value=9999,
                decimal_places=1,
                error_messages={
                    "required": "请填写培训学时",
                    "invalid": "学时应为数字",
                    "min_value": "学时不能为负数",
                    "max_decimal_places": "学时最多保留一位小数",
                },
            )
        if number in DECISION_STEPS:
            self.fields["decision"] = forms.ChoiceField(
                label="审批结论",
                choices=[(d, Decision(d).label) for d in DECISION_STEPS[number]],
                widget=forms.RadioSelect,
                error_messages={"required": "请选择审批结论"},
            )
        if number == 24:
            extension = params_in_force("RECRUIT-EXTENSION", today)
            low, high = extension["min_months"], extension["max_months"]
            self.fields["extension_months"] = forms.IntegerField(
                label=f"延长预备期（月，仅在延长时填写；{low}–{high} 个月）",
                required=False,
                min_value=1,
                max_value=24,
                error_messages={"invalid": "月数应为整数"},
            )

    @property
    def title(self) -> str:
        return f"第 {self.number} 步 {STEPS[self.number]}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        extending = self.number == 24 and data.get("decision") == Decision.EXTENDED
        if extending and not data.get("extension_months"):
            self.add_error("extension_months", "延长预备期时请填写月数")
        return data

    def step_input(self) -> StepInput:
        """The service input (decisions of steps 13, 17 and 24 included)."""
        d = self.cleaned_data
        talker = (d.get("talker") or "").strip()
        picked = d.get("talker_member")
        if not talker and picked:
            talker = self.roll[picked].name
        people = [self.roll[pk] for pk in d.get("people") or []]
        vote = None
        if self.number in VOTE_STEPS:
            vote = VoteInput(
                entitled=d["entitled"],
                present=d["present"],
                yes=d["yes"],
                written_opinions=d.get("written_opinions") or 0,
            )
        return StepInput(
            number=self.number,
            done_on=d["done_on"],
            note=d.get("note") or "",
            talker=talker,
            contacts=people if self.number == 5 else [],
            introducers=people if self.number == 9 else [],
            vote=vote,
            decision=d.get("decision") or "",
            extension_months=d.get("extension_months") if d.get("decision") == "extended" else None,
        )


class DecisionForm(forms.Form):
    """The one-step decision of the approval queue (steps 13, 17, 24)."""

    decided_on = date_field("审批日期")
    decision = forms.ChoiceField(
        label="结论",
        choices=Decision.choices,
        error_messages={"required": "请选择结论", "invalid_choice": "结论无效"},
    )
    extension_months = forms.IntegerField(
        label="延长月数", required=False, min_value=1, max_value=24
    )
    note = forms.CharField(label="意见（可选）", required=False, max_length=2000)


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(
        label="公示类别",
        choices=NoticeKind.choices,
        error_messages={"required": "请选择公示类别", "invalid_choice": "公示类别无效"},
    )
    first_day = date_field("公示首日")
    last_day = date_field("公示末日")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "公示末日早于首日")
        return data


class ReviewForm(forms.Form):
    reviewed_on = date_field("考察日期")
    review_note = _remark("考察意见（可选）", 2000, rows=2)


class ApproverForm(forms.Form):
    """The approving 基层党委: only organizations with authority are offered."""

    approver = forms.TypedChoiceField(
        label="审批党委",
        error_messages={
            "required": "请选择审批党委",
            "invalid_choice": "所选组织没有审批权限或不是本支部的上级",
        },
    )

    def __init__(self, *args: Any, eligible: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eligible = {o.pk: o for o in eligible}
        field = self.fields["approver"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *[(o.pk, o.name) for o in eligible]]
        # the chosen organization itself (the choices are its id)
        field.coerce = lambda value: self.eligible[int(value)]


class CaseFilterForm(forms.Form):
    """Filters of the case list; each value is checked before it reaches a query."""

    org = forms.CharField(label="组织编码（含下级）", required=False, max_length=32)
    stage = forms.ChoiceField(label="阶段", required=False)
    findings = forms.ChoiceField(
        label="问题",
        required=False,
        choices=[("", "全部"), ("yes", "有问题"), ("no", "无问题")],
    )
    year = forms.IntegerField(label="申请年份", required=False, min_value=1950, max_value=2100)

    def __init__(self, *args: Any, stages: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "全部"), *stages.items()]
        for name in ("stage", "findings"):
            f = self.fields[name]
            f.error_messages["invalid_choice"] = "无效的取值“%(value)s”"
        self.fields["year"].error_messages.update(
            {
                "invalid": "年份应为四位数字",
                "min_value": "年份应在 1950–2100 之间",
                "max_value": "年份应在 1950–2100 之间",
            }
        )

    def clean_org(self) -> str:
        value = str(self.cleaned_data.get("org") or "").strip()
        if value and not _CODE.match(value):
            raise forms.ValidationError("组织编码只能由字母和数字组成，最长 32 位")
        return value


class PlanForm(forms.Form):
    """The annual plan of an organization with its priority-group quotas (单列计划)."""

    org = forms.CharField(
        label="组织编码", max_length=32, error_messages={"required": "请填写组织编码"}
    )
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "请填写年度", "invalid": "年度应为四位数字"},
    )
    quota = _count("计划发展人数")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_names: list[tuple[str, str]] = []
        for i, group in enumerate(PriorityGroup.values):
            name = f"group_{i}"
            self.fields[name] = _count(f"{group}（单列）", required=False)
            self.group_names.append((name, group))

    def clean_org(self) -> str:
        value = str(self.cleaned_data.get("org") or "").strip()
        if not _CODE.match(value):
            raise forms.ValidationError("组织编码只能由字母和数字组成，最长 32 位")
        return value

    def group_fields(self) -> list[Any]:
        return [self[name] for name, _g in self.group_names]

    def group_quotas(self) -> dict[str, int]:
        d = self.cleaned_data
        return {g: d[name] for name, g in self.group_names if d.get(name) is not None}


class CaseEditForm(forms.Form):
    """Applicant data that may change while the case runs (the ID number never does)."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    phone = _phone("新的联系电话（留空则不变）")
    clear_phone = forms.BooleanField(label="删除已登记的联系电话", required=False)
    category = forms.ChoiceField(
        label="人员类别", required=False, choices=[("", "—"), *Category.choices]
    )
    priority_group = forms.ChoiceField(label="重点群体（单列计划）", choices=PriorityGroup.choices)
    expected_leaving_on = date_field("预计离开本单位日期（留空表示不离开）", required=False)

    def case_update(self) -> CaseUpdate:
        d = self.cleaned_data
        leaving = d.get("expected_leaving_on")
        phone = (d.get("phone") or "").strip()
        return CaseUpdate(
            name=d["name"],
            phone=phone if phone else ("" if d.get("clear_phone") else None),
            category=d.get("category") or "",
            priority_group=d["priority_group"],
            expected_leaving_on=leaving,
            clear_expected_leaving=leaving is None,
        )


class ExtensionForm(forms.Form):
    """The upper committee's approved extension of an approval period (step 17 or 24)."""

    STEP_CHOICES = (
        (17, "第 17 步 上级党委审批（接收预备党员）"),
        (24, "第 24 步 上级党委审批（转正）"),
    )

    step = forms.TypedChoiceField(
        label="延长哪一项审批",
        coerce=int,
        choices=STEP_CHOICES,
        error_messages={
            "required": "请选择审批步骤",
            "invalid_choice": "只能延长第 17、24 步的审批期限",
        },
    )
    months = forms.IntegerField(
        label="延长后的审批期限（自支部大会讨论之日起，月）",
        min_value=1,
        max_value=12,
        error_messages={
            "required": "请填写延长后的审批期限（月）",
            "invalid": "月数应为整数",
            "min_value": "月数应为正整数",
        },
    )
    approved_on = date_field("批准延长的日期")
    approved_by = forms.CharField(
        label="批准机关", max_length=100, error_messages={"required": "请填写批准延长的党委"}
    )
    reason = forms.CharField(
        label="特殊情况（延长原因）",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请写明需要延长审批期限的特殊情况"},
    )

    def __init__(self, *args: Any, steps: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(n, label) for n, label in self.STEP_CHOICES if not steps or n in steps]
        # RECRUIT-APPROVAL-3-MONTHS in force: the longest period in all
        most = params_in_force("RECRUIT-APPROVAL-3-MONTHS", timezone.localdate())["max_months"]
        months = self.fields["months"]
        months.label = f"延长后的审批期限（自支部大会讨论之日起，月；最长 {most} 个月）"
        months.error_messages["max_value"] = f"审批期限最长 {most} 个月"


class WithdrawForm(forms.Form):
    """End an open case (the applicant withdraws, moves away, or the branch stops it)."""

    withdrawn_on = date_field("终止日期")
    reason = forms.CharField(
        label="原因", max_length=200, error_messages={"required": "请填写原因"}
    )


class AttachmentForm(AttachmentUploadForm):
    """The step a document belongs to (optional); the files come as ``files`` (multiple)."""

    step = forms.TypedChoiceField(
        label="所属步骤（可选）",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        error_messages={"invalid_choice": "步骤无效，应为 1–25"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "整个案例")] + [(str(n), f"{n}. {name}") for n, name in STEPS.items()]
