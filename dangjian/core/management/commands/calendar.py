"""``dangjian calendar validate FILE…`` | ``dangjian calendar list [--year 2027]``.

``validate`` checks calendar files (format in :mod:`dangjian.core.workdays`) and prints what each
holds and every warning; on any error it prints every problem in Chinese on stderr, each naming
its place, and exits with status 1. ``list`` shows the years the working-day calendar knows and
where each comes from (built-in library, calendar files, files not used because of errors — then
status 1); with ``--year`` it shows that year's holidays and 调休 working days.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core import workdays
from dangjian.core.workdays import Arrangement, Checked


def _day(day: dt.date) -> str:
    return f"{day.isoformat()}（星期{workdays.WEEKDAYS[day.weekday()]}）"


def _summary(arr: Arrangement) -> str:
    periods = arr.periods()
    return (
        f"放假 {len(periods)} 段共 {len(arr.holidays)} 天，调休上班 {len(arr.workdays)} 天，"
        f"净放假 {arr.net_days_off()} 个工作日"
    )


class Command(BaseCommand):
    help = "工作日日历：calendar validate FILE.yaml（检查日历文件）| list [--year YYYY]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["validate", "list"])
        parser.add_argument("files", nargs="*", help="日历文件（validate，可多个）")
        parser.add_argument("--year", type=int, default=None, help="list：显示该年的放假安排")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            self._validate(options["files"])
        elif options["year"] is not None:
            self._year(options["year"])
        else:
            self._list()

    def _validate(self, files: list[str]) -> None:
        if not files:
            raise CommandError("请指定日历文件：dangjian calendar validate FILE.yaml", returncode=1)
        failed: list[Checked] = []
        in_force = workdays.current().files
        for name in files:
            checked = workdays.check_file(name)
            arr = checked.arrangement
            if arr is None:
                failed.append(checked)
                continue
            self.stdout.write(
                f"日历文件有效：{name}：{arr.year} 年，依据 {arr.source}；{_summary(arr)}"
            )
            other = in_force.get(arr.year)
            if other is not None and Path(other.path).resolve() != Path(name).resolve():
                checked.warnings.append(f"当前已采用 {arr.year} 年的另一个日历文件 {other.path}")
            for warning in checked.warnings:
                self.stdout.write(f"  提示：{warning}")
        if failed:
            parts = []
            for checked in failed:
                lines = "\n".join(f"  - {e}" for e in checked.errors)
                parts.append(f"日历文件 {checked.path} 有 {len(checked.errors)} 处错误：\n{lines}")
            raise CommandError("\n".join(parts), returncode=1)

    def _list(self) -> None:
        cal = workdays.current()
        library = sorted(cal.library_years - set(cal.files))
        self.stdout.write(
            f"内置日历（chinese-calendar {workdays.chinese_calendar.__version__}）："
            f"{workdays.describe_years(library)} 年"
        )
        for year in sorted(cal.files):
            arr = cal.files[year]
            replaces = "，取代内置安排" if year in cal.library_years else ""
            self.stdout.write(
                f"{year} 年：日历文件 {arr.path}，依据 {arr.source}；{_summary(arr)}{replaces}"
            )
        self.stdout.write(
            f"已知年份：{workdays.describe_years(cal.known_years())} 年；"
            "其他年份的日子无法计算工作日，相关规则显示为“未检查”。"
        )
        self.stdout.write("日历文件目录：" + "；".join(str(p) for p in workdays.calendar_dirs()))
        problems = [f"{c.path}：{'；'.join(c.errors)}" for c in cal.broken] + cal.conflicts
        if problems:
            lines = "\n".join(f"  - {p}" for p in problems)
            raise CommandError(f"{len(problems)} 处日历文件有误，未被采用：\n{lines}", returncode=1)

    def _year(self, year: int) -> None:
        cal = workdays.current()
        arr = cal.arrangement(year)
        if arr is None:
            raise CommandError(
                f"{year} 年的放假调休安排未知（已知 {workdays.describe_years(cal.known_years())} "
                "年）；按国务院办公厅的放假通知写一个日历文件，"
                "放入 DANGJIAN_CALENDAR_DIRS 所指目录",
                returncode=1,
            )
        source = f"，依据 {arr.source}" if arr.source else ""
        self.stdout.write(f"{year} 年：{arr.origin}{source}")
        for name, first, last in arr.periods():
            days = (last - first).days + 1
            span = _day(first) if first == last else f"{_day(first)} 至 {_day(last)}"
            self.stdout.write(f"  放假  {name}：{span}，共 {days} 天")
        for day in sorted(arr.workdays):
            because = f"（{arr.workdays[day]}）" if arr.workdays[day] else ""
            self.stdout.write(f"  调休上班  {_day(day)}{because}")
        self.stdout.write(f"  {_summary(arr)}")
