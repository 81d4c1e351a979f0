"""The .xlsx files of training: an organization's figures (no persons), a branch's own members'
hours (for the branch only), a course's participants (names and branches, no ID numbers)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from dangjian.core.spreadsheet import append_row

from .figures import Figures, MemberHours, Tally

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TALLY_COLUMNS = ["党员人数", "达到规定学时", "达标比例", "书记和班子成员", "其中达到规定学时"]


def _book(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        append_row(sheet, columns)
        for row in rows:
            append_row(sheet, row)
        for letter in "ABCDEFGH":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _tally_row(t: Tally) -> list[Any]:
    share = None if t.share is None else round(t.share, 4)
    return [t.label, t.members, t.met, share, t.leaders, t.leaders_met]


def figures_xlsx(f: Figures) -> bytes:
    req = f.requirement
    about = [
        ("组织", f.org.name),
        ("年度", f.year),
        ("统计党员名册日期", f.day.isoformat()),
        ("规定学时", req.text),
        ("依据", "《中国共产党党员教育管理工作条例》（2019）第十一条"),
        ("未登记出席情况的计学时会议", f.unrecorded),
    ]
    return _book(
        [
            ("说明", ["项目", "内容"], about),
            ("合计", ["组织", *TALLY_COLUMNS], [_tally_row(f.total)]),
            ("下级组织", ["下级组织", *TALLY_COLUMNS], [_tally_row(t) for t in f.children]),
            ("党支部", ["党支部", *TALLY_COLUMNS], [_tally_row(t) for t in f.branches]),
            ("领域", ["领域", *TALLY_COLUMNS], [_tally_row(t) for t in f.sectors]),
            ("行政区划", ["行政区划", *TALLY_COLUMNS], [_tally_row(t) for t in f.regions]),
        ]
    )


def member_hours_xlsx(rows: list[MemberHours]) -> bytes:
    return _book(
        [
            (
                "本支部党员学时",
                ["姓名", "组织生活学时", "培训班学时", "合计", "应有学时", "是否达到"],
                [
                    [
                        h.member.name,
                        float(h.meeting_hours),
                        float(h.course_hours),
                        float(h.total),
                        float(h.required),
                        "是" if h.met else "否",
                    ]
                    for h in rows
                ],
            )
        ]
    )


def participants_xlsx(members: Iterable[Any]) -> bytes:
    return _book([("参训党员", ["姓名", "所在党组织"], [[m.name, m.org.name] for m in members])])
