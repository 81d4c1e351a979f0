"""Demo assessment data: one finished campaign (last year) and one open campaign (this year).

:func:`seed_demo_assess` runs after the organization, member and life seeds of the demo. For the
first organization at the top of the tree (the demo district's 组织部) it

1. opens last year's 五好 campaign (spot-check share 10 %), opens its surveys and adds made-up
   answers (survey app), writes made-up self-check scores for every participant and spot-check
   scores for the sampled ones (deterministic from ``seed``; one audit entry for the batch,
   like the life seed), records two veto events through the service, scores the campaign and
   makes it final;
2. opens this year's campaign (previous = last year's) with the self-check phase running and
   self-check scores from about 40 % of the branches, so every page has content.

Nothing is done when a campaign already exists (a second demo run reuses the data).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Campaign, CampaignOrg, SelfCheckScore, SpotCheckScore
from dangjian.assess.services import (
    CampaignInput,
    campaign_finalize,
    campaign_open,
    campaign_score,
    campaign_standard,
    veto_record,
)
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.orgs.models import Organization

SELF_NOTES = [
    "已对照标准逐条自查，相关记录齐全",
    "工作基本落实，个别方面仍需加强",
    "按计划推进，年底前补齐短板",
    "制度健全，执行较好",
    "",
]
SPOT_NOTES = [
    "听取汇报、查阅台账，情况属实",
    "查阅记录，部分工作记录不够完整",
    "座谈了解，群众评价较好",
    "实地查看，与自查情况基本一致",
]


def _half(value: float) -> Decimal:
    return Decimal(str(round(value * 2) / 2))


def made_up_scores(
    campaign: Campaign,
    rng: random.Random,
    *,
    share: float = 1.0,
    spot: bool = True,
) -> tuple[int, int]:
    """Made-up self-check (and spot-check) scores for the person-scored criteria."""
    std = campaign_standard(campaign)
    now = timezone.now()
    parts = list(
        CampaignOrg.objects.filter(campaign=campaign)
        .order_by("org__path")
        .values_list("org_id", "org__code", "org__sector", "sampled", "hand_picked")
    )
    selfs: list[SelfCheckScore] = []
    spots: list[SpotCheckScore] = []
    for org_id, code, sector, sampled, picked in parts:
        org_rng = random.Random(f"{campaign.pk}:{code}:{rng.random()}")
        if org_rng.random() > share:
            continue
        quality = org_rng.uniform(0.55, 1.0)
        for item in std.items_for(sector):
            for crit in item.criteria:
                if crit.mode not in ("self", "spot"):
                    continue
                own = min(1.0, quality + org_rng.uniform(-0.05, 0.15))
                common = {"campaign": campaign, "org_id": org_id, "criterion": crit.id, "at": now}
                selfs.append(
                    SelfCheckScore(
                        points=_half(crit.points * own),
                        note=org_rng.choice(SELF_NOTES),
                        by_name="演示数据",
                        **common,
                    )
                )
                if spot and (sampled or picked):
                    seen = min(1.0, max(0.0, quality + org_rng.uniform(-0.2, 0.05)))
                    spots.append(
                        SpotCheckScore(
                            points=_half(crit.points * seen),
                            note=org_rng.choice(SPOT_NOTES),
                            by_name="演示数据（督导组）",
                            **common,
                        )
                    )
    with transaction.atomic():
        SelfCheckScore.objects.bulk_create(selfs, batch_size=2000)
        SpotCheckScore.objects.bulk_create(spots, batch_size=2000)
        audit_about(
            SYSTEM,
            AuditAction.ASSESS_SEED,
            AuditSubject("campaign", campaign, campaign.root.path, f"{campaign.name}（演示评分）"),
            after={"self_checks": len(selfs), "spot_checks": len(spots)},
        )
    return len(selfs), len(spots)


def made_up_surveys(campaign: Campaign, rng: random.Random, opens: dt.date, closes: dt.date) -> int:
    """Open the campaign's surveys for members and residents and add made-up answers in four
    satisfaction bands. Each branch invites its members on the opening day and 30–80 residents
    (a stated count, as the survey page requires); 65–95 % of the invited answer, so the 回收率
    is honest and never above 100 %."""
    try:
        from dangjian.survey.services import open_surveys, roll_counts, seed_responses
    except ImportError:  # the survey app is optional for the scoring
        return 0
    orgs = [p.org for p in CampaignOrg.objects.filter(campaign=campaign).select_related("org")]
    rolls = roll_counts(orgs, opens)
    invited = {o.pk: rolls.get(o.pk, 0) + rng.randint(30, 80) for o in orgs}
    surveys = open_surveys(
        SYSTEM,
        orgs=orgs,
        key=f"campaign:{campaign.pk}",
        title=f"{campaign.name}群众满意度测评",
        opens_on=opens,
        closes_on=closes,
        audience="public",
        population=invited,
    )
    bands = [0.97, 0.9, 0.8, 0.55]
    weights = [0.27, 0.42, 0.28, 0.03]  # a satisfaction below 60 % is rare (ASSESS-WEAK)
    answers = 0
    for survey in sorted(surveys, key=lambda s: s.org_id):
        satisfaction = rng.choices(bands, weights)[0]
        answers += seed_responses(
            survey,
            rng,
            round(invited[survey.org_id] * rng.uniform(0.65, 0.95)),
            satisfaction=satisfaction,
            awareness=min(0.98, satisfaction - 0.05),
            participation=min(0.95, satisfaction - 0.2),
        )
    return answers


def _wuhao(
    root: Organization,
    year: int,
    seed: int,
    *,
    self_check_start: dt.date | None = None,
    previous: Campaign | None = None,
) -> Campaign:
    """The 五好党支部 star rating of ``year`` over ``root``: its phases in January and February of
    the next year (the self-check from ``self_check_start`` when given), a 10 % spot-check."""
    nxt = year + 1
    return campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name=f"{year} 年度五好党支部星级评定",
            standard_key="wuhao",
            root=root,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            phases={
                "self_check_start": self_check_start or dt.date(nxt, 1, 5),
                "self_check_end": dt.date(nxt, 1, 20),
                "spot_check_start": dt.date(nxt, 1, 21),
                "spot_check_end": dt.date(nxt, 2, 10),
                "survey_start": dt.date(nxt, 1, 5),
                "survey_end": dt.date(nxt, 1, 31),
                "review_start": dt.date(nxt, 2, 11),
                "review_end": dt.date(nxt, 2, 20),
                "notice_start": dt.date(nxt, 2, 21),
                "notice_end": dt.date(nxt, 2, 25),
                "final_on": dt.date(nxt, 2, 28),
            },
            spot_share=Decimal("0.1"),
            sampling_seed=seed,
            previous=previous,
        ),
    )


def seed_demo_assess(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's campaigns (see the module docstring); returns what was done, in Chinese."""
    if Campaign.objects.exists():
        return []
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return []
    started = time.perf_counter()
    rng = random.Random(seed)
    last_year, year = today.year - 1, today.year
    done: list[str] = []

    last = _wuhao(root, last_year, seed)
    answers = made_up_surveys(last, rng, dt.date(year, 1, 5), dt.date(year, 1, 31))
    n_self, n_spot = made_up_scores(last, rng)
    branches = list(
        CampaignOrg.objects.filter(campaign=last)
        .order_by("org__path")
        .values_list("org", flat=True)
    )
    for line, note in [
        ("disciplined", "一名党员因违反廉洁纪律受到党内警告处分"),
        ("public-security", "辖区内发生一起重大刑事案件"),
    ]:
        if branches:
            org = Organization.objects.get(pk=rng.choice(branches))
            veto_record(
                actor=SYSTEM,
                org=org,
                occurred_on=dt.date(last_year, rng.randint(3, 10), rng.randint(1, 28)),
                line=line,
                note=note,
            )
    run = campaign_score(actor=SYSTEM, campaign=last, at=dt.date(year, 2, 15))
    campaign_finalize(actor=SYSTEM, campaign=last)
    summary = run.summary()
    done.append(
        f"{last.name}：{summary['scored']} 个组织已评分并定档"
        f"（自查 {n_self:,} 条、抽查 {n_spot:,} 条、"
        f"测评答卷 {answers:,} 份，五星 {summary['stars'].get('5', 0)} 个，"
        f"触及高压线 {summary['veto']} 个）"
    )

    current = _wuhao(
        root, year, seed + 1, self_check_start=today - dt.timedelta(days=7), previous=last
    )
    n_self, _ = made_up_scores(current, rng, share=0.4, spot=False)
    done.append(
        f"{current.name}：进行中，约四成支部已自查（{n_self:,} 条），"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )
    return done
