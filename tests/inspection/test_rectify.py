"""One closed loop: a finding becomes a rectification task (a new plan of reason 督查暗访发现问题,
or the organization's open plan), the branch reports it done, the re-visit confirms or reopens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.inspection.models import Finding
from dangjian.inspection.services import finding_revisit, finding_to_task, plan_publish
from dangjian.rectify import services as rectify
from dangjian.rectify.choices import PlanReason, PlanStatus, TaskStatus
from dangjian.rectify.models import RectificationPlan
from tests.authz import state

from .conftest import make_plan, make_visit

D = dt.date
pytestmark = pytest.mark.django_db


def _finding(place, kind="督查"):
    plan = make_plan(place, kind=kind)
    make_visit(place, plan, actor=place.inspector)
    return plan, Finding.objects.get()


def test_finding_to_task_to_revisit(place):
    _plan, finding = _finding(place)
    task = finding_to_task(
        actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
    )
    plan = task.plan
    assert plan.org == place.branch and plan.reason == PlanReason.INSPECTION
    assert task.what.startswith("每月开展主题党日")
    finding.refresh_from_db()
    assert finding.task == task
    # the branch reports it done; the re-visit confirms it, and the plan is done
    rectify.task_report_done(actor=place.secretary, task=task, text="补开主题党日并上传照片")
    finding_revisit(actor=place.root_admin, finding=finding, passed=True, note="现场查看属实")
    task.refresh_from_db()
    plan.refresh_from_db()
    finding.refresh_from_db()
    assert task.status == TaskStatus.CONFIRMED and plan.status == PlanStatus.DONE
    assert finding.revisit == "confirmed" and finding.revisited_on == D(2026, 11, 23)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in (
        "inspection.finding.task",
        "rectify.plan.create",
        "rectify.task.add",
        "rectify.task.confirm",
        "inspection.revisit",
    ):
        assert action in actions, action


def test_a_failed_revisit_sends_the_task_back(place):
    _plan, finding = _finding(place)
    task = finding_to_task(
        actor=place.root_admin, finding=finding, owner="组织委员", deadline=D(2026, 12, 20)
    )
    rectify.task_report_done(actor=place.secretary, task=task)
    before = state()
    with pytest.raises(ValidationError) as info:
        finding_revisit(actor=place.root_admin, finding=finding, passed=False, note="")
    assert "复查未通过时请写明原因" in "".join(info.value.messages)
    assert state() == before
    finding_revisit(actor=place.root_admin, finding=finding, passed=False, note="照片为补拍")
    task.refresh_from_db()
    assert task.status == TaskStatus.REOPENED


def test_the_task_joins_the_organizations_open_plan(place):
    existing = rectify.plan_create(
        actor=place.root_admin, org=place.branch, reason=PlanReason.LAGGING, summary="考核后进"
    )
    _plan, finding = _finding(place)
    task = finding_to_task(
        actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
    )
    assert task.plan == existing
    assert RectificationPlan.objects.count() == 1


def test_refusals_write_nothing(place):
    plan, finding = _finding(place, kind="暗访")
    before = state()
    with pytest.raises(ValidationError) as info:
        finding_to_task(
            actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
        )
    assert "暗访结果发布后才能转为整改任务" in "".join(info.value.messages)
    assert state() == before
    plan_publish(actor=place.root_admin, plan=plan)
    before = state()
    with pytest.raises(ValidationError) as info:  # the rectify module's own checks
        finding_to_task(actor=place.root_admin, finding=finding, owner="", deadline=None)
    text = "".join(info.value.messages)
    assert "请填写责任人" in text and "请填写完成时限" in text
    with pytest.raises(ValidationError) as info:
        finding_revisit(actor=place.root_admin, finding=finding, passed=True)
    assert "还没有转为整改任务" in "".join(info.value.messages)
    with pytest.raises(PermissionDenied):
        finding_to_task(
            actor=place.secretary, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
        )
    assert state() == before
    task = finding_to_task(
        actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
    )
    with pytest.raises(ValidationError) as info:  # not reported done yet
        finding_revisit(actor=place.root_admin, finding=finding, passed=True)
    assert "报告完成后才能复查确认" in "".join(info.value.messages)
    with pytest.raises(ValidationError):
        finding_to_task(
            actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
        )
    assert task.status == TaskStatus.OPEN


def test_the_audit_trail_reads_in_chinese(place):
    from dangjian.inspection.services import media_add
    from dangjian.rules.registry import rule_titles
    from dangjian.web.audit_display import entry_changes
    from tests.authz import PNG
    from tests.web.visible import Piece, offences

    plan, finding = _finding(place, kind="暗访")
    media_add(actor=place.inspector, visit=finding.visit, name="现场.png", data=PNG)
    plan_publish(actor=place.root_admin, plan=plan)
    task = finding_to_task(
        actor=place.root_admin, finding=finding, owner="支部书记", deadline=D(2026, 12, 20)
    )
    rectify.task_report_done(actor=place.secretary, task=task)
    finding_revisit(actor=place.root_admin, finding=finding, passed=True)
    pieces = [
        Piece(f"{label}：{before} → {after}")
        # the file's name and digest are the shared attachments' (named as everywhere)
        for entry in AuditEntry.objects.filter(action__regex=r"^(inspection|rectify)\.").exclude(
            action="inspection.media.add"
        )
        for label, before, after in entry_changes(entry)
    ]
    assert pieces
    names = {place.branch.code, place.root.code}
    assert offences(pieces, names=names, rule_titles=rule_titles()) == []
