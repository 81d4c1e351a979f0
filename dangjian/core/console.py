"""What the management commands share: their date and format options, and plain-text tables
that line up with Chinese text (a wide character takes two columns of a terminal).

A bad option is a :class:`CommandError` with a Chinese message (exit status 2 unless the command
says otherwise).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .dates import parse_date

#: the output formats of the commands that print findings
FORMATS = ("json", "table")


def text_width(text: str) -> int:
    """The columns ``text`` takes in a terminal (a wide or full-width character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - text_width(text))


def table_lines(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    """``rows`` under ``header`` in aligned columns, a rule of dashes below the header."""
    widths = [max([text_width(h)] + [text_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def format_option(options: Mapping[str, Any]) -> str:
    """The ``--format`` option: ``json`` or ``table``."""
    fmt = str(options["format"]).strip().lower()
    if fmt not in FORMATS:
        raise CommandError(f"未知输出格式“{options['format']}”，应为 json 或 table", returncode=2)
    return fmt


def date_option(options: Mapping[str, Any], name: str, *, returncode: int = 2) -> dt.date | None:
    """The date of the option ``--name`` (YYYY-MM-DD), ``None`` when it is not given."""
    if not options[name]:
        return None
    try:
        return parse_date(options[name])
    except ValueError as exc:
        raise CommandError(f"--{name}：{exc}", returncode=returncode) from None


class RemindCommand(BaseCommand):
    """``dangjian <app> remind [--at 日期] [--enqueue]``: an app's daily reminders, run in this
    process (``report = run(at)``: ``at``, ``overdue``, ``due_soon``, ``messages``, ``failed``)
    or handed to the ``db_worker`` (``task().enqueue(at or None)``). A subclass names what falls
    due (``due``, e.g. "回访") and gives ``run`` and ``task``."""

    due = ""

    def run(self, at: dt.date | None) -> Any:
        raise NotImplementedError

    def task(self) -> Any:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["remind"], help=f"remind：逾期和即将到期的{self.due}提醒"
        )
        parser.add_argument("--at", default=None, help="按该日期运行（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--enqueue", action="store_true", help="交给后台任务进程（db_worker）运行"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options["at"]:
            try:
                at = dt.date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    f"日期“{options['at']}”无效，应为 YYYY-MM-DD", returncode=2
                ) from None
        if options["enqueue"]:
            result = self.task().enqueue(at.isoformat() if at else None)
            self.stdout.write(f"已提交后台任务 {result.id}")
            return
        report = self.run(at)
        self.stdout.write(
            f"{report.at:%Y-%m-%d}：逾期{self.due} {report.overdue} 项，"
            f"即将到期 {report.due_soon} 项，发出提醒 {report.messages} 条"
        )
        if report.failed:
            self.stderr.write("处理失败：" + "；".join(report.failed))
            raise CommandError("部分提醒处理失败，详见日志", returncode=1)
