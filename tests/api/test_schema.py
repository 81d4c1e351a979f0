"""The OpenAPI schema generates without warnings, validates, and lists every endpoint."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

PATHS = {
    "/api/v1/auth/token/": {"post", "delete"},
    "/api/v1/auth/token/revoke/": {"post"},
    "/api/v1/orgs/": {"get", "post"},
    "/api/v1/orgs/{code}/": {"get", "patch"},
    "/api/v1/members/": {"get", "post"},
    "/api/v1/members/{id}/": {"get", "patch"},
    "/api/v1/members/{id}/reveal/": {"post"},
    "/api/v1/members/{id}/statuses/": {"get", "post"},
    "/api/v1/findings/": {"get"},
    "/api/v1/meetings/": {"get", "post"},
    "/api/v1/meetings/{id}/": {"get", "patch", "delete"},
    "/api/v1/meetings/{id}/attachments/": {"get", "post"},
    "/api/v1/life/compliance/": {"get"},
    "/api/v1/recruitment/cases/": {"get", "post"},
    "/api/v1/recruitment/cases/{id}/": {"get"},
    "/api/v1/recruitment/cases/{id}/steps/": {"get", "post"},
    "/api/v1/recruitment/cases/{id}/attachments/": {"get", "post"},
    "/api/v1/campaigns/": {"get"},
    "/api/v1/campaigns/{id}/results/": {"get"},
    "/api/v1/campaigns/{id}/self-checks/": {"get", "post"},
    "/api/v1/campaigns/{id}/spot-checks/": {"get", "post"},
    "/api/v1/surveys/": {"get"},
    "/api/v1/service/orders/": {"get"},
    "/api/v1/service/orders/{id}/": {"get"},
    **{
        f"/api/v1/service/orders/{{id}}/{action}/": {"post"}
        for action in ("accept", "refuse", "merge", "dispatch", "escalate", "take", "resolve")
    },
    "/api/v1/service/orders/{id}/close/": {"post"},
    "/api/v1/service/grids/": {"get", "post"},
    "/api/v1/service/grids/{id}/": {"get", "patch"},
    "/api/v1/service/grids/{id}/deactivate/": {"post"},
}


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn turns any warning (e.g. a view without serializer) into an error
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    members = schema["components"]["schemas"]["Member"]["properties"]
    assert "id_number" in members and "id_number_cipher" not in members
    write = schema["components"]["schemas"]["MemberWrite"]["properties"]
    assert write["id_number"]["writeOnly"] is True


@pytest.mark.django_db
def test_schema_endpoint_needs_a_login(tree, api, login):
    anonymous = APIClient().get("/api/v1/schema/?format=json")
    assert anonymous.status_code == 401
    assert "paths" not in anonymous.json()
    response = api("admin_a").get("/api/v1/schema/?format=json")  # token
    assert response.status_code == 200
    assert set(PATHS) <= set(response.json()["paths"])
    assert login("admin_a").get("/api/v1/schema/?format=json").status_code == 200  # session
