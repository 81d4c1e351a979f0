"""The Chinese vocabulary of what users read: every evidence key the checkers write has a label,
values and sources read as Chinese, and the coded values match the models' choices."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from dangjian.core import labels
from dangjian.core.labels import (
    evidence_items,
    evidence_label,
    evidence_text,
    evidence_value,
    period_label,
    rule_title,
    source_label,
)

PACKAGE = Path(labels.__file__).resolve().parent.parent
#: the modules whose findings or indicator values carry evidence
EVIDENCE_MODULES = [
    "orgs/rules.py",
    "life/rules/checks.py",
    "recruit/rules.py",
    "rectify/rules.py",
    "rectify/campaign.py",
    "assess/indicators.py",
]
#: calls whose dict arguments are evidence
EVIDENCE_CALLS = {"_finding", "Finding", "IndicatorValue", "condition", "add", "_deadline"}
CJK = re.compile(r"[\u3400-\u9fff]")


def _keys_of(node: ast.AST) -> list[str]:
    """The string keys of a dict literal (f-string keys as their constant prefix + ``N``)."""
    if not isinstance(node, ast.Dict):
        return []
    out = []
    for key in node.keys:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            out.append(key.value)
        elif isinstance(key, ast.JoinedStr):
            prefix = "".join(
                v.value
                for v in key.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            out.append(prefix + "7")  # step_{n} → a step key
    return out


def evidence_keys() -> dict[str, set[str]]:
    """key → modules, for every dict written as evidence in the checker modules."""
    found: dict[str, set[str]] = {}
    for name in EVIDENCE_MODULES:
        tree = ast.parse((PACKAGE / name).read_text("utf-8"))
        for node in ast.walk(tree):
            keys: list[str] = []
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                for kw in node.keywords:
                    if kw.arg == "evidence":
                        keys += _keys_of(kw.value)
                if called in EVIDENCE_CALLS:
                    for arg in node.args:
                        keys += _keys_of(arg)
                if called == "update" and "evidence" in ast.unparse(func):
                    for arg in node.args:
                        keys += _keys_of(arg)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and "evidence" in target.id:
                        keys += _keys_of(node.value)  # type: ignore[arg-type]
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and "evidence" in target.value.id
                    ):
                        key = target.slice
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            keys.append(key.value)
                        elif isinstance(key, ast.JoinedStr):
                            keys += _keys_of(ast.Dict(keys=[key], values=[ast.Constant(0)]))
            for key in keys:
                found.setdefault(key, set()).add(name)
    return found


def test_the_scan_finds_the_evidence_of_every_module() -> None:
    found = evidence_keys()
    for key in ("full_members", "beyond_max_delay", "meeting_types", "step_7", "deadline"):
        assert key in found, key
    assert {m for mods in found.values() for m in mods} == set(EVIDENCE_MODULES)


def test_every_evidence_key_has_a_chinese_label() -> None:
    missing = {
        key: sorted(mods)
        for key, mods in evidence_keys().items()
        if key not in labels.HIDDEN_KEYS and not CJK.search(evidence_label(key))
    }
    assert not missing, f"evidence keys without a label in core/labels.py: {missing}"


def test_evidence_values_read_as_chinese() -> None:
    assert evidence_value(True) == "是" and evidence_value(False) == "否"
    assert evidence_value(None) == "—"
    assert evidence_value(dt.date(2026, 12, 31)) == "2026-12-31"
    assert evidence_value(["支部党员大会", "党课"], "meeting_types") == "支部党员大会、党课"
    assert evidence_value([], "months") == "无"
    assert evidence_value("quarter", "frequency") == "每季度"
    assert evidence_value("full_members", "basis") == "出席名单中的正式党员"
    assert (
        evidence_value(["full", "probation_watch"], "introducers") == "正式党员、留党察看或停止党籍"
    )
    assert evidence_value("2026-Q4", "period") == "2026年第四季度"
    assert evidence_value(["2026-05", "2026-06"], "months") == "2026年5月、2026年6月"
    assert evidence_value(0.5321, "satisfaction") == "53%"
    assert evidence_value(Decimal("87.50"), "total") == "87.5"
    assert evidence_value("LIFE-ASSEMBLY-QUARTERLY,LIFE-GROUP-MONTHLY", "rule") == (
        "支部党员大会每季度至少召开 1 次、党小组每月至少召开 1 次党小组会"
    )
    # a version string is not a period
    assert evidence_value("2026-01", "version") == "2026-01"


def test_evidence_items_label_keys_and_hide_record_ids() -> None:
    evidence = {
        "full_members": 2,
        "probationary_members": 1,
        "beyond_max_delay": True,
        "meeting_id": 7055,
        "step_7": "2025-03-01",
        "missed": {"LIFE-ASSEMBLY-QUARTERLY": ["2026-Q1", "2026-Q2"]},
        "config": {"version": "2026-01", "source": "支部条例 art. 11"},
        "empty": None,
    }
    items = dict(evidence_items(evidence))
    assert items["正式党员人数"] == "2" and items["预备党员人数"] == "1"
    assert items["超过最长延期"] == "是"
    assert items["第 7 步（确定发展对象）日期"] == "2025-03-01"
    assert items["未完成"] == "支部党员大会每季度至少召开 1 次：2026年第一季度、2026年第二季度"
    assert items["参数版本"] == ("版本：2026-01；来源：《中国共产党支部工作条例（试行）》第十一条")
    assert "7055" not in str(items) and len(items) == 6
    assert evidence_text({"full_members": 2, "members": 60}) == "正式党员人数：2；党员人数：60"
    assert evidence_items("not a dict") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("支部条例 art. 4–5", "《中国共产党支部工作条例（试行）》第四条至第五条"),
        ("支部条例 art. 11", "《中国共产党支部工作条例（试行）》第十一条"),
        ("支部条例 ch. 6", "《中国共产党支部工作条例（试行）》第六章"),
        ("选举条例 art. 9, 13", "《中国共产党基层组织选举工作条例》第九条、第十三条"),
        (
            "支部条例 art. 16 + local practice",
            "《中国共产党支部工作条例（试行）》第十六条；地方惯例",
        ),
        ("党章 art. 5; 细则", "《中国共产党章程》第五条；《中国共产党发展党员工作细则》"),
        ("细则 (step 5)", "《中国共产党发展党员工作细则》（第五步）"),
        ("细则 art. 20–22", "《中国共产党发展党员工作细则》第二十条至第二十二条"),
        ("local practice", "地方惯例"),
    ],
)
def test_sources_are_cited_in_chinese(source: str, expected: str) -> None:
    assert source_label(source) == expected


def test_every_rule_has_a_chinese_title_and_source() -> None:
    from dangjian.recruit.rules import all_specs
    from dangjian.rules.registry import NOT_CHECKED, REGISTRY, rule_titles

    sources = [spec.source for spec, _f in REGISTRY.values()]
    sources += [spec.source for spec in all_specs()]
    sources += [entry.spec.source for entry in NOT_CHECKED.values()]
    for source in sources:
        cited = source_label(source)
        assert CJK.search(cited), source
        # no English word left (numbers and the 12371 site number are fine)
        assert not re.search(r"[A-Za-z]{2,}", cited), (source, cited)
    titles = rule_titles()
    for rule_id in [*REGISTRY, *(s.id for s in all_specs()), *NOT_CHECKED]:
        assert CJK.search(titles[rule_id]), rule_id
        assert rule_title(rule_id) == titles[rule_id]
    assert rule_title("SETUP-*") == "组织设置各项规则"


def test_periods() -> None:
    assert period_label("2026-Q1") == "2026年第一季度"
    assert period_label("2026-H2") == "2026年下半年"
    assert period_label("2026-11") == "2026年11月"
    assert period_label("2026") == "2026年"
    assert period_label("本月") == "本月"


def test_coded_values_match_the_models_choices() -> None:
    from dangjian.assess.models import Tier
    from dangjian.recruit.models import NoticeKind, PoliticalReview
    from dangjian.rectify.choices import WeakCondition

    assert labels.VALUE_LABELS["tier"] == dict(Tier.choices)
    assert labels.VALUE_LABELS["political_review"] == dict(PoliticalReview.choices)
    assert labels.VALUE_LABELS["notice"] == dict(NoticeKind.choices)
    assert labels.VALUE_LABELS["condition"] == dict(WeakCondition.choices)
