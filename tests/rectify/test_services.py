"""Rectification services: who may do what, state changes, audit, nothing written on refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.rectify.models import RectificationPlan, RectificationTask, TaskProgress
from dangjian.rectify.services import (
    plan_create,
    task_add,
    task_confirm,
    task_progress,
    task_reopen,
    task_report_done,
    task_update,
)
from tests.factories import make_user
from tests.rectify.helpers import task_input, weak_plan


def _state():
    return (
        RectificationPlan.objects.count(),
        tuple(RectificationTask.objects.order_by("pk").values_list("pk", "status", "what")),
        TaskProgress.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.django_db
def test_plan_create_by_upper_level_is_audited(tree):
    plan = weak_plan(tree["branch_a"], actor=tree["admin_a"])
    assert plan.status == "open" and plan.created_by == tree["admin_a"]
    assert plan.conditions[0]["label"] == "书记空缺超过 3 个月"
    assert plan.tasks.count() == 2
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["rectify.plan.create", "rectify.task.add", "rectify.task.add"]
    entry = AuditEntry.objects.get(action="rectify.plan.create")
    assert entry.scope_path == tree["branch_a"].path
    assert entry.after["conditions"] == [
        {"condition": "secretary_vacant", "rule": "SETUP-SECRETARY-VACANT"}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretary_a", "admin_b", "inspector_a", "auditor"])
def test_plan_create_denied(tree, who):
    before = _state()
    with pytest.raises(PermissionDenied):
        weak_plan(tree["branch_a"], actor=tree[who])
    assert _state() == before


@pytest.mark.django_db
def test_committee_cannot_open_a_plan_for_itself(tree):
    before = _state()
    with pytest.raises(PermissionDenied, match="上级"):
        weak_plan(tree["town_a"], actor=tree["admin_a"])
    assert _state() == before
    weak_plan(tree["town_a"], actor=tree["admin"])  # the district can


@pytest.mark.django_db
def test_plan_create_bad_input(tree):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        plan_create(actor=SYSTEM, org=tree["branch_a"], reason="weak", conditions=[])
    assert "认定情形" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        plan_create(
            actor=SYSTEM,
            org=tree["branch_a"],
            reason="lagging",
            tasks=[
                task_input(what=""),
                task_input(days=-3),
                task_input(owner="张三 13812345678"),
            ],
        )
    text = str(exc.value)
    assert "第 1 项任务：请填写整改任务" in text
    assert "第 2 项任务：完成时限" in text and "早于今天" in text
    assert "第 3 项任务：责任人中不要填写手机号" in text
    assert _state() == before


@pytest.mark.django_db
def test_one_open_plan_per_org(tree):
    weak_plan(tree["branch_a"])
    before = _state()
    with pytest.raises(ValidationError, match="已有一个进行中的整改方案"):
        plan_create(actor=SYSTEM, org=tree["branch_a"], reason="lagging")
    assert _state() == before


@pytest.mark.django_db
def test_full_cycle_confirm_only_by_upper_level(tree):
    plan = weak_plan(tree["branch_a"], actor=tree["admin_a"], tasks=1)
    task = plan.tasks.get()
    secretary, upper = tree["secretary_a"], tree["admin_a"]

    task_progress(actor=secretary, task=task, text="已召开支委会研究整改")
    task_report_done(actor=secretary, task=task, text="已选举产生新书记")
    task.refresh_from_db()
    assert task.status == "reported" and task.reported_by == secretary
    assert task.progress.count() == 2

    # the branch cannot confirm its own task, neither can another subtree or an inspector
    for who in (secretary, tree["admin_b"], tree["inspector_a"]):
        before = _state()
        with pytest.raises(PermissionDenied):
            task_confirm(actor=who, task=task)
        assert _state() == before

    task_confirm(actor=upper, task=task, note="经核实已完成")
    task.refresh_from_db()
    plan.refresh_from_db()
    assert task.status == "confirmed" and task.reviewed_by == upper
    assert plan.status == "done" and plan.done_at is not None
    entry = AuditEntry.objects.filter(action="rectify.task.confirm").get()
    assert entry.after["plan_status"] == "done" and entry.before["status"] == "reported"

    # a confirmed task takes no more progress, and the upper level may reopen it
    with pytest.raises(ValidationError, match="已经上级确认完成"):
        task_progress(actor=secretary, task=task, text="补充材料")
    task_reopen(actor=upper, task=task, note="复查发现书记仍未到岗")
    task.refresh_from_db()
    plan.refresh_from_db()
    assert task.status == "reopened" and plan.status == "open"
    task_report_done(actor=secretary, task=task)
    assert RectificationTask.objects.get(pk=task.pk).status == "reported"


@pytest.mark.django_db
def test_reporter_cannot_confirm_own_report(tree):
    """An upper-level admin who reports a task done for the branch cannot also confirm it."""
    plan = weak_plan(tree["branch_a"], tasks=1)
    task = plan.tasks.get()
    task_report_done(actor=tree["admin_a"], task=task)
    before = _state()
    with pytest.raises(ValidationError, match="不能确认或退回自己报告的任务"):
        task_confirm(actor=tree["admin_a"], task=task)
    assert _state() == before
    task_confirm(actor=tree["admin"], task=task)


@pytest.mark.django_db
def test_state_rules(tree):
    plan = weak_plan(tree["branch_a"], tasks=2)
    first, second = plan.tasks.order_by("pk")
    with pytest.raises(ValidationError, match="只能确认已报告完成的任务"):
        task_confirm(actor=SYSTEM, task=first)
    with pytest.raises(ValidationError, match="写明原因"):
        task_reopen(actor=SYSTEM, task=first, note="")
    task_report_done(actor=tree["secretary_a"], task=first)
    with pytest.raises(ValidationError, match="不能再报告完成"):
        task_report_done(actor=tree["secretary_a"], task=first)
    task_confirm(actor=tree["admin_a"], task=first)
    plan.refresh_from_db()
    assert plan.status == "open"  # the second task is still open
    with pytest.raises(ValidationError, match="不能再修改"):
        task_update(actor=SYSTEM, task=first, data=task_input())
    with pytest.raises(ValidationError, match="晚于今天"):
        task_progress(
            actor=tree["secretary_a"],
            task=second,
            text="x",
            on=timezone.localdate() + dt.timedelta(days=1),
        )


@pytest.mark.django_db
def test_progress_only_by_the_org_subtree(tree):
    plan = weak_plan(tree["branch_a"], tasks=1)
    task = plan.tasks.get()
    secretary_b = make_user(tree["branch_b"], "branch_secretary")
    for who in (secretary_b, tree["inspector_a"], tree["auditor"]):
        before = _state()
        with pytest.raises(PermissionDenied):
            task_progress(actor=who, task=task, text="进展")
        with pytest.raises(PermissionDenied):
            task_report_done(actor=who, task=task)
        assert _state() == before


@pytest.mark.django_db
def test_task_add_and_update(tree):
    plan = weak_plan(tree["branch_a"], tasks=0)
    with pytest.raises(PermissionDenied):
        task_add(actor=tree["secretary_a"], plan=plan, data=task_input())
    task = task_add(actor=tree["admin_a"], plan=plan, data=task_input(what="健全支委会"))
    assert AuditEntry.objects.filter(action="rectify.task.add").count() == 1
    data = task_input(what="健全支委会", owner="镇党委组织委员", days=60)
    task_update(actor=tree["admin_a"], task=task, data=data)
    task.refresh_from_db()
    assert task.owner == "镇党委组织委员"
    entry = AuditEntry.objects.get(action="rectify.task.update")
    assert entry.before["owner"] == "支部书记" and entry.after["owner"] == "镇党委组织委员"
    # no change, no audit entry
    task_update(actor=tree["admin_a"], task=task, data=data)
    assert AuditEntry.objects.filter(action="rectify.task.update").count() == 1


@pytest.mark.django_db
def test_past_deadline_kept_on_edit(tree):
    plan = weak_plan(tree["branch_a"], tasks=1)
    task = plan.tasks.get()
    past = timezone.localdate() - dt.timedelta(days=10)
    RectificationTask.objects.filter(pk=task.pk).update(deadline=past)
    task.refresh_from_db()
    task_update(actor=SYSTEM, task=task, data=task_input(what="改写任务", deadline=past))
    assert RectificationTask.objects.get(pk=task.pk).what == "改写任务"
