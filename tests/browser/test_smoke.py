"""Browser smoke test: headless Chromium (Debian's) against a live server, desk and phone sizes.

Logs in, opens the tree, expands a node (children loaded by htmx), opens an organization and
sees a setup finding (a branch with two full members breaks SETUP-BRANCH-MIN-FULL).
Skipped when Chromium is missing, unless DANGJIAN_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD, make_member, make_org, make_user

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1"
SHOTS = os.environ.get("DANGJIAN_SCREENSHOTS", "")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not _chromium_available():
        if REQUIRED:
            pytest.fail(f"Chromium not found at {CHROMIUM} and DANGJIAN_REQUIRE_BROWSER=1")
        pytest.skip("Chromium is not installed")
    # the test's ORM calls run in this thread while Playwright's event loop runs in it too
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
            try:
                yield b
            finally:
                b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def district(transactional_db: Any) -> dict[str, Any]:
    root = make_org(None, org_type="党委", sector="机关", code="DB0001", name="浏览器测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="DBT001", name="东风镇党委")
    small = make_org(town, org_type="党支部", sector="农村", code="DBB001", name="红星村党支部")
    make_org(town, org_type="党支部", sector="农村", code="DBB002", name="向阳村党支部")
    for _ in range(2):
        make_member(small)
    user = make_user(root, "org_admin", username="browser_admin")
    return {"root": root, "town": town, "small": small, "user": user}


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _walk(browser: Any, live_server: Any, viewport: dict[str, int], tag: str) -> None:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.fill("input[name=username]", "browser_admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/tree/")
        _shot(page, f"{tag}-tree")

        # the first level is open; the town's branches load when the node is opened
        town = page.locator("li.node-item[data-code=DBT001]")
        assert town.locator("summary").first.is_visible()
        assert page.locator("li.node-item[data-code=DBB001]").count() == 0
        town.locator("summary .toggle").first.click()
        branch = page.locator("li.node-item[data-code=DBB001]")
        branch.wait_for(state="visible")
        assert "正式 2" in branch.inner_text()
        _shot(page, f"{tag}-tree-open")

        branch.locator("a.name").click()
        page.wait_for_url("**/orgs/DBB001/")
        findings = page.locator("#h-findings").locator("xpath=..")
        assert "SETUP-BRANCH-MIN-FULL" in findings.inner_text()
        _shot(page, f"{tag}-org")
        if viewport["width"] < 500:
            # nothing may be wider than the phone screen (tables scroll or turn into cards)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, width
            # the navigation is collapsed behind the menu button
            assert not page.locator(".site-nav").is_visible()
            page.click("label.nav-toggle-label")
            assert page.locator(".site-nav a", has_text="问题").is_visible()
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_desk(browser: Any, live_server: Any, district: dict[str, Any]) -> None:
    _walk(browser, live_server, {"width": 1280, "height": 900}, "desk")


def test_phone(browser: Any, live_server: Any, district: dict[str, Any]) -> None:
    _walk(browser, live_server, {"width": 375, "height": 812}, "phone")
