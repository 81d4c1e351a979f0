"""Forms of the rectification pages: they parse input; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.web.forms import date_field, pick_field, text_field

from .choices import PlanReason, WeakCondition
from .rules import condition_label
from .services import NOTE_MAX, OWNER_MAX, TEXT_MAX, WHAT_MAX, TaskInput

#: initial task rows on the "new plan" form (more can be added on the plan page)
NEW_PLAN_TASKS = 3


class TaskForm(forms.Form):
    what = forms.CharField(
        label="整改任务（干什么）",
        max_length=WHAT_MAX,
        error_messages={"required": "请填写整改任务（干什么）"},
    )
    how = text_field("整改措施（怎么干）", max_length=TEXT_MAX)
    owner = forms.CharField(
        label="责任人（谁来干，填岗位或姓名）",
        max_length=OWNER_MAX,
        error_messages={"required": "请填写责任人或责任岗位（谁来干）"},
    )
    deadline = date_field("完成时限（何时完成）")

    def task_input(self) -> TaskInput:
        d = self.cleaned_data
        return TaskInput(what=d["what"], owner=d["owner"], deadline=d["deadline"], how=d["how"])


class OptionalTaskForm(TaskForm):
    """A task row of the new-plan form: all empty means "no task here"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in ("what", "how", "owner", "deadline"))


class PlanForm(forms.Form):
    reason = forms.ChoiceField(
        label="整改原因",
        choices=PlanReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择整改原因", "invalid_choice": "整改原因无效"},
    )
    conditions = forms.MultipleChoiceField(
        label="软弱涣散认定情形（系统识别的已勾选并附依据）",
        choices=WeakCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "认定情形“%(value)s”无效"},
    )
    campaign = pick_field("所依据的考核", invalid="所选考核无效")
    summary = text_field("问题概述", max_length=TEXT_MAX)

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "（不关联考核）"), *campaigns]
        self.fields["campaign"].choices = choices  # type: ignore[attr-defined]
        self.fields["conditions"].choices = [  # type: ignore[attr-defined]
            (code, condition_label(code)) for code in WeakCondition.values
        ]


class ProgressForm(forms.Form):
    on = date_field("日期")
    text = forms.CharField(
        label="进展情况",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写进展情况"},
    )


class ReportForm(forms.Form):
    text = text_field("完成情况（可选）", max_length=TEXT_MAX, rows=2)


class ReviewForm(forms.Form):
    note = text_field("审核意见（退回时必填）", max_length=NOTE_MAX, rows=2)
