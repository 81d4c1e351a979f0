"""Opening surveys, taking answers (dedup, states), seeding, and the set-based rates."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.survey.models import InviteCode, Response, Survey
from dangjian.survey.selectors import rates_for, survey_rates
from dangjian.survey.services import (
    invite_codes_add,
    open_surveys,
    response_submit,
    seed_responses,
)
from tests.factories import make_org

ANSWERS = {
    "satisfaction": "basic",
    "knows_secretary": "yes",
    "knows_activities": "no",
    "took_part": "yes",
}


def _open(tree, today, **extra):
    args = {
        "orgs": [tree["branch_a"]],
        "key": "k",
        "title": "测评",
        "opens_on": today - dt.timedelta(days=1),
        "closes_on": today + dt.timedelta(days=1),
    }
    args.update(extra)
    return open_surveys(SYSTEM, **args)


@pytest.mark.django_db
def test_open_surveys_one_per_org_idempotent_and_audited(tree, today):
    audits = AuditEntry.objects.count()
    first = _open(tree, today, orgs=[tree["branch_a"], tree["branch_b"]])
    assert [s.org for s in first] == [tree["branch_a"], tree["branch_b"]]
    assert [s.population for s in first] == [4, 2]  # members on each roll
    assert AuditEntry.objects.count() == audits + 2
    assert AuditEntry.objects.filter(action="survey.open", object_id=str(first[0].pk)).exists()
    again = _open(tree, today, orgs=[tree["branch_b"], tree["branch_a"]], title="另一个")
    assert [s.pk for s in again] == [first[1].pk, first[0].pk]
    assert Survey.objects.count() == 2 and Survey.objects.filter(title="另一个").count() == 0
    assert AuditEntry.objects.count() == audits + 2
    assert first[0].token != first[1].token and len(first[0].token) >= 20


@pytest.mark.django_db
def test_open_surveys_population_of_a_committee_counts_its_subtree(tree, today):
    (town,) = _open(tree, today, orgs=[tree["town_a"]])
    assert town.population == 4
    (given,) = _open(tree, today, orgs=[tree["town_b"]], population=50)
    assert given.population == 50


@pytest.mark.django_db
def test_open_surveys_validates_and_checks_scope(tree, today):
    with pytest.raises(ValidationError) as err:
        _open(tree, today, title=" ", closes_on=today - dt.timedelta(days=3))
    assert "title" in err.value.message_dict and "closes_on" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        open_surveys(
            tree["admin_a"],
            orgs=[tree["branch_a"], tree["branch_b"]],
            key="k",
            title="t",
            opens_on=today,
            closes_on=today,
        )
    with pytest.raises(PermissionDenied):  # a secretary views but does not open surveys
        open_surveys(
            tree["secretary_a"],
            orgs=[tree["branch_a"]],
            key="k",
            title="t",
            opens_on=today,
            closes_on=today,
        )
    assert Survey.objects.count() == 0
    (mine,) = open_surveys(
        tree["admin_a"],
        orgs=[tree["branch_a"]],
        key="k",
        title="t",
        opens_on=today,
        closes_on=today,
    )
    assert mine.created_by == tree["admin_a"]


@pytest.mark.django_db
def test_same_phone_twice_gives_one_answer(surveys, today):
    survey = surveys["a"]
    response_submit(survey=survey, answers=ANSWERS, phone="138 1234 5678", today=today)
    with pytest.raises(ValidationError) as err:
        response_submit(survey=survey, answers=ANSWERS, phone="13812345678", today=today)
    assert "已参与" in str(err.value)
    assert Response.objects.filter(survey=survey).count() == 1
    stored = Response.objects.get()
    assert "13812345678" not in stored.dedup_key and "5678" not in str(stored.answers)
    assert set(stored.answers) == set(ANSWERS)
    # the same phone may answer another organization's survey
    response_submit(survey=surveys["b"], answers=ANSWERS, phone="13812345678", today=today)
    keys = list(Response.objects.values_list("dedup_key", flat=True))
    assert len(set(keys)) == 2  # unrelated keys across surveys


@pytest.mark.django_db
def test_invite_code_is_usable_once(tree, today):
    (survey,) = _open(tree, today, dedup="code", codes=3)
    codes = list(InviteCode.objects.filter(survey=survey).values_list("code", flat=True))
    assert len(set(codes)) == 3
    response_submit(survey=survey, answers=ANSWERS, code=codes[0].lower(), today=today)
    with pytest.raises(ValidationError) as err:
        response_submit(survey=survey, answers=ANSWERS, code=codes[0], today=today)
    assert "已使用" in str(err.value)
    with pytest.raises(ValidationError) as err:
        response_submit(survey=survey, answers=ANSWERS, code="XXXXXXXX", today=today)
    assert "无效" in str(err.value)
    assert Response.objects.count() == 1
    assert codes[0] not in Response.objects.get().dedup_key  # the answer does not name its code
    more = invite_codes_add(SYSTEM, survey=survey, count=2)
    assert len(more) == 2 and InviteCode.objects.filter(survey=survey).count() == 5
    with pytest.raises(PermissionDenied):
        invite_codes_add(tree["secretary_a"], survey=survey, count=2)


@pytest.mark.django_db
def test_closed_and_pending_surveys_refuse_answers(surveys, today):
    survey = surveys["a"]
    with pytest.raises(ValidationError) as err:
        response_submit(
            survey=survey, answers=ANSWERS, phone="13812345678", today=today + dt.timedelta(6)
        )
    assert "已于" in str(err.value) and "结束" in str(err.value)
    with pytest.raises(ValidationError) as err:
        response_submit(
            survey=survey, answers=ANSWERS, phone="13812345678", today=today - dt.timedelta(6)
        )
    assert "开始" in str(err.value)
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_bad_answers_and_phone_are_refused(surveys, today):
    with pytest.raises(ValidationError) as err:
        response_submit(
            survey=surveys["a"],
            answers={**ANSWERS, "satisfaction": "great", "took_part": ""},
            phone="12345",
            today=today,
        )
    errors = err.value.message_dict
    assert set(errors) == {"satisfaction", "took_part", "phone"}
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_rates_follow_the_definitions(surveys, today):
    survey = surveys["a"]
    rows = [
        ("satisfied", "yes", "yes", "yes"),
        ("basic", "yes", "no", "no"),
        ("unsatisfied", "no", "no", "yes"),
        ("basic", "yes", "yes", "no"),
    ]
    for i, (sat, sec, act, took) in enumerate(rows):
        answers = {
            "satisfaction": sat,
            "knows_secretary": sec,
            "knows_activities": act,
            "took_part": took,
        }
        response_submit(survey=survey, answers=answers, phone=f"1391234000{i}", today=today)
    rates = rates_for("campaign:1")
    a = rates[survey.org_id]
    assert (a.satisfaction.numerator, a.satisfaction.n) == (3, 4)
    assert (a.awareness.numerator, a.participation.numerator) == (2, 2)
    assert a.answers == 4 and a.population == 4 and a.response_rate == 1.0
    assert not a.satisfaction.reliable
    assert a.satisfaction.low < 0.75 < a.satisfaction.high
    b = rates[surveys["b"].org_id]
    assert b.answers == 0 and b.satisfaction.value is None
    assert set(rates_for("campaign:1", org_ids=[survey.org_id])) == {survey.org_id}
    assert rates_for("nothing") == {}
    assert survey_rates(survey) == a


@pytest.mark.django_db
def test_seed_is_deterministic(surveys):
    seed_responses(surveys["a"], random.Random(7), 40, satisfaction=0.5)
    seed_responses(surveys["b"], random.Random(7), 40, satisfaction=0.5)
    rates = rates_for("campaign:1")
    a, b = rates[surveys["a"].org_id], rates[surveys["b"].org_id]
    assert a.answers == b.answers == 40
    assert a.satisfaction == b.satisfaction and a.satisfaction.reliable
    assert 0.2 < a.satisfaction.value < 0.8


@pytest.mark.django_db
def test_rates_for_query_count_is_constant(tree, today):
    def run(count: int) -> int:
        orgs = [make_org(tree["town_a"]) for _ in range(count)]
        made = open_surveys(
            SYSTEM, orgs=orgs, key=f"q{count}", title="t", opens_on=today, closes_on=today
        )
        for s in made:
            seed_responses(s, random.Random(s.pk), 3)
        with CaptureQueriesContext(connection) as ctx:
            result = rates_for(f"q{count}", org_ids=[o.pk for o in orgs])
        assert len(result) == count and all(r.answers == 3 for r in result.values())
        return len(ctx.captured_queries)

    assert run(2) == run(12) == 2


@pytest.mark.django_db
def test_open_surveys_tolerates_repeated_orgs(tree, today):
    made = _open(tree, today, orgs=[tree["branch_a"], tree["branch_a"], tree["branch_b"]])
    assert len(made) == 2 and Survey.objects.count() == 2


@pytest.mark.django_db
def test_phone_surveys_get_no_invite_codes(tree, today):
    (survey,) = _open(tree, today, codes=5)
    assert survey.dedup == "phone" and not InviteCode.objects.exists()


@pytest.mark.django_db
def test_rates_across_questionnaire_versions(surveys, today, monkeypatch):
    import dataclasses

    from dangjian.survey import questions

    old = questions.QUESTIONNAIRES["2026.1"]
    strict = dataclasses.replace(old, version="strict", satisfied=("satisfaction", {"satisfied"}))
    monkeypatch.setitem(questions.QUESTIONNAIRES, "strict", strict)
    Survey.objects.filter(pk=surveys["b"].pk).update(version="strict")
    for survey in (surveys["a"], surveys["b"]):
        survey.refresh_from_db()
        response_submit(survey=survey, answers=ANSWERS, phone="13700000000", today=today)
    rates = rates_for("campaign:1")
    assert rates[surveys["a"].org_id].satisfaction.numerator == 1  # 基本满意 counts
    assert rates[surveys["b"].org_id].satisfaction.numerator == 0  # not in the strict version
    only_b = rates_for("campaign:1", org_ids=[surveys["b"].org_id])
    assert only_b[surveys["b"].org_id].satisfaction.numerator == 0
