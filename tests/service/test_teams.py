"""红色志愿服务队: the services (create, change, deactivate, members in and out), their refusals
(nothing half-written), dispatching an order to a team or a 双报到 member, and taking and
resolving it by them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service import teams as t
from dangjian.service.choices import OrderState
from dangjian.service.models import TeamMembership, VolunteerTeam
from dangjian.service.selectors import order_get, worker_orders
from tests.factories import make_member, make_org, make_user


def _accepted(place, category="elderly"):
    order = s.order_submit(
        grid=place.grid, category=category, description="独居老人需要代购药品", phone="13800001111"
    )
    return s.order_accept(actor=place.dispatcher, order=order)


def test_a_team_with_its_members_of_each_kind(people):
    team = people.team
    assert team.services == ["environment", "elderly"]  # the file's order
    rows = {m.member.name: m for m in team.memberships.select_related("member")}
    assert rows["陈退休"].kind == "退休" and rows["陈退休"].user == people.retired_user
    # the 双报到 member: 在职 from the roll, their registration's account by default
    assert rows["林在职"].kind == "在职" and rows["林在职"].user == people.employed_user
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"service.team.create", "service.team.member_add"} <= actions


def test_the_kind_is_chosen_when_the_roll_does_not_say_and_checked_when_it_does(people):
    with pytest.raises(ValidationError) as exc:
        t.team_member_add(actor=people.dispatcher, team=people.team, member=people.farmer)
    assert "请选择在职、无职、退休或流动党员" in exc.value.message_dict["kind"][0]
    item = t.team_member_add(
        actor=people.dispatcher, team=people.team, member=people.farmer, kind="无职"
    )
    assert item.kind == "无职"
    other = t.team_create(actor=people.dispatcher, org=people.village, name="环境整治队")
    with pytest.raises(ValidationError) as exc:
        t.team_member_add(actor=people.dispatcher, team=other, member=people.retired, kind="在职")
    assert "应为退休党员" in exc.value.message_dict["kind"][0]
    # one member, several teams
    t.team_member_add(actor=people.dispatcher, team=other, member=people.retired)
    assert TeamMembership.objects.filter(member=people.retired).count() == 2


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(people):
    before = (VolunteerTeam.objects.count(), TeamMembership.objects.count())
    audit = AuditEntry.objects.filter(action__startswith="service.team").count()
    with pytest.raises(ValidationError) as exc:
        t.team_create(actor=people.dispatcher, org=people.village, name="  ", services=["nope"])
    assert exc.value.message_dict == {
        "name": ["请填写服务队名称"],
        "services": ["没有这些服务类别：nope"],
    }
    with pytest.raises(ValidationError) as exc:
        t.team_create(actor=people.dispatcher, org=people.village, name="东坑红色志愿服务队")
    assert "已有名为" in exc.value.message_dict["name"][0]
    stranger = make_member(people.other, name="赵西坑")
    with pytest.raises(ValidationError) as exc:
        t.team_member_add(actor=people.dispatcher, team=people.team, member=stranger, kind="无职")
    assert "不在东坑村党支部的党员名册中" in exc.value.message_dict["member"][0]
    with pytest.raises(ValidationError) as exc:
        t.team_member_add(actor=people.dispatcher, team=people.team, member=people.retired)
    assert "已是服务队" in exc.value.message_dict["member"][0]
    office_team_org = make_org(people.town, org_type="党支部", sector="机关")
    with pytest.raises(ValidationError) as exc:
        t.team_create(actor=people.town_admin, org=office_team_org, name="机关服务队")
    assert "不是村（社区）或乡镇（街道）党组织" in exc.value.message_dict["org"][0]
    no_handle = make_user(people.village, "inspector")
    with pytest.raises(ValidationError) as exc:
        t.team_create(actor=people.dispatcher, org=people.village, name="新队", leader=no_handle)
    assert "没有“办理服务工单”的权限" in exc.value.message_dict["leader"][0]
    far = make_user(people.other, "grid_worker")
    with pytest.raises(ValidationError) as exc:
        t.team_member_add(
            actor=people.dispatcher, team=people.team, member=people.farmer, kind="无职", user=far
        )
    assert "不属于东坑村党支部" in exc.value.message_dict["user"][0]
    assert (VolunteerTeam.objects.count(), TeamMembership.objects.count()) == before
    assert AuditEntry.objects.filter(action__startswith="service.team").count() == audit


def test_only_dispatchers_over_the_team_manage_it(people):
    with pytest.raises(PermissionDenied):
        t.team_create(actor=people.outsider, org=people.village, name="越权队")
    with pytest.raises(PermissionDenied):
        t.team_change(actor=people.worker, team=people.team, name="改名")
    with pytest.raises(PermissionDenied):
        t.team_deactivate(actor=people.outsider, team=people.team)
    # the town's dispatcher covers the village
    team = t.team_change(
        actor=people.town_admin, team=people.team, name="东坑先锋队", services=["safety"]
    )
    assert team.name == "东坑先锋队" and team.services == ["safety"]
    town_team = t.team_create(actor=people.town_admin, org=people.town, name="溪口镇服务总队")
    assert town_team.org == people.town


def test_remove_a_member_and_deactivate_a_team(people):
    item = TeamMembership.objects.get(team=people.team, member=people.retired)
    t.team_member_remove(actor=people.dispatcher, membership=item)
    assert not TeamMembership.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action="service.team.member_remove").count() == 1
    t.team_deactivate(actor=people.dispatcher, team=people.team)
    people.team.refresh_from_db()
    assert not people.team.active
    with pytest.raises(ValidationError, match="已经停用"):
        t.team_deactivate(actor=people.dispatcher, team=people.team)


def test_dispatch_to_a_team_then_a_member_with_an_account_takes_and_resolves(people):
    order = _accepted(people)
    s.order_dispatch(actor=people.dispatcher, order=order, team=people.team)
    order.refresh_from_db()
    assert order.dispatched_team == people.team and order.assignee is None
    assert order.events.last().note == "派往志愿服务队“东坑红色志愿服务队”"
    # every account of the team sees it; the employed member's account is bound to the office
    for user in (people.leader, people.retired_user, people.employed_user):
        assert order in worker_orders(user)
    assert order not in worker_orders(people.worker)
    assert order_get(people.employed_user, order.pk) == order
    with pytest.raises(PermissionDenied):
        s.order_take(actor=people.worker, order=order)
    # a team with an open order cannot be deactivated
    with pytest.raises(ValidationError, match="还有 1 件工单在办"):
        t.team_deactivate(actor=people.dispatcher, team=people.team)
    s.order_take(actor=people.employed_user, order=order)
    with pytest.raises(ValidationError, match="已被"):
        s.order_take(actor=people.retired_user, order=order)
    with pytest.raises(PermissionDenied):
        s.order_resolve(actor=people.leader, order=order, result="代购完成")
    s.order_resolve(actor=people.employed_user, order=order, result="已代购药品送到家")
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED and order.assignee == people.employed_user
    assert order not in worker_orders(people.employed_user)


def test_the_leader_may_take_a_team_order(people):
    order = _accepted(people)
    s.order_dispatch(actor=people.dispatcher, order=order, team=people.team)
    order = s.order_take(actor=people.leader, order=order)
    assert s.holds(people.leader, order) and not s.holds(people.retired_user, order)


def test_dispatch_to_a_double_report_member(people):
    order = _accepted(people, "policy")
    s.order_dispatch(actor=people.dispatcher, order=order, member=people.report)
    order.refresh_from_db()
    assert order.dispatched_member == people.report and order.assignee == people.employed_user
    assert order in worker_orders(people.employed_user)
    assert s.may_handle(people.employed_user, order) and not s.may_handle(people.worker, order)
    s.order_take(actor=people.employed_user, order=order)
    s.order_resolve(actor=people.employed_user, order=order, result="已解答医保报销政策")
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED


def test_dispatch_refusals(people):
    order = _accepted(people)
    bare = make_member(people.office, name="孙无号", category="在岗职工")
    report = t.double_report_register(
        actor=people.office_secretary,
        member=bare,
        community=people.village,
        registered_on=people.report.registered_on,
    )
    with pytest.raises(ValidationError) as exc:
        s.order_dispatch(actor=people.dispatcher, order=order, member=report)
    assert "没有登记本人账号，不能派单" in exc.value.message_dict["member"][0]
    empty = t.team_create(actor=people.dispatcher, org=people.village, name="空队")
    with pytest.raises(ValidationError) as exc:
        s.order_dispatch(actor=people.dispatcher, order=order, team=empty)
    assert "没有可以接单的账号" in exc.value.message_dict["team"][0]
    far = t.team_create(actor=people.outsider, org=people.other, name="西坑服务队")
    with pytest.raises(ValidationError) as exc:
        s.order_dispatch(actor=people.dispatcher, order=order, team=far)
    assert "不在承办组织的范围内" in exc.value.message_dict["team"][0]
    with pytest.raises(ValidationError) as exc:
        s.order_dispatch(actor=people.dispatcher, order=order, team=people.team, grid=people.grid)
    assert "选一个" in exc.value.message_dict["grid"][0]
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and order.events.count() == 2


def test_redispatch_to_a_grid_clears_the_team(people):
    order = _accepted(people)
    s.order_dispatch(actor=people.dispatcher, order=order, team=people.team)
    s.order_dispatch(actor=people.dispatcher, order=order, grid=people.grid)
    order.refresh_from_db()
    assert order.dispatched_team is None and order.dispatched_grid == people.grid
    assert order not in worker_orders(people.leader)


# --- the pages ---------------------------------------------------------------------------------

PHONE_UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"}


def test_team_pages_render_and_act(people, login):
    from django.urls import reverse

    from tests.assess.test_chinese_only import english_words

    d = login(people.dispatcher)
    page = d.get(reverse("service:teams"), **PHONE_UA).content.decode()
    assert "东坑红色志愿服务队" in page and "新建服务队" in page and "viewport" in page
    assert not [w for w in english_words(page) if not w.startswith("user")]
    r = d.post(reverse("service:teams"), {"org": people.village.code, "name": "", "area": ""})
    assert r.status_code == 400 and "请填写服务队名称" in r.content.decode()
    r = d.post(
        reverse("service:teams"),
        {"org": people.village.code, "name": "助老队", "services": ["elderly"]},
    )
    team = VolunteerTeam.objects.get(name="助老队")
    assert r.status_code == 302 and team.services == ["elderly"]
    detail = d.get(reverse("service:team", args=[people.team.pk])).content.decode()
    assert "陈退休" in detail and "退休党员" in detail and "王无职" in detail  # a candidate
    assert not [w for w in english_words(detail) if not w.startswith("user")]
    r = d.post(
        reverse("service:team_action", args=[people.team.pk, "add"]),
        {"member": people.farmer.pk, "kind": "流动"},
    )
    assert r.status_code == 302
    assert TeamMembership.objects.get(member=people.farmer).kind == "流动"
    # the grid worker sees, does not manage; the other village does not see
    w = login(people.worker)
    assert "加入队员" not in w.get(reverse("service:team", args=[people.team.pk])).content.decode()
    assert (
        w.post(reverse("service:team_action", args=[people.team.pk, "deactivate"])).status_code
        == 403
    )
    o = login(people.outsider)
    assert o.get(reverse("service:team", args=[people.team.pk])).status_code == 404


def test_the_order_page_dispatches_to_a_team(people, login):
    from django.urls import reverse

    order = _accepted(people)
    d = login(people.dispatcher)
    page = d.get(reverse("service:order", args=[order.pk])).content.decode()
    assert f'value="team:{people.team.pk}"' in page and "双报到党员：林在职" in page
    r = d.post(
        reverse("service:decide", args=[order.pk, "dispatch"]),
        {"target": f"team:{people.team.pk}"},
    )
    assert r.status_code == 302
    # the employed member, bound to the office branch, takes it on the order page
    e = login(people.employed_user)
    assert order.tracking_code in e.get(reverse("service:mine")).content.decode()
    page = e.get(reverse("service:order", args=[order.pk])).content.decode()
    assert "东坑红色志愿服务队" in page and "接单" in page
    r = e.post(reverse("service:work", args=[order.pk, "take"]))
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.TAKEN and order.assignee == people.employed_user
