"""The pages of the province budget (issue 12) read rollup rows, not the subtree: the tree and
the organization pages make a fixed number of queries, at most 15, however many organizations
and members lie below, and none of their queries reads the member rows or the organizations
below the node's children."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.orgs.models import Organization
from tests.factories import make_member, make_org

Tree = dict[str, Any]
BUDGET = 15
#: the organization page's own queries (session, user, policy, roles, scope node, the node,
#: its rollup rows, the page of its children with theirs, breadcrumb, term delay; a branch's
#: roll: its page, the standings on it, its committee): what is left of the budget is the
#: findings part (measured at province size by benchmarks/run_scale.py)
OWN = {"root": 9, "党委": 9, "branch": 11}


def _grow(parent: Organization, *, committees: int, branches: int, members: int) -> None:
    """``committees`` 党委 under ``parent``, each with ``branches`` branches of ``members``."""
    for _ in range(committees):
        committee = make_org(parent, org_type="党委", sector="农村")
        for _ in range(branches):
            branch = make_org(committee, org_type="党支部", sector="农村")
            for i in range(members):
                make_member(branch, member_type="预备党员" if i % 4 == 0 else "正式党员")


def _sql(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:300]
    return [q["sql"] for q in ctx.captured_queries]


URLS = [
    ("tree", reverse("web:tree")),
    ("children of a 党委", reverse("web:tree_children", args=["TA001"])),
    ("root", reverse("web:org", args=["D0001"])),
    ("党委", reverse("web:org", args=["TA001"])),
    ("branch", reverse("web:org", args=["BA001"])),
]


@pytest.mark.django_db
def test_tree_and_org_pages_keep_their_queries_as_the_tree_grows(client: Client, tree: Tree):
    client.force_login(tree["admin"])
    client.get(reverse("web:tree"))  # the first view after signing in saves the session once
    small = {label: len(_sql(client, url)) for label, url in URLS}
    _grow(tree["town_a"], committees=3, branches=4, members=3)
    _grow(tree["root"], committees=2, branches=3, members=2)
    large = {label: len(_sql(client, url)) for label, url in URLS}
    assert large == small
    assert large["tree"] <= BUDGET and large["children of a 党委"] <= BUDGET, large


@pytest.mark.django_db
def test_org_page_own_queries_leave_room_for_the_findings(
    client: Client, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dangjian.web.views import orgs

    monkeypatch.setattr(orgs, "org_page_findings", lambda actor, org: [])
    _grow(tree["town_a"], committees=2, branches=2, members=3)
    client.force_login(tree["admin"])
    client.get(reverse("web:tree"))
    own = {label: len(_sql(client, url)) for label, url in URLS[2:]}
    assert all(own[label] <= OWN[label] for label in OWN), own


@pytest.mark.django_db
def test_the_root_pages_read_no_member_row_and_no_organization_below_the_children(
    client: Client, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dangjian.web.views import orgs

    # the findings part of the organization page is the findings store's, not measured here
    monkeypatch.setattr(orgs, "org_page_findings", lambda actor, org: [])
    _grow(tree["town_a"], committees=2, branches=2, members=2)
    client.force_login(tree["admin"])
    client.get(reverse("web:tree"))
    for label, url in URLS[:4]:
        queries = _sql(client, url)
        # the counts come from the rollup rows: no COUNT and no GROUP BY over the subtree
        assert [q for q in queries if "GROUP BY" in q or "COUNT(" in q] == [], label
        assert [q for q in queries if 'FROM "members_member"' in q] == [], label
    # a 党委 has no roll of its own: its page lists no member and counts none (no COUNT query)
    queries = _sql(client, reverse("web:org", args=["D0001"]))
    assert not [q for q in queries if "COUNT(*)" in q and "members_member" in q]


@pytest.mark.django_db
def test_counts_shown_are_those_of_the_records(client: Client, tree: Tree) -> None:
    _grow(tree["town_a"], committees=2, branches=2, members=3)
    make_member(tree["branch_b"], member_type="预备党员")
    client.force_login(tree["admin"])
    html = client.get(reverse("web:org", args=["D0001"])).content.decode()
    orgs = Organization.objects.count()
    assert f"<strong>{orgs}</strong>" in html  # 5 + 2 党委 + 4 branches
    town = client.get(reverse("web:tree_children", args=["D0001"])).content.decode()
    row = town.split('data-code="TA001"')[1].split("</summary>")[0]
    assert "组织 8<" in row and "正式 " in row
    branch = client.get(reverse("web:org", args=["BB001"])).content.decode()
    assert "预备党员" in branch


@pytest.mark.django_db
def test_the_children_of_an_organization_are_paged(client: Client, tree: Tree) -> None:
    for _ in range(53):
        make_org(tree["town_b"], org_type="党支部", sector="社区")
    client.force_login(tree["admin"])
    client.get(reverse("web:tree"))
    url = reverse("web:org", args=["TB001"])
    first = client.get(url).content.decode()
    assert "下级组织（54）" in first and "第 1 / 2 页，共 54 条" in first
    assert first.count('data-label="组织名称"') == 50
    queries = len(_sql(client, url))
    second = client.get(url + "?page_children=2").content.decode()
    assert second.count('data-label="组织名称"') == 4
    assert len(_sql(client, url + "?page_children=2")) == queries
    assert client.get(url + "?page_children=3").status_code == 400
