"""What the management commands share: a table lined up in a terminal (a Chinese character
takes two columns) and a date given as an option."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.management.base import CommandError

from .dates import parse_date


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a table: the header, a rule of dashes, one line a row, columns lined up."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def date_option(options: Mapping[str, Any], name: str, *, returncode: int = 1) -> dt.date | None:
    """The date of the option ``--name`` (None when not given); a wrong one stops the command."""
    if not options[name]:
        return None
    try:
        return parse_date(options[name])
    except ValueError as exc:
        raise CommandError(f"--{name}：{exc}", returncode=returncode) from None
