"""The write path of surveys: open surveys, add invite codes, take an answer, seed demo answers.

Staff writes (:func:`open_surveys`, :func:`invite_codes_add`) check the actor's scope, validate,
write and audit in one transaction. Public answers (:func:`response_submit`) carry no name and
are deliberately NOT written to the audit trail: an audit entry carries the client address and
time, which would tie an answer to a person. What guards them instead: one answer per dedup key
(database constraint), one-time invite codes, and the rate limit of the public page
(:mod:`dangjian.survey.ratelimit`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.forms.models import model_to_dict
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix, user_of
from dangjian.core import crypto
from dangjian.core.audit import (
    AuditAction,
    AuditEvent,
    AuditSubject,
    audit_about,
    audit_record_many,
)
from dangjian.members.choices import LEAVING
from dangjian.members.models import Member, MemberStatus
from dangjian.orgs.models import Organization

from .models import Audience, DedupMode, InviteCode, Response, Survey
from .questions import CURRENT_VERSION, clean_answers, questionnaire

TITLE_MAX = 100
KEY_MAX = 64
CODES_MAX = 2000  # invite codes per survey in one request
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 8
CODE_USED = "该邀请码已使用过，每个邀请码只能提交一次"
PHONE_USED = "该手机号已参与过本次测评，每人只能提交一次"
PHONE_INVALID = "请填写正确的 11 位手机号码（仅用于防止重复提交，不保存号码本身）"
PUBLIC_NEEDS_COUNT = (
    "面向党员和群众的测评按手机号填写时，请填写邀请人数（党员和群众合计），"
    "或改用一次性邀请码（以发放的邀请码数为邀请人数）"
)
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


#: what the audit keeps of a survey
_SNAPSHOT = ["org", "key", "title", "version", "opens_on", "closes_on", "audience"]
_SNAPSHOT += ["population", "population_from_roll", "dedup"]


def _snapshot(survey: Survey) -> dict[str, Any]:
    return model_to_dict(survey, fields=_SNAPSHOT)


def roll_counts(orgs: Sequence[Organization], day: dt.date | None = None) -> dict[int, int]:
    """Members on the roll of each organization's subtree (a branch: its own roll), set-based.

    With ``day``: members who had joined by then and had not left the party (出党, 死亡 … in
    force, :data:`dangjian.members.choices.LEAVING`). One grouped query over the smallest subtree
    holding all ``orgs``; counts are then added up the path prefixes in memory.
    """
    if not orgs:
        return {}
    steplen = Organization.steplen
    paths = [o.path for o in orgs]
    common = paths[0]
    for p in paths[1:]:
        i = 0
        while i < min(len(common), len(p)) and common[i] == p[i]:
            i += 1
        common = common[:i]
    common = common[: len(common) - len(common) % steplen]
    members = Member.objects.filter(org__path__startswith=common)
    if day is not None:
        left = MemberStatus.objects.filter(
            member=OuterRef("pk"), kind__in=list(LEAVING), started_on__lte=day
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        members = members.filter(joined_on__lte=day).exclude(Exists(left))
    per_path = members.values_list("org__path").annotate(n=Count("id"))
    wanted = {o.path: o.pk for o in orgs}
    counts = dict.fromkeys(wanted.values(), 0)
    for path, n in per_path:
        for end in range(steplen, len(path) + 1, steplen):
            pk = wanted.get(path[:end])
            if pk is not None:
                counts[pk] += n
    return counts


def _new_codes(count: int, taken: set[str]) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def _validate_open(
    *,
    key: str,
    title: str,
    opens_on: Any,
    closes_on: Any,
    population: Any,
    dedup: str,
    codes: int,
    audience: str,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not key:
        add("key", "请填写用途标识")
    elif len(key) > KEY_MAX:
        add("key", f"用途标识不能超过 {KEY_MAX} 个字符")
    if not title:
        add("title", "请填写标题")
    elif len(title) > TITLE_MAX:
        add("title", f"标题不能超过 {TITLE_MAX} 个字")
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        add("opens_on", "请填写开始日期和截止日期")
    elif closes_on < opens_on:
        add("closes_on", "截止日期不能早于开始日期")
    counts = population.values() if isinstance(population, Mapping) else [population]
    if any(
        n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0) for n in counts
    ):
        add("population", "邀请人数应为不小于 0 的整数")
    if dedup not in DedupMode.values:
        add("dedup", "防重复方式无效")
    if audience not in Audience.values:
        add("audience", "邀请对象无效")
    elif audience == Audience.PUBLIC and dedup == DedupMode.PHONE and population is None:
        add("population", PUBLIC_NEEDS_COUNT)
    if not isinstance(codes, int) or not 0 <= codes <= CODES_MAX:
        add("codes", f"邀请码数量应在 0 到 {CODES_MAX} 之间")
    if errors:
        raise ValidationError(errors)


def open_surveys(
    actor: Actor,
    *,
    orgs: Iterable[Organization],
    key: str,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    population: int | Mapping[int, int] | None = None,
    dedup: str = DedupMode.PHONE,
    codes: int = 0,
    audience: str = Audience.MEMBERS,
) -> list[Survey]:
    """Open one survey per organization for ``key``; idempotent per ``(org, key)``.

    An organization that already has a survey for ``key`` gets that survey back unchanged.
    ``population`` (the people invited) applies to every new survey, or is given per
    organization id (a mapping that must name every organization); ``None`` means, for
    ``audience="members"``, the members on each organization's roll (its subtree) on the opening
    day. A survey open to residents too (``audience="public"``) answered by phone needs the
    number stated; by invite code the codes issued are the invited. ``codes`` invite codes are
    generated for each new survey (``dedup="code"``). Needs ASSESS_MANAGE over every
    organization; all or nothing.
    """
    orgs = list({o.pk: o for o in orgs}.values())  # once each, first-seen order
    key, title = (key or "").strip(), (title or "").strip()
    _validate_open(
        key=key,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        population=population,
        dedup=dedup,
        codes=codes,
        audience=audience,
    )
    prefix = scope_prefix(actor, Perm.ASSESS_MANAGE)
    if prefix is None or any(not o.path.startswith(prefix) for o in orgs):
        raise PermissionDenied("没有发起测评的权限，或组织不在您的管辖范围内")
    if not orgs:
        return []
    if isinstance(population, Mapping) and any(o.pk not in population for o in orgs):
        raise ValidationError({"population": ["请为每个组织填写邀请人数"]})
    if dedup != DedupMode.CODE:
        codes = 0
    args = (actor, orgs, key, title, opens_on, closes_on, population, dedup, codes, audience)
    try:
        return _open(*args)
    except IntegrityError:
        # Someone opened the same (org, key) at the same moment: theirs stands, take it back.
        return _open(*args)


def _open(
    actor: Actor,
    orgs: list[Organization],
    key: str,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    population: int | Mapping[int, int] | None,
    dedup: str,
    codes: int,
    audience: str,
) -> list[Survey]:
    with transaction.atomic():
        wanted = {o.pk for o in orgs}
        # Filtered in memory: a city-wide campaign has more orgs than SQLite allows parameters.
        existing = {
            s.org_id: s
            for s in Survey.objects.filter(key=key).select_related("org")
            if s.org_id in wanted
        }
        fresh = [o for o in orgs if o.pk not in existing]
        from_roll = population is None and audience == Audience.MEMBERS
        rolls = roll_counts(fresh, opens_on) if from_roll and fresh else {}
        created_by = user_of(actor)
        new = [
            Survey(
                org=o,
                key=key,
                title=title,
                version=CURRENT_VERSION,
                opens_on=opens_on,
                closes_on=closes_on,
                audience=audience,
                population=(
                    rolls.get(o.pk, 0)
                    if from_roll
                    else population[o.pk]
                    if isinstance(population, Mapping)
                    else population
                ),
                population_from_roll=from_roll,
                dedup=dedup,
                created_by=created_by,
            )
            for o in fresh
        ]
        Survey.objects.bulk_create(new, batch_size=2000)
        if any(s.pk is None for s in new):  # backends without RETURNING ids
            by_org = {s.org_id: s for s in Survey.objects.filter(key=key).select_related("org")}
            new = [by_org[o.pk] for o in fresh]
        if codes:
            rows = [InviteCode(survey=s, code=c) for s in new for c in _new_codes(codes, set())]
            InviteCode.objects.bulk_create(rows, batch_size=5000)
        audit_record_many(
            actor=actor,
            events=[
                AuditEvent(
                    AuditAction.SURVEY_OPEN,
                    "survey",
                    str(s.pk),
                    s.title,
                    s.org.path,
                    None,
                    {**_snapshot(s), "invite_codes": codes},
                )
                for s in new
            ],
        )
    made = {s.org_id: s for s in new}
    return [existing.get(o.pk) or made[o.pk] for o in orgs]


def invite_codes_add(actor: Actor, *, survey: Survey, count: int) -> list[str]:
    """Generate ``count`` more one-time invite codes for ``survey`` (ASSESS_MANAGE)."""
    if not covers(actor, Perm.ASSESS_MANAGE, survey.org.path):
        raise PermissionDenied("没有生成邀请码的权限，或组织不在您的管辖范围内")
    if not isinstance(count, int) or not 1 <= count <= CODES_MAX:
        raise ValidationError({"count": [f"邀请码数量应在 1 到 {CODES_MAX} 之间"]})
    with transaction.atomic():
        taken = set(InviteCode.objects.filter(survey=survey).values_list("code", flat=True))
        codes = _new_codes(count, taken)
        InviteCode.objects.bulk_create([InviteCode(survey=survey, code=c) for c in codes])
        audit_about(
            actor,
            AuditAction.SURVEY_INVITE_CODES,
            AuditSubject("survey", survey, survey.org.path, survey.title),
            after={"added": count, "total": len(taken)},
        )
    return codes


def phone_dedup_key(survey: Survey, phone: str) -> str:
    """The dedup key of a phone number in one survey: keyed HMAC-SM3, salted with the survey."""
    return "p:" + crypto.digest(f"survey:{survey.pk}:{phone}")


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def response_submit(
    *,
    survey: Survey,
    answers: dict[str, str],
    phone: str = "",
    code: str = "",
    today: dt.date | None = None,
) -> Response:
    """Take one anonymous answer; raise ``ValidationError`` (Chinese) and write nothing on error.

    The survey must be open on ``today``; the answer needs every question answered with a known
    choice, and a phone number (``dedup="phone"``) or an unused invite code (``dedup="code"``).
    A second answer with the same phone or code is refused.
    """
    today = today or timezone.localdate()
    state = survey.state(today)
    if state == "pending":
        raise ValidationError(f"本次测评将于 {survey.opens_on:%Y年%m月%d日} 开始，请届时再来。")
    if state == "closed":
        raise ValidationError(f"本次测评已于 {survey.closes_on:%Y年%m月%d日} 结束，感谢关注。")
    cleaned, errors = clean_answers(survey.version, answers)
    messages: dict[str, list[str]] = {k: [v] for k, v in errors.items()}
    if survey.dedup == DedupMode.PHONE:
        phone = normalise_phone(phone)
        if not PHONE_RE.match(phone):
            messages["phone"] = [PHONE_INVALID]
    else:
        code = (code or "").strip().upper().replace(" ", "")
        if not code:
            messages["code"] = ["请填写邀请码"]
    if messages:
        raise ValidationError(messages)
    try:
        with transaction.atomic():
            if survey.dedup == DedupMode.PHONE:
                dedup_key = phone_dedup_key(survey, phone)
            else:
                used = InviteCode.objects.filter(survey=survey, code=code, used=False).update(
                    used=True
                )
                if used != 1:
                    if InviteCode.objects.filter(survey=survey, code=code).exists():
                        raise ValidationError({"code": [CODE_USED]})
                    raise ValidationError({"code": ["邀请码无效，请核对后重新填写"]})
                # Random, so the answer does not name its code.
                dedup_key = "c:" + secrets.token_hex(16)
            return Response.objects.create(survey=survey, dedup_key=dedup_key, answers=cleaned)
    except IntegrityError as exc:
        raise ValidationError({"phone": [PHONE_USED]}) from exc


def _seed_answers(
    rng: random.Random, satisfaction: float, awareness: float, participation: float
) -> dict[str, str]:
    if rng.random() < satisfaction:
        sat = "satisfied" if rng.random() < 0.65 else "basic"
    else:
        sat = "unsatisfied"
    if rng.random() < awareness:
        sec, act = "yes", "yes"
    else:
        sec, act = rng.choice([("yes", "no"), ("no", "yes"), ("no", "no")])
    took = "yes" if rng.random() < participation else "no"
    return {"satisfaction": sat, "knows_secretary": sec, "knows_activities": act, "took_part": took}


def seed_responses(
    surveys: Survey | Sequence[Survey],
    rng: random.Random,
    n: int,
    *,
    satisfaction: float = 0.85,
    awareness: float = 0.75,
    participation: float = 0.65,
) -> int:
    """Add ``n`` made-up answers to each of ``surveys`` (one survey, or many in one insert
    stream) for demos and benchmarks; deterministic given ``rng``.

    The probabilities are those of the three rates. Returns the number of answers written. Not
    audited (no person acts; the demo and benchmark commands say so themselves).
    """
    if isinstance(surveys, Survey):
        surveys = [surveys]
    questionnaire(CURRENT_VERSION)
    rows = [
        Response(
            survey=s,
            dedup_key=f"seed:{rng.getrandbits(64):016x}",
            answers=_seed_answers(rng, satisfaction, awareness, participation),
        )
        for s in surveys
        for _ in range(n)
    ]
    with transaction.atomic():
        Response.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


#: the name the benchmarks use for many surveys
seed_responses_many = seed_responses
