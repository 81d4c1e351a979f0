"""``dangjian recruit check`` resolves an ``approver`` code from the organizations in the database
(issue 9): its type and whether it sits under a 乡镇/街道 党委. ``approver_type`` in the file still
overrides; an unknown code stays "not checked", with the reason."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import make_org

AT = "2026-11-23"


def case(code: str | None, **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "case": f"R-{code or 'none'}",
        "org": "BA001",
        "steps": {"13": "2026-05-10", "15": "2026-06-01", "17": "2026-07-01"},
    }
    if code is not None:
        raw["approver"] = code
    return raw | extra


def check(tmp_path: Path, cases: list[dict[str, Any]]) -> dict[str, Any]:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("recruit", "check", str(path), "--at", AT, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def authority(data: dict[str, Any], case_id: str) -> list[dict[str, Any]]:
    return [
        f
        for f in data["findings"]
        if f["subject"] == case_id and f["rule"] == "RECRUIT-APPROVER-AUTHORITY"
    ]


@pytest.fixture
def orgs(tree):
    # 甲镇党委 (a town committee by its name) → 甲村党委 (a village committee under it)
    village = make_org(
        tree["town_a"], org_type="党委", sector="农村", code="VC001", name="甲村党委"
    )
    general = make_org(
        tree["root"], org_type="党总支", sector="机关", code="GB001", name="区机关党总支"
    )
    return {"village": village, "general": general, **tree}


@pytest.mark.django_db
def test_known_codes_are_judged_from_the_organizations(tmp_path, orgs):
    data = check(tmp_path, [case("TA001"), case("VC001"), case("GB001")])
    assert authority(data, "R-TA001") == []
    assert "RECRUIT-APPROVER-AUTHORITY" not in data["not_checked"].get("R-TA001", [])
    [village] = authority(data, "R-VC001")
    assert village["severity"] == "error"
    assert "甲村党委（VC001）隶属于乡镇/街道党委" in village["message"]
    assert village["evidence"]["approver_type"] == "党委"
    assert village["evidence"]["approver_under_town"] is True
    [general] = authority(data, "R-GB001")
    assert "区机关党总支（GB001）是党总支，没有审批接收预备党员的权限" in general["message"]


@pytest.mark.django_db
def test_the_file_overrides_the_database(tmp_path, orgs):
    data = check(tmp_path, [case("TA001", approver_type="党总支")])
    [f] = authority(data, "R-TA001")
    assert f["evidence"]["approver_type"] == "党总支"
    data = check(tmp_path, [case("VC001", approver_under_town=False)])
    assert authority(data, "R-VC001") == []


@pytest.mark.django_db
def test_unknown_code_is_not_checked_with_the_reason(tmp_path, orgs):
    data = check(tmp_path, [case("XX999"), case(None)])
    assert "RECRUIT-APPROVER-AUTHORITY" in data["not_checked"]["R-XX999"]
    reason = data["not_checked_reasons"]["R-XX999"]["RECRUIT-APPROVER-AUTHORITY"]
    assert "审批组织编码 XX999 不是本系统中的组织" in reason
    reason = data["not_checked_reasons"]["R-none"]["RECRUIT-APPROVER-AUTHORITY"]
    assert "文件未给出审批组织" in reason
    table = StringIO()
    path = tmp_path / "cases.json"
    call_command("recruit", "check", str(path), "--at", AT, stdout=table)
    assert "审批组织编码 XX999 不是本系统中的组织" in table.getvalue()
