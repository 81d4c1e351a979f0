"""Organization setup rules (组织设置, ``SETUP-*`` of rules.md §1), registered with the rules
engine when the orgs app is ready (this module is a domain module: it reads the members' facts).

Each rule is a small pure function ``(facts, ctx)`` named after its rule id. It reads the
:class:`OrgFacts` of one organization and, from the engine's :class:`Context`, the date ``at``
and its parameters in force then (the spec's defaults unless configured locally, see
:mod:`dangjian.rules.params`) and returns a :class:`Finding` or ``None``;
the facts come from set-based queries in :mod:`dangjian.orgs.facts`. Severity: a broken national
rule is an ``error``, a soft rule a ``warning``, something to do before a coming deadline ``due``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers
from dangjian.core import dates
from dangjian.members.models import Member
from dangjian.rules.registry import (
    Context,
    Finding,
    RuleSpec,
    register_family,
    register_not_checked,
    rule,
)
from dangjian.rules.runner import (
    CheckRequest,
    CheckResult,
    evaluate,
    register_checker,
    register_preparer,
    resolve_rules,
)

from .choices import BRANCH_TYPES, NO_TERM_TYPES, ROLL_TYPES, OrgType
from .facts import OrgFacts, collect_facts, prepare_scope, scope_facts
from .models import Organization, rule_params, term_years_default, term_years_for

register_family("SETUP", "组织设置", section=1, source="rules.md §1 默认值（支部条例、选举条例）")


# date arithmetic repeats over the same few thousand dates in a whole-city run: memoize it
add_months = functools.lru_cache(maxsize=65536)(dates.add_months)


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def _finding(
    spec: RuleSpec,
    facts: OrgFacts,
    severity: str,
    message: str,
    evidence: dict[str, Any],
    *,
    due_date: dt.date | None = None,
    source: str | None = None,
) -> Finding:
    return Finding(
        rule=spec.id,
        subject=facts.code,
        severity=severity,
        message=message,
        source=source or spec.source,
        evidence=evidence,
        due_date=due_date,
    )


def _is_branch(facts: OrgFacts) -> bool:
    return facts.org_type in BRANCH_TYPES


def _has_roll(facts: OrgFacts) -> bool:
    """A 党支部 or 联合党支部: the rules judge it from its member roll."""
    return facts.org_type in ROLL_TYPES


def _is_temp(facts: OrgFacts) -> bool:
    """A 临时党支部: no roll (members keep their own branches); judged, where a rule says so,
    from the participants recorded on it, and only when some are recorded."""
    return facts.org_type == OrgType.TEMP_BRANCH


# --- size and structure ------------------------------------------------------------------

BRANCH_MIN_FULL = RuleSpec(
    "SETUP-BRANCH-MIN-FULL",
    "党支部正式党员不少于 3 名",
    "national",
    "支部条例 art. 4–5",
    {"min_full": 3},
)


@rule(BRANCH_MIN_FULL)
def setup_branch_min_full(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A 党支部 needs at least 3 full members; a unit with fewer joins a 联合党支部.

    Source: 《中国共产党支部工作条例（试行）》 art. 4–5. Probationary members do not count, nor
    do members who left the party (出党, 死亡 …) by ``at``.

    A 临时党支部 keeps no roll: it is judged from its participants on ``at`` (their full
    members), only when participants are recorded, and as a warning — it is set up for a task
    and ends with it, the three-member minimum is a guide for it, not a setup error.
    """
    params = ctx.params
    minimum = params["min_full"]
    if _is_temp(facts):
        if not facts.participants or facts.participants_full >= minimum:
            return None
        note = (
            f"（另有预备党员 {facts.participants_probationary} 名，不计入）"
            if facts.participants_probationary
            else ""
        )
        return _finding(
            BRANCH_MIN_FULL,
            facts,
            "warning",
            f"临时党支部登记的参加人员中正式党员 {facts.participants_full} 名，"
            f"少于 {minimum} 名{note}",
            {
                "participants_full": facts.participants_full,
                "participants": facts.participants,
            },
        )
    if not _has_roll(facts) or facts.full >= minimum:
        return None
    note = f"（另有预备党员 {facts.probationary} 名，不计入）" if facts.probationary else ""
    return _finding(
        BRANCH_MIN_FULL,
        facts,
        "error",
        f"正式党员 {facts.full} 名，少于 {minimum} 名{note}，"
        "应与邻近单位成立联合党支部或调整组织设置",
        {"full_members": facts.full, "probationary_members": facts.probationary},
    )


BRANCH_MAX = RuleSpec(
    "SETUP-BRANCH-MAX",
    "党支部党员一般不超过 50 名",
    "national (soft)",
    "支部条例 art. 4",
    {"max_members": 50},
)


@rule(BRANCH_MAX)
def setup_branch_max(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A 党支部 generally has no more than 50 members; above that a 党总支 may be set up.

    Source: 《中国共产党支部工作条例（试行）》 art. 4 ("一般不超过 50 人"), hence a warning.
    A 临时党支部 is judged from its participants on ``at`` (it keeps no roll).
    """
    params = ctx.params
    maximum = params["max_members"]
    if _is_temp(facts):
        if facts.participants <= maximum:
            return None
        return _finding(
            BRANCH_MAX,
            facts,
            "warning",
            f"临时党支部参加人员 {facts.participants} 名，超过 {maximum} 名，可考虑分设",
            {"participants": facts.participants},
        )
    if not _has_roll(facts) or facts.members <= maximum:
        return None
    return _finding(
        BRANCH_MAX,
        facts,
        "warning",
        f"党员 {facts.members} 名，超过 {maximum} 名，可考虑成立党总支",
        {"members": facts.members, "full_members": facts.full},
    )


GENERAL_BRANCH_SIZE = RuleSpec(
    "SETUP-GENERAL-BRANCH-SIZE",
    "党总支 50–100 名党员，基层党委 100 名以上",
    "national (soft)",
    "机关条例 art. 5–7; 农村条例",
    {"general_min": 50, "general_max": 100, "committee_min": 100},
)


@rule(GENERAL_BRANCH_SIZE)
def setup_general_branch_size(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A 党总支 is set up for 50–100 members, a 基层党委 for 100 or more (whole subtree).

    Source: 《中国共产党党和国家机关基层组织工作条例》 art. 5–7; 农村条例. A soft rule: warning.
    A 党工委 is a dispatched body, not a 基层党委, and is not checked here.
    """
    p = ctx.params
    n = facts.subtree_members
    if facts.org_type == OrgType.GENERAL_BRANCH:
        if p["general_min"] <= n <= p["general_max"]:
            return None
        side = "少于" if n < p["general_min"] else "多于"
        bound = p["general_min"] if n < p["general_min"] else p["general_max"]
        return _finding(
            GENERAL_BRANCH_SIZE,
            facts,
            "warning",
            f"党总支所属党员 {n} 名，{side} {bound} 名（党总支一般为 "
            f"{p['general_min']}–{p['general_max']} 名党员）",
            {"subtree_members": n},
        )
    if facts.org_type == OrgType.COMMITTEE and n < p["committee_min"]:
        return _finding(
            GENERAL_BRANCH_SIZE,
            facts,
            "warning",
            f"党委所属党员 {n} 名，少于 {p['committee_min']} 名（基层党委一般为 "
            f"{p['committee_min']} 名以上党员）",
            {"subtree_members": n},
        )
    return None


COMMITTEE_REQUIRED = RuleSpec(
    "SETUP-COMMITTEE-REQUIRED",
    "正式党员 7 名以上的党支部设支委会（3–5 人，最多 7 人）",
    "national",
    "支部条例 ch. 6",
    {"full_threshold": 7, "min_committee": 3, "max_committee": 7},
)


@rule(COMMITTEE_REQUIRED)
def setup_committee_required(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A branch with 7 or more full members has a 支委会 of 3–5, at most 7 members.

    Source: 《中国共产党支部工作条例（试行）》 ch. 6. A missing committee is an error; a committee
    larger than 7 a warning. Committee members are holders of 书记, 副书记 or a 委员 post.
    Not judged for a 临时党支部: its 书记 and 委员 are designated by the organization that set
    it up, it elects no 支委会.
    """
    p = ctx.params
    if not _has_roll(facts):
        return None
    evidence = {"full_members": facts.full, "committee_posts": facts.committee_posts}
    if facts.full >= p["full_threshold"] and facts.committee_posts < p["min_committee"]:
        return _finding(
            COMMITTEE_REQUIRED,
            facts,
            "error",
            f"正式党员 {facts.full} 名（{p['full_threshold']} 名以上），应设支部委员会，"
            f"但任书记、副书记或委员职务的仅 {facts.committee_posts} 名，"
            f"少于 {p['min_committee']} 名",
            evidence,
        )
    if facts.committee_posts > p["max_committee"]:
        return _finding(
            COMMITTEE_REQUIRED,
            facts,
            "warning",
            f"支部委员会 {facts.committee_posts} 人，超过 {p['max_committee']} 人",
            evidence,
        )
    return None


NO_COMMITTEE_SMALL = RuleSpec(
    "SETUP-NO-COMMITTEE-SMALL",
    "正式党员不足 7 名的党支部不设支委会",
    "national",
    "支部条例 ch. 6",
    {"full_threshold": 7, "min_committee": 3},
)


@rule(NO_COMMITTEE_SMALL)
def setup_no_committee_small(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A branch with fewer than 7 full members has a 书记 (and may have a 副书记), no 支委会.

    Source: 《中国共产党支部工作条例（试行）》 ch. 6. Reported as a warning when 3 or more members
    hold 书记, 副书记 or 委员 posts (formats.md: that is a 支委会). Not judged for a 临时党支部
    (designated leaders, no 支委会 elected).
    """
    p = ctx.params
    if not _has_roll(facts):
        return None
    if facts.full >= p["full_threshold"] or facts.committee_posts < p["min_committee"]:
        return None
    return _finding(
        NO_COMMITTEE_SMALL,
        facts,
        "warning",
        f"正式党员 {facts.full} 名，不足 {p['full_threshold']} 名，不设支部委员会，"
        f"但有 {facts.committee_posts} 名党员任书记、副书记或委员职务",
        {"full_members": facts.full, "committee_posts": facts.committee_posts},
    )


JOINT_BRANCH_UNITS = RuleSpec(
    "SETUP-JOINT-BRANCH-UNITS",
    "联合党支部覆盖单位一般不超过 5 个",
    "national (soft)",
    "支部条例 art. 5",
    {"max_units": 5},
)


@rule(JOINT_BRANCH_UNITS)
def setup_joint_branch_units(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A 联合党支部 generally covers no more than 5 units.

    Source: 《中国共产党支部工作条例（试行）》 art. 5 ("一般不超过 5 个"), hence a warning.
    """
    params = ctx.params
    maximum = params["max_units"]
    units = facts.units_covered
    if facts.org_type != OrgType.JOINT_BRANCH or units is None or units <= maximum:
        return None
    return _finding(
        JOINT_BRANCH_UNITS,
        facts,
        "warning",
        f"联合党支部覆盖 {units} 个单位，超过 {maximum} 个",
        {"units_covered": units},
    )


# --- the secretary -----------------------------------------------------------------------

register_not_checked(
    "SETUP-PROJECT-BRANCH",
    "工期 6 个月以上、正式党员 3 名以上的项目应成立党支部",
    "national",
    "支部条例 art. 5",
    "系统尚无项目及工期数据",
)


SECRETARY_PARTY_AGE = RuleSpec(
    "SETUP-SECRETARY-PARTY-AGE",
    "党支部书记一般应有 1 年以上党龄",
    "national (soft)",
    "支部条例 art. 23",
    {"min_years": 1},
)


@rule(SECRETARY_PARTY_AGE)
def setup_secretary_party_age(facts: OrgFacts, ctx: Context) -> Finding | None:
    """A branch secretary generally has at least 1 year of party age, counted from 转正.

    Source: 《中国共产党支部工作条例（试行）》 art. 23 ("一般应具有 1 年以上党龄"), hence a warning.
    A probationary member has no party age yet. A 临时党支部 is judged by the participant
    designated as its 书记 (it keeps no roll); other organizations not at all (their secretaries
    are not on a member roll here).
    """
    at, params = ctx.at, ctx.params
    years = params["min_years"]
    sec = facts.secretary
    if not _is_branch(facts) or sec is None:
        return None
    if not sec.is_full_at(at):
        return _finding(
            SECRETARY_PARTY_AGE,
            facts,
            "warning",
            f"书记在 {at.isoformat()} 仍为预备党员，尚无党龄（一般应有 {years} 年以上党龄）",
            {"secretary_probationary": True, "secretary_joined_on": sec.joined_on.isoformat()},
        )
    assert sec.confirmed_on is not None
    if add_years(sec.confirmed_on, years) <= at:
        return None
    days = (at - sec.confirmed_on).days
    return _finding(
        SECRETARY_PARTY_AGE,
        facts,
        "warning",
        f"书记党龄不足 {years} 年（{sec.confirmed_on.isoformat()} 转正，"
        f"至 {at.isoformat()} 为 {dates.span_text(sec.confirmed_on, at)}，"
        f"{add_years(sec.confirmed_on, years).isoformat()} 满 {years} 年）",
        {"secretary_confirmed_on": sec.confirmed_on.isoformat(), "party_age_days": days},
    )


SECRETARY_VACANT = RuleSpec(
    "SETUP-SECRETARY-VACANT",
    "书记空缺（超过 3 个月列为软弱涣散）",
    "local default",
    "各地软弱涣散基层党组织认定标准",
    {"weak_after_months": 3},
)


@rule(SECRETARY_VACANT)
def setup_secretary_vacant(facts: OrgFacts, ctx: Context) -> Finding | None:
    """The secretary post is vacant; vacant for more than 3 months marks the branch 软弱涣散.

    Source: local 软弱涣散 standards (3 months is a configurable local default). A 党支部 or
    联合党支部 is vacant when no member on its roll holds 书记 (members who left the party do
    not count) or when ``secretary_vacant_since`` is recorded. A 临时党支部 keeps no roll: it is
    vacant when participants are recorded and none of them is designated 书记, or by the
    recorded date. Other organizations (whose secretaries are not on a member roll here) only
    by the recorded date. Vacant up to 3 months: warning; more than 3 months as of ``at``: error.
    """
    at, params = ctx.at, ctx.params
    months = params["weak_after_months"]
    since = facts.secretary_vacant_since
    if since is not None and since > at:
        since = None  # recorded vacancy starts after the checked date
    judged = _has_roll(facts) or (_is_temp(facts) and facts.participants > 0)
    no_holder = judged and facts.secretary is None
    if since is None and not no_holder:
        return None
    evidence: dict[str, Any] = {
        "secretary_holders": facts.secretaries if judged else None,
        "vacant_since": since.isoformat() if since else None,
    }
    if since is None:
        who = "参加人员中没有指定书记" if _is_temp(facts) else "没有党员担任书记职务"
        return _finding(
            SECRETARY_VACANT,
            facts,
            "warning",
            f"书记空缺：{who}，空缺起始日期未登记",
            evidence,
        )
    weak = add_months(since, months) < at
    evidence["vacant_days"] = (at - since).days
    evidence["weak_and_lax"] = weak
    if weak:
        return _finding(
            SECRETARY_VACANT,
            facts,
            "error",
            f"书记自 {since.isoformat()} 起空缺，已超过 {months} 个月，按标准列为软弱涣散党组织",
            evidence,
        )
    return _finding(
        SECRETARY_VACANT,
        facts,
        "warning",
        f"书记自 {since.isoformat()} 起空缺（{(at - since).days} 天），"
        f"超过 {months} 个月将列为软弱涣散党组织",
        evidence,
    )


# --- terms -------------------------------------------------------------------------------

TERM = RuleSpec(
    "SETUP-TERM",
    "任期年限：基层党委 5 年，党总支、党支部 3 年，村和社区各级组织 5 年",
    "national",
    "任期意见; 支部条例; 农村条例",
    {"committee_years": 5, "branch_years": 3, "village_community_years": 5},
)


def _term(facts: OrgFacts) -> tuple[dt.date, int, dt.date] | None:
    """(started, years, ends) when the term is known; ``None`` for organizations without 换届
    (党工委, 临时党支部, 党小组: :data:`NO_TERM_TYPES`) whatever is recorded on them."""
    if facts.org_type in NO_TERM_TYPES:
        return None
    years = facts.term_years or term_years_default(
        facts.org_type, facts.sector, facts.term_started_on
    )
    if facts.term_started_on is None or years is None:
        return None
    return facts.term_started_on, int(years), add_years(facts.term_started_on, int(years))


@rule(TERM)
def setup_term(facts: OrgFacts, ctx: Context) -> Finding | None:
    """The recorded term length differs from the statutory one for the type and sector.

    Source: 《关于党的基层组织任期的意见》(2018); 支部条例; 农村条例. A warning, not an error: a
    differing record may be a term begun before the 2018 change or an approved adjustment. Not
    for a 党工委 (appointed) or a 临时党支部 (no 换届; a recorded term is ignored).
    """
    params = ctx.params
    expected = term_years_for(facts.org_type, facts.sector, params)
    if facts.term_years is None or expected is None or facts.term_years == expected:
        return None
    return _finding(
        TERM,
        facts,
        "warning",
        f"登记的任期 {facts.term_years} 年，与规定的 {expected} 年不一致（{facts.org_type}，"
        f"{facts.sector}领域）",
        {"term_years": facts.term_years, "expected_years": expected},
    )


TERM_EXPIRING = RuleSpec(
    "SETUP-TERM-EXPIRING",
    "任期届满前 6 个月提醒换届",
    "national practice",
    "旗帜网 支部条例问答",
    {"remind_months": 6},
)


def term_expiring(deadline: dt.date, at: dt.date, params: Mapping[str, Any] | None = None) -> bool:
    """Whether ``deadline`` (a term's end or an approved delay's) falls in the reminder window of
    SETUP-TERM-EXPIRING on ``at``: not before ``at`` and at most ``remind_months`` after it.
    ``params``: the rule's parameters (default: those in force on ``at``)."""
    if params is None:
        params = rule_params(TERM_EXPIRING.id, at)
    return at <= deadline <= add_months(at, params["remind_months"])


@rule(TERM_EXPIRING)
def setup_term_expiring(facts: OrgFacts, ctx: Context) -> Finding | None:
    """Remind the organization and its superior 6 months before the term ends.

    Source: 旗帜网 Q&A on 支部条例 (national practice). ``due`` with ``due_date`` = the term end,
    when the end falls after ``at`` and no later than 6 months after it. With an approved
    election delay (延期换届) the deadline is the delay's new deadline, reminded the same way.
    No 党工委 or 临时党支部 (no 换届).
    """
    at, params = ctx.at, ctx.params
    term = _term(facts)
    if term is None:
        return None
    started, years, ends = term
    delay = facts.delay
    if delay is not None:
        deadline = delay.new_deadline
        if not term_expiring(deadline, at, params):
            return None
        state = f"已于 {ends.isoformat()} 届满" if ends < at else f"将于 {ends.isoformat()} 届满"
        return _finding(
            TERM_EXPIRING,
            facts,
            "due",
            f"本届任期 {years} 年，{state}；{delay.approved_by}于 {delay.approved_on.isoformat()} "
            f"批准延期换届至 {deadline.isoformat()}（还有 {(deadline - at).days} 天），"
            "请按期完成换届",
            {
                "term_started_on": started.isoformat(),
                "term_years": years,
                "ends_on": ends.isoformat(),
                "delay_approved_by": delay.approved_by,
                "delay_approved_on": delay.approved_on.isoformat(),
                "delay_new_deadline": deadline.isoformat(),
            },
            due_date=deadline,
        )
    if not term_expiring(ends, at, params):
        return None
    return _finding(
        TERM_EXPIRING,
        facts,
        "due",
        f"本届任期 {years} 年，将于 {ends.isoformat()} 届满（还有 {(ends - at).days} 天），"
        "请做好换届准备",
        {"term_started_on": started.isoformat(), "term_years": years, "ends_on": ends.isoformat()},
        due_date=ends,
    )


TERM_EXPIRED = RuleSpec(
    "SETUP-TERM-EXPIRED",
    "任期届满未换届",
    "national",
    "选举条例 art. 3",
    {"max_delay_years": 1},
)


@rule(TERM_EXPIRED)
def setup_term_expired(facts: OrgFacts, ctx: Context) -> Finding | None:
    """The term has ended and no election is recorded (a new election moves ``term_started_on``).

    Source: 《中国共产党基层组织选举工作条例》 art. 3: a delay or an advance needs approval and
    is at most 1 year. An approved delay (延期换届, recorded with the approving body, the date
    and the new deadline) makes the expired term no error until the new deadline; after it the
    term is overdue again, counted from the new deadline. No 党工委 (appointed, 派出机关) or
    临时党支部: they have no 换届.
    """
    at, params = ctx.at, ctx.params
    max_delay = params["max_delay_years"]
    term = _term(facts)
    if term is None:
        return None
    started, years, ends = term
    if ends >= at:
        return None
    delay = facts.delay
    if delay is not None and at <= delay.new_deadline:
        return None  # approved delay in force: SETUP-TERM-EXPIRING reminds before its deadline
    overdue = (at - ends).days
    beyond = add_years(ends, max_delay) < at
    evidence: dict[str, Any] = {
        "term_started_on": started.isoformat(),
        "term_years": years,
        "ends_on": ends.isoformat(),
        "overdue_days": overdue,
        "beyond_max_delay": beyond,
    }
    if delay is not None:
        late = (at - delay.new_deadline).days
        message = (
            f"本届任期 {years} 年已于 {ends.isoformat()} 届满，{delay.approved_by}于 "
            f"{delay.approved_on.isoformat()} 批准延期换届至 {delay.new_deadline.isoformat()}，"
            f"已超过延期期限 {late} 天仍未换届"
        )
        evidence.update(
            {
                "delay_approved_by": delay.approved_by,
                "delay_approved_on": delay.approved_on.isoformat(),
                "delay_new_deadline": delay.new_deadline.isoformat(),
                "days_past_delay": late,
            }
        )
    else:
        message = f"本届任期 {years} 年已于 {ends.isoformat()} 届满，逾期 {overdue} 天未换届"
    if beyond:
        message += f"，已超过经批准最多延期 {max_delay} 年的期限"
    return _finding(TERM_EXPIRED, facts, "error", message, evidence)


# --- elections ---------------------------------------------------------------------------

register_not_checked(
    "SETUP-ELECTION-MARGIN",
    "委员、代表候选人差额不少于 20%",
    "national",
    "选举条例 art. 9, 13",
    "系统尚无选举及候选人数据",
)


VOTERS = RuleSpec(
    "SETUP-VOTERS",
    "只有正式党员有表决权和被选举权，预备党员和留党察看党员没有",
    "national",
    "选举条例 art. 5",
)

#: the article that takes the right to be elected from a probationary member, or one whose
#: rights are suspended (shown with every SETUP-VOTERS finding)
VOTERS_ELECTED_SOURCE = "党章 art. 7, 40; 选举条例 art. 5"


@rule(VOTERS)
def setup_voters(facts: OrgFacts, ctx: Context) -> Finding | None:
    """Only full members with full rights vote and may be elected: a 书记, 副书记 or 委员 who on
    ``at`` is a probationary member, or under 留党察看 or 停止党籍, holds a post he could not be
    elected to — an error.

    Source: 《中国共产党基层组织选举工作条例》 art. 5 (voters: full members, not probationary, not
    under 留党察看); 党章 art. 7 (预备党员 have no right to vote, to elect or to be elected) and
    art. 40 (留党察看: no right to vote, elect or be elected). The voters of the branch on ``at``
    (full members without 留党察看 or 停止党籍, members who left the party not counted) are given
    in the evidence. Judged from the roll of a 党支部 or 联合党支部 only: a 临时党支部 holds no
    election (its leaders are designated), other organizations' committees are not on a roll.
    """
    at = ctx.at
    if not _has_roll(facts) or not facts.ineligible:
        return None
    people = "；".join(
        f"{h.name}（{h.post}）" + (f"为{h.why}" if h.why == "预备党员" else f"处于{h.why}期间")
        for h in facts.ineligible
    )
    # 党章 art. 7: 预备党员 have no vote, election or right to be elected; art. 40: nor have
    # members under 留党察看 (and 停止党籍 takes every right)
    whys = {h.why for h in facts.ineligible}
    cited = [
        a for a, hit in (("第七条", "预备党员" in whys), ("第四十条", whys != {"预备党员"})) if hit
    ]
    return _finding(
        VOTERS,
        facts,
        "error",
        f"{at.isoformat()}：{people}，没有选举权和被选举权，不能担任书记、副书记或委员"
        f"（党章{'、'.join(cited)}）；"
        f"本支部有表决权的党员 {facts.voters} 名",
        {
            "ineligible_holders": "；".join(
                f"{h.name}（{h.post}，{h.why}）" for h in facts.ineligible
            ),
            "voters": facts.voters,
            "full_members": facts.full,
        },
        source=VOTERS_ELECTED_SOURCE,
    )


# --- running ---------------------------------------------------------------------------------


def check_setup(
    request: CheckRequest, specs: list[RuleSpec], rule_ids: list[str] | None, result: CheckResult
) -> None:
    """The SETUP checker of the rules engine: the rules over the scope's organizations."""
    subjects = scope_facts(request, result, roll=True)
    result.findings.extend(evaluate(subjects, request.at, specs))


register_preparer(prepare_scope)
register_checker("SETUP", check_setup)


def findings_for_org(
    actor: Actor, org: Organization, *, at: dt.date | None = None
) -> list[Finding]:
    """The SETUP findings whose subject is ``org`` (for its page); 404 outside the scope.

    Reads only the organization itself and its own roll or, for a 党总支 or 党委, the roll of its
    subtree: the same facts a scope-wide run computes for it, so the findings are identical.
    """
    if not covers(actor, Perm.FINDING_VIEW, org.path):
        raise Http404("组织不存在或不在您的管辖范围内")
    at = at or timezone.localdate()
    single = Organization.objects.filter(pk=org.pk)
    if org.org_type in BRANCH_TYPES:
        facts = collect_facts(single, Member.objects.filter(org_id=org.pk), at)
    else:
        subtree = Member.objects.filter(org__path__startswith=org.path)
        facts = collect_facts(single, subtree, at, subtree_total=True)
    return evaluate(facts, at, resolve_rules("SETUP"))
