"""Forms of the assessment pages. They parse input; every rule lives in the services
(:mod:`dangjian.assess.services`), whose Chinese messages are put back on the fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from dangjian.web.forms import date_field, org_code_field, pick_field

from .models import Campaign
from .services import NOTE_MAX

_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")


class CampaignForm(forms.Form):
    """发起考核: the campaign's standard, subtree, period, phases and spot-check share."""

    name = forms.CharField(
        label="名称", max_length=200, error_messages={"required": "请填写考核名称"}
    )
    standard = forms.ChoiceField(
        label="考核标准",
        error_messages={"required": "请选择考核标准", "invalid_choice": "考核标准无效"},
    )
    root = org_code_field("考核范围（上级组织编码）", required="请填写考核范围的组织编码")
    period_start = date_field("考核期开始")
    period_end = date_field("考核期结束")
    self_check_start = date_field("自查开始", required=False)
    self_check_end = date_field("自查截止", required=False)
    spot_check_start = date_field("抽查开始", required=False)
    spot_check_end = date_field("抽查截止", required=False)
    survey_start = date_field("群众测评开始", required=False)
    survey_end = date_field("群众测评截止", required=False)
    review_start = date_field("审核开始", required=False)
    review_end = date_field("审核截止", required=False)
    notice_start = date_field("公示开始", required=False)
    notice_end = date_field("公示截止", required=False)
    final_on = date_field("定档日期", required=False)
    spot_percent = forms.DecimalField(
        label="抽查比例（%）",
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        initial=Decimal(20),
        error_messages={
            "required": "请填写抽查比例",
            "invalid": "抽查比例应为 0 到 100 之间的数字",
            "min_value": "抽查比例不能小于 0",
            "max_value": "抽查比例不能大于 100",
            "max_decimal_places": "抽查比例最多一位小数",
        },
    )
    sampling_seed = forms.IntegerField(
        label="抽样种子（可选，填写后可复现抽样）",
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={"invalid": "抽样种子应为整数"},
    )
    inspection_evidence = forms.BooleanField(
        label="抽查时参考督查暗访发现的问题（考核期内的督查、巡查和已发布的暗访）", required=False
    )
    previous = pick_field("对比的上一次考核", invalid="所选的上一次考核无效")
    hand_picked = forms.CharField(
        label="指定抽查的组织编码（可选，用空格或逗号分隔）",
        required=False,
        max_length=2000,
    )

    PHASE_NAMES = [f for _c, _l, s, e in Campaign.PHASES for f in dict.fromkeys((s, e))]

    def __init__(
        self,
        *args: Any,
        standards: list[tuple[str, str]],
        previous: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = standards  # type: ignore[attr-defined]
        self.fields["previous"].choices = [("", "（无）"), *previous]  # type: ignore[attr-defined]

    def clean_hand_picked(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data["hand_picked"]) if c]
        bad = [c for c in codes if not _CODE.match(c)]
        if bad:
            raise forms.ValidationError(f"组织编码“{bad[0][:32]}”无效")
        return codes

    def main_fields(self) -> list[Any]:
        return [self[n] for n in ("name", "standard", "root", "period_start", "period_end")]

    def phase_fields(self) -> list[Any]:
        return [self[n] for n in self.PHASE_NAMES]

    def other_fields(self) -> list[Any]:
        return [
            self[n]
            for n in (
                "spot_percent",
                "sampling_seed",
                "inspection_evidence",
                "previous",
                "hand_picked",
            )
        ]

    def phases(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.PHASE_NAMES}


class VetoForm(forms.Form):
    """录入高压线事件 (upper level)."""

    org = org_code_field()
    occurred_on = date_field("发生日期")
    line = forms.ChoiceField(
        label="高压线",
        error_messages={"required": "请选择高压线", "invalid_choice": "高压线无效"},
    )
    note = forms.CharField(
        label="情况说明",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写情况说明"},
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = lines  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        max_length=NOTE_MAX,
        error_messages={"required": "请填写撤销原因"},
    )


def field_name(criterion_id: str, what: str) -> str:
    """The form field of a criterion: ``p_1_4`` (points) / ``n_1_4`` (note) for ``"1.4"``."""
    return f"{what}_{re.sub(r'[^A-Za-z0-9]', '_', criterion_id)}"


class ScoreSheet(forms.Form):
    """The person-scored criteria of one organization: points (empty: not scored) and a note.

    Points are kept as typed; the service checks the range and the decimals and its message is
    shown on the field.
    """

    def __init__(self, *args: Any, criteria: list[Any], initial_scores: dict[str, Any], **kw: Any):
        super().__init__(*args, **kw)
        self.criteria = criteria
        for crit in criteria:
            old = initial_scores.get(crit.id)
            self.fields[field_name(crit.id, "p")] = forms.CharField(
                label=f"{crit.id} 得分（0—{crit.points:g}）",
                required=False,
                max_length=12,
                initial="" if old is None else f"{old.points.normalize():f}",
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "size": 6,
                        "data-points": crit.id,
                    }
                ),
            )
            self.fields[field_name(crit.id, "n")] = forms.CharField(
                label=f"{crit.id} 说明",
                required=False,
                max_length=NOTE_MAX,
                initial="" if old is None else old.note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for crit in self.criteria:
            points = (data.get(field_name(crit.id, "p")) or "").strip()
            if not points and (data.get(field_name(crit.id, "n")) or "").strip():
                self.add_error(field_name(crit.id, "p"), "填写了说明，请同时填写得分")
        return data

    def entries(self) -> list[tuple[Any, str, str]]:
        """(criterion, points text, note) for every criterion with points typed."""
        out = []
        for crit in self.criteria:
            points = (self.cleaned_data.get(field_name(crit.id, "p")) or "").strip()
            note = (self.cleaned_data.get(field_name(crit.id, "n")) or "").strip()
            if points:
                out.append((crit, points, note))
        return out
