"""The rule catalogue: every SETUP id of rules.md, checked or explicitly not checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dangjian.rules.catalogue import catalogue
from dangjian.rules.registry import REGISTRY, rule_titles

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "domain" / "rules.md"


def test_catalogue_lists_each_setup_rule_once_in_order():
    entries = catalogue("SETUP")
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) == 14
    assert {e.id for e in entries if not e.checked} == {
        "SETUP-PROJECT-BRANCH",
        "SETUP-ELECTION-MARGIN",
    }
    for e in entries:
        assert e.title and e.source and e.kind
        assert e.checked == (e.id in REGISTRY)
        if not e.checked:
            assert e.note.startswith("未检查")


def test_catalogue_matches_rules_md_when_available():
    if not RULES_MD.exists():
        pytest.skip("rules.md of the shared domain notes is not next to this checkout")
    text = RULES_MD.read_text(encoding="utf-8")
    documented = re.findall(r"^\| (SETUP-[A-Z0-9-]+) \|", text, flags=re.M)
    assert [e.id for e in catalogue("SETUP")] == documented


def test_every_registered_rule_is_named_after_its_id_and_cites_a_source():
    setup_rules = {k: v for k, v in REGISTRY.items() if k.startswith("SETUP-")}
    assert set(rule_titles()) >= set(setup_rules)
    for rule_id, (spec, func) in setup_rules.items():
        assert func.__name__ == rule_id.lower().replace("-", "_")
        assert func.__doc__ and "Source" in func.__doc__
        assert spec.source
