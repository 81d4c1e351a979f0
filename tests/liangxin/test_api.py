"""``/api/v1/liangxin/…``: reads scoped like the pages, writes through the services, every
refusal a 400 in Chinese with nothing written."""

from __future__ import annotations

import pytest

from dangjian.liangxin.models import Advisor, Assignment, Unit, Visit
from dangjian.liangxin.uscc import make_uscc

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Unit.objects.count(),
        Advisor.objects.count(),
        Assignment.objects.count(),
        Visit.objects.count(),
    )


def test_coverage_and_blanks(register, api):
    client = api(register.root_admin)
    body = client.get("/api/v1/liangxin/coverage/", {"year": "2026"}).json()
    assert (body["total"]["total"], body["total"]["organized"], body["total"]["worked"]) == (
        6,
        3,
        2,
    )
    assert body["total"]["organized_rate"] == "50.0" and body["min_visits"] == 4
    assert {r["key"]: r["blank"] for r in body["by_region"]} == {"330102": 2, "330103": 0}
    blanks = client.get("/api/v1/liangxin/blanks/").json()
    assert {u["name"] for u in blanks["results"]} == {"丁协会", "戊公司"}
    town = api(register.town_a_admin).get("/api/v1/liangxin/coverage/").json()
    assert town["total"]["total"] == 5


def test_units_list_detail_scope(register, api):
    client = api(register.town_a_admin)
    names = {u["name"] for u in client.get("/api/v1/liangxin/units/").json()["results"]}
    assert names == {"甲公司", "乙公司", "丙公司", "丁协会", "戊公司"}
    ji = register.units["己公司"]
    assert client.get(f"/api/v1/liangxin/units/{ji.pk}/").status_code == 404
    ding = register.units["丁协会"]
    detail = client.get(f"/api/v1/liangxin/units/{ding.pk}/").json()
    assert detail["status"]["blank"] is True and detail["status"]["visits"] == 2
    assert client.get("/api/v1/liangxin/units/", {"industry": "火星"}).status_code == 400
    assert client.get("/api/v1/liangxin/coverage/", {"year": "x"}).status_code == 400
    assert (
        client.get("/api/v1/liangxin/coverage/", {"org": register.town_b.code}).status_code == 404
    )
    assert api(register.grid).get("/api/v1/liangxin/units/").status_code == 403


def test_writes(register, api):
    client = api(register.town_a_admin)
    code = make_uscc(register.rng, "330102")
    body = {
        "name": "接口公司",
        "uscc": code.lower(),
        "kind": "非公企业",
        "industry": "建筑业",
        "size": "中型",
        "region_code": "330102",
        "org": register.town_a.code,
        "employees": 30,
        "members": 2,
    }
    created = client.post("/api/v1/liangxin/units/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["uscc"] == code
    advisor = client.post(
        "/api/v1/liangxin/advisors/", {"name": "周联络", "org": register.town_a.code}, format="json"
    )
    assert advisor.status_code == 201
    aid = advisor.json()["id"]
    assigned = client.post(
        f"/api/v1/liangxin/units/{pk}/assign/",
        {"advisor": aid, "role": "联系人", "since": "2026-10-01"},
        format="json",
    )
    assert assigned.status_code == 201 and len(assigned.json()["assignments"]) == 1
    visited = client.post(
        f"/api/v1/liangxin/units/{pk}/visits/",
        {"advisor": aid, "visited_on": "2026-10-02", "note": "宣讲"},
        format="json",
    )
    assert visited.status_code == 201 and visited.json()["status"]["visits"] == 1


@pytest.mark.parametrize(
    ("url", "body", "message"),
    [
        (
            "units/",
            {
                "name": "x",
                "uscc": "91330102000000005N",
                "kind": "非公企业",
                "industry": "建筑业",
                "size": "小型",
                "region_code": "330102",
                "org": "T0",
            },
            "组织",
        ),
        ("advisors/", {"name": "", "org": "NOPE"}, ""),
        ("advisors/", "not json", ""),
    ],
)
def test_bad_writes_400(register, api, url, body, message):
    client = api(register.town_a_admin)
    before = _counts()
    response = client.post(f"/api/v1/liangxin/{url}", body, format="json")
    assert response.status_code == 400, response.content
    assert message in str(response.json())
    assert _counts() == before


def test_bad_uscc_is_400_in_chinese(register, api):
    client = api(register.town_a_admin)
    body = {
        "name": "x",
        "uscc": "91330102000000005N",
        "kind": "非公企业",
        "industry": "建筑业",
        "size": "小型",
        "region_code": "330102",
        "org": register.town_a.code,
    }
    response = client.post("/api/v1/liangxin/units/", body, format="json")
    assert response.status_code == 400 and "校验位不正确" in str(response.json())
    body["uscc"] = register.units["甲公司"].uscc
    response = client.post("/api/v1/liangxin/units/", body, format="json")
    assert response.status_code == 400 and "已登记" in str(response.json())


def test_visit_by_unassigned_advisor(register, api):
    client = api(register.town_a_admin)
    jia = register.units["甲公司"]
    before = _counts()
    response = client.post(
        f"/api/v1/liangxin/units/{jia.pk}/visits/",
        {"advisor": register.zhang.pk, "visited_on": "2026-10-02"},
        format="json",
    )
    assert response.status_code == 400 and "不是该单位的党建指导员" in str(response.json())
    response = client.post(
        f"/api/v1/liangxin/units/{jia.pk}/visits/",
        {"advisor": register.li.pk, "visited_on": "2026-10-02"},
        format="json",
    )
    assert response.status_code == 400 and "管辖范围" in str(response.json())
    assert _counts() == before
