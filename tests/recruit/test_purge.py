"""Retention of applicants' personal numbers (issue 9): the ID and phone numbers of applicants who
were not admitted or withdrew are deleted once the retention period (default 2 years from the end
of the case) has passed — by ``dangjian recruit purge [--at] [--dry-run]`` — one audit entry per
case with no plain number; the case page says they were deleted and when."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.core.idnumber import compose_id
from dangjian.core.models import AuditEntry
from dangjian.recruit import services
from dangjian.recruit.models import RecruitCase
from tests.recruit.helpers import TODAY, D, decide, open_case, step, vote, walk_to_admission

NUMBER = compose_id("110105", D(1985, 4, 12), 21)  # 北京朝阳区, born 1985


def purge(*args: str) -> str:
    out = StringIO()
    call_command("recruit", "purge", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ended(tree):
    withdrawn = open_case(
        tree["branch_a"], D(2024, 3, 1), id_number=NUMBER, phone="13912345678", name="周敏"
    )
    services.withdraw_case(
        actor=SYSTEM, case=withdrawn, on=D(2024, 10, 8), reason="本人撤回申请", today=TODAY
    )
    rejected = open_case(tree["branch_a"], D(2023, 2, 1), name="吴刚")
    step(rejected, 15, D(2024, 9, 2), vote=vote())
    decide(rejected, 17, D(2024, 11, 15), "rejected")
    admitted = walk_to_admission(tree["branch_b"], tree["members_b"], approver=tree["town_b"])
    running = open_case(tree["branch_a"], D(2022, 1, 5), name="郑华")
    return {"withdrawn": withdrawn, "rejected": rejected, "admitted": admitted, "running": running}


def _fresh(case: RecruitCase) -> RecruitCase:
    return RecruitCase.objects.get(pk=case.pk)


@pytest.mark.django_db
def test_end_dates_are_recorded(ended):
    assert _fresh(ended["withdrawn"]).ended_on == D(2024, 10, 8)
    assert _fresh(ended["rejected"]).ended_on == D(2024, 11, 15)
    assert _fresh(ended["admitted"]).ended_on is None


@pytest.mark.django_db
def test_dry_run_lists_and_changes_nothing(ended):
    before = AuditEntry.objects.count()
    out = purge("--at", "2026-10-08", "--dry-run")
    assert ended["withdrawn"].case_no in out and "周敏" in out
    assert ended["rejected"].case_no not in out  # ended 2024-11-15: not yet two years
    assert "到期待删除的案例 1 个" in out and "未删除任何数据" in out
    assert _fresh(ended["withdrawn"]).id_number() == NUMBER
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_purge_deletes_numbers_audits_once_and_is_idempotent(ended):
    assert purge("--at", "2026-10-07").count("周敏") == 0  # one day early: nothing
    out = purge("--at", "2026-11-23", "--format", "json")
    data = json.loads(out)
    assert [c["case"] for c in data["cases"]] == [
        ended["withdrawn"].case_no,
        ended["rejected"].case_no,
    ]
    assert data["retention_years"] == 2 and data["dry_run"] is False
    for key in ("withdrawn", "rejected"):
        case = _fresh(ended[key])
        assert case.numbers_purged_at is not None
        assert bytes(case.id_number_cipher) == b"" and case.id_number_digest == ""
        assert case.id_number_masked == "" and case.phone_masked == ""
        assert case.phone_cipher is None and case.id_number() == "" and case.phone() == ""
        assert case.name and case.birth_date  # the record itself stays
    for key in ("admitted", "running"):
        assert _fresh(ended[key]).id_number() != ""
    entries = AuditEntry.objects.filter(action="recruit.case_purge_numbers")
    assert entries.count() == 2
    entry = entries.get(object_id=str(ended["withdrawn"].pk))
    assert entry.after["id_number"] is None and entry.after["retention_years"] == 2
    assert entry.before["id_number"] != NUMBER and "13912345678" not in json.dumps(entry.before)
    every = json.dumps(list(AuditEntry.objects.values("before", "after")), default=str)
    assert NUMBER not in every and "13912345678" not in every
    # a second run finds nothing
    assert "已删除个人号码的案例 0 个" in purge("--at", "2026-11-23")
    assert AuditEntry.objects.filter(action="recruit.case_purge_numbers").count() == 2


@pytest.mark.django_db
def test_retention_period_is_a_parameter(ended):
    with override_settings(DANGJIAN_RULES={"RECRUIT": {"retention_years": 3}}):
        assert "到期待删除的案例 0 个" in purge("--at", "2026-11-23", "--dry-run")
        assert "周敏" in purge("--at", "2027-10-08", "--dry-run")


@pytest.mark.django_db
def test_case_page_shows_that_and_when_the_numbers_were_deleted(tree, ended):
    purge("--at", "2026-11-23")
    client = Client()
    client.force_login(tree["secretary_a"])
    html = client.get(f"/recruit/cases/{ended['withdrawn'].pk}/").content.decode()
    assert "公民身份号码、联系电话" in html
    assert "已于 2026-11-23 按保存期限删除（案例于 2024-10-08 结束）" in html
    # the phone cannot come back through the edit form
    response = client.post(
        f"/recruit/cases/{ended['withdrawn'].pk}/edit/",
        {"name": "周敏", "phone": "13912345678", "priority_group": "其他"},
    )
    assert response.status_code == 400 and "已按保存期限删除" in response.content.decode()
    assert _fresh(ended["withdrawn"]).phone() == ""


@pytest.mark.django_db
def test_bad_arguments_are_refused(ended, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="purge 不需要文件参数"):
        purge(str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="请给出要检查的案例 JSON 文件"):
        call_command("recruit", "check")
