"""Assessment and rectification pages show Chinese only (issue 9): no evidence keys, no veto ids,
no True/False, no "local practice" or "art. 11"; a rule id only as a tag beside its Chinese title.

Walks the pages of a scored campaign with a veto event and plans (one stored before issue 9 with
a list of rule ids as its "rule"), as the district and as the branch secretary, and fails on any
ASCII word in the visible text of ``<main>`` outside the allow-list: rule ids (SETUP-TERM-EXPIRED),
codes (BA001, 6A.1), numbers and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.services import campaign_score, veto_record
from dangjian.orgs.models import Organization
from dangjian.rectify.models import RectificationPlan
from dangjian.rectify.services import plan_create
from tests.factories import make_user
from tests.life.helpers import meet
from tests.rectify.helpers import task_input

_TOKEN = re.compile(r"(?<![A-Za-z0-9_.*-])[A-Za-z0-9_.*-]*[A-Za-z][A-Za-z0-9_.*-]*")
_RULE_ID = re.compile(r"^[A-Z]+(?:-[A-Z0-9*]+)+$")
_CODE = re.compile(r"^[0-9A-Z.]+$")
_ALLOWED = {"Excel", "PDF"}
_VISIBLE_ATTRS = ("placeholder", "title", "aria-label", "value")


class _Main(HTMLParser):
    """The visible text (and visible attributes) inside ``<main>``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth and not self.skip:
            kind = dict(attrs).get("type") or ""
            for name, value in attrs:
                if name in _VISIBLE_ATTRS and value and kind not in ("hidden",):
                    if name == "value" and tag != "button" and kind not in ("submit", "button"):
                        continue
                    self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    parser = _Main()
    parser.feed(html)
    bad = []
    for token in _TOKEN.findall(" ".join(parser.parts)):
        token = token.strip(".-")
        if not token or token in _ALLOWED or _RULE_ID.match(token) or _CODE.match(token):
            continue
        bad.append(token)
    return bad


def test_the_checker_catches_what_it_should():
    html = "<main><p>full_members：2 True local practice 支部条例 art. 11</p></main>"
    assert english_words(html) == ["full_members", "True", "local", "practice", "art"]
    ok = "<main><p>书记空缺 SETUP-SECRETARY-VACANT BA001 6A.1 2026-11-23 95% 导出 Excel</p></main>"
    assert english_words(ok) == []


@pytest.mark.django_db
def test_assessment_and_rectification_pages_are_in_chinese(tree, campaign, login):
    branch = tree["branch_a"]
    Organization.objects.filter(pk=branch.pk).update(
        term_started_on=dt.date(2021, 3, 1), secretary_vacant_since=dt.date(2026, 2, 1)
    )
    meet(branch, "支部党员大会", dt.date(2026, 3, 10), expected=4, present=3)
    veto_record(
        actor=SYSTEM,
        org=branch,
        occurred_on=dt.date(2026, 6, 3),
        line="disciplined",
        note="一名党员受到党内警告处分",
    )
    campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2026, 11, 20))
    plan_create(
        actor=SYSTEM,
        org=branch,
        reason="weak",
        conditions=[
            {
                "condition": "secretary_vacant",
                "rule": "SETUP-SECRETARY-VACANT",
                "message": "书记自 2026-02-01 起空缺",
                "evidence": {
                    "vacant_since": "2026-02-01",
                    "vacant_days": 295,
                    "weak_and_lax": True,
                },
            },
            {
                "condition": "life_not_held",
                "rule": "LIFE-ASSEMBLY-QUARTERLY,LIFE-THEME-DAY-MONTHLY",  # stored before issue 9
                "message": "2025年以来有 14 个周期未按要求开展组织生活",
                "evidence": {"missed": {"LIFE-THEME-DAY-MONTHLY": ["2026-01", "2026-02"]}},
            },
        ],
        summary="书记长期空缺，组织生活不正常",
        tasks=[task_input(30)],
    )
    plan = RectificationPlan.objects.get()
    pk = campaign.pk
    pages = {
        "admin": [
            "/assess/",
            f"/assess/{pk}/",
            f"/assess/{pk}/results/",
            f"/assess/{pk}/results/BA001/",
            f"/assess/{pk}/results/BB001/",
            f"/assess/{pk}/bulletin/",
            f"/assess/{pk}/bulletin/?ranking=1",
            "/assess/veto/",
            "/rectify/",
            f"/rectify/plans/{plan.pk}/",
            "/rectify/overdue/",
            f"/rectify/weak/?campaign={pk}",
            "/rectify/orgs/BB001/new/",
        ],
        "secretary_a": [f"/assess/{pk}/orgs/BA001/self/", f"/rectify/plans/{plan.pk}/"],
    }
    inspector = make_user(tree["root"], "inspector", username="inspector_root")
    found = {}
    for who, urls in pages.items():
        client = login(tree[who])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            words = english_words(response.content.decode())
            if words:
                found[url] = sorted(set(words))
    response = login(inspector).get(f"/assess/{pk}/orgs/BA001/spot/")
    assert response.status_code == 200
    words = english_words(response.content.decode())
    if words:
        found["spot"] = sorted(set(words))
    assert found == {}
    # the evidence of the plan's conditions is there, in Chinese
    html = login(tree["admin"]).get(f"/rectify/plans/{plan.pk}/").content.decode()
    assert "空缺天数：295" in html and "列为软弱涣散：是" in html
    assert "未完成：每月开展 1 次主题党日：2026年1月、2026年2月" in html
