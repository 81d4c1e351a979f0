"""On a phone (375 px, headless Chromium): a resident orders on a grid's public page, the
village's dispatcher accepts and dispatches it to the grid, the grid worker takes and resolves
it, and the resident follows it by the tracking code and rates it (issue 13). Each sees what is
theirs: the resident never a name nor the phone; the worker the full phone once, on asking; every
page fits the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.service.models import Order
from dangjian.service.services import grid_create
from tests.browser.test_phone import PHONE, _login
from tests.browser.test_role_grants import _fits
from tests.browser.test_smoke import browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NUMBER = "13912345678"


def _named(user: User, name: str) -> User:
    user.display_name = name
    user.save(update_fields=["display_name"])
    return user


def test_an_order_from_the_resident_to_its_rating_on_phones(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    root = make_org(None, org_type="党委", sector="机关", code="DS0001", name="服务测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="DST001", name="溪口镇党委")
    village = make_org(town, org_type="党支部", sector="农村", code="DSV001", name="东坑村党支部")
    _named(make_user(village, "branch_secretary", username="cunwei"), "赵书记")
    worker = _named(make_user(village, "grid_worker", username="wangge"), "王网格")
    grid = grid_create(actor=SYSTEM, org=village, name="第一网格", households=80, workers=[worker])
    url = live_server.url
    problems: list[str] = []
    resident = browser.new_context(viewport=PHONE, locale="zh-CN")
    staff = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        # --- the resident orders on the grid's page (no account)
        page = resident.new_page()
        page.goto(f"{url}{reverse('service:submit', args=[grid.token])}")
        assert page.get_by_role("heading", name="我要点单").is_visible()
        assert page.get_by_text("东坑村党支部 · 第一网格").is_visible()
        problems += _fits(page, "点单")
        page.select_option("#id_category", "roads")
        page.fill("#id_description", "村口的路灯坏了一周，晚上看不见路")
        page.fill("#id_address", "东坑村村口")
        page.fill("#id_contact_name", "李阿姨")
        page.fill("#id_phone", NUMBER)
        page.get_by_role("button", name="提交").click()
        page.wait_for_load_state()
        match = re.search(r"/fuwu/t/([A-Z0-9]+)/$", page.url)
        assert match, page.url
        code = match[1]
        assert page.get_by_text("待受理").first.is_visible()
        problems += _fits(page, "查询")
        order = Order.objects.get(tracking_code=code)
        assert order.phone == NUMBER and order.grid == grid

        # --- the dispatcher accepts and dispatches to the grid
        desk = staff.new_page()
        _login(desk, live_server, "cunwei")
        desk.goto(f"{url}{reverse('service:queue')}")
        problems += _fits(desk, "派单台")
        desk.get_by_role("link", name=code).click()
        desk.wait_for_load_state()
        assert desk.get_by_text("村口的路灯坏了一周").is_visible()
        assert desk.get_by_text("139****5678").is_visible()  # masked until asked
        problems += _fits(desk, "工单（待受理）")
        desk.get_by_role("button", name="受理", exact=True).click()
        desk.wait_for_load_state()
        assert desk.get_by_text(f"工单 {code}：已受理").is_visible()
        desk.select_option("#target", f"grid:{grid.pk}")
        desk.get_by_role("button", name="派单", exact=True).click()
        desk.wait_for_load_state()
        assert desk.get_by_text(f"工单 {code}：已派单").is_visible()
        assert desk.get_by_text("已派单，待接单").first.is_visible()
        staff.clear_cookies()

        # --- the grid worker takes it, sees the phone once, resolves it
        _login(desk, live_server, "wangge")
        desk.goto(f"{url}{reverse('service:mine')}")
        problems += _fits(desk, "我的工单")
        desk.get_by_role("link", name=code).click()
        desk.wait_for_load_state()
        desk.get_by_role("button", name="接单", exact=True).click()
        desk.wait_for_load_state()
        assert desk.get_by_text(f"工单 {code}：已接单").is_visible()
        desk.get_by_role("button", name="查看完整电话").click()
        desk.wait_for_load_state()
        assert desk.locator("[data-phone]").inner_text() == NUMBER
        assert AuditEntry.objects.filter(action="service.order.view_phone").count() == 1
        desk.fill("#result", "已联系电工更换灯泡，路灯恢复照明")
        desk.get_by_role("button", name="反馈办理结果").click()
        desk.wait_for_load_state()
        assert desk.get_by_text("已反馈办理结果，等待群众评价").is_visible()
        problems += _fits(desk, "工单（已解决）")

        # --- the resident follows it by the code and rates it
        page.goto(f"{url}{reverse('service:track', args=[code.lower()])}")
        assert page.get_by_text("状态：已解决，待评价").is_visible()
        assert page.get_by_text("已联系电工更换灯泡").first.is_visible()
        text = page.inner_text("body")
        for who in ("王网格", "赵书记", "wangge", "cunwei", "李阿姨", NUMBER, "139****5678"):
            assert who not in text, who
        problems += _fits(page, "评价")
        page.check("input[name=rating][value=satisfied]")
        page.fill("input[name=comment]", "修得很快，谢谢")
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_load_state()
        assert page.get_by_text("已办结").first.is_visible()
        assert page.get_by_text("满意（修得很快，谢谢）").is_visible()
        assert "王网格" not in page.inner_text("body")
    finally:
        resident.close()
        staff.close()
    assert problems == [], "\n".join(problems)
    order.refresh_from_db()
    assert order.state == "closed" and order.rating == "satisfied"
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["submit", "accept", "dispatch", "take", "resolve", "rate"]
