"""The recruitment checker: the ``RECRUIT-*`` rules of rules.md §3 over cases in the JSON
format of formats.md ("Recruitment cases").

Pure functions, no database: :func:`parse_cases` validates the input and raises
:class:`CaseError` (Chinese message naming the case and the field); :func:`check_cases`
evaluates every rule of :data:`RECRUIT_RULES` as of a date and returns a :class:`CheckReport`.

Each rule is one function named after its id, returning a list of findings, or ``None`` when the
data it needs is absent from the case although the step it concerns is done (or the data is
needed regardless, e.g. a birth date once the application is in): the rule is then listed as
*not checked* for that case, never passed silently. A rule about a step not reached yet returns
no finding (or a ``due`` one). Steps dated after the check date are treated as not done yet.
VOTE-MAJORITY checks whichever of the two votes is recorded.

The rules keep their own registry (:data:`RECRUIT_RULES`) instead of
``dangjian.rules.base.REGISTRY``: rules there are called by ``dangjian.rules.engine`` with
organization facts, and the rule catalogue tests equate "registered" with "checked over the
database", which is not yet true for recruitment cases.

Severities: ``error`` for a broken national rule, ``warning`` for a local default or a soft
rule (APPLICATION-6-MONTHS, PUBLICITY-5-WORKDAYS, ARCHIVE, LEAVING-3-MONTHS), ``due`` for a
deadline still ahead.

Parameters: each rule reads its parameters through :func:`params`, which returns the spec's
defaults unless :func:`check_cases` was given ``config`` (rule id → parameters in force, see
:func:`dangjian.recruit.config.rule_config`); a rule absent from ``config`` is switched off.

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
  (APPROVAL-3-MONTHS, CONVERSION-APPROVAL-3-MONTHS: at most 6);
- ``ended_on``: the day a case ended without admission or conversion; no deadline runs after it.

Which step depends on which is :data:`DEPENDS_ON` (rules.md §3), the one table every part of the
app that orders steps reads. A rule that cannot be checked reports why
(``not_checked_reasons`` in :meth:`CheckReport.as_dict`).

The input may also be an object ``{"cases": [...], "plans": [...]}``; each plan is
``{"org": "BR0001", "year": 2025, "quota": 3, "groups": {"青年": 1}}`` and RECRUIT-PLAN compares
it with the admissions (step 17 in that year) of the cases whose ``org`` is the plan's org
(subject = org code, period = the year). Over the database the counts cover the plan
organization's whole subtree (:mod:`dangjian.recruit.selectors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.dates import add_months, add_years, parse_date
from dangjian.rules.base import Finding, RuleSpec

from .calendar import CalendarRangeError, workdays_between

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
    #: :data:`NOT_CHECKED_REASONS` otherwise)
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
        if raw["political_review"] not in REVIEW_VALUES:
            raise CaseError(
                f"{_where(case_id, 'political_review')}：应为 pass、fail 或 none，"
                f"实为 {raw['political_review']!r}"
            )
        case.political_review = raw["political_review"]
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
        if raw["approver_type"] not in ORG_TYPES:
            raise CaseError(
                f"{_where(case_id, 'approver_type')}：应为组织类别（{'、'.join(ORG_TYPES)}），"
                f"实为 {raw['approver_type']!r}"
            )
        case.approver_type = raw["approver_type"]
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
        if raw["priority_group"] not in PRIORITY_GROUPS:
            raise CaseError(
                f"{_where(case_id, 'priority_group')}：应为 {'、'.join(PRIORITY_GROUPS)} 之一，"
                f"实为 {raw['priority_group']!r}"
            )
        case.priority_group = raw["priority_group"]
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


# --- the rules -----------------------------------------------------------------------------

RecruitRule = Callable[[Case, dt.date], "list[Finding] | None"]

#: rule id → (spec, function); the local registry of the recruitment rules
RECRUIT_RULES: dict[str, tuple[RuleSpec, RecruitRule]] = {}


def recruit_rule(spec: RuleSpec) -> Callable[[RecruitRule], RecruitRule]:
    def wrap(func: RecruitRule) -> RecruitRule:
        if spec.id in RECRUIT_RULES:
            raise RuntimeError(f"rule {spec.id} registered twice")
        RECRUIT_RULES[spec.id] = (spec, func)
        return func

    return wrap


_CONFIG: ContextVar[Mapping[str, Mapping[str, Any]] | None] = ContextVar(
    "recruit_config", default=None
)


def params(spec: RuleSpec) -> dict[str, Any]:
    """The parameters in force for ``spec``: the configured ones, else the defaults."""
    config = _CONFIG.get()
    if config is not None and spec.id in config:
        return {**spec.params, **config[spec.id]}
    return dict(spec.params)


_LENIENT: ContextVar[bool] = ContextVar("recruit_lenient", default=False)


@contextmanager
def configured(
    config: Mapping[str, Mapping[str, Any]] | None, *, lenient: bool = False
) -> Iterator[None]:
    """Evaluate rules with ``config`` (rule id → parameters) in force. ``lenient`` is kept for
    callers; a notice window outside the years the holiday calendar knows makes
    PUBLICITY-5-WORKDAYS "not checked" for that case, with the reason, in either mode."""
    token = _CONFIG.set(config)
    lenient_token = _LENIENT.set(lenient)
    try:
        yield
    finally:
        _LENIENT.reset(lenient_token)
        _CONFIG.reset(token)


def enabled_rules() -> list[str]:
    """Rule ids to evaluate: all, or those present in the configuration in force."""
    config = _CONFIG.get()
    return [r for r in RECRUIT_RULES if config is None or r in config]


def _finding(
    spec: RuleSpec,
    case: Case,
    message: str,
    evidence: dict[str, Any],
    severity: str = "error",
    due_date: dt.date | None = None,
) -> Finding:
    clean = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in evidence.items()}
    return Finding(
        rule=spec.id,
        subject=case.id,
        severity=severity,
        message=message,
        source=spec.source,
        evidence=clean,
        due_date=due_date,
    )


def _deadline(
    spec: RuleSpec,
    case: Case,
    at: dt.date,
    *,
    start_step: int,
    end_step: int,
    months: int,
    what: str,
    max_months: int | None = None,
) -> list[Finding]:
    """``end_step`` within ``months`` of ``start_step``: error if late, ``due`` while pending.

    With ``max_months``, an approved extension of ``end_step`` (:attr:`Case.approval_extensions`)
    moves the deadline up to ``max_months`` after ``start_step``; an extension beyond that is an
    error of its own (and counts only up to ``max_months``), one decided after the original
    deadline does not move it."""
    start = case.done(start_step, at)
    if start is None:
        return []
    limit = add_months(start, months)
    evidence: dict[str, Any] = {f"step_{start_step}": start, "deadline": limit}
    findings: list[Finding] = []
    extension = case.approval_extensions.get(end_step) if max_months is not None else None
    period = f"{STEPS[start_step]} {start.isoformat()} 后 {months} 个月"
    if extension is not None and max_months is not None:
        evidence["extended_months"] = extension.months
        if extension.approved_on is not None:
            evidence["extension_approved_on"] = extension.approved_on
        if extension.approved_on is not None and extension.approved_on > limit:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"延长审批期限的决定（{extension.approved_on.isoformat()}）晚于原期限 "
                    f"{limit.isoformat()}，不能延长",
                    dict(evidence),
                )
            )
        else:
            if extension.months > max_months:
                findings.append(
                    _finding(
                        spec,
                        case,
                        f"审批期限延长至 {extension.months} 个月，超过最长 {max_months} 个月",
                        dict(evidence),
                    )
                )
            total = min(extension.months, max_months)
            if total > months:
                limit = add_months(start, total)
                evidence["deadline"] = limit
                period = f"{STEPS[start_step]} {start.isoformat()} 后 {total} 个月，已批准延长"
    end = case.done(end_step, at)
    if end is not None:
        if end > limit:
            evidence[f"step_{end_step}"] = end
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{what}于 {end.isoformat()}，晚于期限 {limit.isoformat()}（{period}）",
                    evidence,
                )
            )
        return findings
    now = case.now(at)
    if now > limit:
        ended = "（案例已于该日结束）" if case.ended(at) else ""
        findings.append(
            _finding(
                spec,
                case,
                f"{what}已逾期：期限 {limit.isoformat()}（{period}），"
                f"至 {now.isoformat()} 尚未完成{ended}",
                evidence,
            )
        )
        return findings
    if case.ended(at):
        return findings
    findings.append(
        _finding(
            spec,
            case,
            f"{what}应于 {limit.isoformat()} 前完成",
            evidence,
            severity="due",
            due_date=limit,
        )
    )
    return findings


def approval_deadline(
    vote_on: dt.date,
    extension: ApprovalExtension | None,
    months: int = 3,
    max_months: int = 6,
) -> dt.date:
    """The deadline of an approval (step 17 or 24) after its vote, with an approved extension
    (the same arithmetic as the checker, for the timeline and the approval queue)."""
    limit = add_months(vote_on, months)
    if extension is None:
        return limit
    if extension.approved_on is not None and extension.approved_on > limit:
        return limit
    return add_months(vote_on, max(months, min(extension.months, max_months)))


@recruit_rule(RuleSpec("RECRUIT-ORDER", "发展步骤顺序", "national", "细则"))
def recruit_order(case: Case, at: dt.date) -> list[Finding] | None:
    """No step dated before a step it depends on (rules.md §3, :data:`DEPENDS_ON`; 细则). Steps
    that do not depend on each other may happen in any order, even against their numbers
    (政审 before 确定入党介绍人, 入党宣誓 before the filing with the organization department).
    One finding per step dated too early, naming every recorded prerequisite it precedes."""
    spec = RECRUIT_RULES["RECRUIT-ORDER"][0]
    done = {n: d for n in case.steps if (d := case.done(n, at)) is not None}
    findings: list[Finding] = []
    for step in sorted(done):
        day = done[step]
        before = [dep for dep in prerequisites(step, done) if day < done[dep]]
        if not before:
            continue
        names = "、".join(
            f"第 {dep} 步“{STEPS[dep]}”日期 {done[dep].isoformat()}" for dep in before
        )
        evidence: dict[str, Any] = {f"step_{step}": day}
        evidence.update({f"step_{dep}": done[dep] for dep in before})
        findings.append(
            _finding(
                spec,
                case,
                f"第 {step} 步“{STEPS[step]}”日期 {day.isoformat()} 早于{names}（须在其后进行）",
                evidence,
            )
        )
    return findings


@recruit_rule(
    RuleSpec("RECRUIT-AGE-18", "申请人年满十八岁", "national", "细则 art. 5", {"years": 18})
)
def recruit_age_18(case: Case, at: dt.date) -> list[Finding] | None:
    """At least 18 on the application date (细则 art. 5)."""
    spec = RECRUIT_RULES["RECRUIT-AGE-18"][0]
    applied = case.done(1, at)
    if applied is None:
        return []
    if case.birth_date is None:
        return None
    turns = add_years(case.birth_date, params(spec)["years"])
    if applied < turns:
        return [
            _finding(
                spec,
                case,
                f"递交入党申请书时（{applied.isoformat()}）未满 18 周岁"
                f"（{turns.isoformat()} 年满 18 周岁）",
                {"birth_date": case.birth_date, "step_1": applied, "turns_18": turns},
            )
        ]
    return []


@recruit_rule(
    RuleSpec("RECRUIT-TALK-1-MONTH", "一个月内派人谈话", "national", "细则 art. 7", {"months": 1})
)
def recruit_talk_1_month(case: Case, at: dt.date) -> list[Finding] | None:
    """A talk with the applicant within 1 month of receiving the application (细则 art. 7)."""
    spec = RECRUIT_RULES["RECRUIT-TALK-1-MONTH"][0]
    return _deadline(
        spec, case, at, start_step=1, end_step=2, months=params(spec)["months"], what="派人谈话"
    )


@recruit_rule(
    RuleSpec(
        "RECRUIT-APPLICATION-6-MONTHS",
        "申请满半年方可确定为积极分子",
        "local default",
        "local practice",
        {"months": 6},
    )
)
def recruit_application_6_months(case: Case, at: dt.date) -> list[Finding] | None:
    """Application at least 6 months old before becoming an activist (local practice)."""
    spec = RECRUIT_RULES["RECRUIT-APPLICATION-6-MONTHS"][0]
    applied, activist = case.done(1, at), case.done(3, at)
    if applied is None or activist is None:
        return []
    earliest = add_months(applied, params(spec)["months"])
    if activist < earliest:
        return [
            _finding(
                spec,
                case,
                f"确定入党积极分子（{activist.isoformat()}）时申请未满 6 个月"
                f"（最早 {earliest.isoformat()}）",
                {"step_1": applied, "step_3": activist, "earliest": earliest},
                severity="warning",
            )
        ]
    return []


@recruit_rule(
    RuleSpec("RECRUIT-CONTACTS", "培养联系人 1–2 名", "national", "细则 (step 5)", {"max": 2})
)
def recruit_contacts(case: Case, at: dt.date) -> list[Finding] | None:
    """1–2 full members are named as contacts (培养联系人) for an activist (细则, step 5)."""
    spec = RECRUIT_RULES["RECRUIT-CONTACTS"][0]
    reached = case.done(5, at) or case.done(3, at)
    if case.contacts is None:
        return None if reached else []
    if reached is None and case.contacts == 0:
        return []
    problems: list[str] = []
    if not 1 <= case.contacts <= params(spec)["max"]:
        problems.append(f"培养联系人应为 1–2 名正式党员，实为 {case.contacts} 名")
    bad = [INTRODUCER_STATUSES[s] for s in case.contact_statuses or [] if s != "full"]
    if bad:
        problems.append(f"培养联系人须为正式党员，有{'、'.join(bad)}")
    if problems:
        evidence: dict[str, Any] = {"contacts": case.contacts, "step_5": case.done(5, at)}
        if case.contact_statuses is not None:
            evidence["contact_statuses"] = case.contact_statuses
        return [_finding(spec, case, "；".join(problems), evidence)]
    return []


@recruit_rule(
    RuleSpec(
        "RECRUIT-ACTIVIST-1-YEAR",
        "积极分子培养一年以上",
        "national",
        "细则 art. 13",
        {"years": 1},
    )
)
def recruit_activist_1_year(case: Case, at: dt.date) -> list[Finding] | None:
    """At least 1 year as an activist before becoming a development candidate (细则 art. 13)."""
    spec = RECRUIT_RULES["RECRUIT-ACTIVIST-1-YEAR"][0]
    activist, candidate = case.done(3, at), case.done(7, at)
    if activist is None or candidate is None:
        return []
    earliest = add_years(activist, params(spec)["years"])
    if candidate < earliest:
        return [
            _finding(
                spec,
                case,
                f"确定为发展对象（{candidate.isoformat()}）时培养考察未满一年"
                f"（{activist.isoformat()} 确定为积极分子，最早 {earliest.isoformat()}）",
                {"step_3": activist, "step_7": candidate, "earliest": earliest},
            )
        ]
    return []


@recruit_rule(
    RuleSpec("RECRUIT-INTRODUCERS", "两名正式党员作入党介绍人", "national", "党章 art. 5; 细则")
)
def recruit_introducers(case: Case, at: dt.date) -> list[Finding] | None:
    """Two introducers, both full members; not probationary, not under 留党察看 (党章 art. 5)."""
    spec = RECRUIT_RULES["RECRUIT-INTRODUCERS"][0]
    reached = case.done(9, at) or case.done(15, at)
    if case.introducers is None:
        return None if reached else []
    if reached is None and not case.introducers:
        return []
    problems: list[str] = []
    if len(case.introducers) != 2:
        problems.append(f"入党介绍人应为 2 名，实为 {len(case.introducers)} 名")
    bad = [INTRODUCER_STATUSES[s] for s in case.introducers if s != "full"]
    if bad:
        problems.append(f"入党介绍人须为正式党员（不在留党察看、停止党籍期间），有{'、'.join(bad)}")
    if problems:
        return [
            _finding(
                spec,
                case,
                "；".join(problems),
                {"introducers": case.introducers, "step_9": case.done(9, at)},
            )
        ]
    return []


@recruit_rule(RuleSpec("RECRUIT-POLITICAL-REVIEW", "政治审查合格", "national", "细则"))
def recruit_political_review(case: Case, at: dt.date) -> list[Finding] | None:
    """No admission without a passed political review (细则); only pass/fail is kept."""
    spec = RECRUIT_RULES["RECRUIT-POLITICAL-REVIEW"][0]
    admitted = case.done(15, at)
    if admitted is None:
        return []
    if case.political_review is None:
        return None
    if case.political_review == "pass":
        return []
    label = "不合格" if case.political_review == "fail" else "未进行"
    return [
        _finding(
            spec,
            case,
            f"政治审查{label}，却于 {admitted.isoformat()} 支部大会讨论接收",
            {"political_review": case.political_review, "step_15": admitted},
        )
    ]


@recruit_rule(
    RuleSpec(
        "RECRUIT-TRAINING-3-DAYS",
        "集中培训不少于 3 天（24 学时）",
        "national",
        "细则 art. 17",
        {"hours": 24},
    )
)
def recruit_training_3_days(case: Case, at: dt.date) -> list[Finding] | None:
    """Centralized training of at least 3 days or 24 class hours before admission (细则 art. 17)."""
    spec = RECRUIT_RULES["RECRUIT-TRAINING-3-DAYS"][0]
    admitted = case.done(15, at)
    if admitted is None:
        return []
    if case.training_hours is None:
        return None
    if case.training_hours >= params(spec)["hours"]:
        return []
    return [
        _finding(
            spec,
            case,
            f"集中培训 {case.training_hours:g} 学时，少于 {params(spec)['hours']} 学时",
            {"training_hours": case.training_hours, "step_15": admitted},
        )
    ]


@recruit_rule(
    RuleSpec(
        "RECRUIT-PUBLICITY-5-WORKDAYS",
        "公示不少于 5 个工作日",
        "local default",
        "local practice",
        {
            "workdays": 5,
            "notices": list(PUBLICITY),
            "before": {key: step for key, (_label, step) in PUBLICITY.items()},
        },
    )
)
def recruit_publicity_5_workdays(case: Case, at: dt.date) -> list[Finding] | None:
    """Public notice of at least 5 official working days (with 调休), ended before the step it
    precedes (``before``: notice → step; by default the activist and candidate decisions, and
    the branch votes on admission and conversion, steps 15 and 23). A notice outside the years
    the working-day calendar knows makes the rule "not checked" for the case, with the reason."""
    spec = RECRUIT_RULES["RECRUIT-PUBLICITY-5-WORKDAYS"][0]
    before = {**{k: step for k, (_l, step) in PUBLICITY.items()}, **params(spec)["before"]}
    required = {
        k: (label, int(before[k]))
        for k, (label, _s) in PUBLICITY.items()
        if k in params(spec)["notices"]
    }
    if case.publicity is None:
        reached = any(case.done(step, at) for _label, step in required.values())
        return None if reached else []
    need = params(spec)["workdays"]
    findings: list[Finding] = []
    for key, (label, step) in required.items():
        decided = case.done(step, at)
        window = case.publicity.get(key)
        what = f"第 {step} 步“{STEPS[step]}”"
        if window is None:
            if decided is not None:
                findings.append(
                    _finding(
                        spec,
                        case,
                        f"{what}（{decided.isoformat()}）前没有{label}公示记录",
                        {"notice": key, f"step_{step}": decided},
                        severity="warning",
                    )
                )
            continue
        first, last = window
        try:
            days = workdays_between(first, last)
        except CalendarRangeError as exc:
            case.reasons["RECRUIT-PUBLICITY-5-WORKDAYS"] = (
                f"{label}公示 {first.isoformat()} 至 {last.isoformat()}：{exc}"
            )
            return None
        evidence: dict[str, Any] = {
            "notice": key,
            "first_day": first,
            "last_day": last,
            "workdays": days,
        }
        if days < need:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{label}公示 {first.isoformat()} 至 {last.isoformat()} 仅 {days} 个工作日，"
                    f"少于 {need} 个工作日",
                    evidence,
                    severity="warning",
                )
            )
        if decided is not None and decided <= last:
            evidence[f"step_{step}"] = decided
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{label}公示至 {last.isoformat()} 结束，{what}却在 "
                    f"{decided.isoformat()} 进行（应在公示期满后）",
                    evidence,
                    severity="warning",
                )
            )
    return findings


@recruit_rule(
    RuleSpec("RECRUIT-VOTE-MAJORITY", "支部大会表决过半数", "national", "细则 art. 20–22")
)
def recruit_vote_majority(case: Case, at: dt.date) -> list[Finding] | None:
    """More than half of those entitled present, and more than half of those entitled voting yes
    (written opinions of absent members count) (细则 art. 20–22)."""
    spec = RECRUIT_RULES["RECRUIT-VOTE-MAJORITY"][0]
    votes = [(name, getattr(case, name)) for name in VOTES if getattr(case, name) is not None]
    if not votes:
        held = any(case.done(step, at) for _label, step in VOTES.values())
        return None if held else []
    findings: list[Finding] = []
    for name, vote in votes:
        label, step = VOTES[name]
        evidence = {
            "vote": name,
            "entitled": vote.entitled,
            "present": vote.present,
            "yes": vote.yes,
            f"step_{step}": case.steps.get(step),
        }
        if vote.present * 2 <= vote.entitled:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{label}：实到 {vote.present} 人，"
                    f"未超过应到有表决权人数 {vote.entitled} 的半数",
                    evidence,
                )
            )
        if vote.yes * 2 <= vote.entitled:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{label}：赞成 {vote.yes} 票，未超过应到有表决权人数 {vote.entitled} 的半数",
                    evidence,
                )
            )
    return findings


@recruit_rule(
    RuleSpec(
        "RECRUIT-APPROVAL-3-MONTHS",
        "三个月内审批",
        "national",
        "细则",
        {"months": 3, "max_months": 6},
    )
)
def recruit_approval_3_months(case: Case, at: dt.date) -> list[Finding] | None:
    """The upper committee approves (step 17) within 3 months of the branch vote (step 15); in
    special cases an approved extension allows up to 6 months in all (细则). Past the
    deadline a pending approval is an error."""
    spec = RECRUIT_RULES["RECRUIT-APPROVAL-3-MONTHS"][0]
    return _deadline(
        spec,
        case,
        at,
        start_step=15,
        end_step=17,
        months=params(spec)["months"],
        max_months=params(spec)["max_months"],
        what="上级党委审批",
    )


@recruit_rule(
    RuleSpec(
        "RECRUIT-PROBATION-1-YEAR",
        "预备期一年",
        "national",
        "细则 art. 32",
        {"months": 12, "due_days": 60, "vote_within_months": 3},
    )
)
def recruit_probation_1_year(case: Case, at: dt.date) -> list[Finding] | None:
    """Probation is 1 year (plus any extension) from the branch vote; conversion vote after it
    ends, and promptly (细则 art. 32: 及时讨论): ``due`` from ``due_days`` before the end, an
    error when no conversion vote is held within ``vote_within_months`` after the end (local
    practice: within a month of the application, at most 3 months; ``null`` switches this part
    off). An absent extension counts as none; once the conversion is decided (step 24) nothing
    is pending any more."""
    spec = RECRUIT_RULES["RECRUIT-PROBATION-1-YEAR"][0]
    admitted = case.done(15, at)
    if admitted is None:
        return []
    extension = case.probation_extension_months or 0
    ends = add_months(admitted, params(spec)["months"] + extension)
    within = params(spec).get("vote_within_months")
    limit = add_months(ends, within) if within else None
    evidence: dict[str, Any] = {
        "step_15": admitted,
        "extension_months": extension,
        "probation_ends": ends,
    }
    if limit is not None:
        evidence["deadline"] = limit
    converted = case.done(23, at)
    if converted is not None:
        evidence["step_23"] = converted
        if converted < ends:
            return [
                _finding(
                    spec,
                    case,
                    f"转正表决（{converted.isoformat()}）早于预备期满（{ends.isoformat()}）",
                    evidence,
                )
            ]
        if limit is not None and converted > limit:
            return [
                _finding(
                    spec,
                    case,
                    f"转正表决（{converted.isoformat()}）晚于预备期满（{ends.isoformat()}）后 "
                    f"{within} 个月（{limit.isoformat()}），未及时讨论转正",
                    evidence,
                )
            ]
        return []
    if case.done(24, at) is not None:
        return []
    now = case.now(at)
    if limit is not None and now > limit:
        ended = "（案例已于该日结束）" if case.ended(at) else ""
        return [
            _finding(
                spec,
                case,
                f"预备期已于 {ends.isoformat()} 期满，应于 {limit.isoformat()} 前讨论转正，"
                f"至 {now.isoformat()} 尚未讨论{ended}",
                evidence,
            )
        ]
    if case.ended(at):
        return []
    if at >= ends - dt.timedelta(days=params(spec)["due_days"]):
        if at < ends or limit is None:
            text, due = f"预备期于 {ends.isoformat()} 期满，应及时讨论转正", ends
        else:
            text, due = (
                f"预备期已于 {ends.isoformat()} 期满，应于 {limit.isoformat()} 前讨论转正",
                limit,
            )
        return [_finding(spec, case, text, evidence, severity="due", due_date=due)]
    return []


@recruit_rule(
    RuleSpec(
        "RECRUIT-EXTENSION",
        "延长预备期 6 个月至 1 年",
        "national",
        "细则 art. 32",
        {"min_months": 6, "max_months": 12},
    )
)
def recruit_extension(case: Case, at: dt.date) -> list[Finding] | None:
    """Probation may be extended once, by at least 6 months and at most 1 year (细则 art. 32)."""
    spec = RECRUIT_RULES["RECRUIT-EXTENSION"][0]
    months = case.probation_extension_months
    if months is None:
        return None if case.done(15, at) else []
    low, high = params(spec)["min_months"], params(spec)["max_months"]
    if months == 0 or low <= months <= high:
        return []
    return [
        _finding(
            spec,
            case,
            f"延长预备期 {months} 个月，应不少于 {low} 个月、不超过 {high} 个月",
            {"probation_extension_months": months},
        )
    ]


@recruit_rule(
    RuleSpec(
        "RECRUIT-CONVERSION-APPROVAL-3-MONTHS",
        "三个月内审批转正",
        "national",
        "细则 art. 33",
        {"months": 3, "max_months": 6},
    )
)
def recruit_conversion_approval_3_months(case: Case, at: dt.date) -> list[Finding] | None:
    """Conversion approved (step 24) within 3 months of the conversion vote (step 23), or the
    approved extended period (at most 6 months in all, as for admission). Past the deadline a
    pending approval is an error."""
    spec = RECRUIT_RULES["RECRUIT-CONVERSION-APPROVAL-3-MONTHS"][0]
    return _deadline(
        spec,
        case,
        at,
        start_step=23,
        end_step=24,
        months=params(spec)["months"],
        max_months=params(spec)["max_months"],
        what="上级党委审批转正",
    )


@recruit_rule(
    RuleSpec(
        "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
        "每半年考察一次积极分子",
        "national",
        "细则 art. 11",
        {"months": 6},
    )
)
def recruit_activist_review_half_year(case: Case, at: dt.date) -> list[Finding] | None:
    """The branch assesses each activist every half year (细则 art. 11): from the activist
    decision (step 3) until the candidate decision (step 7), no gap longer than 6 months
    without an assessment. While still an activist, the next one is ``due``."""
    spec = RECRUIT_RULES["RECRUIT-ACTIVIST-REVIEW-HALF-YEAR"][0]
    months = params(spec)["months"]
    activist = case.done(3, at)
    if activist is None:
        return []
    candidate = case.done(7, at)
    now = case.now(at)
    end = candidate or now
    if case.reviews is None:
        return None if end > add_months(activist, months) else []
    findings: list[Finding] = []
    anchor = activist
    for review in [r for r in case.reviews if activist <= r <= end]:
        limit = add_months(anchor, months)
        if review > limit:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{anchor.isoformat()} 后 {months} 个月内（至 {limit.isoformat()}）没有考察，"
                    f"下一次考察在 {review.isoformat()}",
                    {"since": anchor, "deadline": limit, "review": review},
                )
            )
        anchor = review
    limit = add_months(anchor, months)
    if candidate is not None:
        if candidate > limit:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"{anchor.isoformat()} 后 {months} 个月内（至 {limit.isoformat()}）没有考察，"
                    f"至 {candidate.isoformat()} 确定为发展对象",
                    {"since": anchor, "deadline": limit, "step_7": candidate},
                )
            )
    elif now > limit:
        findings.append(
            _finding(
                spec,
                case,
                f"积极分子考察已逾期：上次 {anchor.isoformat()}，应于 {limit.isoformat()} 前考察",
                {"since": anchor, "deadline": limit},
            )
        )
    elif not case.ended(at):
        findings.append(
            _finding(
                spec,
                case,
                f"积极分子半年考察应于 {limit.isoformat()} 前进行",
                {"since": anchor, "deadline": limit},
                severity="due",
                due_date=limit,
            )
        )
    return findings


@recruit_rule(RuleSpec("RECRUIT-PREREVIEW", "上级党委预审", "national", "细则 art. 19"))
def recruit_prereview(case: Case, at: dt.date) -> list[Finding] | None:
    """Pre-review (step 13) by the approving committee before the 入党志愿书 is filled in
    (step 14) (细则 art. 19)."""
    spec = RECRUIT_RULES["RECRUIT-PREREVIEW"][0]
    form = case.done(14, at)
    if form is None:
        return []
    review = case.done(13, at)
    if review is None:
        return [
            _finding(
                spec,
                case,
                f"未经上级党委预审即于 {form.isoformat()} 填写入党志愿书",
                {"step_14": form},
            )
        ]
    if review > form:
        return [
            _finding(
                spec,
                case,
                f"上级党委预审（{review.isoformat()}）晚于填写入党志愿书（{form.isoformat()}）",
                {"step_13": review, "step_14": form},
            )
        ]
    return []


@recruit_rule(
    RuleSpec(
        "RECRUIT-LEAVING-3-MONTHS",
        "三个月内离开本单位的一般不在本单位发展",
        "national (soft)",
        "细则 art. 19",
        {"months": 3},
    )
)
def recruit_leaving_3_months(case: Case, at: dt.date) -> list[Finding] | None:
    """A candidate leaving the unit within 3 months is generally not admitted there (细则
    art. 19): a warning when the branch vote (step 15) — or, for a development candidate not yet
    voted on, the check date — falls within 3 months before the expected leaving date."""
    spec = RECRUIT_RULES["RECRUIT-LEAVING-3-MONTHS"][0]
    months = params(spec)["months"]
    voted = case.done(15, at)
    candidate = case.done(7, at)
    if voted is None and candidate is None:
        return []
    if not case.leaving_recorded:
        return None
    leaving = case.expected_leaving_on
    if leaving is None:
        return []
    when = voted or at
    if when <= leaving <= add_months(when, months):
        what = f"支部大会讨论接收（{voted.isoformat()}）" if voted else "该发展对象"
        return [
            _finding(
                spec,
                case,
                f"{what}后 {months} 个月内（{leaving.isoformat()}）将离开本单位，"
                "一般不在本单位发展",
                {"expected_leaving_on": leaving, "step_15": voted, "at": when},
                severity="warning",
            )
        ]
    return []


@recruit_rule(
    RuleSpec(
        "RECRUIT-APPROVER-AUTHORITY",
        "审批党委须有审批权限",
        "national",
        "细则; 12371 Q&A",
    )
)
def recruit_approver_authority(case: Case, at: dt.date) -> list[Finding] | None:
    """A 党总支 cannot approve admission; neither can a 基层党委 under a 乡镇/街道 党委."""
    spec = RECRUIT_RULES["RECRUIT-APPROVER-AUTHORITY"][0]
    reached = case.done(13, at) or case.done(17, at)
    if case.approver_type is None:
        return None if reached else []
    problems: list[str] = []
    who = case.approver or "审批组织"
    if case.approver_name:
        who = f"{case.approver_name}（{case.approver}）" if case.approver else case.approver_name
    if case.approver_type not in APPROVER_TYPES:
        problems.append(f"{who}是{case.approver_type}，没有审批接收预备党员的权限")
    if case.approver_under_town:
        problems.append(f"{who}隶属于乡镇/街道党委，应由乡镇/街道党委审批")
    if case.approver_under_town is None and case.approver_type in APPROVER_TYPES and reached:
        return None
    if not problems:
        return []
    return [
        _finding(
            spec,
            case,
            "；".join(problems),
            {
                "approver": case.approver,
                "approver_type": case.approver_type,
                "approver_under_town": case.approver_under_town,
                "step_17": case.done(17, at),
            },
        )
    ]


@recruit_rule(
    RuleSpec(
        "RECRUIT-ARCHIVE",
        "转正后及时归档",
        "local default",
        "local practice",
        {"days": 7},
    )
)
def recruit_archive(case: Case, at: dt.date) -> list[Finding] | None:
    """Documents archived (step 25) within 1 week (local default) of the conversion approval
    (step 24): a warning when late, ``due`` while pending."""
    spec = RECRUIT_RULES["RECRUIT-ARCHIVE"][0]
    approved = case.done(24, at)
    if approved is None:
        return []
    days = params(spec)["days"]
    limit = approved + dt.timedelta(days=days)
    archived = case.done(25, at)
    evidence: dict[str, Any] = {"step_24": approved, "deadline": limit}
    if archived is not None:
        if archived > limit:
            evidence["step_25"] = archived
            return [
                _finding(
                    spec,
                    case,
                    f"材料归档于 {archived.isoformat()}，晚于期限 {limit.isoformat()}"
                    f"（转正审批后 {days} 天）",
                    evidence,
                    severity="warning",
                )
            ]
        return []
    if at > limit:
        return [
            _finding(
                spec,
                case,
                f"材料归档已逾期：期限 {limit.isoformat()}，至 {at.isoformat()} 尚未归档",
                evidence,
                severity="warning",
            )
        ]
    return [
        _finding(
            spec,
            case,
            f"材料应于 {limit.isoformat()} 前归档",
            evidence,
            severity="due",
            due_date=limit,
        )
    ]


PLAN_SPEC = RuleSpec(
    "RECRUIT-PLAN",
    "在年度发展党员计划内发展",
    "national practice",
    "seed 004; 细则 art. 3",
    {"groups_due": True},
)


def plan_findings(
    org: str,
    year: int,
    quota: int,
    groups: Mapping[str, int],
    admitted: int,
    admitted_by_group: Mapping[str, int],
    at: dt.date,
) -> list[Finding]:
    """RECRUIT-PLAN for one organization and year from aggregated figures (set-based over the
    database, or counted from JSON cases): admissions over the plan are an error; over a
    priority group's separate quota a warning; a group quota not used is ``due`` until the end
    of the year and a warning after it."""
    spec = PLAN_SPEC
    findings: list[Finding] = []
    period = str(year)

    def add(message: str, evidence: dict[str, Any], severity: str, due: dt.date | None = None):
        findings.append(
            Finding(
                rule=spec.id,
                subject=org,
                severity=severity,
                message=message,
                source=spec.source,
                evidence=evidence,
                period=period,
                due_date=due,
            )
        )

    if admitted > quota:
        add(
            f"{year} 年接收预备党员 {admitted} 名，超出年度计划 {quota} 名",
            {"year": year, "quota": quota, "admitted": admitted},
            "error",
        )
    year_end = dt.date(year, 12, 31)
    for group, group_quota in sorted(groups.items()):
        got = int(admitted_by_group.get(group, 0))
        evidence = {"year": year, "group": group, "quota": group_quota, "admitted": got}
        if got > group_quota:
            add(
                f"{year} 年{group}接收 {got} 名，超出单列计划 {group_quota} 名",
                evidence,
                "warning",
            )
        elif got < group_quota and params(spec)["groups_due"]:
            if at > year_end:
                add(
                    f"{year} 年{group}单列计划 {group_quota} 名，仅接收 {got} 名",
                    evidence,
                    "warning",
                )
            elif at.year == year:
                add(
                    f"{year} 年{group}单列计划尚余 {group_quota - got} 名",
                    evidence,
                    "due",
                    year_end,
                )
    return findings


def validate_params(rule_id: str, values: Mapping[str, Any]) -> None:
    """Refuse (``ValueError``, Chinese) parameter values the rules cannot use: the notice →
    step map of PUBLICITY, the months of the approval periods and of the conversion vote."""
    where = f"规则 {rule_id} 的本地配置参数"
    if rule_id == "RECRUIT-PUBLICITY-5-WORKDAYS":
        notices = values.get("notices", [])
        if not isinstance(notices, list) or any(n not in PUBLICITY for n in notices):
            raise ValueError(f"{where} notices 应为公示类别的列表：{'、'.join(PUBLICITY)}")
        before = values.get("before", {})
        if not isinstance(before, Mapping):
            raise ValueError(f"{where} before 应为 公示类别 → 步骤号 的对象")
        for key, step in before.items():
            if key not in PUBLICITY:
                raise ValueError(f"{where} before 含未知公示类别：{key}")
            if isinstance(step, bool) or not isinstance(step, int) or step not in STEPS:
                raise ValueError(f"{where} before.{key} 应为步骤号 1–25，实为 {step!r}")
    if rule_id in ("RECRUIT-APPROVAL-3-MONTHS", "RECRUIT-CONVERSION-APPROVAL-3-MONTHS"):
        months, most = values.get("months"), values.get("max_months")
        for name, value in (("months", months), ("max_months", most)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{where} {name} 应为正整数（月数），实为 {value!r}")
        assert isinstance(months, int) and isinstance(most, int)
        if most < months:
            raise ValueError(f"{where} max_months 不能小于 months")
    if rule_id == "RECRUIT-PROBATION-1-YEAR":
        within = values.get("vote_within_months")
        if within is not None and (
            isinstance(within, bool) or not isinstance(within, int) or within < 1
        ):
            raise ValueError(
                f"{where} vote_within_months 应为正整数（月数）或 null，实为 {within!r}"
            )


def all_specs() -> list[RuleSpec]:
    """Every RECRUIT rule spec: the per-case rules, then RECRUIT-PLAN."""
    return [spec for spec, _func in RECRUIT_RULES.values()] + [PLAN_SPEC]


def check_plans(plans: list[Plan], cases: list[Case], at: dt.date) -> list[Finding]:
    """RECRUIT-PLAN over JSON input: admissions (step 17 done in the plan year) of the cases
    whose ``org`` is the plan's organization."""
    findings: list[Finding] = []
    for plan in plans:
        mine = [
            c
            for c in cases
            if c.org == plan.org and (d := c.done(17, at)) is not None and d.year == plan.year
        ]
        by_group: dict[str, int] = {}
        for c in mine:
            by_group[c.priority_group or "其他"] = by_group.get(c.priority_group or "其他", 0) + 1
        findings.extend(
            plan_findings(plan.org, plan.year, plan.quota, plan.groups, len(mine), by_group, at)
        )
    return findings


# --- running -------------------------------------------------------------------------------


#: rule id → why it is not checked when its data is absent (Chinese, shown with the rule)
NOT_CHECKED_REASONS: dict[str, str] = {
    "RECRUIT-AGE-18": "缺少出生日期",
    "RECRUIT-CONTACTS": "没有记录培养联系人",
    "RECRUIT-INTRODUCERS": "没有记录入党介绍人",
    "RECRUIT-POLITICAL-REVIEW": "没有政治审查结论",
    "RECRUIT-TRAINING-3-DAYS": "没有集中培训学时",
    "RECRUIT-PUBLICITY-5-WORKDAYS": "没有公示记录",
    "RECRUIT-VOTE-MAJORITY": "没有支部大会的表决人数",
    "RECRUIT-EXTENSION": "没有延长预备期的记录",
    "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR": "没有积极分子考察记录",
    "RECRUIT-LEAVING-3-MONTHS": "不知道是否预计离开本单位",
    "RECRUIT-APPROVER-AUTHORITY": "不知道审批组织的类别及是否隶属于乡镇/街道党委",
}


@dataclass
class CheckReport:
    """Findings (formats.md shape) plus, per case, the rules its data did not allow to check
    and, for each, the reason (Chinese)."""

    findings: list[Finding] = field(default_factory=list)
    not_checked: dict[str, list[str]] = field(default_factory=dict)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "not_checked": self.not_checked,
            "not_checked_reasons": self.reasons,
        }

    def reason(self, case_id: str, rule_id: str) -> str:
        return self.reasons.get(case_id, {}).get(rule_id) or NOT_CHECKED_REASONS.get(rule_id, "")


def check_case(
    case: Case, at: dt.date, config: Mapping[str, Mapping[str, Any]] | None = None
) -> CheckReport:
    """Evaluate every recruitment rule (the enabled ones, when ``config`` is given) for one case
    as of ``at``."""
    if config is not None:
        with configured(config):
            return check_case(case, at)
    report = CheckReport()
    missing: list[str] = []
    for rule_id in enabled_rules():
        result = RECRUIT_RULES[rule_id][1](case, at)
        if result is None:
            missing.append(rule_id)
        else:
            report.findings.extend(result)
    if missing:
        report.not_checked[case.id] = missing
        report.reasons[case.id] = {
            r: case.reasons.get(r) or NOT_CHECKED_REASONS.get(r, "数据不全") for r in missing
        }
    return report


def check_cases(
    cases: list[Case],
    at: dt.date,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    plans: list[Plan] | None = None,
    *,
    lenient: bool = False,
) -> CheckReport:
    """Evaluate every case; findings in input order, then by rule id; then RECRUIT-PLAN over
    ``plans`` (when given and the rule is enabled). ``lenient``: see :func:`configured`."""
    if config is not None or lenient:
        with configured(config, lenient=lenient):
            return check_cases(cases, at, plans=plans)
    report = CheckReport()
    for case in cases:
        one = check_case(case, at)
        report.findings.extend(sorted(one.findings, key=lambda f: f.rule))
        report.not_checked.update(one.not_checked)
        report.reasons.update(one.reasons)
    if plans and PLAN_SPEC.id in plan_rule_enabled():
        report.findings.extend(check_plans(plans, cases, at))
    return report


def plan_rule_enabled() -> list[str]:
    """``["RECRUIT-PLAN"]`` unless the configuration in force switches it off."""
    config = _CONFIG.get()
    return [PLAN_SPEC.id] if config is None or PLAN_SPEC.id in config else []
