"""述职评议 services: who reports (from the posts), validation, the distribution rule, scope,
audit, the problem list → rectification tasks, the indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.assess.indicators import IndicatorContext
from dangjian.core.models import AuditEntry
from dangjian.rectify.choices import PlanReason
from dangjian.rectify.models import RectificationPlan, RectificationTask
from dangjian.review import services
from dangjian.review.models import Campaign, Report
from dangjian.review.selectors import ballots_of, reports_for
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def _open(place, **kw):
    return services.campaign_open(actor=place.town_admin, org=place.town, year=2026, **kw)


def test_reporters_come_from_the_posts(place):
    campaign = _open(place)
    got = {(r.org.name, r.secretary_name) for r in campaign.reports.all()}
    # the 机关 branch does not report to the town; the villages' secretaries do
    assert got == {("东坑村党支部", "王建军"), ("西坑村党支部", "李国强")}
    entry = AuditEntry.objects.get(action="review.campaign.open")
    assert entry.after["reports"] == 2


def test_district_campaign_takes_the_towns(place):
    campaign = services.campaign_open(actor=place.root_admin, org=place.root, year=2026)
    assert {r.org.name for r in campaign.reports.all()} == {"溪口镇党委", "城东街道党工委"}
    assert {r.secretary_name for r in campaign.reports.all()} == {""}  # vacant: no post recorded


def test_bad_input_is_refused_in_chinese_and_writes_nothing(place):
    with pytest.raises(ValidationError) as exc:
        _open(place, rater_kinds=["路人"], grade_rule={"优秀": 2}, items=["x" * 60])
    text = str(exc.value.message_dict)
    assert "评议人员类别“路人”无效" in text
    assert "不是评议等次" in text
    assert "评议项目名称过长" in text
    assert not Campaign.objects.exists() and not Report.objects.exists()
    _open(place)
    with pytest.raises(ValidationError, match="已组织过 2026 年度"):
        _open(place)
    with pytest.raises(ValidationError, match="党支部下没有需要述职的书记"):
        services.campaign_open(actor=place.root_admin, org=place.village, year=2026)


def test_scope(place):
    with pytest.raises(PermissionDenied):
        services.campaign_open(actor=place.other_admin, org=place.town, year=2026)
    campaign = _open(place)
    mine = campaign.reports.get(org=place.village)
    assert list(reports_for(place.secretary, campaign)) == [mine]
    assert not reports_for(place.other_admin, campaign).exists()
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=place.secretary2, report=mine, text="述职")
    with pytest.raises(PermissionDenied):
        services.grade_set(actor=place.secretary, report=mine, grade="好")


def test_report_ballots_and_grade_with_the_distribution_rule(place):
    campaign = _open(place, grade_rule={"好": 0.5})
    first, second = campaign.reports.order_by("org__path")
    services.report_submit(actor=place.secretary, report=first, text="一年来抓党建工作情况……")
    services.report_attach(
        actor=place.secretary, report=first, name="述职.pdf", data=b"%PDF-1.4\n%%EOF\n"
    )
    assert first.attachments.count() == 1
    item = campaign.items[0]
    services.ratings_record(
        actor=place.town_admin,
        report=first,
        ballots={("党代表", item): {"好": "8", "较好": "2", "一般": "0", "差": "0"}},
    )
    assert ballots_of(first).proposed == "好"
    with pytest.raises(ValidationError, match="票数须为 0 到"):
        services.ratings_record(
            actor=place.town_admin, report=first, ballots={("党代表", item): {"好": "-1"}}
        )
    with pytest.raises(ValidationError, match="不在本次述职评议的设置中"):
        services.ratings_record(
            actor=place.town_admin, report=first, ballots={("党代表", "别的"): {"好": "1"}}
        )
    assert ballots_of(first).counts["好"] == 8  # the refusals changed nothing
    services.grade_set(actor=place.town_admin, report=first, grade="好")
    # 2 organizations × 50% = at most one 好
    with pytest.raises(ValidationError) as exc:
        services.grade_set(actor=place.town_admin, report=second, grade="好")
    assert "“好”等次不得超过参评组织的 50%（共 2 个组织，最多 1 个），已评定 1 个" in str(exc.value)
    second.refresh_from_db()
    assert second.grade == ""
    services.grade_set(actor=place.town_admin, report=second, grade="较好")
    with pytest.raises(ValidationError, match="已评定等次，不能再修改"):
        services.report_submit(actor=place.secretary, report=first, text="改")
    assert AuditEntry.objects.filter(action="review.grade.set").count() == 2


def test_problem_list_becomes_rectification_tasks(place):
    campaign = _open(place)
    report = campaign.reports.get(org=place.village)
    deadline = dt.date(2027, 3, 31)
    made = services.problems_give(
        actor=place.town_admin,
        report=report,
        problems=["三会一课记录不全", "", "发展党员偏少"],
        owner="村党支部书记",
        deadline=deadline,
    )
    plan = RectificationPlan.objects.get(org=place.village)
    assert plan.reason == PlanReason.REVIEW
    assert [p.task.what for p in made] == ["三会一课记录不全", "发展党员偏少"]
    assert all(p.task.plan_id == plan.pk for p in made)
    # a second list goes into the same open plan (一支一策)
    services.problems_give(
        actor=place.town_admin,
        report=report,
        problems=["阵地建设"],
        owner="书记",
        deadline=deadline,
    )
    assert RectificationPlan.objects.filter(org=place.village).count() == 1
    assert RectificationTask.objects.filter(plan=plan).count() == 3
    with pytest.raises(ValidationError, match="请至少填写一个问题"):
        services.problems_give(
            actor=place.town_admin, report=report, problems=[" "], owner="书记", deadline=deadline
        )
    with pytest.raises(ValidationError, match="完成时限"):
        services.problems_give(
            actor=place.town_admin,
            report=report,
            problems=["x"],
            owner="书记",
            deadline=dt.date(2020, 1, 1),
        )
    assert RectificationTask.objects.filter(plan=plan).count() == 3


def test_indicator_value(place):
    campaign = _open(place)
    report = campaign.reports.get(org=place.village)
    services.grade_set(actor=place.town_admin, report=report, grade="较好")
    other = make_org(place.town, org_type="党支部", sector="农村", name="南坑村党支部")
    ctx = IndicatorContext(
        org_ids=[place.village.pk, other.pk],
        prefix=place.town.path,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        at=dt.date(2026, 11, 23),
    )
    values = ctx.compute("secretary_review_grade")
    assert values[place.village.pk].value == 3.0
    assert "较好" in values[place.village.pk].display
    assert other.pk not in values


def test_the_bulletins_table_by_organization_shows_the_grade(place):
    """The assessment bulletin's table by organization (upper level only) carries each
    organization's 述职评议 grade of the assessed period beside its score."""
    import io

    from openpyxl import load_workbook

    from dangjian.accounts.scope import SYSTEM
    from dangjian.rectify.bulletin import bulletin_build, campaign_ranking, export_pdf, export_xlsx
    from tests.rectify.helpers import add_result, make_campaign

    review = _open(place)
    services.grade_set(
        actor=place.town_admin, report=review.reports.get(org=place.village), grade="较好"
    )
    assess = make_campaign(
        place.town, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
    )
    add_result(assess, place.village, 91)
    add_result(assess, place.village2, 85)
    ranking = campaign_ranking(SYSTEM, assess)
    assert [(r.name, r.extra) for r in ranking] == [
        ("东坑村党支部", ("较好（2026 年）",)),
        ("西坑村党支部", ("",)),  # not graded yet
    ]
    assert ranking[0].extra_cells == [("书记述职评议等次", "较好（2026 年）")]
    book = load_workbook(io.BytesIO(export_xlsx(bulletin_build(SYSTEM, assess), ranking)))
    rows = list(book.worksheets[-1].iter_rows(values_only=True))
    assert rows[0][-1] == "书记述职评议等次" and rows[1][-1] == "较好（2026 年）"
    assert export_pdf(bulletin_build(SYSTEM, assess), ranking)[:5] == b"%PDF-"
    # an assessment of another year does not show this year's grade
    other = make_campaign(place.town, name="2025 年度星级评定")
    add_result(other, place.village, 80)
    assert campaign_ranking(SYSTEM, other)[0].extra == ("",)


def test_results_export_by_organization(place):
    import io

    from openpyxl import load_workbook

    from dangjian.review.exports import results_xlsx

    campaign = _open(place)
    report = campaign.reports.get(org=place.village)
    services.grade_set(actor=place.town_admin, report=report, grade="一般")
    book = load_workbook(io.BytesIO(results_xlsx(campaign, campaign.reports.all())))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    assert "一般 1 个" in rows[1][0] and "不对个人排名" in rows[1][0]
    by_org = {r[1]: r for r in rows[3:]}
    assert by_org["东坑村党支部"][8] == "一般"
    assert by_org["西坑村党支部"][8] == "未评定"
    assert not any("王建军" in str(c) for r in rows for c in r)  # no person in the results


def test_a_standard_can_score_the_indicator():
    from pathlib import Path

    import dangjian.assess.standards as standards
    from dangjian.assess.standard import parse_standard

    text = (Path(standards.__file__).parent / "wuhao.yaml").read_text(encoding="utf-8")
    changed = text.replace("indicator: term_in_force", "indicator: secretary_review_grade", 1)
    assert changed != text
    standard = parse_standard(changed)
    names = {c.indicator for item in standard.items for c in item.criteria}
    assert "secretary_review_grade" in names


def test_results_from_ballots_match_the_report_pages(place):
    from dangjian.review.selectors import results_from_ballots

    campaign = _open(place, grade_rule={"好": 0.5})
    item = campaign.items[0]
    for report, votes in zip(
        campaign.reports.order_by("org__path"), [{"好": 9, "较好": 1}, {"好": 6}], strict=True
    ):
        services.ratings_record(
            actor=place.town_admin, report=report, ballots={("党代表", item): votes}
        )
        assert ballots_of(report).proposed == "好"
    res = results_from_ballots(Campaign.objects.all())[campaign.pk]
    assert res.reports == 2 and res.proposed["好"] == 2
    assert res.over_rule == {"好": 1}  # at most one 好 of two
