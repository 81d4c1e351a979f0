"""No N+1: the number of queries of every list endpoint does not grow with the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org

#: queries a list may take: auth (token + user roles), count, page, parents, counts per depth
MAX_QUERIES = 12


@pytest.fixture
def many(tree):
    community = make_org(tree["town_b"], org_type="党支部", sector="社区", code="BB100")
    for n in range(24):
        branch = make_org(tree["town_a"], org_type="党支部", sector="农村", code=f"BA1{n:02d}")
        make_member(branch, residence_community=community if n % 2 else None)
        make_member(branch, member_type="预备党员", post="书记" if n % 3 else "")
    return tree


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orgs/?",
        "/api/v1/orgs/?parent=TA001&",
        "/api/v1/orgs/?type=党支部&",
        "/api/v1/members/?",
        "/api/v1/members/?org=TA001&subtree=1&",
        "/api/v1/findings/?",
    ],
)
def test_list_queries_constant_in_page_size(many, api, url, django_assert_max_num_queries):
    client = api("admin")
    client.get("/api/v1/orgs/")  # warm up: the token's last-use stamp is written once
    small = _queries(client, f"{url}page_size=3")
    with django_assert_max_num_queries(MAX_QUERIES):
        large = client.get(f"{url}page_size=40")
    assert large.status_code == 200 and len(large.json()["results"]) > 3
    assert _queries(client, f"{url}page_size=40") == small
