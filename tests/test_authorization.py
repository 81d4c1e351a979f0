"""The authorization matrix of every route: one declaration per route and method (the harness is
:mod:`tests.authz`). A route of the URL resolver that is not declared here fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dangjian.accounts.roles import Perm
from tests.authz import (
    THREE_ADMINS,
    Route,
    Side,
    all_routes,
    build_world,
    check_admin_refusals,
    check_route,
    state,
)
from tests.conftest import build_tree, rolled_back_after
from tests.factories import make_id_number

P = Perm

#: What the world holds besides :func:`build_world` and the transfers: each app's objects on
#: both sides, written in this order before the module's first test.
WORLD_PARTS: list[Callable[[dict[str, Any]], None]] = []


def world_part(build: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    WORLD_PARTS.append(build)
    return build


def code(s: Side) -> dict[str, Any]:
    return {"code": s.org.code}


def town(s: Side) -> dict[str, Any]:
    return {"code": s.town.code}


def temp(s: Side) -> dict[str, Any]:
    return {"code": s.temp.code}


def member(s: Side) -> dict[str, Any]:
    return {"pk": s.member.pk}


def meeting(s: Side) -> dict[str, Any]:
    return {"pk": s.meeting.pk}


def case(s: Side) -> dict[str, Any]:
    return {"pk": s.case.pk}


def case_file(s: Side) -> dict[str, Any]:
    return {"pk": s.case.pk, "attachment_id": s.case_file.pk}


def campaign(s: Side) -> dict[str, Any]:
    return {"pk": s.campaign.pk}


def campaign_org(s: Side) -> dict[str, Any]:
    return {"pk": s.campaign.pk, "code": s.org.code}


def survey(s: Side) -> dict[str, Any]:
    return {"pk": s.survey.pk}


def plan(s: Side) -> dict[str, Any]:
    return {"pk": s.plan.pk}


def task(s: Side) -> dict[str, Any]:
    return {"pk": s.task.pk}


def order(s: Side) -> dict[str, Any]:
    return {"pk": s.order.pk}


def team(s: Side) -> dict[str, Any]:
    return {"pk": s.team.pk}


def report(s: Side) -> dict[str, Any]:
    return {"pk": s.report.pk}


def user(s: Side) -> dict[str, Any]:
    return {"username": s.username}


def branch_name(s: Side) -> str:
    return s.org.name


def _new_user(s: Side) -> dict[str, Any]:
    return {
        "username": "newcomer",
        "display_name": "新用户",
        "password": "Zx-9long-enough!",
        "org": s.town.code,
        "roles": ["inspector"],
    }


def _roles(s: Side) -> dict[str, Any]:
    from dangjian.accounts.models import User

    pk = User.objects.get(username=s.username).pk
    return {f"u{pk}-roles": ["inspector", "branch_secretary"], f"u{pk}-is_active": "on"}


def _new_org(s: Side) -> dict[str, Any]:
    return {
        "code": "BA077",
        "name": "新建党支部",
        "type": "党支部",
        "sector": "农村",
        "parent": s.town.code,
    }


def _new_member(s: Side) -> dict[str, Any]:
    return {
        "name": "新党员",
        "id_number": make_id_number(),
        "member_type": "预备党员",
        "joined_on": "2025-07-01",
        "org": s.org.code,
    }


def grid(s: Side) -> dict[str, Any]:
    return {"pk": s.grid.pk}


def _village(s: Side) -> str:
    return f"?org={s.org.code}"


#: the grid pages and the service API (issue 13)
SERVICE_ROUTES = [
    Route("service:grids", P.SERVICE_VIEW, ok_text="第一网格", hidden=branch_name),
    Route("service:grid_new", P.SERVICE_DISPATCH, query=_village, ok_text="网格员"),
    Route(
        "service:grid_new",
        P.SERVICE_DISPATCH,
        "post",
        query=_village,
        data=lambda s: {"name": "", "households": "0"},
        ok=400,
        ok_text="请填写网格名称",
    ),
    Route("service:grid_edit", P.SERVICE_DISPATCH, kwargs=grid, ok_text="第一网格"),
    Route(
        "service:grid_edit",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=grid,
        data=lambda s: {"name": "第一网格", "households": "30"},
        ok=302,
    ),
    Route("service:grid_deactivate", P.SERVICE_DISPATCH, "post", kwargs=grid, ok=302),
    Route("service:grid_qr", P.SERVICE_VIEW, kwargs=grid, ok_text="群众点单"),
    Route("api:service-orders", P.SERVICE_VIEW, hidden=lambda s: s.order.tracking_code),
    Route("api:service-order", P.SERVICE_VIEW, kwargs=order, ok_text="路灯不亮已经一周"),
    Route("api:service-order-accept", P.SERVICE_DISPATCH, "post", kwargs=order),
    Route(
        "api:service-order-refuse",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=order,
        data=lambda s: {"reason": "not_ours", "note": "路灯归供电所管理，已告知电话"},
    ),
    Route(
        "api:service-order-merge",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=order,
        data=lambda s: {"into": "NOSUCHCODE"},
        ok=400,
    ),
    Route("api:service-order-dispatch", P.SERVICE_DISPATCH, "post", kwargs=order, ok=400),
    Route(
        "api:service-order-escalate",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=order,
        data=lambda s: {"reason": "需要乡镇协调供电所"},
    ),
    Route("api:service-order-close", P.SERVICE_DISPATCH, "post", kwargs=order, ok=400),
    Route("api:service-order-take", P.SERVICE_HANDLE, "post", kwargs=order, ok=400),
    Route(
        "api:service-order-resolve",
        P.SERVICE_HANDLE,
        "post",
        kwargs=order,
        data=lambda s: {"result": "已修好"},
        ok=400,
    ),
    Route("api:service-grids", P.SERVICE_VIEW, hidden=lambda s: s.org.code),
    Route(
        "api:service-grids",
        P.SERVICE_DISPATCH,
        "post",
        data=lambda s: {"org": s.org.code, "name": "第二网格", "households": 40},
        ok=201,
    ),
    Route("api:service-grid", P.SERVICE_VIEW, kwargs=grid),
    Route(
        "api:service-grid",
        P.SERVICE_DISPATCH,
        "patch",
        kwargs=grid,
        data=lambda s: {"households": 55},
    ),
    Route("api:service-grid-deactivate", P.SERVICE_DISPATCH, "post", kwargs=grid),
]


#: relation transfers (issue 14): a transfer in transit per side (``_add_transfers``)
def transfer(s: Side) -> dict[str, Any]:
    return {"pk": s.transfer.pk}  # type: ignore[attr-defined]


def transfer_act(s: Side) -> dict[str, Any]:
    return {"pk": s.transfer.pk, "action": "accept"}  # type: ignore[attr-defined]


def transfer_member(s: Side) -> str:
    return s.transfer.member_name  # type: ignore[attr-defined]


def _today_text() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _new_transfer(s: Side) -> dict[str, Any]:
    return {
        "member": s.member.pk,
        "to_code": s.transfer.to_org.code,  # type: ignore[attr-defined]
        "reason": "工作变动",
        "requested_on": _today_text(),
    }


def _api_transfer(s: Side) -> dict[str, Any]:
    return {
        "member": s.member.pk,
        "to_org": s.transfer.to_org.code,  # type: ignore[attr-defined]
        "reason": "工作变动",
        "requested_on": _today_text(),
    }


TRANSFER_ROUTES = [
    Route("transfer:index", P.MEMBER_VIEW, ok_text="组织关系转接", hidden=transfer_member),
    Route("transfer:new", P.MEMBER_CHANGE, ok_text="开具介绍信"),
    Route("transfer:new", P.MEMBER_CHANGE, "post", data=_new_transfer, ok=302),
    Route("transfer:overview", P.MEMBER_VIEW, ok_text="在途", hidden=branch_name),
    Route(
        "transfer:export",
        P.MEMBER_VIEW,
        kwargs=lambda s: {"fmt": "csv"},
        hidden=transfer_member,
        skip=frozenset({"outside"}),
    ),
    Route("transfer:import", P.MEMBER_CHANGE, ok_text="导入组织关系转接"),
    Route("transfer:import", P.MEMBER_CHANGE, "post", ok=400),
    Route("transfer:detail", P.MEMBER_VIEW, kwargs=transfer, ok_text="介绍信编号"),
    Route("transfer:letter", P.MEMBER_VIEW, kwargs=transfer),
    Route(
        "transfer:act",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer_act,
        ok=302,
        data=lambda s: {"on": _today_text()},
    ),
    Route("api:transfers", P.MEMBER_VIEW, hidden=transfer_member),
    Route("api:transfers", P.MEMBER_CHANGE, "post", data=_api_transfer, ok=201),
    Route("api:transfer", P.MEMBER_VIEW, kwargs=transfer, ok_text="in_transit"),
    Route("api:transfer-letter", P.MEMBER_VIEW, kwargs=transfer),
    Route(
        "api:transfer-accept",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer,
        data=lambda s: {"on": _today_text()},
        ok_text="accepted",
    ),
    Route(
        "api:transfer-refuse",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer,
        data=lambda s: {"on": _today_text(), "reason": "不在本单位工作"},
        ok_text="refused",
    ),
    Route(
        "api:transfer-cancel",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer,
        data=lambda s: {"on": _today_text()},
        ok_text="cancelled",
    ),
    Route(
        "api:transfer-issue",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer,
        data=lambda s: {"on": _today_text()},
        ok=400,
    ),
    Route(
        "api:transfer-receipt",
        P.MEMBER_CHANGE,
        "post",
        kwargs=transfer,
        data=lambda s: {"on": _today_text()},
        ok=400,
    ),
]


def _add_transfers(world: dict[str, Any]) -> None:
    """A transfer in transit on each side: its last member to a second branch of its town."""
    import datetime as dt

    from django.utils import timezone

    from dangjian.accounts.scope import SYSTEM
    from dangjian.transfer.services import TransferInput, transfer_request
    from tests.factories import make_org

    day = timezone.localdate() - dt.timedelta(days=5)
    for key, members in (("A", "members_a"), ("B", "members_b")):
        side = world[key]
        to = make_org(side.town, org_type="党支部", sector=side.org.sector, name=f"{key}转入党支部")
        data = TransferInput(
            member=world[members][-1], requested_on=day, reason="工作变动", to_org=to
        )
        side.transfer = transfer_request(actor=SYSTEM, data=data, issue=True)


#: 困难党员帮扶 (issue 14): the persons are read by the member's branch (``secretary_a``) and the
#: helping organizations only — the town's ``admin_a`` covers the branch yet gets figures only
def care_entry(s: Side) -> dict[str, Any]:
    from dangjian.care.models import Hardship

    return {"pk": Hardship.objects.get(member=s.member, until__isnull=True).pk}


def care_member_name(s: Side) -> str:
    return s.member.name


def _care_new(s: Side) -> dict[str, Any]:
    return {
        "member": s.members_free.pk,
        "reason": "疾病",
        "level": "一般困难",
        "since": "2026-05-01",
    }


CARE_ROUTES = [
    Route(
        "care:index",
        P.CARE_VIEW,
        allowed="secretary_a",
        ok_text="困难党员帮扶",
        hidden=care_member_name,
    ),
    Route(
        "care:index",
        P.CARE_VIEW,
        label="upper level",
        hidden=care_member_name,
        skip=frozenset({"without", "anonymous"}),
    ),
    Route("care:new", P.CARE_RECORD, allowed="secretary_a", ok_text="登记困难党员"),
    Route("care:new", P.CARE_RECORD, "post", allowed="secretary_a", data=_care_new, ok=302),
    Route("care:due", P.CARE_VIEW, ok_text="走访提醒", hidden=care_member_name),
    Route("care:stats", P.CARE_VIEW, ok_text="帮扶统计", hidden=branch_name),
    Route("care:stats_file", P.CARE_VIEW),
    Route("care:register_file", P.CARE_VIEW, allowed="secretary_a"),
    Route(
        "care:hardship", P.CARE_VIEW, kwargs=care_entry, allowed="secretary_a", ok_text="帮扶记录"
    ),
    Route(
        "care:help",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {
            "kind": "慰问金",
            "amount": "500",
            "org": s.org.pk,
            "given_on": "2026-06-01",
        },
        ok=302,
    ),
    Route(
        "care:visit",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {"occasion": "七一", "visited_on": "2026-07-01", "org": s.org.pk},
        ok=302,
    ),
    Route(
        "care:close",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {"until": "2026-08-01", "close_reason": "已脱困"},
        ok=302,
    ),
    Route(
        "api:care-hardships",
        P.CARE_VIEW,
        allowed="secretary_a",
        ok_text="困难",
        hidden=care_member_name,
    ),
    Route(
        "api:care-hardships",
        P.CARE_RECORD,
        "post",
        allowed="secretary_a",
        data=_care_new,
        ok=201,
    ),
    Route("api:care-hardship", P.CARE_VIEW, kwargs=care_entry, allowed="secretary_a"),
    Route(
        "api:care-hardship-help",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {"kind": "实物", "amount": "0", "org": s.org.code, "given_on": "2026-06-01"},
        ok=201,
    ),
    Route(
        "api:care-hardship-visit",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {"occasion": "春节", "visited_on": "2026-04-01", "org": s.org.code},
        ok=201,
    ),
    Route(
        "api:care-hardship-close",
        P.CARE_RECORD,
        "post",
        kwargs=care_entry,
        allowed="secretary_a",
        data=lambda s: {"until": "2026-02-01", "reason": "已脱困"},  # before the entry: refused
        ok=400,
    ),
    Route("api:care-follow-ups", P.CARE_VIEW, allowed="secretary_a"),
    Route("api:care-figures", P.CARE_VIEW, hidden=lambda s: s.org.code),
]


#: 两新组织覆盖 (issue 15): each side's town manages one unit with an advisor (see
#: _liangxin_world); the register and the figures stay in the town's subtree
def lx_unit(s: Side) -> dict[str, Any]:
    from dangjian.liangxin.models import Unit

    return {"pk": Unit.objects.get(org=s.town).pk}


def lx_unit_name(s: Side) -> str:
    return f"{s.town.name}两新企业"


def lx_advisor(s: Side) -> int:
    from dangjian.liangxin.models import Advisor

    return Advisor.objects.get(org=s.town).pk


def _lx_unit_new(s: Side) -> dict[str, Any]:
    return {
        "name": "新登记企业",
        "uscc": "91330102000000013G",
        "kind": "非公企业",
        "industry": "制造业",
        "size": "小型",
        "region_code": "330102",
        "org": s.town.code,
        "employees": 10,
        "members": 0,
    }


def _lx_import(s: Side) -> dict[str, Any]:
    import io

    text = "单位名称,统一社会信用代码,单位类型,所属行业,规模,行政区划代码,管理党组织编码\n"
    text += f"导入企业,91330102000000021B,非公企业,制造业,小型,330102,{s.town.code}\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "名录.csv"
    return {"file": upload}


LIANGXIN_ROUTES = [
    Route("liangxin:index", P.LIANGXIN_VIEW, ok_text="两新组织名录", hidden=lx_unit_name),
    Route("liangxin:new", P.LIANGXIN_RECORD, ok_text="登记两新组织"),
    Route("liangxin:new", P.LIANGXIN_RECORD, "post", data=_lx_unit_new, ok=302),
    Route("liangxin:import", P.LIANGXIN_RECORD, ok_text="导入两新组织名录"),
    Route("liangxin:import", P.LIANGXIN_RECORD, "post", data=_lx_import, ok_text="导入完成"),
    Route("liangxin:coverage", P.LIANGXIN_VIEW, ok_text="组织覆盖率", hidden=lx_unit_name),
    Route("liangxin:coverage_xlsx", P.LIANGXIN_VIEW),
    Route("liangxin:coverage_pdf", P.LIANGXIN_VIEW),
    Route("liangxin:blanks", P.LIANGXIN_VIEW, ok_text="空白点", hidden=lx_unit_name),
    Route("liangxin:advisors", P.LIANGXIN_VIEW, ok_text="党建指导员"),
    Route(
        "liangxin:advisors",
        P.LIANGXIN_RECORD,
        "post",
        data=lambda s: {"name": "新指导员", "org": s.town.code},
        ok=302,
    ),
    Route("liangxin:unit", P.LIANGXIN_VIEW, kwargs=lx_unit, ok_text="覆盖情况"),
    Route("liangxin:edit", P.LIANGXIN_RECORD, kwargs=lx_unit, ok_text="修改两新组织"),
    Route(
        "liangxin:edit",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {**_lx_unit_new(s), "uscc": "913301020000000483"},
        ok=302,
    ),
    Route(
        "liangxin:assign",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"advisor": lx_advisor(s), "role": "联系人", "since": "2026-01-01"},
        ok=400,  # already assigned (the refusal shown, nothing written)
    ),
    Route(
        "liangxin:end",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {
            "assignment": _lx_assignment(s),
            "until": "2026-10-01",
        },
        ok=302,
    ),
    Route(
        "liangxin:visit",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"advisor": lx_advisor(s), "visited_on": "2026-06-01", "note": "指导"},
        ok=302,
    ),
    Route(
        "liangxin:close",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"closed_on": "2026-11-01", "closed_reason": "企业注销"},
        ok=302,
    ),
    # not closed: a Chinese refusal, nothing written
    Route("liangxin:reopen", P.LIANGXIN_RECORD, "post", kwargs=lx_unit, ok=400),
    Route("api:liangxin-units", P.LIANGXIN_VIEW, ok_text="两新企业", hidden=lx_unit_name),
    Route(
        "api:liangxin-unit-close",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"closed_on": "2026-11-01", "closed_reason": "企业注销"},
        ok_text="2026-11-01",
    ),
    Route("api:liangxin-unit-reopen", P.LIANGXIN_RECORD, "post", kwargs=lx_unit, ok=400),
    Route("api:liangxin-units", P.LIANGXIN_RECORD, "post", data=_lx_unit_new, ok=201),
    Route("api:liangxin-unit", P.LIANGXIN_VIEW, kwargs=lx_unit),
    Route(
        "api:liangxin-unit-assign",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"advisor": lx_advisor(s), "role": "联系人", "since": "2026-01-01"},
        ok=400,
    ),
    Route(
        "api:liangxin-unit-visit",
        P.LIANGXIN_RECORD,
        "post",
        kwargs=lx_unit,
        data=lambda s: {"advisor": lx_advisor(s), "visited_on": "2026-06-01"},
        ok=201,
    ),
    Route("api:liangxin-advisors", P.LIANGXIN_VIEW, hidden=lambda s: f"{s.town.name}指导员"),
    Route(
        "api:liangxin-advisors",
        P.LIANGXIN_RECORD,
        "post",
        data=lambda s: {"name": "新指导员", "org": s.town.code},
        ok=201,
    ),
    Route("api:liangxin-coverage", P.LIANGXIN_VIEW),
    Route("api:liangxin-blanks", P.LIANGXIN_VIEW, hidden=lx_unit_name),
]


def _lx_assignment(s: Side) -> int:
    from dangjian.liangxin.models import Assignment

    return Assignment.objects.get(unit__org=s.town).pk


@world_part
def _liangxin_world(world: dict[str, Any]) -> None:
    """两新: a unit managed by each side's town, with an advisor of the town assigned."""
    import datetime as dt

    from dangjian.accounts.scope import SYSTEM
    from dangjian.liangxin import services
    from dangjian.liangxin.uscc import numbered_uscc

    for number, key in enumerate(("A", "B"), start=1):
        town = world[key].town
        unit = services.unit_create(
            actor=SYSTEM,
            data={
                "name": f"{town.name}两新企业",
                "uscc": numbered_uscc(900 + number, "330102"),
                "kind": "非公企业",
                "industry": "制造业",
                "size": "小型",
                "region_code": "330102",
                "org": town,
                "employees": 20,
                "members": 1,
            },
        )
        advisor = services.advisor_create(actor=SYSTEM, name=f"{town.name}指导员", org=town)
        services.assign(
            actor=SYSTEM, advisor=advisor, unit=unit, role="党建指导员", since=dt.date(2026, 1, 1)
        )


#: the party dues pages and API (issue 14)
DUES_ROUTES = [
    Route("dues:overview", P.ORG_VIEW, ok_text="党费收缴情况", hidden=lambda s: s.org.name),
    Route("dues:month", P.MEMBER_VIEW, kwargs=code, ok_text="本月党费"),
    Route(
        "dues:pay",
        P.MEMBER_CHANGE,
        "post",
        kwargs=code,
        data=lambda s: {"member": s.member.pk, "month": "2026-01", "amount": "5"},
        ok=302,
    ),
    Route("dues:import", P.MEMBER_CHANGE, "post", kwargs=code, ok=302),
    Route(
        "dues:ledger",
        P.MEMBER_VIEW,
        kwargs=lambda s: {"code": s.org.code, "year": 2026, "fmt": "xlsx"},
    ),
    Route(
        "api:dues-month",
        P.MEMBER_VIEW,
        query=lambda s: f"?org={s.org.code}&month=2026-03",
        ok_text="rows",
    ),
    Route(
        "api:dues-bases",
        P.MEMBER_CHANGE,
        "post",
        data=lambda s: {"member": s.member.pk, "year": 2026, "category": "学生"},
        ok=201,
        allowed="secretary_a",
    ),
    Route(
        "api:dues-payments",
        P.MEMBER_CHANGE,
        "post",
        data=lambda s: {"member": s.member.pk, "month": "2026-03", "amount": "5"},
        ok=201,
    ),
    Route("api:dues-totals", P.ORG_VIEW, hidden=lambda s: s.org.code),
    Route("dues:bases", P.MEMBER_VIEW, kwargs=code, ok_text="党费核定"),
    Route(
        "dues:bases",
        P.MEMBER_CHANGE,
        "post",
        kwargs=code,
        query="?year=2026",
        data=lambda s: {"member": s.member.pk, "category": "学生"},
        ok=302,
    ),
    Route(
        "dues:bases_carry",
        P.MEMBER_CHANGE,
        "post",
        kwargs=code,
        data=lambda s: {"year": "2026"},
        ok=302,
    ),
    Route("dues:exemptions", P.MEMBER_VIEW, kwargs=code, ok_text="未交党费正当理由"),
    Route(
        "dues:exemptions",
        P.MEMBER_CHANGE,
        "post",
        kwargs=code,
        data=lambda s: {
            "member": s.member.pk,
            "month_from": "2026-01",
            "month_to": "2026-02",
            "note": "住院治疗",
        },
        ok=302,
    ),
    Route("dues:remittances", P.ORG_VIEW, kwargs=code, ok_text="党费上缴"),
    Route(
        "dues:remittances",
        P.MEMBER_CHANGE,
        "post",
        kwargs=code,
        query="?year=2026",
        data=lambda s: {"amount": "1", "remitted_on": "2026-03-01"},
        ok=400,  # nothing collected yet: nothing to remit
    ),
]

ROUTES: list[Route] = [
    # --- accounts and the home page ---
    Route("login", None, anonymous=200, skip=frozenset({"anonymous"})),
    Route("logout", None, "post", anonymous=302, skip=frozenset({"anonymous"})),
    Route("web:home", None),
    Route("password_change", None),
    Route("password_change", None, "post", ok=400),
    Route("otp_verify", None),
    Route("otp_setup", None),
    # --- organizations and members (web) ---
    Route("web:tree", P.ORG_VIEW, hidden=branch_name, ok_text="甲村党支部"),
    Route("web:tree", P.ORG_VIEW, query="?q=党支部", hidden=branch_name, label="search"),
    Route("web:tree_children", P.ORG_VIEW, kwargs=town, ok_text="甲村党支部"),
    Route("web:org", P.ORG_VIEW, kwargs=code, ok_text="甲村党支部"),
    Route("web:member_new", P.MEMBER_CHANGE, kwargs=code),
    Route("web:member_new", P.MEMBER_CHANGE, "post", kwargs=code, ok=400),
    Route("web:participant_add", P.MEMBER_CHANGE, "post", kwargs=temp, ok=400),
    Route(
        "web:participant_end",
        P.MEMBER_CHANGE,
        "post",
        ok=400,
        kwargs=lambda s: {"pk": s.participation.pk},
    ),
    Route("web:election_delay", P.ORG_CHANGE, "post", kwargs=code, ok=400),
    Route("web:member", P.MEMBER_VIEW, kwargs=member, ok_text="110105********"),
    Route("web:member_edit", P.MEMBER_CHANGE, kwargs=member),
    Route("web:member_edit", P.MEMBER_CHANGE, "post", kwargs=member, ok=400),
    Route("web:member_status", P.MEMBER_CHANGE, "post", kwargs=member, ok=400),
    Route("web:member_reveal", P.MEMBER_VIEW_PII, "post", kwargs=member, ok_text="仅显示这一次"),
    Route("web:findings", P.FINDING_VIEW, hidden=lambda s: s.org.code),
    Route(
        "web:findings",
        P.FINDING_VIEW,
        query=lambda s: f"?org={s.org.code}",
        outside=400,
        label="of an org",
        ok_text="甲村党支部",
    ),
    # --- the separated administrators ---
    Route("web:audit", P.AUDIT_VIEW, hidden=branch_name),
    Route("web:audit_chain", P.AUDIT_VIEW, ok_text="哈希链完整"),
    Route("web:users", P.USER_MANAGE, hidden=lambda s: s.username, without="admin"),
    Route("web:users", P.USER_MANAGE, "post", data=_new_user, ok=302, without="admin"),
    Route(
        "web:user_roles", P.USER_MANAGE, "post", kwargs=user, data=_roles, ok=302, without="admin"
    ),
    Route("web:security", P.SECURITY_MANAGE, without="sysadmin"),
    Route(
        "web:security",
        P.SECURITY_MANAGE,
        "post",
        ok=302,
        without="auditor",
        data=lambda s: {"max_failed_logins": 7, "lockout_minutes": 30, "idle_timeout_minutes": 20},
    ),
    Route("web:user_unlock", P.SECURITY_MANAGE, "post", kwargs=user, ok=302, without="admin"),
    Route(
        "web:password_reset",
        P.SECURITY_MANAGE,
        query=lambda s: f"?username={s.username}",
        without="sysadmin",
    ),
    Route(
        "web:password_reset",
        P.SECURITY_MANAGE,
        "post",
        data=lambda s: {"username": s.username, "action": "password"},
        ok_text="只显示这一次",
        without="sysadmin",
    ),
    Route("web:role_grants", P.SECURITY_MANAGE, without="sysadmin", hidden=lambda s: s.username),
    Route(
        "web:role_grant_decide",
        P.SECURITY_MANAGE,
        "post",
        kwargs=lambda s: {"pk": s.grant.pk, "decision": "approve"},
        ok=302,
        without="sysadmin",
    ),
    Route(
        "web:role_grant_decide",
        P.SECURITY_MANAGE,
        "post",
        kwargs=lambda s: {"pk": s.grant.pk, "decision": "refuse"},
        data=lambda s: {"reason": "岗位未确认"},
        ok=302,
        without="sysadmin",
        label="refuse",
    ),
    # --- organizational life ---
    # a record of organizational life names members: not for the 系统管理员 (issue 11)
    Route("life:index", P.MEMBER_VIEW),
    Route("life:overview", P.FINDING_VIEW),
    Route("life:overview_missed", P.FINDING_VIEW, query="?rule=LIFE-ASSEMBLY-QUARTERLY"),
    Route("life:hints", P.FINDING_VIEW),
    Route("life:import", P.LIFE_RECORD),
    Route("life:import", P.LIFE_RECORD, "post", ok=400),
    Route("life:todo", P.FINDING_VIEW, kwargs=code),
    Route("life:meetings", P.MEMBER_VIEW, kwargs=code),
    Route("life:record", P.LIFE_RECORD, kwargs=code),
    Route("life:record", P.LIFE_RECORD, "post", kwargs=code, ok=400),
    Route("life:ledger", P.MEMBER_VIEW, kwargs=code),
    Route("life:attendance", P.MEMBER_VIEW, kwargs=code),
    Route("life:ledger_file", P.MEMBER_VIEW, "post", kwargs=lambda s: {**code(s), "fmt": "xlsx"}),
    Route("life:meeting", P.MEMBER_VIEW, kwargs=meeting),
    Route("life:meeting_edit", P.LIFE_RECORD, kwargs=meeting),
    Route("life:meeting_edit", P.LIFE_RECORD, "post", kwargs=meeting, ok=400),
    Route("life:meeting_delete", P.LIFE_RECORD, "post", kwargs=meeting, ok=302),
    Route("life:attachment_upload", P.LIFE_RECORD, "post", kwargs=meeting, ok=302),
    Route("life:attachment", P.MEMBER_VIEW, kwargs=lambda s: {"pk": s.meeting_file.pk}),
    Route(
        "life:attachment_delete",
        P.LIFE_RECORD,
        "post",
        ok=302,
        kwargs=lambda s: {"pk": s.meeting_file.pk},
    ),
    # --- recruitment ---
    Route("recruit:index", P.RECRUIT_VIEW),
    Route("recruit:queue", P.RECRUIT_APPROVE),
    Route("recruit:dashboard", P.RECRUIT_VIEW),
    Route("recruit:plans", P.RECRUIT_APPROVE),
    Route("recruit:plans", P.RECRUIT_APPROVE, "post", ok=400),
    Route("recruit:branch", P.RECRUIT_VIEW, kwargs=code),
    Route("recruit:open", P.RECRUIT_RECORD, kwargs=code),
    Route("recruit:open", P.RECRUIT_RECORD, "post", kwargs=code, ok=400),
    Route("recruit:case", P.RECRUIT_VIEW, kwargs=case),
    Route("recruit:edit", P.RECRUIT_RECORD, kwargs=case),
    Route("recruit:edit", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:withdraw", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:step", P.RECRUIT_RECORD, kwargs=lambda s: {**case(s), "number": 2}),
    Route(
        "recruit:step", P.RECRUIT_RECORD, "post", ok=400, kwargs=lambda s: {**case(s), "number": 2}
    ),
    Route("recruit:notice", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:review", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:approver", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:extension", P.RECRUIT_APPROVE, "post", kwargs=case, ok=400),
    Route(
        "recruit:decide",
        P.RECRUIT_APPROVE,
        "post",
        ok=302,
        kwargs=lambda s: {**case(s), "step": 13},
    ),
    Route("recruit:attachment_upload", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("recruit:attachment", P.MEMBER_VIEW_PII, kwargs=case_file),
    Route("recruit:attachment_delete", P.RECRUIT_RECORD, "post", kwargs=case_file, ok=302),
    Route("recruit:export", P.RECRUIT_VIEW, "post", kwargs=lambda s: {**case(s), "fmt": "docx"}),
    # --- assessment ---
    Route("assess:index", P.ASSESS_VIEW),
    Route("assess:campaign_new", P.ASSESS_MANAGE),
    Route("assess:campaign_new", P.ASSESS_MANAGE, "post", ok=400),
    Route("assess:veto", P.ASSESS_VIEW),
    Route("assess:veto", P.ASSESS_MANAGE, "post", ok=400, without="inspector_a"),
    Route(
        "assess:veto_withdraw", P.ASSESS_MANAGE, "post", ok=400, kwargs=lambda s: {"pk": s.veto.pk}
    ),
    Route("assess:campaign", P.ASSESS_VIEW, kwargs=campaign),
    Route(
        "assess:campaign_action",
        P.ASSESS_MANAGE,
        "post",
        ok=302,
        kwargs=lambda s: {**campaign(s), "action": "score"},
    ),
    Route("assess:campaign_score_status", P.ASSESS_VIEW, kwargs=campaign),
    Route("assess:campaign_pick", P.ASSESS_MANAGE, "post", kwargs=campaign, ok=400),
    Route("assess:self_check", P.ASSESS_VIEW, kwargs=campaign_org),
    Route(
        "assess:self_check",
        P.ASSESS_SELF,
        "post",
        kwargs=campaign_org,
        ok=302,
        allowed="secretary_a",
        refusal="自查评分只能由本组织在考核进行中填写",
        data=lambda s: {"p_1_4": "8", "n_1_4": "自评满分"},
    ),
    Route("assess:spot_check", P.ASSESS_INSPECT, kwargs=campaign_org),
    Route(
        "assess:spot_check",
        P.ASSESS_INSPECT,
        "post",
        kwargs=campaign_org,
        ok=302,
        allowed="inspector_a",
        data=lambda s: {"p_1_4": "6", "n_1_4": "议事记录不全"},
    ),
    Route("assess:results", P.ASSESS_VIEW, kwargs=campaign),
    Route("assess:result", P.ASSESS_VIEW, kwargs=campaign_org),
    Route("assess:bulletin", P.ASSESS_VIEW, kwargs=campaign),
    Route("assess:bulletin_file", P.ASSESS_VIEW, kwargs=lambda s: {**campaign(s), "fmt": "pdf"}),
    # --- surveys (the answer pages are public) ---
    Route("survey:index", P.ASSESS_VIEW),
    # --- service orders: the resident's pages are public ---
    Route("service:submit", None, kwargs=lambda s: {"token": s.grid.token}, anonymous=200),
    Route("service:track", None, kwargs=lambda s: {"code": s.order.tracking_code}, anonymous=200),
    # --- service orders: the staff pages ---
    Route("service:index", P.SERVICE_VIEW, ok_text="三率", hidden=lambda s: s.order.tracking_code),
    Route("service:queue", P.SERVICE_DISPATCH, hidden=lambda s: s.order.tracking_code),
    Route("service:mine", P.SERVICE_HANDLE, hidden=lambda s: s.order.tracking_code),
    Route("service:order", P.SERVICE_VIEW, kwargs=order, ok_text="路灯不亮已经一周"),
    Route("service:phone", P.SERVICE_VIEW, "post", kwargs=order, ok_text="13800001111"),
    Route(
        "service:decide",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=lambda s: {**order(s), "action": "refuse"},
        ok=400,
    ),
    Route(
        "service:work",
        P.SERVICE_HANDLE,
        "post",
        kwargs=lambda s: {**order(s), "action": "take"},
        ok=400,
    ),
    Route(
        "service:photo",
        P.SERVICE_VIEW,
        kwargs=lambda s: {**order(s), "photo": s.order_photo.pk},
    ),
    # --- service: linked departments (跨级联合), 片区, 敲门行动 ---
    Route("service:departments", P.SERVICE_VIEW, hidden=lambda s: s.department.name),
    Route("service:departments", P.SERVICE_DISPATCH, "post", ok=400),
    Route("service:areas", P.SERVICE_VIEW, ok_text="片区", hidden=lambda s: s.org.name),
    Route("service:areas", P.SERVICE_DISPATCH, "post", ok=400),
    Route(
        "service:department",
        P.SERVICE_VIEW,
        kwargs=lambda s: {"pk": s.department.pk},
        ok_text="派出所",
    ),
    Route(
        "service:department_action",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=lambda s: {"pk": s.department.pk, "action": "change"},
        ok=400,
    ),
    Route("service:linked_mine", P.SERVICE_HANDLE, hidden=lambda s: s.order.tracking_code),
    Route("service:refer", P.SERVICE_DISPATCH, kwargs=order, ok_text="路灯不亮已经一周"),
    Route("service:refer", P.SERVICE_DISPATCH, "post", kwargs=order, ok=400),
    Route("service:visits", P.SERVICE_VIEW, hidden=lambda s: s.visit.household),
    Route("service:visit_new", P.SERVICE_HANDLE),
    Route("service:visit_new", P.SERVICE_HANDLE, "post", ok=400),
    Route(
        "service:visit", P.SERVICE_VIEW, kwargs=lambda s: {"pk": s.visit.pk}, ok_text="门前排水沟"
    ),
    Route(
        "service:need_order",
        P.SERVICE_HANDLE,
        "post",
        kwargs=lambda s: {"pk": s.visit.pk, "need": s.visit.needs.get().pk},
        ok=400,
    ),
    Route(
        "service:visit_done", P.SERVICE_HANDLE, "post", kwargs=lambda s: {"pk": s.visit.pk}, ok=302
    ),
    # --- 红色志愿服务队 and 双报到 ---
    Route("service:teams", P.SERVICE_VIEW, ok_text="志愿服务队", hidden=lambda s: s.team.name),
    Route("service:teams", P.SERVICE_DISPATCH, "post", ok=400),
    Route("service:team", P.SERVICE_VIEW, kwargs=team, ok_text="红色志愿服务队"),
    Route(
        "service:team_action",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=lambda s: {**team(s), "action": "change"},
        ok=400,
    ),
    Route(
        "service:double_reports",
        P.SERVICE_VIEW,
        hidden=lambda s: f"报到 {s.report.community.name} ·",
    ),
    Route("service:double_reports", P.MEMBER_CHANGE, "post", ok=400),
    Route("service:double_report", P.SERVICE_VIEW, kwargs=report, ok_text="报到日期"),
    Route(
        "service:double_report_action",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=lambda s: {**report(s), "action": "rate"},
        ok=400,
    ),
    # --- Open311 GeoReport v2: public reads; a POST needs an integrating system's API key ---
    Route("open311:discovery", None, kwargs=lambda s: {"fmt": "json"}, anonymous=200),
    Route("open311:services", None, kwargs=lambda s: {"fmt": "xml"}, anonymous=200),
    Route(
        "open311:service", None, kwargs=lambda s: {"fmt": "json", "code": "roads"}, anonymous=200
    ),
    Route("open311:requests", None, kwargs=lambda s: {"fmt": "json"}, anonymous=200),
    Route("open311:requests", None, "post", kwargs=lambda s: {"fmt": "xml"}, anonymous=403),
    Route(
        "open311:request",
        None,
        kwargs=lambda s: {"fmt": "json", "pk": s.order.pk},
        anonymous=200,
    ),
    Route("open311:token", None, kwargs=lambda s: {"fmt": "json", "token": "x"}, anonymous=404),
    Route("open311:unknown", None, kwargs=lambda s: {"fmt": "json", "rest": "x"}, anonymous=404),
    # --- the inbox: every signed-in user's own messages (another's message: 404) ---
    Route("notify:inbox", None),
    Route("notify:open", None, "post", kwargs=lambda s: {"pk": 1}),
    Route("notify:read_all", None, "post"),
    Route("notify:contact", None, "post", ok=400),  # one's own number; blank: a clear 400
    Route("service:stats", P.SERVICE_VIEW, ok_text="三率", hidden=lambda s: s.org.name),
    Route("service:stats", P.SERVICE_VIEW, query=lambda s: f"?org={s.org.code}", label="org"),
    Route(
        "service:stats_file",
        P.SERVICE_VIEW,
        kwargs=lambda s: {"fmt": "pdf"},
        query=lambda s: f"?org={s.org.code}",
    ),
    Route("survey:answer", None, kwargs=lambda s: {"token": s.survey.token}, anonymous=200),
    Route("survey:thanks", None, kwargs=lambda s: {"token": s.survey.token}, anonymous=200),
    Route("survey:org", P.ASSESS_VIEW, kwargs=code),
    Route("survey:open", P.ASSESS_MANAGE, kwargs=code),
    Route("survey:open", P.ASSESS_MANAGE, "post", kwargs=code, ok=400),
    Route("survey:detail", P.ASSESS_VIEW, kwargs=survey),
    Route("survey:print", P.ASSESS_VIEW, kwargs=survey),
    Route("survey:codes_add", P.ASSESS_MANAGE, "post", kwargs=survey, ok=400),
    # --- rectification ---
    Route("rectify:index", P.ASSESS_VIEW),
    Route("rectify:overdue", P.ASSESS_VIEW),
    Route("rectify:weak", P.ASSESS_MANAGE),
    Route("rectify:plan_new", P.ASSESS_MANAGE, kwargs=code),
    Route("rectify:plan_new", P.ASSESS_MANAGE, "post", kwargs=code, ok=400),
    Route("rectify:plan", P.ASSESS_VIEW, kwargs=plan),
    Route("rectify:task_new", P.ASSESS_MANAGE, "post", kwargs=plan, ok=400),
    Route("rectify:task_edit", P.ASSESS_MANAGE, kwargs=task),
    Route("rectify:task_edit", P.ASSESS_MANAGE, "post", kwargs=task, ok=400),
    Route("rectify:progress", P.ASSESS_SELF, "post", kwargs=task, ok=400),
    Route("rectify:report", P.ASSESS_SELF, "post", kwargs=task, ok=302),
    Route(
        "rectify:review",
        P.ASSESS_MANAGE,
        "post",
        ok=400,
        kwargs=lambda s: {**task(s), "action": "confirm"},
    ),
    # --- exchange ---
    Route("exchange:index", None),  # any user: it lists what the user may import or export
    Route(
        "exchange:export",
        P.ORG_VIEW,
        "post",
        kwargs=lambda s: {"kind": "orgs", "fmt": "csv"},
        refusal="没有导出组织的权限",
        skip=frozenset({"outside"}),
        hidden=lambda s: s.org.code,
    ),
    # --- the API ---
    Route("api:schema", None),
    Route("api:not-found", None, kwargs=lambda s: {"rest": "nothing/"}, anonymous=404),
    Route("api:token", None, "post", anonymous=400, data=lambda s: {"username": "admin_a"}),
    Route("api:token-revoke", None, "post"),
    # --- the API of linked departments (跨级联合) and 敲门行动 visits ---
    Route("api:service-department-list", P.SERVICE_VIEW, hidden=lambda s: s.department.name),
    Route(
        "api:service-department-list",
        P.SERVICE_DISPATCH,
        "post",
        data=lambda s: {"org": s.town.code, "name": "新登记司法所", "kind": "justice"},
        ok=201,
    ),
    Route(
        "api:service-referral",
        P.SERVICE_DISPATCH,
        "post",
        data=lambda s: {"order": s.order.pk, "departments": [s.department.pk]},
        ok=400,
    ),
    Route("api:service-visit-list", P.SERVICE_VIEW, hidden=lambda s: s.visit.household),
    Route(
        "api:service-visit-list",
        P.SERVICE_HANDLE,
        "post",
        data=lambda s: {"grid": s.grid.pk, "household": "新户1号", "visited_on": "2026-03-01"},
        ok=201,
    ),
    Route(
        "api:service-visit-detail",
        P.SERVICE_VIEW,
        kwargs=lambda s: {"pk": s.visit.pk},
        ok_text="门前排水沟",
    ),
    Route(
        "api:service-visit-need-order",
        P.SERVICE_HANDLE,
        "post",
        kwargs=lambda s: {"pk": s.visit.pk, "need": s.visit.needs.get().pk},
        data=lambda s: {"phone": "13800002222"},
        ok=201,
    ),
    Route("api:org-list", P.ORG_VIEW, hidden=lambda s: s.org.code),
    Route("api:org-list", P.ORG_CHANGE, "post", data=_new_org, ok=201),
    Route("api:org-list", P.ORG_VIEW, query=lambda s: f"?parent={s.town.code}", label="by parent"),
    Route(
        "api:org-list",
        P.ORG_CHANGE,
        "post",
        data=_new_org,
        ok=201,
        without="secretary_a",
        label="secretary",
    ),
    Route("api:org-detail", P.ORG_VIEW, kwargs=code),
    Route(
        "api:org-detail",
        P.ORG_CHANGE,
        "patch",
        kwargs=code,
        data=lambda s: {"name": "甲村党支部（改）"},
    ),
    Route("api:member-list", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:member-list", P.MEMBER_CHANGE, "post", data=_new_member, ok=201),
    Route(
        "api:member-list",
        P.MEMBER_VIEW,
        query=lambda s: f"?org={s.org.code}&subtree=1",
        label="by org",
    ),
    Route("api:member-detail", P.MEMBER_VIEW, kwargs=member),
    Route(
        "api:member-detail",
        P.MEMBER_CHANGE,
        "patch",
        kwargs=member,
        data=lambda s: {"name": "改名党员", "phone": "13900001111"},
    ),
    Route(
        "api:member-reveal",
        P.MEMBER_VIEW_PII,
        "post",
        kwargs=member,
        data=lambda s: {"reason": "核对"},
    ),
    Route("api:member-statuses", P.MEMBER_VIEW, kwargs=member),
    Route(
        "api:member-statuses",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        ok=201,
        data=lambda s: {"kind": "停止党籍", "started_on": "2026-05-06", "decided_by": s.org.name},
    ),
    Route("api:finding-list", P.FINDING_VIEW, hidden=lambda s: s.org.code),
    Route(
        "api:finding-list", P.FINDING_VIEW, query=lambda s: f"?org={s.org.code}", label="of an org"
    ),
    Route("api:meeting-list", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:meeting-list", P.LIFE_RECORD, "post", ok=400),
    Route("api:meeting-detail", P.MEMBER_VIEW, kwargs=meeting),
    Route(
        "api:meeting-detail",
        P.LIFE_RECORD,
        "patch",
        kwargs=meeting,
        data=lambda s: {"topic": "改过的议题"},
    ),
    Route("api:meeting-detail", P.LIFE_RECORD, "delete", kwargs=meeting, ok=204),
    Route("api:meeting-attachments", P.MEMBER_VIEW, kwargs=meeting),
    Route("api:meeting-attachments", P.LIFE_RECORD, "post", kwargs=meeting, ok=400),
    Route(
        "api:meeting-attachment",
        P.MEMBER_VIEW,
        kwargs=lambda s: {**meeting(s), "attachment_id": s.meeting_file.pk},
    ),
    Route(
        "api:meeting-attachment",
        P.LIFE_RECORD,
        "delete",
        ok=204,
        kwargs=lambda s: {**meeting(s), "attachment_id": s.meeting_file.pk},
    ),
    Route("api:life-compliance", P.FINDING_VIEW),
    Route("api:life-hints", P.FINDING_VIEW),
    Route("api:recruit-cases", P.RECRUIT_VIEW, hidden=lambda s: s.org.code),
    Route("api:recruit-cases", P.RECRUIT_RECORD, "post", ok=400),
    Route("api:recruit-case", P.RECRUIT_VIEW, kwargs=case),
    Route("api:recruit-case-steps", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("api:recruit-case-extensions", P.RECRUIT_APPROVE, "post", kwargs=case, ok=400),
    Route("api:recruit-case-attachments", P.RECRUIT_VIEW, kwargs=case),
    Route("api:recruit-case-attachments", P.RECRUIT_RECORD, "post", kwargs=case, ok=400),
    Route("api:recruit-case-attachment", P.MEMBER_VIEW_PII, kwargs=case_file),
    Route("api:recruit-case-attachment", P.RECRUIT_RECORD, "delete", kwargs=case_file, ok=204),
    Route("api:campaign-list", P.ASSESS_VIEW, hidden=lambda s: s.campaign.name),
    Route("api:campaign-detail", P.ASSESS_VIEW, kwargs=campaign),
    Route("api:campaign-results", P.ASSESS_VIEW, kwargs=campaign),
    Route(
        "api:campaign-self-checks",
        P.ASSESS_SELF,
        "post",
        kwargs=campaign,
        ok=201,
        allowed="secretary_a",
        data=lambda s: {"org": s.org.code, "criterion": "1.4", "points": 8},
    ),
    Route(
        "api:campaign-spot-checks",
        P.ASSESS_INSPECT,
        "post",
        kwargs=campaign,
        ok=201,
        allowed="inspector_a",
        data=lambda s: {"org": s.org.code, "criterion": "1.4", "points": 6},
    ),
    Route("api:survey-list", P.ASSESS_VIEW, hidden=lambda s: s.org.code),
    Route("api:survey-detail", P.ASSESS_VIEW, kwargs=survey),
    Route("api:service-team-list", P.SERVICE_VIEW, hidden=lambda s: s.team.name),
    Route(
        "api:service-team-list",
        P.SERVICE_DISPATCH,
        "post",
        data=lambda s: {"org": s.org.code, "name": "新建服务队", "services": ["elderly"]},
        ok=201,
    ),
    Route("api:service-team", P.SERVICE_VIEW, kwargs=team),
    Route(
        "api:service-double-report-list",
        P.SERVICE_VIEW,
        hidden=lambda s: s.report.community.code,
    ),
    Route(
        "api:service-double-report-list",
        P.MEMBER_CHANGE,
        "post",
        data=lambda s: {
            "member": s.member.pk,
            "community": s.report.community.code,
            "registered_on": "2026-05-01",
        },
        ok=201,
    ),
    Route("api:service-double-report", P.SERVICE_VIEW, kwargs=report),
    Route(
        "api:service-team",
        P.SERVICE_DISPATCH,
        "patch",
        kwargs=team,
        data=lambda s: {"area": "全村"},
        ok_text="全村",
    ),
    Route(
        "api:service-double-report-end",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=report,
        data=lambda s: {"ended_on": "2026-02-01"},  # before the registration: refused
        ok=400,
        without="inspector_a",  # the member's branch (MEMBER_CHANGE) may end it too
        refusal="您的角色没有“受理和派发服务工单”或“维护党员信息”的权限",
    ),
    Route(
        "api:service-double-report-rate",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=report,
        data=lambda s: {"year": 2026, "rating": "优秀"},
        ok_text="优秀",
    ),
    *SERVICE_ROUTES,
    # the roll's history: a member's timeline, posts at every level, the roll on a date
    Route("members:timeline", P.MEMBER_VIEW, kwargs=member, ok_text="党员档案时间线"),
    Route("members:org_posts", P.MEMBER_VIEW, kwargs=code, ok_text="任职记录"),
    Route(
        "members:org_posts",
        P.MEMBER_CHANGE,
        "post",
        kwargs=town,
        data=lambda s: {"term-post": "书记"},
        ok=400,
        ok_text="请填写任职党员的公民身份号码",
    ),
    Route(
        "members:roll_on", P.MEMBER_VIEW, kwargs=code, query="?on=2026-01-01", ok_text="党员名册"
    ),
    Route("members:post_term_end", P.MEMBER_CHANGE, "post", kwargs=lambda s: _term(s), ok=400),
    Route("api:member-timeline", P.MEMBER_VIEW, kwargs=member, ok_text="编入"),
    Route("api:org-roll", P.MEMBER_VIEW, kwargs=code, query="?on=2026-01-01"),
    # --- 党员教育培训 ---
    Route(
        "training:index",
        P.TRAINING_VIEW,
        query=lambda s: f"?org={s.town.code}",
        ok_text="达到规定学时的党员比例",
        hidden=lambda s: s.org.name,
    ),
    Route("training:export", P.TRAINING_VIEW, query=lambda s: f"?org={s.town.code}"),
    Route(
        "training:members",
        P.TRAINING_VIEW,
        query=lambda s: f"?org={s.org.code}",
        allowed="secretary_a",
        ok_text="本支部党员学时",
    ),
    Route(
        "training:members_export",
        P.TRAINING_VIEW,
        query=lambda s: f"?org={s.org.code}",
        allowed="secretary_a",
    ),
    Route(
        "training:courses",
        P.TRAINING_VIEW,
        ok_text="培训班",
        hidden=lambda s: training_course(s).title,
    ),
    Route("training:courses", P.TRAINING_MANAGE, "post", ok=400),
    Route(
        "training:course",
        P.TRAINING_VIEW,
        kwargs=lambda s: {"pk": training_course(s).pk},
        ok_text="参训党员",
    ),
    Route(
        "training:course_export", P.TRAINING_VIEW, kwargs=lambda s: {"pk": training_course(s).pk}
    ),
    Route(
        "training:course_action",
        P.TRAINING_MANAGE,
        "post",
        kwargs=lambda s: {"pk": training_course(s).pk, "action": "add"},
        ok=400,
    ),
    Route("api:training-figures", P.TRAINING_VIEW, query=lambda s: f"?org={s.town.code}"),
    Route(
        "api:training-members",
        P.TRAINING_VIEW,
        query=lambda s: f"?org={s.org.code}",
        allowed="secretary_a",
    ),
    Route("api:training-courses", P.TRAINING_VIEW, hidden=lambda s: training_course(s).title),
    Route(
        "api:training-courses",
        P.TRAINING_MANAGE,
        "post",
        data=lambda s: {
            "organizer": s.town.code,
            "title": "新登记的培训班",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "hours": "12",
            "members": [s.member.pk],
        },
        ok=201,
    ),
    Route("api:training-course", P.TRAINING_VIEW, kwargs=lambda s: {"pk": training_course(s).pk}),
    Route(
        "api:training-course",
        P.TRAINING_MANAGE,
        "delete",
        kwargs=lambda s: {"pk": training_course(s).pk},
        ok=204,
    ),
    Route(
        "api:training-participants",
        P.TRAINING_MANAGE,
        "post",
        kwargs=lambda s: {"pk": training_course(s).pk},
        data=lambda s: {"branch": s.org.code},
    ),
    # --- service: the photos of an order's work through the API, and removing one ---
    Route("api:service-order-photos", P.SERVICE_VIEW, kwargs=order, ok_text="现场.png"),
    # the order is not taken: the upload is refused with its state (or no file: 400)
    Route("api:service-order-photos", P.SERVICE_HANDLE, "post", kwargs=order, ok=400),
    Route(
        "api:service-order-photo",
        P.SERVICE_VIEW,
        kwargs=lambda s: {**order(s), "photo_id": s.order_photo.pk},
    ),
    Route(
        "api:service-order-photo",
        P.SERVICE_DISPATCH,
        "delete",
        kwargs=lambda s: {**order(s), "photo_id": s.order_photo.pk},
        ok=204,
        refusal="只有接单人或承办组织的派单人可以删除办理照片",
    ),
    Route(
        "service:photo_delete",
        P.SERVICE_DISPATCH,
        "post",
        kwargs=lambda s: {**order(s), "photo": s.order_photo.pk},
        ok=302,
        refusal="只有接单人或承办组织的派单人可以删除办理照片",
    ),
    *TRANSFER_ROUTES,
    *CARE_ROUTES,
    *LIANGXIN_ROUTES,
    *DUES_ROUTES,
]


# --- 流动党员 and 失联党员 (issue 14): each side's first member works away (see _mobile_world) ---


def _mobile(action: str) -> Any:
    return lambda s: {"pk": s.member.pk, "action": action}


MOBILE_ROUTES = [
    Route("mobile:index", P.MEMBER_VIEW, ok_text="待支部研究决定", hidden=branch_name),
    Route("mobile:hosted", P.MEMBER_VIEW, ok_text="流入本地的流动党员", hidden=branch_name),
    Route("mobile:figures", P.MEMBER_VIEW, ok_text="流出党员", hidden=branch_name),
    Route("mobile:member", P.MEMBER_VIEW, kwargs=member, ok_text="外出流动"),
    Route("mobile:card", P.MEMBER_VIEW, kwargs=member),
    Route(
        "mobile:member_action",
        P.MEMBER_CHANGE,
        "post",
        kwargs=_mobile("return"),
        data=lambda s: {"returned_on": "2026-02-01"},  # before the outflow: refused
        ok=400,
    ),
    Route("api:mobile-outflows", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:mobile-hosted", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:mobile-lost", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:mobile-flags", P.MEMBER_VIEW, ok_text="REL-TRANSFER", hidden=lambda s: s.org.code),
    Route("api:mobile-figures", P.MEMBER_VIEW, hidden=lambda s: s.org.code),
    Route("api:mobile-member", P.MEMBER_VIEW, kwargs=member, ok_text="330102"),
    Route(
        "api:mobile-member-outflow",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"region_code": "330102", "place": "杭州", "started_on": "2026-05-01"},
        ok=400,  # already away
    ),
    Route(
        "api:mobile-member-return",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"returned_on": "2026-11-01"},
    ),
    Route(
        "api:mobile-member-card",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"card_no": "ZJ-9", "issued_on": "2026-03-01"},
        ok_text="ZJ-9",
    ),
    Route(
        "api:mobile-member-activity",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"held_on": "2026-06-01", "subject": "主题党日"},
        ok=201,
    ),
    Route(
        "api:mobile-member-lost",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"since": "2026-01-01"},
        ok=201,
    ),
    Route(
        "api:mobile-member-search",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"done_on": "2026-06-01", "how": "电话", "done_by": "书记"},
        ok=400,  # not lost
    ),
    Route(
        "api:mobile-member-found",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"found_on": "2026-06-01"},
        ok=400,
    ),
    Route(
        "api:mobile-member-decide",
        P.MEMBER_CHANGE,
        "post",
        kwargs=member,
        data=lambda s: {"kind": "停止党籍", "started_on": "2026-06-01", "decided_by": "支部"},
        ok=400,
    ),
]
ROUTES += MOBILE_ROUTES


# --- 督查暗访 (issue 15): each town runs a 督查 of its branch with one finding (_inspection_world)


def inspection_plan(s: Side) -> dict[str, Any]:
    from dangjian.inspection.models import InspectionPlan

    return {"pk": InspectionPlan.objects.get(org=s.town).pk}


def inspection_visit(s: Side) -> dict[str, Any]:
    from dangjian.inspection.models import Visit

    return {"pk": Visit.objects.get(plan__org=s.town).pk}


def inspection_media(s: Side) -> dict[str, Any]:
    from dangjian.inspection.models import VisitMedia

    media = VisitMedia.objects.get(visit__plan__org=s.town)
    return {"pk": media.visit_id, "media_id": media.pk}


def inspection_finding(s: Side) -> dict[str, Any]:
    from dangjian.inspection.models import Finding

    return {"pk": Finding.objects.get(visit__plan__org=s.town).pk}


def inspection_title(s: Side) -> str:
    return f"{s.town.name}党建督查"


def _inspection_new(s: Side) -> dict[str, Any]:
    return {
        "title": "新督查",
        "kind": "巡查",
        "checklist_key": "dangjian-ducha",
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-31",
        "hand_picked": [str(s.org.pk)],
    }


def _inspection_visit(s: Side) -> dict[str, Any]:
    return {"org": str(s.org.pk), "visited_on": "2026-11-20", "result-D1": "符合"}


INSPECTION_ROUTES = [
    Route("inspection:index", P.INSPECTION_VIEW, ok_text="督查计划", hidden=inspection_title),
    Route("inspection:new", P.INSPECTION_MANAGE, ok_text="制定督查计划"),
    Route("inspection:new", P.INSPECTION_MANAGE, "post", data=_inspection_new, ok=302),
    Route("inspection:plan", P.INSPECTION_VIEW, kwargs=inspection_plan, ok_text="检查对象"),
    Route("inspection:publish", P.INSPECTION_MANAGE, "post", kwargs=inspection_plan, ok=302),
    Route(
        "inspection:visit_new", P.INSPECTION_VIEW, kwargs=inspection_plan, ok_text="记录现场检查"
    ),
    Route(
        "inspection:visit_new",
        P.INSPECTION_VIEW,
        "post",
        kwargs=inspection_plan,
        data=_inspection_visit,
        ok=302,
    ),
    Route("inspection:visit", P.INSPECTION_VIEW, kwargs=inspection_visit, ok_text="现场检查"),
    Route("inspection:media", P.INSPECTION_VIEW, kwargs=inspection_media),
    Route("inspection:findings", P.INSPECTION_VIEW, ok_text="督查发现问题", hidden=branch_name),
    Route(
        "inspection:finding_task",
        P.INSPECTION_MANAGE,
        "post",
        kwargs=inspection_finding,
        data=lambda s: {"owner": "支部书记", "deadline": "2026-12-20"},
        ok=302,
    ),
    Route(
        "inspection:finding_revisit",
        P.INSPECTION_MANAGE,
        "post",
        kwargs=inspection_finding,
        data=lambda s: {"passed": "1"},
        ok=400,  # not yet a rectification task: a Chinese refusal, nothing written
    ),
    Route("api:inspection-plans", P.INSPECTION_VIEW, hidden=inspection_title),
    Route(
        "api:inspection-plans",
        P.INSPECTION_MANAGE,
        "post",
        data=lambda s: {
            "title": "新督查",
            "kind": "督查",
            "checklist": "dangjian-ducha",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-31",
            "hand_picked": [s.org.code],
        },
        ok=201,
    ),
    Route("api:inspection-plan", P.INSPECTION_VIEW, kwargs=inspection_plan),
    Route(
        "api:inspection-plan-visit",
        P.INSPECTION_VIEW,
        "post",
        kwargs=inspection_plan,
        data=lambda s: {
            "org": s.org.code,
            "visited_on": "2026-11-21",
            "observations": [{"code": "D1", "result": "符合"}],
        },
        ok=201,
    ),
    Route("api:inspection-findings", P.INSPECTION_VIEW, hidden=branch_name),
    Route("api:inspection-visit-media", P.INSPECTION_VIEW, kwargs=inspection_visit),
    # a JSON body has no file: a Chinese refusal, nothing written (uploads: tests/inspection)
    Route("api:inspection-visit-media", P.INSPECTION_VIEW, "post", kwargs=inspection_visit, ok=400),
    Route(
        "api:inspection-visit-media-file",
        P.INSPECTION_VIEW,
        kwargs=lambda s: {
            "pk": inspection_media(s)["pk"],
            "attachment_id": inspection_media(s)["media_id"],
        },
    ),
    Route(
        "api:inspection-finding-task",
        P.INSPECTION_MANAGE,
        "post",
        kwargs=inspection_finding,
        data=lambda s: {"owner": "支部书记", "deadline": "2026-12-20"},
        ok=201,
    ),
    Route(
        "api:inspection-finding-revisit",
        P.INSPECTION_MANAGE,
        "post",
        kwargs=inspection_finding,
        data=lambda s: {"passed": True},
        ok=400,
    ),
]
ROUTES += INSPECTION_ROUTES


@world_part
def _inspection_world(world: dict[str, Any]) -> None:
    """Each town's 督查 of its branch: a visit with a photo and one finding (D4 不符合)."""
    import datetime as dt

    from dangjian.accounts.scope import SYSTEM
    from dangjian.inspection.services import (
        ObservationInput,
        PlanInput,
        media_add,
        plan_create,
        visit_record,
    )
    from tests.authz import PNG

    for side in (world["A"], world["B"]):
        plan = plan_create(
            actor=SYSTEM,
            data=PlanInput(
                title=inspection_title(side),
                kind="督查",
                org=side.town,
                checklist_key="dangjian-ducha",
                starts_on=dt.date(2026, 11, 1),
                ends_on=dt.date(2026, 12, 31),
                hand_picked=[side.org],
            ),
        )
        visit = visit_record(
            actor=SYSTEM,
            plan=plan,
            org=side.org,
            visited_on=dt.date(2026, 11, 10),
            observations=[ObservationInput("D4", "不符合", "主题党日无记录", "一般")],
        )
        media_add(actor=SYSTEM, visit=visit, name="现场.png", data=PNG)


# --- 典型培育与党建品牌 (issue 15): each side's branch has an example being cultivated (with one
# piece of evidence) and a named one (see _exemplar_world); the other side's named example is
# public, the one being cultivated is not


def _example(s: Side) -> dict[str, Any]:
    return {"pk": s.exemplar.pk}


def _example_evidence(s: Side) -> dict[str, Any]:
    return {"pk": s.exemplar.pk, "evidence_pk": s.exemplar_evidence.pk}


def _example_named(s: Side) -> dict[str, Any]:
    return {"pk": s.exemplar_named.pk}


def _example_title(s: Side) -> str:
    return s.exemplar.title


def _example_new(s: Side) -> dict[str, Any]:
    return {"org": s.org.code, "kind": "工作法", "title": "新的工作法", "summary": "做法和成效"}


def _example_edit(s: Side) -> dict[str, Any]:
    return {
        "kind": "工作法",
        "title": s.exemplar.title,
        "summary": "改过的简介",
        "sector": s.org.sector,
        "themes": "基层治理",
        "level": "县级",
    }


EXEMPLAR_ROUTES = [
    Route("exemplar:index", P.EXEMPLAR_VIEW, ok_text="典型培育", hidden=_example_title),
    Route("exemplar:new", P.EXEMPLAR_PROPOSE, ok_text="推荐典型"),
    Route("exemplar:new", P.EXEMPLAR_PROPOSE, "post", data=_example_new, ok=302),
    Route("exemplar:detail", P.EXEMPLAR_VIEW, kwargs=_example, ok_text="佐证"),
    Route("exemplar:edit", P.EXEMPLAR_PROPOSE, kwargs=_example, ok_text="修改典型"),
    Route("exemplar:edit", P.EXEMPLAR_PROPOSE, "post", kwargs=_example, data=_example_edit, ok=302),
    Route(
        "exemplar:name",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"named_on": "2026-11-23"},
        ok=302,
    ),
    Route(
        "exemplar:review",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"review_on": "2028-11-01"},
        ok=400,  # only a named example is reviewed
    ),
    Route(
        "exemplar:revoke",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"reason": "不再符合条件"},
        ok=302,
    ),
    Route(
        "exemplar:evidence",
        P.EXEMPLAR_PROPOSE,
        "post",
        kwargs=_example,
        data=lambda s: {"kind": "为民服务", "year": "2025"},
        ok=302,
    ),
    Route("exemplar:evidence_delete", P.EXEMPLAR_PROPOSE, "post", kwargs=_example_evidence, ok=302),
    Route("exemplar:public_index", None, anonymous=200),
    Route("exemplar:public_detail", None, kwargs=_example_named, anonymous=200),
    Route("api:exemplar-examples", P.EXEMPLAR_VIEW, hidden=_example_title),
    Route("api:exemplar-examples", P.EXEMPLAR_PROPOSE, "post", data=_example_new, ok=201),
    Route("api:exemplar-example", P.EXEMPLAR_VIEW, kwargs=_example),
    Route(
        "api:exemplar-example-name",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"named_on": "2026-11-23"},
    ),
    Route(
        "api:exemplar-example-review",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"review_on": "2028-11-01"},
        ok=400,
    ),
    Route(
        "api:exemplar-example-revoke",
        P.EXEMPLAR_NAME,
        "post",
        kwargs=_example,
        data=lambda s: {"reason": "不再符合条件"},
    ),
    Route(
        "api:exemplar-example-evidence",
        P.EXEMPLAR_PROPOSE,
        "post",
        kwargs=_example,
        data=lambda s: {"kind": "为民服务", "year": 2025},
        ok=201,
    ),
]
ROUTES += EXEMPLAR_ROUTES


@world_part
def _exemplar_world(world: dict[str, Any]) -> None:
    """Each side's branch: a practice being cultivated with a year of service figures as
    evidence, and a brand named by its town."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.exemplar.services import evidence_add, exemplar_name, exemplar_propose

    for side in (world["A"], world["B"]):
        side.exemplar = exemplar_propose(
            actor=SYSTEM,
            org=side.org,
            kind="工作法",
            title=f"{side.org.name}培育中的工作法",
            summary="做法",
        )
        side.exemplar_evidence = evidence_add(
            actor=SYSTEM, item=side.exemplar, kind="为民服务", year=2026
        )
        named = exemplar_propose(
            actor=SYSTEM, org=side.org, kind="党建品牌", title=f"{side.org.name}品牌", summary="…"
        )
        side.exemplar_named = exemplar_name(actor=SYSTEM, item=named, named_on=named.proposed_on)


@world_part
def _mobile_world(world: dict[str, Any]) -> None:
    """Each side's first member works away at a fixed place since 2026-03-01 (REL-TRANSFER is
    due on the suite's day), hosted by a branch of the other town."""
    import datetime as dt

    from dangjian.accounts.scope import SYSTEM
    from dangjian.mobile.services import OutflowInput, outflow_start

    for side in (world["A"], world["B"]):
        outflow_start(
            actor=SYSTEM,
            member=side.member,
            data=OutflowInput(
                region_code="330102",
                place="杭州市上城区",
                started_on=dt.date(2026, 3, 1),
                fixed_place=True,
                phone="13900001111",
            ),
        )


# --- 述职评议 (issue 15): each town holds its 2026 述职评议; the branch reports to it (see
# _review_world) -------------------------------------------------------------------------------


def review_report(s: Side) -> dict[str, Any]:
    from dangjian.review.models import Report

    return {"pk": Report.objects.get(org=s.org).pk}


def review_campaign(s: Side) -> dict[str, Any]:
    from dangjian.review.models import Campaign

    return {"pk": Campaign.objects.get(org=s.town).pk}


def _review_file(s: Side) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"files": SimpleUploadedFile("述职.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}


def review_report_file(s: Side) -> dict[str, Any]:
    """The side's report with a file (added the first time)."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.review.models import Report
    from dangjian.review.services import report_attach

    report = Report.objects.get(org=s.org)
    item = report.attachments.order_by("pk").first() or report_attach(
        actor=SYSTEM, report=report, name="述职.pdf", data=b"%PDF-1.4\n%%EOF\n"
    )
    return {"pk": report.pk, "file_id": item.pk}


def _api_file(s: Side) -> dict[str, Any]:
    kwargs = review_report_file(s)
    return {"pk": kwargs["pk"], "attachment_id": kwargs["file_id"]}


REVIEW_ROUTES = [
    Route("review:index", P.REVIEW_VIEW, ok_text="述职评议", hidden=lambda s: s.town.name),
    Route("review:new", P.REVIEW_MANAGE, "post", data=lambda s: {"year": "2025"}, ok=302),
    Route("review:campaign", P.REVIEW_VIEW, kwargs=review_campaign, ok_text="等次分布"),
    Route("review:results_file", P.REVIEW_VIEW, kwargs=review_campaign),
    Route("review:results_pdf", P.REVIEW_VIEW, kwargs=review_campaign),
    Route("review:report", P.REVIEW_VIEW, kwargs=review_report, ok_text="问题清单"),
    Route("review:meeting", P.REVIEW_VIEW, kwargs=review_report, ok_text="为民服务"),
    Route("review:file", P.REVIEW_VIEW, kwargs=review_report_file),
    Route(
        "review:submit",
        P.REVIEW_REPORT,
        "post",
        kwargs=review_report,
        allowed="secretary_a",
        data=lambda s: {"text": "述职报告正文"},
        ok=302,
    ),
    Route(
        "review:attach",
        P.REVIEW_REPORT,
        "post",
        kwargs=review_report,
        allowed="secretary_a",
        data=_review_file,
        ok=302,
    ),
    Route(
        "review:problems",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {"problems": "台账不全", "owner": "书记", "deadline": "2027-03-31"},
        ok=302,
    ),
    Route(
        "review:grade",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {"grade": "较好"},
        ok=302,
    ),
    Route("review:rate", P.REVIEW_MANAGE, kwargs=review_report, ok_text="登记票数"),
    Route(
        "review:rate",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {"n-0-0-0": "3"},
        ok=302,
    ),
    Route("api:review-campaigns", P.REVIEW_VIEW, ok_text="述职评议", hidden=lambda s: s.town.name),
    Route("api:review-campaigns", P.REVIEW_MANAGE, "post", data=lambda s: {"year": 2025}, ok=201),
    Route("api:review-campaign", P.REVIEW_VIEW, kwargs=review_campaign, ok_text="distribution"),
    Route("api:review-report", P.REVIEW_VIEW, kwargs=review_report, ok_text="problems"),
    Route("api:review-report-files", P.REVIEW_VIEW, kwargs=review_report),
    # a JSON body has no file: a Chinese refusal, nothing written (uploads: tests/review)
    Route(
        "api:review-report-files",
        P.REVIEW_REPORT,
        "post",
        kwargs=review_report,
        allowed="secretary_a",
        ok=400,
    ),
    Route("api:review-report-file", P.REVIEW_VIEW, kwargs=lambda s: _api_file(s)),
    Route(
        "api:review-report-submit",
        P.REVIEW_REPORT,
        "post",
        kwargs=review_report,
        allowed="secretary_a",
        data=lambda s: {"text": "述职报告正文"},
        ok_text="述职报告正文",
    ),
    Route(
        "api:review-report-problems",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {"problems": ["台账不全"], "owner": "书记", "deadline": "2027-03-31"},
        ok=201,
    ),
    Route(
        "api:review-report-ratings",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {
            "tallies": [{"rater_kind": "党代表", "item": "作风建设", "good": 3, "poor": 1}]
        },
    ),
    Route(
        "api:review-report-grade",
        P.REVIEW_MANAGE,
        "post",
        kwargs=review_report,
        data=lambda s: {"grade": "较好"},
        ok_text="较好",
    ),
]
ROUTES += REVIEW_ROUTES


@world_part
def _review_world(world: dict[str, Any]) -> None:
    """Each town opens its 2026 述职评议 (the village or community branch reports to it)."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.review.services import campaign_open

    for side in (world["A"], world["B"]):
        campaign_open(actor=SYSTEM, org=side.town, year=2026)


def test_every_route_is_declared() -> None:
    """A new route must be declared in ROUTES (with the permission it needs)."""
    routes = all_routes()
    declared = {r.name for r in ROUTES}
    missing = sorted(
        f"{name} ({pattern})" for name, pattern in routes.items() if name not in declared
    )
    assert not missing, "routes without an authorization declaration: " + ", ".join(missing)
    stale = declared - set(routes)
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"
    ids = [r.id for r in ROUTES]
    assert len(ids) == len(set(ids)), "a route and method is declared twice"


def _build_world() -> dict[str, Any]:
    world = build_world(build_tree())
    _add_transfers(world)
    for part in WORLD_PARTS:
        part(world)
    return world


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world is built once for the module's ~560 tests (each runs in a savepoint and
    leaves it as it found it)."""
    with rolled_back_after(django_db_blocker, _build_world) as world:
        yield world


@pytest.fixture
def tree(db, _module_world):
    """The ``tree`` the ``login`` and ``api`` fixtures name users of: the module's world."""
    return _module_world


@pytest.fixture
def world(db, _module_world):
    return _module_world


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_authorization(route: Route, world, login, api) -> None:
    check_route(route, world, login, api)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.is_write and not r.is_api and r.perm], ids=lambda r: r.id
)
def test_post_without_csrf_token_changes_nothing(route: Route, world, login) -> None:
    client = login(route.holder(), enforce_csrf_checks=True)
    before = state()
    response = client.post(route.url(world["A"]), route.data(world["A"]) if route.data else {})
    assert response.status_code == 403
    assert "跨站请求校验未通过" in response.content.decode()  # said in Chinese (issue 9)
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", THREE_ADMINS)
def test_the_three_administrators_see_no_personal_data(who: str, world, login, api) -> None:
    """三员分立 (issue 11): the 系统管理员, 安全管理员 and 审计管理员 are refused every route that
    shows persons — members, meeting minutes and attendance, ledgers, recruitment cases — and
    the pages they may open (the tree, the users page, …) name nobody."""
    check_admin_refusals(who, ROUTES, world, login, api)


def _term(s: Side) -> dict[str, Any]:
    """The post term of the side's branch written by :func:`_post_terms` before the test."""
    from dangjian.members.models import PostTerm

    return {"pk": PostTerm.objects.filter(org=s.org).values_list("pk", flat=True).get()}


@world_part
def _post_terms(world: dict[str, Any]) -> None:
    """A post term in each side's branch (for members:post_term_end), written with the world,
    before any test reads the state of the database."""
    import datetime as dt

    from dangjian.members.models import PostTerm

    for side in ("A", "B"):
        s = world[side]
        PostTerm.objects.get_or_create(
            member=s.member, org=s.org, post="委员", defaults={"started_on": dt.date(2020, 1, 1)}
        )


def training_course(s: Side) -> Any:
    """The training course each town holds for its branch's first member (built below)."""
    from dangjian.training.models import Course

    return Course.objects.get(organizer=s.town)


@world_part
def _training_courses(world: dict[str, Any]) -> None:
    """A course of each town with one participant, before any route is called (the training
    routes' object; made here so a refused call finds the database as it was)."""
    from tests.training.helpers import course

    for side in (world["A"], world["B"]):
        course(side.town, [side.member], title=f"{side.town.name}党员冬训班")


@world_part
def _care_world(world: dict[str, Any]) -> None:
    """困难党员帮扶: the first member of each side on the register (by the operator), and a
    second member free to be registered by a route."""
    import datetime as dt

    from dangjian.accounts.scope import SYSTEM
    from dangjian.care.services import hardship_register

    for key, free in (("A", "members_a"), ("B", "members_b")):
        side = world[key]
        hardship_register(
            actor=SYSTEM,
            member=side.member,
            reason="疾病",
            level="特别困难",
            since=dt.date(2026, 3, 1),
            note="住院治疗",
        )
        side.members_free = world[free][1]
