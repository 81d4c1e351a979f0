"""The dashboard and the approval queue at scale: every list is paged, a page reads the cases it
shows and no others (no model per case of the subtree), and the number of queries does not grow
with the number of cases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from dangjian.recruit.models import RecruitCase
from dangjian.recruit.views import DASHBOARD_PER_PAGE
from dangjian.web.helpers import PER_PAGE
from tests.factories import make_id_number
from tests.recruit.helpers import D, open_case, step

DASHBOARD = "/recruit/dashboard/"
CASE_LINK = re.compile(r'href="/recruit/cases/(\d+)/"')


def _waiting_cases(branch, start: int, stop: int) -> None:
    """Cases whose branch sent them up for the pre-review (step 12) without the steps before:
    each waits in the queue and has findings."""
    for i in range(start, stop):
        number = make_id_number(D(1995, 1, 1) + dt.timedelta(days=11 * i))
        case = open_case(branch, D(2025, 1, 5), name=f"申请人{i:02d}", id_number=number)
        step(case, 12, D(2025, 6, 1))


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


class _Built:
    """Counts the RecruitCase instances built while it is active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_kwargs: object) -> None:
        self.count += 1

    def __enter__(self) -> _Built:
        post_init.connect(self, sender=RecruitCase)
        return self

    def __exit__(self, *_exc: object) -> None:
        post_init.disconnect(self, sender=RecruitCase)


def _get(client, url: str) -> tuple[str, int, int]:
    """The page, the number of queries and the number of case models built."""
    with CaptureQueriesContext(connection) as ctx, _Built() as built:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries), built.count


@pytest.mark.django_db
def test_dashboard_pages_the_cases_with_findings_and_builds_only_those_shown(tree, login):
    _waiting_cases(tree["branch_a"], 0, 2 * DASHBOARD_PER_PAGE + 5)
    client = login("admin_a")
    html, _queries, built = _get(client, "/recruit/dashboard/")
    flagged = _section(html, "h-findings")
    first = CASE_LINK.findall(flagged)
    assert len(first) == DASHBOARD_PER_PAGE
    assert f"共 {2 * DASHBOARD_PER_PAGE + 5} 条" in flagged and "第 1 / 3 页" in flagged
    assert "page_findings=2" in flagged
    # the count above the lists is of every case, not of the page
    assert f"<strong>{2 * DASHBOARD_PER_PAGE + 5}</strong>有程序问题的案例" in html
    assert built <= DASHBOARD_PER_PAGE  # the cases shown, not one model per case
    second, third = (
        CASE_LINK.findall(
            _section(_get(client, f"/recruit/dashboard/?page_findings={n}")[0], "h-findings")
        )
        for n in (2, 3)
    )
    assert len(second) == DASHBOARD_PER_PAGE and len(third) == 5
    assert len(set(first + second + third)) == 2 * DASHBOARD_PER_PAGE + 5
    assert client.get("/recruit/dashboard/?page_findings=4").status_code == 400


@pytest.mark.django_db
def test_queue_is_paged_and_builds_only_the_cases_of_its_page(tree, login):
    _waiting_cases(tree["branch_a"], 0, PER_PAGE + 5)
    client = login("admin_a")
    html, _queries, built = _get(client, "/recruit/queue/")
    first = set(CASE_LINK.findall(html))
    assert len(first) == PER_PAGE and "第 1 / 2 页" in html and "?page=2" in html
    assert built <= PER_PAGE
    second, _queries, _built = _get(client, "/recruit/queue/?page=2")
    assert len(set(CASE_LINK.findall(second))) == 5
    assert not first & set(CASE_LINK.findall(second))


@pytest.mark.django_db
def test_dashboard_and_queue_queries_are_the_same_for_5_and_50_cases(tree, login):
    client = login("admin")
    urls = ["/recruit/dashboard/", "/recruit/queue/", "/recruit/plans/"]
    _waiting_cases(tree["branch_a"], 0, 5)
    client.get(urls[0])  # warm the per-user caches
    small = [_get(client, url)[1] for url in urls]
    _waiting_cases(tree["branch_b"], 5, 50)
    large = [_get(client, url)[1] for url in urls]
    assert large == small


@pytest.mark.django_db
def test_plain_rows_give_the_checker_the_same_cases_as_the_models(tree):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.recruit.adapter import load, load_records
    from dangjian.recruit.selectors import cases_for, findings_by_loaded
    from tests.recruit.helpers import TODAY, walk_to_admission

    walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    _waiting_cases(tree["branch_b"], 0, 3)
    qs = cases_for(SYSTEM).order_by("case_no")
    as_models, as_rows = load(qs), load_records(qs)
    assert [i.case.case_no for i in as_rows] == [i.case.case_no for i in as_models]
    assert [(i.steps, i.notices, i.reviews, i.extensions) for i in as_rows] == [
        (i.steps, i.notices, i.reviews, i.extensions) for i in as_models
    ]
    found = findings_by_loaded(as_rows, TODAY)
    assert found == findings_by_loaded(as_models, TODAY)
    assert any(found.values())  # something to compare
