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
- ``priority_group``: 一线工人, 农民, 青年, 高知识群体, 非公企业和社会组织从业人员 or 其他 (PLAN).

The input may also be an object ``{"cases": [...], "plans": [...]}``; each plan is
``{"org": "BR0001", "year": 2025, "quota": 3, "groups": {"青年": 1}}`` and RECRUIT-PLAN compares
it with the admissions (step 17 in that year) of the cases whose ``org`` is the plan's org
(subject = org code, period = the year). Over the database the counts cover the plan
organization's whole subtree (:mod:`dangjian.recruit.selectors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
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

INTRODUCER_STATUSES = {
    "full": "正式党员",
    "probationary": "预备党员",
    "probation_watch": "留党察看",
}
REVIEW_VALUES = ("pass", "fail", "none")
#: publicity key → (Chinese name, the decision step the notice must precede)
PUBLICITY: dict[str, tuple[str, int]] = {
    "activist": ("确定入党积极分子", 3),
    "candidate": ("确定发展对象", 7),
    "admission": ("接收预备党员", 17),
    "conversion": ("预备党员转正", 24),
}
VOTES = {"admission_vote": ("接收预备党员表决", 15), "conversion_vote": ("转正表决", 23)}
#: the priority groups of the annual plan (单列计划), as in the models
PRIORITY_GROUPS = ("一线工人", "农民", "青年", "高知识群体", "非公企业和社会组织从业人员", "其他")
#: organization types with approval authority (dangjian.recruit.authority.APPROVER_TYPES)
APPROVER_TYPES = ("党委", "党工委")
ORG_TYPES = ("党委", "党工委", "党总支", "党支部", "联合党支部", "临时党支部", "党小组")


class CaseError(ValueError):
    """Invalid recruitment input; the message names the case and the field (Chinese)."""


class NotChecked(Exception):
    """Raised by a rule that cannot judge a case for a stated reason (Chinese), e.g. a notice in a
    year the working-day calendar does not know: listed as not checked, the reason in
    :attr:`CheckReport.reasons`."""


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
    reviews: list[dt.date] | None = None
    expected_leaving_on: dt.date | None = None
    #: whether ``expected_leaving_on`` is known (``None`` then means "not leaving")
    leaving_recorded: bool = False
    priority_group: str | None = None

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
        case.contacts = _int(case_id, "contacts", raw["contacts"])
    if raw.get("introducers") is not None:
        items = raw["introducers"]
        if not isinstance(items, list) or any(i not in INTRODUCER_STATUSES for i in items):
            raise CaseError(
                f"{_where(case_id, 'introducers')}：应为列表，取值 full、probationary、"
                f"probation_watch，实为 {items!r}"
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
    if raw.get("priority_group") is not None:
        if raw["priority_group"] not in PRIORITY_GROUPS:
            raise CaseError(
                f"{_where(case_id, 'priority_group')}：应为 {'、'.join(PRIORITY_GROUPS)} 之一，"
                f"实为 {raw['priority_group']!r}"
            )
        case.priority_group = raw["priority_group"]
    return case


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
    """Evaluate rules with ``config`` (rule id → parameters) in force. ``lenient`` (over the
    database) changes nothing today: a notice window in a year the working-day calendar does not
    know makes PUBLICITY-5-WORKDAYS "not checked" with the reason, in files and database alike."""
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
) -> list[Finding]:
    """``end_step`` within ``months`` of ``start_step``: error if late, ``due`` while pending."""
    start = case.done(start_step, at)
    if start is None:
        return []
    limit = add_months(start, months)
    end = case.done(end_step, at)
    evidence: dict[str, Any] = {f"step_{start_step}": start, "deadline": limit}
    if end is not None:
        if end > limit:
            evidence[f"step_{end_step}"] = end
            return [
                _finding(
                    spec,
                    case,
                    f"{what}于 {end.isoformat()}，晚于期限 {limit.isoformat()}"
                    f"（{STEPS[start_step]} {start.isoformat()} 后 {months} 个月）",
                    evidence,
                )
            ]
        return []
    if at > limit:
        return [
            _finding(
                spec,
                case,
                f"{what}已逾期：期限 {limit.isoformat()}，至 {at.isoformat()} 尚未完成",
                evidence,
            )
        ]
    return [
        _finding(
            spec,
            case,
            f"{what}应于 {limit.isoformat()} 前完成",
            evidence,
            severity="due",
            due_date=limit,
        )
    ]


@recruit_rule(RuleSpec("RECRUIT-ORDER", "发展步骤顺序", "national", "细则"))
def recruit_order(case: Case, at: dt.date) -> list[Finding] | None:
    """Steps happen in the order of rules.md §3 (细则): no step dated before an earlier step."""
    spec = RECRUIT_RULES["RECRUIT-ORDER"][0]
    findings: list[Finding] = []
    latest: tuple[int, dt.date] | None = None
    for step in sorted(case.steps):
        day = case.done(step, at)
        if day is None:
            continue
        if latest is not None and day < latest[1]:
            findings.append(
                _finding(
                    spec,
                    case,
                    f"第 {step} 步“{STEPS[step]}”日期 {day.isoformat()} 早于第 {latest[0]} 步"
                    f"“{STEPS[latest[0]]}”日期 {latest[1].isoformat()}",
                    {f"step_{step}": day, f"step_{latest[0]}": latest[1]},
                )
            )
        if latest is None or day >= latest[1]:
            latest = (step, day)
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
    if not 1 <= case.contacts <= params(spec)["max"]:
        return [
            _finding(
                spec,
                case,
                f"培养联系人应为 1–2 名正式党员，实为 {case.contacts} 名",
                {"contacts": case.contacts, "step_5": case.done(5, at)},
            )
        ]
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
        problems.append(f"入党介绍人须为正式党员，有{'、'.join(bad)}")
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
        {"workdays": 5, "notices": list(PUBLICITY)},
    )
)
def recruit_publicity_5_workdays(case: Case, at: dt.date) -> list[Finding] | None:
    """Public notice of at least 5 official working days (with 调休) before each decision."""
    spec = RECRUIT_RULES["RECRUIT-PUBLICITY-5-WORKDAYS"][0]
    required = {k: v for k, v in PUBLICITY.items() if k in params(spec)["notices"]}
    if case.publicity is None:
        reached = any(case.done(step, at) for _label, step in required.values())
        return None if reached else []
    need = params(spec)["workdays"]
    findings: list[Finding] = []
    for key, (label, step) in required.items():
        decided = case.done(step, at)
        window = case.publicity.get(key)
        if window is None:
            if decided is not None:
                findings.append(
                    _finding(
                        spec,
                        case,
                        f"{label}（第 {step} 步 {decided.isoformat()}）前没有公示记录",
                        {"notice": key, f"step_{step}": decided},
                        severity="warning",
                    )
                )
            continue
        first, last = window
        try:
            days = workdays_between(first, last)
        except CalendarRangeError as exc:  # a year no calendar knows: not checked, and why
            raise NotChecked(
                f"{label}公示 {first.isoformat()} 至 {last.isoformat()}：{exc}"
            ) from None
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
                    f"{label}（{decided.isoformat()}）在公示期结束（{last.isoformat()}）前作出",
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
        {"months": 3},
    )
)
def recruit_approval_3_months(case: Case, at: dt.date) -> list[Finding] | None:
    """The upper committee approves (step 17) within 3 months of the branch vote (step 15)."""
    spec = RECRUIT_RULES["RECRUIT-APPROVAL-3-MONTHS"][0]
    return _deadline(
        spec,
        case,
        at,
        start_step=15,
        end_step=17,
        months=params(spec)["months"],
        what="上级党委审批",
    )


@recruit_rule(
    RuleSpec(
        "RECRUIT-PROBATION-1-YEAR",
        "预备期一年",
        "national",
        "细则 art. 32",
        {"months": 12, "due_days": 60},
    )
)
def recruit_probation_1_year(case: Case, at: dt.date) -> list[Finding] | None:
    """Probation is 1 year (plus any extension) from the branch vote; conversion vote after it
    ends (细则 art. 32). An absent extension counts as none."""
    spec = RECRUIT_RULES["RECRUIT-PROBATION-1-YEAR"][0]
    admitted = case.done(15, at)
    if admitted is None:
        return []
    extension = case.probation_extension_months or 0
    ends = add_months(admitted, params(spec)["months"] + extension)
    evidence: dict[str, Any] = {
        "step_15": admitted,
        "extension_months": extension,
        "probation_ends": ends,
    }
    converted = case.done(23, at)
    if converted is not None:
        if converted < ends:
            evidence["step_23"] = converted
            return [
                _finding(
                    spec,
                    case,
                    f"转正表决（{converted.isoformat()}）早于预备期满（{ends.isoformat()}）",
                    evidence,
                )
            ]
        return []
    if at >= ends - dt.timedelta(days=params(spec)["due_days"]):
        return [
            _finding(
                spec,
                case,
                f"预备期于 {ends.isoformat()} 期满，应及时讨论转正",
                evidence,
                severity="due",
                due_date=ends,
            )
        ]
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
        {"months": 3},
    )
)
def recruit_conversion_approval_3_months(case: Case, at: dt.date) -> list[Finding] | None:
    """Conversion approved (step 24) within 3 months of the conversion vote (step 23)."""
    spec = RECRUIT_RULES["RECRUIT-CONVERSION-APPROVAL-3-MONTHS"][0]
    return _deadline(
        spec,
        case,
        at,
        start_step=23,
        end_step=24,
        months=params(spec)["months"],
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
    end = candidate or at
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
    elif at > limit:
        findings.append(
            _finding(
                spec,
                case,
                f"积极分子考察已逾期：上次 {anchor.isoformat()}，应于 {limit.isoformat()} 前考察",
                {"since": anchor, "deadline": limit},
            )
        )
    else:
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


@dataclass
class CheckReport:
    """Findings (formats.md shape) plus, per case, the rules its data did not allow to check."""

    findings: list[Finding] = field(default_factory=list)
    not_checked: dict[str, list[str]] = field(default_factory=dict)
    #: case id → rule id → why it was not checked, when the rule said so (:class:`NotChecked`)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """``findings`` and ``not_checked``; ``not_checked_reasons`` only when a rule gave one."""
        data: dict[str, Any] = {
            "findings": [f.as_dict() for f in self.findings],
            "not_checked": self.not_checked,
        }
        if self.reasons:
            data["not_checked_reasons"] = self.reasons
        return data


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
        try:
            result = RECRUIT_RULES[rule_id][1](case, at)
        except NotChecked as exc:
            report.reasons.setdefault(case.id, {})[rule_id] = str(exc)
            result = None
        if result is None:
            missing.append(rule_id)
        else:
            report.findings.extend(result)
    if missing:
        report.not_checked[case.id] = missing
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
