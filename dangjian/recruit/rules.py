"""The ``RECRUIT-*`` rules of rules.md §3 over recruitment cases (:mod:`dangjian.recruit.case`).

Each rule is one function named after its id, ``(case, ctx) -> list[Finding] | None``: ``ctx``
(the engine's :class:`~dangjian.rules.registry.Context`) carries the checking day, the rule's
spec and its parameters in force. A rule
returns ``None`` when the data it needs is absent from the case although the step it concerns is
done (or the data is needed regardless, e.g. a birth date once the application is in): the rule
is then listed as *not checked* for that case, never passed silently. A rule about a step not
reached yet returns no finding (or a ``due`` one). Steps dated after the check date are treated
as not done yet. VOTE-MAJORITY checks whichever of the two votes is recorded.

Severities: ``error`` for a broken national rule, ``warning`` for a local default or a soft
rule (APPLICATION-6-MONTHS, PUBLICITY-5-WORKDAYS, ARCHIVE, LEAVING-3-MONTHS), ``due`` for a
deadline still ahead.

"When is this due, by which rule, with which parameter" is computed in one place: the public
helpers below (:func:`talk_due`, :func:`activist_earliest`, :func:`candidate_earliest`,
:func:`review_due`, :func:`approval_deadline`, :func:`probation_end`,
:func:`conversion_vote_due`, :func:`probation_due_from`, :func:`archive_due`,
:func:`notice_before`), each taking the rule's parameters in force; the rules use them, and so do
the timeline, the approval queue, the dashboard, the services and the demo.
:func:`params_in_force` gives a rule's parameters on a day (its defaults when switched off).

:func:`check_cases` evaluates the rules as of a date with one configuration (rule id →
parameters in force, see :func:`dangjian.recruit.config.rule_config`; a rule absent from it is
switched off) and returns a :class:`CheckReport`; :func:`dangjian.recruit.config.check` picks the
rule set version per rule by :data:`JUDGED_STEP`.

RECRUIT-PLAN compares each plan with the admissions (step 17 in that year) of the cases whose
``org`` is the plan's org (subject = org code, period = the year). Over the database the counts
cover the plan organization's whole subtree (:mod:`dangjian.recruit.selectors`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.dates import add_months, add_years
from dangjian.core.labels import years_text
from dangjian.rules.params import params_for, params_on, versions
from dangjian.rules.registry import REGISTRY, Context, Finding, RuleSpec, rule

from .calendar import CalendarRangeError, workdays_between
from .case import (
    APPROVER_TYPES,
    INTRODUCER_STATUSES,
    PUBLICITY,
    STEPS,
    VOTES,
    ApprovalExtension,
    Case,
    Plan,
    prerequisites,
)

#: rule id → the step whose date chooses the rule set version that judges it (absent: the
#: checking date); see :func:`dangjian.recruit.config.check`
JUDGED_STEP: dict[str, int] = {
    "RECRUIT-AGE-18": 1,
    "RECRUIT-TALK-1-MONTH": 2,
    "RECRUIT-APPLICATION-6-MONTHS": 3,
    "RECRUIT-CONTACTS": 5,
    "RECRUIT-ACTIVIST-1-YEAR": 7,
    "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR": 7,
    "RECRUIT-INTRODUCERS": 9,
    "RECRUIT-POLITICAL-REVIEW": 10,
    "RECRUIT-TRAINING-3-DAYS": 11,
    "RECRUIT-PREREVIEW": 13,
    "RECRUIT-VOTE-MAJORITY": 15,
    "RECRUIT-APPROVAL-3-MONTHS": 17,
    "RECRUIT-APPROVER-AUTHORITY": 17,
    "RECRUIT-LEAVING-3-MONTHS": 17,
    "RECRUIT-PUBLICITY-5-WORKDAYS": 17,
    "RECRUIT-PROBATION-1-YEAR": 23,
    "RECRUIT-EXTENSION": 24,
    "RECRUIT-CONVERSION-APPROVAL-3-MONTHS": 24,
    "RECRUIT-ARCHIVE": 25,
}


CaseRule = Callable[[Case, Context], "list[Finding] | None"]


# --- the rules -----------------------------------------------------------------------------

_case_rule = rule


def case_rules() -> dict[str, tuple[RuleSpec, CaseRule]]:
    """rule id → (spec, function) of every per-case RECRUIT rule (not RECRUIT-PLAN), from the
    engine's registry, in rules.md's order."""
    return {
        rule_id: (spec, func)
        for rule_id, (spec, func) in REGISTRY.items()
        if spec.family == "RECRUIT" and rule_id != PLAN_SPEC.id
    }


def params_in_force(rule_id: str, on: dt.date | None = None) -> dict[str, Any]:
    """The parameters of ``rule_id`` in force on ``on`` (default: the base configuration); the
    spec's defaults when the rule is switched off (the facts it defines still hold: the
    probation still lasts a year when the check of it is off)."""
    return params_on(rule_id, on)


def rules_in_force(on: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """rule id → parameters in force on ``on`` of every RECRUIT rule, switched on or off (the
    timeline's one read of the configuration; :func:`dangjian.recruit.config.rule_config` says
    which are on)."""
    specs = all_specs()
    chain = versions("RECRUIT", {s.id: s for s in specs}) if on is not None else []
    return {s.id: params_for(s, on, chain)[1] for s in specs}


# --- when things are due (each rule uses these; so do the pages and services) -----------------


def talk_due(applied: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-TALK-1-MONTH: the talk with the applicant is due by this day."""
    return add_months(applied, params["months"])


def activist_earliest(applied: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-APPLICATION-6-MONTHS: the first day the applicant may become an activist."""
    return add_months(applied, params["months"])


def candidate_earliest(activist: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-ACTIVIST-1-YEAR: the first day the activist may become a development candidate."""
    return add_years(activist, params["years"])


def review_every(params: Mapping[str, Any]) -> str:
    """RECRUIT-ACTIVIST-REVIEW-HALF-YEAR's interval in words: "半年" (the default 6 months),
    "一年", else " n 个月" (spaced like the other numbers of a message)."""
    months = int(params["months"])
    return {6: "半年", 12: "一年"}.get(months, f" {months} 个月")


def review_due(last: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-ACTIVIST-REVIEW-HALF-YEAR: the next assessment after ``last`` (the activist
    decision or the last assessment) is due by this day."""
    return add_months(last, params["months"])


def _approval_defaults() -> Mapping[str, Any]:
    return REGISTRY["RECRUIT-APPROVAL-3-MONTHS"][0].params


def approval_deadline(
    vote_on: dt.date,
    extension: ApprovalExtension | None,
    params: Mapping[str, Any] | None = None,
) -> dt.date:
    """RECRUIT-APPROVAL-3-MONTHS / RECRUIT-CONVERSION-APPROVAL-3-MONTHS: the deadline of an
    approval (step 17 or 24) after its vote, with an approved extension (up to ``max_months``
    in all; one decided after the original deadline does not move it). ``params``: the rule's
    parameters in force (default: its defaults)."""
    params = _approval_defaults() if params is None else params
    months, most = int(params["months"]), int(params["max_months"])
    limit = add_months(vote_on, months)
    if extension is None:
        return limit
    if extension.approved_on is not None and extension.approved_on > limit:
        return limit
    return add_months(vote_on, max(months, min(extension.months, most)))


def probation_end(
    vote_on: dt.date, extension_months: int | None, params: Mapping[str, Any]
) -> dt.date:
    """RECRUIT-PROBATION-1-YEAR: the end of probation, ``months`` after the branch vote (step
    15) plus any extension — the member's confirmation day on conversion."""
    return add_months(vote_on, int(params["months"]) + (extension_months or 0))


def conversion_vote_due(ends: dt.date, params: Mapping[str, Any]) -> dt.date | None:
    """RECRUIT-PROBATION-1-YEAR: the conversion vote is due by this day after the end of
    probation (``None`` when ``vote_within_months`` switches this part off)."""
    within = params.get("vote_within_months")
    return add_months(ends, within) if within else None


def probation_due_from(ends: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-PROBATION-1-YEAR: from this day on the end of probation is shown as due."""
    return ends - dt.timedelta(days=params["due_days"])


def archive_due(approved: dt.date, params: Mapping[str, Any]) -> dt.date:
    """RECRUIT-ARCHIVE: the documents are due in the archive by this day after the conversion
    approval (step 24)."""
    return approved + dt.timedelta(days=params["days"])


def notice_before(params: Mapping[str, Any]) -> dict[str, int]:
    """RECRUIT-PUBLICITY-5-WORKDAYS: notice → the step it must end before."""
    return {**{k: step for k, (_l, step) in PUBLICITY.items()}, **params.get("before", {})}


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


def _not_before(
    case: Case,
    ctx: Context,
    *,
    first: int,
    then: int,
    earliest: Callable[[dt.date, Mapping[str, Any]], dt.date],
    message: Callable[[dt.date, dt.date, dt.date], str],
    severity: str = "error",
) -> list[Finding]:
    """Step ``then`` not before the earliest date the rule's parameters allow after step
    ``first``; nothing to say while either step is still open."""
    start, end = case.done(first, ctx.at), case.done(then, ctx.at)
    if start is None or end is None:
        return []
    allowed = earliest(start, ctx.params)
    if end >= allowed:
        return []
    evidence = {f"step_{first}": start, f"step_{then}": end, "earliest": allowed}
    return [_finding(ctx.spec, case, message(start, end, allowed), evidence, severity=severity)]


def _deadline(
    case: Case,
    ctx: Context,
    *,
    start_step: int,
    end_step: int,
    what: str,
    due: Callable[[dt.date], dt.date],
    extensible: bool = False,
) -> list[Finding]:
    """``end_step`` within ``months`` (a parameter of the rule) of ``start_step``: error if
    late, ``due`` while pending.

    When ``extensible``, an approved extension of ``end_step`` (:attr:`Case.approval_extensions`)
    moves the deadline up to ``max_months`` after ``start_step``; an extension beyond that is an
    error of its own (and counts only up to ``max_months``), one decided after the original
    deadline does not move it."""
    spec, at, months = ctx.spec, ctx.at, ctx.params["months"]
    max_months = ctx.params["max_months"] if extensible else None
    start = case.done(start_step, at)
    if start is None:
        return []
    limit = due(start)
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


def _approval(case: Case, ctx: Context, *, vote_step: int, step: int, what: str) -> list[Finding]:
    """The upper committee's approval ``step`` within the months of the rule after the branch
    vote ``vote_step``, or the approved extended period (:func:`approval_deadline`)."""
    return _deadline(
        case,
        ctx,
        start_step=vote_step,
        end_step=step,
        what=what,
        due=lambda day: approval_deadline(day, None, ctx.params),
        extensible=True,
    )


@_case_rule(RuleSpec("RECRUIT-ORDER", "发展步骤顺序", "national", "细则"))
def recruit_order(case: Case, ctx: Context) -> list[Finding] | None:
    """No step dated before a step it depends on (rules.md §3, :data:`DEPENDS_ON`; 细则). Steps
    that do not depend on each other may happen in any order, even against their numbers
    (政审 before 确定入党介绍人, 入党宣誓 before the filing with the organization department).
    One finding per step dated too early, naming every recorded prerequisite it precedes."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(
    RuleSpec("RECRUIT-AGE-18", "申请人年满十八岁", "national", "细则 art. 5", {"years": 18})
)
def recruit_age_18(case: Case, ctx: Context) -> list[Finding] | None:
    """At least 18 on the application date (细则 art. 5)."""
    spec, at = ctx.spec, ctx.at
    applied = case.done(1, at)
    if applied is None:
        return []
    if case.birth_date is None:
        return None
    years = ctx.params["years"]
    turns = add_years(case.birth_date, years)
    if applied < turns:
        return [
            _finding(
                spec,
                case,
                f"递交入党申请书时（{applied.isoformat()}）未满 {years} 周岁"
                f"（{turns.isoformat()} 年满 {years} 周岁）",
                {"birth_date": case.birth_date, "step_1": applied, "turns_18": turns},
            )
        ]
    return []


@_case_rule(
    RuleSpec("RECRUIT-TALK-1-MONTH", "一个月内派人谈话", "national", "细则 art. 7", {"months": 1})
)
def recruit_talk_1_month(case: Case, ctx: Context) -> list[Finding] | None:
    """A talk with the applicant within 1 month of receiving the application (细则 art. 7)."""
    return _deadline(
        case, ctx, start_step=1, end_step=2, what="派人谈话", due=lambda d: talk_due(d, ctx.params)
    )


@_case_rule(
    RuleSpec(
        "RECRUIT-APPLICATION-6-MONTHS",
        "申请满半年方可确定为积极分子",
        "local default",
        "local practice",
        {"months": 6},
    )
)
def recruit_application_6_months(case: Case, ctx: Context) -> list[Finding] | None:
    """Application at least 6 months old before becoming an activist (local practice)."""
    return _not_before(
        case,
        ctx,
        first=1,
        then=3,
        earliest=activist_earliest,
        message=lambda applied, activist, earliest: (
            f"确定入党积极分子（{activist.isoformat()}）时申请未满 {ctx.params['months']} 个月"
            f"（最早 {earliest.isoformat()}）"
        ),
        severity="warning",
    )


@_case_rule(
    RuleSpec("RECRUIT-CONTACTS", "培养联系人 1–2 名", "national", "细则 (step 5)", {"max": 2})
)
def recruit_contacts(case: Case, ctx: Context) -> list[Finding] | None:
    """1–2 full members are named as contacts (培养联系人) for an activist (细则, step 5)."""
    spec, at = ctx.spec, ctx.at
    reached = case.done(5, at) or case.done(3, at)
    if case.contacts is None:
        return None if reached else []
    if reached is None and case.contacts == 0:
        return []
    problems: list[str] = []
    if not 1 <= case.contacts <= ctx.params["max"]:
        problems.append(f"培养联系人应为 1–{ctx.params['max']} 名正式党员，实为 {case.contacts} 名")
    bad = [INTRODUCER_STATUSES[s] for s in case.contact_statuses or [] if s != "full"]
    if bad:
        problems.append(f"培养联系人须为正式党员，有{'、'.join(bad)}")
    if problems:
        evidence: dict[str, Any] = {"contacts": case.contacts, "step_5": case.done(5, at)}
        if case.contact_statuses is not None:
            evidence["contact_statuses"] = case.contact_statuses
        return [_finding(spec, case, "；".join(problems), evidence)]
    return []


@_case_rule(
    RuleSpec(
        "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
        "每半年考察一次积极分子",
        "national",
        "细则 art. 11",
        {"months": 6},
    )
)
def recruit_activist_review_half_year(case: Case, ctx: Context) -> list[Finding] | None:
    """The branch assesses each activist every half year (细则 art. 11): from the activist
    decision (step 3) until the candidate decision (step 7), no gap longer than 6 months
    without an assessment. While still an activist, the next one is ``due``."""
    spec, at = ctx.spec, ctx.at
    months = ctx.params["months"]
    activist = case.done(3, at)
    if activist is None:
        return []
    candidate = case.done(7, at)
    now = case.now(at)
    end = candidate or now
    if case.reviews is None:
        return None if end > review_due(activist, ctx.params) else []
    findings: list[Finding] = []
    anchor = activist
    for review in [r for r in case.reviews if activist <= r <= end]:
        limit = review_due(anchor, ctx.params)
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
    limit = review_due(anchor, ctx.params)
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
                f"积极分子{review_every(ctx.params)}考察应于 {limit.isoformat()} 前进行",
                {"since": anchor, "deadline": limit},
                severity="due",
                due_date=limit,
            )
        )
    return findings


@_case_rule(
    RuleSpec(
        "RECRUIT-ACTIVIST-1-YEAR",
        "积极分子培养一年以上",
        "national",
        "细则 art. 13",
        {"years": 1},
    )
)
def recruit_activist_1_year(case: Case, ctx: Context) -> list[Finding] | None:
    """At least 1 year as an activist before becoming a development candidate (细则 art. 13)."""
    years = ctx.params["years"]
    return _not_before(
        case,
        ctx,
        first=3,
        then=7,
        earliest=candidate_earliest,
        message=lambda activist, candidate, earliest: (
            f"确定为发展对象（{candidate.isoformat()}）时培养考察未满"
            f"{years_text(years)}"
            f"（{activist.isoformat()} 确定为积极分子，最早 {earliest.isoformat()}）"
        ),
    )


@_case_rule(
    RuleSpec("RECRUIT-INTRODUCERS", "两名正式党员作入党介绍人", "national", "党章 art. 5; 细则")
)
def recruit_introducers(case: Case, ctx: Context) -> list[Finding] | None:
    """Two introducers, both full members; not probationary, not under 留党察看 (党章 art. 5)."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(RuleSpec("RECRUIT-POLITICAL-REVIEW", "政治审查合格", "national", "细则"))
def recruit_political_review(case: Case, ctx: Context) -> list[Finding] | None:
    """No admission without a passed political review (细则); only pass/fail is kept."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(
    RuleSpec(
        "RECRUIT-TRAINING-3-DAYS",
        "集中培训不少于 3 天（24 学时）",
        "national",
        "细则 art. 17",
        {"hours": 24},
    )
)
def recruit_training_3_days(case: Case, ctx: Context) -> list[Finding] | None:
    """Centralized training of at least 3 days or 24 class hours before admission (细则 art. 17)."""
    spec, at = ctx.spec, ctx.at
    admitted = case.done(15, at)
    if admitted is None:
        return []
    if case.training_hours is None:
        return None
    if case.training_hours >= ctx.params["hours"]:
        return []
    return [
        _finding(
            spec,
            case,
            f"集中培训 {case.training_hours:g} 学时，少于 {ctx.params['hours']} 学时",
            {"training_hours": case.training_hours, "step_15": admitted},
        )
    ]


@_case_rule(RuleSpec("RECRUIT-PREREVIEW", "上级党委预审", "national", "细则 art. 19"))
def recruit_prereview(case: Case, ctx: Context) -> list[Finding] | None:
    """Pre-review (step 13) by the approving committee before the 入党志愿书 is filled in
    (step 14) (细则 art. 19)."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(
    RuleSpec(
        "RECRUIT-LEAVING-3-MONTHS",
        "三个月内离开本单位的一般不在本单位发展",
        "national (soft)",
        "细则 art. 19",
        {"months": 3},
    )
)
def recruit_leaving_3_months(case: Case, ctx: Context) -> list[Finding] | None:
    """A candidate leaving the unit within 3 months is generally not admitted there (细则
    art. 19): a warning when the branch vote (step 15) — or, for a development candidate not yet
    voted on, the check date — falls within 3 months before the expected leaving date."""
    spec, at = ctx.spec, ctx.at
    months = ctx.params["months"]
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


@_case_rule(
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
def recruit_publicity_5_workdays(case: Case, ctx: Context) -> list[Finding] | None:
    """Public notice of at least 5 official working days (with 调休), ended before the step it
    precedes (``before``: notice → step; by default the activist and candidate decisions, and
    the branch votes on admission and conversion, steps 15 and 23). A notice outside the years
    the working-day calendar knows makes the rule "not checked" for the case, with the reason."""
    spec, at = ctx.spec, ctx.at
    before = notice_before(ctx.params)
    required = {
        k: (label, int(before[k]))
        for k, (label, _s) in PUBLICITY.items()
        if k in ctx.params["notices"]
    }
    if case.publicity is None:
        reached = any(case.done(step, at) for _label, step in required.values())
        return None if reached else []
    need = ctx.params["workdays"]
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


@_case_rule(RuleSpec("RECRUIT-VOTE-MAJORITY", "支部大会表决过半数", "national", "细则 art. 20–22"))
def recruit_vote_majority(case: Case, ctx: Context) -> list[Finding] | None:
    """More than half of those entitled present, and more than half of those entitled voting yes
    (written opinions of absent members count) (细则 art. 20–22)."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(
    RuleSpec(
        "RECRUIT-APPROVAL-3-MONTHS",
        "三个月内审批",
        "national",
        "细则",
        {"months": 3, "max_months": 6},
    )
)
def recruit_approval_3_months(case: Case, ctx: Context) -> list[Finding] | None:
    """The upper committee approves (step 17) within 3 months of the branch vote (step 15); in
    special cases an approved extension allows up to 6 months in all (细则). Past the
    deadline a pending approval is an error."""
    return _approval(case, ctx, vote_step=15, step=17, what="上级党委审批")


@_case_rule(
    RuleSpec(
        "RECRUIT-APPROVER-AUTHORITY",
        "审批党委须有审批权限",
        "national",
        "细则; 12371 Q&A",
    )
)
def recruit_approver_authority(case: Case, ctx: Context) -> list[Finding] | None:
    """A 党总支 cannot approve admission; neither can a 基层党委 under a 乡镇/街道 党委."""
    spec, at = ctx.spec, ctx.at
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


@_case_rule(
    RuleSpec(
        "RECRUIT-PROBATION-1-YEAR",
        "预备期一年",
        "national",
        "细则 art. 32",
        {"months": 12, "due_days": 60, "vote_within_months": 3},
    )
)
def recruit_probation_1_year(case: Case, ctx: Context) -> list[Finding] | None:
    """Probation is 1 year (plus any extension) from the branch vote; conversion vote after it
    ends, and promptly (细则 art. 32: 及时讨论): ``due`` from ``due_days`` before the end, an
    error when no conversion vote is held within ``vote_within_months`` after the end (local
    practice: within a month of the application, at most 3 months; ``null`` switches this part
    off). An absent extension counts as none; once the conversion is decided (step 24) nothing
    is pending any more."""
    spec, at = ctx.spec, ctx.at
    admitted = case.done(15, at)
    if admitted is None:
        return []
    extension = case.probation_extension_months or 0
    ends = probation_end(admitted, extension, ctx.params)
    within = ctx.params.get("vote_within_months")
    limit = conversion_vote_due(ends, ctx.params)
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
    if at >= probation_due_from(ends, ctx.params):
        if at < ends or limit is None:
            text, due = f"预备期于 {ends.isoformat()} 期满，应及时讨论转正", ends
        else:
            text, due = (
                f"预备期已于 {ends.isoformat()} 期满，应于 {limit.isoformat()} 前讨论转正",
                limit,
            )
        return [_finding(spec, case, text, evidence, severity="due", due_date=due)]
    return []


@_case_rule(
    RuleSpec(
        "RECRUIT-EXTENSION",
        "延长预备期 6 个月至 1 年",
        "national",
        "细则 art. 32",
        {"min_months": 6, "max_months": 12},
    )
)
def recruit_extension(case: Case, ctx: Context) -> list[Finding] | None:
    """Probation may be extended once, by at least 6 months and at most 1 year (细则 art. 32)."""
    spec, at = ctx.spec, ctx.at
    months = case.probation_extension_months
    if months is None:
        return None if case.done(15, at) else []
    low, high = ctx.params["min_months"], ctx.params["max_months"]
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


@_case_rule(
    RuleSpec(
        "RECRUIT-CONVERSION-APPROVAL-3-MONTHS",
        "三个月内审批转正",
        "national",
        "细则 art. 33",
        {"months": 3, "max_months": 6},
    )
)
def recruit_conversion_approval_3_months(case: Case, ctx: Context) -> list[Finding] | None:
    """Conversion approved (step 24) within 3 months of the conversion vote (step 23), or the
    approved extended period (at most 6 months in all, as for admission). Past the deadline a
    pending approval is an error."""
    return _approval(case, ctx, vote_step=23, step=24, what="上级党委审批转正")


@_case_rule(
    RuleSpec(
        "RECRUIT-ARCHIVE",
        "转正后及时归档",
        "local default",
        "local practice",
        {"days": 7},
    )
)
def recruit_archive(case: Case, ctx: Context) -> list[Finding] | None:
    """Documents archived (step 25) within 1 week (local default) of the conversion approval
    (step 24): a warning when late, ``due`` while pending."""
    spec, at = ctx.spec, ctx.at
    approved = case.done(24, at)
    if approved is None:
        return []
    days = ctx.params["days"]
    limit = archive_due(approved, ctx.params)
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


@dataclass(frozen=True)
class PlanFigures:
    """An organization's plan of a year and its admissions (in all and per priority group)."""

    org: str
    year: int
    quota: int
    groups: Mapping[str, int]
    admitted: int
    admitted_by_group: Mapping[str, int]


@rule(PLAN_SPEC)
def recruit_plan(plan: PlanFigures, ctx: Context) -> list[Finding]:
    """RECRUIT-PLAN for one organization and year from aggregated figures (set-based over the
    database, or counted from JSON cases): admissions over the plan are an error; over a
    priority group's separate quota a warning; a group quota not used is ``due`` until the end
    of the year and a warning after it."""
    spec, at, params = ctx.spec, ctx.at, ctx.params
    org, year, quota = plan.org, plan.year, plan.quota
    groups, admitted, admitted_by_group = plan.groups, plan.admitted, plan.admitted_by_group
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
        elif got < group_quota and params["groups_due"]:
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


def plan_findings(
    org: str,
    year: int,
    quota: int,
    groups: Mapping[str, int],
    admitted: int,
    admitted_by_group: Mapping[str, int],
    at: dt.date,
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """:func:`recruit_plan` over these figures; ``params``: the rule's parameters in force
    (default: its defaults)."""
    figures = PlanFigures(org, year, quota, groups, admitted, admitted_by_group)
    ctx = Context(at=at, spec=PLAN_SPEC, params=PLAN_SPEC.params if params is None else params)
    return recruit_plan(figures, ctx)


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
    return [spec for spec, _func in case_rules().values()] + [PLAN_SPEC]


def check_plans(
    plans: list[Plan], cases: list[Case], at: dt.date, params: Mapping[str, Any] | None = None
) -> list[Finding]:
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
            plan_findings(
                plan.org, plan.year, plan.quota, plan.groups, len(mine), by_group, at, params
            )
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


def _rules_to_run(
    at: dt.date, config: Mapping[str, Mapping[str, Any]] | None
) -> list[tuple[str, CaseRule, Context]]:
    """(rule id, function, context) of the rules :func:`check_case` evaluates: worked out once
    for many cases (the registry and the parameters are the same for each)."""
    chosen = []
    for rule_id, (rule_spec, func) in case_rules().items():
        if config is not None and rule_id not in config:
            continue
        params = {**rule_spec.params, **(config[rule_id] if config is not None else {})}
        chosen.append((rule_id, func, Context(at=at, spec=rule_spec, params=params)))
    return chosen


def check_case(
    case: Case,
    at: dt.date,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    chosen: list[tuple[str, CaseRule, Context]] | None = None,
) -> CheckReport:
    """Evaluate every recruitment rule for one case as of ``at``: with ``config`` (rule id →
    parameters in force) only the rules it names, with those parameters; else every rule with
    its defaults (``chosen``: those rules, from :func:`_rules_to_run`)."""
    report = CheckReport()
    missing: list[str] = []
    for rule_id, func, ctx in chosen if chosen is not None else _rules_to_run(at, config):
        result = func(case, ctx)
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
) -> CheckReport:
    """Evaluate every case (:func:`check_case`); findings in input order, then by rule id; then
    RECRUIT-PLAN over ``plans`` (when given and the rule is enabled in ``config``). A notice
    window outside the years the holiday calendar knows makes PUBLICITY-5-WORKDAYS "not
    checked" for that case, with the reason."""
    report = CheckReport()
    chosen = _rules_to_run(at, config)
    for case in cases:
        one = check_case(case, at, config, chosen=chosen)
        report.findings.extend(sorted(one.findings, key=lambda f: f.rule))
        report.not_checked.update(one.not_checked)
        report.reasons.update(one.reasons)
    if plans and (config is None or PLAN_SPEC.id in config):
        params = {**PLAN_SPEC.params, **(config or {}).get(PLAN_SPEC.id, {})}
        report.findings.extend(check_plans(plans, cases, at, params))
    return report
