"""Attachments: photos or scans of signed paper records (meeting minutes, recruitment
documents…), one mechanism for every app that keeps them.

- :class:`AttachmentBase`: the abstract model (name, type, size, SHA-256, the bytes, who and
  when); an app's model adds the foreign key to what it belongs to (``HOLDER``) and its own
  fields (``AUDIT_FIELDS`` are written to the audit trail too).
- :class:`AttachmentPolicy`: how many per holder and how a nameless file is called.
- :func:`attachment_add` / :func:`attachment_remove`: store or delete one, checked by
  :mod:`dangjian.core.uploads`, audited on the holder. The app's service checks the permission
  and locks the holder first.
- :class:`AttachmentUploadForm`: the ``files`` of an upload form (at least one, none over the size
  limit, before any is read); a subclass adds its fields.
- :func:`attachment_response`: the download (``Content-Disposition`` with the Chinese name).

Attachments live in the database, so they are backed up and access-checked like the record
they belong to; they are served only through views that check the actor's scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponse

from . import uploads
from .audit import Actor, AuditAction, AuditSubject, audit_about
from .downloads import file_response
from .models import user_link


class AttachmentBase(models.Model):
    """The stored file; a concrete model adds the ``ForeignKey`` named by ``HOLDER``."""

    #: the field naming what the attachment belongs to ("meeting", "case")
    HOLDER: ClassVar[str] = ""
    #: further fields written to the audit trail with name, size and digest
    AUDIT_FIELDS: ClassVar[tuple[str, ...]] = ()

    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.BinaryField("内容")
    uploaded_by = user_link("上传人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def audit_facts(self) -> dict[str, Any]:
        """What the audit trail keeps of this file."""
        facts: dict[str, Any] = {"attachment": self.pk}
        facts.update({name: getattr(self, name) for name in self.AUDIT_FIELDS})
        facts.update({"name": self.name, "size": self.size, "sha256": self.sha256})
        return facts


@dataclass(frozen=True)
class AttachmentPolicy:
    """``max_count`` files per holder (``per`` names it: "每条记录"); a nameless file is
    ``default_name``; ``clean_images``: images are decoded and stored without their metadata
    (:func:`dangjian.core.uploads.clean_image`); ``allow_video``: short MP4/QuickTime clips are
    accepted too (up to :data:`dangjian.core.uploads.MAX_VIDEO_BYTES`)."""

    default_name: str
    max_count: int
    per: str
    clean_images: bool = False
    allow_video: bool = False


def attachment_add(
    model: type[AttachmentBase],
    *,
    actor: Actor,
    action: AuditAction,
    subject: AuditSubject,
    policy: AttachmentPolicy,
    name: str,
    data: bytes,
    fields: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Any:
    """Check and store one file of ``subject.obj`` (with ``fields``), audited; raises
    ``ValidationError`` with ``errors`` and the file's problems (field ``file``). Runs inside the
    caller's transaction, after its permission check."""
    problems_by_field = dict(errors or {})
    upload, problems = uploads.check_upload(
        name,
        data,
        default_name=policy.default_name,
        existing=model._default_manager.filter(**{model.HOLDER: subject.obj}).count(),
        max_count=policy.max_count,
        per=policy.per,
        clean_images=policy.clean_images,
        allow_video=policy.allow_video,
    )
    if problems:
        problems_by_field["file"] = problems
    if problems_by_field or upload is None:
        raise ValidationError(problems_by_field)
    item = model._default_manager.create(
        **{model.HOLDER: subject.obj},
        **(fields or {}),
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        data=upload.data,
        uploaded_by=cast(Any, actor) if getattr(actor, "pk", None) else None,
    )
    audit_about(actor, action, subject, after=item.audit_facts())
    return item


def attachment_remove(
    *, actor: Actor, action: AuditAction, subject: AuditSubject, attachment: AttachmentBase
) -> None:
    """Delete ``attachment``, audited with its name and digest (after the caller's checks)."""
    before = attachment.audit_facts()
    attachment.delete()
    audit_about(actor, action, subject, before=before)


def attachment_read_audited(
    *, actor: Actor, action: AuditAction, subject: AuditSubject, attachment: AttachmentBase
) -> bytes:
    """The bytes of ``attachment``, the read audited (for documents with personal data)."""
    audit_about(
        actor,
        action,
        subject,
        after={"attachment": attachment.pk, "name": attachment.name, "sha256": attachment.sha256},
    )
    return bytes(attachment.data)


def attachments_add_all(files: Iterable[Any], add: Callable[[str, bytes], Any]) -> list[Any]:
    """Store every uploaded file by ``add(name, data)`` (an app's service), all or none."""
    with transaction.atomic():
        return [add(upload.name or "", upload.read()) for upload in files]


class AttachmentUploadForm(forms.Form):
    """An upload of attachments: the files come as ``files`` (multiple, at least one, none
    declaring more than the size limit — refused before any is read); bind it with
    ``files=request.FILES``."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        files = self.uploaded
        if not files:
            raise ValidationError("请选择要上传的文件")
        try:
            uploads.refuse_oversized(files)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return cleaned

    @property
    def uploaded(self) -> list[Any]:
        return list(self.files.getlist("files")) if self.files else []


def attachment_response(
    attachment: AttachmentBase, data: bytes | None = None, *, digest: bool = False
) -> HttpResponse:
    """The download of ``attachment`` (``data`` when already read, e.g. by an audited read);
    ``digest`` adds its SHA-256 (``Digest`` header, for API clients)."""
    body = bytes(attachment.data) if data is None else data
    response = file_response(body, filename=attachment.name, content_type=attachment.content_type)
    if digest:
        response["Digest"] = f"sha-256={attachment.sha256}"
    return response
