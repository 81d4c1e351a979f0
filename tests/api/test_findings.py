"""``/api/v1/findings/``: the same findings as ``findings_for``, with the CLI's filters."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.rules.runner import findings_for
from tests.factories import make_org


@pytest.fixture
def problems(tree):
    # an empty rural branch (too few full members), a branch with an old term
    make_org(tree["town_a"], org_type="党支部", sector="农村", code="BA009", name="甲空支部")
    make_org(
        tree["town_b"],
        org_type="党支部",
        sector="社区",
        code="BB009",
        term_started_on=dt.date(2019, 1, 1),
        region_code="110105",
    )
    return tree


def _all(client, query: str = "") -> list[dict]:
    items: list[dict] = []
    page = 1
    while True:
        response = client.get(f"/api/v1/findings/?{query}&page={page}&page_size=2")
        assert response.status_code == 200, response.content
        items.extend(response.json()["results"])
        if not response.json()["next"]:
            return items
        page += 1


@pytest.mark.django_db
def test_same_findings_as_the_selector(problems, api):
    for user in ("admin", "admin_a", "admin_b", "inspector_a", "secretary_a"):
        expected = [f.as_dict() for f in findings_for(problems[user])]
        assert _all(api(user)) == expected
    assert {f["subject"] for f in _all(api("admin_b"))} <= {"TB001", "BB001", "BB009"}


@pytest.mark.django_db
def test_finding_format(problems, api):
    items = _all(api("admin"), "org=BA009")
    assert items, "an empty branch has setup findings"
    for item in items:
        assert {"rule", "subject", "severity", "message", "source", "evidence"} <= set(item)
        assert item["rule"].startswith("SETUP-") and item["subject"] == "BA009"
        assert item["severity"] in ("error", "warning", "due")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "rule=SETUP-BRANCH-MIN-FULL",
        "rule=SETUP-BRANCH-MIN-FULL,SETUP-TERM-EXPIRED",
        "severity=error",
        "sector=社区",
        "region=110105",
        "org=TB001",
        "at=2020-01-01",
        "rules=SETUP&at=2030-06-30&severity=warning",
    ],
)
def test_filters_match_the_selector(problems, api, query):
    from django.http import QueryDict

    params = QueryDict(query)
    kwargs = {
        "rule_ids": params["rule"].split(",") if "rule" in params else None,
        "severity": params.get("severity"),
        "sector": params.get("sector"),
        "region": params.get("region"),
        "org_code": params.get("org"),
        "at": dt.date.fromisoformat(params["at"]) if "at" in params else None,
    }
    expected = [f.as_dict() for f in findings_for(problems["admin"], **kwargs)]
    assert _all(api("admin"), query) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("at=2026-02-30", "at"),
        ("at=20260101", "at"),
        ("at=昨天", "at"),
        ("rules=ASSESS", "rules"),
        ("rules=NOPE", "rules"),
        ("rule=SETUP-NOPE", "rule"),
        ("severity=fatal", "severity"),
        ("sector=火星", "sector"),
        ("region=北京", "region"),
        ("org=A_1", "org"),
        ("page=x", "page"),
    ],
)
def test_bad_filters_are_400(problems, api, query, field):
    response = api("admin").get(f"/api/v1/findings/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()[field][0]


@pytest.mark.django_db
def test_org_outside_scope_is_404(problems, api):
    outside = api("admin_a").get("/api/v1/findings/?org=BB009")
    unknown = api("admin_a").get("/api/v1/findings/?org=XX001")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


@pytest.mark.django_db
def test_recruit_rule_ids_are_filtered_over_the_cases(tree, api):
    from tests.recruit.helpers import D, open_case, step

    late_talk = open_case(tree["branch_a"], D(2025, 1, 10))
    step(late_talk, 2, D(2025, 3, 1))
    base = "/api/v1/findings/?rules=RECRUIT&at=2025-08-01"
    response = api("admin").get(f"{base}&rule=RECRUIT-TALK-1-MONTH")
    assert response.status_code == 200, response.content
    found = {(f["subject"], f["rule"]) for f in response.json()["results"]}
    assert found == {(late_talk.case_no, "RECRUIT-TALK-1-MONTH")}
    # an unknown RECRUIT id, or a RECRUIT id without the family, is refused, not ignored
    assert api("admin").get(f"{base}&rule=RECRUIT-NOPE").status_code == 400
    bare = api("admin").get("/api/v1/findings/?rule=RECRUIT-TALK-1-MONTH")
    assert bare.status_code == 400
