"""Forms of the resident's pages (the services validate; these only carry the fields)."""

from __future__ import annotations

from django import forms

from .categories import choices
from .choices import Rating


class OrderForm(forms.Form):
    """Nothing is required here: :func:`dangjian.service.services.order_submit` checks every
    field and reports every problem at once."""

    category = forms.ChoiceField(label="服务类别", choices=(), required=False)
    description = forms.CharField(
        label="您的诉求", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    address = forms.CharField(label="地点（选填）", required=False)
    contact_name = forms.CharField(label="称呼（选填）", required=False)
    phone = forms.CharField(
        label="联系电话", help_text="只用于回访，加密保存，不公开", required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "请选择"), *choices()]


class RateForm(forms.Form):
    rating = forms.ChoiceField(label="您的评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见（选填）", required=False, max_length=500)


class ReopenForm(forms.Form):
    note = forms.CharField(label="哪里还没有解决", widget=forms.Textarea(attrs={"rows": 3}))
