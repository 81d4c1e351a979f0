"""The findings page, an organization's page and the API page through the stored rows (no
check run) within the user's subtree only, and fall back to the check when the store cannot
answer (another date, an organization not evaluated yet)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.orgs.models import Organization
from dangjian.rules.runner import run_check
from dangjian.rules.store import refresh
from dangjian.web import cached
from tests.factories import make_member, make_org


@pytest.fixture
def stored_tree(tree, settings, today):
    settings.DANGJIAN_FINDINGS_STORE = True
    # more findings than a page: branches of one member under 甲镇 (each below the minimum)
    for n in range(6):
        make_org(tree["town_a"], org_type="党支部", sector="农村", code=f"BA1{n:02d}")
    refresh(at=today)
    return tree


@pytest.fixture
def no_check(monkeypatch):
    """Fail if a page runs the check (the store answers)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the check ran")

    monkeypatch.setattr(cached, "findings_for", refuse)
    monkeypatch.setattr(cached, "findings_for_org", refuse)


def expected(user, **filters):
    return [
        (f.subject, f.rule, f.severity, f.message)
        for f in run_check(user, rules="SETUP", **filters).findings
    ]


@pytest.mark.django_db
def test_the_findings_page_shows_stored_rows_of_the_users_subtree(stored_tree, login, no_check):
    tree = stored_tree
    page = login("admin_a").get(reverse("web:findings"))
    assert page.status_code == 200
    rows = page.context["rows"]
    got = [(r["f"].subject, r["f"].rule, r["f"].severity, r["f"].message) for r in rows]
    assert sorted(got) == sorted(expected(tree["admin_a"]))
    assert got and all(code.startswith(("TA", "BA")) for code, *_ in got)
    assert page.context["evaluated"] is not None
    html = page.content.decode()
    assert "乙社区党支部" not in html and "评估于" in html
    # the other town's admin sees its own findings only
    other = login("admin_b").get(reverse("web:findings"))
    codes = {r["f"].subject for r in other.context["rows"]}
    assert codes and codes <= {"TB001", "BB001"}
    # a filter by rule and organization
    url = reverse("web:findings") + "?org=BB001&rule=SETUP-BRANCH-MIN-FULL"
    one = login("admin").get(url)
    assert [r["f"].subject for r in one.context["rows"]] == ["BB001"]
    assert one.context["total"] == 1


@pytest.mark.django_db
def test_the_stored_page_costs_a_few_queries(stored_tree, login, no_check):
    client = login("admin")
    client.get(reverse("web:findings"))  # the session's first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:findings") + "?severity=error").status_code == 200
    assert len(queries) <= 15


@pytest.mark.django_db
def test_the_api_pages_stored_rows_within_the_subtree(stored_tree, api, no_check):
    tree = stored_tree
    client = api("admin_a")
    first = client.get("/api/v1/findings/?page_size=3")
    assert first.status_code == 200
    assert first["X-Findings-Checked-On"]
    body = first.json()
    assert body["count"] == len(expected(tree["admin_a"])) > 3
    pages, url = [], "/api/v1/findings/?page_size=3"
    while url:
        answer = client.get(url).json()
        pages.extend(
            (f["subject"], f["rule"], f["severity"], f["message"]) for f in answer["results"]
        )
        url = answer["next"]
    assert sorted(pages) == sorted(expected(tree["admin_a"]))
    # outside the subtree: refused as before (the check's 404)
    assert api("admin_b").get("/api/v1/findings/?org=BA001").status_code == 404
    subjects = {f["subject"] for f in api("admin_b").get("/api/v1/findings/").json()["results"]}
    assert subjects and subjects <= {"TB001", "BB001"}


@pytest.mark.django_db
def test_the_store_does_not_answer_for_another_day_or_a_new_organization(
    stored_tree, login, today, monkeypatch
):
    tree = stored_tree
    ran = []
    real = cached.findings_for
    monkeypatch.setattr(cached, "findings_for", lambda *a, **k: ran.append(1) or real(*a, **k))
    # another checking date: the records answer
    login("admin").get(reverse("web:findings") + "?at=2026-06-30")
    assert ran == [1]
    # an organization created without its refresh (no commit in the test): the check answers
    make_org(tree["town_b"], org_type="党支部", sector="社区", code="BB900")
    page = login("admin_b").get(reverse("web:findings"))
    assert ran == [1, 1]
    assert "BB900" in {r["f"].subject for r in page.context["rows"]}
    # an organization's page reads the store for its own findings
    monkeypatch.setattr(cached, "findings_for_org", lambda *a, **k: 1 / 0)
    assert login("admin").get(reverse("web:org", args=["BA100"])).status_code == 200


@pytest.mark.django_db
def test_a_write_not_yet_refreshed_sends_the_pages_to_the_records(
    stored_tree, login, today, monkeypatch
):
    """With no task worker running, a write leaves its organization noted: the pages ask the
    check (the records as they are now) until a refresh reads the write."""
    from dangjian.rules import store

    monkeypatch.setattr(store, "_schedule", lambda *a, **k: None)  # no worker
    ran = []
    real = cached.findings_for
    monkeypatch.setattr(cached, "findings_for", lambda *a, **k: ran.append(1) or real(*a, **k))
    url = reverse("web:findings") + "?org=BA100&rule=SETUP-BRANCH-MIN-FULL"
    assert login("admin_a").get(url).context["total"] == 1
    assert ran == []  # the store answered
    branch = Organization.objects.get(code="BA100")
    for _ in range(3):
        make_member(branch)
    page = login("admin_a").get(url)
    assert ran == [1] and page.context["total"] == 0  # the records: the branch has three now
    # the other town's subtree was not written to: the store still answers there
    login("admin_b").get(reverse("web:findings"))
    assert ran == [1]
    refresh(at=today)
    page = login("admin_a").get(url)
    assert ran == [1] and page.context["total"] == 0  # the store again, refreshed


def _sql(queries):
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_the_store_answers_and_versions_with_a_fixed_number_of_index_reads(
    stored_tree, settings, today
):
    """With the store on, neither whether it answers nor the pages' data version reads every
    organization (no COUNT or MAX(updated_at) over the tree): the same queries however large
    the tree; with it off the data version is the records' as before."""
    from dangjian.life.compliance import data_version
    from dangjian.rules.store import evaluation

    root = Organization.objects.order_by("path").first()

    def costs():
        with CaptureQueriesContext(connection) as asked:
            assert evaluation(root.path, today) is not None
        with CaptureQueriesContext(connection) as versioned:
            cached._data_version()
        return _sql(asked), _sql(versioned)

    small = costs()
    for n in range(12):
        make_org(stored_tree["town_b"], org_type="党支部", sector="社区", code=f"BB8{n:02d}")
    refresh(at=today)
    large = costs()
    assert [len(q) for q in small] == [len(q) for q in large] and len(large[0]) <= 5
    for sql in large[0] + large[1]:
        assert not ('"orgs_organization"' in sql and "COUNT(" in sql.upper()), sql
        assert "updated_at" not in sql or "life_meeting" in sql, sql
    # a write changes the version (noted), and the store no longer answers until refreshed
    before = cached._data_version()
    make_member(Organization.objects.get(code="BB800"))
    assert cached._data_version() != before
    assert evaluation(root.path, today) is None
    settings.DANGJIAN_FINDINGS_STORE = False
    assert cached._data_version() == data_version()


@pytest.mark.django_db
def test_the_stored_page_counts_per_rule_in_the_database_and_reads_one_page(
    stored_tree, login, no_check
):
    client = login("admin")
    client.get(reverse("web:findings"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:findings"))
    assert page.status_code == 200 and len(queries) <= 15
    sql = _sql(queries)
    # the counts by rule: the subtree counts of the root (one query), no grouping of the rows
    counted = [q for q in sql if "rules_findingcount" in q]
    assert len(counted) == 1
    assert not [q for q in sql if "GROUP BY" in q and "rules_storedfinding" in q]
    rows = [q for q in sql if "rules_storedfinding" in q]
    # one page of rows (LIMIT), no separate COUNT: the total is the sum of the rule counts
    assert len(rows) == 1 and "LIMIT" in rows[0]
    assert page.context["total"] == sum(n for _r, _t, n in page.context["per_rule"])
    assert (
        page.context["page"].paginator.count == page.context["total"] == len(page.context["rows"])
    )
    # the same counts as grouping the open rows, and with a filter of severity too
    from dangjian.rules.store import open_rows

    def grouped(**filters):
        rows = open_rows("", families=["SETUP"], labelled=False, **filters)
        return sorted(rows.values_list("rule").annotate(n=Count("pk")).values_list("rule", "n"))

    assert [(r, n) for r, _t, n in page.context["per_rule"]] == grouped()
    warned = client.get(reverse("web:findings"), {"severity": "warning"})
    assert [(r, n) for r, _t, n in warned.context["per_rule"]] == grouped(severity=["warning"])
