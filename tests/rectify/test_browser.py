"""Browser test: on a phone, a branch secretary reports a rectification task done and the upper
level confirms it; the branch itself is never offered the confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from dangjian.rectify.models import RectificationTask
from tests.browser.test_smoke import _shot, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD, make_member, make_org, make_user
from tests.rectify.helpers import weak_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(transactional_db: Any) -> Any:
    root = make_org(None, org_type="党委", sector="机关", code="RB0001", name="整改测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="RBT001", name="东风镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", code="RBB001", name="红星村党支部")
    make_member(branch, name="张明")
    make_user(branch, "branch_secretary", username="rectify_secretary")
    make_user(town, "committee_admin", username="rectify_town")
    return weak_plan(branch, tasks=1)


def _login(browser: Any, live_server: Any, username: str, url: str) -> tuple[Any, Any, list]:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{url}")
    return context, page, errors


def test_phone_report_then_confirm(browser: Any, live_server: Any, plan: Any) -> None:  # noqa: F811
    task = plan.tasks.get()
    url = f"/rectify/plans/{plan.pk}/"
    context, page, errors = _login(browser, live_server, "rectify_secretary", "/rectify/")
    try:
        page.click(f"tr[data-plan='{plan.pk}'] a")
        page.wait_for_url(f"**{url}")
        card = page.locator(f"#task-{task.pk}")
        assert card.locator("text=确认完成").count() == 0
        page.click(f"#task-{task.pk} summary")
        page.fill(f"#text-{task.pk}", "已召开支委会研究选配书记")
        with page.expect_navigation():
            page.click(f"#task-{task.pk} details button[type=submit]")
        assert "已填报进展" in page.inner_text("main")
        page.fill(f"#done-{task.pk}", "新书记已到岗")
        asked: list[str] = []

        def cancel(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", cancel)  # irreversible: asks first; "cancel" sends nothing
        page.click(f"#task-{task.pk} >> text=报告完成")
        page.wait_for_timeout(300)
        assert asked and asked[0].startswith(f"确定报告“{task.what}”已完成？")
        assert RectificationTask.objects.get(pk=task.pk).status == "open"
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.click(f"#task-{task.pk} >> text=报告完成")
        assert "待上级确认" in page.inner_text(f"#task-{task.pk}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        _shot(page, "rectify-phone-reported")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    assert RectificationTask.objects.get(pk=task.pk).status == "reported"

    context, page, errors = _login(browser, live_server, "rectify_town", url)
    try:
        page.fill(f"#note-{task.pk}", "经核实属实")
        questions: list[str] = []

        def accept(dialog: Any) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        with page.expect_navigation():
            page.click(f"#task-{task.pk} >> text=确认完成")
        assert questions == [f"确认“{task.what}”已完成？确认后任务办结。"]
        assert "已确认" in page.inner_text(f"#task-{task.pk}")
        assert "已完成" in page.inner_text("main")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    task.refresh_from_db()
    assert task.status == "confirmed" and task.progress.count() == 2
