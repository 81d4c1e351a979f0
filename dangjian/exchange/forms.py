"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .readers import ReadError, file_kind

KIND_CHOICES = [("orgs", "组织"), ("members", "党员")]


def max_upload_bytes() -> int:
    """Upload limit: ``DANGJIAN_MAX_UPLOAD_MB`` (default 20) or ``DANGJIAN_MAX_UPLOAD_BYTES``."""
    megabytes = getattr(settings, "DANGJIAN_MAX_UPLOAD_MB", None)
    if megabytes is not None:
        return int(float(megabytes) * 1024 * 1024)
    return int(getattr(settings, "DANGJIAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def too_large_message(size: int) -> str:
    return (
        f"文件过大（{size / 1024 / 1024:.1f} MB），上传上限为 {limit_label()} MB；请拆分后分批导入"
    )


def limit_label() -> str:
    """The upload limit in MB, for people (``20``, ``0.5``)."""
    return f"{round(max_upload_bytes() / 1024 / 1024, 2):g}"


def check_upload(upload: UploadedFile) -> UploadedFile:
    """``upload`` when it is an .xlsx or .csv file within the upload limit, else the form's
    ``ValidationError`` saying why (for every form that takes a table file)."""
    try:
        file_kind(upload.name or "")
    except ReadError as exc:
        raise forms.ValidationError(str(exc)) from exc
    if upload.size is not None and upload.size > max_upload_bytes():
        raise forms.ValidationError(too_large_message(upload.size))
    return upload


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=KIND_CHOICES, initial="members")
    file = forms.FileField(
        label="文件（.xlsx 或 UTF-8 编码的 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(label="只检查，不写入（试运行）", required=False)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, label) for k, label in KIND_CHOICES if k in kinds]

    def clean_file(self) -> Any:
        return check_upload(self.cleaned_data["file"])
