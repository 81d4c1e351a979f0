"""The list endpoints' query parameters are declared once (api/filtersets.py): a bad value is a
400 naming the parameter in Chinese, also when the value carries a "%", and the schema lists
the same parameters."""

from __future__ import annotations

import pytest

from dangjian.api.filtersets import MemberFilter, query_params


@pytest.mark.django_db
def test_a_bad_value_is_refused_naming_its_parameter(tree, api):
    response = api("admin").get("/api/v1/members/?type=50%25")
    assert response.status_code == 400
    assert response.json() == {"type": ["党员类型“50%”无效，应为：正式党员、预备党员"]}


@pytest.mark.django_db
def test_every_bad_parameter_is_named(tree, api):
    response = api("admin").get("/api/v1/orgs/?type=x&region=abc")
    assert response.status_code == 400
    assert set(response.json()) == {"type", "region"}


def test_the_schema_parameters_come_from_the_declaration():
    params = {p.name: p for p in query_params(MemberFilter)}
    assert set(params) == {"org", "subtree", "type", "q"}
    assert params["type"].enum == ["", "正式党员", "预备党员"]  # empty: not given
    assert params["q"].description == "姓名包含"
