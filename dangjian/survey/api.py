"""``/api/v1/surveys/``: surveys of the actor's subtree with their three rates (read-only).

Reading needs ``Perm.ASSESS_VIEW``; a survey outside the subtree is a 404. Rates are
organization-level; below the disclosure floor (:func:`dangjian.survey.stats.min_disclose`)
they are ``null`` like on the pages, so a handful of answers cannot be read back to a person.
Invite codes and the public token are not part of the API.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from dangjian.accounts.roles import Perm
from dangjian.api.filtersets import SurveyFilter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import FilteredListView, ObjectDetailView, detail_schema

from .models import Survey
from .selectors import rates_of_surveys, survey_get, surveys_for
from .stats import Rates, min_disclose


class RateSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="比率（0—1）")
    numerator = serializers.IntegerField()
    n = serializers.IntegerField(help_text="答卷数")
    low = serializers.FloatField(allow_null=True, help_text="95% Wilson 置信区间下限")
    high = serializers.FloatField(allow_null=True, help_text="95% Wilson 置信区间上限")
    reliable = serializers.BooleanField(help_text="答卷数达到可靠性门槛")


class RatesSerializer(serializers.Serializer):
    answers = serializers.IntegerField(help_text="答卷数")
    population = serializers.IntegerField(
        allow_null=True, help_text="邀请人数（回收率的分母；按邀请码填写时为发放的邀请码数）"
    )
    population_basis = TextField(help_text="邀请人数的依据")
    response_rate = serializers.FloatField(
        allow_null=True, help_text="回收率（0—1）；未登记邀请人数或答卷多于邀请人数时为 null"
    )
    response_note = TextField(help_text="没有回收率时的原因")
    disclosed = serializers.BooleanField(help_text="答卷数达到公开门槛；否则比率为 null")
    satisfaction = RateSerializer(allow_null=True, help_text="群众满意率")
    awareness = RateSerializer(allow_null=True, help_text="工作知晓率")
    participation = RateSerializer(allow_null=True, help_text="党员群众参与率")


class SurveySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    key = TextField()
    title = TextField()
    version = TextField(help_text="问卷版本")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    dedup = TextField(help_text="phone（手机号摘要，去标识化）或 code（一次性邀请码）")
    audience = TextField(help_text="members（本组织党员）或 public（党员和群众）")
    rates = RatesSerializer()


def _rates(rates: Rates, floor: int) -> dict[str, Any]:
    disclosed = rates.answers >= floor
    return {
        "answers": rates.answers,
        "population": rates.population,
        "population_basis": rates.basis,
        "response_rate": rates.response_rate,
        "response_note": rates.response_note,
        "disclosed": disclosed,
        "satisfaction": asdict(rates.satisfaction) if disclosed else None,
        "awareness": asdict(rates.awareness) if disclosed else None,
        "participation": asdict(rates.participation) if disclosed else None,
    }


def _with_rates(surveys: list[Survey]) -> list[Survey]:
    rates = rates_of_surveys(surveys)
    floor = min_disclose()
    for s in surveys:
        s.rates = _rates(rates[s.pk], floor)  # type: ignore[attr-defined]
    return surveys


@extend_schema_view(
    get=extend_schema(responses=SurveySerializer(many=True), summary="满意度测评列表")
)
class SurveyListView(FilteredListView):
    """Surveys of the actor's subtree, newest first."""

    read_perm = Perm.ASSESS_VIEW
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    queryset = Survey.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = surveys_for(actor).order_by("-opens_on", "org__path", "pk")
        return self.under_org(qs, Perm.ASSESS_VIEW, "org__path")

    def page_rows(self, rows: list[Any]) -> list[Any]:
        return _with_rates(list(rows))


@detail_schema(None, "满意度测评及三率")
class SurveyDetailView(ObjectDetailView):
    """One survey with its rates."""

    read_perm = Perm.ASSESS_VIEW
    serializer_class = SurveySerializer
    getter = survey_get

    def present(self, request: SignedInApiRequest, obj: Survey) -> Any:
        return SurveySerializer(_with_rates([obj])[0]).data
