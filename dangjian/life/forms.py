"""The "记录会议" form: type, date, topic, attendance from the roll, minutes.

The form only parses input; every rule (dates, roll, types) is checked by
:func:`dangjian.life.services.meeting_validate`, whose messages are put back on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.members.models import Member
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.web.forms import ChineseDateField

from .choices import COMBINABLE_TYPES, AbsenceReason, LecturerRole, MeetingType
from .services import MINUTES_MAX, NOTE_MAX, TOPIC_MAX, AttendanceInput, MeetingInput

REASON_CHOICES = [("", "缺席原因"), *AbsenceReason.choices]


def type_choices(org_type: str) -> list[tuple[str, str]]:
    """The meeting types an organization of ``org_type`` records (党小组: only 党小组会)."""
    if org_type == OrgType.GROUP:
        return [(MeetingType.GROUP.value, MeetingType.GROUP.label)]
    return [(v, v) for v in MeetingType.values if v != MeetingType.GROUP]


class MeetingForm(forms.Form):
    meeting_type = forms.ChoiceField(
        label="会议类型", error_messages={"required": "请选择会议类型"}
    )
    held_on = ChineseDateField(
        label="日期",
        error_messages={"required": "请填写会议日期"},
        # ISO in the value: a date input shows nothing for a localized "2026/11/23"
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    topic = forms.CharField(
        label="主题", max_length=TOPIC_MAX, error_messages={"required": "请填写主题"}
    )
    also_counts_as = forms.MultipleChoiceField(
        label="同时计为（一次会议同时作为其他会议时勾选，每种各计 1 次）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "同时计为的类型“%(value)s”无效"},
        help_text="如支部党员大会同时作为本月主题党日，组织生活会上同时开展民主评议党员",
    )
    previous_year = forms.BooleanField(
        label="计入上一年度（次年年初召开的上年度组织生活会、民主评议党员、谈心谈话，上级党委书记讲的上年度党课）",
        required=False,
    )
    take_attendance = forms.BooleanField(
        label="登记出席情况（勾选出席的党员，缺席的选择原因）", required=False, initial=True
    )
    expected = forms.IntegerField(label="应到人数", required=False, min_value=0, max_value=100000)
    present = forms.IntegerField(label="实到人数", required=False, min_value=0, max_value=100000)
    lecturer_choice = forms.ChoiceField(
        label="讲课人（党课填写）",
        required=False,
        error_messages={"invalid_choice": "讲课人无效，请从列表中选择"},
        help_text="上级党委书记来讲党课时选择该党委，计入该党委书记每年讲党课的要求",
    )
    minutes = forms.CharField(
        label="会议记录（可选）",
        required=False,
        max_length=MINUTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self,
        *args: Any,
        org_type: str,
        roll: list[Member],
        committees: list[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: a 临时党支部 ticks who took part among the members of the organizations it serves
        #: (nobody by default); a branch ticks its roll (everybody present by default)
        self.temporary = org_type == OrgType.TEMP_BRANCH
        self.roll = roll
        self.committees = {c.pk: c for c in committees or []}
        self.roll_by_pk = {m.pk: m for m in roll}
        choices: list[tuple[str, str]] = [
            ("", "（非党课不填）"),
            ("self", LecturerRole.ORG_SECRETARY.label),
        ]
        choices += [(f"upper:{c.pk}", f"上级党委书记（{c.name}）") for c in committees or []]
        choices += [(f"member:{m.pk}", f"党员：{m.name}") for m in roll]
        choices.append(("other", "其他"))
        self.fields["lecturer_choice"].choices = choices  # type: ignore[attr-defined]
        self.fields["meeting_type"].choices = type_choices(org_type)  # type: ignore[attr-defined]
        also = self.fields["also_counts_as"]
        also.choices = [  # type: ignore[attr-defined]
            (v, v) for v in MeetingType.values if v in COMBINABLE_TYPES
        ]
        if org_type == OrgType.GROUP:
            self.fields["meeting_type"].initial = MeetingType.GROUP.value
            del self.fields["also_counts_as"]
            del self.fields["previous_year"]
        for member in roll:
            self.fields[f"present_{member.pk}"] = forms.BooleanField(
                label=member.name, required=False, initial=not self.temporary
            )
            self.fields[f"reason_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name}缺席原因",
                choices=REASON_CHOICES,
                required=False,
                error_messages={"invalid_choice": "缺席原因无效"},
            )
            self.fields[f"note_{member.pk}"] = forms.CharField(
                label=f"{member.name}请假事由或说明",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.TextInput(attrs={"placeholder": "请假事由（请假时必填）"}),
            )

    @staticmethod
    def lecturer_value(meeting: Any) -> str:
        """The ``lecturer_choice`` value of a recorded meeting (edit form)."""
        if meeting.lecturer_role == LecturerRole.UPPER_SECRETARY and meeting.lecturer_org_id:
            return f"upper:{meeting.lecturer_org_id}"
        if meeting.lecturer_role == LecturerRole.ORG_SECRETARY:
            return "self"
        if meeting.lecturer_id:
            return f"member:{meeting.lecturer_id}"
        return "other" if meeting.lecturer_role == LecturerRole.OTHER else ""

    def lecturer(self) -> tuple[str, Organization | None, Member | None]:
        """(lecturer role, upper committee, member of the roll) as chosen."""
        value = self.cleaned_data.get("lecturer_choice") or ""
        kind, _sep, pk = value.partition(":")
        if kind == "self":
            return LecturerRole.ORG_SECRETARY.value, None, None
        if kind == "upper":
            return LecturerRole.UPPER_SECRETARY.value, self.committees.get(int(pk)), None
        if kind == "member":
            return LecturerRole.OTHER.value, None, self.roll_by_pk.get(int(pk))
        if kind == "other":
            return LecturerRole.OTHER.value, None, None
        return "", None, None

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("meeting_type", "held_on", "topic")]

    def type_fields(self) -> list[Any]:
        """同时计为 and 所属年度 (a 党小组会 has neither)."""
        return [self[n] for n in ("also_counts_as", "previous_year") if n in self.fields]

    def roll_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "member": m,
                "present": self[f"present_{m.pk}"],
                "reason": self[f"reason_{m.pk}"],
                "note": self[f"note_{m.pk}"],
            }
            for m in self.roll
        ]

    def attendance(self) -> list[AttendanceInput] | None:
        """The attendance as typed, or ``None`` when not taken (or the roll is empty). A
        临时党支部 records those ticked present and those given an absence reason."""
        data = self.cleaned_data
        if not self.roll or not data.get("take_attendance"):
            return None
        rows = []
        for member in self.roll:
            present = bool(data.get(f"present_{member.pk}"))
            reason = "" if present else (data.get(f"reason_{member.pk}") or "")
            note = "" if present else (data.get(f"note_{member.pk}") or "").strip()
            if self.temporary and not present and not reason:
                continue
            rows.append(AttendanceInput(member.pk, present, reason, note))
        return rows

    def meeting_input(self, org: Organization) -> MeetingInput:
        """The service input for ``org``; typed head counts only when no attendance was taken."""
        data = self.cleaned_data
        attendance = self.attendance()
        role, upper, lecturer = self.lecturer()
        return MeetingInput(
            org=org,
            meeting_type=data["meeting_type"],
            held_on=data["held_on"],
            also_counts_as=list(data.get("also_counts_as") or []),
            year=data["held_on"].year - 1 if data.get("previous_year") else None,
            topic=data["topic"],
            minutes=data.get("minutes") or "",
            attendance=attendance,
            expected=None if attendance is not None else data.get("expected"),
            present=None if attendance is not None else data.get("present"),
            lecturer_role=role,
            lecturer_org=upper,
            lecturer=lecturer,
        )


class MeetingImportForm(forms.Form):
    """Upload of a meetings file (formats.md); the size and type are checked before parsing."""

    file = forms.FileField(
        label="文件（.xlsx 或 UTF-8 编码的 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "请选择文件"},
    )
    dry_run = forms.BooleanField(label="只检查，不写入（试运行）", required=False)

    def clean_file(self) -> Any:
        from dangjian.exchange.forms import checked_table_file

        return checked_table_file(self.cleaned_data["file"])
