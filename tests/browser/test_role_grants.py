"""On a phone (375 px): the 安全管理员 approves one role grant and refuses another with a reason,
and unlocks an account with an exemption from locking (issue 11, 三员分立). The pages fit the
screen and their buttons are big enough to tap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from tests.browser.test_phone import PHONE, SQUEEZED, _login
from tests.browser.test_smoke import browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _fits(page: Any, where: str) -> list[str]:
    problems = [f"{where}: 单元格“{t}”只有 {w}px 宽" for t, w in page.evaluate(SQUEEZED, 3)]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > PHONE["width"] + 1:
        problems.append(f"{where}: 页面宽 {scroll}px，超出屏幕")
    return problems


def test_security_admin_decides_grants_and_unlocks_on_a_phone(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    root = make_org(None, org_type="党委", sector="机关", code="DR0001", name="手机测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="DRT001", name="西湖镇党委")
    requester = make_user(root, "sys_admin", username="xitong")
    make_user(root, "security_admin", username="anquan")
    first = make_user(town, "inspector", username="ducha_new")
    second = make_user(town, "inspector", username="zuzhi_new")
    for user, role in ((first, "branch_secretary"), (second, "committee_admin")):
        RoleGrant.objects.create(
            user=user, role=role, requested_by=requester, requested_at=timezone.now()
        )
    User.objects.filter(pk=requester.pk).update(
        failed_logins=0, locked_until=timezone.now() + dt.timedelta(minutes=15)
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    try:
        _login(page, live_server, "anquan")
        page.goto(f"{live_server.url}{reverse('web:security')}")
        assert page.get_by_text("有 2 项角色授权申请等待您审批").is_visible()
        problems += _fits(page, "安全策略")
        page.fill(f"#id_u{requester.pk}-exempt_hours", "12")
        page.get_by_role("button", name="解锁").click()
        page.wait_for_load_state()
        assert page.get_by_text("12 小时内他人输错密码不会再锁定该账号").is_visible()

        page.goto(f"{live_server.url}{reverse('web:role_grants')}")
        problems += _fits(page, "角色授权审批")
        buttons = page.get_by_role("button", name="批准")
        assert buttons.first.bounding_box()["height"] >= 36
        page.locator("tr", has_text="ducha_new").get_by_role("button", name="批准").click()
        page.wait_for_load_state()
        assert page.get_by_text("已批准为“ducha_new”授予“支部书记”").is_visible()
        row = page.locator("tr", has_text="zuzhi_new")
        row.locator("summary", has_text="拒绝").click()
        row.locator("input[name=reason]").fill("任职文件未到")
        row.get_by_role("button", name="拒绝").click()
        page.wait_for_load_state()
        assert page.get_by_text("已拒绝为“zuzhi_new”授予“党委管理员”").is_visible()
        assert page.get_by_text("已拒绝：任职文件未到").is_visible()
        problems += _fits(page, "角色授权审批（已处理）")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
    assert User.objects.get(username="ducha_new").role_codes == {"inspector", "branch_secretary"}
