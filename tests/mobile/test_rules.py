"""REL-TRANSFER and REL-LOST-CONTACT at every boundary: exactly 6 months and a day less, month
ends (08-31 + 6 months), 2 years after the 停止党籍, found again, returned, left the party."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.mobile.rules import (
    LOST_CONTACT,
    TRANSFER,
    LostFacts,
    OutflowFacts,
    rel_lost_contact,
    rel_transfer,
)
from dangjian.rules.catalogue import catalogue
from dangjian.rules.registry import NOT_CHECKED, REGISTRY, Context

D = dt.date


def ctx(spec, at, **params):
    return Context(at=at, spec=spec, params={**spec.params, **params})


def away(started, fixed=True, returned=None):
    return OutflowFacts(1, 2, "王外出", "BR01", started, fixed, returned)


def lost(since, suspended=None, left=None, found=None):
    return LostFacts(3, 2, "李失联", "BR01", since, found, suspended, left)


def test_both_rules_are_checked_and_in_the_order_of_rules_md():
    assert "REL-TRANSFER" in REGISTRY and "REL-LOST-CONTACT" in REGISTRY
    assert "REL-TRANSFER" not in NOT_CHECKED and "REL-LOST-CONTACT" not in NOT_CHECKED
    ids = [e.id for e in catalogue("REL")]
    assert ids == [
        "REL-ONE-BRANCH",
        "REL-TRANSFER",
        "REL-LOST-CONTACT",
        "REL-COMMUNITY-REGISTRATION",
        "REL-TRANSFER-DEADLINE",  # the transfer app's own rule (not in rules.md), after its rules
    ]
    checked = {e.id: e.checked for e in catalogue("REL")}
    assert checked["REL-TRANSFER"] and checked["REL-LOST-CONTACT"]
    assert TRANSFER.params == {"away_months": 6}
    assert LOST_CONTACT.params == {"suspend_after_months": 6, "remove_after_years": 2}


@pytest.mark.parametrize(
    ("started", "at", "flagged"),
    [
        (D(2026, 1, 15), D(2026, 7, 15), True),  # exactly 6 months
        (D(2026, 1, 15), D(2026, 7, 14), False),  # a day less
        (D(2025, 8, 31), D(2026, 2, 28), True),  # 08-31 + 6 months = 02-28
        (D(2025, 8, 31), D(2026, 2, 27), False),
        (D(2023, 8, 31), D(2024, 2, 29), True),  # leap year: 02-29
        (D(2023, 8, 31), D(2024, 2, 28), False),
        (D(2026, 3, 31), D(2026, 9, 30), True),  # 03-31 + 6 = 09-30
        (D(2026, 3, 31), D(2026, 9, 29), False),
    ],
)
def test_transfer_due_at_six_months_at_a_fixed_place(started, at, flagged):
    found = rel_transfer(away(started), ctx(TRANSFER, at))
    assert bool(found) == flagged
    if flagged:
        (f,) = found
        assert f.rule == "REL-TRANSFER" and f.severity == "due" and f.subject == "BR01"
        assert f.evidence["away_since"] == started.isoformat()
        assert f.evidence["away_months"] == 6 and f.evidence["outflow_id"] == 1
        assert f.source == "教育管理条例 art. 25"
        assert "应转接组织关系" in f.message and "王外出" in f.message


def test_no_transfer_flag_when_not_fixed_or_returned():
    at = D(2026, 11, 1)
    assert rel_transfer(away(D(2026, 1, 1), fixed=False), ctx(TRANSFER, at)) == []
    assert rel_transfer(away(D(2026, 1, 1), returned=D(2026, 10, 31)), ctx(TRANSFER, at)) == []
    assert rel_transfer(away(D(2026, 1, 1), returned=D(2026, 11, 1)), ctx(TRANSFER, at)) == []
    # returned tomorrow: still away today
    assert rel_transfer(away(D(2026, 1, 1), returned=D(2026, 11, 2)), ctx(TRANSFER, at))


def test_transfer_months_is_a_parameter():
    started = D(2026, 1, 15)
    assert rel_transfer(away(started), ctx(TRANSFER, D(2026, 4, 15), away_months=3))
    assert not rel_transfer(away(started), ctx(TRANSFER, D(2026, 4, 14), away_months=3))
    with pytest.raises(ValueError, match="away_months"):
        rel_transfer(away(started), ctx(TRANSFER, D(2026, 8, 1), away_months=0))


@pytest.mark.parametrize(
    ("since", "at", "flagged"),
    [
        (D(2026, 1, 15), D(2026, 7, 15), True),
        (D(2026, 1, 15), D(2026, 7, 14), False),
        (D(2025, 8, 31), D(2026, 2, 28), True),
        (D(2025, 8, 31), D(2026, 2, 27), False),
        (D(2023, 8, 31), D(2024, 2, 29), True),
        (D(2023, 8, 31), D(2024, 2, 28), False),
    ],
)
def test_lost_contact_prompts_suspension_at_six_months(since, at, flagged):
    found = rel_lost_contact(lost(since), ctx(LOST_CONTACT, at))
    assert bool(found) == flagged
    if flagged:
        (f,) = found
        assert f.evidence["decision"] == "停止党籍" and f.severity == "due"
        assert "不自动处理" in f.message and f.source == "教育管理条例 art. 24"
        assert f.due_date == at


@pytest.mark.parametrize(
    ("suspended", "at", "flagged"),
    [
        (D(2026, 7, 15), D(2028, 7, 15), True),  # 2 years after the 6 months
        (D(2026, 7, 15), D(2028, 7, 14), False),  # a day less
        (D(2026, 2, 28), D(2028, 2, 28), True),  # 08-31 + 6 months, then 2 years: 02-28
        (D(2026, 2, 28), D(2028, 2, 27), False),
        (D(2024, 2, 29), D(2026, 2, 28), True),  # 02-29 + 2 years: the end of February
        (D(2024, 2, 29), D(2026, 2, 27), False),
    ],
)
def test_lost_contact_prompts_removal_two_years_after_suspension(suspended, at, flagged):
    since = D(2023, 8, 31)
    found = rel_lost_contact(lost(since, suspended=suspended), ctx(LOST_CONTACT, at))
    assert bool(found) == flagged
    if flagged:
        (f,) = found
        assert f.evidence["decision"] == "除名"
        assert f.evidence["suspended_on"] == suspended.isoformat()
        assert "除名" in f.message and "不自动处理" in f.message


def test_lost_contact_nothing_when_found_left_or_not_yet_lost():
    since = D(2025, 1, 1)
    at = D(2026, 11, 1)
    assert rel_lost_contact(lost(since, found=D(2026, 10, 1)), ctx(LOST_CONTACT, at)) == []
    assert rel_lost_contact(lost(since, left=D(2026, 10, 1)), ctx(LOST_CONTACT, at)) == []
    assert rel_lost_contact(lost(D(2026, 12, 1)), ctx(LOST_CONTACT, at)) == []
    # found after the checking day: still lost on that day
    assert rel_lost_contact(lost(since, found=D(2026, 11, 2)), ctx(LOST_CONTACT, at))
    # suspended after the checking day: the suspension prompt, not the removal
    (f,) = rel_lost_contact(lost(since, suspended=D(2026, 12, 1)), ctx(LOST_CONTACT, at))
    assert f.evidence["decision"] == "停止党籍"


def test_lost_contact_parameters():
    since = D(2026, 1, 15)
    assert rel_lost_contact(lost(since), ctx(LOST_CONTACT, D(2026, 4, 15), suspend_after_months=3))
    found = rel_lost_contact(
        lost(since, suspended=D(2026, 7, 15)),
        ctx(LOST_CONTACT, D(2027, 7, 15), remove_after_years=1),
    )
    assert found and found[0].evidence["decision"] == "除名"
    with pytest.raises(ValueError, match="remove_after_years"):
        rel_lost_contact(
            lost(since, suspended=D(2026, 7, 15)),
            ctx(LOST_CONTACT, D(2028, 7, 15), remove_after_years="2"),
        )


def test_every_evidence_key_has_a_chinese_label():
    from dangjian.core.labels import EVIDENCE_LABELS, HIDDEN_KEYS

    found = rel_transfer(away(D(2026, 1, 1)), ctx(TRANSFER, D(2026, 11, 1)))
    found += rel_lost_contact(lost(D(2024, 1, 1)), ctx(LOST_CONTACT, D(2026, 11, 1)))
    found += rel_lost_contact(
        lost(D(2024, 1, 1), suspended=D(2024, 7, 1)), ctx(LOST_CONTACT, D(2026, 11, 1))
    )
    keys = {k for f in found for k in f.evidence}
    assert keys and all(k in EVIDENCE_LABELS or k in HIDDEN_KEYS for k in keys), keys
