"""``/api/v1/orgs/``: list, read, create and change organizations of the actor's subtree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.api.filtersets import OrgFilter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import OrgSerializer, OrgWriteSerializer
from dangjian.api.views.base import (
    CreateView,
    FilteredListView,
    ScopedAPIView,
    create_schema,
    picked,
    scoped_org,
    service_call,
    service_errors,
    validated,
)
from dangjian.members.choices import MemberType
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get, org_list
from dangjian.orgs.services import OrgInput, org_create, org_move, org_update

RENAME = {"org_type": "type"}
CODE_PARAM = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="组织编码"
)


def annotate_orgs(orgs: list[Organization]) -> list[Organization]:
    """Set ``api_parent_code`` and subtree member counts on ``orgs``, in a fixed number of
    queries: one for the parents, one per distinct depth for the counts (never one per row)."""
    steplen = Organization.steplen
    parent_paths = {o.path[:-steplen] for o in orgs if o.depth > 1}
    parents: dict[str, str] = {}
    if parent_paths:
        parents = dict(
            Organization.objects.filter(path__in=parent_paths).values_list("path", "code")
        )
    by_depth: dict[int, list[str]] = defaultdict(list)
    for org in orgs:
        by_depth[org.depth].append(org.path)
    counts: dict[str, tuple[int, int]] = {}
    for depth, paths in by_depth.items():
        within = Q()
        for path in paths:
            within |= Q(org__path__startswith=path)
        rows = (
            Member.objects.filter(within)
            .annotate(prefix=Substr("org__path", 1, steplen * depth))
            .order_by()
            .values("prefix")
            .annotate(
                full=Count("id", filter=Q(member_type=MemberType.FULL)),
                prob=Count("id", filter=Q(member_type=MemberType.PROBATIONARY)),
            )
        )
        for row in rows:
            counts[row["prefix"]] = (row["full"], row["prob"])
    for org in orgs:
        org.api_parent_code = parents.get(org.path[:-steplen])  # type: ignore[attr-defined]
        full, prob = counts.get(org.path, (0, 0))
        org.api_full_members = full  # type: ignore[attr-defined]
        org.api_probationary_members = prob  # type: ignore[attr-defined]
    return orgs


def _present(org: Organization) -> dict[str, Any]:
    return dict(OrgSerializer(annotate_orgs([org])[0]).data)


def _writable_parent(actor: Actor, code: str) -> Organization:
    """The new superior organization, which the actor must be allowed to change."""
    message = f"上级组织“{code}”不存在或不在您的管辖范围内"
    return scoped_org(actor, Perm.ORG_CHANGE, code, field="parent", message=message)


def _org_input(values: dict[str, Any]) -> OrgInput:
    return OrgInput(
        **picked(values, "code", "name"),
        org_type=values["type"],
        sector=values["sector"],
        region_code=values.get("region_code") or "",
        founded_on=values.get("founded_on"),
        term_started_on=values.get("term_started_on"),
        term_years=values.get("term_years"),
        units_covered=values.get("units_covered"),
        secretary_vacant_since=values.get("secretary_vacant_since"),
    )


@extend_schema_view(get=extend_schema(responses=OrgSerializer(many=True), summary="组织列表"))
@create_schema("新建下级组织")
class OrgListView(FilteredListView, CreateView):
    """Organizations of the actor's subtree, in tree order."""

    read_perm = Perm.ORG_VIEW
    write_perm = Perm.ORG_CHANGE
    serializer_class = OrgSerializer
    write_serializer = OrgWriteSerializer
    filterset_class = OrgFilter
    queryset = Organization.objects.none()

    def get_queryset(self) -> Any:
        qs = org_list(signed_in(self.request))
        parent_code = self.params()["parent"]
        if parent_code:
            parent = org_get(signed_in(self.request), parent_code)
            qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
        return qs.order_by("path")

    def page_rows(self, rows: list[Any]) -> list[Any]:
        return annotate_orgs(rows)

    def create(self, request: SignedInApiRequest, values: dict[str, Any]) -> Any:
        parent = _writable_parent(request.user, values["parent"])
        org = service_call(
            org_create, actor=request.user, data=_org_input(values), parent=parent, rename=RENAME
        )
        return _present(org)


class OrgDetailView(ScopedAPIView):
    """One organization; 404 when it does not exist or is outside the actor's subtree."""

    read_perm = Perm.ORG_VIEW
    write_perm = Perm.ORG_CHANGE
    serializer_class = OrgSerializer

    @extend_schema(parameters=[CODE_PARAM], responses=OrgSerializer, summary="组织详情")
    def get(self, request: SignedInApiRequest, code: str) -> Response:
        return Response(_present(org_get(request.user, code)))

    @extend_schema(
        parameters=[CODE_PARAM],
        request=OrgWriteSerializer(partial=True),
        responses=OrgSerializer,
        summary="修改组织（含通过 parent 移动到其他上级之下）",
    )
    def patch(self, request: SignedInApiRequest, code: str) -> Response:
        org = org_get(request.user, code, perm=Perm.ORG_CHANGE)
        changes = validated(OrgWriteSerializer, request, partial=True)
        current = asdict(_current_input(org))
        current["type"] = current.pop("org_type")
        values = {**current, **changes}
        new_parent = None
        if "parent" in changes:
            parent_now = Organization.objects.get_parent(org)
            if parent_now is None or parent_now.code != changes["parent"]:
                new_parent = _writable_parent(request.user, changes["parent"])
        try:
            with transaction.atomic():
                org = org_update(actor=request.user, org=org, data=_org_input(values))
                if new_parent is not None:
                    org = org_move(actor=request.user, org=org, new_parent=new_parent)
        except DjangoValidationError as exc:
            raise service_errors(exc, RENAME) from exc
        return Response(_present(org))


def _current_input(org: Organization) -> OrgInput:
    return OrgInput(
        code=org.code,
        name=org.name,
        org_type=org.org_type,
        sector=org.sector,
        region_code=org.region_code,
        founded_on=org.founded_on,
        term_started_on=org.term_started_on,
        term_years=org.term_years,
        units_covered=org.units_covered,
        secretary_vacant_since=org.secretary_vacant_since,
    )
