"""The forms of the dues pages (thin: the services check everything again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from dangjian.members.models import Member
from dangjian.web.forms import date_field

from . import months
from .choices import DuesCategory


class PayForm(forms.Form):
    member = forms.IntegerField(min_value=1)
    month = forms.CharField(max_length=20)
    amount = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, label="金额（元，不填按应交）"
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="银行流水文件（.xlsx 或 .csv）")


def _money_field(label: str, *, required: bool) -> forms.CharField:
    """An amount in yuan, typed as text: the service says in Chinese what is wrong with it."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        error_messages={"required": f"请填写{label.split('（')[0]}"},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class _MemberForm(forms.Form):
    """A form about one member of the branch's roll (``roll``: the members to choose from)."""

    member = forms.TypedChoiceField(
        label="党员",
        coerce=int,
        error_messages={"required": "请选择党员", "invalid_choice": "本支部名册上没有该党员"},
    )

    def __init__(self, *args: object, roll: Iterable[Member], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.roll = {m.pk: m for m in roll}
        field = self.fields["member"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "请选择"), *((pk, m.name) for pk, m in self.roll.items())]

    def chosen(self) -> Member:
        return self.roll[self.cleaned_data["member"]]


class BaseForm(_MemberForm):
    """核定 one member's dues for a year."""

    category = forms.ChoiceField(
        label="交纳类别",
        choices=[("", "请选择"), *DuesCategory.choices],
        error_messages={"required": "请选择交纳类别", "invalid_choice": "交纳类别“%(value)s”无效"},
    )
    base = _money_field("月交纳基数（元，税后月收入或月退休费；固定标准不填）", required=False)
    voluntary = _money_field("自愿每月交纳（元，选填）", required=False)


class _MonthField(forms.CharField):
    """A month typed as 2026-03 (a month input on the phone)."""

    def __init__(self, label: str) -> None:
        super().__init__(
            label=label,
            max_length=20,
            error_messages={"required": f"请填写{label}"},
            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
        )

    def clean(self, value: object) -> dt.date:  # type: ignore[override]
        text = super().clean(value)
        try:
            return months.parse(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ExemptionForm(_MemberForm):
    """A good reason (正当理由) the branch accepted for months unpaid."""

    month_from = _MonthField("起始月份")
    month_to = _MonthField("终止月份")
    note = forms.CharField(
        label="正当理由（支部研究认定的情况）",
        max_length=300,
        error_messages={"required": "请写明正当理由", "max_length": "正当理由不能超过 300 字"},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )


class RemitForm(forms.Form):
    """党费上缴: the amount passed up for a year."""

    amount = _money_field("上缴金额（元）", required=True)
    remitted_on = date_field("上缴日期")
    note = forms.CharField(
        label="备注（选填，如缴款凭证号）",
        required=False,
        max_length=200,
        error_messages={"max_length": "备注不能超过 200 字"},
    )
