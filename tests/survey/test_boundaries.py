"""A survey that closes on 31 December (issue 9): open until 23:59 China time, closed at 00:00
(16:00 UTC of the 31st), for the page and for the service alike."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.survey.models import Response
from dangjian.survey.services import open_surveys, response_submit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FORM = {
    "satisfaction": "satisfied",
    "knows_secretary": "yes",
    "knows_activities": "yes",
    "took_part": "yes",
}


@pytest.mark.django_db
@pytest.mark.today("2026-12-31T23:59")
def test_survey_closing_on_new_years_eve(tree, clock):
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"]],
        key="year-end",
        title="2026 年度三率测评",
        opens_on=dt.date(2026, 12, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    url = f"/survey/s/{survey.token}/"
    assert Client().post(url, {**FORM, "phone": "13912345678"}).status_code == 302
    clock.move_to(dt.datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI))
    page = Client().get(url)
    assert "本次测评已于 <strong>2026年12月31日</strong> 结束" in page.content.decode()
    late = Client().post(url, {**FORM, "phone": "13912345679"})
    assert late.status_code == 200 and "已于" in late.content.decode()
    with pytest.raises(ValidationError, match="已于 2026年12月31日 结束"):
        response_submit(survey=survey, answers=FORM, phone="13912345679")
    assert Response.objects.count() == 1
