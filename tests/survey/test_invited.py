"""Issue 9: 回收率 over the people actually invited (never over 100 %), the list shows the rates
it claims, the privacy notice says a phone digest is pseudonymous, a bad link says so, and the
survey pages speak Chinese."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.members.services import StatusInput, member_status_record
from dangjian.rules.registry import rule_titles
from dangjian.survey.selectors import rates_for, survey_rates
from dangjian.survey.services import (
    PUBLIC_NEEDS_COUNT,
    invite_codes_add,
    open_surveys,
    response_submit,
    seed_responses,
)
from tests.factories import make_member
from tests.web.visible import offences, visible_text

ANSWER = {
    "satisfaction": "basic",
    "knows_secretary": "yes",
    "knows_activities": "no",
    "took_part": "yes",
}


def answer(survey, n: int, today: dt.date, *, first_phone: int = 13900000000) -> None:
    for i in range(n):
        response_submit(survey=survey, answers=ANSWER, phone=str(first_phone + i), today=today)


def _open(tree, today, org="branch_a", **kwargs):
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree[org]],
        key=kwargs.pop("key", "t"),
        title="2026 年度三率测评",
        opens_on=kwargs.pop("opens_on", today),
        closes_on=today + dt.timedelta(days=7),
        **kwargs,
    )
    return survey


@pytest.mark.django_db
def test_more_answers_than_members_invited_is_never_over_100_percent(tree, today, login):
    survey = _open(tree, today)  # branch_a: 4 members on the roll, phone, members only
    answer(survey, 3, today)
    rates = survey_rates(survey)
    assert rates.population == 4 and rates.response_rate == 0.75
    assert rates.basis == "发起时本组织名册上的党员 4 人"
    html = login("admin_a").get(f"/survey/{survey.pk}/").content.decode()
    assert "回收率<strong>75.0%</strong>" in html and "回收率 = 答卷 3 份 ÷ 邀请 4 人" in html

    answer(survey, 3, today, first_phone=13800000000)  # the link went further than the roll
    rates = survey_rates(survey)
    assert rates.answers == 6 and rates.response_rate is None
    assert "答卷 6 份多于邀请的 4 人" in rates.response_note
    assert rates_for("t")[tree["branch_a"].pk].response_rate is None
    html = login("admin_a").get(f"/survey/{survey.pk}/").content.decode()
    assert "回收率<strong>—</strong>" in html and "答卷 6 份多于邀请的 4 人" in html
    assert "150" not in html
    listed = login("admin_a").get("/survey/").content.decode()
    assert '6<span class="small muted"> / 4</span>' in listed and "答卷多于邀请人数" in listed
    assert "回收率 150" not in listed


@pytest.mark.django_db
def test_the_roll_is_counted_on_the_opening_day(tree, today):
    branch = tree["branch_a"]
    gone = make_member(branch, joined_on=dt.date(1985, 7, 1))
    member_status_record(
        actor=SYSTEM,
        member=gone,
        data=StatusInput(kind="死亡", started_on=dt.date(2026, 3, 2), decided_by="甲镇党委"),
    )
    make_member(branch, member_type="预备党员", joined_on=dt.date(2026, 11, 2))
    survey = _open(tree, today, opens_on=dt.date(2026, 11, 1))
    assert survey.population == 4 and survey.population_from_roll  # 6 records, 4 on the roll
    later = _open(tree, today, key="later")
    assert later.population == 5  # the probationary member joined by then


@pytest.mark.django_db
def test_a_survey_open_to_residents_needs_the_invited_count(tree, today, login):
    with pytest.raises(ValidationError) as caught:
        _open(tree, today, audience="public")
    assert caught.value.message_dict == {"population": [PUBLIC_NEEDS_COUNT]}
    survey = _open(tree, today, audience="public", population=30)
    assert not survey.population_from_roll
    answer(survey, 9, today)
    rates = survey_rates(survey)
    assert rates.response_rate == pytest.approx(0.3)
    assert rates.basis == "发起人登记的邀请人数（党员和群众）30 人"
    html = login("admin_a").get(f"/survey/{survey.pk}/").content.decode()
    assert "邀请对象：党员和群众" in html and "回收率<strong>30.0%</strong>" in html


@pytest.mark.django_db
def test_invite_codes_issued_are_the_invited(tree, today):
    survey = _open(tree, today, audience="public", dedup="code", codes=5)
    rates = survey_rates(survey)
    assert rates.population == 5 and rates.basis == "已发放的一次性邀请码 5 个（每码一人）"
    codes = list(survey.codes.values_list("code", flat=True))
    for code in codes[:4]:
        response_submit(survey=survey, answers=ANSWER, code=code, today=today)
    assert survey_rates(survey).response_rate == 0.8
    invite_codes_add(SYSTEM, survey=survey, count=3)
    assert survey_rates(survey).response_rate == 0.5  # 4 of 8
    assert rates_for("t")[tree["branch_a"].pk].response_rate == 0.5


@pytest.mark.django_db
def test_no_invited_count_means_no_response_rate(tree, today):
    survey = _open(tree, today)
    survey.population = None
    survey.population_from_roll = False
    survey.save()
    rates = survey_rates(survey)
    assert rates.response_rate is None and rates.response_note == "未登记邀请人数，不计算回收率"


@pytest.mark.django_db
def test_the_list_shows_the_rates_it_claims_once_enough_answers(tree, today, login):
    survey = _open(tree, today, audience="public", population=200)
    seed_responses(survey, random.Random(7), 4, satisfaction=1.0)
    client = login("admin_a")
    listed = client.get("/survey/").content.decode()
    assert "100.0%" not in listed  # 4 answers: not disclosed
    seed_responses(survey, random.Random(8), 36, satisfaction=1.0)
    for path in ("/survey/", "/survey/orgs/TA001/"):
        listed = client.get(path).content.decode()
        assert "100.0%" in listed and "91.2%–100.0%" in listed  # 满意率 40/40 with its interval
        assert "回收率 20.0%" in listed


@pytest.mark.django_db
def test_open_form_records_who_is_invited(tree, login):
    client = login("admin_a")
    form = {
        "title": "2026 年度群众满意度测评",
        "opens_on": "2026-11-23",
        "closes_on": "2026-12-07",
        "scope": "self",
        "audience": "public",
        "dedup": "phone",
        "codes": "",
        "population": "",
        "key": "",
    }
    page = client.post("/survey/orgs/BA001/open/", form)
    assert page.status_code == 400 and "请填写邀请人数（党员和群众合计）" in page.content.decode()
    done = client.post("/survey/orgs/BA001/open/", {**form, "population": "120"})
    assert done.status_code == 302
    survey = tree["branch_a"].surveys.get()
    assert survey.audience == "public" and survey.population == 120


@pytest.mark.django_db
def test_privacy_notice_says_a_phone_digest_is_pseudonymous(tree, today):
    survey = _open(tree, today)
    html = Client().get(f"/survey/s/{survey.token}/").content.decode()
    assert "去标识化" in html and "不是匿名化" in html and "个人信息保护法" in html
    assert "能算出同样的摘要，从而找到这个号码提交的答卷" in html
    assert "各题的选项、提交时间、手机号摘要" in html
    assert "匿名填写" not in html and "不可还原" not in html
    coded = _open(tree, today, key="c", dedup="code", codes=1)
    html = Client().get(f"/survey/s/{coded.token}/").content.decode()
    assert (
        "匿名填写" in html and "答卷不记录是哪一张邀请码提交的" in html and "去标识化" not in html
    )


@pytest.mark.django_db
def test_a_bad_public_link_says_the_link_is_invalid(tree, surveys):
    for path in ("/survey/s/not-a-token/", "/survey/s/not-a-token/thanks/"):
        page = Client().get(path)
        assert page.status_code == 404
        html = page.content.decode()
        assert "链接无效或已过期" in html
        assert "管辖范围" not in html and "返回首页" not in html and "退出" not in html
    page = Client().post("/survey/s/not-a-token/", {"satisfaction": "satisfied"})
    assert page.status_code == 404 and "链接无效或已过期" in page.content.decode()


def english(html: str, *data: str) -> list[str]:
    """The ASCII words a user should not see (the page walk's reading of visible text);
    ``data``: words that are data on the page (the user name, invite codes)."""
    return offences(visible_text(html), names=set(data), rule_titles=rule_titles())


@pytest.mark.django_db
def test_survey_pages_show_no_english_or_internal_codes(tree, today, login):
    [found] = english('<p>置信区间按 Wilson 法<span class="rule-id">ASSESS-WEAK</span></p>')
    assert found.startswith("'Wilson'")
    phone = _open(tree, today, audience="public", population=50)
    coded = _open(tree, today, key="c", dedup="code", codes=2)
    seed_responses(phone, random.Random(1), 12)
    client = login("admin_a")
    pages = [
        client.get("/survey/"),
        client.get("/survey/orgs/BA001/"),
        client.get("/survey/orgs/BA001/open/"),
        client.get(f"/survey/{phone.pk}/"),
        client.get(f"/survey/{coded.pk}/"),
        client.get(f"/survey/{coded.pk}/print/"),
        Client().get(f"/survey/s/{phone.token}/"),
        Client().get(f"/survey/s/{coded.token}/"),
        Client().get(f"/survey/s/{phone.token}/thanks/"),
        Client().get("/survey/s/nothing/"),
    ]
    for page in pages:
        assert page.status_code in (200, 404)
        codes = coded.codes.values_list("code", flat=True)  # printed to be handed out
        words = english(page.content.decode(), "admin_a", *codes)
        assert words == [], (page.wsgi_request.path, words)


@pytest.mark.django_db
def test_invited_counts_per_organization(tree, today):
    a, b = tree["branch_a"], tree["branch_b"]
    window = {"opens_on": today, "closes_on": today + dt.timedelta(days=7)}
    with pytest.raises(ValidationError, match="每个组织"):
        open_surveys(
            SYSTEM,
            orgs=[a, b],
            key="k:1",
            title="测评",
            audience="public",
            population={a.pk: 40},
            **window,
        )
    with pytest.raises(ValidationError, match="不小于 0"):
        open_surveys(
            SYSTEM,
            orgs=[a, b],
            key="k:1",
            title="测评",
            audience="public",
            population={a.pk: 40, b.pk: -1},
            **window,
        )
    sa, sb = open_surveys(
        SYSTEM,
        orgs=[a, b],
        key="k:1",
        title="测评",
        audience="public",
        population={a.pk: 40, b.pk: 55},
        **window,
    )
    assert (sa.population, sb.population) == (40, 55)
    assert not sa.population_from_roll
