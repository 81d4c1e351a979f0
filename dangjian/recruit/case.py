"""The recruitment case format (formats.md "Recruitment cases") and the order of the steps.

Pure, no database: :func:`parse_cases` / :func:`parse_input` validate decoded JSON and raise
:class:`CaseError` (Chinese message naming the case and the field); :class:`Case` is what the
rules of :mod:`dangjian.recruit.rules` judge (built from JSON here, or from the database by
:mod:`dangjian.recruit.adapter`). :data:`STEPS` names the 25 steps and :data:`DEPENDS_ON` orders
them (rules.md §3), the one table every part of the app that orders steps reads.

Additive extensions of the formats.md case format (all optional; a rule whose data is absent is
listed as not checked once its step is reached):

- ``approver_type``: the approving organization's type (``党委``, ``党工委``, ``党总支`` …) and
  ``approver_under_town``: ``true`` when it is under a 乡镇/街道 党委 (APPROVER-AUTHORITY);
- ``reviews``: the dates of the half-yearly activist assessments (ACTIVIST-REVIEW-HALF-YEAR);
- ``expected_leaving_on``: the date the candidate is expected to leave the unit, or ``null`` when
  known not to be leaving (LEAVING-3-MONTHS; absent = unknown);
- ``priority_group``: 一线工人, 农民, 青年, 高知识群体, 非公企业和社会组织从业人员 or 其他 (PLAN);
- ``contacts`` may also be a list of statuses like ``introducers`` (``full``, ``probationary``,
  ``probation_watch`` — 留党察看 or 停止党籍 on the day of the step — or ``not_member``); both
  lists accept ``not_member`` (CONTACTS, INTRODUCERS);
- ``approval_extensions``: ``{"17": {"months": 6, "approved_on": "2025-08-20"}}`` — an approved
  extension of the approval period of step 17 or 24, the period in all in months from the vote
  (APPROVAL-3-MONTHS, CONVERSION-APPROVAL-3-MONTHS);
- ``ended_on``: the day a case ended without admission or conversion; no deadline runs after it.

The input may also be an object ``{"cases": [...], "plans": [...]}``; each plan is
``{"org": "BR0001", "year": 2025, "quota": 3, "groups": {"青年": 1}}`` (RECRUIT-PLAN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.dates import parse_date

#: the 25 steps (rules.md §3), number → Chinese name
STEPS: dict[int, str] = {
    1: "递交入党申请书",
    2: "党组织派人谈话",
    3: "推荐和确定入党积极分子",
    4: "上级党委备案",
    5: "指定培养联系人",
    6: "培养教育考察",
    7: "确定发展对象",
    8: "报上级党委备案",
    9: "确定入党介绍人",
    10: "进行政治审查",
    11: "开展集中培训",
    12: "支部委员会审查",
    13: "上级党委预审",
    14: "填写入党志愿书",
    15: "支部大会讨论",
    16: "上级党委派人谈话",
    17: "上级党委审批",
    18: "再上一级党委组织部门备案",
    19: "编入党支部和党小组",
    20: "入党宣誓",
    21: "继续教育考察",
    22: "提出转正申请",
    23: "支部大会讨论（转正）",
    24: "上级党委审批（转正）",
    25: "材料归档",
}

#: RECRUIT-ORDER (rules.md §3): step → the steps it may not be dated before. Steps in one row
#: depend on the same steps and not on each other (9, 10 and 11 in any order after 7; 18–21 in any
#: order after 17). The one place the order of the steps is defined: the checker, the case
#: timeline ("next step"), the step forms and the demo read it through :func:`prerequisites`,
#: :func:`earliest_after` and :func:`open_steps`.
DEPENDS_ON: dict[int, tuple[int, ...]] = {
    2: (1,),
    3: (1, 2),
    4: (3,),
    5: (3,),
    6: (3,),
    7: (3, 6),
    8: (7,),
    9: (7,),
    10: (7,),
    11: (7,),
    12: (9, 10, 11),
    13: (8, 12),
    14: (13,),
    15: (14,),
    16: (15,),
    17: (15, 16),
    18: (17,),
    19: (17,),
    20: (17,),
    21: (17,),
    22: (17,),
    23: (22,),
    24: (23,),
    25: (24,),
}


def prerequisites(step: int, done: Mapping[int, dt.date]) -> list[int]:
    """The recorded steps ``step`` depends on, nearest first: a dependency that is not recorded
    is looked through to the steps it depends on in turn (step 13 recorded without 12 is still
    compared with 9, 10 and 11)."""
    found: set[int] = set()
    seen: set[int] = set()
    pending = list(DEPENDS_ON.get(step, ()))
    while pending:
        dep = pending.pop()
        if dep in seen:
            continue
        seen.add(dep)
        if dep in done:
            found.add(dep)
        else:
            pending.extend(DEPENDS_ON.get(dep, ()))
    return sorted(found)


def earliest_after(step: int, done: Mapping[int, dt.date]) -> tuple[int, dt.date] | None:
    """The recorded prerequisite with the latest date (``step`` may not be dated before it)."""
    found = [(done[d], d) for d in prerequisites(step, done)]
    if not found:
        return None
    day, dep = max(found)
    return dep, day


def open_steps(done: Mapping[int, dt.date], among: Iterable[int] | None = None) -> list[int]:
    """Steps not recorded yet whose direct prerequisites are all recorded (what may be done
    next, in any order among themselves), optionally only ``among`` these."""
    wanted = list(among) if among is not None else list(STEPS)
    return [n for n in wanted if n not in done and all(d in done for d in DEPENDS_ON.get(n, ()))]


INTRODUCER_STATUSES = {
    "full": "正式党员",
    "probationary": "预备党员",
    "probation_watch": "留党察看或停止党籍期间的党员",
    "not_member": "当日不是党员的人员",
}
REVIEW_VALUES = ("pass", "fail", "none")
#: publicity key → (Chinese name, the step the notice must end before by default). Which step
#: a notice must precede is the parameter ``before`` of RECRUIT-PUBLICITY-5-WORKDAYS: by default
#: the notices of admission and conversion end before the branch vote (steps 15 and 23)
PUBLICITY: dict[str, tuple[str, int]] = {
    "activist": ("确定入党积极分子", 3),
    "candidate": ("确定发展对象", 7),
    "admission": ("接收预备党员", 15),
    "conversion": ("预备党员转正", 23),
}
VOTES = {"admission_vote": ("接收预备党员表决", 15), "conversion_vote": ("转正表决", 23)}
#: the priority groups of the annual plan (单列计划), as in the models
PRIORITY_GROUPS = ("一线工人", "农民", "青年", "高知识群体", "非公企业和社会组织从业人员", "其他")
#: organization types with approval authority (dangjian.recruit.authority.APPROVER_TYPES)
APPROVER_TYPES = ("党委", "党工委")
ORG_TYPES = ("党委", "党工委", "党总支", "党支部", "联合党支部", "临时党支部", "党小组")


class CaseError(ValueError):
    """Invalid recruitment input; the message names the case and the field (Chinese)."""


@dataclass(frozen=True)
class ApprovalExtension:
    """An approved extension of the upper committee's approval period (细则: special
    cases, at most 6 months in all): ``months`` is the period in all, counted from the vote."""

    months: int
    approved_on: dt.date | None = None


#: decision step → (the vote it follows, the rule whose period an extension prolongs)
APPROVAL_STEPS: dict[int, tuple[int, str]] = {
    17: (15, "RECRUIT-APPROVAL-3-MONTHS"),
    24: (23, "RECRUIT-CONVERSION-APPROVAL-3-MONTHS"),
}


@dataclass(frozen=True)
class Vote:
    entitled: int
    present: int
    yes: int


@dataclass
class Case:
    """One validated recruitment case (formats.md)."""

    id: str
    org: str
    steps: dict[int, dt.date]
    birth_date: dt.date | None = None
    contacts: int | None = None
    introducers: list[str] | None = None
    political_review: str | None = None
    training_hours: float | None = None
    admission_vote: Vote | None = None
    conversion_vote: Vote | None = None
    approver: str | None = None
    publicity: dict[str, tuple[dt.date, dt.date]] | None = None
    probation_extension_months: int | None = None
    approver_type: str | None = None
    approver_under_town: bool | None = None
    #: the approving organization's name, when known (messages)
    approver_name: str | None = None
    reviews: list[dt.date] | None = None
    expected_leaving_on: dt.date | None = None
    #: whether ``expected_leaving_on`` is known (``None`` then means "not leaving")
    leaving_recorded: bool = False
    priority_group: str | None = None
    #: the status of each contact (培养联系人) on the day of step 5, when known
    contact_statuses: list[str] | None = None
    #: decision step (17, 24) → the approved extension of its approval period
    approval_extensions: dict[int, ApprovalExtension] = field(default_factory=dict)
    #: rule id → why the rule cannot be checked for this case (set by whoever built the case;
    #: :data:`dangjian.recruit.rules.NOT_CHECKED_REASONS` otherwise)
    reasons: dict[str, str] = field(default_factory=dict)
    #: the day the case ended without admission or conversion (withdrawn, not admitted,
    #: probation cancelled): no deadline runs after it
    ended_on: dt.date | None = None

    def now(self, at: dt.date) -> dt.date:
        """The day pending deadlines are judged on: ``at``, or the end of the case if earlier."""
        return self.ended_on if self.ended_on is not None and self.ended_on < at else at

    def ended(self, at: dt.date) -> bool:
        return self.ended_on is not None and self.ended_on <= at

    def done(self, step: int, at: dt.date) -> dt.date | None:
        """The date of ``step`` if it was done on or before ``at``."""
        day = self.steps.get(step)
        return day if day is not None and day <= at else None


# --- parsing -------------------------------------------------------------------------------


def _where(case_id: str, field_name: str) -> str:
    return f"案例 {case_id} 字段 {field_name}"


def _date(case_id: str, field_name: str, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise CaseError(f"{_where(case_id, field_name)}：应为日期字符串 YYYY-MM-DD，实为 {value!r}")
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CaseError(f"{_where(case_id, field_name)}：{exc}") from None


def _int(case_id: str, field_name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CaseError(f"{_where(case_id, field_name)}：应为非负整数，实为 {value!r}")
    return value


def _choice(case_id: str, field_name: str, value: Any, allowed: Any, expected: str) -> str:
    """``value`` if it is one of ``allowed`` (``expected`` says which, in the message)."""
    if value not in allowed:
        raise CaseError(f"{_where(case_id, field_name)}：应为{expected}，实为 {value!r}")
    return str(value)


def _vote(case_id: str, field_name: str, value: Any) -> Vote:
    if not isinstance(value, dict):
        raise CaseError(f"{_where(case_id, field_name)}：应为含 entitled、present、yes 的对象")
    numbers: dict[str, int] = {}
    for key in ("entitled", "present", "yes"):
        if key not in value:
            raise CaseError(f"{_where(case_id, f'{field_name}.{key}')}：缺少该项")
        numbers[key] = _int(case_id, f"{field_name}.{key}", value[key])
    vote = Vote(**numbers)
    if vote.entitled == 0:
        raise CaseError(f"{_where(case_id, f'{field_name}.entitled')}：应到人数不能为 0")
    if vote.present > vote.entitled:
        raise CaseError(f"{_where(case_id, f'{field_name}.present')}：实到人数多于应到人数")
    if vote.yes > vote.entitled:
        raise CaseError(f"{_where(case_id, f'{field_name}.yes')}：赞成票多于应到人数")
    return vote


def parse_case(raw: Any, index: int) -> Case:
    """Validate one case object (``index`` is its 1-based position, used when it has no id)."""
    if not isinstance(raw, dict):
        raise CaseError(f"第 {index} 个案例：应为 JSON 对象")
    case_id = raw.get("case")
    if not isinstance(case_id, str) or not case_id.strip():
        raise CaseError(f"第 {index} 个案例 字段 case：缺少案例编号")
    case_id = case_id.strip()
    org = raw.get("org")
    if not isinstance(org, str) or not org.strip():
        raise CaseError(f"{_where(case_id, 'org')}：缺少组织编码")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, dict):
        raise CaseError(f"{_where(case_id, 'steps')}：缺少步骤，应为 步骤号 → 日期 的对象")
    steps: dict[int, dt.date] = {}
    for key, value in steps_raw.items():
        text = str(key).strip()
        if not text.isdigit() or int(text) not in STEPS:
            raise CaseError(f"{_where(case_id, f'steps.{key}')}：未知步骤号，应为 1–25")
        steps[int(text)] = _date(case_id, f"steps.{key}", value)
    case = Case(id=case_id, org=org.strip(), steps=steps)
    if raw.get("birth_date") is not None:
        case.birth_date = _date(case_id, "birth_date", raw["birth_date"])
    if raw.get("contacts") is not None:
        items = raw["contacts"]
        if isinstance(items, list):
            if any(i not in INTRODUCER_STATUSES for i in items):
                raise CaseError(
                    f"{_where(case_id, 'contacts')}：应为人数，或各培养联系人状态的列表"
                    f"（full、probationary、probation_watch、not_member），实为 {items!r}"
                )
            case.contacts = len(items)
            case.contact_statuses = list(items)
        else:
            case.contacts = _int(case_id, "contacts", items)
    if raw.get("introducers") is not None:
        items = raw["introducers"]
        if not isinstance(items, list) or any(i not in INTRODUCER_STATUSES for i in items):
            raise CaseError(
                f"{_where(case_id, 'introducers')}：应为列表，取值 full、probationary、"
                f"probation_watch、not_member，实为 {items!r}"
            )
        case.introducers = list(items)
    if raw.get("political_review") is not None:
        case.political_review = _choice(
            case_id,
            "political_review",
            raw["political_review"],
            REVIEW_VALUES,
            " pass、fail 或 none",
        )
    if raw.get("training_hours") is not None:
        hours = raw["training_hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            raise CaseError(f"{_where(case_id, 'training_hours')}：应为非负数，实为 {hours!r}")
        case.training_hours = float(hours)
    for name in VOTES:
        if raw.get(name) is not None:
            setattr(case, name, _vote(case_id, name, raw[name]))
    if raw.get("approver") is not None:
        case.approver = str(raw["approver"])
    if raw.get("publicity") is not None:
        pub = raw["publicity"]
        if not isinstance(pub, dict):
            raise CaseError(f"{_where(case_id, 'publicity')}：应为对象")
        windows: dict[str, tuple[dt.date, dt.date]] = {}
        for key, value in pub.items():
            if key not in PUBLICITY:
                raise CaseError(
                    f"{_where(case_id, f'publicity.{key}')}：未知公示类别，"
                    "应为 activist、candidate、admission、conversion"
                )
            if not isinstance(value, list) or len(value) != 2:
                raise CaseError(
                    f"{_where(case_id, f'publicity.{key}')}：应为 [首日, 末日] 两个日期"
                )
            first = _date(case_id, f"publicity.{key}[0]", value[0])
            last = _date(case_id, f"publicity.{key}[1]", value[1])
            if last < first:
                raise CaseError(f"{_where(case_id, f'publicity.{key}')}：末日早于首日")
            windows[key] = (first, last)
        case.publicity = windows
    if raw.get("probation_extension_months") is not None:
        case.probation_extension_months = _int(
            case_id, "probation_extension_months", raw["probation_extension_months"]
        )
    if raw.get("approver_type") is not None:
        case.approver_type = _choice(
            case_id,
            "approver_type",
            raw["approver_type"],
            ORG_TYPES,
            f"组织类别（{'、'.join(ORG_TYPES)}）",
        )
    if raw.get("approver_under_town") is not None:
        if not isinstance(raw["approver_under_town"], bool):
            raise CaseError(f"{_where(case_id, 'approver_under_town')}：应为 true 或 false")
        case.approver_under_town = raw["approver_under_town"]
    if raw.get("reviews") is not None:
        items = raw["reviews"]
        if not isinstance(items, list):
            raise CaseError(f"{_where(case_id, 'reviews')}：应为日期列表")
        case.reviews = sorted(
            _date(case_id, f"reviews[{i}]", value) for i, value in enumerate(items)
        )
    if "expected_leaving_on" in raw:
        case.leaving_recorded = True
        if raw["expected_leaving_on"] is not None:
            case.expected_leaving_on = _date(
                case_id, "expected_leaving_on", raw["expected_leaving_on"]
            )
    if raw.get("ended_on") is not None:
        case.ended_on = _date(case_id, "ended_on", raw["ended_on"])
    if raw.get("approval_extensions") is not None:
        case.approval_extensions = _extensions(case_id, raw["approval_extensions"])
    if raw.get("priority_group") is not None:
        case.priority_group = _choice(
            case_id,
            "priority_group",
            raw["priority_group"],
            PRIORITY_GROUPS,
            f" {'、'.join(PRIORITY_GROUPS)} 之一",
        )
    return case


def _extensions(case_id: str, raw: Any) -> dict[int, ApprovalExtension]:
    """``{"17": {"months": 6, "approved_on": "2025-08-20"}}`` (or ``{"17": 6}``)."""
    name = "approval_extensions"
    if not isinstance(raw, dict):
        raise CaseError(f"{_where(case_id, name)}：应为 审批步骤（17 或 24）→ 延长后期限 的对象")
    found: dict[int, ApprovalExtension] = {}
    for key, value in raw.items():
        where = f"{name}.{key}"
        text = str(key).strip()
        if not text.isdigit() or int(text) not in APPROVAL_STEPS:
            raise CaseError(f"{_where(case_id, where)}：只有第 17、24 步的审批期限可以延长")
        if isinstance(value, dict):
            months = _int(case_id, f"{where}.months", value.get("months"))
            approved = value.get("approved_on")
            approved_on = _date(case_id, f"{where}.approved_on", approved) if approved else None
        else:
            months, approved_on = _int(case_id, where, value), None
        if months == 0:
            raise CaseError(f"{_where(case_id, where)}：延长后的审批期限应为月数，不能为 0")
        found[int(text)] = ApprovalExtension(months=months, approved_on=approved_on)
    return found


@dataclass
class Plan:
    """An organization's annual recruitment plan with its priority-group quotas."""

    org: str
    year: int
    quota: int
    groups: dict[str, int] = field(default_factory=dict)


def parse_plan(raw: Any, index: int) -> Plan:
    where = f"第 {index} 个计划"
    if not isinstance(raw, dict):
        raise CaseError(f"{where}：应为 JSON 对象")
    org = raw.get("org")
    if not isinstance(org, str) or not org.strip():
        raise CaseError(f"{where} 字段 org：缺少组织编码")
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise CaseError(f"{where} 字段 year：应为年份，实为 {year!r}")
    quota = _int(f"计划{index}", "quota", raw.get("quota"))
    groups_raw = raw.get("groups") or {}
    if not isinstance(groups_raw, dict):
        raise CaseError(f"{where} 字段 groups：应为 重点群体 → 单列计划数 的对象")
    groups: dict[str, int] = {}
    for key, value in groups_raw.items():
        if key not in PRIORITY_GROUPS:
            raise CaseError(f"{where} 字段 groups.{key}：未知重点群体")
        groups[key] = _int(f"计划{index}", f"groups.{key}", value)
    return Plan(org=org.strip(), year=year, quota=quota, groups=groups)


def parse_input(data: Any) -> tuple[list[Case], list[Plan]]:
    """Validate the decoded JSON: an array of cases, or ``{"cases": [...], "plans": [...]}``."""
    if isinstance(data, dict) and "cases" in data:
        plans_raw = data.get("plans") or []
        if not isinstance(plans_raw, list):
            raise CaseError("plans 应为计划的 JSON 数组")
        plans = [parse_plan(raw, i) for i, raw in enumerate(plans_raw, start=1)]
        seen: set[tuple[str, int]] = set()
        for plan in plans:
            if (plan.org, plan.year) in seen:
                raise CaseError(f"计划 {plan.org} {plan.year} 年重复")
            seen.add((plan.org, plan.year))
        return parse_cases(data["cases"]), plans
    return parse_cases(data), []


def parse_cases(data: Any) -> list[Case]:
    """Validate the decoded JSON (an array of cases); case ids must be unique."""
    if not isinstance(data, list):
        raise CaseError("输入应为案例的 JSON 数组（或含 cases、plans 的对象）")
    cases = [parse_case(raw, i) for i, raw in enumerate(data, start=1)]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise CaseError(f"{_where(case.id, 'case')}：案例编号重复")
        seen.add(case.id)
    return cases
