"""The query parameters of the list endpoints, declared once (django-filter): the view validates
and filters with them, and the OpenAPI schema lists them from the same declaration.

Each parameter is checked by the functions of :mod:`dangjian.api.filters`, so a bad value is a
400 naming the parameter with the same Chinese message as before (``{"type": ["…"]}``).
Parameters whose meaning needs the actor (``org``: an organization of his scope, ``subtree``)
are validated here and resolved by the view (:meth:`FilteredListView.params`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions

from dangjian.api import filters
from dangjian.assess.models import Tier
from dangjian.life.choices import MeetingType
from dangjian.members.choices import MemberType
from dangjian.orgs.choices import OrgType, Sector
from dangjian.orgs.models import Organization
from dangjian.recruit.models import CaseStatus
from dangjian.rules.catalogue import implemented_families


class ParamField(forms.Field):
    """A query parameter checked by ``check(name, raw)`` (a function of :mod:`filters`)."""

    def __init__(
        self, *, check: Callable[[str, str | None], Any], param: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("required", False)
        kwargs.pop("choices", None)  # for the schema only (the check knows the values)
        super().__init__(**kwargs)
        self.check, self.param = check, param

    def clean(self, value: Any) -> Any:
        try:
            return self.check(self.param, value)
        except exceptions.ValidationError as exc:
            detail = exc.detail
            messages = detail.get(self.param, []) if isinstance(detail, dict) else detail
            # django-filter formats a message with "%" (``message % ()``): keep a % in a value
            raise ValidationError([str(m).replace("%", "%%") for m in messages]) from None


class ParamFilter(django_filters.Filter):
    """A parameter checked by ``check``; it filters ``field_name`` (with ``lookup_expr``, or by
    ``method``), or nothing when the view resolves it (``by_view``)."""

    field_class = ParamField

    def __init__(self, check: Callable[..., Any], *, by_view: bool = False, **kwargs: Any) -> None:
        super().__init__(check=check, **kwargs)
        self.by_view = by_view

    def filter(self, qs: Any, value: Any) -> Any:
        if self.by_view or value in (None, "", False):
            return qs
        return super().filter(qs, value)


class TextFilter(ParamFilter, django_filters.CharFilter):
    field_class = ParamField


class FlagFilter(ParamFilter, django_filters.BooleanFilter):
    field_class = ParamField


YEAR_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1900, "maximum": 2100}


@extend_schema_field({**YEAR_SCHEMA, "description": "年份"})
class YearFilter(ParamFilter):
    pass


# a date, or empty for "not given"
DATE_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": [""]}]
}


@extend_schema_field({**DATE_SCHEMA, "description": "日期 YYYY-MM-DD"})
class DateParamFilter(ParamFilter):
    pass


# what the checks of :mod:`dangjian.api.filters` accept (empty: the parameter is not given)
CODE_SCHEMA: dict[str, Any] = {"type": "string", "pattern": r"^\s*[A-Za-z0-9]{0,32}\s*$"}
REGION_SCHEMA: dict[str, Any] = {"type": "string", "pattern": r"^\s*([0-9]{2,12})?\s*$"}


@extend_schema_field({**CODE_SCHEMA, "description": "组织编码（字母和数字，最长 32 位）"})
class CodeFilter(TextFilter):
    schema = CODE_SCHEMA


@extend_schema_field({**REGION_SCHEMA, "description": "行政区划代码（2 到 12 位数字，按前缀）"})
class RegionFilter(TextFilter):
    schema = REGION_SCHEMA


def _text(max_length: int) -> Callable[[str, str | None], str]:
    return lambda name, raw: filters.text_value(name, raw, max_length=max_length)


def text_filter(max_length: int, **kwargs: Any) -> TextFilter:
    """Free text of at most ``max_length`` characters (no NUL), checked and documented so."""
    schema = {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}
    kind = extend_schema_field(schema)(type("LimitedText", (TextFilter,), {"schema": schema}))
    return kind(_text(max_length), **kwargs)


def _choice(values: list[str], label: str) -> Callable[[str, str | None], str]:
    return lambda name, raw: filters.choice_value(name, raw, values, label)


class ParamFilterSet(django_filters.FilterSet):
    """Names each parameter's field after it, so a message names the parameter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.filters.items():
            f.extra["param"] = name

    @classmethod
    def parse(cls, query: Any) -> dict[str, Any]:
        """The checked parameters of ``query`` (for an endpoint that lists no model rows)."""
        return cls(query, queryset=Organization.objects.none()).values()  # never read

    def values(self) -> dict[str, Any]:
        """The checked parameters; a bad one is a 400 naming it (Chinese message)."""
        if not self.is_valid():
            from django_filters.utils import translate_validation

            raise translate_validation(self.errors)
        return dict(self.form.cleaned_data)


def choice_filter(choices: Any, label: str, **kwargs: Any) -> TextFilter:
    """One of ``choices`` (a ``TextChoices`` or a list of values), named ``label`` in messages
    and the schema."""
    values = list(getattr(choices, "values", choices))
    pairs = getattr(choices, "choices", [(v, v) for v in values])
    pairs = [("", "全部"), *pairs]  # empty: not given
    return TextFilter(_choice(values, label), label=label, choices=pairs, **kwargs)


def query_params(filterset: type[ParamFilterSet]) -> list[OpenApiParameter]:
    """The OpenAPI parameters of ``filterset``, for an endpoint that is not a model list (its
    parameters are then checked with :meth:`ParamFilterSet.parse`)."""
    params = []
    for name, f in filterset.base_filters.items():
        kind = getattr(f, "schema", None) or (
            OpenApiTypes.BOOL
            if isinstance(f, FlagFilter)
            else YEAR_SCHEMA
            if isinstance(f, YearFilter)
            else DATE_SCHEMA
            if isinstance(f, DateParamFilter)
            else OpenApiTypes.STR
        )
        enum = [value for value, _label in f.extra["choices"]] if "choices" in f.extra else None
        params.append(OpenApiParameter(name, kind, enum=enum, description=str(f.label)))
    return params


def org_param(label: str) -> TextFilter:
    """``org``: an organization code the view resolves within the actor's scope."""
    return CodeFilter(filters.code_value, by_view=True, label=label)


class OrgFilter(ParamFilterSet):
    q = text_filter(100, method="filter_q", label="名称包含或编码开头")
    type = choice_filter(OrgType, "组织类别", field_name="org_type")
    sector = choice_filter(Sector, "所属领域", field_name="sector")
    region = RegionFilter(
        filters.region_value,
        field_name="region_code",
        lookup_expr="startswith",
        label="行政区划代码（前缀匹配）",
    )
    parent = CodeFilter(filters.code_value, by_view=True, label="上级组织编码：只列其直接下级")

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(name__icontains=value) | Q(code__istartswith=value)) if value else qs


class MemberFilter(ParamFilterSet):
    org = org_param("所在党组织编码")
    subtree = FlagFilter(filters.bool_value, by_view=True, label="1：包括下级组织的党员")
    type = choice_filter(MemberType, "党员类型", field_name="member_type")
    q = text_filter(50, field_name="name", lookup_expr="icontains", label="姓名包含")


class MeetingFilter(ParamFilterSet):
    """All resolved by the view (``meeting_list`` narrows by type and year itself)."""

    org = org_param("组织编码")
    subtree = FlagFilter(filters.bool_value, by_view=True, label="1：包括下级组织的记录")
    type = choice_filter(MeetingType, "会议类型", by_view=True)
    year = YearFilter(filters.year_value, by_view=True, label="年份")


class CaseFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及其下级的案例")
    status = choice_filter(CaseStatus, "状态", field_name="status")


#: the organization types the LIFE compliance table can be narrowed to
LIFE_ORG_TYPES = ["党支部", "联合党支部", "临时党支部", "党小组", "党委", "党工委"]


class ComplianceFilter(ParamFilterSet):
    year = YearFilter(filters.year_value, by_view=True, label="年份，默认今年")
    org = org_param("组织编码：只查该组织及其下级")
    sector = choice_filter(Sector, "所属领域", by_view=True)
    region = RegionFilter(filters.region_value, by_view=True, label="行政区划代码（前缀）")
    type = choice_filter(LIFE_ORG_TYPES, "组织类别", by_view=True)


class HintFilter(ParamFilterSet):
    year = YearFilter(filters.year_value, by_view=True, label="年份，默认今年")
    org = org_param("组织编码：只查该组织及其下级")


class SurveyFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及下属组织的测评")
    key = text_filter(64, field_name="key", label="用途标识，如 campaign:12")


class ResultFilter(ParamFilterSet):
    org = org_param("组织编码")
    tier = choice_filter(Tier, "档次", by_view=True)


class FindingFilter(ParamFilterSet):
    """The parameters of ``/findings/`` (``rules`` and ``rule`` are resolved by the view against
    the registered rules; ``rule`` may repeat)."""

    rules = TextFilter(
        _text(100),
        by_view=True,
        label="规则族，默认 SETUP",
        choices=[("", "默认 SETUP"), *[(f, f) for f in sorted(implemented_families())]],
    )
    org = org_param("组织编码：只查该组织及其下级")
    at = DateParamFilter(filters.date_value, by_view=True, label="评估日期 YYYY-MM-DD，默认今天")
    since = DateParamFilter(
        filters.date_value,
        by_view=True,
        label="组织生活（LIFE）检查的起始日期，默认评估日期所在年的 1 月 1 日",
    )
    rule = TextFilter(lambda name, raw: raw, by_view=True, label="规则编号，可重复或以逗号分隔")
    severity = choice_filter(list(filters.SEVERITIES), "级别", by_view=True)
    sector = choice_filter(Sector, "所属领域", by_view=True)
    region = RegionFilter(filters.region_value, by_view=True, label="行政区划代码（前缀）")
