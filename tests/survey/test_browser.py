"""Browser test: a resident answers on a phone-sized screen; the staff results page shows the QR.

Uses the headless Chromium fixture of the browser smoke test (skipped without Chromium unless
DANGJIAN_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.survey.models import Response
from dangjian.survey.services import open_surveys
from tests.browser.test_smoke import _shot, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD, make_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(transactional_db: Any) -> Any:
    root = make_org(None, org_type="党委", sector="机关", code="SV0001", name="测评测试区委")
    branch = make_org(root, org_type="党支部", sector="社区", code="SVB001", name="幸福社区党支部")
    make_member(branch)
    make_user(root, "org_admin", username="survey_admin")
    today = timezone.localdate()
    (made,) = open_surveys(
        SYSTEM,
        orgs=[branch],
        key="browser",
        title="2026 年度三率测评",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=7),
    )
    return made


def test_phone_answer_and_results(browser: Any, live_server: Any, survey: Any) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/survey/s/{survey.token}/")
        assert "幸福社区党支部" in page.inner_text("main")
        page.check("input[name=satisfaction][value=basic]")
        page.check("input[name=knows_secretary][value=yes]")
        page.check("input[name=knows_activities][value=no]")
        page.check("input[name=took_part][value=yes]")
        page.fill("input[name=phone]", "13800001111")
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
        _shot(page, "survey-phone-form")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/thanks/")
        assert "提交成功" in page.inner_text("main")

        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "survey_admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/survey/{survey.pk}/")
        text = page.inner_text("main")
        assert "样本不足，结果仅供参考" in text and "暂不显示比率" in text and "1 / 1" not in text
        box = page.locator("svg.qr").bounding_box()
        assert box is not None and 100 <= box["width"] <= 230
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
        _shot(page, "survey-phone-results")
        page.goto(f"{live_server.url}/survey/{survey.pk}/print/")
        _shot(page, "survey-print")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    assert Response.objects.filter(survey=survey).count() == 1
