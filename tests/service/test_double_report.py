"""双报到: registration by the member's branch, its refusals, ending it, the community's yearly
rating, who sees it (both sides) and the organization-level figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service import teams as t
from dangjian.service.models import DoubleReport, DoubleReportRating
from dangjian.service.selectors import double_report_figures, double_reports_for
from tests.factories import make_member

D = dt.date


def test_registration_is_recorded_and_audited(people):
    report = people.report
    assert report.active and report.member.org == people.office
    assert report.community == people.village and report.services == ["policy"]
    entry = AuditEntry.objects.get(action="service.double_report.register")
    assert entry.scope_path == people.office.path


def test_bad_registrations_are_refused_and_nothing_is_written(people):
    count = DoubleReport.objects.count()
    # already registered
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=people.office_secretary,
            member=people.employed,
            community=people.other,
            registered_on=D(2026, 5, 1),
        )
    assert "已于 2026-03-01 到东坑村党支部报到" in exc.value.message_dict["member"][0]
    fresh = make_member(people.office, name="周新", category="在岗职工")
    # not a village or community, and a date ahead
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=people.office_secretary,
            member=fresh,
            community=people.office,
            registered_on=D(2026, 12, 30),
        )
    assert "不是村（社区）党组织" in exc.value.message_dict["community"][0]
    assert exc.value.message_dict["registered_on"] == ["报到日期不能晚于今天"]
    # a member of another subtree
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=people.dispatcher,
            member=fresh,
            community=people.village,
            registered_on=D(2026, 5, 1),
        )
    assert exc.value.message_dict["member"] == ["党员不存在或不在您的管辖范围内"]
    # a retired member, and an account not of the member's branch
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=people.town_admin,
            member=people.retired,
            community=people.other,
            registered_on=D(2026, 5, 1),
            user=people.worker,
        )
    assert "离退休人员" in exc.value.message_dict["member"][0]
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=people.office_secretary,
            member=fresh,
            community=people.village,
            registered_on=D(2026, 5, 1),
            user=people.worker,
        )
    assert "不能作为本人账号" in exc.value.message_dict["user"][0]
    # the member's own village
    farmer_secretary = people.dispatcher
    with pytest.raises(ValidationError) as exc:
        t.double_report_register(
            actor=farmer_secretary,
            member=people.farmer,
            community=people.village,
            registered_on=D(2026, 5, 1),
        )
    assert "无需双报到" in exc.value.message_dict["community"][0]
    assert DoubleReport.objects.count() == count
    with pytest.raises(PermissionDenied):
        t.double_report_register(
            actor=people.worker,
            member=fresh,
            community=people.village,
            registered_on=D(2026, 5, 1),
        )


def test_both_sides_see_it_and_count_it(people):
    assert people.report in double_reports_for(people.dispatcher)  # the community
    assert people.report in double_reports_for(people.office_secretary)  # the employer branch
    assert people.report not in double_reports_for(people.outsider)
    village = double_report_figures(people.village.path, 2026)
    office = double_report_figures(people.office.path, 2026)
    town = double_report_figures(people.town.path, 2026)
    assert (village["with_us"], village["ours_out"]) == (1, 0)
    assert (office["with_us"], office["ours_out"]) == (0, 1)
    assert (town["with_us"], town["ours_out"]) == (1, 1)


def test_the_community_rates_once_a_year(people):
    item = t.double_report_rate(
        actor=people.dispatcher, report=people.report, year=2026, rating="优秀", note="热心"
    )
    assert item.rating == "优秀" and item.rated_by == people.dispatcher
    again = t.double_report_rate(
        actor=people.dispatcher, report=people.report, year=2026, rating="合格"
    )
    assert again.pk == item.pk and DoubleReportRating.objects.count() == 1
    entries = AuditEntry.objects.filter(action="service.double_report.rate").order_by("seq")
    assert entries.count() == 2 and entries.last().before["rating"] == "优秀"
    figures = double_report_figures(people.office.path, 2026)
    assert ("合格", "合格", 1) in figures["ratings"]
    with pytest.raises(ValidationError) as exc:
        t.double_report_rate(actor=people.dispatcher, report=people.report, year=2025, rating="X")
    assert set(exc.value.message_dict) == {"year", "rating"}
    # the employer branch does not rate; the community does
    with pytest.raises(PermissionDenied):
        t.double_report_rate(
            actor=people.office_secretary, report=people.report, year=2026, rating="优秀"
        )


def test_ending_a_registration(people):
    order = s.order_submit(
        grid=people.grid, category="policy", description="咨询医保报销比例", phone="13800001111"
    )
    s.order_accept(actor=people.dispatcher, order=order)
    s.order_dispatch(actor=people.dispatcher, order=order, member=people.report)
    with pytest.raises(ValidationError, match="还有 1 件"):
        t.double_report_end(actor=people.office_secretary, report=people.report)
    s.order_take(actor=people.employed_user, order=order)
    s.order_resolve(actor=people.employed_user, order=order, result="已解答")
    with pytest.raises(PermissionDenied):
        t.double_report_end(actor=people.outsider, report=people.report)
    with pytest.raises(ValidationError, match="不能早于报到日期"):
        t.double_report_end(actor=people.dispatcher, report=people.report, ended_on=D(2026, 1, 1))
    report = t.double_report_end(actor=people.dispatcher, report=people.report)
    assert report.ended_on == D(2026, 11, 23) and not report.active
    with pytest.raises(ValidationError, match="已于 2026-11-23 结束"):
        t.double_report_end(actor=people.office_secretary, report=report)
    # registered again elsewhere once ended
    again = t.double_report_register(
        actor=people.office_secretary,
        member=people.employed,
        community=people.other,
        registered_on=D(2026, 11, 23),
        user=people.employed_user,
    )
    assert again.active and DoubleReport.objects.filter(member=people.employed).count() == 2
    assert double_report_figures(people.village.path, 2026)["with_us"] == 0


def test_double_report_pages(people, login):
    from django.urls import reverse

    from tests.assess.test_chinese_only import english_words

    b = login(people.office_secretary)
    page = b.get(reverse("service:double_reports")).content.decode()
    assert (
        "林在职" in page
        and "登记双报到" in page
        and not [w for w in english_words(page) if not w.startswith("user")]
    )
    fresh = make_member(people.office, name="吴登记", category="在岗职工")
    r = b.post(
        reverse("service:double_reports"),
        {"member": fresh.pk, "community": people.office.code, "registered_on": "2026-05-01"},
    )
    assert r.status_code == 400 and "不是村（社区）党组织" in r.content.decode()
    r = b.post(
        reverse("service:double_reports"),
        {"member": fresh.pk, "community": people.village.code, "registered_on": "2026-05-01"},
    )
    assert r.status_code == 302 and DoubleReport.objects.filter(member=fresh).exists()
    c = login(people.dispatcher)
    detail = c.get(reverse("service:double_report", args=[people.report.pk])).content.decode()
    assert (
        "镇机关党支部" in detail
        and "保存评价" in detail
        and not [w for w in english_words(detail) if not w.startswith("user")]
    )
    r = c.post(
        reverse("service:double_report_action", args=[people.report.pk, "rate"]),
        {"year": "2026", "rating": "优秀"},
    )
    assert r.status_code == 302 and people.report.ratings.get().rating == "优秀"
    assert (
        login(people.outsider)
        .get(reverse("service:double_report", args=[people.report.pk]))
        .status_code
        == 404
    )


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_reads_and_creates(people, api):
    c = api(people.town_admin)
    rows = c.get("/api/v1/service/double-reports/").json()["results"]
    assert [r["name"] for r in rows] == ["林在职"]
    assert rows[0]["community"] == people.village.code and rows[0]["has_account"] is True
    assert "id_number" not in rows[0] and "phone" not in str(rows[0])
    one = c.get(f"/api/v1/service/double-reports/{people.report.pk}/").json()
    assert one["org"] == people.office.code and one["ratings"] == []
    fresh = make_member(people.office, name="郑接口", category="在岗职工")
    bad = c.post(
        "/api/v1/service/double-reports/",
        {"member": fresh.pk, "community": people.office.code, "registered_on": "2026-05-01"},
        format="json",
    )
    assert bad.status_code == 400 and "不是村（社区）党组织" in bad.json()["community"][0]
    ok = c.post(
        "/api/v1/service/double-reports/",
        {"member": fresh.pk, "community": people.other.code, "registered_on": "2026-05-01"},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["community_name"] == "西坑村党支部"
    teams = c.get("/api/v1/service/teams/").json()["results"]
    assert teams[0]["name"] == "东坑红色志愿服务队"
    assert {m["kind"] for m in teams[0]["members"]} == {"在职", "退休"}
    made = c.post(
        "/api/v1/service/teams/",
        {"org": people.village.code, "name": "接口服务队", "services": ["safety"]},
        format="json",
    )
    assert made.status_code == 201 and made.json()["services"] == ["safety"]
    again = c.post(
        "/api/v1/service/teams/", {"org": people.village.code, "name": ""}, format="json"
    )
    assert again.status_code == 400
    # outside the subtree: 404; without the permission to dispatch: 403
    o = api(people.outsider)
    assert o.get(f"/api/v1/service/teams/{people.team.pk}/").status_code == 404
    w = api(people.worker)
    r = w.post("/api/v1/service/teams/", {"org": people.village.code, "name": "X"}, format="json")
    assert r.status_code == 403


# --- the indicator -----------------------------------------------------------------------------


def test_the_double_report_members_indicator(people):
    from dangjian.assess.indicators import REGISTRY, IndicatorContext, compute_all

    assert REGISTRY["double_report_members"].unit == "count"
    ctx = IndicatorContext(
        org_ids=[people.village.pk, people.other.pk, people.town.pk, people.office.pk],
        prefix=people.town.path,
        start=D(2026, 1, 1),
        end=D(2026, 12, 31),
        at=D(2026, 11, 23),
    )
    values = compute_all(ctx, ["double_report_members"])["double_report_members"]
    village = values[people.village.pk]
    # the village's grids record 120 + 80 households
    assert village.value == 1.0
    assert village.evidence == {"registrations": 1, "households": 200, "per_100_households": 0.5}
    assert "每百户 0.5 名" in village.display
    assert values[people.other.pk].value == 0.0
    assert values[people.town.pk].value == 1.0
    assert values[people.office.pk].value is None  # an office branch: 不适用
    # ended before the end of the window: not counted
    t.double_report_end(actor=people.dispatcher, report=people.report, ended_on=D(2026, 6, 30))
    ctx = IndicatorContext(
        org_ids=[people.village.pk],
        prefix=people.town.path,
        start=D(2026, 1, 1),
        end=D(2026, 12, 31),
        at=D(2026, 11, 23),
    )
    assert (
        compute_all(ctx, ["double_report_members"])["double_report_members"][
            people.village.pk
        ].value
        == 0.0
    )


STANDARD = """\
key: shequ_fuwu
name: 社区为民服务考核（示例）
version: "2026.1"
valid_from: 2026-01-01
source: 本平台示例
sectors: [社区]
items:
  - id: "1"
    title: 在职党员双报到
    points: 100
    criteria:
      - id: "1.1"
        text: 在职党员到社区报到（双报到）人数
        points: 100
        mode: automatic
        indicator: double_report_members
        scoring:
          thresholds:
            - {at_least: 20, points: 100}
            - {at_least: 10, points: 60}
        missing: zero
"""


def test_a_standard_may_score_double_report_members():
    from dangjian.assess.standard import parse_standard

    standard = parse_standard(STANDARD)
    (criterion,) = standard.items[0].criteria
    assert criterion.indicator == "double_report_members"
