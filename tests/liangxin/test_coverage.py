from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.liangxin import selectors, services
from dangjian.liangxin.models import Unit
from dangjian.liangxin.uscc import make_uscc, numbered_uscc

from .conftest import TODAY, unit_data


def test_known_register_coverage(register):
    cov = selectors.coverage(selectors.units_for(SYSTEM), 2026, TODAY)
    t = cov.total
    assert (t.total, t.organized, t.worked, t.blank) == (6, 3, 2, 2)
    assert t.organized_rate == Decimal("50.0") and t.worked_rate == Decimal("33.3")
    assert cov.min_visits == 4
    regions = {r.key: (r.total, r.organized, r.worked, r.blank) for r in cov.by_region}
    assert regions == {"330102": (5, 2, 1, 2), "330103": (1, 1, 1, 0)}
    sectors = {r.key: (r.total, r.organized, r.worked, r.blank) for r in cov.by_industry}
    assert sectors == {"制造业": (3, 2, 1, 1), "信息技术": (2, 1, 1, 0), "社会团体": (1, 0, 0, 1)}
    blank = set(
        selectors.blanks(selectors.units_for(SYSTEM), 2026, TODAY).values_list("name", flat=True)
    )
    assert blank == {"丁协会", "戊公司"}


def test_last_year_counts_the_advisor_who_left(register):
    cov = selectors.coverage(selectors.units_for(SYSTEM), 2025, TODAY)
    # 戊 had an advisor until 2025-12-31 and four visits in 2025
    assert (cov.total.worked, cov.at) == (1, dt.date(2025, 12, 31))


def test_minimum_is_a_rule_parameter(register):
    rules = {"LIANGXIN-WORK-COVERAGE": {"min_visits_per_year": 2}}
    with override_settings(DANGJIAN_RULES=rules):
        cov = selectors.coverage(selectors.units_for(SYSTEM), 2026, TODAY)
    assert (cov.min_visits, cov.total.worked, cov.total.blank) == (2, 3, 1)


def test_coverage_is_a_fixed_number_of_queries(register, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        selectors.coverage(selectors.units_for(SYSTEM), 2026, TODAY)


def test_scope(register):
    town = selectors.units_for(register.town_a_admin)
    assert town.count() == 5
    cov = selectors.coverage(town, 2026, TODAY)
    assert (cov.total.total, cov.total.blank) == (5, 2)
    assert selectors.units_for(register.grid).count() == 0
    assert selectors.units_for(register.inspector).count() == 5


def test_unit_status(register):
    status = selectors.unit_status(register.units["丁协会"], 2026, TODAY)
    assert (status["visits"], status["worked"], status["blank"]) == (2, False, True)


def test_uscc_valid_normalised(register):
    code = make_uscc(register.rng, "330102")
    spaced = f" {code[:6]} {code[6:].lower()} "
    unit = services.unit_create(
        actor=SYSTEM, data=unit_data(register.town_a, "新公司", "330102", register.rng, uscc=spaced)
    )
    assert unit.uscc == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请填写统一社会信用代码"),
        ("91330102MA2", "应为 18 位"),
        ("91330102000000005N", "校验位不正确"),
        ("9133010200000000IM", "格式不正确"),
    ],
)
def test_uscc_invalid(register, code, message):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=SYSTEM,
            data=unit_data(register.town_a, "新公司", "330102", register.rng, uscc=code),
        )
    assert message in exc.value.message_dict["uscc"][0]
    assert not Unit.objects.filter(name="新公司").exists()


def test_uscc_duplicate(register):
    code = register.units["甲公司"].uscc
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=SYSTEM,
            data=unit_data(register.town_a, "新公司", "330102", register.rng, uscc=code),
        )
    assert "已登记（甲公司）" in exc.value.message_dict["uscc"][0]


def test_numbered_codes_are_valid_and_distinct():
    from stdnum.cn import uscc

    codes = {numbered_uscc(n, "330102") for n in range(1000)}
    assert len(codes) == 1000 and all(uscc.is_valid(c) for c in codes)


def test_bad_unit_all_messages_nothing_written(register):
    data = unit_data(
        register.town_a,
        "",
        "33",
        register.rng,
        kind="x",
        employees="多",
        members=-1,
        org_mode="单独组建",
    )
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=SYSTEM, data=data)
    assert set(exc.value.message_dict) >= {
        "name",
        "kind",
        "region_code",
        "employees",
        "members",
        "party_org",
    }


def test_scope_refuses_other_town(register):
    data = unit_data(register.town_b, "外镇公司", "330103", register.rng)
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=register.town_a_admin, data=data)
    assert "管辖范围" in exc.value.message_dict["org"][0]


def test_visit_needs_assignment(register):
    with pytest.raises(ValidationError) as exc:
        services.visit_record(
            actor=SYSTEM,
            unit=register.units["甲公司"],
            advisor=register.zhang,
            visited_on=dt.date(2026, 3, 1),
            today=TODAY,
        )
    assert "不是该单位的党建指导员" in exc.value.message_dict["advisor"][0]


def test_bad_rule_parameter_is_refused_in_chinese():
    from dangjian.rules.params import validate

    validate("LIANGXIN-WORK-COVERAGE", {"min_visits_per_year": 2})
    for bad in (-1, "四", 1.5, True):
        with pytest.raises(ValueError, match="应为 0 到 366 之间的整数"):
            validate("LIANGXIN-WORK-COVERAGE", {"min_visits_per_year": bad})


def test_the_rule_names_a_blank_unit():
    from dangjian.liangxin.rules import WORK_COVERAGE, CoverageFacts, liangxin_work_coverage
    from dangjian.rules.registry import Context

    ctx = Context.defaults(WORK_COVERAGE, TODAY)
    assert liangxin_work_coverage(CoverageFacts(1, True, False, 0), ctx) == []
    assert liangxin_work_coverage(CoverageFacts(2, False, True, 4), ctx) == []
    (short,) = liangxin_work_coverage(CoverageFacts(3, False, True, 1), ctx)
    assert "少于 4 次" in short.message and short.subject == "两新组织 #3"
    (blank,) = liangxin_work_coverage(CoverageFacts(4, False, False, 0), ctx)
    assert "空白点" in blank.message
