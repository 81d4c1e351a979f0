"""The lists that had no bound (or were cut at 200 without a word) are paged: with two rows a
page, the first page shows two and the second page the rest."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import services as recruit
from dangjian.rectify.services import task_report_done
from tests.factories import make_org, make_user
from tests.rectify.helpers import add_result, make_campaign, weak_plan


@pytest.fixture(autouse=True)
def two_a_page(monkeypatch):
    monkeypatch.setattr("dangjian.web.helpers.PER_PAGE", 2)


def _pages(client, url: str, param: str, pattern: str, section: str = "") -> list[int]:
    """How many rows match ``pattern`` (in ``section``, from the element with that id) on the
    first and the second page of ``url``; the third page does not exist."""
    counts = []
    for number in (1, 2, 3):
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}{param}={number}")
        if number == 3:
            assert response.status_code == 400  # out of range: a Chinese 400 page
            assert "超出范围" in response.content.decode()
            break
        assert response.status_code == 200
        html = response.content.decode()
        if section:
            html = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
        counts.append(len(re.findall(pattern, html)))
    return counts


@pytest.mark.django_db
def test_recruitment_plans(tree, login, monkeypatch):
    monkeypatch.setattr("dangjian.recruit.views.DASHBOARD_PER_PAGE", 2)
    for org in (tree["root"], tree["town_a"], tree["town_b"]):
        recruit.set_plan(actor=SYSTEM, org=org, year=2025, quota=2)
    counts = _pages(login("admin"), "/recruit/plans/?year=2025", "page", r'data-org="')
    assert counts == [2, 1]
    counts = _pages(
        login("admin"), "/recruit/dashboard/?year=2025", "page_plans", r'data-org="', "h-plans"
    )
    assert counts == [2, 1]


@pytest.mark.django_db
def test_tasks_awaiting_confirmation(tree, login):
    plan = weak_plan(tree["branch_a"], tasks=3)
    for task in plan.tasks.all():
        task_report_done(actor=SYSTEM, task=task)
    counts = _pages(login("admin"), "/rectify/overdue/", "page_review", r"data-task=", "h-review")
    assert counts == [2, 1]


@pytest.mark.django_db
def test_bulletin_ranking(tree, login):
    campaign = make_campaign(tree["root"])
    for total in (90, 80, 70):
        add_result(campaign, make_org(tree["town_a"]), total)
    url = f"/assess/{campaign.pk}/bulletin/?ranking=1"
    assert _pages(login("admin"), url, "page", r'data-label="名次"', "h-rank") == [2, 1]


@pytest.mark.django_db
def test_locked_accounts_and_pending_role_grants(tree, login):
    for i in range(3):
        make_user(tree["branch_a"], "branch_secretary", username=f"locked{i}")
    User.objects.filter(username__startswith="locked").update(failed_logins=2)
    client = login("secadmin")
    counts = _pages(client, "/security/", "page", r'action="/security/unlock/', "h-locked")
    assert counts == [2, 1]
    now = timezone.now()
    for who in ("inspector_a", "admin_a", "admin_b"):
        RoleGrant.objects.create(
            user=tree[who], role="org_admin", requested_by=tree["sysadmin"], requested_at=now
        )
    counts = _pages(client, "/security/grants/", "page", r'data-label="账号"', "h-pending")
    assert counts == [2, 1]
    assert "待审批（3）" in client.get("/security/grants/").content.decode()
