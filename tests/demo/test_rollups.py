"""The demo leaves the rollup tables equal to a rebuild from its records."""

from __future__ import annotations

import pytest

from dangjian.demo.seed import seed_database
from dangjian.demo.story import seed_demo_story
from dangjian.life.models import MeetingMonths
from dangjian.life.rollups import months_differences
from dangjian.members.choices import LEAVING
from dangjian.members.committee import committee_differences
from dangjian.members.models import Member, MemberCount, MemberStatus
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
    # off the roll: the dead of the demo standings and the member whose relation went to an
    # organization outside the platform (the demo's recorded receipt)
    left = MemberStatus.objects.filter(kind__in=list(LEAVING), ends_on__isnull=True)
    assert sorted(left.values_list("kind", flat=True)) == ["死亡", "死亡", "转出系统外"]
    assert MemberCount.objects.get(org=root).sub_left == 3
    assert counts_differences() == []
    assert committee_differences() == []
    assert months_differences() == []
