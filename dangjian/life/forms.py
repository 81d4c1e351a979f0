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

from .choices import AbsenceReason, MeetingType
from .services import MINUTES_MAX, TOPIC_MAX, AttendanceInput, MeetingInput

REASON_CHOICES = [("", "缺席原因")] + [(v, v) for v in AbsenceReason.values]


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
    take_attendance = forms.BooleanField(
        label="登记出席情况（勾选出席的党员，缺席的选择原因）", required=False, initial=True
    )
    expected = forms.IntegerField(label="应到人数", required=False, min_value=0, max_value=100000)
    present = forms.IntegerField(label="实到人数", required=False, min_value=0, max_value=100000)
    minutes = forms.CharField(
        label="会议记录（可选）",
        required=False,
        max_length=MINUTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, org_type: str, roll: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roll = roll
        self.fields["meeting_type"].choices = type_choices(org_type)  # type: ignore[attr-defined]
        if org_type == OrgType.GROUP:
            self.fields["meeting_type"].initial = MeetingType.GROUP.value
        for member in roll:
            self.fields[f"present_{member.pk}"] = forms.BooleanField(
                label=member.name, required=False, initial=True
            )
            self.fields[f"reason_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name}缺席原因",
                choices=REASON_CHOICES,
                required=False,
                error_messages={"invalid_choice": "缺席原因无效"},
            )

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("meeting_type", "held_on", "topic")]

    def roll_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "member": m,
                "present": self[f"present_{m.pk}"],
                "reason": self[f"reason_{m.pk}"],
            }
            for m in self.roll
        ]

    def attendance(self) -> list[AttendanceInput] | None:
        """The attendance as typed, or ``None`` when not taken (or the roll is empty)."""
        data = self.cleaned_data
        if not self.roll or not data.get("take_attendance"):
            return None
        rows = []
        for member in self.roll:
            present = bool(data.get(f"present_{member.pk}"))
            reason = "" if present else (data.get(f"reason_{member.pk}") or "")
            rows.append(AttendanceInput(member.pk, present, reason))
        return rows

    def meeting_input(self, org: Organization) -> MeetingInput:
        """The service input for ``org``; typed head counts only when no attendance was taken."""
        data = self.cleaned_data
        attendance = self.attendance()
        return MeetingInput(
            org=org,
            meeting_type=data["meeting_type"],
            held_on=data["held_on"],
            topic=data["topic"],
            minutes=data.get("minutes") or "",
            attendance=attendance,
            expected=None if attendance is not None else data.get("expected"),
            present=None if attendance is not None else data.get("present"),
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
        from dangjian.exchange.forms import max_upload_bytes, too_large_message
        from dangjian.exchange.readers import ReadError, file_kind

        upload = self.cleaned_data["file"]
        try:
            file_kind(upload.name or "")
        except ReadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if upload.size is not None and upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message(upload.size))
        return upload
