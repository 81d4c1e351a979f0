"""Wilson interval against published figures; reliability threshold."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dangjian.survey.stats import Rate, wilson


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # Newcombe (1998), Stat. Med. 17:857-872, Table I, method 3 (Wilson score, no correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(x, n, low, high):
    lo, hi = wilson(x, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_symmetry_and_ends():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(1 - hi)
    assert lo == pytest.approx(0.2366, abs=5e-5)
    assert wilson(20, 20)[1] == 1.0
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_reliable_threshold_default_30():
    assert not Rate.of(29, 29).reliable
    assert Rate.of(29, 30).reliable
    empty = Rate.of(0, 0)
    assert empty.value is None and not empty.reliable and empty.n == 0


@override_settings(DANGJIAN_SURVEY_MIN_ANSWERS=5)
def test_reliable_threshold_setting():
    assert not Rate.of(3, 4).reliable
    assert Rate.of(3, 5).reliable
    rate = Rate.of(3, 5)
    assert rate.value == 0.6 and rate.percent == 60.0
