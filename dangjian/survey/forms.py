"""Forms of the survey pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.web.forms import ChineseDateField

from .models import Audience, DedupMode
from .questions import Questionnaire
from .services import (
    CODES_MAX,
    KEY_MAX,
    PHONE_INVALID,
    PHONE_RE,
    TITLE_MAX,
    normalise_phone,
)

SCOPE_SELF = "self"
SCOPE_BRANCHES = "branches"


class AnswerForm(forms.Form):
    """The public questionnaire: one radio group per question, plus a phone or an invite code."""

    def __init__(self, *args: Any, questionnaire: Questionnaire, dedup: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for q in questionnaire.questions:
            self.fields[q.code] = forms.ChoiceField(
                label=q.text,
                choices=q.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "请选择一项", "invalid_choice": "选项无效，请重新选择"},
            )
        if dedup == DedupMode.PHONE:
            self.fields["phone"] = forms.CharField(
                label="手机号码",
                max_length=20,
                help_text="仅用于保证每人只提交一次：不保存号码本身，只保存用密钥计算的摘要"
                "（见页面下方的个人信息说明）。",
                error_messages={"required": "请填写手机号码"},
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}
                ),
            )
        else:
            self.fields["code"] = forms.CharField(
                label="邀请码",
                max_length=16,
                help_text="填写支部发给您的邀请码，每个邀请码只能使用一次。",
                error_messages={"required": "请填写邀请码"},
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "autocapitalize": "characters"}
                ),
            )

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(PHONE_INVALID)
        return phone


class OpenForm(forms.Form):
    """发起测评 for one organization, or one survey for each branch of its subtree."""

    title = forms.CharField(
        label="标题", max_length=TITLE_MAX, error_messages={"required": "请填写标题"}
    )
    opens_on = ChineseDateField(
        label="开始日期",
        error_messages={"required": "请填写开始日期"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    closes_on = ChineseDateField(
        label="截止日期",
        error_messages={"required": "请填写截止日期"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scope = forms.ChoiceField(
        label="测评对象",
        choices=[(SCOPE_SELF, "本组织"), (SCOPE_BRANCHES, "下属各党支部（每个支部一份）")],
        initial=SCOPE_SELF,
        widget=forms.RadioSelect,
    )
    audience = forms.ChoiceField(
        label="邀请对象",
        choices=Audience.choices,
        initial=Audience.MEMBERS,
        required=False,  # not chosen: members only
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "邀请对象无效"},
    )
    dedup = forms.ChoiceField(
        label="每人只能提交一次，依据",
        choices=DedupMode.choices,
        initial=DedupMode.PHONE,
        widget=forms.RadioSelect,
    )
    codes = forms.IntegerField(
        label="邀请码数量（选择邀请码方式时）",
        required=False,
        min_value=0,
        max_value=CODES_MAX,
        initial=0,
        error_messages={
            "min_value": "邀请码数量不能小于 0",
            "max_value": f"邀请码数量不能超过 {CODES_MAX}",
            "invalid": "请填写整数",
        },
    )
    population = forms.IntegerField(
        label="邀请人数（回收率的分母）",
        help_text="按手机号填写时：只邀请党员可留空，取发起当天名册上的党员数；邀请群众时须填写"
        "党员和群众合计（下属各支部分别发起时为每个支部的人数）。按邀请码填写时以发放的邀请码数为准。",
        required=False,
        min_value=0,
        max_value=10_000_000,
        error_messages={"min_value": "邀请人数不能小于 0", "invalid": "请填写整数"},
    )
    key = forms.CharField(
        label="用途标识（可选，同一标识对同一组织只发起一次）",
        max_length=KEY_MAX,
        required=False,
    )

    def clean_audience(self) -> str:
        return self.cleaned_data.get("audience") or Audience.MEMBERS


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label="新增邀请码数量",
        min_value=1,
        max_value=CODES_MAX,
        error_messages={
            "required": "请填写数量",
            "min_value": "数量至少为 1",
            "max_value": f"数量不能超过 {CODES_MAX}",
            "invalid": "请填写整数",
        },
    )
