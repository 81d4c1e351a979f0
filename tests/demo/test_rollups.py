"""The demo leaves the rollup tables equal to a rebuild from its records."""

from __future__ import annotations

import pytest

from dangjian.demo.seed import seed_database
from dangjian.demo.story import seed_demo_story
from dangjian.life.models import MeetingMonths
from dangjian.life.rollups import months_differences
from dangjian.members.committee import committee_differences
from dangjian.members.models import Member, MemberCount
from dangjian.members.rollups import counts_differences
from dangjian.orgs.models import Organization


@pytest.mark.django_db
def test_seeded_story_leaves_the_rollups_correct(today):
    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    root = Organization.objects.get(depth=1)
    assert (
        MemberCount.objects.get(org=root).sub_full
        + MemberCount.objects.get(org=root).sub_probationary
        == Member.objects.count()
    )
    list(seed_demo_story(today, seed=42))
    assert MeetingMonths.objects.exists()
    assert MemberCount.objects.get(org=root).sub_left == 2  # the dead of the demo standings
    assert counts_differences() == []
    assert committee_differences() == []
    assert months_differences() == []
