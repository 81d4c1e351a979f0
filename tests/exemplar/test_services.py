"""The write path: validation (every problem at once, nothing written), status transitions,
scope (the upper level names), audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.exemplar.models import Evidence, Exemplar
from dangjian.exemplar.selectors import Search, exemplars_for, reviews_due, search
from dangjian.exemplar.services import (
    evidence_add,
    evidence_remove,
    exemplar_change,
    exemplar_name,
    exemplar_propose,
    exemplar_review,
    exemplar_revoke,
)
from tests.life.helpers import meet


def test_propose_validates_everything_at_once_and_writes_nothing(tree):
    before = (Exemplar.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        exemplar_propose(
            actor=tree["secretary_a"],
            org=tree["branch_a"],
            kind="先进事迹",
            title="",
            summary=" ",
            level="国家级",
            themes=["好" * 30],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "title", "summary", "level", "themes"}
    assert "请选择类别" in errors["kind"][0]
    assert (Exemplar.objects.count(), AuditEntry.objects.count()) == before


def test_propose_defaults_and_audits(tree):
    item = exemplar_propose(
        actor=tree["secretary_a"],
        org=tree["branch_a"],
        kind="示范点",
        title="甲村高品质党建点",
        summary="标准化规范化建设。",
        themes="乡村振兴，标准化 乡村振兴",
    )
    assert item.status == "培育" and item.sector == "农村" and item.level == "县级"
    assert item.theme_list == ["乡村振兴", "标准化"]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "exemplar.propose" and entry.object_repr == "典型“甲村高品质党建点”"
    with pytest.raises(ValidationError, match="同名"):
        exemplar_propose(
            actor=tree["secretary_a"],
            org=tree["branch_a"],
            kind="示范点",
            title="甲村高品质党建点",
            summary="再来一次",
        )


def test_propose_only_in_scope(tree):
    with pytest.raises(PermissionDenied):
        exemplar_propose(
            actor=tree["admin_a"], org=tree["branch_b"], kind="工作法", title="x", summary="y"
        )
    with pytest.raises(PermissionDenied):  # 督查员 holds no exemplar permission
        exemplar_propose(
            actor=tree["inspector_a"], org=tree["branch_a"], kind="工作法", title="x", summary="y"
        )


def test_naming_is_the_upper_levels(tree, examples, today):
    practice = examples["practice"]
    with pytest.raises(PermissionDenied):  # a branch secretary does not name
        exemplar_name(actor=tree["secretary_a"], item=practice, named_on=today)
    with pytest.raises(PermissionDenied):  # another subtree's 党委 neither
        exemplar_name(actor=tree["admin_b"], item=practice, named_on=today)
    named = exemplar_name(actor=tree["admin_a"], item=practice, named_on=today, level="市级")
    assert named.status == "命名" and named.named_by == tree["town_a"]
    assert named.review_on == today.replace(year=today.year + 3, day=min(today.day, 28))
    assert named.level == "市级"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "exemplar.name" and entry.before["status"] == "培育"
    with pytest.raises(ValidationError, match="只有培育中"):
        exemplar_name(actor=tree["admin_a"], item=named, named_on=today)


def test_an_organization_does_not_name_itself(tree):
    item = exemplar_propose(
        actor=tree["admin_a"], org=tree["town_a"], kind="党建品牌", title="甲镇品牌", summary="…"
    )
    with pytest.raises(PermissionDenied, match="上级组织"):
        exemplar_name(actor=tree["admin_a"], item=item, named_on=item.proposed_on)
    assert exemplar_name(actor=tree["admin"], item=item, named_on=item.proposed_on).is_published


def test_naming_dates_are_checked(tree, examples, today):
    practice = examples["practice"]
    with pytest.raises(ValidationError) as exc:
        exemplar_name(
            actor=tree["admin_a"],
            item=practice,
            named_on=today + dt.timedelta(days=1),
            review_on=today,
        )
    assert set(exc.value.message_dict) == {"named_on", "review_on"}
    with pytest.raises(ValidationError, match="推荐日期"):
        exemplar_name(actor=tree["admin_a"], item=practice, named_on=today - dt.timedelta(days=3))
    practice.refresh_from_db()
    assert practice.status == "培育"


def test_review_and_revoke(tree, examples, today):
    brand = examples["brand"]
    later = today + dt.timedelta(days=700)
    assert exemplar_review(actor=tree["admin_b"], item=brand, review_on=later).review_on == later
    with pytest.raises(ValidationError, match="撤销原因"):
        exemplar_revoke(actor=tree["admin_b"], item=brand, reason=" ")
    revoked = exemplar_revoke(actor=tree["admin_b"], item=brand, reason="复核不达标")
    assert revoked.status == "撤销" and revoked.review_on is None
    assert revoked.revoked_on == today
    with pytest.raises(ValidationError, match="已撤销"):
        exemplar_change(
            actor=tree["admin_b"],
            item=revoked,
            kind="党建品牌",
            title="邻里驿站",
            summary="改",
            sector="社区",
            themes="",
            level="县级",
        )
    with pytest.raises(ValidationError, match="只有已命名"):
        exemplar_review(actor=tree["admin_b"], item=revoked, review_on=later)
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["exemplar.revoke", "exemplar.review"]


def test_change(tree, examples):
    item = exemplar_change(
        actor=tree["secretary_a"],
        item=examples["practice"],
        kind="党建品牌",
        title="吃茶话事",
        summary="新简介",
        sector="农村",
        themes=["基层治理"],
        level="市级",
    )
    assert (item.kind, item.title, item.theme_list) == ("党建品牌", "吃茶话事", ["基层治理"])
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "exemplar.change" and entry.before["title"] == "吃茶话事工作法"


def test_scope_of_the_library(tree, examples):
    # the other subtree sees the named brand, not the practice being cultivated
    assert set(exemplars_for(tree["admin_a"])) == {examples["practice"], examples["brand"]}
    assert set(exemplars_for(tree["admin_b"])) == {examples["brand"]}
    assert set(exemplars_for(tree["secretary_a"])) == {examples["practice"], examples["brand"]}
    assert not exemplars_for(tree["inspector_a"]).exists()
    assert not exemplars_for(tree["sysadmin"]).exists()


def test_search(tree, examples):
    admin = tree["admin"]
    assert list(search(admin, Search(theme="为民服务"))) == [examples["brand"]]
    assert set(search(admin, Search(theme="基层治理"))) == set(examples.values())
    assert list(search(admin, Search(sector="农村"))) == [examples["practice"]]
    assert list(search(admin, Search(status="命名"))) == [examples["brand"]]
    assert list(search(admin, Search(q="茶香"))) == [examples["practice"]]
    assert list(search(admin, Search(q="乙社区"))) == [examples["brand"]]
    assert list(search(admin, Search(level="省级"))) == []
    assert list(search(admin, Search(kind="工作法", theme="基|层"))) == []


def test_reviews_due(examples, today):
    brand = examples["brand"]
    assert list(reviews_due(today)) == []
    assert list(reviews_due(brand.review_on - dt.timedelta(days=30))) == [brand]


def test_evidence_validation(tree, examples, today):
    practice = examples["practice"]
    elsewhere = meet(tree["branch_b"], "支部党员大会", today - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        evidence_add(actor=tree["secretary_a"], item=practice, kind="组织生活", meeting=elsewhere)
    assert "meeting" in exc.value.message_dict
    with pytest.raises(ValidationError, match="年度"):
        evidence_add(actor=tree["secretary_a"], item=practice, kind="为民服务", year=today.year + 1)
    with pytest.raises(ValidationError, match="佐证类别"):
        evidence_add(actor=tree["secretary_a"], item=practice, kind="照片")
    with pytest.raises(PermissionDenied):
        evidence_add(actor=tree["admin_b"], item=practice, kind="为民服务", year=today.year)
    ev = evidence_add(actor=tree["secretary_a"], item=practice, kind="为民服务", year=today.year)
    with pytest.raises(ValidationError, match="关联过"):
        evidence_add(actor=tree["secretary_a"], item=practice, kind="为民服务", year=today.year)
    evidence_remove(actor=tree["secretary_a"], evidence=ev)
    assert not Evidence.objects.exists()
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["exemplar.evidence.remove", "exemplar.evidence.add"]


def test_system_names_for_the_parent(tree, examples, today):
    item = exemplar_name(actor=SYSTEM, item=examples["practice"], named_on=today)
    assert item.named_by == tree["town_a"]
