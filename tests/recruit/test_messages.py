"""Recruitment pages speak Chinese (issue 9): a rule id only as a small tag beside its Chinese
title, sources as the regulation's name and article, evidence as Chinese lines, not-checked
rules with their reason — no English words or internal keys in the visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from dangjian.core.labels import evidence_lines, source_label
from tests.recruit.helpers import D, open_case, step, walk_to_admission


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


#: what may be ASCII in visible text: rule ids, case numbers, dates, sizes, formats
ALLOWED = re.compile(r"RECRUIT-[A-Z0-9-]+|R\d{4}-\d+|\d[\d\-:. ]*|docx|PDF|pdf|KB|MB|B")


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_.-]+", ALLOWED.sub(" ", text))}


def test_sources_and_evidence_in_chinese():
    assert source_label("细则 art. 32") == "《中国共产党发展党员工作细则》第三十二条"
    assert source_label("细则 art. 20–22") == "《中国共产党发展党员工作细则》第二十条至第二十二条"
    assert (
        source_label("党章 art. 5; 细则")
        == "《中国共产党章程》第五条；《中国共产党发展党员工作细则》"
    )
    assert source_label("local practice") == "地方惯例"
    assert source_label("细则 (step 5)") == "《中国共产党发展党员工作细则》（第五步）"
    lines = evidence_lines(
        {
            "step_15": "2024-08-20",
            "deadline": "2024-11-20",
            "notice": "admission",
            "approver_under_town": True,
            "introducers": ["full", "probation_watch"],
            "contact_statuses": ["not_member"],
            "political_review": "fail",
        }
    )
    assert lines == [
        "第 15 步（支部大会讨论）日期：2024-08-20",
        "期限：2024-11-20",
        "公示事项：接收预备党员",
        "隶属于乡镇（街道）党委：是",
        "入党介绍人：正式党员、留党察看或停止党籍",
        "培养联系人：当时不是党员",
        "政治审查：不合格",
    ]


@pytest.mark.django_db
def test_case_page_and_dashboard_show_no_english_or_keys(tree):
    full = tree["members_a"]
    case = walk_to_admission(tree["branch_a"], full, approver=tree["town_a"])
    step(case, 12, D(2024, 7, 20))  # before 政审 and 培训: an ORDER finding
    step(case, 9, D(2024, 7, 19), introducers=full[:1])  # one introducer only
    bare = open_case(tree["branch_a"], D(2026, 9, 1), name="冯雪")  # talk overdue
    client = Client()
    client.force_login(tree["admin_a"])
    pages = (
        f"/recruit/cases/{case.pk}/",
        f"/recruit/cases/{bare.pk}/",
        f"/recruit/cases/{case.pk}/steps/15/",
        f"/recruit/cases/{case.pk}/edit/",
        "/recruit/dashboard/?year=2024",
        "/recruit/queue/",
        "/recruit/plans/",
        "/recruit/orgs/BA001/",
        "/recruit/orgs/BA001/open/",
    )
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        text = visible(html).replace("admin_a", "")  # the account name in the header
        assert english_words(text) == set(), (url, english_words(text))
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    text = visible(html)
    assert "发展步骤顺序 RECRUIT-ORDER" in text
    assert "依据：《中国共产党发展党员工作细则》" in text
    assert "第 12 步（支部委员会审查）日期：2024-07-20" in text  # evidence as Chinese lines
    board = visible(client.get("/recruit/dashboard/?year=2024").content.decode())
    assert "两名正式党员作入党介绍人" in board
