"""Browser test: a branch secretary fills the self-check on a phone-sized screen.

The page shows the automatic criteria already computed (with the records behind them); the
secretary scores only what the records cannot tell, saves, and sees the scores kept. Uses the
headless Chromium fixture of the browser smoke test (skipped without Chromium unless
DANGJIAN_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import SelfCheckScore
from dangjian.assess.services import CampaignInput, campaign_open
from dangjian.core.models import AuditEntry
from tests.browser.test_smoke import _shot, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD, make_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(transactional_db: Any) -> Any:
    root = make_org(None, org_type="党委", sector="机关", code="AB0001", name="考核测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="ABT001", name="东风镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", code="ABB001", name="红星村党支部")
    make_member(branch, name="张明", post="书记")
    for name in ("李华", "王芳"):
        make_member(branch, name=name)
    make_user(branch, "branch_secretary", username="assess_secretary")
    return campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=root,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            spot_share=0,
            sampling_seed=1,
        ),
    )


def test_phone_self_check(browser: Any, live_server: Any, campaign: Any) -> None:  # noqa: F811
    """375 px: items fold with their progress (x / y 已填), the automatic criteria are marked
    done with what they rest on, every error of a refused sheet is listed at the top and each
    link opens its item and focuses its field."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/assess/")
        page.fill("input[name=username]", "assess_secretary")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/assess/")
        page.click("text=填写自查")
        page.wait_for_url(f"**/assess/{campaign.pk}/orgs/ABB001/self/")
        total = page.locator("[data-progress-total]")
        todo = page.locator("input[data-points]").count()
        assert total.inner_text() == f"0 / {todo} 已填"
        # one item open (the first with something to fill), the others folded
        item1, item2 = (
            page.locator('details[data-item="1"]'),
            page.locator('details[data-item="2"]'),
        )
        assert item1.get_attribute("open") is not None and item2.get_attribute("open") is None
        # the automatic part is already there, marked done, with its source, and takes no input
        auto = page.locator('[data-criterion="1.2"]')
        assert "书记在岗" in auto.inner_text() and "已自动计算" in auto.inner_text()
        assert auto.locator("input").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        _shot(page, "assess-phone-self-check")
        page.fill("input[name=p_1_4]", "7")
        page.fill("textarea[name=n_1_4]", "班子团结，按规定议事")
        assert item1.locator("[data-progress]").inner_text() == "1 / 1 已填"  # while typing
        assert total.inner_text() == f"1 / {todo} 已填"
        item2.locator("summary").click()
        page.fill("input[name=p_2_2]", "9")  # above the 5 points of 2.2
        page.fill("textarea[name=n_2_3]", "只有说明，没有得分")
        page.click("main form.stack button[type=submit]")
        page.wait_for_load_state()  # the refused sheet comes back as a new page (400)
        summary = page.locator("#error-summary")
        text = summary.inner_text()
        assert "有 2 处需要修改，未保存任何评分" in text
        assert "得分应在 0 到 5 分之间" in text and "请同时填写得分" in text
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert SelfCheckScore.objects.count() == 0  # nothing kept from a sheet with an error
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        _shot(page, "assess-phone-self-check-errors")
        # fold the item, then follow the link: it opens again and the field has the focus
        page.locator('details[data-item="2"] > summary').click()
        assert page.locator('details[data-item="2"]').get_attribute("open") is None
        summary.locator('a[href="#id_p_2_3"]').click()
        assert page.locator('details[data-item="2"]').get_attribute("open") is not None
        assert page.evaluate("document.activeElement.id") == "id_p_2_3"
        page.fill("input[name=p_2_3]", "4")
        page.fill("input[name=p_2_2]", "4.5")
        page.click("main form.stack button[type=submit]")
        page.wait_for_url(f"**/assess/{campaign.pk}/orgs/ABB001/self/")
        text = page.inner_text("main")
        assert "自查已保存" in text
        page.locator('details[data-item="1"] > summary').click()
        assert "自查 7 分：班子团结，按规定议事" in page.inner_text("main")
        assert total.inner_text() == f"3 / {todo} 已填"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        _shot(page, "assess-phone-self-check-saved")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    scores = {s.criterion: float(s.points) for s in SelfCheckScore.objects.all()}
    assert scores == {"1.4": 7.0, "2.2": 4.5, "2.3": 4.0}
    assert AuditEntry.objects.filter(action="assess.self_check.record").count() == 3
