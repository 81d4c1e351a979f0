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


class GridForm(forms.Form):
    """A grid's fields as the staff page edits them; :func:`dangjian.service.services.grid_create`
    and ``grid_update`` check them (the workers offered are those who may take orders there)."""

    name = forms.CharField(label="网格名称", max_length=50, required=False)
    area = forms.CharField(
        label="所属片区（选填）",
        max_length=50,
        required=False,
        help_text="同一片区的网格组成片区，村里调不了的工单可上报片区",
    )
    households = forms.IntegerField(
        label="户数", min_value=0, max_value=1_000_000, required=False, initial=0
    )
    workers = forms.MultipleChoiceField(
        label="网格员", choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    boundary_text = forms.CharField(
        label="网格范围（选填，GeoJSON）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=(
            "粘贴 GeoJSON 多边形，或在下面上传 GeoJSON 文件；留空则不设范围（修改时保持不变）"
        ),
    )
    boundary_file = forms.FileField(label="或上传 GeoJSON 文件", required=False)
    clear_boundary = forms.BooleanField(label="清除已有范围", required=False)

    def __init__(self, *args: object, workers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["workers"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = workers


class GridDeactivateForm(forms.Form):
    note = forms.CharField(label="停用原因（选填）", max_length=1000, required=False)
