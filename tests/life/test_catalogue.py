"""The LIFE catalogue: every LIFE id of rules.md §2, each one checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dangjian.life.rules import DEFAULTS, check_params
from dangjian.rules.catalogue import catalogue
from dangjian.rules.registry import REGISTRY

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "domain" / "rules.md"


def test_catalogue_lists_each_life_rule_once():
    entries = catalogue("LIFE")
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) == 12
    assert all(e.checked for e in entries)
    for e in entries:
        assert e.title and e.source and e.kind
        assert e.checked == (e.id in REGISTRY)


def test_catalogue_matches_rules_md_when_available():
    if not RULES_MD.exists():
        pytest.skip("rules.md of the shared domain notes is not next to this checkout")
    text = RULES_MD.read_text(encoding="utf-8")
    documented = re.findall(r"^\| (LIFE-[A-Z0-9-]+) \|", text, flags=re.M)
    assert [e.id for e in catalogue("LIFE")] == documented


def test_registered_life_rules_are_named_after_their_id_with_valid_defaults():
    life = {k: v for k, v in REGISTRY.items() if k.startswith("LIFE-")}
    assert set(life) == set(DEFAULTS)
    for rule_id, (spec, func) in life.items():
        assert func.__name__ == rule_id.lower().replace("-", "_")
        assert func.__doc__ and spec.source
        check_params(rule_id, spec.params)  # the defaults pass their own validation
