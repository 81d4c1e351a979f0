"""The authorization-matrix harness (in the manner of NetBox's ViewTestCases).

Every route of the URL resolver — pages by URL name, the API by its route name — is declared
once in ``tests/test_authorization.py`` as a :class:`Route`: the permission it needs, the method,
and how to build its URL parameters from the objects of one subtree (:class:`Side`). The
world has the same objects in two subtrees: A (甲镇, the users' own) and B (乙街道, outside).
:func:`check_route` then asks, for the route:

- anonymous → the login page (pages) or 401 with ``WWW-Authenticate: Token`` (API);
- the user with the permission, on subtree B's object → 404 (or, for a list, none of B's text);
- a user of subtree A without the permission → 403 naming that permission in Chinese;
- the user with the permission on subtree A's object → the declared status (and text).

A refused write leaves every table and the audit trail as they were.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import PERM_LABELS, Perm
from dangjian.accounts.scope import SYSTEM, can
from dangjian.core.models import AuditEntry
from tests.factories import make_org, make_user

D = dt.date
PDF = b"%PDF-1.4\n% a scanned application\n%%EOF\n"
#: a valid 1×1 PNG (a photo of a service order's work)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4ISAAAAKMAOl1X4TIAAAAAElFTkSuQmCC"
)


@dataclass
class Side:
    """One subtree's objects: the branch and everything recorded on it."""

    town: Any
    org: Any  # the branch
    member: Any
    meeting: Any
    meeting_file: Any
    case: Any
    case_file: Any
    campaign: Any
    survey: Any
    plan: Any
    task: Any
    veto: Any
    temp: Any  # a 临时党支部 of the town
    participation: Any
    username: str  # an ordinary user of the subtree (a target of the user and security pages)
    grid: Any = None  # a service grid of the branch, and an order on it
    order: Any = None
    grant: Any = None  # a role grant awaiting a 安全管理员's approval, for ``username``
    department: Any = None  # a linked department of the town, and a 敲门行动 visit on the grid
    visit: Any = None
    team: Any = None  # a 红色志愿服务队 of the branch, and a 双报到 registration with the town's
    report: Any = None  # community of a member of the branch
    order_photo: Any = None  # a photo of ``order``'s work


def _side(tree: dict[str, Any], town: str, branch: str, members: str, username: str) -> Side:
    from dangjian.assess.services import CampaignInput, campaign_open, veto_record
    from dangjian.life.services import attachment_add as meeting_attach
    from dangjian.members.services import ParticipationInput, participation_add
    from dangjian.recruit.services import attachment_add as case_attach
    from dangjian.service.services import grid_create, order_submit
    from dangjian.service.teams import double_report_register, team_create
    from dangjian.survey.services import open_surveys
    from tests.life.helpers import meet
    from tests.recruit.helpers import open_case
    from tests.rectify.helpers import weak_plan

    org, members_ = tree[branch], tree[members]
    meeting = meet(org, "支部党员大会", D(2026, 3, 10))
    case = open_case(org, D(2025, 1, 5))
    campaign = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name=f"2026 年度{tree[town].name}五好党支部考核",
            standard_key="wuhao",
            root=tree[town],
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            spot_share=1,
            sampling_seed=7,
        ),
    )
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[org],
        key=f"authz:{org.code}",
        title="2026 年度三率测评",
        opens_on=D(2026, 11, 18),
        closes_on=D(2026, 11, 28),
    )
    plan = weak_plan(org, tasks=1)
    temp = make_org(tree[town], org_type="临时党支部", sector="农村", founded_on=D(2026, 6, 1))
    side = Side(
        town=tree[town],
        org=org,
        member=members_[0],
        meeting=meeting,
        meeting_file=meeting_attach(actor=SYSTEM, meeting=meeting, name="记录.pdf", data=PDF),
        case=case,
        case_file=case_attach(actor=SYSTEM, case=case, name="申请书.pdf", data=PDF, step=1),
        campaign=campaign,
        survey=survey,
        plan=plan,
        task=plan.tasks.order_by("pk").first(),
        veto=veto_record(
            actor=SYSTEM, org=org, occurred_on=D(2026, 6, 3), line="disciplined", note="警告处分"
        ),
        temp=temp,
        participation=participation_add(
            actor=SYSTEM,
            data=ParticipationInput(org=temp, member=members_[1], started_on=D(2026, 6, 10)),
        ),
        username=username,
        grid=(grid := grid_create(actor=SYSTEM, org=org, name="第一网格")),
        order=order_submit(
            grid=grid, category="roads", description="路灯不亮已经一周", phone="13800001111"
        ),
        **_linked_objects(tree, town, grid),
        team=team_create(actor=SYSTEM, org=org, name=f"{org.name}红色志愿服务队"),
        report=double_report_register(
            actor=SYSTEM,
            member=members_[-1],
            community=make_org(tree[town], org_type="党支部", sector="社区"),
            registered_on=D(2026, 3, 1),
        ),
    )
    side.order_photo = _order_photo(side.order)
    return side


def _order_photo(order: Any) -> Any:
    """A photo stored on ``order`` through the shared attachment mechanism."""
    from dangjian.core.attachments import AttachmentPolicy, attachment_add
    from dangjian.core.audit import AuditAction, AuditSubject
    from dangjian.service.models import OrderAttachment

    return attachment_add(
        OrderAttachment,
        actor=SYSTEM,
        action=AuditAction.SERVICE_ORDER_PHOTO_ADD,
        subject=AuditSubject("service_order", order, order.org.path, "服务工单"),
        policy=AttachmentPolicy("照片", 9, "每张工单"),
        name="现场.png",
        data=PNG,
    )


def _linked_objects(tree: dict[str, Any], town: str, grid: Any) -> dict[str, Any]:
    """A linked department of the town and a 敲门行动 visit on ``grid`` (with one need)."""
    from dangjian.service.linked import department_create, visit_record

    org = tree[town]
    return {
        "department": department_create(
            actor=SYSTEM, org=org, name=f"{org.name}派出所", kind="police"
        ),
        "visit": visit_record(
            actor=SYSTEM,
            grid=grid,
            household=f"户{grid.org.code}",
            visited_on=D(2026, 3, 10),
            needs=[("门前排水沟堵塞", "roads")],
            visitors=[tree[f"admin_{town[-1]}"]],
            follow_up_due=D(2026, 3, 20),
            today=D(2026, 11, 1),
        ),
    }


def build_world(tree: dict[str, Any]) -> dict[str, Any]:
    """The ``tree`` with the three separated administrators bound to town A (so a user of the
    other subtree exists for their pages too) and the same objects in subtree A and B."""
    for code in ("sys_admin", "security_admin", "audit_admin"):
        key = {"sys_admin": "sysadmin_a", "security_admin": "secadmin_a"}.get(code, "auditor_a")
        tree[key] = make_user(tree["town_a"], code, username=key)
    tree["A"] = _side(tree, "town_a", "branch_a", "members_a", "inspector_a")
    tree["B"] = _side(tree, "town_b", "branch_b", "members_b", "admin_b")
    for side, role in ((tree["A"], "branch_secretary"), (tree["B"], "org_admin")):
        side.grant = RoleGrant.objects.create(
            user=User.objects.get(username=side.username),
            role=role,
            requested_by=tree["sysadmin"],
            requested_at=timezone.now(),
        )
    return tree


# --- declarations -------------------------------------------------------------------------------

Kwargs = Callable[[Side], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """How to call one route and what each kind of user gets.

    ``perm`` is the permission the route needs (``None``: public, or any logged-in user).
    ``kwargs(side)`` builds the URL parameters from a subtree's objects; a route without
    parameters is a list, and ``hidden(B)`` is a text of subtree B its user must not see.
    ``allowed``/``without`` name users of ``tree``; by default the holder of ``perm`` in town A
    and the first user of subtree A lacking it.
    """

    name: str
    perm: Perm | None
    method: str = "get"
    kwargs: Kwargs | None = None
    query: str | Callable[[Side], str] = ""  # a callable query names an object too
    data: Callable[[Side], dict[str, Any]] | None = None
    ok: int = 200
    ok_text: str = ""
    outside: int = 404  # the allowed user on subtree B's object
    hidden: Callable[[Side], str] | None = None
    anonymous: int | None = None  # default: the login page / 401
    allowed: str = ""
    without: str = ""
    label: str = ""
    refusal: str = ""  # the 403's words when they are not the permission's name
    skip: frozenset[str] = field(default_factory=frozenset)  # checks that do not apply

    @property
    def id(self) -> str:
        return f"{self.name} {self.method.upper()}{' ' + self.label if self.label else ''}"

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def is_write(self) -> bool:
        return self.method not in ("get", "head")

    def url(self, side: Side | None) -> str:
        kwargs = self.kwargs(side) if self.kwargs and side is not None else {}
        query = self.query(side) if callable(self.query) and side is not None else self.query
        return reverse(self.name, kwargs=kwargs) + str(query)

    @property
    def has_object(self) -> bool:
        return self.kwargs is not None or callable(self.query)

    def holder(self) -> str:
        if self.allowed:
            return self.allowed
        return {
            Perm.USER_MANAGE: "sysadmin_a",
            Perm.SECURITY_MANAGE: "secadmin_a",
            Perm.AUDIT_VIEW: "auditor_a",
        }.get(self.perm, "admin_a")  # type: ignore[arg-type]

    def lacker(self, tree: dict[str, Any]) -> str:
        if self.without:
            return self.without
        for key in ("inspector_a", "secretary_a", "sysadmin_a", "secadmin_a", "auditor_a"):
            if not can(tree[key], self.perm):  # type: ignore[arg-type]
                return key
        raise AssertionError(f"no user of subtree A lacks {self.perm}")


# --- the walk of the resolver -------------------------------------------------------------------


def all_routes() -> dict[str, str]:
    """Every named route of the URL resolver (pages and API) → its pattern."""
    out: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
                walk(item, prefix + str(item.pattern), ns)
            elif isinstance(item, URLPattern):
                assert item.name, f"route without a name: {prefix}{item.pattern}"
                out[namespace + item.name] = prefix + str(item.pattern)

    walk(get_resolver(), "", "")
    return out


# --- the check ----------------------------------------------------------------------------------


def state() -> tuple[Any, ...]:
    """The row count of every table of the project and the last audit entry: what a refused
    write must leave as it was."""
    counts = tuple(
        (m._meta.label, m.objects.count())
        for m in apps.get_models()
        if m.__module__.startswith("dangjian.") and not m._meta.proxy
    )
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return counts, last


def _call(client: Any, route: Route, side: Side | None, world: dict[str, Any]) -> Any:
    url = route.url(side)
    data = route.data(side or world["A"]) if route.data else {}
    if route.is_api and route.is_write:
        return getattr(client, route.method)(url, data, format="json")
    if route.is_write:
        return getattr(client, route.method)(url, data)
    return getattr(client, route.method)(url)


def _text(response: Any) -> str:
    body = b"".join(response) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def check_route(route: Route, world: dict[str, Any], login: Any, api: Any) -> None:
    """Anonymous, wrong subtree, right subtree without the permission, with it."""
    from django.urls import reverse as _reverse

    client_for = api if route.is_api else login
    a, b = world["A"], world["B"]

    def refused(who: str | None, side: Side | None, status: int) -> Any:
        client = client_for(who)
        before = state()
        response = _call(client, route, side, world)
        assert response.status_code == status, (who, response.status_code, _text(response)[:500])
        if route.is_write:
            assert state() == before, f"a refused {route.id} by {who} changed the database"
        return response

    # anonymous
    if "anonymous" not in route.skip:
        if route.anonymous is not None:
            refused(None, a, route.anonymous)
        elif route.is_api:
            response = refused(None, a, 401)
            assert response["WWW-Authenticate"] == "Token"
        else:
            response = refused(None, a, 302)
            assert response["Location"].startswith(_reverse("login"))
    if route.perm is None:
        return
    holder = route.holder()
    # the wrong subtree: the holder of the permission asks for subtree B's object
    if "outside" not in route.skip and route.has_object:
        response = refused(holder, b, route.outside)
        if route.is_api and route.outside >= 400:
            assert response.json(), "every refusal says why"
    # the right subtree without the permission
    if "without" not in route.skip:
        response = refused(route.lacker(world), a, 403)
        label = route.refusal or PERM_LABELS[route.perm]
        if route.is_api:
            assert label in str(response.json()), (route.id, response.json())
        else:
            assert label in _text(response), route.id
            assert "无权访问" in _text(response) or route.refusal, route.id
    # with the permission
    client = client_for(holder)
    audits = AuditEntry.objects.count()
    response = _call(client, route, a, world)
    assert response.status_code == route.ok, (route.id, response.status_code, _text(response)[:800])
    if route.ok_text:
        assert route.ok_text in _text(response)
    if route.hidden is not None:
        assert route.hidden(b) not in _text(response), f"{route.id} shows subtree B"
    if route.is_api and route.is_write and route.ok < 300:
        assert AuditEntry.objects.count() > audits, "an accepted write must be audited"


# --- 三员分立: the three administrators and personal data --------------------------------------

#: the three separated administrators of town A (built by :func:`build_world`)
THREE_ADMINS = ("sysadmin_a", "secadmin_a", "auditor_a")


def person_texts(world: dict[str, Any]) -> list[str]:
    """What names a person of either subtree: every member's name, full and masked ID number and
    phone, and the minutes of side A's meeting (which name a member and record who attended)."""
    from dangjian.members.models import Member
    from tests.life.helpers import attend

    a = world["A"]
    first = a.member
    a.meeting.minutes = f"会议由{first.name}主持，讨论了发展对象的培养情况"
    a.meeting.save(update_fields=["minutes"])
    attend(a.meeting, first, True)
    texts: list[str] = []
    for m in Member.objects.all():
        texts += [f"{m.name}（", f">{m.name}<", m.id_number(), m.id_number_masked]
        if m.phone():
            texts.append(m.phone())
    return [*texts, a.meeting.minutes]


def check_admin_refusals(
    who: str, routes: list[Route], world: dict[str, Any], login: Any, api: Any
) -> None:
    """The administrator ``who`` (三员) is refused every route that needs a permission to
    personal data, and nothing it may call shows a person (its own permission excepted: the
    审计管理员 reads the audit trail). A refused write changes nothing."""
    from dangjian.accounts.roles import PERSONAL_DATA_PERMS

    user = world[who]
    held = {p for p in PERSONAL_DATA_PERMS if can(user, p)}
    texts = person_texts(world)
    for route in routes:
        client = (api if route.is_api else login)(who)
        before = state()
        response = _call(client, route, world["A"], world)
        if route.perm in PERSONAL_DATA_PERMS and route.perm not in held:
            assert response.status_code == 403, (who, route.id, response.status_code)
            if route.is_write:
                assert state() == before, f"a refused {route.id} by {who} changed the database"
            continue
        if route.perm in held or route.is_write:
            continue
        body = _text(response)
        shown = [t for t in texts if t in body]
        assert not shown, f"{route.id} shows {who} personal data: {shown}"
