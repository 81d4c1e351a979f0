"""The public questionnaire: no login, one answer per person, rate limit, states, CSRF."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.survey.models import InviteCode, Response
from dangjian.survey.services import open_surveys

FORM = {
    "satisfaction": "satisfied",
    "knows_secretary": "yes",
    "knows_activities": "yes",
    "took_part": "no",
    "phone": "13912345678",
}


def url(survey) -> str:
    return f"/survey/s/{survey.token}/"


@pytest.mark.django_db
def test_form_needs_no_login_and_reveals_nothing_else(surveys):
    page = Client().get(url(surveys["a"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲村党支部" in html and "您对本支部的工作总体是否满意" in html
    assert "乙社区党支部" not in html and "甲镇党委" not in html  # no other organization
    assert "/survey/orgs/" not in html and "退出" not in html  # no staff navigation
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert Client().get("/survey/s/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_answer_then_same_phone_again_is_refused(surveys):
    client = Client()
    audits = AuditEntry.objects.count()
    done = client.post(url(surveys["a"]), FORM)
    assert done.status_code == 302 and done["Location"] == url(surveys["a"]) + "thanks/"
    assert "感谢" in client.get(done["Location"]).content.decode()
    again = Client().post(url(surveys["a"]), {**FORM, "phone": "139-1234-5678"})
    assert again.status_code == 400
    assert "该手机号已参与过本次测评" in again.content.decode()
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.answers == {k: v for k, v in FORM.items() if k != "phone"}
    assert "13912345678" not in str(stored.__dict__)
    assert AuditEntry.objects.count() == audits  # anonymous answers leave no address trail


@pytest.mark.django_db
def test_missing_answers_and_bad_phone_show_chinese_errors(surveys):
    page = Client().post(url(surveys["a"]), {"satisfaction": "satisfied", "phone": "123"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "请选择一项" in html and "11 位手机号码" in html
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_invite_code_page_uses_code_once(tree, today):
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_b"]],
        key="codes",
        title="邀请码测评",
        opens_on=dt.date(2000, 1, 1),
        closes_on=dt.date(2100, 1, 1),
        dedup="code",
        codes=2,
    )
    code = InviteCode.objects.filter(survey=survey).first().code
    data = {k: v for k, v in FORM.items() if k != "phone"}
    assert "邀请码" in Client().get(url(survey)).content.decode()
    assert Client().post(url(survey), {**data, "code": code}).status_code == 302
    second = Client().post(url(survey), {**data, "code": code})
    assert second.status_code == 400 and "已使用过" in second.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db
def test_closed_and_pending_show_messages_and_take_nothing(tree):
    closed, _other = open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"], tree["branch_b"]],
        key="past",
        title="往期测评",
        opens_on=dt.date(2020, 1, 1),
        closes_on=dt.date(2020, 1, 31),
    )
    page = Client().get(url(closed))
    assert page.status_code == 200 and "已于" in page.content.decode()
    assert "<form" not in page.content.decode()
    assert Client().post(url(closed), FORM).status_code == 200
    (future,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_b"]],
        key="future",
        title="下期测评",
        opens_on=dt.date(2099, 1, 1),
        closes_on=dt.date(2099, 1, 31),
    )
    assert "尚未开始" in Client().get(url(future)).content.decode()
    assert Client().post(url(future), FORM).status_code == 200
    assert Response.objects.count() == 0


@pytest.mark.django_db
@override_settings(DANGJIAN_SURVEY_RATE_LIMITS={"addr": [3, 600], "survey": [5, 600]})
def test_rate_limit_per_address_and_per_survey(surveys):
    one = Client(REMOTE_ADDR="10.0.0.1")
    statuses = [
        one.post(url(surveys["a"]), {**FORM, "phone": f"1381234000{i}"}).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    limited = one.post(url(surveys["a"]), {**FORM, "phone": "13812340009"})
    assert limited.status_code == 429 and "提交过于频繁，请稍后再试" in limited.content.decode()
    assert Response.objects.filter(survey=surveys["a"]).count() == 3
    # the same address is not limited on another survey
    assert one.post(url(surveys["b"]), FORM).status_code == 302
    # per survey: attempts from any address count (5 in the window: 3 + 1 + 1 already)
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(url(surveys["a"]), {**FORM, "phone": "13700000001"}).status_code == 429
    assert Response.objects.filter(survey=surveys["a"]).count() == 3


@pytest.mark.django_db
@override_settings(DANGJIAN_SURVEY_RATE_LIMITS={"addr": [2, 600]})
def test_failed_attempts_count_against_the_limit(surveys):
    client = Client(REMOTE_ADDR="10.0.0.3")
    assert client.post(url(surveys["a"]), {**FORM, "phone": "1"}).status_code == 400
    assert client.post(url(surveys["a"]), {**FORM, "phone": "2"}).status_code == 400
    assert client.post(url(surveys["a"]), FORM).status_code == 429
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_csrf_stays_on(surveys):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(surveys["a"]), FORM).status_code == 403
    page = client.get(url(surveys["a"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    done = client.post(url(surveys["a"]), {**FORM, "csrfmiddlewaretoken": token})
    assert done.status_code == 302 and Response.objects.count() == 1
