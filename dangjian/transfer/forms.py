"""Forms of the transfer pages: thin — the services validate (Chinese messages)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from .choices import TransferReason


def _today() -> str:
    return timezone.localdate().isoformat()


class TransferForm(forms.Form):
    """三步办理: the member, the receiving organization, the reason (and the date)."""

    member = forms.TypedChoiceField(label="转出党员", coerce=int)
    to_code = forms.CharField(
        label="接收党组织编码", required=False, max_length=32, help_text="本系统内的党支部编码"
    )
    to_name = forms.CharField(
        label="或：系统外接收党组织", required=False, max_length=200, help_text="系统外的党组织全称"
    )
    reason = forms.ChoiceField(label="转接原因", choices=TransferReason.choices)
    requested_on = forms.DateField(label="申请日期", initial=_today)
    note = forms.CharField(label="备注", required=False, max_length=500)


class DateForm(forms.Form):
    on = forms.DateField(label="日期", initial=_today)


class ReasonForm(DateForm):
    reason = forms.CharField(label="原因", required=False, max_length=500)


class ReceiptForm(DateForm):
    receipt_no = forms.CharField(label="回执编号", required=False, max_length=60)


class ImportForm(forms.Form):
    file = forms.FileField(label="转接文件（.xlsx 或 .csv）")
    dry_run = forms.BooleanField(label="只检查，不写入", required=False)
