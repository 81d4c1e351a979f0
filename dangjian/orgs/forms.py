"""Forms of the organization pages. They only parse input; the rules are checked by the
services (:mod:`dangjian.orgs.services`), whose Chinese messages are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.labels import years_text
from dangjian.web.forms import date_field

from .services import ElectionDelayInput, max_delay_years


class ElectionDelayForm(forms.Form):
    """An approved delay of the current term's election (延期换届, 选举条例 art. 3)."""

    approved_by = forms.CharField(
        label="批准机关",
        max_length=200,
        error_messages={"required": "请填写批准延期的上级党组织"},
        help_text="批准延期换届的上级党组织",
    )
    approved_on = date_field("批准日期")
    new_deadline = date_field("延期后换届截止日期")
    decision_no = forms.CharField(label="批准文号", max_length=100, required=False)
    reason = forms.CharField(label="延期原因", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the longest delay is SETUP-TERM-EXPIRED's max_delay_years in force
        years = max_delay_years()
        self.fields["new_deadline"].help_text = f"最迟为原届满日期后{years_text(years)}"

    def delay_input(self) -> ElectionDelayInput:
        data = self.cleaned_data
        return ElectionDelayInput(
            approved_by=data["approved_by"].strip(),
            approved_on=data["approved_on"],
            new_deadline=data["new_deadline"],
            decision_no=data.get("decision_no", "").strip(),
            reason=data.get("reason", "").strip(),
        )
