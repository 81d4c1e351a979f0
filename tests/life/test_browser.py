"""Browser test: a secretary records a meeting on a phone-sized screen and the to-do list changes.

Uses the headless Chromium fixture of the browser smoke test (skipped without Chromium unless
DANGJIAN_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dangjian.life.models import Attendance, Meeting
from dangjian.orgs.models import Organization
from tests.browser.test_smoke import _shot, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD, make_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def branch(transactional_db: Any) -> dict[str, Any]:
    root = make_org(None, org_type="党委", sector="机关", code="LB0001", name="浏览器测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="LBT001", name="东风镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", code="LBB001", name="红星村党支部")
    members = [make_member(branch, name=name) for name in ("张明", "李华", "王芳")]
    make_user(branch, "branch_secretary", username="life_secretary")
    return {"branch": branch, "members": members}


def test_phone_record_meeting_updates_todo(
    browser: Any,  # noqa: F811
    live_server: Any,
    branch: dict[str, Any],
) -> None:
    today = timezone.localdate()
    due = f'li[data-rule="LIFE-THEME-DAY-MONTHLY"][data-period="{today:%Y-%m}"]'
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/life/")
        page.fill("input[name=username]", "life_secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/life/orgs/LBB001/todo/")
        assert page.locator(due).count() == 1
        assert "还剩" in page.locator(due).inner_text()

        page.click("text=记录会议")
        page.wait_for_url("**/life/orgs/LBB001/record/")
        page.select_option("select[name=meeting_type]", "主题党日")
        page.fill("input[name=held_on]", today.isoformat())
        page.fill("input[name=topic]", "重温入党誓词")
        absent = branch["members"][1]
        page.uncheck(f"input[name=present_{absent.pk}]")
        page.select_option(f"select[name=reason_{absent.pk}]", "因病")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 376, width
        _shot(page, "life-phone-record")
        page.click("main form.stack button[type=submit]")
        page.wait_for_url("**/life/orgs/LBB001/todo/")
        text = page.inner_text("main")
        assert "已记录" in text
        assert page.locator(due).count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        _shot(page, "life-phone-todo")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    meeting = Meeting.objects.get()
    assert (meeting.expected, meeting.present) == (3, 2)
    assert Attendance.objects.get(present=False).reason == "因病"


def test_overview_charts_draw_under_csp(
    browser: Any,  # noqa: F811
    live_server: Any,
    branch: dict[str, Any],
) -> None:
    import datetime as dt

    from tests.life.helpers import meet

    for month in (1, 2, 4):
        meet(branch["branch"], "主题党日", dt.date(2025, month, 10))
    town = Organization.objects.get_parent(branch["branch"])
    make_user(Organization.objects.get_parent(town), "org_admin", username="life_admin")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/life/overview/?year=2025")
        page.fill("input[name=username]", "life_admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/life/overview/?year=2025")
        chart = page.locator("#h-LIFE-THEME-DAY-MONTHLY").locator("xpath=..").locator("canvas")
        chart.first.wait_for(state="attached", timeout=10000)
        assert page.locator(".life-chart canvas").count() >= 1
        page.wait_for_timeout(300)
        _shot(page, "life-desk-overview")
        assert not errors, errors
    finally:
        context.close()


def test_deleting_a_meeting_asks_first(
    browser: Any,  # noqa: F811
    live_server: Any,
    branch: dict[str, Any],
) -> None:
    """Dismissing the question deletes nothing; agreeing deletes the record."""
    import datetime as dt

    from tests.life.helpers import meet

    meeting = meet(branch["branch"], "支部党员大会", dt.date(2026, 11, 5), topic="讨论发展党员")
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    questions: list[str] = []
    try:
        page.goto(f"{live_server.url}/life/meetings/{meeting.pk}/")
        page.fill("input[name=username]", "life_secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**/life/meetings/{meeting.pk}/")

        def dismiss(dialog: Any) -> None:
            questions.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.click("text=删除此记录")
        page.wait_for_timeout(500)
        assert page.url.endswith(f"/life/meetings/{meeting.pk}/")
        assert Meeting.objects.filter(pk=meeting.pk).exists()
        assert questions and "确定删除这条记录" in questions[0] and "讨论发展党员" in questions[0]

        def accept(dialog: Any) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.click("text=删除此记录")
        page.wait_for_url("**/life/orgs/LBB001/meetings/")
        assert "已删除" in page.inner_text("main")
        assert len(questions) == 2
    finally:
        context.close()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
