"""晾晒通报: figures on planted data, 点好面差 flag, rectification progress, exports, ranking."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Region
from dangjian.rectify.bulletin import (
    GROUP_HEADERS,
    bulletin_build,
    campaign_ranking,
    export_pdf,
    export_xlsx,
)
from dangjian.rectify.models import RectificationTask
from dangjian.rectify.services import task_confirm, task_report_done
from tests.factories import make_org
from tests.rectify.helpers import add_result, make_campaign, weak_plan

UNEVEN = "120101001"  # 甲镇: one showcase branch, many lagging ones
EVEN = "120101002"  # 乙镇: all middle


@pytest.fixture
def planted(tree):
    Region.objects.create(code=UNEVEN + "000", name="甲镇")
    campaign = make_campaign(tree["root"])
    town_a, town_b = tree["town_a"], tree["town_b"]
    uneven = [
        make_org(town_a, sector="农村", region_code=f"{UNEVEN}{200 + i:03d}") for i in range(8)
    ]
    even = [make_org(town_b, sector="社区", region_code=f"{EVEN}{200 + i:03d}") for i in range(4)]
    add_result(campaign, uneven[0], 96, tier="advanced", stars=5)
    add_result(campaign, uneven[1], 82, tier="middle", stars=4)
    for org, total in zip(uneven[2:], (55, 52, 50, 48, 45, 41), strict=True):
        add_result(campaign, org, total, tier="lagging", stars=0)
    for org, total in zip(even, (78, 80, 76, 79), strict=True):
        add_result(campaign, org, total, tier="middle", stars=3)
    return {"campaign": campaign, "uneven": uneven, "even": even}


def _region(b, key):
    return next(g for g in b.regions if g.key == key)


@pytest.mark.django_db
def test_region_figures_and_uneven_flag(tree, planted):
    b = bulletin_build(tree["admin"], planted["campaign"])
    a, e = _region(b, UNEVEN), _region(b, EVEN)
    assert a.label == "甲镇（120101001）"  # from the Region table
    assert e.label == EVEN  # no name known
    tree["town_b"].__class__.objects.filter(pk=tree["town_b"].pk).update(region_code=EVEN + "000")
    named = bulletin_build(tree["admin"], planted["campaign"])
    assert _region(named, EVEN).label == f"乙街道党工委（{EVEN}）"  # the town's own committee
    assert a.n == 8 and e.n == 4 and b.overall.n == 12
    assert a.stars == {5: 1, 4: 1, 3: 0, 0: 6}
    assert a.tiers == {"advanced": 1, "middle": 1, "lagging": 6}
    assert a.showcase == 1 and a.weak == 6
    assert a.advanced_share == pytest.approx(1 / 8) and a.lagging_share == pytest.approx(0.75)
    assert a.mean == pytest.approx(58.62, abs=0.01)
    assert a.stdev > 15 > e.stdev
    assert (a.low, a.high) == (41, 96)
    assert a.uneven and "点好面差" in a.uneven_note
    assert not e.uneven  # no showcase, nothing weak
    assert b.flagged == [a] and b.regions[0] is a  # flagged regions first
    sectors = {g.key: g for g in b.sectors}
    assert sectors["农村"].n == 8 and sectors["社区"].n == 4


@pytest.mark.django_db
def test_weak_plan_counts_as_weak_and_progress(tree, planted):
    campaign, even = planted["campaign"], planted["even"]
    plan = weak_plan(even[0], tasks=2)  # an open 软弱涣散 plan, not lagging in the results
    late, other = plan.tasks.order_by("pk")
    RectificationTask.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    task_report_done(actor=tree["admin_b"], task=other)
    task_confirm(actor=tree["admin"], task=other)
    b = bulletin_build(tree["admin"], campaign)
    e = _region(b, EVEN)
    assert e.weak == 1
    r = e.rectification
    assert (r.plans, r.tasks, r.confirmed, r.overdue) == (1, 2, 1, 1)
    assert b.overall.rectification.tasks == 2


@pytest.mark.django_db
def test_scoped_to_actor_subtree(tree, planted):
    b = bulletin_build(tree["admin_b"], planted["campaign"])
    assert [g.key for g in b.regions] == [EVEN] and b.overall.n == 4
    with pytest.raises(PermissionDenied):
        bulletin_build(tree["sysadmin"], planted["campaign"])


@pytest.mark.django_db
def test_ranking_upper_level_only(tree, planted):
    campaign = planted["campaign"]
    ranking = campaign_ranking(tree["admin"], campaign)
    assert ranking[0].total == 96 and ranking[0].rank == 1
    assert [r.rank for r in ranking[:4]] == [1, 2, 3, 4]
    for who in ("admin_a", "secretary_a", "inspector_a"):
        with pytest.raises(PermissionDenied):
            campaign_ranking(tree[who], campaign)


@pytest.mark.django_db
def test_ranking_ties_share_a_rank(tree):
    campaign = make_campaign(tree["root"])
    for total in (90, 80, 80, 70):
        add_result(campaign, make_org(tree["town_a"]), total)
    assert [r.rank for r in campaign_ranking(SYSTEM, campaign)] == [1, 2, 2, 4]


@pytest.mark.django_db
def test_xlsx_round_trip(tree, planted):
    b = bulletin_build(tree["admin"], planted["campaign"])
    data = export_xlsx(b)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["按地区", "按领域", "点好面差"]
    ws = wb["按地区"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2025 年度星级评定 晾晒通报"
    assert list(rows[2]) == ["地区", "代码", *GROUP_HEADERS]
    by_key = {r[1]: dict(zip(GROUP_HEADERS, r[2:], strict=True)) for r in rows[3:]}
    a = by_key[UNEVEN]
    assert a["组织数"] == 8 and a["五星"] == 1 and a["后进"] == 6 and a["未评星"] == 6
    assert a["后进占比"] == 75.0 and a["点好面差"] == "是"
    assert a["平均分"] == pytest.approx(58.62, abs=0.01)
    assert by_key[EVEN]["点好面差"] is None
    assert rows[-1][0] == "合计" and rows[-1][2] == 12
    assert "排名（仅供上级）" not in wb.sheetnames  # not published by default
    ranked = load_workbook(io.BytesIO(export_xlsx(b, campaign_ranking(tree["admin"], b.campaign))))
    sheet = ranked["排名（仅供上级）"]
    first = next(sheet.iter_rows(min_row=2, values_only=True))
    assert first[0] == 1 and first[4] == 96 and first[5] == 5


@pytest.mark.django_db
def test_pdf_export(tree, planted):
    b = bulletin_build(tree["admin"], planted["campaign"])
    data = export_pdf(b)
    assert data.startswith(b"%PDF-") and len(data) > 1000


@pytest.mark.django_db
def test_query_count_constant(tree, planted, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as ctx:
        bulletin_build(tree["admin"], planted["campaign"])
    n = len(ctx.captured_queries)
    for i in range(20):
        org = make_org(tree["town_a"], region_code=f"120101003{i:03d}")
        add_result(planted["campaign"], org, 60 + i)
    with django_assert_max_num_queries(n):
        bulletin_build(tree["admin"], planted["campaign"])


@pytest.mark.django_db
def test_bad_region_level(tree, planted):
    with pytest.raises(ValueError, match="地区层级"):
        bulletin_build(tree["admin"], planted["campaign"], region_digits=7)


@pytest.mark.django_db
def test_findings_counts_from_the_store_equal_those_from_the_records(
    tree, planted, settings, today
):
    from dangjian.rules.store import refresh

    def figures(b):
        return [(g.key, g.findings, g.n) for g in [b.overall, *b.regions, *b.sectors]]

    settings.DANGJIAN_FINDINGS_STORE = False
    from_records = bulletin_build(tree["admin"], planted["campaign"], with_findings=True)
    assert from_records.findings_from == "records" and from_records.overall.findings > 0
    settings.DANGJIAN_FINDINGS_STORE = True
    refresh(at=timezone.localdate())
    from_store = bulletin_build(tree["admin"], planted["campaign"], with_findings=True)
    assert from_store.findings_from == "store"
    assert figures(from_store) == figures(from_records)
    # a town's admin: the counts of the town's organizations only, the same both ways
    town = bulletin_build(tree["admin_a"], planted["campaign"], with_findings=True)
    settings.DANGJIAN_FINDINGS_STORE = False
    again = bulletin_build(tree["admin_a"], planted["campaign"], with_findings=True)
    assert (town.findings_from, again.findings_from) == ("store", "records")
    assert figures(town) == figures(again)
    # without asking, nothing is counted
    assert bulletin_build(tree["admin"], planted["campaign"]).overall.findings == 0


@pytest.mark.django_db
def test_bulletin_page_and_files_count_findings_only_from_the_store(tree, planted, settings, login):
    """The page shows each group's open findings when the store answers for the viewer's
    subtree, the same counts as the records give; when it does not, the page runs no check:
    the column is left out (and so in the .xlsx)."""
    from dangjian.rules.store import refresh

    client = login("admin")
    url = f"/assess/{planted['campaign'].pk}/bulletin/"
    settings.DANGJIAN_FINDINGS_STORE = False
    expected = bulletin_build(tree["admin"], planted["campaign"], with_findings=True)
    assert expected.overall.findings > 0
    html = client.get(url).content.decode()
    assert "现有问题" not in html
    sheet = load_workbook(io.BytesIO(client.get(url.rstrip("/") + ".xlsx").content))["按地区"]
    assert "现有问题" not in [c.value for c in sheet[3]]

    settings.DANGJIAN_FINDINGS_STORE = True
    refresh(at=timezone.localdate())
    html = client.get(url).content.decode()
    assert "现有问题" in html
    row = html.split(f'data-group="{UNEVEN}"')[1].split("</tr>")[0]
    assert f'data-label="现有问题" class="num">{_region(expected, UNEVEN).findings}<' in row
    sheet = load_workbook(io.BytesIO(client.get(url.rstrip("/") + ".xlsx").content))["按地区"]
    header = [c.value for c in sheet[3]]
    column = header.index("现有问题")
    rows = {r[1].value: r[column].value for r in sheet.iter_rows(min_row=4)}
    assert rows[UNEVEN] == _region(expected, UNEVEN).findings
    assert rows[EVEN] == _region(expected, EVEN).findings
    pdf = client.get(url.rstrip("/") + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
