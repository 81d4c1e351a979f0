"""The API: list with search, propose, detail with live evidence, name/review/revoke, evidence;
bad input a 400 in Chinese, never a 500; in the schema."""

from __future__ import annotations

import pytest

from dangjian.core.models import AuditEntry
from dangjian.exemplar.models import Exemplar

BASE = "/api/v1/exemplar/examples/"


def test_list_and_search(api, examples):
    client = api("admin")
    rows = client.get(BASE).json()["results"]
    assert {r["title"] for r in rows} == {"吃茶话事工作法", "邻里驿站"}
    rows = client.get(BASE, {"theme": "为民服务"}).json()["results"]
    assert [r["title"] for r in rows] == ["邻里驿站"] and rows[0]["themes"] == [
        "为民服务",
        "基层治理",
    ]
    rows = api("admin_b").get(BASE).json()["results"]
    assert [r["title"] for r in rows] == ["邻里驿站"]  # the other subtree's cultivation: unseen


def test_propose_name_evidence_and_detail(api, tree, today):
    secretary = api("secretary_a")
    resp = secretary.post(
        BASE,
        {
            "org": "BA001",
            "kind": "示范点",
            "title": "甲村党建点",
            "summary": "标准化",
            "themes": ["乡村振兴"],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert resp.json()["status"] == "培育" and resp.json()["evidence"] == []
    resp = secretary.post(
        f"{BASE}{pk}/evidence/", {"kind": "为民服务", "year": today.year}, format="json"
    )
    assert resp.status_code == 201
    assert resp.json()["evidence"][0]["missing"].endswith("没有服务工单")
    assert secretary.post(f"{BASE}{pk}/name/", {"named_on": f"{today}"}).status_code == 403
    resp = api("admin_a").post(f"{BASE}{pk}/name/", {"named_on": f"{today}"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "命名"
    assert resp.json()["named_by"]["code"] == "TA001"
    resp = api("admin_a").post(f"{BASE}{pk}/revoke/", {"reason": "不达标"}, format="json")
    assert resp.json()["status"] == "撤销"
    assert AuditEntry.objects.filter(action="exemplar.revoke").count() == 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"org": "NOPE", "kind": "示范点", "title": "x", "summary": "y"}),
        ("", {"org": "BA001", "kind": "示范点", "title": "x" * 101, "summary": "y"}),
        ("", {"org": "BA001", "kind": "奖状", "title": "", "summary": "y"}),
        ("", {"org": "BA001", "kind": "示范点", "title": "x", "summary": "y", "themes": "a"}),
        ("{p}/evidence/", {"kind": "考核结果", "campaign": 99999}),
        ("{p}/evidence/", {"kind": "组织生活", "meeting": "x"}),
        ("{p}/evidence/", {"kind": "为民服务"}),
        ("{p}/name/", {"named_on": "2026-02-30"}),
        ("{p}/review/", {"review_on": "2030-01-01"}),
        ("{p}/revoke/", {"reason": ""}),
    ],
)
def test_bad_input_is_a_400(api, examples, path, data):
    path = path.replace("{p}", str(examples["practice"].pk))
    client = api("admin")  # issuing the token is audited
    before = (Exemplar.objects.count(), AuditEntry.objects.count())
    resp = client.post(BASE + path, data, format="json")
    assert resp.status_code == 400, resp.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(resp.json()))
    assert (Exemplar.objects.count(), AuditEntry.objects.count()) == before


def test_outside_the_scope(api, examples):
    client = api("admin_a")
    data = {"org": "BB001", "kind": "示范点", "title": "x", "summary": "y"}
    resp = client.post(BASE, data, format="json")
    assert resp.status_code == 400 and "不在您的管辖范围内" in str(resp.json())
    assert client.get(f"{BASE}{examples['brand'].pk}/").status_code == 200  # named: public
    assert client.post(f"{BASE}{examples['brand'].pk}/revoke/", {"reason": "x"}).status_code == 403


def test_bad_query_is_a_400(api, examples):
    assert api("admin").get(BASE, {"level": "乡级"}).status_code == 400
    assert api("admin").get(BASE, {"q": "x" * 500}).status_code == 400
    assert api("admin").get(f"{BASE}99999/").status_code == 404


def test_in_the_schema(api, tree):
    schema = api("admin").get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/exemplar/examples/" in paths
    assert "/api/v1/exemplar/examples/{id}/name/" in paths
    assert "ExemplarStatusEnum" in schema["components"]["schemas"]
