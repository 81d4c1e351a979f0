"""On the demo district (tiny tier): the rollups the demo's writes keep equal a rebuild, the
recruitment dashboard and queue read from them equal those read from the records, and the SETUP
findings read from the committee rollup equal those read from the roll."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.demo.recruit import seed_demo_recruit
from dangjian.demo.seed import seed_database
from dangjian.members.committee import committee_differences, committee_rebuild
from dangjian.orgs.models import Organization
from dangjian.recruit import rollups
from dangjian.recruit.models import CaseTally
from dangjian.recruit.selectors import approval_queue, dashboard
from dangjian.rules.runner import run_check
from tests.recruit.test_rollups import board_contents


def _setup(at: Any, rows: bool) -> list[tuple[Any, ...]]:
    with override_settings(DANGJIAN_SETUP_FROM_ROLLUPS=rows):
        found = run_check(SYSTEM, rules="SETUP", at=at).findings
    return sorted((f.rule, f.subject, f.severity, f.message, f.due_date) for f in found)


@pytest.mark.django_db
def test_demo_rollups_equal_the_records(today):
    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    seed_demo_recruit(today, seed=42)
    # the cases were written through the services: their rows follow, nothing to rebuild
    assert rollups.differences() == []
    assert rollups.usable("", today) == (True, True)
    root = Organization.objects.get(depth=1)
    for year in (today.year, today.year - 1):
        for prefix in (None, root.path):
            stored = board_contents(dashboard(SYSTEM, year, today, prefix))
            recorded = board_contents(dashboard(SYSTEM, year, today, prefix, records=True))
            assert stored == recorded
    board = dashboard(SYSTEM, today.year, today)
    assert sum(board.by_stage.values()) > 0 and len(board.with_findings) > 0
    # the counts came from the subtree counters, the same as a recount of the records
    assert CaseTally.objects.filter(org=root, kind="stage", sub_cases__gt=0).exists()
    assert any(dashboard(SYSTEM, y, today).admitted_total for y in (today.year, today.year - 1))
    assert approval_queue(SYSTEM, today) == approval_queue(SYSTEM, today, records=True)
    # the demo loads its roll in bulk (around the services): the committee rows are rebuilt
    committee_rebuild()
    assert committee_differences() == []
    findings = _setup(today, rows=True)
    assert findings == _setup(today, rows=False)
    assert {"SETUP-SECRETARY-VACANT", "SETUP-COMMITTEE-REQUIRED"} & {f[0] for f in findings}
