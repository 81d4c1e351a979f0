"""The official China working-day calendar (法定工作日 with 调休), kept as data.

A day is a working day when it is Monday to Friday and not a public holiday, or when it is a
weekend day the State Council's notice turns into a working day (调休上班). Every year's
arrangement comes from the State Council General Office's notice (国务院办公厅关于 20XX 年部分
节假日安排的通知), usually published in November for the next year. Where a year comes from, the
first that knows it wins:

1. a **calendar file** for that year: the project's own folder ``dangjian/core/calendars/``
   (shipped in the package), then the folders named by the ``DANGJIAN_CALENDAR_DIRS`` setting
   (environment, separated like ``PATH``; a later folder wins for the same year). A file replaces
   the built-in arrangement of its year entirely;
2. the ``chinese-calendar`` package, the built-in default (1.11 knows 2004–2026);
3. otherwise the year is unknown and :func:`is_workday` raises :class:`CalendarRangeError` with
   a Chinese message. Nothing guesses: rules that count working days (RECRUIT-PUBLICITY-5-WORKDAYS)
   report such a day as *not checked*, with that message as the reason.

Files are read once per process (restart the web server after adding one); check one with
``dangjian calendar validate FILE`` and see what is in force with ``dangjian calendar list
[--year 2027]``.

Format (YAML; the same keys in a JSON file ``*.json``). The example is the 2026 notice::

    year: 2026
    source:                                  # the notice the file copies
      title: 国务院办公厅关于2026年部分节假日安排的通知
      number: 国办发明电〔2025〕7号
      published: 2025-11-04                  # optional
      url: https://www.gov.cn/…              # optional
    holidays:                                # 放假：each period with its days, weekends included
      - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
      - {name: 春节, from: 2026-02-15, to: 2026-02-23}
      - {name: 清明节, from: 2026-04-04, to: 2026-04-06}
      - {name: 劳动节, from: 2026-05-01, to: 2026-05-05}
      - {name: 端午节, from: 2026-06-19, to: 2026-06-21}
      - {name: 中秋节, from: 2026-09-25, to: 2026-09-27}
      - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}
      # single days may be listed instead of (or besides) a range: {name: …, dates: [2027-…]}
    workdays:                                # 调休上班：weekend days that are working days
      - {date: 2026-01-04, name: 元旦}       # name: the holiday it makes up for (optional)
      - {date: 2026-02-14, name: 春节}
      - {date: 2026-02-28, name: 春节}
      - {date: 2026-05-09, name: 劳动节}
      - {date: 2026-09-20, name: 国庆节}
      - {date: 2026-10-10, name: 国庆节}

Dates are ``YYYY-MM-DD``. Every day belongs to the file's year, except that a notice may reach
into the December before it (the 元旦 of 2023 began on 2022-12-31; 2011-12-31 was worked for
the 元旦 of 2012). The validator reports every problem at once, each with its place, in Chinese:
unknown or missing keys, impossible dates, a range that ends before it starts, a day outside the
year, a day in two holidays or listed twice, a day both a holiday and a working day, a 调休 working
day that is not a Saturday or Sunday. It also warns (without refusing the file) when the file
replaces a year the built-in calendar knows — listing the days on which the two differ — and when
the days off do not add up to the 13 days of public holidays of the 全国年节及纪念日放假办法
(in force since 2025).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

__all__ = [
    "DEFAULT_DIR",
    "Arrangement",
    "Calendar",
    "CalendarFileError",
    "CalendarRangeError",
    "Checked",
    "Source",
    "calendar_dirs",
    "check_file",
    "current",
    "describe_years",
    "is_workday",
    "load_file",
    "parse_calendar",
    "reset",
    "workdays_between",
]

#: the project's own calendar files, shipped in the package
DEFAULT_DIR = Path(__file__).resolve().parent / "calendars"
SUFFIXES = (".yaml", ".yml", ".json")
#: days off (Monday to Friday) minus 调休 working days that a year's notice gives, from the year
#: the 全国年节及纪念日放假办法 (2024 revision) took effect: 元旦 1, 春节 4, 清明 1, 劳动节 2,
#: 端午 1, 中秋 1, 国庆 3
STATUTORY_DAYS = (2025, 13)
WEEKDAYS = "一二三四五六日"

#: the library's holiday names, in Chinese
LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利 70 周年纪念日",
}

_TOP_KEYS = {"year", "source", "holidays", "workdays"}
_SOURCE_KEYS = {"title", "number", "published", "url"}
_HOLIDAY_KEYS = {"name", "from", "to", "dates"}
_WORKDAY_KEYS = {"date", "name"}
_NAME_MAX = 40
_SPAN_MAX = 31  # days in one holiday period; the longest real ones are 8–9


class CalendarRangeError(ValueError):
    """A date whose year's official holiday arrangement is not known (message in Chinese)."""


class CalendarFileError(ValueError):
    """A calendar file that cannot be used; ``errors`` lists every problem (Chinese)."""

    def __init__(self, errors: list[str], *, path: str = "") -> None:
        self.errors = errors
        self.path = path
        head = f"{path}：" if path else ""
        super().__init__(head + "；".join(errors))


@dataclass(frozen=True)
class Source:
    """The notice a calendar file copies: its title and document number (文号)."""

    title: str
    number: str
    published: dt.date | None = None
    url: str = ""

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


@dataclass(frozen=True)
class Arrangement:
    """One year's days off (``holidays``: day → holiday name) and 调休 working days
    (``workdays``: weekend day → the holiday it makes up for), from a file or the library."""

    year: int
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]
    source: Source | None = None  # None: the built-in library
    path: str = ""

    @property
    def origin(self) -> str:
        if self.path:
            return f"日历文件 {self.path}"
        return f"内置日历（chinese-calendar {chinese_calendar.__version__}）"

    def periods(self) -> list[tuple[str, dt.date, dt.date]]:
        """Holidays as (name, first day, last day), consecutive days of one name together."""
        out: list[tuple[str, dt.date, dt.date]] = []
        for day in sorted(self.holidays):
            name = self.holidays[day]
            if out and out[-1][0] == name and out[-1][2] + dt.timedelta(days=1) == day:
                out[-1] = (name, out[-1][1], day)
            else:
                out.append((name, day, day))
        return out

    def net_days_off(self) -> int:
        """Days off from Monday to Friday minus 调休 working days (the holidays' net length)."""
        weekdays_off = sum(1 for d in self.holidays if d.weekday() < 5 and d.year == self.year)
        return weekdays_off - sum(1 for d in self.workdays if d.year == self.year)


@dataclass
class Checked:
    """What the validator found in one file: the arrangement (``None`` on errors), the errors
    that refuse it and the warnings that do not."""

    arrangement: Arrangement | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    path: str = ""


# ---------------------------------------------------------------- the built-in library


def _library_years() -> frozenset[int]:
    return frozenset(day.year for day in chinese_calendar.holidays)


def library_arrangement(year: int) -> Arrangement | None:
    """The built-in arrangement of ``year`` (days dated in that year), or ``None``."""
    if year not in _library_years():
        return None
    holidays = {
        d: LIBRARY_NAMES.get(str(n), str(n))
        for d, n in chinese_calendar.holidays.items()
        if d.year == year
    }
    workdays = {
        d: LIBRARY_NAMES.get(str(n), str(n))
        for d, n in chinese_calendar.workdays.items()
        if d.year == year
    }
    return Arrangement(year, holidays, workdays)


# ---------------------------------------------------------------- files: parse and validate


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates arrive as text and are checked one by one
    (an impossible date then names its place instead of failing the whole file)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _weekday(day: dt.date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


class _Check:
    def __init__(self, year: int | None) -> None:
        self.errors: list[str] = []
        self.year = year

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}：{message}" if where else message)

    def keys(self, raw: Any, where: str, allowed: set[str], required: set[str]) -> dict | None:
        if not isinstance(raw, dict):
            self.error(where, "应为键值对（如 title: …）")
            return None
        unknown = sorted(str(k) for k in raw if k not in allowed)
        if unknown:
            known = "、".join(sorted(allowed))
            self.error(where, f"未知的键 {'、'.join(unknown)}（可用：{known}）")
        for key in sorted(required - set(raw)):
            self.error(where, f"缺少 {key}")
        return raw

    def text(self, raw: Any, where: str, *, required: bool = True, limit: int = 200) -> str:
        if raw is None or raw == "":
            if required:
                self.error(where, "不能为空")
            return ""
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            self.error(where, "应为文字")
            return ""
        value = str(raw).strip()
        if len(value) > limit:
            self.error(where, f"不能超过 {limit} 个字")
        return value

    def date(self, raw: Any, where: str) -> dt.date | None:
        if isinstance(raw, dt.datetime) or not isinstance(raw, str | dt.date):
            self.error(where, f"“{raw}”不是日期，应写成 YYYY-MM-DD")
            return None
        if isinstance(raw, dt.date):
            day = raw
        else:
            match = _DATE_RE.match(raw.strip())
            if not match:
                self.error(where, f"“{raw}”不是日期，应写成 YYYY-MM-DD")
                return None
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                self.error(where, f"日期 {raw.strip()} 不存在")
                return None
        if self.year is not None and not _in_window(day, self.year):
            self.error(
                where,
                f"{day.isoformat()} 不在 {self.year} 年内（放假通知只可能延伸到上一年 12 月）",
            )
            return None
        return day


def _in_window(day: dt.date, year: int) -> bool:
    return day.year == year or (day.year == year - 1 and day.month == 12)


def _read(text: str, path: str, as_json: bool) -> tuple[Any, list[str]]:
    try:
        if as_json:
            return json.loads(text), []
        return yaml.load(text, Loader=_Loader), []  # noqa: S506 - a SafeLoader subclass
    except json.JSONDecodeError as exc:
        return None, [f"JSON 语法错误：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else ""
        return None, [f"YAML 语法错误{where}：{problem}"]


def parse_calendar(text: str, *, path: str = "", as_json: bool = False) -> Checked:
    """Parse and validate a calendar file's text; every problem is reported, none raised."""
    raw, errors = _read(text, path, as_json)
    if errors:
        return Checked(None, errors, path=path)
    if raw is None:
        return Checked(None, ["文件为空"], path=path)
    ck = _Check(None)
    data = ck.keys(raw, "", _TOP_KEYS, {"year", "source", "holidays"})
    if data is None:
        return Checked(None, ck.errors, path=path)

    year = data.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 < year < 2200:
        if "year" in data:
            ck.error("year", f"“{data.get('year')}”不是年份，应写成如 2027")
        year = None
    ck.year = year

    source = _source(ck, data.get("source"))
    holidays = _holidays(ck, data.get("holidays"))
    workdays = _workdays(ck, data.get("workdays"))

    for day in sorted(set(holidays) & set(workdays)):
        ck.error(
            "",
            f"{day.isoformat()} 既列为放假（{holidays[day]}）又列为调休上班，只能是其中之一",
        )
    if year is not None and holidays and not any(d.year == year for d in holidays):
        ck.error("holidays", f"没有一天在 {year} 年内")
    if ck.errors or year is None or source is None:
        return Checked(None, ck.errors, path=path)
    arrangement = Arrangement(year, holidays, workdays, source, path)
    return Checked(arrangement, [], _warnings(arrangement), path=path)


def _source(ck: _Check, raw: Any) -> Source | None:
    data = ck.keys(raw, "source", _SOURCE_KEYS, set()) if raw is not None else None
    if data is None:
        return None
    title = ck.text(data.get("title"), "source.title")
    number = ck.text(data.get("number"), "source.number", limit=60)
    published = None
    if data.get("published") not in (None, ""):
        year, ck.year = ck.year, None  # the notice is published the year before
        published = ck.date(data["published"], "source.published")
        ck.year = year
    url = ck.text(data.get("url"), "source.url", required=False, limit=500)
    if not title or not number:
        return None
    return Source(title, number, published, url)


def _holidays(ck: _Check, raw: Any) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    if raw is None:
        return days
    if not isinstance(raw, list) or not raw:
        ck.error("holidays", "应为假日列表，至少一项")
        return days
    for index, item in enumerate(raw, start=1):
        where = f"第 {index} 个假日"
        data = ck.keys(item, where, _HOLIDAY_KEYS, set())
        if data is None:
            continue
        name = ck.text(data.get("name"), f"{where} name", limit=_NAME_MAX)
        if name:
            where = f"{where}（{name}）"
        listed: list[dt.date] = []
        has_range = "from" in data or "to" in data
        if has_range:
            first = ck.date(data.get("from"), f"{where} from") if "from" in data else None
            last = ck.date(data.get("to"), f"{where} to") if "to" in data else None
            if "from" not in data or "to" not in data:
                ck.error(where, "起止日期应同时填写 from 和 to")
            elif first is not None and last is not None:
                if last < first:
                    ck.error(where, f"结束日期 {last.isoformat()} 早于开始日期 {first.isoformat()}")
                elif (last - first).days + 1 > _SPAN_MAX:
                    ck.error(where, f"连续 {(last - first).days + 1} 天，超过 {_SPAN_MAX} 天")
                else:
                    listed.extend(_span(first, last))
        if "dates" in data:
            dates = data.get("dates")
            if not isinstance(dates, list) or not dates:
                ck.error(f"{where} dates", "应为日期列表，如 [2027-01-01]")
            else:
                for pos, value in enumerate(dates, start=1):
                    day = ck.date(value, f"{where} dates 第 {pos} 个")
                    if day is not None:
                        listed.append(day)
        elif not has_range:
            ck.error(where, "没有日期：填写 from 和 to，或 dates")
        seen: set[dt.date] = set()
        for day in listed:
            if day in seen:
                ck.error(where, f"{day.isoformat()} 重复列出")
                continue
            seen.add(day)
            other = days.get(day)
            if other is not None:
                ck.error(
                    where,
                    f"{day.isoformat()} 已列在“{other}”中；两节合并放假时写成一个假日，"
                    "名称如“中秋节、国庆节”",
                )
            elif name:
                days[day] = name
    return days


def _workdays(ck: _Check, raw: Any) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    if raw is None:
        return days
    if not isinstance(raw, list):
        ck.error("workdays", "应为调休上班日列表（没有调休时可省略）")
        return days
    for index, item in enumerate(raw, start=1):
        where = f"第 {index} 个调休上班日"
        name = ""
        if isinstance(item, dict):
            data = ck.keys(item, where, _WORKDAY_KEYS, {"date"})
            if data is None or "date" not in data:
                continue
            value = data["date"]
            name = ck.text(data.get("name"), f"{where} name", required=False, limit=_NAME_MAX)
        else:
            value = item
        day = ck.date(value, where)
        if day is None:
            continue
        if day.weekday() < 5:
            ck.error(
                where,
                f"{day.isoformat()} 是{_weekday(day)}，本来就是工作日；调休上班日应为周六或周日",
            )
        elif day in days:
            ck.error(where, f"{day.isoformat()} 重复列出")
        else:
            days[day] = name
    return days


def _span(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _works(holidays: dict[dt.date, str], workdays: dict[dt.date, str], day: dt.date) -> bool:
    return day in workdays or (day.weekday() < 5 and day not in holidays)


def _kind(holidays: dict[dt.date, str], workdays: dict[dt.date, str], day: dt.date) -> str:
    if day in holidays:
        return f"放假（{holidays[day]}）"
    if day in workdays:
        return "调休上班"
    return "工作日" if day.weekday() < 5 else "周末休息"


def _warnings(arr: Arrangement) -> list[str]:
    warnings: list[str] = []
    title = arr.source.title.replace(" ", "") if arr.source else ""
    if f"{arr.year}年" not in title:
        warnings.append(f"通知标题中没有“{arr.year}年”，请核对是否为该年的放假通知")
    since, total = STATUTORY_DAYS
    net = arr.net_days_off()
    if arr.year >= since and net != total:
        warnings.append(
            f"{arr.year} 年周一至周五放假的日子减去调休上班日，净放假 {net} 天；"
            f"全国年节及纪念日放假办法规定全体公民放假的节日合计 {total} 天，请对照通知核对"
            "（通知另有特别安排时可忽略）"
        )
    library = library_arrangement(arr.year)
    if library is not None:
        days = sorted(
            d
            for d in {*arr.holidays, *arr.workdays, *library.holidays, *library.workdays}
            if d.year == arr.year
        )
        mine, theirs = (arr.holidays, arr.workdays), (library.holidays, library.workdays)
        differ = [d for d in days if _works(*mine, d) != _works(*theirs, d)]
        head = f"内置日历已有 {arr.year} 年的放假安排，本文件将取代它"
        if not differ:
            warnings.append(f"{head}；两者每一天是否上班都一致")
        else:
            shown = "；".join(
                f"{d.isoformat()} 内置为{_kind(library.holidays, library.workdays, d)}，"
                f"本文件为{_kind(arr.holidays, arr.workdays, d)}"
                for d in differ[:10]
            )
            more = f"等 {len(differ)} 天" if len(differ) > 10 else f"共 {len(differ)} 天"
            warnings.append(f"{head}；两者不同的日子{more}：{shown}")
    return warnings


def check_file(path: str | os.PathLike[str]) -> Checked:
    """Read and validate one calendar file (YAML, or JSON by its ``.json`` suffix)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Checked(None, ["文件不存在"], path=name)
    except (OSError, UnicodeDecodeError) as exc:
        return Checked(None, [f"无法读取文件（应为 UTF-8 文本）：{exc}"], path=name)
    return parse_calendar(text, path=name, as_json=name.lower().endswith(".json"))


def load_file(path: str | os.PathLike[str]) -> Arrangement:
    """The arrangement of a valid file; :class:`CalendarFileError` with every problem otherwise."""
    checked = check_file(path)
    if checked.arrangement is None:
        raise CalendarFileError(checked.errors, path=str(path))
    return checked.arrangement


# ---------------------------------------------------------------- the calendar in force


def calendar_dirs() -> list[Path]:
    """The project's folder, then ``DANGJIAN_CALENDAR_DIRS`` (later folders win)."""
    from django.conf import settings

    if settings.configured:
        extra = list(getattr(settings, "DANGJIAN_CALENDAR_DIRS", []) or [])
    else:
        extra = [p for p in os.environ.get("DANGJIAN_CALENDAR_DIRS", "").split(os.pathsep) if p]
    return [DEFAULT_DIR, *(Path(p) for p in extra)]


def calendar_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in dirs:
        if directory.is_dir():
            files.extend(sorted(p for p in directory.iterdir() if p.suffix.lower() in SUFFIXES))
    return files


def describe_years(years: Iterable[int]) -> str:
    """``2004–2026、2028``: sorted years with runs joined."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] + 1 == year:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return "、".join(f"{a}–{b}" if a != b else str(a) for a, b in runs) or "无"


class Calendar:
    """The working-day calendar from files over the library (see the module docstring).

    ``files``: year → the arrangement in force from a file; ``checked``: every file found with
    what the validator said (files with errors are not used, their year stays as the library
    has it or unknown); ``conflicts``: problems between files (two files of one year in one
    folder: neither is used)."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.checked: list[Checked] = [check_file(p) for p in calendar_files(dirs)]
        self.conflicts: list[str] = []
        self.files: dict[int, Arrangement] = {}
        by_folder: dict[tuple[str, int], list[Arrangement]] = {}
        for one in self.checked:
            if one.arrangement is not None:
                key = (str(Path(one.path).parent), one.arrangement.year)
                by_folder.setdefault(key, []).append(one.arrangement)
        dropped: set[int] = set()
        for (folder, year), found in by_folder.items():  # folders in order: later ones win
            if len(found) > 1:
                names = "、".join(Path(a.path).name for a in found)
                self.conflicts.append(
                    f"目录 {folder} 中有 {len(found)} 个 {year} 年的日历文件（{names}），"
                    "无法确定以哪个为准，均未采用"
                )
                dropped.add(year)
            else:
                self.files[year] = found[0]
        for year in dropped:
            self.files.pop(year, None)
        self.library_years = _library_years()
        # days a file states explicitly; a notice may reach into the December before its year
        self.days: dict[dt.date, bool] = {}
        # the library's answers, remembered: it checks every date against its whole table
        # (a min and a max over it), which was most of the RECRUIT check over a city's cases
        self._library: dict[dt.date, bool] = {}
        for year in sorted(self.files):
            arr = self.files[year]
            self.days.update(dict.fromkeys(arr.holidays, False))
            self.days.update(dict.fromkeys(arr.workdays, True))

    @property
    def broken(self) -> list[Checked]:
        return [c for c in self.checked if c.arrangement is None]

    def known_years(self) -> list[int]:
        return sorted(self.library_years | set(self.files))

    def arrangement(self, year: int) -> Arrangement | None:
        """The arrangement in force for ``year`` (file or library), or ``None``."""
        return self.files.get(year) or library_arrangement(year)

    def is_workday(self, day: dt.date) -> bool:
        stated = self.days.get(day)
        if stated is not None:
            return stated
        if day.year in self.files:
            return day.weekday() < 5
        if day.year in self.library_years:
            known = self._library.get(day)
            if known is None:
                known = self._library[day] = bool(chinese_calendar.is_workday(day))
            return known
        raise CalendarRangeError(self.range_message(day))

    def range_message(self, day: dt.date) -> str:
        message = (
            f"日期 {day.isoformat()} 超出法定节假日日历已知的年份"
            f"（{describe_years(self.known_years())} 年），无法计算工作日：{day.year} 年的"
            "放假调休安排尚未录入，请系统管理员按国务院办公厅的放假通知添加该年的日历文件"
        )
        if self.broken or self.conflicts:
            message += f"（另有 {len(self.broken) + len(self.conflicts)} 处日历文件有误，未被采用）"
        return message


_CURRENT: Calendar | None = None


def current() -> Calendar:
    """The calendar in force (built once per process from the folders; see :func:`reset`)."""
    global _CURRENT
    if _CURRENT is None:
        _CURRENT = Calendar(calendar_dirs())
    return _CURRENT


def reset() -> None:
    """Forget the calendar in force; the next call reads the folders again."""
    global _CURRENT
    _CURRENT = None


def _on_setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == "DANGJIAN_CALENDAR_DIRS":
        reset()


def _connect() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_on_setting_changed, dispatch_uid="dangjian.core.workdays")


_connect()


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (weekdays, minus holidays, plus 调休 weekends).

    Raises :class:`CalendarRangeError` for a day of a year no file and no library knows."""
    return current().is_workday(day)


def workdays_between(first: dt.date, last: dt.date) -> int:
    """Number of official working days from ``first`` to ``last``, both included."""
    cal = current()
    count = 0
    day = first
    while day <= last:
        if cal.is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def add_workdays(day: dt.date, count: int) -> dt.date:
    """The ``count``-th official working day after ``day`` (``day`` itself not counted; 0 gives
    ``day``). Raises :class:`CalendarRangeError` when the count runs into an unknown year."""
    cal = current()
    found = 0
    while found < count:
        day += dt.timedelta(days=1)
        if cal.is_workday(day):
            found += 1
    return day
