"""The OpenAPI schema says what the API answers: real responses validate against it."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rest_framework.test import APIClient

from tests.authz import build_world


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operation(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return schema["paths"][path][method]


def check(schema: dict[str, Any], path: str, method: str, response: Any) -> None:
    """``response`` has a status, content type and body the schema declares for the operation."""
    responses = _operation(schema, path, method)["responses"]
    declared = responses.get(str(response.status_code))
    assert declared is not None, (path, method, response.status_code, sorted(responses))
    content_type = response["Content-Type"].split(";")[0]
    assert content_type in declared["content"], (path, content_type, list(declared["content"]))
    if content_type != "application/json":
        return
    body_schema = declared["content"][content_type]["schema"]
    # the whole schema as one resource, so its "#/components/…" references resolve
    resource = Resource.from_contents(_nullable(schema), default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:schema", resource)
    validator = Draft202012Validator(_nullable(body_schema), registry=registry)
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert not errors, (path, method, errors[:3])


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as a null type; local references pointed at ``urn:schema``."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable"):
            return {"anyOf": [out, {"type": "null"}]}
        if "$ref" in out and out["$ref"].startswith("#/"):
            out["$ref"] = "urn:schema#" + out["$ref"][1:]
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@pytest.mark.django_db
def test_list_endpoints_answer_what_the_schema_says(tree, api, schema):
    """The five lists of one object's parts are bare arrays and documented so (they were
    documented as pages); the paged lists are pages."""
    world = build_world(tree)
    a = world["A"]
    client = api("admin_a")
    lists = {
        "/api/v1/meetings/{id}/attachments/": f"/api/v1/meetings/{a.meeting.pk}/attachments/",
        "/api/v1/recruitment/cases/{id}/attachments/": (
            f"/api/v1/recruitment/cases/{a.case.pk}/attachments/"
        ),
        "/api/v1/recruitment/cases/{id}/steps/": f"/api/v1/recruitment/cases/{a.case.pk}/steps/",
        "/api/v1/campaigns/{id}/self-checks/": (
            f"/api/v1/campaigns/{a.campaign.pk}/self-checks/?org={a.org.code}"
        ),
        "/api/v1/campaigns/{id}/spot-checks/": (
            f"/api/v1/campaigns/{a.campaign.pk}/spot-checks/?org={a.org.code}"
        ),
    }
    for template, url in lists.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert isinstance(response.json(), list), url
        check(schema, template, "get", response)
    pages = {
        "/api/v1/meetings/": "/api/v1/meetings/",
        "/api/v1/recruitment/cases/": "/api/v1/recruitment/cases/",
        "/api/v1/campaigns/{id}/results/": f"/api/v1/campaigns/{a.campaign.pk}/results/",
    }
    for template, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert set(response.json()) == {"count", "next", "previous", "results"}, url
        check(schema, template, "get", response)


@pytest.mark.django_db
def test_errors_are_documented_with_their_chinese_body(tree, api, schema):
    world = build_world(tree)
    a, b = world["A"], world["B"]
    cases = [
        ("/api/v1/meetings/", "get", APIClient(), "/api/v1/meetings/", 401),
        ("/api/v1/meetings/", "get", api("admin_a"), "/api/v1/meetings/?page_size=0", 400),
        ("/api/v1/meetings/", "get", api("admin_a"), "/api/v1/meetings/?page=999", 404),
        (
            "/api/v1/meetings/{id}/attachments/",
            "get",
            api("admin_a"),
            f"/api/v1/meetings/{b.meeting.pk}/attachments/",
            404,
        ),
        (
            "/api/v1/recruitment/cases/{id}/steps/",
            "get",
            api("sysadmin_a"),
            f"/api/v1/recruitment/cases/{a.case.pk}/steps/",
            403,
        ),
    ]
    for template, method, client, url, status in cases:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        check(schema, template, method, response)
        body = str(response.json())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body), body  # said in Chinese
    for method, operation in schema["paths"]["/api/v1/orgs/"].items():
        assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), method


@pytest.mark.django_db
def test_a_download_is_documented_with_its_real_content_type(tree, api, schema):
    world = build_world(tree)
    a = world["A"]
    url = f"/api/v1/meetings/{a.meeting.pk}/attachments/{a.meeting_file.pk}/"
    response = api("admin_a").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] != "application/octet-stream"
    check(schema, "/api/v1/meetings/{id}/attachments/{attachment_id}/", "get", response)


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_404(tree, api):
    response = api("admin_a").delete("/api/v1/meetings/null,null/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "接口不存在" in response.json()["detail"]
    # a path without its slash is still redirected by APPEND_SLASH
    assert api("admin_a").get("/api/v1/meetings").status_code == 301


@pytest.mark.django_db
def test_a_number_is_not_a_reveal_reason(tree, api, schema):
    """The schema says the reason is a string: a number is refused, not taken as its digits."""
    world = build_world(tree)
    url = f"/api/v1/members/{world['A'].member.pk}/reveal/"
    response = api("admin_a").post(url, {"reason": 0}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    check(schema, "/api/v1/members/{id}/reveal/", "post", response)
    assert api("admin_a").post(url, {"reason": "核对"}, format="json").status_code == 200


@pytest.mark.django_db
def test_a_reveal_states_its_reason(tree, api):
    """Found by the fuzz: a multipart body that was no object read as "no reason" and revealed
    the numbers; the reason is required (it goes to the audit trail)."""
    world = build_world(tree)
    url = f"/api/v1/members/{world['A'].member.pk}/reveal/"
    client = api("admin_a")
    for body, kind in (({}, "json"), ({}, "multipart"), ({"reason": ""}, "json")):
        response = client.post(url, body, format=kind)
        assert response.status_code == 400, (body, kind)
        assert "reason" in response.json()
        assert "id_number" not in response.json()


@pytest.mark.django_db
def test_the_compliance_of_a_year_not_begun_is_not_found(tree, api, schema, today):
    response = api("admin_a").get(f"/api/v1/life/compliance/?year={today.year + 1}")
    assert response.status_code == 404
    assert "尚未开始" in response.json()["detail"]
    check(schema, "/api/v1/life/compliance/", "get", response)


@pytest.mark.django_db
def test_one_organizations_result_is_documented(tree, api, schema):
    """``?org=`` answers one result with its breakdown, not a page: the schema says so."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.assess.services import campaign_score

    world = build_world(tree)
    a = world["A"]
    campaign_score(actor=SYSTEM, campaign=a.campaign, at=a.campaign.period_end)
    url = f"/api/v1/campaigns/{a.campaign.pk}/results/?org={a.org.code}"
    response = api("admin_a").get(url)
    assert response.status_code == 200, response.content[:300]
    assert "breakdown" in response.json()
    check(schema, "/api/v1/campaigns/{id}/results/", "get", response)


@pytest.mark.django_db
def test_a_change_that_names_no_field_is_refused(tree, api):
    """Found by the fuzz: a multipart PATCH whose body was not an object read as no change and
    answered 200; a partial update must name at least one field."""
    org = tree["branch_a"]
    client = api("admin_a")
    before = client.get(f"/api/v1/orgs/{org.code}/").json()
    for body, kind in (({}, "json"), ({"unknown": 1}, "json"), ({}, "multipart")):
        response = client.patch(f"/api/v1/orgs/{org.code}/", body, format=kind)
        assert response.status_code == 400, (body, kind)
        assert "请至少填写一个要修改的字段" in str(response.json())
    assert client.get(f"/api/v1/orgs/{org.code}/").json() == before
    renamed = client.patch(f"/api/v1/orgs/{org.code}/", {"name": "甲村党支部（改）"}, format="json")
    assert renamed.status_code == 200


@pytest.mark.django_db
def test_a_page_parameter_given_twice_is_refused(tree, api):
    client = api("admin_a")
    for query in ("page=1&page=2", "page_size=5&page_size=7"):
        response = client.get(f"/api/v1/orgs/?{query}")
        assert response.status_code == 400, query
        assert "只能给出一次" in str(response.json())
    assert client.get("/api/v1/orgs/?page=1&page_size=5").status_code == 200


@pytest.mark.django_db
def test_an_empty_page_parameter_is_documented_as_not_given(tree, api, schema):
    assert api("admin_a").get("/api/v1/orgs/?page=&page_size=").status_code == 200
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/orgs/"]["get"]["parameters"]}
    for name in ("page", "page_size"):
        assert {"type": "string", "enum": [""]} in params[name]["anyOf"], name


def test_every_operation_documents_the_servers_414(schema):
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "text/html" in operation["responses"]["414"]["content"]


@pytest.mark.django_db
def test_a_body_with_lists_and_objects_is_json_only(tree, api, schema):
    """Found by the fuzz: a multipart step with ``vote={}`` (text, not an object) was recorded
    without the vote; bodies with lists or objects are read from JSON only."""
    world = build_world(tree)
    a = world["A"]
    client = api("admin_a")
    step = {"number": 2, "done_on": "2026-01-05", "vote": "{}"}
    url = f"/api/v1/recruitment/cases/{a.case.pk}/steps/"
    for kind in ("multipart", None):
        response = client.post(url, step, format=kind) if kind else client.post(url, step)
        assert response.status_code == 415
    assert client.post("/api/v1/meetings/", {"org": a.org.code}).status_code == 415
    for path in ("/api/v1/meetings/", "/api/v1/recruitment/cases/{id}/steps/"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]
        assert list(body) == ["application/json"], path


@pytest.mark.django_db
def test_a_number_is_not_text_in_any_body(tree, api):
    """Found by the fuzz: ``"talker": 0`` was recorded as the text "0"; every text field of the
    API refuses a number."""
    world = build_world(tree)
    a = world["A"]
    client = api("admin_a")
    url = f"/api/v1/recruitment/cases/{a.case.pk}/steps/"
    response = client.post(url, {"number": 2, "done_on": "2026-01-05", "talker": 0}, format="json")
    assert response.status_code == 400
    assert "talker" in response.json()
    response = client.patch(f"/api/v1/orgs/{a.org.code}/", {"name": 7}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
