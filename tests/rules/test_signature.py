"""One signature for every rule: ``(facts, ctx)`` — the family's facts of one subject and the
engine's :class:`Context` (the date, the rule's spec, its parameters in force)."""

from __future__ import annotations

import datetime as dt
import inspect
import typing

import pytest

from dangjian.rules.registry import REGISTRY, Context, RuleSpec
from dangjian.rules.runner import evaluate

POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def test_every_family_with_checked_rules_is_covered():
    assert {spec.family for spec, _f in REGISTRY.values()} >= {
        "SETUP",
        "LIFE",
        "RECRUIT",
        "HINT",
        "ASSESS",
    }


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_every_rule_takes_facts_and_context(rule_id):
    spec, func = REGISTRY[rule_id]
    params = list(inspect.signature(func).parameters.values())
    assert len(params) == 2, f"{rule_id}: {func.__name__}{inspect.signature(func)}"
    ctx = params[1]
    for p in params:
        assert p.kind in POSITIONAL and p.default is inspect.Parameter.empty, rule_id
    assert ctx.name == "ctx", rule_id
    hints = typing.get_type_hints(func)
    assert issubclass(hints["ctx"], Context), rule_id
    assert func.spec is spec


def test_evaluate_gives_each_rule_its_context():
    seen = []
    spec = RuleSpec("TEST-SIGNATURE", "测试", "local default", "测试", {"n": 1})

    def probe(facts, ctx):
        seen.append((facts, ctx))

    REGISTRY[spec.id] = (spec, probe)
    try:
        day = dt.date(2026, 6, 30)
        assert evaluate(["a"], day, [spec]) == []
    finally:
        del REGISTRY[spec.id]
    assert seen == [("a", Context(at=day, spec=spec, params={"n": 1}))]
