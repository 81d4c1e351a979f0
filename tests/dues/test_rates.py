"""The national rates at every band edge (upper bounds inclusive), the fixed amounts, and the
rates as versioned parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from dangjian.dues.choices import DuesCategory
from dangjian.dues.rates import check_params, due_on

ON = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    "base,rate,amount",
    [
        ("0", "0.005", "0.00"),
        ("2999.99", "0.005", "15.00"),
        ("3000", "0.005", "15.00"),
        ("3000.01", "0.01", "30.00"),
        ("5000", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),
        ("10000", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),
        ("23456.78", "0.02", "469.14"),
    ],
)
def test_employed_bands(base, rate, amount):
    due = due_on(DuesCategory.EMPLOYED, Decimal(base), ON)
    assert due.rate == Decimal(rate)
    assert due.amount == Decimal(amount)
    assert due.rule == "DUES-RATE-EMPLOYED"


@pytest.mark.parametrize(
    "base,rate,amount",
    [("5000", "0.005", "25.00"), ("5000.01", "0.01", "50.00"), ("3000", "0.005", "15.00")],
)
def test_retired_bands(base, rate, amount):
    due = due_on(DuesCategory.RETIRED, Decimal(base), ON)
    assert (due.rate, due.amount, due.rule) == (Decimal(rate), Decimal(amount), "DUES-RATE-RETIRED")


@pytest.mark.parametrize(
    "category", [DuesCategory.FARMER, DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, "低保"]
)
def test_flat_amounts(category):
    due = due_on(category, None, ON)
    assert (due.amount, due.rate, due.rule) == (Decimal("0.20"), None, "DUES-RATE-FLAT")


def test_a_later_version_applies_from_its_date():
    config = {
        "DUES": {
            "versions": [
                {
                    "valid_from": "2027-01-01",
                    "version": "示例市-2027",
                    "source": "示例市委组织部 2026 年 12 月通知",
                    "rules": {"DUES-RATE-FLAT": {"farmer": 0.5}},
                }
            ]
        }
    }
    with override_settings(DANGJIAN_RULES=config):
        before = due_on(DuesCategory.FARMER, None, dt.date(2026, 12, 1))
        after = due_on(DuesCategory.FARMER, None, dt.date(2027, 1, 1))
    assert before.amount == Decimal("0.20")
    assert (after.amount, after.version) == (Decimal("0.50"), "示例市-2027")


@pytest.mark.parametrize(
    "rule_id,params,text",
    [
        ("DUES-RATE-EMPLOYED", {"bands": []}, "非空列表"),
        ("DUES-RATE-EMPLOYED", {"bands": [[3000, 0.5], [None, 0.02]]}, "小于 0.1"),
        ("DUES-RATE-EMPLOYED", {"bands": [[5000, 0.01], [3000, 0.02], [None, 0.03]]}, "递增"),
        ("DUES-RATE-RETIRED", {"bands": [[5000, 0.005]]}, "最后一档"),
        (
            "DUES-RATE-FLAT",
            {"farmer": -1, "student": 0.2, "unemployed": 0.2, "low_income": 0.2},
            "0 至 100",
        ),
    ],
)
def test_impossible_parameters_are_refused_in_chinese(rule_id, params, text):
    with pytest.raises(ValueError, match=text):
        check_params(rule_id, params)
