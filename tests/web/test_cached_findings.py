"""Pages read findings through a cache keyed by the data version (dangjian.web.cached): the
check runs once for many views, a write shows at once, and nobody reads outside the subtree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.rules.registry import rule_title
from dangjian.web import cached
from tests.factories import make_member


@pytest.fixture
def runs(monkeypatch):
    """How often each check really ran."""
    counted = {"scope": 0, "org": 0}
    scope_check, org_check = cached.findings_for, cached.findings_for_org

    def scope(*args, **kwargs):
        counted["scope"] += 1
        return scope_check(*args, **kwargs)

    def org(*args, **kwargs):
        counted["org"] += 1
        return org_check(*args, **kwargs)

    monkeypatch.setattr(cached, "findings_for", scope)
    monkeypatch.setattr(cached, "findings_for_org", org)
    return counted


@pytest.mark.django_db
def test_the_findings_page_checks_once_for_many_views_and_again_after_a_write(tree, login, runs):
    url = reverse("web:findings") + "?org=BB001&rule=SETUP-BRANCH-MIN-FULL"
    first = login("admin").get(url).content.decode()
    for user in ("admin", "admin", "inspector_a"):
        login(user).get(reverse("web:findings"))
    login("admin").get(url)
    # one run for BB001, one for the root's scope, one for 甲镇's scope: five views, three runs
    assert runs["scope"] == 3
    # two members: fewer full members than a branch needs
    assert "乙社区党支部" in first and rule_title("SETUP-BRANCH-MIN-FULL") in first

    # a new member is a new data version: the next view checks again and shows the change
    for _ in range(2):
        make_member(tree["branch_b"])
    after = login("admin").get(url).content.decode()
    assert runs["scope"] == 4
    assert "乙社区党支部" not in after


@pytest.mark.django_db
def test_an_org_page_checks_once_and_a_write_shows_at_once(tree, login, runs):
    url = reverse("web:org", args=["TB001"])
    before = login("admin").get(url).content.decode()
    login("admin_b").get(url)
    assert runs["org"] == 1
    make_member(tree["branch_b"])
    login("admin").get(url)
    assert runs["org"] == 2
    assert before  # the page rendered


@pytest.mark.django_db
def test_a_cached_list_is_not_shown_outside_the_subtree(tree, login, runs):
    ours = login("admin_b").get(reverse("web:findings") + "?org=BB001")
    assert ours.status_code == 200
    theirs = login("admin_a").get(reverse("web:findings") + "?org=BB001")
    assert theirs.status_code == 400 and "不在您的管辖范围内" in theirs.content.decode()
    assert login("admin_a").get(reverse("web:org", args=["TB001"])).status_code == 404
    assert login("secretary_a").get(reverse("life:todo", args=["BB001"])).status_code == 404
