"""On a phone (375 px wide, headless Chromium): every menu target is at least 44 px high, no
table squeezes a column to a character or two (tables scroll inside their wrapper or turn into
cards), and no page is wider than the screen.

The pages are those of a small demo district (the demo seeders at their ``tiny`` size), every
page the 组织部管理员 can open, with real parameters (tests/web/test_every_page_chinese.py), and
the branch secretary's start page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from tests.browser.test_smoke import browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD
from tests.web.test_every_page_chinese import (
    ACTIONS,
    FILL,
    NOT_WALKED,
    POST_EXPORTS,
    _seed,
    data_for,
    route_names,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
MIN_TARGET = 44  # px
MIN_CELL_CHARS = 3  # a cell narrower than this many characters of its font is squeezed
#: routes that send a file, not a page
FILES = {
    "assess:bulletin_file",
    "service:stats_file",
    *POST_EXPORTS,
    "training:export",
    "training:members_export",
    "training:course_export",
    "care:stats_file",
    "care:register_file",
}
FILES |= {"transfer:letter", "transfer:export"}  # the letter PDF, the transfers file
FILES |= {"dues:ledger"}  # the yearly dues ledger (.xlsx, PDF)
FILES |= {"mobile:card"}  # the 流动党员活动证 PDF
# issue 15: the coverage report, the 述职评议 results, a report's file, an inspection's photo
FILES |= {"liangxin:coverage_xlsx", "liangxin:coverage_pdf", "review:results_file"}
FILES |= {"review:results_pdf", "review:file", "inspection:media"}

#: the menu targets: each link, the menu button and the logout button
MENU_HEIGHTS = """() => [...document.querySelectorAll(
    '.site-nav a, label.nav-toggle-label, .site-nav .link-button')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])"""

#: visible table cells narrower than MIN_CELL_CHARS characters of their own font
SQUEEZED = """(chars) => {
  const out = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    if (cell.offsetParent === null) continue;
    const head = cell.closest('thead');
    if (head && getComputedStyle(head).position === 'absolute') continue;  // cards: labels
    const width = cell.getBoundingClientRect().width;
    const size = parseFloat(getComputedStyle(cell).fontSize);
    if (width < chars * size) out.push([cell.textContent.trim().slice(0, 20), Math.round(width)]);
  }
  return out;
}"""


def _urls(user: User) -> list[str]:
    data = data_for(user)
    urls = []
    for name in route_names():
        if name in NOT_WALKED or name in ACTIONS or name in FILES or name == "login":
            continue
        for kwargs in FILL[name](data) if name in FILL else [{}]:
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def _login(page: Any, live_server: Any, username: str) -> None:
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _menu_problems(page: Any, where: str) -> list[str]:
    page.click("label.nav-toggle-label")
    heights = page.evaluate(MENU_HEIGHTS)
    assert len(heights) >= 4, heights  # the links, the menu button and 退出 were measured
    return [f"{where}: 菜单项“{t}”高 {h:.0f}px" for t, h in heights if h < MIN_TARGET]


def test_phone_menu_targets_and_tables(browser: Any, live_server: Any) -> None:  # noqa: F811
    _seed()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    try:
        _login(page, live_server, "zb_shuji")
        assert page.url.rstrip("/") == live_server.url, page.url  # the to-do is the start page
        assert page.locator("h1", has_text="待办").is_visible()
        problems += _menu_problems(page, "支部书记首页")
        problems += [f"支部书记首页: 单元格“{t}”宽 {w}px" for t, w in page.evaluate(SQUEEZED, 3)]

        page.context.clear_cookies()
        _login(page, live_server, "zzb_admin")
        problems += _menu_problems(page, "组织部管理员首页")
        urls = _urls(User.objects.get(username="zzb_admin"))
        assert len(urls) > 40
        tables = 0
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status < 500, url
            if "html" not in (response.headers.get("content-type") or ""):
                continue
            tables += page.locator("table").count()
            for text, width in page.evaluate(SQUEEZED, MIN_CELL_CHARS):
                problems.append(f"{url}: 单元格“{text}”只有 {width}px 宽")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > PHONE["width"] + 1:
                problems.append(f"{url}: 页面宽 {scroll}px，超出屏幕")
        assert tables > 30  # the walk did see tables of every kind
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_care_pages_of_the_branch_secretary(browser: Any, live_server: Any) -> None:  # noqa: F811
    """困难党员帮扶 as the branch secretary sees it (the upper levels get figures only): the
    register, a member's help record with its forms, the visits due, the figures."""
    from dangjian.care.models import Hardship

    _seed()
    secretary = User.objects.get(username="zb_shuji")
    entry = Hardship.objects.filter(org=secretary.org).order_by("pk").first()
    assert entry is not None, "the demo registers members of the secretary's branch"
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    try:
        _login(page, live_server, "zb_shuji")
        for url in ("/bangfu/", "/bangfu/due/", "/bangfu/new/", f"/bangfu/{entry.pk}/"):
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            for text, width in page.evaluate(SQUEEZED, MIN_CELL_CHARS):
                problems.append(f"{url}: 单元格“{text}”只有 {width}px 宽")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > PHONE["width"] + 1:
                problems.append(f"{url}: 页面宽 {scroll}px，超出屏幕")
        assert page.locator("h1", has_text=entry.member.name).is_visible()
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_dues_pages_of_the_branch_secretary(browser: Any, live_server: Any) -> None:  # noqa: F811
    """党费 as the branch secretary keeps it on a phone: 本月党费, 党费核定 (with the base, the
    branch's own), 未交正当理由 and 党费上缴, each with its form."""
    _seed()
    secretary = User.objects.get(username="zb_shuji")
    assert secretary.org is not None
    code = secretary.org.code
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    try:
        _login(page, live_server, "zb_shuji")
        for name in ("dues:month", "dues:bases", "dues:exemptions", "dues:remittances"):
            url = reverse(name, kwargs={"code": code})
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            for text, width in page.evaluate(SQUEEZED, MIN_CELL_CHARS):
                problems.append(f"{url}: 单元格“{text}”只有 {width}px 宽")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > PHONE["width"] + 1:
                problems.append(f"{url}: 页面宽 {scroll}px，超出屏幕")
            if name != "dues:month":
                assert page.locator("form.stack button[type=submit]").is_visible(), url
    finally:
        context.close()
    assert not problems, "\n".join(problems)
