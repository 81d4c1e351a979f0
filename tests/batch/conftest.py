"""The demo's data for the batch tests."""

from __future__ import annotations

import pytest

from dangjian.demo.life import seed_demo_life
from dangjian.demo.seed import seed_database
from dangjian.demo.standings import seed_demo_standings


@pytest.fixture
def demo(db, today):
    """The tiny tier of the district seed with the demo's standings (a 临时党支部 among them)
    and two years of organizational life."""
    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    list(seed_demo_standings(today, seed=42))
    list(seed_demo_life(today, seed=42))
