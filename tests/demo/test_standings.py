"""The demo's standings, 临时党支部 and election delay: written through the services, seen by
the rules, and seeded once."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.audit import audit_verify
from dangjian.demo.seed import seed_database
from dangjian.demo.standings import PARTICIPANTS, seed_demo_standings
from dangjian.members.models import Member, MemberStatus
from dangjian.members.selectors import standings_on
from dangjian.orgs.models import ElectionDelay, Organization
from dangjian.rules.runner import findings_for

TODAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_demo_standings_are_seen_by_the_rules_and_seeded_once():
    seed_database(tier="tiny", seed=42, as_of=TODAY, progress=False)
    done = seed_demo_standings(TODAY, seed=42)
    assert done and done[0].startswith("党员状态：留党察看")
    kinds = sorted(MemberStatus.objects.values_list("kind", flat=True))
    assert kinds.count("留党察看") == 4 and "停止党籍" in kinds and "死亡" in kinds
    members = Member.objects.filter(statuses__isnull=False).distinct()
    standings = standings_on(members, TODAY)
    assert sum(not s.votes for s in standings.values()) == 6  # two watches have ended
    assert sum(not s.on_roll for s in standings.values()) == 2  # the dead
    temp = Organization.objects.get(org_type="临时党支部")
    assert not temp.members.exists()  # a 临时党支部 keeps no roll
    assert temp.participations.count() == PARTICIPANTS
    codes = {f.subject for f in findings_for(SYSTEM, rules="SETUP", at=TODAY)}
    assert temp.code not in codes or all(
        f.rule != "SETUP-TERM-EXPIRED"
        for f in findings_for(SYSTEM, rules="SETUP", org_code=temp.code, at=TODAY)
    )
    assert ElectionDelay.objects.count() == 1
    for delay in ElectionDelay.objects.select_related("org"):
        expired = findings_for(
            SYSTEM,
            rules="SETUP",
            rule_ids=["SETUP-TERM-EXPIRED"],
            org_code=delay.org.code,
            at=TODAY,
        )
        assert [f for f in expired if f.subject == delay.org.code] == []
    assert audit_verify().ok
    assert seed_demo_standings(TODAY, seed=42) == []
