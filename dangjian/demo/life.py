"""Synthetic records of organizational life for the demo district and the benchmarks.

``seed_meetings`` writes a year of meetings for every branch and 党小组 under a path prefix, the
same for the same ``(year, seed, until)`` and the same organizations. Most branches keep to the
rules; some miss meetings, some enter records late, a few cluster their meetings on the last days
of each period, a few copy minutes from another branch, and a few members stay away for months:
so every LIFE rule and every page has something real to show. Minutes name people on the
branch's own roll (those present, when attendance is taken); copied minutes get the copier's
names. Some branches hold a quarter's 支部党员大会 as that month's 主题党日 and 民主评议党员 at
their 组织生活会 (one record of two types); a few hold the year's 组织生活会 in January of the
next year (所属年度: the year before). Some absences are approved leave with its reason.

The city tier holds about 1.8 million records a year: records are written with ``bulk_create``
in batches, their minutes signed a batch at a time (``sign_bulk``, ``COPY`` on PostgreSQL);
attendance rows (about 20 per record) only when ``attendance`` is on (the demo district), never
for a whole city.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from dangjian.accounts.scope import Actor
from dangjian.core.audit import AuditAction, audit_record
from dangjian.life.choices import (
    SECRETARY_LECTURE_ORG_TYPES,
    AbsenceReason,
    LecturerRole,
    MeetingType,
)
from dangjian.life.models import Attendance, Meeting
from dangjian.life.rollups import counts_of, months_shift
from dangjian.life.signatures import sign_bulk
from dangjian.members.choices import COMMITTEE_POSTS
from dangjian.members.models import Member
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

BATCH = 5000
#: branches whose rolls are read at once (a city's members are never all in memory)
ROLL_CHUNK = 1000
_LEAVE_NOTES = ["外出务工，已向支部书记请假", "参加单位集中培训，已请假", "在外地照顾病人，已请假"]

TOPICS: dict[str, list[str]] = {
    MeetingType.ASSEMBLY: [
        "传达学习上级会议精神",
        "讨论接收预备党员",
        "审议支部年度工作计划",
        "通报党费收缴使用情况",
        "表决确定发展对象",
        "学习贯彻党的创新理论",
    ],
    MeetingType.COMMITTEE: [
        "研究本月支部工作安排",
        "研究发展党员工作",
        "研究主题党日活动方案",
        "研究党员教育管理工作",
        "研究组织生活会准备工作",
        "研究困难党员帮扶工作",
    ],
    MeetingType.GROUP: ["学习党的创新理论", "交流学习体会", "讨论本组工作", "学习党章党规"],
    MeetingType.LECTURE: [
        "党的二十大精神专题党课",
        "党史学习教育专题党课",
        "党纪学习教育专题党课",
        "作风建设专题党课",
        "基层治理专题党课",
    ],
    MeetingType.THEME_DAY: [
        "重温入党誓词",
        "志愿服务进社区",
        "参观红色教育基地",
        "集中学习党章",
        "开展政策宣讲",
        "环境整治志愿活动",
        "走访慰问困难群众",
    ],
    MeetingType.ORG_LIFE: ["年度组织生活会", "专题组织生活会"],
    MeetingType.DEMOCRATIC_REVIEW: ["年度民主评议党员"],
    MeetingType.HEART_TALK: ["支委与党员谈心谈话", "班子成员之间谈心谈话"],
}

_OPENINGS = [
    "会议由支部书记主持。",
    "会议由组织委员主持，支部书记作总结讲话。",
    "会前下发了学习材料，会议按议程进行。",
    "会议在村（社区）党群服务中心召开。",
    "会议采用集中学习与交流发言相结合的方式进行。",
]
_MIDDLES = [
    "与会党员结合本职工作谈了学习体会，{n}名党员作了重点发言。",
    "会议通报了上月工作完成情况，逐项梳理了存在的问题。",
    "大家围绕{topic}进行了讨论，提出意见建议{n}条。",
    "会议学习了有关文件，党员逐一交流了思想和工作情况。",
    "会议对近期群众反映的{issue}问题进行了研究，明确了责任人和完成时限。",
    "书记结合支部实际，对{topic}作了具体部署。",
    "会上对照党章党规查找了差距和不足，并提出整改措施。",
    "会议讨论了{issue}工作，形成一致意见。",
]
_CLOSINGS = [
    "会议要求全体党员把学习成果转化为推动工作的实际成效。",
    "会议强调要抓好各项工作落实，按时完成上级交办任务。",
    "会议要求各党小组做好传达，确保人人知晓。",
    "会后将会议精神向未参会党员进行了传达。",
    "会议最后明确了下一步工作安排。",
]
_ISSUES = ["道路维修", "环境卫生", "矛盾纠纷调解", "养老服务", "停车管理", "农田水利", "安全生产"]


@dataclass
class SeedMeetingsResult:
    year: int
    meetings: int
    attendance: int
    late: int
    seconds: float


class AlreadySeeded(Exception):
    """Records of the year already exist in the scope; seeding refuses to mix data."""


@dataclass
class _Branch:
    pk: int
    code: str
    path: str
    org_type: str
    founded_on: dt.date | None
    committee: int = 0
    roll: int = 0
    profile: str = "good"
    #: the nearest 党委 / 党工委 above (its secretary lectures at some of its branches)
    upper: int | None = None


_FIGURES = re.compile(r"应到\d+人，实到\d+人")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
_GIVEN = "伟刚勇军杰涛斌超明辉磊鹏峰波强亮宏海华飞鑫东剑锋健龙毅丽娜静敏燕艳娟霞丹玲婷颖慧"
_PLACES = ["村委会", "文化广场", "党群服务中心", "老年活动室", "社区服务站", "村东路口", "卫生室"]
_TASKS = ["排查登记", "清理整治", "走访摸底", "宣传动员", "检修维护", "协调解决"]


#: the sentence of the minutes that names people (the seed test reads it back)
SPEAKERS = re.compile(
    r"。([^。，、；]+)、([^。，、；]+)发言提出([^。]*?)会议确定由([^。，、；]+)负责"
)


def meeting_minutes(
    rng: random.Random,
    topic: str,
    expected: int,
    present: int,
    day: dt.date,
    names: list[str],
) -> tuple[str, list[str]]:
    """Minutes of one meeting and the people they name: common phrases plus the specifics
    every real record has (who spoke, which issue, where, by when), so honest records differ
    from each other. ``names`` are those present (or on the roll): only they are named."""
    parts = [rng.choice(_OPENINGS), f"应到{expected}人，实到{present}人。"]
    for text in rng.sample(_MIDDLES, rng.randint(2, 3)):
        parts.append(text.format(topic=topic, n=rng.randint(2, 6), issue=rng.choice(_ISSUES)))
    deadline = day + dt.timedelta(days=rng.randint(5, 40))
    named: list[str] = []
    if len(names) >= 2:
        named = [*rng.sample(names, 2), rng.choice(names)]
        parts.append(
            f"{named[0]}、{named[1]}发言提出{rng.choice(_PLACES)}{rng.choice(_ISSUES)}"
            f"问题，会议确定由{named[2]}负责{rng.choice(_TASKS)}，"
            f"于{deadline.month}月{deadline.day}日前完成。"
        )
    else:
        parts.append(
            f"会上有党员提出{rng.choice(_PLACES)}{rng.choice(_ISSUES)}问题，会议确定由支部"
            f"负责{rng.choice(_TASKS)}，于{deadline.month}月{deadline.day}日前完成。"
        )
    parts.append(rng.choice(_CLOSINGS))
    return "".join(parts), named


def copied_minutes(rng: random.Random, donor: tuple[str, list[str]], names: list[str]) -> str:
    """Another branch's minutes with the people changed to this branch's (the figures are
    changed by the caller): copied, but about people who exist here."""
    text, named = donor
    if not named:
        return text
    own = [*rng.sample(names, 2), rng.choice(names)] if len(names) >= 2 else []

    def swap(match: re.Match[str]) -> str:
        if not own:  # too few people here to name: nobody is named
            return f"。会上有党员提出{match.group(3)}会议确定由支部负责"
        return f"。{own[0]}、{own[1]}发言提出{match.group(3)}会议确定由{own[2]}负责"

    return SPEAKERS.sub(swap, text, count=1)


def _day(rng: random.Random, year: int, month: int, profile: str, fixed: int) -> int:
    last = calendar.monthrange(year, month)[1]
    if profile == "cluster":
        return rng.randint(last - 2, last)
    return max(1, min(last, fixed + rng.randint(-2, 2)))


#: one member of a roll: (pk, joined on, name, out of the party from — or ``None``)
_RollEntry = tuple[int, dt.date, str, dt.date | None]
#: one attendance row: (member pk, present, reason, note)
_Att = tuple[int, bool, str, str]


@dataclass
class _Plan:
    branch: _Branch
    rng: random.Random
    absentees: set[int]
    late_rate: float
    roll: list[_RollEntry]


@dataclass
class _State:
    end: dt.date
    attendance: bool
    donors: list[tuple[str, list[str]]]
    rng_all: random.Random
    pending: list[tuple[Meeting, list[_Att]]]
    total: dict[str, int]


def _on_roll(entry: _RollEntry, day: dt.date) -> bool:
    _pk, joined, _name, left = entry
    return joined <= day and (left is None or day < left)


def _add(
    state: _State,
    plan: _Plan,
    org: _Branch,
    kind: str,
    day: dt.date,
    *,
    also: str = "",
    year: int | None = None,
) -> None:
    """Queue one record of ``org`` (the branch or one of its 党小组) held on ``day``."""
    if day > state.end or (org.founded_on and day < org.founded_on):
        return
    rng, branch = plan.rng, plan.branch
    topic = rng.choice(TOPICS[kind])
    roll = [e for e in plan.roll if _on_roll(e, day)]
    att: list[_Att] = []
    if state.attendance:
        for pk, _joined, _name, _left in roll:
            away = pk in plan.absentees or rng.random() < 0.08
            reason = "" if not away else rng.choice(AbsenceReason.values)
            if pk in plan.absentees:
                reason = rng.choice([AbsenceReason.PERSONAL, AbsenceReason.OTHER])
            note = rng.choice(_LEAVE_NOTES) if reason == AbsenceReason.LEAVE else ""
            att.append((pk, not away, reason, note))
    if att:
        expected, present = len(att), sum(1 for a in att if a[1])
        here = {a[0] for a in att if a[1]}
        names = [name for pk, _j, name, _l in roll if pk in here]
    else:
        expected = len(roll) or branch.roll
        present = max(0, expected - rng.randint(0, max(1, expected // 8)))
        names = [name for _pk, _j, name, _l in roll]
    if branch.profile == "copier" and state.donors and rng.random() < 0.5:
        # copied from another branch, with only the attendance figures and names changed
        copied = copied_minutes(rng, rng.choice(state.donors), names)
        minutes = _FIGURES.sub(f"应到{expected}人，实到{present}人", copied)
    else:
        minutes, named = meeting_minutes(rng, topic, expected, present, day, names)
        if len(state.donors) < 200 and state.rng_all.random() < 0.01:
            state.donors.append((minutes, named))
    delay = rng.randint(31, 90) if rng.random() < plan.late_rate else rng.randint(0, 7)
    entered = min(day + dt.timedelta(days=delay), max(state.end, day))
    late = (entered - day).days > 30
    state.total["late"] += late
    # about 1 in 25 党课 is given by the upper committee's secretary (deterministic, so the
    # branch's random draws stay as they were)
    upper_org = None
    if (
        kind == MeetingType.LECTURE
        and org.upper is not None
        and zlib.crc32(f"{org.pk}:{day.isoformat()}".encode()) % 25 == 0
    ):
        upper_org = org.upper
    meeting = Meeting(
        org_id=org.pk,
        meeting_type=kind,
        also_counts_as=also,
        year=year or day.year,
        lecturer_role=LecturerRole.UPPER_SECRETARY if upper_org else "",
        lecturer_org_id=upper_org,
        held_on=day,
        topic=topic,
        minutes=minutes,
        expected=expected if expected else None,
        present=present if expected else None,
        attendance_taken=bool(att),
        entered_on=entered,
        late=late,
    )
    state.pending.append((meeting, att))
    state.total["meetings"] += 1


@transaction.atomic
def seed_meetings(
    *,
    year: int,
    seed: int = 42,
    until: dt.date | None = None,
    attendance: bool = True,
    prefix: str = "",
    actor: Actor | None = None,
    progress: Callable[[int, int], None] | None = None,
    signatures: bool = True,
) -> SeedMeetingsResult:
    """Write the records of ``year`` (up to ``until``, default 31 December) for every branch
    and 党小组 whose path starts with ``prefix``, in one transaction with one audit entry.
    ``signatures``: sign the minutes (:func:`~dangjian.life.signatures.sign_bulk`, the rows
    every write path stores); without, the near-duplicate hint reads every text of a year
    until ``dangjian rollups rebuild`` signs them."""
    from dangjian.accounts.scope import SYSTEM

    started = time.perf_counter()
    end = min(until or dt.date(year, 12, 31), dt.date(year, 12, 31))
    existing = Meeting.objects.filter(held_on__year=year)
    if prefix:
        existing = existing.filter(org__path__startswith=prefix)
    if existing.exists():
        raise AlreadySeeded(f"{year} 年已有组织生活记录，不再生成（不与已有数据混合）")

    orgs = Organization.objects.filter(org_type__in=[*BRANCH_TYPES, OrgType.GROUP])
    if prefix:
        orgs = orgs.filter(path__startswith=prefix)
    branches = {
        row["pk"]: _Branch(**row)
        for row in orgs.order_by("path").values("pk", "code", "path", "org_type", "founded_on")
    }
    members = Member.objects.filter(joined_on__lte=end)
    if prefix:
        members = members.filter(org__path__startswith=prefix)
    for row in (
        members.order_by()
        .values("org_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(post__in=list(COMMITTEE_POSTS))))
    ):
        if row["org_id"] in branches:
            branches[row["org_id"]].roll = row["n"]
            branches[row["org_id"]].committee = row["c"]
    committees = dict(
        Organization.objects.filter(org_type__in=SECRETARY_LECTURE_ORG_TYPES).values_list(
            "path", "pk"
        )
    )
    step = Organization.steplen
    for b in branches.values():
        for depth in range(len(b.path) // step - 1, 0, -1):
            found = committees.get(b.path[: step * depth])
            if found is not None:
                b.upper = found
                break
    groups_of: dict[str, list[_Branch]] = defaultdict(list)
    for b in branches.values():
        if b.org_type == OrgType.GROUP:
            groups_of[b.path[: -Organization.steplen]].append(b)

    rng_all = random.Random(f"life:{seed}:{year}")
    donors: list[tuple[str, list[str]]] = []  # minutes of other branches, for the copiers
    total = {"meetings": 0, "attendance": 0, "late": 0}
    pending: list[tuple[Meeting, list[_Att]]] = []

    def flush() -> None:
        Meeting.objects.bulk_create([m for m, _a in pending], batch_size=BATCH)
        months_shift(added=[c for m, _a in pending for c in counts_of(m)])
        if signatures:
            sign_bulk([m for m, _a in pending])
        rows = [
            Attendance(meeting_id=m.pk, member_id=pk, present=here, reason=why, note=note)
            for m, att in pending
            for pk, here, why, note in att
        ]
        Attendance.objects.bulk_create(rows, batch_size=BATCH)
        total["attendance"] += sum(len(a) for _m, a in pending)
        pending.clear()

    state = _State(end, attendance, donors, rng_all, pending, total)
    roots = [b for b in branches.values() if b.org_type in BRANCH_TYPES]
    rolls: dict[int, list[_RollEntry]] = {}
    for index, branch in enumerate(roots, start=1):
        if branch.pk not in rolls:
            rolls = _rolls(members, roots[index - 1 : index - 1 + ROLL_CHUNK])
        rng = random.Random(f"life:{seed}:{year}:{branch.code}")
        roll_draw = rng.random()
        # about one branch in sixteen is lax (a quarter of its meetings skipped): the share a
        # district's 软弱涣散 list is expected to be in, not the old fifth of all branches
        branch.profile = (
            "good"
            if roll_draw < 0.84
            else "sloppy"
            if roll_draw < 0.90
            else "cluster"
            if roll_draw < 0.95
            else "late"
            if roll_draw < 0.98
            else "copier"
        )
        roll = rolls.get(branch.pk, [])
        # a few members who stay away (for LIFE-ABSENT-6-MONTHS)
        absentees = {entry[0] for entry in roll if rng.random() < 0.02}
        fixed_day = rng.randint(5, 20)
        skip = {"good": 0.03, "sloppy": 0.25, "cluster": 0.05, "late": 0.05, "copier": 0.05}[
            branch.profile
        ]
        late_rate = {"late": 0.5, "sloppy": 0.08}.get(branch.profile, 0.02)

        plan = _Plan(branch, rng, absentees, late_rate, roll)
        # deterministic per branch, independent of the draws above (the story of a branch is
        # the same whatever else changes): who combines meetings, who holds the year's
        # 组织生活会 in January of the next year
        habit = zlib.crc32(f"habit:{branch.code}".encode()) % 100
        combines = habit < 30  # the quarter's 支部党员大会 is that month's 主题党日
        review_at_org_life = habit % 2 == 0  # 民主评议党员 at the 组织生活会
        january = 60 <= habit < 68  # the year's 组织生活会 in January of the next year

        def add(
            org: _Branch,
            kind: str,
            day: dt.date,
            plan: _Plan = plan,
            *,
            also: str = "",
            year: int | None = None,
        ) -> None:
            _add(state, plan, org, kind, day, also=also, year=year)

        if january and branch.profile != "sloppy":
            # last year's 组织生活会, held in January, counts for last year
            add(
                branch,
                MeetingType.ORG_LIFE,
                dt.date(year, 1, _day(rng, year, 1, "good", rng.randint(8, 25))),
                also=MeetingType.DEMOCRATIC_REVIEW if review_at_org_life else "",
                year=year - 1,
            )
        for month in range(1, end.month + 1):
            theme_as_assembly = combines and month % 3 == 0
            if rng.random() >= skip and not theme_as_assembly:
                add(
                    branch,
                    MeetingType.THEME_DAY,
                    dt.date(year, month, _day(rng, year, month, branch.profile, fixed_day)),
                )
            if branch.committee >= 3 and rng.random() >= skip:
                add(
                    branch,
                    MeetingType.COMMITTEE,
                    dt.date(
                        year, month, _day(rng, year, month, branch.profile, rng.randint(1, 10))
                    ),
                )
            for group in groups_of.get(branch.path, []):
                if rng.random() >= skip * 1.5:
                    add(
                        group,
                        MeetingType.GROUP,
                        dt.date(
                            year, month, _day(rng, year, month, branch.profile, rng.randint(8, 25))
                        ),
                    )
            if month % 3 == 0:
                for kind in (MeetingType.ASSEMBLY, MeetingType.LECTURE):
                    if rng.random() >= skip * 2:
                        m = month - rng.randint(0, 2) if branch.profile != "cluster" else month
                        also = ""
                        if kind == MeetingType.ASSEMBLY and theme_as_assembly:
                            m, also = month, MeetingType.THEME_DAY
                        add(
                            branch,
                            kind,
                            dt.date(
                                year, m, _day(rng, year, m, branch.profile, rng.randint(5, 25))
                            ),
                            also=also,
                        )
        for kind, months in (
            (MeetingType.ORG_LIFE, (11, 12)),
            (MeetingType.DEMOCRATIC_REVIEW, (12,)),
            (MeetingType.HEART_TALK, (10, 11)),
        ):
            if kind == MeetingType.ORG_LIFE and january:
                continue  # held in January of the next year
            if kind == MeetingType.DEMOCRATIC_REVIEW and review_at_org_life:
                continue  # held at the 组织生活会
            if rng.random() >= skip * 2:
                m = rng.choice(months)
                add(
                    branch,
                    kind,
                    dt.date(year, m, _day(rng, year, m, branch.profile, rng.randint(5, 25))),
                    also=(
                        MeetingType.DEMOCRATIC_REVIEW
                        if kind == MeetingType.ORG_LIFE and review_at_org_life
                        else ""
                    ),
                )
        if len(pending) >= BATCH:
            flush()
            if progress:
                progress(index, len(roots))
    if pending:
        flush()
    if progress:
        progress(len(roots), len(roots))
    audit_record(
        actor=actor or SYSTEM,
        action=AuditAction.LIFE_SEED,
        object_type="meeting",
        object_id=str(year),
        object_repr=f"{year} 年组织生活演示记录",
        scope_path=prefix,
        after={"year": year, "seed": seed, "until": end, **total},
    )
    return SeedMeetingsResult(
        year=year,
        meetings=total["meetings"],
        attendance=total["attendance"],
        late=total["late"],
        seconds=time.perf_counter() - started,
    )


def _rolls(members: Any, branches: list[_Branch]) -> dict[int, list[_RollEntry]]:
    """The rolls of ``branches`` (one query, plus one for the decided standings that end a
    membership): members by primary key with the day they left the party, if they did."""
    from dangjian.members.choices import LEAVING
    from dangjian.members.models import MemberStatus

    ids = [b.pk for b in branches]
    out: dict[int, list[_RollEntry]] = {pk: [] for pk in ids}
    left: dict[int, dt.date] = {}
    for member_id, started in MemberStatus.objects.filter(
        member__org_id__in=ids, kind__in=list(LEAVING)
    ).values_list("member_id", "started_on"):
        left[member_id] = min(started, left.get(member_id, started))
    rows = members.filter(org_id__in=ids).order_by("org_id", "pk")
    for pk, org_id, joined, name in rows.values_list("pk", "org_id", "joined_on", "name"):
        out[org_id].append((pk, joined, name, left.get(pk)))
    return out


def seed_demo_life(today: dt.date, *, seed: int = 42) -> list[SeedMeetingsResult]:
    """The demo's organizational life: last year in full (figures only) and this year up to
    ``today`` with attendance, unless the database already holds records."""
    if Meeting.objects.exists():
        return []
    return [
        seed_meetings(year=today.year - 1, seed=seed, attendance=False),
        seed_meetings(year=today.year, seed=seed, until=today, attendance=True),
    ]
