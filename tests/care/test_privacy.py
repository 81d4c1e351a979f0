"""The privacy boundary: persons are read by the member's branch and the helping organizations
only; upper levels — even those whose scope covers the branch — see figures by organization,
never a name, a reason or a note. Pages, exports and the API alike."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.accounts.scope import SYSTEM
from dangjian.care.exports import branch_register_xlsx, figures_xlsx, register_rows
from dangjian.care.selectors import figures_for, follow_ups, hardship_get, hardships_for
from dangjian.care.services import hardship_register, help_record, notes_read, visit_record

from .conftest import TODAY

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def helped(place):
    help_record(
        actor=place.secretary,
        hardship=place.entry,
        kind="慰问金",
        amount="300.50",
        org=place.branch,
        given_on=D(2026, 2, 1),
        today=TODAY,
    )
    help_record(
        actor=place.unit_secretary,
        hardship=place.entry,
        kind="医疗救助",
        amount=2000,
        org=place.unit,
        given_on=D(2026, 3, 1),
        today=TODAY,
    )
    visit_record(
        actor=place.town_admin,
        hardship=place.entry,
        occasion="春节",
        visited_on=D(2026, 2, 10),
        org=place.town,
        note="家中取暖困难",
        next_visit_on=D(2026, 11, 5),
        today=TODAY,
    )
    # a member of the other branch, helped by nobody above
    hardship_register(
        actor=place.other_secretary,
        member=place.stranger,
        reason="灾害",
        level="一般困难",
        since=D(2026, 7, 20),
        note="房屋被洪水冲毁",
        today=TODAY,
    )
    return place


def test_readers_are_the_branch_and_the_helping_organizations(helped):
    p = helped
    assert list(hardships_for(p.secretary)) == [p.entry]
    assert list(hardships_for(p.unit_secretary)) == [p.entry]  # helps, outside the town
    assert list(hardships_for(p.town_admin)) == [p.entry]  # helps this one, not the other
    assert [h.member.name for h in hardships_for(p.other_secretary)] == ["赵德明"]
    for upper in (p.root_admin, p.unit_root_admin, p.inspector):
        assert not hardships_for(upper).exists()
        with pytest.raises(Http404):
            hardship_get(upper, p.entry.pk)
        with pytest.raises(PermissionDenied):
            notes_read(actor=upper, hardship=p.entry)
    assert hardships_for(SYSTEM).count() == 2


def test_the_town_covers_the_other_branch_but_does_not_read_it(helped):
    other = hardships_for(SYSTEM).get(member=helped.stranger)
    with pytest.raises(Http404):
        hardship_get(helped.town_admin, other.pk)


def test_upper_levels_get_figures_by_organization_only(helped):
    p = helped
    figures = figures_for(p.root_admin, None, 2026, TODAY)
    rows = {f.name: f.as_dict() for f in figures.rows}
    assert rows["东坑村党支部"]["on_register"] == 1 and rows["东坑村党支部"]["special"] == 1
    assert rows["东坑村党支部"]["amount"] == "300.50"
    assert rows["区人民医院党支部"]["amount"] == "2000.00"
    assert rows["溪口镇党委"]["visits"] == 1
    assert rows["西坑村党支部"]["on_register"] == 1 and rows["西坑村党支部"]["special"] == 0
    assert figures.total.amount == Decimal("2300.50") and figures.total.on_register == 2
    text = str([f.as_dict() for f in figures.rows])
    for secret in ("王秀兰", "赵德明", "疾病", "灾害", "透析", "洪水", "取暖"):
        assert secret not in text
    # the town's subtree only: the hospital is not in it
    town = figures_for(p.town_admin, None, 2026, TODAY)
    assert {f.name for f in town.rows} == {"溪口镇党委", "东坑村党支部", "西坑村党支部"}
    # a branch sees its own figures only
    own = figures_for(p.other_secretary, None, 2026, TODAY)
    assert [f.name for f in own.rows] == ["西坑村党支部"]


def test_the_figures_file_names_nobody(helped):
    from openpyxl import load_workbook

    data = figures_xlsx(figures_for(helped.root_admin, None, 2026, TODAY))
    ws = load_workbook(io.BytesIO(data)).active
    cells = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "东坑村党支部" in cells and "2300.5" in cells
    for secret in ("王秀兰", "赵德明", "疾病", "透析"):
        assert secret not in cells


def test_the_register_file_is_the_branch_s_own(helped):
    from openpyxl import load_workbook

    p = helped
    data = branch_register_xlsx(p.secretary, p.branch, TODAY)
    ws = load_workbook(io.BytesIO(data)).active
    cells = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "王秀兰" in cells and "2300.5" in cells and "赵德明" not in cells
    assert "透析" not in cells  # the note stays out of files
    for upper in (p.town_admin, p.root_admin, p.unit_secretary, p.other_secretary):
        with pytest.raises(PermissionDenied):
            register_rows(upper, p.branch)


def test_follow_ups_are_listed_for_the_readers_only(helped):
    p = helped
    due = follow_ups(p.secretary, TODAY)
    assert [(u.hardship.pk, u.overdue) for u in due] == [(p.entry.pk, False)]
    assert due[0].finding.evidence["next_visit_on"] == D(2026, 11, 5)
    assert follow_ups(p.root_admin, TODAY) == []
    late = follow_ups(p.secretary, D(2026, 11, 20))
    assert late[0].overdue and late[0].finding.evidence["days_late"] == 15
    assert "王秀兰" not in late[0].finding.subject


def test_pages_keep_the_boundary(helped, login):
    p = helped
    url = f"/bangfu/{p.entry.pk}/"
    page = login(p.secretary).get(url).content.decode()
    assert "王秀兰" in page and "尿毒症" in page and "家中取暖困难" in page
    assert "王秀兰" in login(p.unit_secretary).get(url).content.decode()
    for upper in (p.root_admin, p.unit_root_admin):
        client = login(upper)
        assert client.get(url).status_code == 404
        for path in ("/bangfu/", "/bangfu/due/", "/bangfu/stats/", "/bangfu/stats/?year=2026"):
            body = client.get(path).content.decode()
            for secret in ("王秀兰", "赵德明", "尿毒症", "洪水"):
                assert secret not in body, (path, secret)
    stats = login(p.root_admin).get("/bangfu/stats/?year=2026").content.decode()
    assert "东坑村党支部" in stats and "2300.50" in stats
    assert login(p.root_admin).get("/bangfu/register.xlsx").status_code == 400
    file = login(p.secretary).get("/bangfu/register.xlsx")
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxml")


def test_the_api_keeps_the_boundary(helped, api):
    p = helped
    mine = api(p.secretary).get("/api/v1/care/hardships/").json()
    assert [r["name"] for r in mine["results"]] == ["王秀兰"]
    upper = api(p.root_admin)
    assert upper.get("/api/v1/care/hardships/").json()["results"] == []
    assert upper.get(f"/api/v1/care/hardships/{p.entry.pk}/").status_code == 404
    figures = upper.get("/api/v1/care/figures/", {"year": 2026}).json()
    assert "王秀兰" not in str(figures) and "疾病" not in str(figures)
    assert {r["org_name"] for r in figures["rows"]} >= {"东坑村党支部", "区人民医院党支部"}
