"""``/api/v1/dues/…``: party dues through the selectors and services of :mod:`dangjian.dues`.

- ``GET dues/month/?org=&month=``: 本月党费 of a branch (every member on the roll that month,
  the amount owed, the payment); ``Perm.MEMBER_VIEW`` over the branch. The income base is never
  in the API.
- ``POST dues/bases/``: 核定 a member's dues for a year (the base is sent once, stored
  encrypted, never returned); ``Perm.MEMBER_CHANGE``, the member's own branch.
- ``POST dues/payments/``: record a member's dues of a month; ``Perm.MEMBER_CHANGE``.
- ``GET dues/totals/?org=&month=``: organization-level figures of a subtree (year to the month,
  per child organization); ``Perm.ORG_VIEW``.

A service's refusal (negative base, month already paid, member not on the roll that month …) is
a 400 with its Chinese messages, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api.requests import SignedInApiRequest
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
    CreateView,
    ScopedAPIView,
    create_schema,
    picked,
    service_call,
)
from dangjian.dues import months, selectors, services
from dangjian.members.models import Member
from dangjian.orgs.selectors import orgs_for

#: the months the schema promises (a subset of what :func:`months.parse` accepts: 2000–2100)
MONTH_PATTERN = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$"


@extend_schema_field(
    {"type": "string", "pattern": MONTH_PATTERN, "description": "年-月，如 2026-03"}
)
class MonthText(TextField):
    """A month written ``YYYY-MM`` (empty in a query: not given)."""


@extend_schema_field(
    {
        "type": "string",
        "pattern": MONTH_PATTERN.replace(")?", ")"),
        "description": "年-月，如 2026-03",
    }
)
class MonthRequired(TextField):
    """A month written ``YYYY-MM``, required."""


def _month(value: str, field: str = "month") -> dt.date:
    try:
        return months.parse(value)
    except ValueError as exc:
        raise exceptions.ValidationError({field: [str(exc)]}) from exc


def _org(request: SignedInApiRequest, code: str, perm: Perm) -> Any:
    org = orgs_for(request.user, perm).filter(code=code).first()
    if org is None:
        raise exceptions.NotFound(f"组织“{code[:32]}”不存在或不在您的管辖范围内")
    return org


def _member(request: SignedInApiRequest, pk: int) -> Member:
    member = (
        Member.objects.filter(pk=pk, org__in=orgs_for(request.user, Perm.MEMBER_CHANGE))
        .select_related("org")
        .first()
    )
    if member is None:
        raise exceptions.ValidationError({"member": ["党员不存在或不在您的管辖范围内"]})
    return member


class MonthQuery(serializers.Serializer):
    org = TextField(max_length=32, help_text="党支部编码")
    month = MonthText(
        max_length=20,
        required=False,
        default="",
        allow_blank=True,
        help_text="月份，如 2026-03（不填：本月）",
    )


class PaymentOut(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="金额（元）")
    paid_on = serializers.DateField(help_text="交纳日期")
    method = TextField(source="source", help_text="登记方式：逐笔登记或银行流水导入")


class SheetRowOut(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    member_type = TextField(source="member.member_type", help_text="正式党员或预备党员")
    category = TextField(help_text="交纳类别")
    due = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="每月应交（元；未核定为空）"
    )
    paid = serializers.BooleanField(help_text="本月已交")
    payment = PaymentOut(allow_null=True)


class MonthOut(serializers.Serializer):
    org = TextField(help_text="党支部编码")
    month = TextField(help_text="月份")
    rows = SheetRowOut(many=True)


class MonthView(ScopedAPIView):
    """本月党费 of one branch."""

    read_perm = Perm.MEMBER_VIEW
    pagination_class = None
    serializer_class = MonthOut

    @extend_schema(parameters=[MonthQuery], responses=MonthOut, summary="本月党费")
    def get(self, request: SignedInApiRequest) -> Response:
        q = MonthQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        org = _org(request, q.validated_data["org"], Perm.MEMBER_VIEW)
        if not selectors.is_branch(org):
            raise exceptions.NotFound("该组织不是有党员名册的党支部")
        raw = q.validated_data["month"]
        month = _month(raw) if raw else months.first(timezone.localdate())
        rows = selectors.month_sheet(request.user, org, month)
        return Response(MonthOut({"org": org.code, "month": f"{month:%Y-%m}", "rows": rows}).data)


class BaseIn(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="党员编号")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    category = TextField(
        max_length=8, help_text="交纳类别：在职、离退休、农民、学生、下岗失业或低保"
    )
    base = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="月交纳基数（税后月收入或月退休费，元；按比例交纳时必填；加密保存，不再返回）",
    )  # fmt: skip
    voluntary = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="自愿每月交纳（元，不少于应交）",
    )  # fmt: skip


class BaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    year = serializers.IntegerField()
    category = TextField()
    monthly_due = serializers.DecimalField(max_digits=10, decimal_places=2)
    voluntary = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    rule = TextField(help_text="依据规则")
    version = TextField(help_text="规则版本")


@create_schema("核定党费")
class BaseView(CreateView):
    """核定 a member's dues for a year (recalculates when one exists)."""

    write_perm = Perm.MEMBER_CHANGE
    pagination_class = None
    serializer_class = BaseOut
    write_serializer = BaseIn

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        member = _member(request, v["member"])
        record = service_call(
            services.base_set,
            actor=request.user,
            member=member,
            **picked(v, "year", "category", "base", "voluntary"),
        )
        return BaseOut(record).data


class PaymentIn(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="党员编号")
    month = MonthRequired(max_length=20, help_text="所属月份，如 2026-03")
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="金额（元；不填按核定的应交金额）",
    )  # fmt: skip
    paid_on = serializers.DateField(
        required=False, default=None, help_text="交纳日期（不填：今天）"
    )


class PaymentRecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    org = TextField(source="org.code")
    month = serializers.DateField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    paid_on = serializers.DateField()
    method = TextField(source="source", help_text="登记方式")


@create_schema("登记党费交纳")
class PaymentView(CreateView):
    """Record a member's dues of one month."""

    write_perm = Perm.MEMBER_CHANGE
    pagination_class = None
    serializer_class = PaymentRecordOut
    write_serializer = PaymentIn

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        member = _member(request, v["member"])
        payment = service_call(
            services.payment_record,
            actor=request.user,
            member=member,
            month=_month(v["month"]),
            paid_on=v["paid_on"] or timezone.localdate(),
            amount=v["amount"],
        )
        return PaymentRecordOut(payment).data


class TotalsQuery(serializers.Serializer):
    org = TextField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        help_text="组织编码（不填：本级）",
    )
    month = MonthText(
        max_length=20,
        required=False,
        default="",
        allow_blank=True,
        help_text="截至月份（不填：上月）",
    )


class TotalsOut(serializers.Serializer):
    org = TextField(help_text="组织编码")
    name = TextField(help_text="组织名称")
    members = serializers.IntegerField(help_text="党员人数")
    owed_months = serializers.IntegerField(help_text="应交人月")
    paid_months = serializers.IntegerField(help_text="已交人月")
    unpaid_months = serializers.IntegerField(help_text="欠交人月")
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="已收（元）")
    arrears_members = serializers.IntegerField(help_text="连续 6 个月未交人数")
    remitted = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="已上缴（元）")


class TotalsPage(serializers.Serializer):
    year = serializers.IntegerField()
    through = TextField(help_text="截至月份")
    total = TotalsOut()
    children = TotalsOut(many=True)


def _totals(org: Any, t: selectors.Totals) -> dict[str, Any]:
    return {
        "org": org.code,
        "name": org.name,
        "members": t.members,
        "owed_months": t.owed_months,
        "paid_months": t.paid_months,
        "unpaid_months": t.unpaid_months,
        "paid_amount": t.paid_amount,
        "arrears_members": t.arrears_members,
        "remitted": t.remitted,
    }


class TotalsView(ScopedAPIView):
    """Organization-level dues figures of a subtree, per child organization."""

    read_perm = Perm.ORG_VIEW
    pagination_class = None
    serializer_class = TotalsPage

    @extend_schema(parameters=[TotalsQuery], responses=TotalsPage, summary="党费收缴汇总")
    def get(self, request: SignedInApiRequest) -> Response:
        q = TotalsQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        code = q.validated_data["org"]
        if code:
            root = _org(request, code, Perm.ORG_VIEW)
        else:
            root = (
                request.user.org or orgs_for(request.user, Perm.ORG_VIEW).order_by("path").first()
            )
            if root is None:
                raise exceptions.ValidationError({"org": ["请指定组织编码"]})
        raw = q.validated_data["month"]
        through = _month(raw) if raw else months.add(months.first(timezone.localdate()), -1)
        total, rows = selectors.org_totals(request.user, root, through.year, through)
        return Response(
            TotalsPage(
                {
                    "year": through.year,
                    "through": f"{through:%Y-%m}",
                    "total": _totals(root, total),
                    "children": [_totals(r.org, r.totals) for r in rows],
                }
            ).data
        )
