"""The SETUP and LIFE rules as SQL over the snapshot (:mod:`dangjian.batch.snapshot`).

Each covered rule is one ``SELECT`` giving ``(rule_id, org_id, severity, period)`` rows, written
once for both engines: only functions DuckDB and Spark SQL share are used, plus ``add_months``
(Spark's built-in, a macro of the same meaning on DuckDB: the same day ``n`` months later, the
end of the month when that day does not exist, as :func:`dangjian.core.dates.add_months`).

The parameters are those in force on the checking date (:func:`dangjian.rules.params.params_for`)
written into the text as literals; the term length a default term is counted with is the one in
force on the term's first day, as the row path counts it. The periods of the LIFE frequency rules
(month, quarter, year; their deadlines and the founding day that makes an organization judged)
are computed here from the LIFE module's own period functions and given to the engine as a small
table ``periods``; a period's held meetings are the month columns of ``months`` weighted by the
period's months (``w01`` … ``w12``), or ``counted`` (所属年度) for a year.

A rule that the columnar form cannot express is listed, with the reason, in ``not_covered``.
"""

# ruff: noqa: S608  (the SQL is built from the parameters as escaped literals, see lit())

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dangjian.life.choices import SECRETARY_LECTURE_ORG_TYPES
from dangjian.life.rules.checks import check_window, deadline, grace_of, judged_periods
from dangjian.life.rules.params import founded_by
from dangjian.orgs.choices import BRANCH_TYPES, NO_TERM_TYPES, ROLL_TYPES, OrgType, Sector
from dangjian.rules.params import params_for, params_on, versions
from dangjian.rules.registry import RuleSpec

from .snapshot import MAX_HOLDERS, MONTHS

#: what every rule query returns
RESULT_COLUMNS = ("rule_id", "org_id", "severity", "period")

NOT_IN_BATCH = "不在批量引擎中"


@dataclass(frozen=True)
class RuleQuery:
    rule_id: str
    sql: str


@dataclass(frozen=True)
class NotCovered:
    rule_id: str
    reason: str


@dataclass
class Plan:
    """The queries of one run, the rules left out with their reasons and the periods table."""

    queries: list[RuleQuery] = field(default_factory=list)
    not_covered: list[NotCovered] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)


class Uncoverable(Exception):
    """The rule with these parameters has no columnar form (the message says why)."""


def lit(value: Any) -> str:
    """A SQL literal both engines read the same way."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(lit(str(v)) for v in sorted(values)) + ")"


ROLL = f"org_type IN {in_list(ROLL_TYPES)}"
BRANCH = f"org_type IN {in_list(BRANCH_TYPES)}"
TEMP = f"org_type = {lit(OrgType.TEMP_BRANCH.value)}"


def _setup(rule_id: str, severity: str, source: str = "orgs") -> str:
    """One SETUP rule: ``severity`` is a CASE giving the severity or NULL per organization."""
    return (
        f"SELECT {lit(rule_id)} AS rule_id, org_id, severity, "
        f"CAST(NULL AS STRING) AS period FROM (SELECT org_id, {severity} AS severity "
        f"FROM {source} src) t WHERE severity IS NOT NULL"
    )


#: organizations with the members of their whole subtree (``subtree_members``): their own and,
#: added up along the materialized path (4 characters a level) through the small table
#: ``levels`` (k = 1, 2 …), those of every organization below them
WITH_SUBTREE = (
    "(SELECT o.*, o.members + COALESCE(s.n, 0) AS subtree_members FROM orgs o LEFT JOIN "
    "(SELECT substr(x.path, 1, 4 * l.k) AS apath, SUM(x.members) AS n FROM orgs x "
    "JOIN levels l ON l.k < x.depth WHERE x.members > 0 GROUP BY substr(x.path, 1, 4 * l.k)) s "
    "ON s.apath = o.path)"
)


def _term_years(params: Mapping[str, Any]) -> str:
    """:func:`dangjian.orgs.models.term_years_for` as a SQL expression."""
    rural = in_list([Sector.RURAL.value, Sector.COMMUNITY.value])
    return (
        f"CASE WHEN org_type IN {in_list(NO_TERM_TYPES)} THEN NULL "
        f"WHEN sector IN {rural} THEN {int(params['village_community_years'])} "
        f"WHEN org_type = {lit(OrgType.COMMITTEE.value)} THEN {int(params['committee_years'])} "
        f"ELSE {int(params['branch_years'])} END"
    )


def _default_years() -> str:
    """The statutory term in force on the term's first day (the SETUP-TERM parameters by
    version, :func:`dangjian.orgs.models.term_years_default`)."""
    starts = [v.valid_from for v in versions("SETUP")]
    base = _term_years(params_on("SETUP-TERM", dt.date(1, 1, 1)))
    if not starts:
        return base
    parts = [f"WHEN term_started_on < {lit(starts[0])} THEN {base}"]
    for i, start in enumerate(starts):
        expr = _term_years(params_on("SETUP-TERM", start))
        if i + 1 < len(starts):
            parts.append(f"WHEN term_started_on < {lit(starts[i + 1])} THEN {expr}")
        else:
            parts.append(f"ELSE {expr}")
    return "CASE " + " ".join(parts) + " END"


def _with_term_end() -> str:
    """Organizations with a term: its end ``ends`` (recorded or statutory length)."""
    years = (
        "CASE WHEN term_years IS NOT NULL AND term_years <> 0 THEN term_years "
        f"ELSE {_default_years()} END"
    )
    return (
        "(SELECT org_id, delay_new_deadline, add_months(term_started_on, 12 * years) AS ends "
        f"FROM (SELECT org_id, term_started_on, delay_new_deadline, {years} AS years FROM orgs "
        f"WHERE org_type NOT IN {in_list(NO_TERM_TYPES)} AND term_started_on IS NOT NULL) a "
        "WHERE years IS NOT NULL)"
    )


#: the SETUP rules whose severity is a CASE over the ``orgs`` columns (or ``WITH_SUBTREE``)
#: with the rule's integer parameters by name (``{min_full}``) and the organization types
#: (``{ROLL}``, ``{TEMP}``, ``{GENERAL}``, ``{COMMITTEE}``, ``{JOINT}``)
SETUP_CASES: dict[str, tuple[str, str]] = {
    "SETUP-BRANCH-MIN-FULL": (
        "CASE WHEN {TEMP} AND participants > 0 AND participants_full < {min_full} THEN 'warning' "
        "WHEN {ROLL} AND full_members < {min_full} THEN 'error' END",
        "orgs",
    ),
    "SETUP-BRANCH-MAX": (
        "CASE WHEN {TEMP} AND participants > {max_members} THEN 'warning' "
        "WHEN {ROLL} AND members > {max_members} THEN 'warning' END",
        "orgs",
    ),
    "SETUP-GENERAL-BRANCH-SIZE": (
        "CASE WHEN {GENERAL} AND (subtree_members < {general_min} OR "
        "subtree_members > {general_max}) THEN 'warning' "
        "WHEN {COMMITTEE} AND subtree_members < {committee_min} THEN 'warning' END",
        WITH_SUBTREE,
    ),
    "SETUP-COMMITTEE-REQUIRED": (
        "CASE WHEN NOT ({ROLL}) THEN NULL "
        "WHEN full_members >= {full_threshold} AND committee_posts < {min_committee} "
        "THEN 'error' WHEN committee_posts > {max_committee} THEN 'warning' END",
        "orgs",
    ),
    "SETUP-NO-COMMITTEE-SMALL": (
        "CASE WHEN {ROLL} AND full_members < {full_threshold} AND "
        "committee_posts >= {min_committee} THEN 'warning' END",
        "orgs",
    ),
    "SETUP-JOINT-BRANCH-UNITS": (
        "CASE WHEN {JOINT} AND units_covered IS NOT NULL AND units_covered > {max_units} "
        "THEN 'warning' END",
        "orgs",
    ),
    "SETUP-VOTERS": ("CASE WHEN {ROLL} AND ineligible > 0 THEN 'error' END", "orgs"),
}
_TYPES = {
    "ROLL": ROLL,
    "TEMP": TEMP,
    "GENERAL": f"org_type = {lit(OrgType.GENERAL_BRANCH.value)}",
    "COMMITTEE": f"org_type = {lit(OrgType.COMMITTEE.value)}",
    "JOINT": f"org_type = {lit(OrgType.JOINT_BRANCH.value)}",
}


def _from_case(rule_id: str, p: Mapping[str, Any]) -> str:
    template, source = SETUP_CASES[rule_id]
    numbers = {k: int(v) for k, v in p.items() if isinstance(v, int | str) and str(v).isdigit()}
    return _setup(rule_id, template.format(**_TYPES, **numbers), source)


def setup_sql(rule_id: str, p: Mapping[str, Any], at: dt.date) -> str:
    """The SQL of a SETUP rule with the parameters ``p`` in force on ``at``."""
    if rule_id in SETUP_CASES:
        return _from_case(rule_id, p)
    a = lit(at)
    if rule_id == "SETUP-SECRETARY-PARTY-AGE":
        months = 12 * int(p["min_years"])
        return _setup(
            rule_id,
            f"CASE WHEN {BRANCH} AND secretaries > 0 AND secretary_joined_on IS NOT NULL AND "
            f"(secretary_confirmed_on IS NULL OR secretary_confirmed_on > {a} OR "
            f"add_months(secretary_confirmed_on, {months}) > {a}) THEN 'warning' END",
        )
    if rule_id == "SETUP-SECRETARY-VACANT":
        months = int(p["weak_after_months"])
        since = f"CASE WHEN secretary_vacant_since <= {a} THEN secretary_vacant_since END"
        no_holder = (
            f"(({ROLL}) OR ({TEMP} AND participants > 0)) AND "
            "(secretaries = 0 OR secretary_joined_on IS NULL)"
        )
        return _setup(
            rule_id,
            f"CASE WHEN since IS NULL AND no_holder THEN 'warning' "
            f"WHEN since IS NOT NULL AND add_months(since, {months}) < {a} THEN 'error' "
            "WHEN since IS NOT NULL THEN 'warning' END",
            f"(SELECT org_id, {since} AS since, {no_holder} AS no_holder FROM orgs)",
        )
    if rule_id == "SETUP-TERM":
        return _setup(
            rule_id,
            "CASE WHEN term_years IS NOT NULL AND expected IS NOT NULL AND term_years <> expected "
            "THEN 'warning' END",
            f"(SELECT org_id, term_years, {_term_years(p)} AS expected FROM orgs)",
        )
    if rule_id == "SETUP-TERM-EXPIRING":
        limit = lit(_add_months(at, int(p["remind_months"])))
        return _setup(
            rule_id,
            "CASE WHEN delay_new_deadline IS NOT NULL THEN "
            f"CASE WHEN {a} <= delay_new_deadline AND delay_new_deadline <= {limit} "
            "THEN 'due' END "
            f"WHEN {a} <= ends AND ends <= {limit} THEN 'due' END",
            _with_term_end(),
        )
    if rule_id == "SETUP-TERM-EXPIRED":
        return _setup(
            rule_id,
            f"CASE WHEN ends >= {a} THEN NULL "
            f"WHEN delay_new_deadline IS NOT NULL AND {a} <= delay_new_deadline THEN NULL "
            "ELSE 'error' END",
            _with_term_end(),
        )
    raise Uncoverable("批量引擎尚未实现该规则")


def _add_months(day: dt.date, months: int) -> dt.date:
    from dangjian.core.dates import add_months

    return add_months(day, months)


# --- LIFE ----------------------------------------------------------------------------------------

#: frequency rules → the organization types they judge
LIFE_FREQUENCY: dict[str, str] = {
    "LIFE-ASSEMBLY-QUARTERLY": BRANCH,
    "LIFE-COMMITTEE-MONTHLY": f"{BRANCH} AND NOT {TEMP}",
    "LIFE-GROUP-MONTHLY": f"org_type = {lit(OrgType.GROUP.value)}",
    "LIFE-LECTURE-QUARTERLY": BRANCH,
    "LIFE-SECRETARY-LECTURE-YEARLY": f"org_type IN {in_list(SECRETARY_LECTURE_ORG_TYPES)}",
    "LIFE-THEME-DAY-MONTHLY": BRANCH,
    "LIFE-ORG-LIFE-MEETING-YEARLY": BRANCH,
    "LIFE-DEMOCRATIC-REVIEW-YEARLY": BRANCH,
    "LIFE-HEART-TALK-YEARLY": BRANCH,
}

#: LIFE rules that read single records, attendance or standings on a day: no columnar form
LIFE_PER_RECORD = {
    "LIFE-ASSEMBLY-QUORUM": "按每次党员大会的到会人数和当日表决权判断，需逐条会议及出勤记录",
    "LIFE-LATE-ENTRY": "按每条会议记录的录入日期判断，需逐条会议记录",
    "LIFE-ABSENT-6-MONTHS": "按每名党员每次会议的出勤和缺席理由判断，需逐条出勤记录",
}


def life_periods(
    rule_id: str,
    p: Mapping[str, Any],
    at: dt.date,
    since: dt.date,
    scored: tuple[dt.date, dt.date] | None = None,
) -> list[dict[str, Any]]:
    """The rows of the ``periods`` table of a frequency rule (see the module docstring);
    ``scored`` (window start, scoring date): ``scored`` is 1 for the periods an assessment
    counts, those that start in the window and are over by the scoring date."""
    kind = p["frequency"]
    grace = grace_of(p)
    rows = []
    for period in judged_periods(kind, since, at, grace):
        if kind == "year":
            month, day = founded_by(p)
            limit = dt.date(period.start.year, month, day)
        else:
            limit = period.start
        weights = {m: 0 for m in MONTHS}
        if kind != "year":
            for index in period.months:
                weights[MONTHS[index % 12]] = 1
        counts = scored is not None and scored[0] <= period.start and period.end < scored[1]
        rows.append(
            {
                "rule_id": rule_id,
                "label": period.label,
                "kind": kind,
                "year": period.start.year,
                "period_start": period.start,
                "founded_limit": limit,
                "severity": "error" if deadline(period, grace) < at else "due",
                "scored": int(counts),
                "bits": sum(1 << (int(m[1:]) - 1) for m, w in weights.items() if w),
                **{f"w{m[1:]}": w for m, w in weights.items()},
            }
        )
    return rows


PERIODS_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()),
        ("label", pa.string()),
        ("kind", pa.string()),
        ("year", pa.int32()),
        ("period_start", pa.date32()),
        ("founded_limit", pa.date32()),
        ("severity", pa.string()),
        ("scored", pa.int32()),
        ("bits", pa.int32()),
        *[(f"w{m[1:]}", pa.int32()) for m in MONTHS],
    ]
)


def _life_judged(rule_id: str, p: Mapping[str, Any], years: Sequence[int]) -> tuple[str, str]:
    """The ``FROM`` part of a frequency rule whose periods fall in ``years`` (one row ``x, p``
    per organization judged and period) and the expression of the meetings it held.

    The organizations judged are joined once to their row of ``months`` (or ``lectures``) for
    each of the years (one row per organization), then to the rule's periods: a month or
    quarter is met when the month mask has a bit of the period (``min_count`` 1, the default)
    or the weighted month counts reach ``min_count``; a year when ``counted`` does."""
    if rule_id in LIFE_PER_RECORD:
        raise Uncoverable(LIFE_PER_RECORD[rule_id])
    if rule_id not in LIFE_FREQUENCY:
        raise Uncoverable("批量引擎尚未实现该规则")
    types = list(p["types"])
    if len(types) != 1:
        raise Uncoverable(
            "计数多种会议类型时一条记录只计一次，按月汇总表按类型分别计数，无法区分（参数 types "
            "只有一种类型时可批量检查）"
        )
    minimum = int(p["min_count"])
    table = "lectures" if rule_id == "LIFE-SECRETARY-LECTURE-YEARLY" else "months"
    extra = ""
    org_cols = ["o.org_id", "o.founded_on"]
    if rule_id == "LIFE-COMMITTEE-MONTHLY":
        k = int(p["min_committee_posts"])
        if k > MAX_HOLDERS:
            raise Uncoverable(f"快照只记录前 {MAX_HOLDERS} 名委员的任职起始日")
        org_cols += ["o.term_started_on", f"o.holder_from_{k} AS holder_from"]
        extra = (
            " AND (x.term_started_on IS NULL OR x.term_started_on <= p.period_start)"
            " AND x.holder_from IS NOT NULL AND x.holder_from <= p.period_start"
        )
    cols, joins, cases = list(org_cols), [], []
    for i, year in enumerate(years):
        joins.append(
            f"LEFT JOIN {table} m{i} ON m{i}.org_id = o.org_id AND m{i}.year = {int(year)} "
            f"AND m{i}.meeting_type = {lit(types[0])}"
        )
        cols.append(f"COALESCE(m{i}.counted, 0) AS counted{i}")
        if minimum == 1:
            cols.append(f"COALESCE(m{i}.mask, 0) AS mask{i}")
            months = f"CASE WHEN (x.mask{i} & p.bits) <> 0 THEN 1 ELSE 0 END"
        else:
            cols += [f"COALESCE(m{i}.{m}, 0) AS {m}_{i}" for m in MONTHS]
            months = " + ".join(f"x.{m}_{i} * p.w{m[1:]}" for m in MONTHS)
        cases.append(
            f"WHEN {int(year)} THEN CASE WHEN p.kind = 'year' THEN x.counted{i} ELSE {months} END"
        )
    held = f"CASE p.year {' '.join(cases)} ELSE 0 END" if cases else "0"
    orgs_where = LIFE_FREQUENCY[rule_id].replace("org_type", "o.org_type")
    source = (
        f"(SELECT {', '.join(cols)} FROM orgs o {' '.join(joins)} WHERE {orgs_where}) x "
        f"JOIN periods p ON p.rule_id = {lit(rule_id)} "
        f"AND (x.founded_on IS NULL OR x.founded_on <= p.founded_limit){extra}"
    )
    return source, held


def life_sql(rule_id: str, p: Mapping[str, Any], years: Sequence[int]) -> str:
    """The SQL of a frequency rule whose periods fall in ``years``: a finding for every
    organization and period in which it held fewer than ``min_count``."""
    source, held = _life_judged(rule_id, p, years)
    return (
        f"SELECT {lit(rule_id)} AS rule_id, x.org_id AS org_id, p.severity AS severity, "
        f"p.label AS period FROM {source} WHERE {held} < {int(p['min_count'])}"
    )


def life_tally_sql(rule_id: str, p: Mapping[str, Any], years: Sequence[int]) -> str:
    """The tally of a frequency rule over the periods an assessment counts (``p.scored``):
    ``(rule_id, org_id, period, met)`` for every organization judged in such a period, what the
    LIFE checker's compliance tally counts (checked, and met when it held ``min_count``)."""
    source, held = _life_judged(rule_id, p, years)
    return (
        f"SELECT {lit(rule_id)} AS rule_id, x.org_id AS org_id, p.label AS period, "
        f"CASE WHEN {held} >= {int(p['min_count'])} THEN 1 ELSE 0 END AS met "
        f"FROM {source} WHERE p.scored = 1"
    )


def plan(
    specs: Iterable[RuleSpec],
    at: dt.date,
    since: dt.date | None = None,
    scored: tuple[dt.date, dt.date] | None = None,
) -> Plan:
    """The queries of ``specs`` (switched-off rules left out) as of ``at``, LIFE periods from
    ``since`` (default 1 January of the year of ``at``). With ``scored`` (window start, scoring
    date), the LIFE queries are the assessment's tallies (:func:`life_tally_sql`) instead of the
    findings."""
    since = since or dt.date(at.year, 1, 1)
    out = Plan()
    checked_window = False
    for spec in specs:
        enabled, params = params_for(spec, at)
        if not enabled:
            continue
        try:
            if spec.family == "SETUP":
                out.queries.append(RuleQuery(spec.id, setup_sql(spec.id, params, at)))
            elif spec.family == "LIFE":
                if not checked_window:
                    check_window(since, at)
                    checked_window = True
                periods = (
                    life_periods(spec.id, params, at, since, scored)
                    if "frequency" in params
                    else []
                )
                render = life_sql if scored is None else life_tally_sql
                sql = render(spec.id, params, sorted({r["year"] for r in periods}))
                out.periods.extend(periods)
                out.queries.append(RuleQuery(spec.id, sql))
            else:
                raise Uncoverable("批量引擎尚未实现该规则族")
        except Uncoverable as exc:
            out.not_covered.append(NotCovered(spec.id, str(exc)))
    return out
