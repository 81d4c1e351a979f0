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


def test_every_rule_of_rules_md_is_in_exactly_one_registry_entry_of_its_family():
    """Generated catalogue = registry: each id of rules.md is registered once, checked or
    explicitly not checked, under the family its section names."""
    from dangjian.rules.registry import FAMILIES, NOT_CHECKED, ORDER, family_of

    if not RULES_MD.exists():
        pytest.skip("rules.md of the shared domain notes is not next to this checkout")
    text = RULES_MD.read_text(encoding="utf-8")
    documented = re.findall(r"^\| ([A-Z]+(?:-[A-Z0-9]+)+) \|", text, flags=re.M)
    assert documented
    assert len(ORDER) == len(set(ORDER))
    assert not set(REGISTRY) & set(NOT_CHECKED)
    for rule_id in documented:
        assert ORDER.count(rule_id) == 1, rule_id
        assert (rule_id in REGISTRY) != (rule_id in NOT_CHECKED), rule_id
        family = family_of(rule_id)
        assert family in FAMILIES, rule_id
        entries = [e.id for e in catalogue(family)]
        assert entries.count(rule_id) == 1, rule_id
    # the family of each id is the one of its section heading (## n. … — `FAMILY-*`)
    current = None
    for line in text.splitlines():
        heading = re.match(r"^## \d+\..*`([A-Z]+)-\*`", line)
        if heading:
            current = heading[1]
        row = re.match(r"^\| ([A-Z]+(?:-[A-Z0-9]+)+) \|", line)
        if row:
            assert current is not None and family_of(row[1]) == current, row[1]
    # every family's catalogue is in the order of rules.md
    for family in FAMILIES:
        in_md = [r for r in documented if family_of(r) == family]
        assert [e.id for e in catalogue(family) if e.id in in_md] == in_md, family


def test_not_checked_entries_say_why_in_chinese():
    from dangjian.rules.registry import NOT_CHECKED

    for rule_id, entry in NOT_CHECKED.items():
        note = next(e.note for e in catalogue(entry.spec.family) if e.id == rule_id)
        assert note.startswith("未检查：") and re.search(r"[\u4e00-\u9fff]{4}", note[4:]), rule_id


def test_a_fresh_process_registers_every_family_when_django_is_ready():
    """The apps register their rules in ``ready()``: in a new process nothing else imports a
    rules module first, so a family whose ``ready()`` forgot it would be missing here."""
    import subprocess
    import sys

    code = (
        "import django; django.setup()\n"
        "from dangjian.rules.registry import NOT_CHECKED, REGISTRY\n"
        "print(' '.join(sorted({i.split('-')[0] for i in [*REGISTRY, *NOT_CHECKED]})))\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.split() == [
        "ASSESS",
        "CARE",
        "DUES",
        "HINT",
        "LIANGXIN",
        "LIFE",
        "RECRUIT",
        "REL",
        "SERVICE",
        "SETUP",
        "TRAINING",
    ]
