"""Organization endpoints: items, filters, pagination, validation, moves and cycles."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory

from dangjian.api.pagination import MAX_PAGE_SIZE, Pagination
from dangjian.orgs.models import Organization
from tests.api.conftest import db_state
from tests.factories import make_member, make_org


@pytest.mark.django_db
def test_item_fields_and_subtree_counts(tree, api):
    make_member(tree["branch_a"], member_type="预备党员", confirmed_on=None)
    response = api("admin").get("/api/v1/orgs/TA001/")
    assert response.status_code == 200
    item = response.json()
    assert item["code"] == "TA001" and item["type"] == "党委" and item["parent"] == "D0001"
    assert (item["full_members"], item["probationary_members"]) == (4, 1)
    branch = api("admin").get("/api/v1/orgs/BA001/").json()
    assert branch["parent"] == "TA001" and branch["full_members"] == 4
    root = api("admin").get("/api/v1/orgs/D0001/").json()
    assert root["parent"] is None
    assert (root["full_members"], root["probationary_members"]) == (6, 1)


@pytest.mark.django_db
def test_term_dates(tree, api):
    client = api("admin")
    response = client.patch("/api/v1/orgs/BA001/", {"term_started_on": "2021-05-01"}, format="json")
    assert response.status_code == 200, response.content
    item = response.json()
    # a rural branch: 5-year term by SETUP-TERM unless recorded
    assert item["term_years"] == 5 and item["term_years_recorded"] is None
    assert item["term_ends_on"] == "2026-05-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,codes",
    [
        ("q=甲", {"TA001", "BA001"}),
        ("q=bb", {"BB001"}),
        ("type=党支部", {"BA001", "BB001"}),
        ("sector=社区", {"TB001", "BB001"}),
        ("parent=D0001", {"TA001", "TB001"}),
        ("parent=TA001&type=党支部", {"BA001"}),
        ("region=110105", {"BB001"}),
    ],
)
def test_filters(tree, api, query, codes):
    Organization.objects.filter(code="BB001").update(region_code="110105001001")
    response = api("admin").get(f"/api/v1/orgs/?{query}")
    assert response.status_code == 200
    assert {o["code"] for o in response.json()["results"]} == codes


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("type=支部", "type"),
        ("sector=火星", "sector"),
        ("region=abc", "region"),
        ("parent=不是编码", "parent"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page_size=x", "page_size"),
        ("page_size=0", "page_size"),
        ("q=" + "长" * 200, "q"),
    ],
)
def test_bad_query_values_are_400_with_message(tree, api, query, field):
    response = api("admin").get(f"/api/v1/orgs/?{query}")
    assert response.status_code == 400
    assert response.json()[field][0]


@pytest.mark.django_db
def test_page_past_the_end_is_404_and_page_size_is_capped(tree, api):
    client = api("admin")
    response = client.get("/api/v1/orgs/?page=99")
    assert response.status_code == 404 and "页码超出范围" in response.json()["detail"]
    paged = client.get("/api/v1/orgs/?page_size=2&page=2").json()
    assert paged["count"] == 5 and len(paged["results"]) == 2
    request = APIRequestFactory().get("/api/v1/orgs/", {"page_size": "100000"})
    from rest_framework.request import Request

    assert Pagination().get_page_size(Request(request)) == MAX_PAGE_SIZE


@pytest.mark.django_db
def test_unknown_parent_filter_is_404_like_outside_scope(tree, api):
    unknown = api("admin_a").get("/api/v1/orgs/?parent=ZZ999")
    outside = api("admin_a").get("/api/v1/orgs/?parent=TB001")
    assert unknown.status_code == outside.status_code == 404
    assert unknown.json() == outside.json()


@pytest.mark.django_db
def test_create_and_validation_messages(tree, api):
    client = api("admin_a")
    body = {
        "code": "BA002",
        "name": "甲二村党支部",
        "type": "党支部",
        "sector": "农村",
        "parent": "TA001",
        "region_code": "110105",
        "term_started_on": "2024-01-10",
    }
    created = client.post("/api/v1/orgs/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["parent"] == "TA001" and created.json()["full_members"] == 0
    before = db_state()
    duplicate = client.post("/api/v1/orgs/", body, format="json")
    assert duplicate.status_code == 400 and "已存在" in duplicate.json()["code"][0]
    bad = client.post(
        "/api/v1/orgs/",
        {**body, "code": "B-1", "type": "团支部", "founded_on": "2024-13-01", "parent": "BA001"},
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert "团支部" in errors["type"][0] and "YYYY-MM-DD" in errors["founded_on"][0]
    under_branch = client.post(
        "/api/v1/orgs/", {**body, "code": "BA003", "parent": "BA001"}, format="json"
    )
    assert under_branch.status_code == 400 and "党小组" in under_branch.json()["parent"][0]
    no_parent = client.post(
        "/api/v1/orgs/", {k: v for k, v in body.items() if k != "parent"}, format="json"
    )
    assert no_parent.status_code == 400 and no_parent.json()["parent"]
    assert db_state() == before


@pytest.mark.django_db
def test_patch_type_error_uses_api_field_name(tree, api):
    client = api("admin")
    before = db_state()
    response = client.patch("/api/v1/orgs/BA001/", {"type": "党委"}, format="json")
    assert response.status_code == 400
    assert "type" in response.json() and "org_type" not in response.json()
    assert db_state() == before


@pytest.mark.django_db
def test_move_refuses_cycles_and_rolls_back_the_whole_patch(tree, api):
    client = api("admin")
    before = db_state()
    response = client.patch(
        "/api/v1/orgs/TA001/", {"name": "改了名", "parent": "BA001"}, format="json"
    )
    assert response.status_code == 400
    assert "循环" in response.json()["parent"][0]
    assert db_state() == before  # the rename did not stay behind


@pytest.mark.django_db
def test_move_to_a_node_of_its_own_subtree_is_a_cycle(tree, api):
    general = make_org(tree["town_a"], org_type="党总支", sector="农村", code="GA001")
    make_org(general, org_type="党支部", sector="农村", code="BA005")
    client = api("admin")
    before = db_state()
    # a 党总支 under a branch of its own subtree
    response = client.patch("/api/v1/orgs/GA001/", {"parent": "BA005"}, format="json")
    assert response.status_code == 400 and "循环" in response.json()["parent"][0]
    assert db_state() == before


@pytest.mark.django_db
def test_move_changes_parent_and_is_audited(tree, api):
    make_org(tree["town_a"], org_type="党总支", sector="农村", code="GA001")
    response = api("admin_a").patch("/api/v1/orgs/BA001/", {"parent": "GA001"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == "GA001" and response.json()["depth"] == 4
    from dangjian.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="org.move", object_id="BA001").exists()


@pytest.mark.django_db
def test_move_outside_own_subtree_is_refused(tree, api):
    client = api("admin_a")
    before = db_state()
    response = client.patch("/api/v1/orgs/BA001/", {"parent": "TB001"}, format="json")
    assert response.status_code == 400 and "管辖范围" in response.json()["parent"][0]
    assert db_state() == before
