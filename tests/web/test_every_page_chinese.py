"""Every page, as every demo role, shows Chinese: no English words, evidence keys, internal codes
or bare rule ids in what the user reads (rule ids only as a tag beside a Chinese title).

A small demo district (the demo seeders at their ``tiny`` size, seed 42, on the suite's day) is
walked as each demo account and as an anonymous visitor (the login and public survey pages).
Every named route of the URL resolver is either walked — with parameters taken from the data
the role can see — or declared below with the reason it is not; a new route that is neither
makes the test fail. Exports (台账, 发展党员记录, 通报, 名册) are downloaded and their text read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.orgs.choices import BRANCH_TYPES
from dangjian.orgs.models import Organization
from dangjian.rules.registry import rule_titles
from dangjian.web.forms import AUDIT_ACTION_GROUPS
from tests.web.visible import CJK, file_text, offences, visible_text

ROLES = ["zzb_admin", "dw_admin", "zb_shuji", "ducha", "xitong", "anquan", "shenji", ""]

#: routes that are not pages and are not fetched, with the reason
OPEN311 = "Open311 GeoReport v2: a machine interface whose names the spec fixes (tests/open311)"
NOT_WALKED: dict[str, str] = {
    "logout": "POST only; ends the session the walk needs",
    "life:attachment": "sends the uploaded file back as it was uploaded (no page)",
    "recruit:attachment": "sends the uploaded file back as it was uploaded (no page)",
    "service:photo": "sends the uploaded photo back as it was uploaded (no page)",
    "inspection:media": "sends the uploaded photo or clip back as it was uploaded (no page)",
    "review:file": "sends a report's file back as it was uploaded (no page)",
    "open311:discovery": OPEN311,
    "open311:services": OPEN311,
    "open311:service": OPEN311,
    "open311:requests": OPEN311,
    "open311:request": OPEN311,
    "open311:token": OPEN311,
    "open311:unknown": OPEN311,
}
#: POST-only actions (writes): a GET must answer 405, and nothing is shown but a redirect
ACTIONS = {
    "web:member_reveal",
    "web:member_status",
    "web:participant_add",
    "web:participant_end",
    "web:election_delay",
    "recruit:extension",
    "web:user_roles",
    "web:user_unlock",
    "web:role_grant_decide",
    "life:meeting_delete",
    "life:attachment_upload",
    "life:attachment_delete",
    "recruit:withdraw",
    "recruit:notice",
    "recruit:review",
    "recruit:approver",
    "recruit:decide",
    "recruit:attachment_upload",
    "recruit:attachment_delete",
    "assess:veto_withdraw",
    "assess:campaign_action",
    "assess:campaign_pick",
    "survey:codes_add",
    "rectify:task_new",
    "rectify:progress",
    "rectify:report",
    "rectify:review",
    "service:phone",
    "service:decide",
    "service:work",
    "service:grid_deactivate",
    "service:team_action",
    "service:double_report_action",
    "service:need_order",
    "service:visit_done",
    "service:department_action",
    "notify:open",
    "notify:read_all",
    "notify:contact",
    "members:post_term_end",
    "training:course_action",
    "service:photo_delete",
    "transfer:act",
    "care:help",
    "care:visit",
    "care:close",
    "dues:pay",
    "dues:import",
    "mobile:member_action",
    "dues:bases_carry",
    "liangxin:assign",
    "liangxin:end",
    "liangxin:visit",
    "liangxin:close",
    "liangxin:reopen",
    "inspection:publish",
    "inspection:finding_task",
    "inspection:finding_revisit",
    "exemplar:name",
    "exemplar:review",
    "exemplar:revoke",
    "exemplar:evidence",
    "exemplar:evidence_delete",
    "review:new",
    "review:submit",
    "review:attach",
    "review:problems",
    "review:grade",
}
#: exports made by a POST (audited): fetched with a POST, their file read
POST_EXPORTS = {"life:ledger_file", "recruit:export", "exchange:export"}


def route_names() -> dict[str, str]:
    """Every named route outside the API (a machine interface with documented JSON keys) →
    its pattern."""
    out: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
                walk(item, prefix + str(item.pattern), ns)
            elif isinstance(item, URLPattern) and item.name:
                out[namespace + item.name] = prefix + str(item.pattern)

    walk(get_resolver(), "", "")
    return {name: p for name, p in out.items() if not name.startswith("api:")}


@dataclass
class Data:
    """Real objects the role can see, to fill the routes' parameters."""

    user: User | None
    org: Organization  # the account's organization (the district root for anonymous)
    branch: Organization  # a branch in scope with setup findings, meetings and cases
    meeting: Any
    case: Any
    cases: list[Any]  # one case of each status in scope
    campaigns: list[Any]
    campaign_org: Organization | None
    survey: Any
    plan: Any
    task: Any
    grid: Any = None  # a service grid in scope, and one order of each state
    orders: list[Any] = field(default_factory=list)


def _service_pks(model: str, inside: str, d: Any) -> list[dict[str, int]]:
    """A team or 双报到 registration in the role's subtree, else the first of all (a 404)."""
    from django.apps import apps

    qs = apps.get_model("service", model).objects.order_by("pk")
    item = qs.filter(**{inside: d.org.path}).first() or qs.first()
    return [{"pk": item.pk}] if item is not None else []


def _first(qs: Any) -> Any:
    return qs.order_by("pk").first()


def data_for(user: User | None) -> Data:
    from dangjian.assess.models import Campaign, CampaignOrg
    from dangjian.life.models import Meeting
    from dangjian.recruit.models import RecruitCase
    from dangjian.rectify.models import RectificationPlan, RectificationTask
    from dangjian.survey.models import Survey

    root = Organization.objects.get(depth=1)
    org = user.org if user and user.org else root
    secretary = User.objects.get(username="zb_shuji").org
    assert secretary is not None
    below = Organization.objects.filter(path__startswith=org.path)
    branch = (
        secretary
        if secretary.path.startswith(org.path)
        else _first(below.filter(org_type__in=BRANCH_TYPES, members__isnull=False).distinct())
    )
    inside = {"org__path__startswith": org.path}
    case = (
        RecruitCase.objects.filter(**inside).exclude(steps=None).order_by("-pk").first()
        or RecruitCase.objects.order_by("-pk").first()
    )
    from dangjian.accounts.scope import SYSTEM
    from dangjian.rules.runner import findings_for

    flawed = {
        f.subject
        for f in findings_for(SYSTEM, rules="RECRUIT", org_code=org.code)
        if f.severity == "error"
    }
    with_findings = (
        RecruitCase.objects.filter(case_no__in=flawed).order_by("pk").first() if flawed else None
    )
    by_status: dict[str, Any] = {}
    for item in RecruitCase.objects.filter(**inside).order_by("-pk"):
        by_status.setdefault(item.status, item)
    from dangjian.service.models import Grid, Order

    orders: dict[str, Any] = {}
    for order in Order.objects.filter(**inside).order_by("-pk"):
        orders.setdefault(order.state, order)
    campaigns = list(Campaign.objects.order_by("pk"))
    campaign_org = (
        CampaignOrg.objects.filter(campaign=campaigns[-1], **inside)
        .select_related("org")
        .order_by("pk")
        .first()
        if campaigns
        else None
    )
    return Data(
        user=user,
        org=org,
        branch=branch,
        meeting=_first(Meeting.objects.filter(org=branch))
        or _first(Meeting.objects.filter(**inside)),
        case=with_findings or case,
        cases=list(by_status.values()) or [case],
        campaigns=campaigns,
        campaign_org=campaign_org.org if campaign_org else branch,
        survey=_first(Survey.objects.filter(**inside)) or _first(Survey.objects.all()),
        plan=_first(RectificationPlan.objects.filter(**inside))
        or _first(RectificationPlan.objects.all()),
        task=_first(RectificationTask.objects.filter(plan__org__path__startswith=org.path))
        or _first(RectificationTask.objects.all()),
        grid=_first(Grid.objects.filter(**inside)) or _first(Grid.objects.all()),
        orders=list(orders.values()) or [_first(Order.objects.all())],
    )


Fill = Callable[[Data], list[dict[str, Any]]]

FILL: dict[str, Fill] = {
    "web:tree_children": lambda d: [{"code": d.org.code}],
    "web:org": lambda d: [{"code": d.org.code}, {"code": d.branch.code}],
    "web:member": lambda d: [{"pk": d.branch.members.order_by("pk").first().pk}],
    "web:member_edit": lambda d: [{"pk": d.branch.members.order_by("pk").first().pk}],
    "web:member_new": lambda d: [{"code": d.branch.code}],
    "life:todo": lambda d: [{"code": d.branch.code}],
    "life:meetings": lambda d: [{"code": d.branch.code}],
    "life:record": lambda d: [{"code": d.branch.code}],
    "life:ledger": lambda d: [{"code": d.branch.code}],
    "life:attendance": lambda d: [{"code": d.branch.code}],
    "life:ledger_file": lambda d: [
        {"code": d.branch.code, "fmt": f} for f in ("xlsx", "docx", "pdf")
    ],
    "life:meeting": lambda d: [{"pk": d.meeting.pk}],
    "life:meeting_edit": lambda d: [{"pk": d.meeting.pk}],
    "recruit:branch": lambda d: [{"code": d.case.org.code}],
    "recruit:open": lambda d: [{"code": d.case.org.code}],
    "recruit:case": lambda d: [{"pk": c.pk} for c in d.cases],
    "recruit:edit": lambda d: [{"pk": d.case.pk}],
    "recruit:step": lambda d: [
        {"pk": d.case.pk, "number": n}
        for n in sorted({s.number for s in d.case.steps.all()} | {1})[-2:]
    ],
    "recruit:export": lambda d: [{"pk": d.case.pk, "fmt": f} for f in ("docx", "pdf")],
    "assess:campaign": lambda d: [{"pk": c.pk} for c in d.campaigns],
    "assess:campaign_score_status": lambda d: [{"pk": d.campaigns[-1].pk}],
    "assess:self_check": lambda d: [{"pk": d.campaigns[-1].pk, "code": d.campaign_org.code}],
    "assess:spot_check": lambda d: [{"pk": d.campaigns[-1].pk, "code": d.campaign_org.code}],
    "assess:results": lambda d: [{"pk": c.pk} for c in d.campaigns],
    "assess:result": lambda d: [{"pk": c.pk, "code": d.campaign_org.code} for c in d.campaigns],
    "assess:bulletin": lambda d: [{"pk": d.campaigns[0].pk}],
    "assess:bulletin_file": lambda d: [
        {"pk": d.campaigns[0].pk, "fmt": f} for f in ("xlsx", "pdf")
    ],
    "survey:answer": lambda d: [{"token": d.survey.token}],
    "survey:thanks": lambda d: [{"token": d.survey.token}],
    "survey:org": lambda d: [{"code": d.branch.code}],
    "survey:open": lambda d: [{"code": d.branch.code}],
    "survey:detail": lambda d: [{"pk": d.survey.pk}],
    "survey:print": lambda d: [{"pk": d.survey.pk}],
    "rectify:plan_new": lambda d: [{"code": d.plan.org.code}],
    "rectify:plan": lambda d: [{"pk": d.plan.pk}],
    "rectify:task_edit": lambda d: [{"pk": d.task.pk}],
    "service:submit": lambda d: [{"token": d.grid.token}],
    "service:track": lambda d: [{"code": o.tracking_code} for o in d.orders],
    "service:order": lambda d: [{"pk": o.pk} for o in d.orders],
    "service:grid_edit": lambda d: [{"pk": d.grid.pk}],
    "service:grid_qr": lambda d: [{"pk": d.grid.pk}],
    "service:team": lambda d: _service_pks("VolunteerTeam", "org__path__startswith", d),
    "service:double_report": lambda d: _service_pks(
        "DoubleReport", "community__path__startswith", d
    ),
    "service:refer": lambda d: [{"pk": o.pk} for o in d.orders],
    "service:department": lambda d: _service_pks("Department", "org__path__startswith", d),
    "service:visit": lambda d: [{"pk": pk} for pk in _visits(d)],
    "service:stats_file": lambda d: [{"fmt": f} for f in ("xlsx", "pdf")],
    "exchange:export": lambda d: [
        {"kind": k, "fmt": f} for k in ("orgs", "members") for f in ("xlsx", "csv")
    ],
    "members:timeline": lambda d: [{"pk": d.branch.members.order_by("pk").first().pk}],
    "members:org_posts": lambda d: [{"code": d.org.code}, {"code": d.branch.code}],
    "members:roll_on": lambda d: [{"code": d.branch.code}],
    "training:course": lambda d: _training_courses(d),
    "training:course_export": lambda d: _training_courses(d),
    "transfer:detail": lambda d: _transfers(d, letter=False),
    "transfer:letter": lambda d: _transfers(d, letter=True),
    "transfer:export": lambda d: [{"fmt": f} for f in ("xlsx", "csv")],
    "care:hardship": lambda d: [{"pk": pk} for pk in _care_entries(d)],
    "dues:month": lambda d: [{"code": d.branch.code}],
    "dues:ledger": lambda d: [
        {"code": d.branch.code, "year": 2026, "fmt": f} for f in ("xlsx", "pdf")
    ],
    "mobile:member": lambda d: [{"pk": pk} for pk in _mobile_members(d, lost=True)],
    "mobile:card": lambda d: [{"pk": pk} for pk in _mobile_members(d)],
    "dues:bases": lambda d: [{"code": d.branch.code}],
    "dues:exemptions": lambda d: [{"code": d.branch.code}],
    "dues:remittances": lambda d: [{"code": d.org.code}, {"code": d.branch.code}],
    "liangxin:unit": lambda d: _liangxin_units(d),
    "liangxin:edit": lambda d: _liangxin_units(d),
    "inspection:plan": lambda d: _inspection_plans(d),
    "inspection:visit_new": lambda d: _inspection_plans(d),
    "inspection:visit": lambda d: _inspection_visits(d),
    "exemplar:detail": lambda d: _exemplars(d),
    "exemplar:edit": lambda d: _exemplars(d),
    "exemplar:public_detail": lambda d: _exemplars(d, named=True),
    "review:campaign": lambda d: _review(d, "campaign_id"),
    "review:results_file": lambda d: _review(d, "campaign_id"),
    "review:results_pdf": lambda d: _review(d, "campaign_id"),
    "review:report": lambda d: _review(d, "pk"),
    "review:rate": lambda d: _review(d, "pk"),
    "review:meeting": lambda d: _review(d, "pk"),
}


def _liangxin_units(d: Data) -> list[dict[str, Any]]:
    """A 两新 unit with a party organization and a 空白点 of the account's subtree."""
    from dangjian.liangxin.models import Unit

    inside = Unit.objects.filter(org__path__startswith=d.org.path).order_by("pk")
    pks = [
        *inside.filter(party_org__isnull=False).values_list("pk", flat=True)[:1],
        *inside.filter(assignments__isnull=True, party_org__isnull=True).values_list(
            "pk", flat=True
        )[:1],
    ]
    return [{"pk": pk} for pk in pks] or [{"pk": 1}]


def _inspection_plans(d: Data) -> list[dict[str, Any]]:
    """Every demo inspection plan (a 督查, a published and a running 暗访: the pages answer 404
    or hide the results to those who may not read them)."""
    from dangjian.inspection.models import InspectionPlan

    return [{"pk": pk} for pk in InspectionPlan.objects.order_by("pk").values_list("pk", flat=True)]


def _inspection_visits(d: Data) -> list[dict[str, Any]]:
    """The first visit of each demo inspection plan."""
    from dangjian.inspection.models import Visit

    firsts: dict[int, int] = {}
    for pk, plan in Visit.objects.order_by("pk").values_list("pk", "plan_id"):
        firsts.setdefault(plan, pk)
    return [{"pk": pk} for pk in firsts.values()]


def _exemplars(d: Data, *, named: bool = False) -> list[dict[str, Any]]:
    """The examples (典型) of the account's subtree, or the named ones (the public pages)."""
    from dangjian.exemplar.models import Exemplar

    qs = Exemplar.objects.filter(org__path__startswith=d.org.path)
    if named:
        qs = Exemplar.objects.filter(status="命名")
    return [{"pk": pk} for pk in qs.order_by("pk").values_list("pk", flat=True)[:3]] or [{"pk": 1}]


def _training_courses(d: Data) -> list[dict[str, Any]]:
    """Two training courses (the demo's first)."""
    from dangjian.training.models import Course

    return [{"pk": pk} for pk in Course.objects.order_by("pk").values_list("pk", flat=True)[:2]]


def _transfers(d: Data, *, letter: bool) -> list[dict[str, Any]]:
    """Transfers of the account's subtree, one per state (any, for anonymous)."""
    from django.db.models import Q

    from dangjian.transfer.models import Transfer

    qs = Transfer.objects.filter(
        Q(from_org__path__startswith=d.org.path) | Q(to_org__path__startswith=d.org.path)
    )
    if letter:
        qs = qs.exclude(letter_no="")
    first = {}
    for pk, state in qs.order_by("pk").values_list("pk", "state"):
        first.setdefault(state, pk)
    return [{"pk": pk} for pk in first.values()] or [{"pk": 1}]


def _care_entries(d: Data) -> list[int]:
    """An open and a closed entry of the hardship register of the account's subtree (the pages
    answer 404 to those who may not read them: the upper levels)."""
    from dangjian.care.models import Hardship

    inside = Hardship.objects.filter(org__path__startswith=d.org.path).order_by("pk")
    open_ = inside.filter(until__isnull=True).values_list("pk", flat=True)[:1]
    closed = Hardship.objects.filter(until__isnull=False).values_list("pk", flat=True)[:1]
    return [*open_, *closed]


def _review(d: Data, key: str) -> list[dict[str, int]]:
    """The 述职评议 of a report of the account's subtree (its campaign, with ``campaign_id``),
    else the first of all (a 404 for those who may not read it)."""
    from dangjian.review.models import Report

    inside = Report.objects.filter(org__path__startswith=d.org.path).order_by("org__path")
    report = inside.first() or Report.objects.order_by("pk").first()
    return [{"pk": getattr(report, key)}] if report is not None else [{"pk": 1}]


def _mobile_members(d: Data, *, lost: bool = False) -> list[int]:
    """A member away (and, with ``lost``, a member lost) of the account's subtree."""
    from dangjian.mobile.models import LostContact, Outflow

    inside = {"member__org__path__startswith": d.org.path}
    away = Outflow.objects.filter(returned_on__isnull=True, **inside).order_by("pk")
    pks = list(away.values_list("member_id", flat=True)[:1])
    if lost:
        gone = LostContact.objects.filter(found_on__isnull=True, **inside).order_by("pk")
        pks += list(gone.values_list("member_id", flat=True)[:1])
    return pks


def _visits(d: Data) -> list[int]:
    """A 敲门行动 visit of the account's subtree (any, for anonymous)."""
    from dangjian.service.models import Visit

    return list(
        Visit.objects.filter(org__path__startswith=d.org.path).values_list("pk", flat=True)[:2]
    )


#: more views of a page than its bare URL: filters that change what it shows
QUERIES: dict[str, Callable[[Data], list[str]]] = {
    "web:findings": lambda d: ["", f"?org={d.branch.code}"],
    "web:tree": lambda d: ["", "?q=党支部"],
    "web:password_reset": lambda d: ["", "?username=zb_shuji"],
    "life:overview_missed": lambda d: ["", "?rule=LIFE-ASSEMBLY-QUARTERLY"],
    "web:audit": lambda d: ["", *(f"?action={prefix}" for prefix, _ in AUDIT_ACTION_GROUPS)],
    "members:roll_on": lambda d: ["", "?on=2025-06-30"],
    "training:index": lambda d: ["", "?year=2025", f"?org={d.branch.code}"],
    "training:members": lambda d: ["", f"?org={d.branch.code}"],
    "care:index": lambda d: ["", "?closed=1"],
    "exemplar:index": lambda d: ["", "?status=命名", "?sector=农村"],
}


def test_every_route_is_walked_or_declared() -> None:
    """A new route must be given parameters here or declared with the reason it is not walked."""
    missing = []
    for name, pattern in route_names().items():
        if name in NOT_WALKED or name in ACTIONS:
            continue
        if "<" in pattern and name not in FILL:
            missing.append(f"{name} ({pattern})")
        if name in POST_EXPORTS and name not in FILL:
            missing.append(f"{name} ({pattern})")
    assert not missing, "routes neither walked nor declared: " + ", ".join(missing)
    stale = (set(NOT_WALKED) | ACTIONS | set(FILL) | set(QUERIES)) - set(route_names())
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"


def _seed() -> None:
    """The demo at its tiny size: the roll, then the demo command's whole story."""
    from dangjian.demo.accounts import ensure_demo_accounts
    from dangjian.demo.seed import seed_database
    from dangjian.demo.story import seed_demo_story

    seed_database(tier="tiny", seed=42, progress=False)
    for _ in seed_demo_story(timezone.localdate(), seed=42):
        pass
    ensure_demo_accounts()


def _requests(name: str, pattern: str, data: Data) -> Iterator[tuple[str, str]]:
    """(method, URL) of each fetch of the route for the role."""
    method = "post" if name in POST_EXPORTS else "get"
    kwargs_list = FILL[name](data) if name in FILL else [{}]
    for kwargs in kwargs_list:
        url = reverse(name, kwargs=kwargs)
        queries = QUERIES[name](data) if name in QUERIES else [""]
        for query in queries:
            yield method, url + query


@pytest.mark.django_db
@pytest.mark.slow
def test_every_page_as_every_demo_role_is_chinese(client: Client) -> None:
    _seed()
    # account names are data: the users' and the command-line operators' in the audit trail
    names = set(User.objects.values_list("username", flat=True))
    names |= {
        actor.split(":", 1)[1]
        for actor in AuditEntry.objects.filter(actor_name__startswith="命令行:")
        .values_list("actor_name", flat=True)
        .distinct()
    }
    # a service order's tracking code is data too (read out to the resident over the phone)
    from dangjian.service.models import Order

    names |= set(Order.objects.values_list("tracking_code", flat=True))
    # a 两新 unit's 统一社会信用代码 is data too
    from dangjian.liangxin.models import Unit

    names |= set(Unit.objects.values_list("uscc", flat=True))
    titles = rule_titles()
    routes = route_names()
    report: list[str] = []
    files_read: set[str] = set()
    fetched = 0
    for username in ROLES:
        client.logout()
        user = User.objects.get(username=username) if username else None
        if user is not None:
            client.force_login(user)
        data = data_for(user)
        for name, pattern in routes.items():
            if name in NOT_WALKED or name in ACTIONS:
                continue
            for method, url in _requests(name, pattern, data):
                if url in files_read:
                    continue  # a file reads the same for every role that may download it
                response = getattr(client, method)(url)
                fetched += 1
                status = response.status_code
                where = f"[{username or '匿名'}] {method.upper()} {url} ({status})"
                if status >= 500:
                    report.append(f"{where}: server error")
                    continue
                if status in (301, 302):
                    continue
                content_type = response.get("Content-Type", "")
                body = b"".join(response) if response.streaming else response.content
                if "html" in content_type:
                    pieces = visible_text(body.decode("utf-8"))
                else:
                    files_read.add(url)
                    pieces = file_text(body, content_type)
                    if not any(CJK.search(p.text) for p in pieces):
                        report.append(f"{where}: no readable Chinese text in the file")
                report += [
                    f"{where}: {o}" for o in offences(pieces, names=names, rule_titles=titles)
                ]
        # the actions really are POST only (a GET changes nothing and shows nothing)
        if user is not None:
            for name in ACTIONS:
                url = reverse(name, kwargs=_dummy(routes[name]))
                assert client.get(url).status_code in (403, 404, 405), (username, name)
    assert fetched > 300 and len(files_read) >= 8
    assert not report, f"{len(report)} English words or codes on pages:\n" + "\n".join(report)


def _dummy(pattern: str) -> dict[str, Any]:
    import re

    out: dict[str, Any] = {}
    for conv, key in re.findall(r"<(?:(\w+):)?(\w+)>", pattern):
        out[key] = 1 if conv == "int" else "x"
    return out
