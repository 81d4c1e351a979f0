"""Browser test: one recruitment case walked from application to conversion through the pages on
a phone-sized screen — the branch secretary records the branch's steps, the town committee
decides from its approval queue — and the new member is on the branch roll at the end.

Uses the headless Chromium fixture of the browser smoke test (skipped without Chromium unless
DANGJIAN_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.members.models import Member
from dangjian.recruit.models import RecruitCase
from tests.browser.test_smoke import _shot, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import PASSWORD, make_id_number, make_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def district(transactional_db: Any) -> dict[str, Any]:
    root = make_org(None, org_type="党委", sector="机关", code="RB0001", name="浏览器测试区委")
    town = make_org(root, org_type="党委", sector="农村", code="RBT001", name="东风镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", code="RBB001", name="红星村党支部")
    members = [make_member(branch, name=name) for name in ("张明", "李华", "王芳")]
    make_user(branch, "branch_secretary", username="recruit_secretary")
    make_user(town, "committee_admin", username="recruit_town")
    return {"town": town, "branch": branch, "members": members}


class Walker:
    """One logged-in phone session; every action goes through the pages."""

    def __init__(self, chromium: Any, live_server: Any, username: str) -> None:
        self.url = live_server.url
        self.context = chromium.new_context(viewport=PHONE, locale="zh-CN")
        self.page = self.context.new_page()
        # irreversible actions ask first (data-confirm); this walk says yes, and records what
        # was asked
        self.asked: list[str] = []
        self.page.on("dialog", self._answer)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(f"{self.url}/recruit/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/recruit/**")

    def _answer(self, dialog: Any) -> None:
        self.asked.append(dialog.message)
        dialog.accept()

    def fits(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (self.page.url, width)

    def case(self, pk: int) -> None:
        self.page.goto(f"{self.url}/recruit/cases/{pk}/")

    def step(self, pk: int, number: int, day: str, **fields: Any) -> None:
        """Open the case page, follow the step's link, fill the form, save."""
        self.case(pk)
        self.page.click(f"#step-{number} a.btn")
        self.page.wait_for_url(f"**/recruit/cases/{pk}/steps/{number}/")
        self.page.fill("input[name=done_on]", day)
        for name, value in fields.items():
            if name == "people":
                for member in value:
                    self.page.check(f"input[name=people][value='{member.pk}']")
            elif name in ("review", "decision"):
                self.page.check(f"input[name={name}][value={value}]")
            elif name == "talker_member":
                self.page.select_option("select[name=talker_member]", str(value.pk))
            else:
                self.page.fill(f"[name={name}]", str(value))
        self.fits()
        if number in (9, 15):
            _shot(self.page, f"recruit-phone-step-{number}")
        self.page.click("main form.stack button[type=submit]")
        self.page.wait_for_url(f"**/recruit/cases/{pk}/#step-{number}")
        assert "已记录" in self.page.inner_text(".messages"), self.page.inner_text("main")

    def notice(self, pk: int, kind: str, first: str, last: str) -> None:
        self.case(pk)
        form = self.page.locator("#notices form")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=first_day]").fill(first)
        form.locator("input[name=last_day]").fill(last)
        form.locator("button[type=submit]").click()
        self.page.wait_for_url(f"**/recruit/cases/{pk}/#notices")
        assert "公示" in self.page.inner_text(".messages")

    def review(self, pk: int, day: str) -> None:
        self.case(pk)
        form = self.page.locator("#reviews form")
        form.locator("input[name=reviewed_on]").fill(day)
        form.locator("button[type=submit]").click()
        self.page.wait_for_url(f"**/recruit/cases/{pk}/#reviews")

    def decide(self, case_no: str, step: int, day: str, decision: str = "approved") -> None:
        """From the approval queue, in one step."""
        self.page.goto(f"{self.url}/recruit/queue/")
        item = self.page.locator(f"li[data-case='{case_no}'][data-step='{step}']")
        assert item.count() == 1, self.page.inner_text("main")
        self.fits()
        _shot(self.page, f"recruit-phone-queue-{step}")
        item.locator("input[name=decided_on]").fill(day)
        item.locator("select[name=decision]").select_option(decision)
        item.locator("button[type=submit]").click()
        self.page.wait_for_url("**/recruit/queue/")
        assert "同意" in self.page.inner_text(".messages")
        assert "审批结论记录后不能更改" in self.asked[-1]

    def close(self) -> None:
        assert not [e for e in self.errors if "Content Security Policy" in e], self.errors
        self.context.close()


def test_phone_walks_a_case_from_application_to_conversion(
    browser: Any,  # noqa: F811
    live_server: Any,
    district: dict[str, Any],
) -> None:
    full = district["members"]
    branch = Walker(browser, live_server, "recruit_secretary")
    town = Walker(browser, live_server, "recruit_town")
    try:
        # the application arrives: open the case
        page = branch.page
        page.wait_for_url("**/recruit/orgs/RBB001/")
        page.click("text=登记入党申请（开案）")
        page.wait_for_url("**/recruit/orgs/RBB001/open/")
        page.fill("input[name=name]", "赵新")
        page.fill("input[name=id_number]", make_id_number(dt.date(1998, 4, 2)))
        page.fill("input[name=applied_on]", "2023-01-10")
        page.select_option("select[name=priority_group]", "青年")
        branch.fits()
        page.click("main form.stack button[type=submit]")
        page.wait_for_url("**/recruit/cases/*/")
        case = RecruitCase.objects.get(name="赵新")
        pk, no = case.pk, case.case_no
        assert "党组织派人谈话应于 2023-02-10 前完成" in page.inner_text("main")
        branch.fits()
        _shot(page, "recruit-phone-case-opened")

        # the approving committee: only organizations with authority are offered
        branch.case(pk)
        options = page.locator("#approver select[name=approver] option").all_inner_texts()
        assert "东风镇党委" in options
        page.select_option("#approver select[name=approver]", str(district["town"].pk))
        page.click("#approver button[type=submit]")
        page.wait_for_url(f"**/recruit/cases/{pk}/")

        # applicant → activist
        branch.step(pk, 2, "2023-01-28", talker_member=full[0])
        branch.notice(pk, "activist", "2023-07-03", "2023-07-07")
        branch.step(pk, 3, "2023-07-15")
        town.step(pk, 4, "2023-07-20")
        branch.step(pk, 5, "2023-07-20", people=full[:2])
        branch.review(pk, "2024-01-10")
        branch.review(pk, "2024-07-08")
        branch.step(pk, 6, "2023-07-21")
        branch.case(pk)
        assert "可于 2024-07-15 起确定为发展对象" in page.inner_text("main")

        # activist → development candidate → admission
        branch.notice(pk, "candidate", "2024-07-08", "2024-07-12")
        branch.step(pk, 7, "2024-07-16")
        town.step(pk, 8, "2024-07-18")
        branch.step(pk, 9, "2024-07-19", people=full[1:3])
        branch.step(pk, 10, "2024-07-22", review="pass", review_body="东风镇党委组织办")
        branch.step(pk, 11, "2024-07-26", hours=24)
        branch.step(pk, 12, "2024-07-29")
        town.decide(no, 13, "2024-08-01")
        branch.step(pk, 14, "2024-08-05")
        # the notice of admission ends before the branch vote (rules.md §3, the default)
        branch.notice(pk, "admission", "2024-08-12", "2024-08-16")
        branch.step(pk, 15, "2024-08-20", entitled=3, present=3, yes=3)
        # the signed minutes of the vote go with the record (全程记实)
        branch.case(pk)
        page.select_option("#attachments select[name=step]", "15")
        page.set_input_files(
            "#attachments input[type=file]",
            files=[
                {
                    "name": "支部大会记录.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4 minutes %%EOF",
                }
            ],
        )
        page.click("#attachments button[type=submit]")
        page.wait_for_url(f"**/recruit/cases/{pk}/#attachments")
        assert "支部大会记录.pdf" in page.inner_text("#attachments")
        branch.fits()
        town.step(pk, 16, "2024-09-02", talker="东风镇党委组织委员")
        town.decide(no, 17, "2024-09-20")
        member = Member.objects.get(name="赵新")
        assert member.member_type == "预备党员" and str(member.joined_on) == "2024-08-20"

        # probation → conversion
        town.step(pk, 18, "2024-09-25")
        for number, day in ((19, "2024-09-26"), (20, "2024-09-30"), (21, "2024-10-01")):
            branch.step(pk, number, day)
        branch.step(pk, 22, "2025-07-20")
        branch.notice(pk, "conversion", "2025-08-11", "2025-08-15")
        branch.step(pk, 23, "2025-08-25", entitled=3, present=3, yes=3)
        town.decide(no, 24, "2025-09-10")
        branch.step(pk, 25, "2025-09-12")

        branch.case(pk)
        text = page.inner_text("main")
        assert "正式党员（转正日期 2025-08-20）" in text
        assert page.locator("#h-findings ~ ul.findings li[data-severity=error]").count() == 0
        branch.fits()
        _shot(page, "recruit-phone-case-converted")

        # the member is on the roll, as a full member
        page.goto(f"{live_server.url}/orgs/RBB001/")
        row = page.locator("#h-members ~ .table-wrap tr", has_text="赵新")
        assert row.count() == 1
        assert "正式党员" in row.inner_text()
        branch.fits()

        # the committee's dashboard draws its charts under the CSP
        town.page.goto(f"{live_server.url}/recruit/dashboard/?year=2024")
        town.page.locator(".recruit-chart canvas").first.wait_for(state="attached", timeout=10000)
        assert "本年接收预备党员" in town.page.inner_text("main")
        town.fits()
        _shot(town.page, "recruit-phone-dashboard")
    finally:
        branch.close()
        town.close()
    member = Member.objects.get(name="赵新")
    assert member.member_type == "正式党员"
    assert str(member.confirmed_on) == "2025-08-20" and member.org == district["branch"]
    assert RecruitCase.objects.get(pk=pk).status == "converted"


def test_approval_in_the_queue_asks_first_and_nothing_changes_when_dismissed(
    browser: Any,  # noqa: F811
    live_server: Any,
    district: dict[str, Any],
) -> None:
    """Issue 9: an irreversible action asks first. Dismissing the dialog leaves the case as it
    was; accepting records the approval and puts the applicant on the roll."""
    from dangjian.recruit.models import RecruitStep
    from tests.recruit.helpers import D, open_case, step, vote

    case = open_case(district["branch"], D(2025, 1, 6), name="钱进")
    step(case, 15, D(2026, 9, 8), vote=vote(entitled=3, present=3, yes=3))
    town = Walker(browser, live_server, "recruit_town")
    answers = iter([False, True])
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    try:
        page = town.page
        page.remove_listener("dialog", town._answer)
        page.on("dialog", answer)
        page.goto(f"{live_server.url}/recruit/queue/")
        item = page.locator(f"li[data-case='{case.case_no}'][data-step='17']")
        item.locator("input[name=decided_on]").fill("2026-10-10")
        item.locator("select[name=decision]").select_option("approved")
        page.evaluate("window.notReloaded = true")  # gone if the form were submitted
        item.locator("button[type=submit]").click()
        page.wait_for_timeout(800)
        assert asked and "钱进" in asked[0] and "不能更改" in asked[0]
        assert page.evaluate("window.notReloaded === true")
        assert not RecruitStep.objects.filter(case=case, number=17).exists()
        case.refresh_from_db()
        assert case.status == "open" and not Member.objects.filter(name="钱进").exists()

        item.locator("button[type=submit]").click()
        page.wait_for_url("**/recruit/queue/")
        page.locator(".messages").wait_for()
        assert len(asked) == 2 and "同意" in page.inner_text(".messages")
        case.refresh_from_db()
        assert case.status == "admitted"
        assert Member.objects.get(name="钱进").joined_on == dt.date(2026, 9, 8)
    finally:
        town.close()
