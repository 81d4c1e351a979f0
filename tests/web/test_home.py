"""The start page: a branch secretary lands on the branch's to-do — what is due and by when
(organizational life, recruitment deadlines, rectification tasks) — not on a one-node tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from tests.factories import make_member
from tests.recruit.helpers import unique_id
from tests.rectify.helpers import weak_plan

Tree = dict[str, Any]
TODAY = dt.date(2026, 11, 23)  # the suite's day (tests/conftest.py)


def open_case(org: Any, applied_on: dt.date, *, name: str) -> Any:
    from dangjian.recruit import services

    data = services.CaseInput(
        org=org, name=name, id_number=unique_id(dt.date(1996, 4, 9)), applied_on=applied_on
    )
    return services.open_case(actor=SYSTEM, data=data, today=TODAY)


def _items(page: str) -> list[str]:
    from tests.web.visible import visible_text

    return [p.text.strip() for p in visible_text(page)]


@pytest.mark.django_db
def test_secretary_lands_on_the_branch_to_do(client: Client, tree: Tree) -> None:
    branch = tree["branch_a"]
    for _ in range(3):
        make_member(branch)
    # a case applied three weeks ago: the talk (step 2) is due within a month of it
    fresh = open_case(branch, dt.date(2026, 11, 2), name="王新芽")
    # a case applied in August: its talk is overdue and still not held
    late = open_case(branch, dt.date(2026, 8, 20), name="李迟到")
    plan = weak_plan(branch, actor=SYSTEM, tasks=1)

    client.force_login(tree["secretary_a"])
    response = client.get(reverse("web:home"))
    assert response.status_code == 200, response.get("Location")
    page = response.content.decode()
    assert "甲村党支部 · 待办" in page
    texts = _items(page)

    # organizational life of this quarter and year, with the deadline and days left
    assert "支部党员大会每季度至少召开 1 次" in texts
    assert "截止 2026-12-31，还剩" in page and ">38</strong> 天" in page
    assert reverse("life:todo", args=[branch.code]) in page
    # recruitment: the due talk with its date, the overdue one first, both linked to the case
    assert "王新芽：一个月内派人谈话" in texts and "截止 2026-12-02" in page
    assert "李迟到：一个月内派人谈话" in texts
    assert page.index("已过期（") < page.index("李迟到") < page.index("待办（")
    assert reverse("recruit:case", args=[fresh.pk]) in page
    assert reverse("recruit:case", args=[late.pk]) in page
    # rectification: the open task of the branch's plan, linked to the plan
    assert "整改任务0" in texts and reverse("rectify:plan", args=[plan.pk]) in page
    # every rule id stands beside its Chinese title
    assert '一个月内派人谈话</strong></a> <span class="rule-id" translate="no">' in page
    # the menu starts with the to-do
    nav = page[page.index('aria-label="主导航"') :]
    assert nav.index(">待办<") < nav.index(">组织<")


@pytest.mark.django_db
def test_to_do_is_ordered_overdue_first_then_by_deadline(tree: Tree) -> None:
    from dangjian.web.selectors import branch_todo

    branch = tree["branch_a"]
    open_case(branch, dt.date(2026, 11, 2), name="王新芽")
    open_case(branch, dt.date(2026, 8, 20), name="李迟到")
    weak_plan(branch, tasks=2)
    result = branch_todo(tree["secretary_a"], branch, TODAY)
    items = result["items"]
    assert items, "a branch without meetings has things to do"
    overdue = [i for i in items if i.overdue]
    assert [i.title for i in overdue] == ["李迟到：一个月内派人谈话"]
    assert overdue[0].due == dt.date(2026, 9, 20) and overdue[0].days_over == 64
    rest = [i for i in items if not i.overdue]
    assert [i.due for i in rest] == sorted(i.due or dt.date.max for i in rest)
    assert items[0].overdue and {i.kind for i in items} == {"组织生活", "发展党员", "整改"}


@pytest.mark.django_db
def test_other_roles_keep_their_start_pages(client: Client, tree: Tree) -> None:
    expected = {
        "admin": "web:tree",
        "admin_a": "web:tree",
        "inspector_a": "web:tree",
        "auditor": "web:audit",
        "sysadmin": "web:tree",
        "secadmin": "web:security",
    }
    for user, url in expected.items():
        client.force_login(tree[user])
        response = client.get(reverse("web:home"))
        assert response.status_code == 302 and response["Location"] == reverse(url), user
        page = client.get(reverse(url)).content.decode()
        assert ">待办<" not in page  # no branch to-do entry for users above a branch


@pytest.mark.django_db
def test_a_done_branch_says_so(client: Client, tree: Tree) -> None:
    """A recruitment step done late is a past fault, not something still to do."""
    from tests.recruit.helpers import step

    branch = tree["branch_a"]
    case = open_case(branch, dt.date(2026, 8, 20), name="李补谈")
    step(case, 2, dt.date(2026, 10, 8), talker="李书记", today=TODAY)
    client.force_login(tree["secretary_a"])
    page = client.get(reverse("web:home")).content.decode()
    assert "李补谈" not in page
