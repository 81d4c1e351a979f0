"""The shared fields of web.forms: an organization's code and a choice of a record."""

from django import forms

from dangjian.web.forms import org_code_field, pick_field, text_field


class _Form(forms.Form):
    org = org_code_field(required="请填写考核范围的组织编码")
    previous = pick_field("上一次", invalid="所选的上一次考核无效")
    note = text_field("说明", max_length=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"].choices = [("", "（无）"), (7, "2025 年度")]


def test_org_code_is_trimmed_and_checked():
    form = _Form({"org": "  BA001 ", "previous": "7"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"org": "BA001", "previous": 7, "note": ""}
    assert _Form({"org": "BA-001"}).errors["org"] == ["组织编码只能由字母和数字组成"]
    assert _Form({}).errors["org"] == ["请填写考核范围的组织编码"]
    # too long: only the length is named, not the letters
    assert len(_Form({"org": "A-" * 20}).errors["org"]) == 1


def test_pick_is_optional_and_checked():
    form = _Form({"org": "B1"})
    assert form.is_valid()
    assert form.cleaned_data["previous"] is None
    assert _Form({"org": "B1", "previous": "8"}).errors["previous"] == ["所选的上一次考核无效"]
