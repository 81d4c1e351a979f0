"""The import and export page. Thin: permissions here, the work in importers and exporters.

An upload is checked for size before its body is parsed (the view is CSRF-exempt only so that
the size check can run first; the inner view is CSRF-protected), read where Django holds it (in
memory, or an anonymous temporary file: ``core.uploads``), and imported all-or-nothing as the
logged-in user within their scope. Exports are written in memory.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can
from dangjian.core.downloads import file_response
from dangjian.web.requests import SignedInRequest

from .exporters import ExportError, export_members, export_orgs
from .forms import ImportForm, limit_label, max_upload_bytes, too_large_message
from .importers import ImportReport, import_members, import_orgs

#: kind → (label, permission to import, permission to export)
KINDS = {
    "orgs": ("组织", Perm.ORG_CHANGE, Perm.ORG_VIEW),
    "members": ("党员", Perm.MEMBER_CHANGE, Perm.MEMBER_VIEW_PII),
}
FORMATS = ("xlsx", "csv")
#: multipart framing and the other form fields around the file
_ENVELOPE = 64 * 1024


def _page(
    request: SignedInRequest,
    form: ImportForm,
    *,
    report: ImportReport | None = None,
    error: str = "",
    export_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    exports = [
        (kind, label, FORMATS) for kind, (label, _, perm) in KINDS.items() if can(user, perm)
    ]
    imports = _import_kinds(request)
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "error": error,
        "export_error": export_error,
        "exports": exports,
        "imports": imports,
        "limit_mb": limit_label(),
    }
    return render(request, "exchange/index.html", context, status=status)


def _import_kinds(request: SignedInRequest) -> list[str]:
    return [kind for kind, (_, perm, _) in KINDS.items() if can(request.user, perm)]


@csrf_exempt
@login_required
def index(request: SignedInRequest) -> HttpResponse:
    """Upload page; refuses an oversized body before anything reads it."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + _ENVELOPE:
            # drain nothing, parse nothing: the body is never read
            return _page(
                request,
                ImportForm(kinds=_import_kinds(request)),
                error=too_large_message(length),
                status=413,
            )
    return _index(request)


@csrf_protect
def _index(request: SignedInRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ImportForm(kinds=_import_kinds(request)))
    kind = request.POST.get("kind", "")
    if kind in KINDS and not can(request.user, KINDS[kind][1]):
        raise PermissionDenied(f"没有导入{KINDS[kind][0]}的权限")
    form = ImportForm(request.POST, request.FILES, kinds=_import_kinds(request))
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    label = _safe_name(upload.name)
    importer = import_orgs if form.cleaned_data["kind"] == "orgs" else import_members
    # read where Django holds the upload (memory, or an anonymous temporary file): no named copy
    try:
        report = importer(
            upload, actor=request.user, dry_run=form.cleaned_data["dry_run"], file_label=label
        )
    finally:
        upload.close()
    return _page(
        request, ImportForm(initial={"kind": kind}, kinds=_import_kinds(request)), report=report
    )


def _safe_name(name: str | None) -> str:
    """The uploaded file's base name, as shown in the report (no directories, no odd characters)."""
    base = Path(name or "upload").name
    return re.sub(r"[\x00-\x1f/\\]", "_", base)[:120] or "upload"


@require_POST
@login_required
def export(request: SignedInRequest, kind: str, fmt: str) -> HttpResponse:
    """Download the user's own subtree (POST: a member export is an audited view of PII)."""
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404("未知的导出类型")
    label, _, perm = KINDS[kind]
    if not can(request.user, perm):
        raise PermissionDenied(f"没有导出{label}的权限")
    org = getattr(request.user, "org", None)
    scope = org.code if org is not None else "全部"
    title = "党员名册" if kind == "members" else "组织名册"
    name = f"{title}-{scope}-{timezone.localdate():%Y%m%d}.{fmt}"
    exporter = export_orgs if kind == "orgs" else export_members
    buffer = io.BytesIO()  # written in memory: no file of full ID numbers on disk
    try:
        exporter(name, actor=request.user, into=buffer)
    except ExportError as exc:
        form = ImportForm(kinds=_import_kinds(request))
        return _page(request, form, export_error=str(exc), status=400)
    content = buffer.getvalue()
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = file_response(content, filename=name, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
