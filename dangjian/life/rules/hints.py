"""Formalism hints for upper levels (形式主义线索): findings with evidence for a human to judge,
never penalties and never part of the LIFE compliance. Their thresholds are the parameters of
the three ``HINT-*`` rules registered here (family HINT, not in rules.md, not run by the rules
checker), configurable like every rule in ``DANGJIAN_RULES``.

- ``HINT-COPIED-MINUTES``: minutes that are near-duplicates of another record's (of another
  branch, or of the same branch's earlier minutes). Candidates are pairs sharing a sentence
  that few records share (not set phrases such as "会议由支部书记主持"); each candidate pair is
  then compared on character 5-gram shingles (Jaccard similarity ≥ ``threshold``). The
  candidates come from the MinHash signatures, LSH band keys and sentence index stored when
  the records are written (:mod:`dangjian.life.signatures`), so only the candidates' texts are
  read; without them (records not yet signed) every text is read and indexed by sentence.
- ``HINT-END-OF-PERIOD``: a branch whose meetings nearly all fall on the last three days of
  their month (one grouped query with a filtered count per month).
- ``HINT-SAME-ATTENDANCE``: the same expected and present figures at every meeting of the year
  (one grouped query with distinct counts).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.orgs.selectors import orgs_for
from dangjian.rules.params import params_on
from dangjian.rules.registry import REGISTRY, Context, Finding, RuleSpec, register_family, rule

from ..models import Meeting

SOURCE = "形式主义线索（本项目，供人工核实）"
register_family("HINT", "形式主义线索", section=90, source=SOURCE)

COPIED_MINUTES = RuleSpec(
    "HINT-COPIED-MINUTES",
    "会议记录与其他记录高度相似（供人工核实）",
    "local default",
    SOURCE,
    {
        "threshold": 0.8,
        "shingle": 5,
        "min_chars": 40,
        "max_sentence_df": 20,
        "max_sentence_share": 0.0005,
    },
)
END_OF_PERIOD = RuleSpec(
    "HINT-END-OF-PERIOD",
    "会议集中在每月最后三天（供人工核实）",
    "local default",
    SOURCE,
    {"cluster_min_meetings": 8, "cluster_share": 0.8},
)
SAME_ATTENDANCE = RuleSpec(
    "HINT-SAME-ATTENDANCE",
    "全年每次会议实到人数相同（供人工核实）",
    "local default",
    SOURCE,
    {"same_min_meetings": 6, "same_min_expected": 8},
)
_SPLIT = re.compile(r"[。！？；;!?\n]+")
_DROP = re.compile(r"[\s，,、：:“”\"'（）()《》·—\-]+")


@dataclass(frozen=True)
class HintScope:
    """The facts a hint rule searches: the meetings of ``year`` of the organizations under the
    materialized path ``prefix`` ("" for the whole tree)."""

    prefix: str
    year: int

    def meetings(self) -> QuerySet[Meeting]:
        qs = Meeting.objects.filter(held_on__year=self.year)
        return qs.filter(org__path__startswith=self.prefix) if self.prefix else qs


def _normal(text: str) -> str:
    return _DROP.sub("", text)


_DIGITS = re.compile(r"\d+")


def _sentences(text: str) -> set[int]:
    """Hashes of the sentences (numbers blanked: figures alone do not make a sentence rare)."""
    out = set()
    for part in _SPLIT.split(text):
        part = _DIGITS.sub("#", _normal(part))
        if len(part) >= 8:
            out.add(zlib.crc32(part.encode("utf-8")))
    return out


def _shingles(text: str, k: int) -> set[int]:
    text = _normal(text)
    return {zlib.crc32(text[i : i + k].encode("utf-8")) for i in range(max(1, len(text) - k + 1))}


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _scope(actor: Actor, org_code: str | None) -> str:
    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    if prefix is None:
        raise Http404("没有查看检查结果的权限")
    if org_code:
        root = orgs_for(actor, Perm.FINDING_VIEW).filter(code=org_code).first()
        if root is None:
            raise Http404("组织不存在或不在您的管辖范围内")
        prefix = root.path
    return prefix


@rule(COPIED_MINUTES)
def hint_copied_minutes(scope: HintScope, ctx: Context) -> list[Finding]:
    """Records of the scope's year whose minutes nearly duplicate an earlier record's; one hint
    per record, naming the earliest such record.

    The candidates come from the minutes' MinHash signatures stored on write
    (:mod:`dangjian.life.signatures`: records sharing an LSH band key whose signatures agree
    nearly as much as the threshold asks), and only their texts are read. While some record of
    the scope has no signature yet (before ``dangjian rollups rebuild`` after an upgrade) or the
    ``shingle`` differs from the signatures', every text is read and the candidates are the
    records sharing a rare sentence: one found in more records than ``max_sentence_df`` (or
    than ``max_sentence_share`` of them) is a set phrase, not evidence of copying."""
    from dangjian.life import signatures

    p = ctx.params
    signed = p["shingle"] == signatures.SHINGLE and not (
        scope.meetings().filter(minutes_signature__isnull=True).exists()
    )
    if signed:
        rows, pairs, texts = _signature_candidates(scope, p)
    else:
        rows, pairs, texts = _sentence_candidates(scope, p)
    shingles: dict[int, set[int]] = {}

    def of(index: int) -> set[int]:
        if index not in shingles:
            shingles[index] = _shingles(texts[rows[index][0]], p["shingle"])
        return shingles[index]

    findings = []
    # one hint per record, naming the earliest record it resembles (records are in date order,
    # so copies of one original point at the original, not at each other)
    matched: set[int] = set()
    for a, b in sorted(pairs):
        if b in matched:
            continue
        score = jaccard(of(a), of(b))
        if score < p["threshold"]:
            continue
        matched.add(b)
        first, later = rows[a], rows[b]
        same = first[1] == later[1]
        findings.append(
            Finding(
                rule="HINT-COPIED-MINUTES",
                subject=later[1],
                severity="warning",
                message=(
                    f"{later[4]} {later[3]}的记录与"
                    f"{'本支部' if same else first[2]} {first[4]} {first[3]}的记录"
                    f"高度相似（相似度 {score:.0%}），请核实是否照抄"
                ),
                source=SOURCE,
                evidence={
                    "similarity": round(score, 3),
                    "meeting_id": later[0],
                    "other_meeting_id": first[0],
                    "other_org": first[1],
                    "same_org": same,
                },
                period=f"{later[4].year}-{later[4].month:02d}",
            )
        )
    return findings


#: (pk, org code, org name, type, date) of the records compared, in date order
Row = tuple[int, str, str, str, dt.date]


def _signature_candidates(
    scope: HintScope, p: Mapping[str, Any]
) -> tuple[list[Row], set[tuple[int, int]], dict[int, str]]:
    """The records of the scope with long enough minutes (no text read) and the pairs of them
    (indexes, earlier first) that :func:`_sentence_candidates` would compare and that may reach
    the threshold, from what was stored on write: sharing a sentence found in at most
    ``max_df`` records of the scope (the sentence index), sharing an LSH band key, and with
    signatures agreeing on at least ``threshold - MARGIN`` of their positions; with the
    minutes of the records in those pairs, the only texts read."""
    from dangjian.life import signatures

    qs = scope.meetings().filter(minutes_signature__chars__gte=p["min_chars"])
    rows: list[Row] = list(
        qs.order_by("held_on", "pk").values_list(
            "pk", "org__code", "org__name", "meeting_type", "held_on"
        )
    )
    index = {row[0]: i for i, row in enumerate(rows)}
    max_df = max(p["max_sentence_df"], int(len(rows) * p["max_sentence_share"]))
    rare = signatures.rare_sentence_pairs(scope.year, scope.prefix, p["min_chars"], max_df)
    shared = signatures.band_sharing((a, b) for a, b in rare if a in index and b in index)
    signed = signatures.stored(x for pair in shared for x in pair)
    floor = p["threshold"] - signatures.MARGIN
    pairs = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in signatures.agreeing(shared, signed, floor)
    }
    wanted = sorted({rows[i][0] for pair in pairs for i in pair})
    texts: dict[int, str] = {}
    for start in range(0, len(wanted), 2000):
        texts.update(
            Meeting.objects.filter(pk__in=wanted[start : start + 2000]).values_list("pk", "minutes")
        )
    return rows, pairs, texts


def _sentence_candidates(
    scope: HintScope, p: Mapping[str, Any]
) -> tuple[list[Row], set[tuple[int, int]], dict[int, str]]:
    """Every record of the scope with long enough minutes and its text, and the pairs sharing
    a sentence found in at least 2 and at most ``max_df`` records."""
    qs = scope.meetings().annotate(chars=Length("minutes")).filter(chars__gte=p["min_chars"])
    full = list(
        qs.order_by("held_on", "pk").values_list(
            "pk", "org__code", "org__name", "meeting_type", "held_on", "minutes"
        )
    )
    rows: list[Row] = [r[:5] for r in full]
    texts = {r[0]: r[5] for r in full}
    postings: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(full):
        for sentence in _sentences(row[5]):
            postings[sentence].append(index)
    pairs: set[tuple[int, int]] = set()
    max_df = max(p["max_sentence_df"], int(len(rows) * p["max_sentence_share"]))
    for docs in postings.values():
        if 2 <= len(docs) <= max_df:
            for i, a in enumerate(docs):
                for b in docs[i + 1 :]:
                    pairs.add((a, b))
    return rows, pairs, texts


@rule(END_OF_PERIOD)
def hint_end_of_period(scope: HintScope, ctx: Context) -> list[Finding]:
    """Branches whose meetings nearly all fall on the last three days of their month."""
    p, year = ctx.params, scope.year
    qs = scope.meetings()
    late_in_month = Q()
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        late_in_month |= Q(
            held_on__gte=dt.date(year, month, last - 2), held_on__lte=dt.date(year, month, last)
        )
    rows = (
        qs.order_by()
        .values("org__code")
        .annotate(total=Count("id"), at_end=Count("id", filter=late_in_month))
        .filter(total__gte=p["cluster_min_meetings"])
    )
    out = []
    for row in rows.order_by("org__code"):
        share = row["at_end"] / row["total"]
        if share >= p["cluster_share"]:
            out.append(
                Finding(
                    rule="HINT-END-OF-PERIOD",
                    subject=row["org__code"],
                    severity="warning",
                    message=(
                        f"{year} 年 {row['total']} 次会议中有 {row['at_end']} 次"
                        f"（{share:.0%}）集中在每月最后三天，请核实是否月底集中补开或补记"
                    ),
                    source=SOURCE,
                    evidence={"meetings": row["total"], "at_month_end": row["at_end"]},
                    period=str(year),
                )
            )
    return out


@rule(SAME_ATTENDANCE)
def hint_same_attendance(scope: HintScope, ctx: Context) -> list[Finding]:
    """Branches reporting the same expected and present figures at every meeting of the year."""
    p, year = ctx.params, scope.year
    qs = scope.meetings().filter(expected__isnull=False, present__isnull=False)
    rows = (
        qs.order_by()
        .values("org__code")
        .annotate(
            n=Count("id"),
            presents=Count("present", distinct=True),
            expecteds=Count("expected", distinct=True),
        )
        .filter(n__gte=p["same_min_meetings"], presents=1, expecteds=1)
    )
    codes = [r["org__code"] for r in rows]
    figures = dict(
        qs.filter(org__code__in=codes, expected__gte=p["same_min_expected"])
        .order_by()
        .values_list("org__code", "present")
        .distinct()
    )
    counts = {r["org__code"]: r["n"] for r in rows}
    out = []
    for code in sorted(figures):
        out.append(
            Finding(
                rule="HINT-SAME-ATTENDANCE",
                subject=code,
                severity="warning",
                message=(
                    f"{year} 年 {counts[code]} 次会议的实到人数都是 {figures[code]} 人，"
                    "请核实出席情况是否如实登记"
                ),
                source=SOURCE,
                evidence={"meetings": counts[code], "present": figures[code]},
                period=str(year),
            )
        )
    return out


def hint_findings(
    rule_id: str, actor: Actor, *, year: int, org_code: str | None = None
) -> list[Finding]:
    """The hints of rule ``rule_id`` over ``year`` in the actor's scope (or ``org_code``'s
    subtree), with the rule's parameters in force at the end of the year."""
    spec, func = REGISTRY[rule_id]
    at = dt.date(year, 12, 31)
    scope = HintScope(_scope(actor, org_code), year)
    found: list[Finding] = func(scope, Context(at=at, spec=spec, params=params_on(rule_id, at)))
    return found


def copied_minutes(actor: Actor, *, year: int, org_code: str | None = None) -> list[Finding]:
    """HINT-COPIED-MINUTES in the actor's scope (see :func:`hint_copied_minutes`)."""
    return hint_findings(COPIED_MINUTES.id, actor, year=year, org_code=org_code)


def end_of_period(actor: Actor, *, year: int, org_code: str | None = None) -> list[Finding]:
    """HINT-END-OF-PERIOD in the actor's scope (see :func:`hint_end_of_period`)."""
    return hint_findings(END_OF_PERIOD.id, actor, year=year, org_code=org_code)


def same_attendance(actor: Actor, *, year: int, org_code: str | None = None) -> list[Finding]:
    """HINT-SAME-ATTENDANCE in the actor's scope (see :func:`hint_same_attendance`)."""
    return hint_findings(SAME_ATTENDANCE.id, actor, year=year, org_code=org_code)


def formalism_hints(actor: Actor, *, year: int, org_code: str | None = None) -> list[Finding]:
    """All three kinds of hints, sorted by subject then rule."""
    found = [
        f
        for spec in (COPIED_MINUTES, END_OF_PERIOD, SAME_ATTENDANCE)
        for f in hint_findings(spec.id, actor, year=year, org_code=org_code)
    ]
    found.sort(key=lambda f: (f.subject, f.rule, f.period or ""))
    return found
