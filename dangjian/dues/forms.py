"""The forms of the dues pages (thin: the services check everything again)."""

from __future__ import annotations

from django import forms


class PayForm(forms.Form):
    member = forms.IntegerField(min_value=1)
    month = forms.CharField(max_length=20)
    amount = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, label="金额（元，不填按应交）"
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="银行流水文件（.xlsx 或 .csv）")
