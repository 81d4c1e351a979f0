"""The dashboard narrowed to one organization of the user's subtree, and by year."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import services
from dangjian.recruit.selectors import approval_queue, dashboard, plan_rows
from tests.recruit.helpers import TODAY, D, open_case, step, walk_to_admission


@pytest.fixture
def two_towns(tree):
    a = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    b = open_case(tree["branch_b"], D(2025, 3, 1), name="李四")
    step(b, 12, D(2025, 6, 1))  # waiting for the pre-review since 2025
    c = open_case(tree["branch_b"], D(2024, 2, 1), name="王五")
    services.withdraw_case(actor=SYSTEM, case=c, on=D(2024, 5, 1), today=TODAY)
    for org, quota in ((tree["town_a"], 2), (tree["town_b"], 3)):
        services.set_plan(actor=SYSTEM, org=org, year=2024, quota=quota)
    return {"a": a, "b": b, "c": c}


@pytest.mark.django_db
def test_selector_narrows_to_one_organization(tree, two_towns):
    admin = tree["admin"]
    whole = dashboard(admin, 2024, TODAY)
    town_a = dashboard(admin, 2024, TODAY, tree["town_a"].path)
    town_b = dashboard(admin, 2024, TODAY, tree["town_b"].path)
    assert whole.by_stage["probationary"] == 1 and whole.by_stage["applicant"] == 1
    assert town_a.by_stage["probationary"] == 1 and town_a.by_stage["applicant"] == 0
    assert town_b.by_stage["probationary"] == 0 and town_b.by_stage["applicant"] == 1
    assert town_b.by_stage["closed"] == 1  # withdrawn in 2024
    assert (whole.admitted_total, town_a.admitted_total, town_b.admitted_total) == (1, 1, 0)
    assert [p.org_code for p in whole.plans] == ["TA001", "TB001"]
    assert [p.org_code for p in town_a.plans] == ["TA001"]
    assert [p.org_code for p in town_b.plans] == ["TB001"]
    assert [p.org_code for p in plan_rows(admin, 2024, TODAY, tree["branch_b"].path)] == []
    assert [i.case.name for i in approval_queue(admin, TODAY, tree["town_b"].path)] == ["李四"]
    assert approval_queue(admin, TODAY, tree["town_a"].path) == []


@pytest.mark.django_db
def test_selector_never_widens_the_scope(tree, two_towns):
    # a committee admin asking for the other town sees nothing of it
    board = dashboard(tree["admin_a"], 2024, TODAY, tree["town_b"].path)
    assert sum(board.by_stage.values()) == 0
    assert board.plans == [] and board.admitted_total == 0
    assert approval_queue(tree["admin_a"], TODAY, tree["town_b"].path) == []


@pytest.mark.django_db
def test_year_filter(tree, two_towns):
    admin = tree["admin"]
    in_2024 = dashboard(admin, 2024, TODAY)
    in_2025 = dashboard(admin, 2025, TODAY)
    assert in_2024.by_stage["closed"] == 1 and in_2025.by_stage["closed"] == 0
    assert in_2024.admitted_total == 1 and in_2025.admitted_total == 0
    assert [p.year for p in in_2024.plans] == [2024, 2024] and in_2025.plans == []


@pytest.mark.django_db
def test_page_filter_by_organization_and_year(tree, two_towns):
    client = Client()
    client.force_login(tree["admin"])
    page = client.get("/recruit/dashboard/?year=2024").content.decode()
    assert '<option value="TA001">甲镇党委</option>' in page
    assert '<option value="TB001">乙街道党工委</option>' in page
    assert "李四" in page and "张三" in page  # 李四 has a finding or waits; both in scope
    page = client.get("/recruit/dashboard/?year=2024&org=TA001").content.decode()
    assert "范围：" in page and "<strong>甲镇党委</strong>" in page
    assert "乙街道党工委" not in page and "李四" not in page
    assert "?stage=probationary&amp;org=TA001" in page
    page = client.get("/recruit/dashboard/?year=2024&org=TB001").content.decode()
    assert "甲镇党委" not in page.split("范围：", 1)[1].split("</p>", 1)[0]
    assert "张三" not in page


@pytest.mark.django_db
def test_page_refuses_organizations_outside_the_subtree_and_bad_codes(tree, two_towns):
    client = Client()
    client.force_login(tree["admin_a"])
    assert client.get("/recruit/dashboard/?org=TB001").status_code == 404
    assert client.get("/recruit/dashboard/?org=NOPE1").status_code == 404
    assert client.get("/recruit/dashboard/?org=%3Cscript%3E").status_code == 400
    page = client.get("/recruit/dashboard/?org=BA001&year=2024")
    assert page.status_code == 200 and "<strong>甲村党支部</strong>" in page.content.decode()
    client.force_login(tree["secretary_a"])
    assert client.get("/recruit/dashboard/?org=TA001").status_code == 404
