"""Reads of surveys: scoped lists for pages, and the set-based rates for assessment.

:func:`rates_for` is what assessment scoring calls: the three rates of every organization's
survey for one key, in two grouped queries whatever the number of organizations. It is not
scoped (scoring runs for a campaign the caller has already authorised); pages use
:func:`surveys_for` / :func:`survey_get` first, which restrict to the actor's subtree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix

from .models import Audience, DedupMode, InviteCode, Response, Survey
from .questions import QUESTIONNAIRES
from .stats import Rate, Rates, min_answers

IN_LIST_MAX = 500  # above this, filter in memory rather than with a long IN (...) list


def surveys_for(actor: Actor, perm: Perm = Perm.ASSESS_VIEW) -> QuerySet[Survey]:
    """Surveys of organizations in the actor's subtree for ``perm``."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return Survey.objects.none()
    qs = Survey.objects.select_related("org")
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def survey_get(actor: Actor, pk: int, *, perm: Perm = Perm.ASSESS_VIEW) -> Survey:
    """The survey if the actor may see it; 404 otherwise (no existence leak)."""
    survey = surveys_for(actor, perm).filter(pk=pk).first()
    if survey is None:
        raise Http404("测评不存在或不在您的管辖范围内")
    return survey


def _conditions(versions: Iterable[str] | None = None) -> tuple[Q, Q, Q]:
    """Per-answer conditions of satisfied / aware / took part.

    With one questionnaire version among the surveys (the usual case) the conditions read the
    answers only; with several, each is tied to its version (a join on the survey).
    """
    chosen = sorted(set(versions)) if versions is not None else sorted(QUESTIONNAIRES)
    sat, aware, took = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for version in chosen:
        qn = QUESTIONNAIRES[version]
        v = Q() if len(chosen) == 1 else Q(survey__version=version)
        question, codes = qn.satisfied
        sat |= v & Q(**{f"answers__{question}__in": sorted(codes)})
        both = v
        for question, code in qn.aware:
            both &= Q(**{f"answers__{question}": code})
        aware |= both
        question, code = qn.took_part
        took |= v & Q(**{f"answers__{question}": code})
    return sat, aware, took


def answer_counts(
    survey_ids: Iterable[int], versions: Iterable[str] | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """``survey id → (answers, satisfied, aware, took part)`` in one grouped query."""
    return _counts(Response.objects.filter(survey_id__in=list(survey_ids)), versions)


def _counts(
    responses: QuerySet[Response], versions: Iterable[str] | None
) -> dict[int, tuple[int, int, int, int]]:
    """``survey id → (answers, satisfied, aware, took part)`` of ``responses``, grouped."""
    sat, aware, took = _conditions(versions)
    rows = (
        responses.values_list("survey_id")
        .annotate(
            n=Count("pk"),
            sat=Count("pk", filter=sat),
            aware=Count("pk", filter=aware),
            took=Count("pk", filter=took),
        )
        .order_by()
    )
    return {sid: (n, s, a, t) for sid, n, s, a, t in rows}


def invited(
    dedup: str, population: int | None, from_roll: bool, audience: str, codes: int
) -> tuple[int | None, str]:
    """The people invited to a survey (回收率's denominator) and where the number comes from."""
    if dedup == DedupMode.CODE:
        return codes, f"已发放的一次性邀请码 {codes} 个（每码一人）"
    if population is None:
        return None, "未登记邀请人数"
    if from_roll:
        return population, f"发起时本组织名册上的党员 {population} 人"
    who = "党员和群众" if audience == Audience.PUBLIC else "党员"
    return population, f"发起人登记的邀请人数（{who}）{population} 人"


def code_counts(survey_ids: Iterable[int]) -> dict[int, int]:
    """``survey id → invite codes issued`` in one grouped query."""
    rows = (
        InviteCode.objects.filter(survey_id__in=list(survey_ids))
        .values_list("survey_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def _rates(
    survey_id: int,
    who: tuple[int | None, str],
    counts: tuple[int, int, int, int] | None,
    minimum: int,
) -> Rates:
    population, basis = who
    if counts is None:
        return Rates.empty(population, survey_id, basis)
    n, sat, aware, took = counts
    return Rates(
        satisfaction=Rate.of(sat, n, minimum=minimum),
        participation=Rate.of(took, n, minimum=minimum),
        awareness=Rate.of(aware, n, minimum=minimum),
        answers=n,
        population=population,
        survey_id=survey_id,
        basis=basis,
    )


def rates_for(key: str, org_ids: Iterable[int] | None = None) -> dict[int, Rates]:
    """``org id → Rates`` of the surveys with ``key`` (all, or those of ``org_ids``).

    Two queries: the surveys, then the answers grouped by survey (a third for the invite codes
    when some surveys use them). An organization with a survey but no answer gets empty rates
    (value ``None``, not reliable); one without a survey is absent.
    """
    wanted = None if org_ids is None else set(org_ids)
    rows = list(
        Survey.objects.filter(key=key).values_list(
            "pk", "org_id", "population", "version", "dedup", "population_from_roll", "audience"
        )
    )
    if wanted is not None:
        # In memory: a city has more organizations than SQLite accepts query parameters.
        rows = [r for r in rows if r[1] in wanted]
    if not rows:
        return {}
    minimum = min_answers()
    versions = {r[3] for r in rows}
    if wanted is not None and len(rows) <= IN_LIST_MAX:
        counts = answer_counts([r[0] for r in rows], versions)
    else:
        counts = _counts(Response.objects.filter(survey__key=key), versions)
    coded = [r[0] for r in rows if r[4] == DedupMode.CODE]
    codes: dict[int, int] = {}
    if coded and len(coded) <= IN_LIST_MAX:
        codes = code_counts(coded)
    elif coded:
        codes = dict(
            InviteCode.objects.filter(survey__key=key)
            .values_list("survey_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    return {
        org_id: _rates(
            pk,
            invited(dedup, population, roll, audience, codes.get(pk, 0)),
            counts.get(pk),
            minimum,
        )
        for pk, org_id, population, _version, dedup, roll, audience in rows
    }


def survey_invited(survey: Survey, codes: int = 0) -> tuple[int | None, str]:
    return invited(
        survey.dedup, survey.population, survey.population_from_roll, survey.audience, codes
    )


def survey_rates(survey: Survey) -> Rates:
    """The rates of one survey (two queries, three with invite codes)."""
    return rates_of_surveys([survey])[survey.pk]


def rates_of_surveys(surveys: Iterable[Survey]) -> dict[int, Rates]:
    """``survey id → Rates`` for a page of surveys: one grouped query for the answers, one for
    the invite codes when some surveys use them."""
    surveys = list(surveys)
    counts = answer_counts([s.pk for s in surveys], {s.version for s in surveys})
    coded = [s.pk for s in surveys if s.dedup == DedupMode.CODE]
    codes = code_counts(coded) if coded else {}
    minimum = min_answers()
    return {
        s.pk: _rates(s.pk, survey_invited(s, codes.get(s.pk, 0)), counts.get(s.pk), minimum)
        for s in surveys
    }


def answer_distribution(survey: Survey) -> list[dict[str, Any]]:
    """Per question, the count of each choice (organization-level totals for the results page)."""
    qn = QUESTIONNAIRES[survey.version]
    annotations = {
        f"{q.code}__{c}": Count("pk", filter=Q(**{f"answers__{q.code}": c}))
        for q in qn.questions
        for c, _ in q.choices
    }
    totals = Response.objects.filter(survey=survey).aggregate(**annotations)
    out = []
    for q in qn.questions:
        choices = [(label, totals[f"{q.code}__{c}"] or 0) for c, label in q.choices]
        out.append({"text": q.text, "choices": choices, "total": sum(n for _, n in choices)})
    return out
