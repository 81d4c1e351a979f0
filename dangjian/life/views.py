"""组织生活 pages: record a meeting, a branch's to-do list, its records.

Reads go through the scoped selectors with ``request.user``: an organization or record outside
the user's subtree is a 404, a missing permission a 403. Writes go through the services.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.attachments import AttachmentUploadForm, attachment_response, attachments_add_all
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.orgs.choices import BRANCH_TYPES, OrgType, Sector
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import breadcrumb, org_get, orgs_for
from dangjian.rules.registry import Finding, rule_title
from dangjian.web.cached import page_findings
from dangjian.web.helpers import (
    BadInput,
    form_page,
    page,
    paginate,
    query_without,
    year_param,
)
from dangjian.web.pages import form_saved, org_page
from dangjian.web.requests import SignedInRequest

from .choices import SECRETARY_LECTURE_ORG_TYPES, AbsenceReason, MeetingType
from .compliance import compliance_cached, missed_cached
from .forms import MeetingForm, MeetingImportForm
from .ledger import export_ledger, ledger_build
from .rules import FREQUENCY_RULES, carry_months
from .rules.hints import formalism_hints
from .selectors import RECORD_READ, meeting_get, meeting_list, participation
from .services import (
    ATTACHMENT_MAX_BYTES,
    attachment_add,
    attachment_delete,
    meeting_delete,
    meeting_record,
    meeting_update,
    roll,
    upper_committees,
)

LIFE_TYPES = (*BRANCH_TYPES, OrgType.GROUP)
#: the organization types the overview filters on (党委 / 党工委: LIFE-SECRETARY-LECTURE-YEARLY)
OVERVIEW_TYPES = (*LIFE_TYPES, *sorted(SECRETARY_LECTURE_ORG_TYPES))

T = TypeVar("T")


def _life_org(request: SignedInRequest, code: str, perm: Perm = Perm.ORG_VIEW) -> Organization:
    require(request.user, perm)
    org = org_get(request.user, code, perm=perm)
    if org.org_type not in LIFE_TYPES:
        raise BadInput(f"{org.name}是{org.org_type}，组织生活记录在党支部或党小组")
    return org


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The user's own branch goes straight to its to-do list; others pick a branch."""
    require(request.user, RECORD_READ)
    own = getattr(request.user, "org", None)
    if own is not None and own.org_type in LIFE_TYPES:
        return redirect("life:todo", own.code)
    branches = (
        orgs_for(request.user, Perm.ORG_VIEW)
        .filter(org_type__in=list(BRANCH_TYPES))
        .order_by("path")
    )
    query = request.GET.get("q", "").strip()[:50]
    if query:
        branches = branches.filter(name__icontains=query) | branches.filter(code__istartswith=query)
    return render(
        request,
        "life/index.html",
        {
            "page": paginate(request, branches),
            "q": query,
            "query": query_without(request, "page"),
            "own_lectures": _own_lectures(request.user, own),
        },
    )


def _own_lectures(user: Any, own: Organization | None) -> dict[str, Any] | None:
    """For a 党委 / 党工委 user: this year's 党课 given by its secretary
    (LIFE-SECRETARY-LECTURE-YEARLY), one count over the indexed lecturer column."""
    if own is None or own.org_type not in SECRETARY_LECTURE_ORG_TYPES:
        return None
    if not covers(user, Perm.FINDING_VIEW, own.path):
        return None
    from dangjian.life.rules import secretary_lecture_progress

    progress = secretary_lecture_progress(own.pk, timezone.localdate())
    return None if progress is None else {"org": own, **progress}


def _split(
    findings: list[Finding], names: dict[str, str] | None = None
) -> dict[str, list[dict[str, object]]]:
    """Findings by severity, each with its rule's title, the period and the organization in
    Chinese: due by deadline, missed newest first."""
    from dangjian.life.rules import period_title

    groups: dict[str, list[Finding]] = {"due": [], "error": [], "warning": []}
    for f in findings:
        groups.setdefault(f.severity, []).append(f)
    groups["due"].sort(key=lambda f: (f.due_date or dt.date.max, f.subject, f.rule))
    groups["error"].sort(key=lambda f: (f.period or "", f.subject, f.rule), reverse=True)
    names = names or {}
    return {
        key: [
            {
                "f": f,
                "title": rule_title(f.rule),
                "period": period_title(f.period or ""),
                "org": names.get(f.subject, f.subject),
            }
            for f in items
        ]
        for key, items in groups.items()
    }


def _names_below(user: Any, org: Organization) -> dict[str, str]:
    """Code → name of the organization and its 党小组 (the subjects of its findings)."""
    rows = orgs_for(user, Perm.ORG_VIEW).filter(path__startswith=org.path)
    return dict(rows.values_list("code", "name")[:500])


@page("GET")
def todo(request: SignedInRequest, code: str) -> HttpResponse:
    """待办: what each LIFE rule still requires this month, quarter, year, and what was missed."""
    from dangjian.life.rules import NOT_FOR_TEMPORARY, period_title

    org = _life_org(request, code)
    require(request.user, Perm.FINDING_VIEW, org.path)
    today = timezone.localdate()
    # this year's periods; in January (and in the months a yearly meeting may still count for
    # the year before) also the year before's last quarter: what was due a minute before
    # midnight on New Year's Day is missed, not forgotten
    since = dt.date(today.year, 1, 1)
    if today.month <= max(1, carry_months(MeetingType.values)):
        since = dt.date(today.year - 1, 10, 1)
    found = page_findings(request.user, rules="LIFE", org_code=org.code, at=today, since=since)
    names = _names_below(request.user, org)
    groups = _split(found, names)
    missed: dict[tuple[str, str], list[str]] = {}
    for row in groups["error"]:
        f = row["f"]
        assert isinstance(f, Finding)
        missed.setdefault((str(row["title"]), f.subject), []).append(f.period or "")
    temporary = org.org_type == OrgType.TEMP_BRANCH
    return render(
        request,
        "life/todo.html",
        {
            "org": org,
            "ancestors": breadcrumb(request.user, org),
            "today": today,
            "due": groups["due"],
            "missed": [
                {
                    "title": title,
                    "subject": subject,
                    "org_name": names.get(subject, subject),
                    "periods": [period_title(p) for p in sorted(periods)],
                }
                for (title, subject), periods in sorted(missed.items())
            ],
            "missed_count": len(groups["error"]),
            "warnings": groups["warning"],
            "can_record": covers(request.user, Perm.LIFE_RECORD, org.path),
            "temporary": temporary,
            "not_judged": (
                [{"rule": r, "title": rule_title(r)} for r in NOT_FOR_TEMPORARY]
                if temporary
                else []
            ),
        },
    )


@page("GET")
def meetings(request: SignedInRequest, code: str) -> HttpResponse:
    """The records of a branch (with its 党小组) or of one 党小组, newest first."""
    org = _life_org(request, code, RECORD_READ)
    year = year_param(request)
    meeting_type = request.GET.get("type", "").strip()
    if meeting_type and meeting_type not in MeetingType.values:
        raise BadInput(f"会议类型“{meeting_type[:20]}”无效")
    qs = meeting_list(request.user, org=org, subtree=True, meeting_type=meeting_type, year=year)
    return render(
        request,
        "life/meetings.html",
        org_page(
            request,
            org,
            page=paginate(request, qs),
            query=query_without(request, "page"),
            year=year,
            meeting_type=meeting_type,
            types=MeetingType.values,
            can_record=covers(request.user, Perm.LIFE_RECORD, org.path),
        ),
    )


#: service field → form field, where they differ
FORM_FIELDS = {"year": "previous_year", "lecturer_role": "lecturer_choice"}


def _meeting_form(
    request: SignedInRequest, org: Organization, initial: dict[str, Any]
) -> MeetingForm:
    """The record form of ``org``: attendance ticked from today's roll (for those who may see
    the members), the upper committees to pick a lecturer from."""
    members = (
        roll(org, timezone.localdate(), actor=request.user)
        if can(request.user, Perm.MEMBER_VIEW)
        else []
    )
    return MeetingForm(
        request.POST or None,
        org_type=org.org_type,
        roll=members,
        committees=upper_committees(org),
        initial=initial,
    )


def _record_page(
    request: SignedInRequest, org: Organization, form: MeetingForm, **context: Any
) -> HttpResponse:
    return form_page(request, "life/record.html", org_page(request, org, form=form, **context))


def _recorded(meeting: Any) -> str:
    note = "（录入时间晚于规定期限，已标记为补录）" if meeting.late else ""
    return f"已记录：{meeting}{note}"


@page("GET", "POST")
def record(request: SignedInRequest, code: str) -> HttpResponse:
    """记录会议: one form, attendance ticked from the roll (everyone present by default)."""
    org = _life_org(request, code, Perm.LIFE_RECORD)
    today = timezone.localdate()
    form = _meeting_form(request, org, {"held_on": today, "take_attendance": True})
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda _: meeting_record(actor=request.user, data=form.meeting_input(org)),
        _recorded,
        rename=FORM_FIELDS,
    ):
        return redirect("life:todo", org.code)
    return _record_page(request, org, form, today=today)


@page("GET")
def meeting_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, RECORD_READ)
    meeting = meeting_get(request.user, pk)
    show_members = covers(request.user, Perm.MEMBER_VIEW, meeting.org.path)
    attendance = []
    if show_members and meeting.attendance_taken:
        attendance = list(
            meeting.attendance.select_related("member").order_by("-present", "member__name")
        )
    return render(
        request,
        "life/meeting.html",
        org_page(
            request,
            meeting.org,
            meeting=meeting,
            attendance=attendance,
            show_members=show_members,
            can_delete=covers(request.user, Perm.LIFE_RECORD, meeting.org.path),
            attachments=list(meeting.attachments.defer("data")) if show_members else [],
            max_mb=ATTACHMENT_MAX_BYTES // 1024 // 1024,
        ),
    )


@page("POST")
def meeting_delete_view(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.LIFE_RECORD)
    meeting = meeting_get(request.user, pk, perm=Perm.LIFE_RECORD)
    code = meeting.org.code
    text = str(meeting)
    meeting_delete(actor=request.user, meeting=meeting)
    messages.success(request, f"已删除：{text}")
    return redirect("life:meetings", code)


@page("GET")
def ledger(request: SignedInRequest, code: str) -> HttpResponse:
    """台账: a year's records by month, printable; .xlsx by the button below it."""
    org = _life_org(request, code, RECORD_READ)
    year = year_param(request) or timezone.localdate().year
    book = ledger_build(request.user, org.code, year)
    months = [(m, book.months.get(m, [])) for m in range(1, 13)]
    return render(
        request,
        "life/ledger.html",
        org_page(
            request,
            org,
            ledger=book,
            months=months,
            year=year,
            can_record=covers(request.user, Perm.LIFE_RECORD, org.path),
        ),
    )


LEDGER_FORMATS = ("xlsx", "docx", "pdf")


@page("POST")
def ledger_file(request: SignedInRequest, code: str, fmt: str) -> HttpResponse:
    """The ledger as .xlsx, .docx or .pdf (POST: the export is audited)."""
    if fmt not in LEDGER_FORMATS:
        raise BadInput("台账只能导出为 .xlsx、.docx 或 .pdf")
    org = _life_org(request, code, RECORD_READ)
    year = year_param(request) or timezone.localdate().year
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"ledger.{fmt}"
        export_ledger(path, actor=request.user, code=org.code, year=year)
        data = path.read_bytes()
    return file_response(
        data,
        filename=f"{org.name}-{year}年组织生活台账.{fmt}",
        ascii_name=f"ledger-{org.code}-{year}.{fmt}",
        content_type=MEDIA_TYPES[fmt],
    )


def _initial(meeting: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "meeting_type": meeting.meeting_type,
        "also_counts_as": meeting.also_types,
        "previous_year": meeting.other_year,
        "held_on": meeting.held_on,
        "topic": meeting.topic,
        "minutes": meeting.minutes,
        "expected": meeting.expected,
        "present": meeting.present,
        "take_attendance": meeting.attendance_taken,
        "lecturer_choice": MeetingForm.lecturer_value(meeting),
    }
    for a in meeting.attendance.all():
        initial[f"present_{a.member_id}"] = a.present
        initial[f"reason_{a.member_id}"] = a.reason
        initial[f"note_{a.member_id}"] = a.note
    return initial


@page("GET", "POST")
def meeting_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Correct a record (audited); the entry date stays, the late mark follows the date."""
    require(request.user, Perm.LIFE_RECORD)
    meeting = meeting_get(request.user, pk, perm=Perm.LIFE_RECORD)
    org = meeting.org
    form = _meeting_form(request, org, _initial(meeting))

    def update(_: dict[str, Any]) -> Any:
        item = form.meeting_input(org)
        if item.attendance is None and form.roll:
            # a roll to tick but attendance not taken: the recorded head counts stay
            item.expected, item.present = meeting.expected, meeting.present
        return meeting_update(actor=request.user, meeting=meeting, data=item)

    if request.method == "POST" and (
        saved := form_saved(
            request, form, update, lambda edited: f"已保存修改：{edited}", rename=FORM_FIELDS
        )
    ):
        return redirect("life:meeting", saved.value.pk)
    return _record_page(request, org, form, editing=meeting)


@page("GET")
def attendance(request: SignedInRequest, code: str) -> HttpResponse:
    """出勤: each member's participation over a year (attended / absent per month)."""
    org = _life_org(request, code, Perm.MEMBER_VIEW)
    year = year_param(request) or timezone.localdate().year
    from .rules import good_reasons

    people = participation(request.user, org, year)
    return render(
        request,
        "life/attendance.html",
        {
            "temporary": org.org_type == OrgType.TEMP_BRANCH,
            "good_reasons": [r for r in AbsenceReason.values if r in good_reasons()],
            "org": org,
            "ancestors": breadcrumb(request.user, org),
            "people": people,
            "year": year,
            "month_numbers": range(1, 13),
            "can_record": covers(request.user, Perm.LIFE_RECORD, org.path),
        },
    )


def _overview_params(request: SignedInRequest) -> dict[str, Any]:
    """The filters of the upper levels' pages (organization, sector, region, type, year) for a
    user who may see findings."""
    require(request.user, Perm.FINDING_VIEW)
    code = request.GET.get("org", "").strip()
    if code and (len(code) > 32 or not code.isalnum()):
        raise BadInput("组织编码只能由字母和数字组成")
    sector = request.GET.get("sector", "").strip()
    if sector and sector not in Sector.values:
        raise BadInput(f"领域“{sector[:20]}”无效")
    region = request.GET.get("region", "").strip()
    if region and (not region.isdigit() or len(region) > 12):
        raise BadInput("行政区划代码应为数字（按前缀匹配）")
    org_type = request.GET.get("type", "").strip()
    if org_type and org_type not in OVERVIEW_TYPES:
        raise BadInput(f"组织类别“{org_type[:20]}”无效")
    return {
        "org_code": code or None,
        "sector": sector or None,
        "region": region or None,
        "org_type": org_type or None,
        "year": year_param(request) or timezone.localdate().year,
    }


def _computed(compute: Callable[[], T]) -> T:
    """``compute()``, where a filter it refuses (a year it cannot show) is a 400 page."""
    try:
        return compute()
    except ValueError as exc:
        raise BadInput(str(exc)) from None


@page("GET")
def overview(request: SignedInRequest) -> HttpResponse:
    """Upper levels: how many organizations met each LIFE rule in each period of a year."""
    params = _overview_params(request)
    table = _computed(lambda: compliance_cached(request.user, **params))
    return render(
        request,
        "life/overview.html",
        {
            "table": table,
            "params": params,
            "group_kinds": [("sector", "领域", "sector"), ("region", "地区", "region")],
            "sectors": Sector.values,
            "org_types": [str(t) for t in OVERVIEW_TYPES],
            "query": query_without(request, "rule", "period", "page"),
        },
    )


@page("GET")
def overview_missed(request: SignedInRequest) -> HttpResponse:
    """The organizations that missed one rule in one period (drill-down from the overview)."""
    params = _overview_params(request)
    rule = request.GET.get("rule", "").strip()
    period = request.GET.get("period", "").strip()[:10]
    if rule not in FREQUENCY_RULES:
        raise BadInput("请选择一条组织生活规则")
    rows = _computed(lambda: missed_cached(request.user, rule, period, **params))
    return render(
        request,
        "life/overview_missed.html",
        {
            "rule": rule,
            "title": rule_title(rule),
            "period": period,
            "period_title": _period_title(period),
            "page": paginate(request, rows),
            "params": params,
            "query": query_without(request, "page"),
        },
    )


@page("GET")
def hints(request: SignedInRequest) -> HttpResponse:
    """形式主义线索: copied minutes side by side, end-of-month clustering, identical figures."""
    params = _overview_params(request)
    if not params["org_code"]:
        size = orgs_for(request.user, Perm.FINDING_VIEW).count()
        if size > HINTS_MAX_ORGS:
            return render(
                request,
                "life/hints.html",
                {"params": params, "too_large": size, "rows": [], "query": ""},
            )
    found = formalism_hints(request.user, year=params["year"], org_code=params["org_code"])
    page = paginate(request, found)
    ids: set[int] = set()
    for f in page:
        ids.update(v for k, v in f.evidence.items() if k in ("meeting_id", "other_meeting_id"))
    texts = {m.pk: m for m in meeting_list(request.user).filter(pk__in=ids).select_related("org")}
    subjects = {f.subject for f in page}
    names = dict(
        orgs_for(request.user, Perm.FINDING_VIEW)
        .filter(code__in=subjects)
        .values_list("code", "name")
    )
    rows = [
        {
            "f": f,
            "title": HINT_TITLES.get(f.rule, f.rule),
            "period": _period_title(f.period or ""),
            "org": names.get(f.subject, f.subject),
            "this": texts.get(f.evidence.get("meeting_id", 0)),
            "other": texts.get(f.evidence.get("other_meeting_id", 0)),
        }
        for f in page
    ]
    return render(
        request,
        "life/hints.html",
        {"page": page, "rows": rows, "params": params, "query": query_without(request, "page")},
    )


def _period_title(label: str) -> str:
    from dangjian.life.rules import period_title

    return period_title(label)


#: above this many organizations the hints page asks for a narrower scope (a whole city's
#: near-duplicate scan takes about half a minute: run ``life_hints`` on the command line)
HINTS_MAX_ORGS = 5000

HINT_TITLES = {
    "HINT-COPIED-MINUTES": "会议记录高度相似",
    "HINT-END-OF-PERIOD": "会议集中在月末",
    "HINT-SAME-ATTENDANCE": "出席人数每次相同",
}


@page("POST")
def attachment_upload(request: SignedInRequest, pk: int) -> HttpResponse:
    """Attach photos or PDFs of the signed paper minutes (all files or none)."""
    require(request.user, Perm.LIFE_RECORD)
    meeting = meeting_get(request.user, pk, perm=Perm.LIFE_RECORD)
    form = AttachmentUploadForm(request.POST, request.FILES)
    files = form.uploaded
    try:
        if not form.is_valid():
            raise ValidationError(list(form.non_field_errors()))
        attachments_add_all(
            files,
            lambda name, data: attachment_add(
                actor=request.user, meeting=meeting, name=name, data=data
            ),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("life:meeting", meeting.pk)
    messages.success(request, f"已上传 {len(files)} 个附件")
    return redirect("life:meeting", meeting.pk)


def _attachment(request: SignedInRequest, pk: int, perm: Perm) -> Any:
    from .models import MeetingAttachment

    item = MeetingAttachment.objects.select_related("meeting__org").filter(pk=pk).first()
    if item is None or not covers(request.user, perm, item.meeting.org.path):
        raise Http404("附件不存在或不在您的管辖范围内")
    return item


@page("GET")
def attachment_download(request: SignedInRequest, pk: int) -> HttpResponse:
    """An attachment, for those who may see the branch's member records (it names people)."""
    require(request.user, Perm.MEMBER_VIEW)
    item = _attachment(request, pk, Perm.MEMBER_VIEW)
    return attachment_response(item)


@page("POST")
def attachment_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.LIFE_RECORD)
    item = _attachment(request, pk, Perm.LIFE_RECORD)
    meeting_pk = item.meeting_id
    attachment_delete(actor=request.user, attachment=item)
    messages.success(request, f"已删除附件：{item.name}")
    return redirect("life:meeting", meeting_pk)


@page("GET", "POST")
def import_meetings_view(request: SignedInRequest) -> HttpResponse:
    """导入会议记录: all-or-nothing upload with a per-row report (formats.md columns)."""
    import re as _re

    from .importers import COLUMNS, import_meetings

    require(request.user, Perm.LIFE_RECORD)
    form = MeetingImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            label = _re.sub(r"[\x00-\x1f/\\]", "_", Path(upload.name or "upload").name)[:120]
            try:  # read where Django holds the upload: no named copy on disk
                report = import_meetings(
                    upload,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    file_label=label,
                )
            finally:
                upload.close()
            form = MeetingImportForm()
        else:
            status = 400
    return render(
        request,
        "life/import.html",
        {"form": form, "report": report, "columns": COLUMNS},
        status=status,
    )
