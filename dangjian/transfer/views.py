"""组织关系转接 pages: the lists (转出、转入、在途、超期), a transfer in three taps, one transfer
with its actions, the letter PDF, the upper level's overview (chart of transfers in transit by
organization) and the import/export of transfers.

Reads go through :mod:`.selectors` with ``request.user`` (outside the scope: 404); writes through
:mod:`.services`, whose Chinese messages are shown on the page (nothing written on a refusal).
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, require, restrict
from dangjian.core.downloads import file_response
from dangjian.core.errors import error_text
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.web.helpers import BadInput, form_page, page, paginate
from dangjian.web.pages import form_saved
from dangjian.web.requests import SignedInRequest

from . import selectors as sel
from .choices import OPEN_STATES, TransferState
from .exchange import export_transfers, import_transfers
from .forms import DateForm, ImportForm, ReasonForm, ReceiptForm, TransferForm
from .letter import letter_pdf
from .services import (
    TransferInput,
    letter_read,
    transfer_accept,
    transfer_cancel,
    transfer_issue,
    transfer_receipt,
    transfer_refuse,
    transfer_request,
)

VIEWS = {"out": "转出", "in": "转入", "transit": "在途", "overdue": "超期"}
#: members offered on the three-taps page (a branch's roll; an upper level names one)
MEMBER_CHOICES_MAX = 1000


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """转出 / 转入 / 在途 / 超期: the transfers of the user's subtree, one list at a time."""
    require(request.user, Perm.MEMBER_VIEW)
    which = request.GET.get("view", "out")
    if which not in VIEWS:
        raise BadInput(f"列表“{which[:20]}”无效")
    today = timezone.localdate()
    every = sel.transfers_for(request.user)
    items = {
        "out": sel.transfers_out(request.user),
        "in": sel.transfers_in(request.user),
        "transit": sel.in_transit(every),
        "overdue": sel.overdue(every, today),
    }[which]
    return render(
        request,
        "transfer/index.html",
        {
            "page": paginate(request, items.order_by("-requested_on", "-pk")),
            "which": which,
            "views": VIEWS,
            "counts": sel.counts(every, today),
            "today": today,
            "can_change": can(request.user, Perm.MEMBER_CHANGE),
        },
    )


def _member_choices(request: SignedInRequest) -> list[tuple[int, str]]:
    members = restrict(
        Member.objects.select_related("org"), request.user, Perm.MEMBER_CHANGE, "org__path"
    ).exclude(transfers__state__in=sorted(OPEN_STATES))
    wanted = request.GET.get("member", "").strip()
    if wanted:
        if not wanted.isdigit() or len(wanted) > 12:
            raise BadInput("党员参数无效")
        members = members.filter(pk=int(wanted))
    return [
        (m.pk, f"{m.name}（{m.org.name}）")
        for m in members.order_by("org__path", "name")[:MEMBER_CHOICES_MAX]
    ]


@page("GET", "POST")
def new(request: SignedInRequest) -> HttpResponse:
    """三步办理: choose the member, the receiving organization, the reason — the letter is
    issued on submitting (the member is then in transit)."""
    require(request.user, Perm.MEMBER_CHANGE)
    form = TransferForm(request.POST or None)
    form.fields["member"].choices = _member_choices(request)  # type: ignore[attr-defined]

    def save(data: dict[str, Any]) -> Any:
        member = restrict(
            Member.objects.select_related("org"), request.user, Perm.MEMBER_CHANGE, "org__path"
        ).get(pk=data["member"])
        to_org = None
        code = data["to_code"].strip()
        if code:
            to_org = Organization.objects.filter(code=code).first()
            if to_org is None:
                raise ValidationError({"to_code": [f"党组织编码“{code}”不存在"]})
        return transfer_request(
            actor=request.user,
            data=TransferInput(
                member=member,
                requested_on=data["requested_on"],
                reason=data["reason"],
                to_org=to_org,
                to_name=data["to_name"],
                note=data["note"],
            ),
            issue=True,
        )

    if request.method == "POST":
        saved = form_saved(
            request,
            form,
            save,
            lambda t: f"已开具组织关系介绍信 {t.letter_no}，{t.member_name}转接在途",
            rename={"to_org": "to_code", "state": "__all__"},
        )
        if saved is not None:
            return redirect("transfer:detail", pk=saved.value.pk)
    return form_page(request, "transfer/new.html", {"form": form})


@page("GET")
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One transfer with both ends and the actions the user may take on it."""
    require(request.user, Perm.MEMBER_VIEW)
    t = sel.transfer_get(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "transfer/detail.html",
        {
            "t": t,
            "today": today,
            "overdue": t.state == TransferState.IN_TRANSIT and t.due_on and t.due_on < today,
            "sender": sel.can_send(request.user, t),
            "receiver": sel.can_receive(request.user, t),
            "date_form": DateForm(),
            "reason_form": ReasonForm(),
            "receipt_form": ReceiptForm(),
        },
    )


ACTIONS = {"issue", "accept", "refuse", "cancel", "receipt"}


@page("POST")
def act(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """开具介绍信、接收、退回、撤销、登记回执 (POST); a refusal is shown on the transfer's page."""
    require(request.user, Perm.MEMBER_CHANGE)
    if action not in ACTIONS:
        raise BadInput("操作无效")
    t = sel.transfer_get(request.user, pk)
    form_class = {"refuse": ReasonForm, "cancel": ReasonForm, "receipt": ReceiptForm}.get(
        action, DateForm
    )
    form = form_class(request.POST)
    if not form.is_valid():
        raise BadInput("；".join(str(e) for errs in form.errors.values() for e in errs))
    data = form.cleaned_data
    user = request.user
    try:
        if action == "issue":
            transfer_issue(actor=user, transfer=t, issued_on=data["on"])
            done = "已开具介绍信"
        elif action == "accept":
            transfer_accept(actor=user, transfer=t, accepted_on=data["on"])
            done = f"已接收{t.member_name}的组织关系"
        elif action == "refuse":
            transfer_refuse(actor=user, transfer=t, refused_on=data["on"], reason=data["reason"])
            done = "已退回"
        elif action == "cancel":
            transfer_cancel(actor=user, transfer=t, cancelled_on=data["on"], reason=data["reason"])
            done = "已撤销"
        else:
            transfer_receipt(
                actor=user, transfer=t, received_on=data["on"], receipt_no=data["receipt_no"]
            )
            done = "已登记回执"
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("transfer:detail", pk=t.pk)
    messages.success(request, done)
    return redirect("transfer:detail", pk=t.pk)


@page("GET")
def letter(request: SignedInRequest, pk: int) -> HttpResponse:
    """The letter PDF (an issued transfer; the download is audited)."""
    require(request.user, Perm.MEMBER_VIEW)
    t = sel.transfer_get(request.user, pk)
    if not t.letter_no:
        raise BadInput("尚未开具介绍信")
    letter_read(actor=request.user, transfer=t)
    return file_response(
        letter_pdf(t),
        filename=f"组织关系介绍信-{t.letter_no}.pdf",
        ascii_name=f"letter-{t.letter_no}.pdf",
        content_type="application/pdf",
    )


@page("GET")
def overview(request: SignedInRequest) -> HttpResponse:
    """The upper level's view: transfers in transit by organization (chart) and the overdue."""
    require(request.user, Perm.MEMBER_VIEW)
    today = timezone.localdate()
    rows = sel.in_transit_by_org(request.user, today)
    every = sel.transfers_for(request.user)
    chart = {
        "labels": [r["org"] for r in rows],
        "in_transit": [r["in_transit"] for r in rows],
        "overdue": [r["overdue"] for r in rows],
    }
    return render(
        request,
        "transfer/overview.html",
        {
            "rows": rows,
            "chart": chart,
            "page": paginate(request, sel.overdue(every, today)),
            "counts": sel.counts(every, today),
            "today": today,
        },
    )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@page("GET")
def export(request: SignedInRequest, fmt: str) -> HttpResponse:
    """The transfers the user sees as .csv or .xlsx (ID numbers masked)."""
    require(request.user, Perm.MEMBER_VIEW)
    if fmt not in CONTENT_TYPES:
        raise BadInput("格式应为 csv 或 xlsx")
    buf = io.BytesIO()
    export_transfers(f"transfers.{fmt}", sel.transfers_for(request.user), into=buf)
    return file_response(
        buf.getvalue(),
        filename=f"组织关系转接.{fmt}",
        ascii_name=f"transfers.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@page("GET", "POST")
def import_page(request: SignedInRequest) -> HttpResponse:
    """Import transfers from a file, all or nothing, with the report of every problem."""
    require(request.user, Perm.MEMBER_CHANGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "上传文件"
        if not name.lower().endswith((".csv", ".xlsx")):
            form.add_error("file", "文件应为 .xlsx 或 .csv")
        else:
            report = import_transfers(
                upload, actor=request.user, dry_run=form.cleaned_data["dry_run"], file_label=name
            )
            if report.ok and not report.dry_run:
                messages.success(request, report.summary())
                return redirect(reverse("transfer:index") + "?view=out")
    status = 400 if request.method == "POST" and (report is None or not report.ok) else 200
    return render(request, "transfer/import.html", {"form": form, "report": report}, status=status)
