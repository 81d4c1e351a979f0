"""``/api/v1/service/``: the staff side of service orders (村居派单、网格接单) and grids.

- ``orders/``: the orders of the actor's subtree (``Perm.SERVICE_VIEW``), filtered by state,
  category, grid and overdue, oldest first, paginated; no phone number in the list.
- ``orders/{id}/``: one order with its history. The resident's phone is masked; the full
  number is in the answer only for the order's current handler
  (:func:`dangjian.service.services.holds`), and each such answer is audited
  (:func:`~dangjian.service.services.order_phone`).
- ``orders/{id}/{action}/``: one transition as a POST — accept, refuse, merge, dispatch,
  escalate and close need ``Perm.SERVICE_DISPATCH``, take and resolve ``Perm.SERVICE_HANDLE``
  — each through its service. An impossible transition is a 400 with the service's Chinese
  message; when someone else changed the order meanwhile (two people taking it at once) it is
  a 409 saying so. Nothing is written on a refusal.
- ``orders/{id}/photos/``: the photos of what was done — GET lists them (no bytes), POST
  uploads JPEG/PNG/WebP photos (multipart ``file``/``files``, all or none) as the holder while
  the order is taken (``Perm.SERVICE_HANDLE``); ``orders/{id}/photos/{photo_id}/``: GET
  downloads one (audited), DELETE removes one — the holder while taken, or a dispatcher over
  the handling organization, until the order is closed (audited). Photos are decoded and stored
  without their metadata (a phone's GPS position).
- ``grids/`` and ``grids/{id}/``: grids of the actor's subtree; POST creates one, PATCH changes
  it (``Perm.SERVICE_DISPATCH`` over the village), through ``grid_create``/``grid_update``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers
from dangjian.api import filters
from dangjian.api.filtersets import (
    FlagFilter,
    ParamFilter,
    ParamFilterSet,
    choice_filter,
    org_param,
)
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import AttachmentSerializerBase, TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    AttachmentDetailView,
    AttachmentListView,
    CreateView,
    FilteredListView,
    ObjectActionView,
    ObjectDetailView,
    ScopedAPIView,
    attachment_list_schema,
    create_schema,
    detail_schema,
    download_responses,
    path_id,
    scoped_org,
    service_call,
    service_errors,
    validated,
)
from dangjian.core.attachments import attachment_response
from dangjian.service import services
from dangjian.service.categories import categories, category
from dangjian.service.choices import OPEN_STATES, OrderState, RefuseReason
from dangjian.service.models import Grid, Order, OrderAttachment
from dangjian.service.selectors import grids_for, order_get, orders_for, overdue

ORDER_ID = path_id("服务工单 id")
PHOTO_ID = path_id("照片 id", "photo_id")
GRID_ID = path_id("网格 id")
NOTE_MAX = services.NOTE_MAX
MAX_WORKERS = 200


# --- presenting ------------------------------------------------------------------------------


def _category_name(code: str) -> str:
    cat = category(code)
    return cat.name if cat else code


def _is_overdue(order: Order, now: Any) -> bool:
    return order.state in OPEN_STATES and (
        order.resolution_due < now or (order.responded_at is None and order.response_due < now)
    )


class OrderSerializer(serializers.Serializer):
    """An order as the staff list shows it: no phone number, no contact name."""

    id = serializers.IntegerField()
    tracking_code = TextField(help_text="查询码（群众凭此查询工单）")
    org = TextField(source="org.code", help_text="村（社区）组织编码")
    org_name = TextField(source="org.name", help_text="村（社区）名称")
    grid = serializers.IntegerField(source="grid_id", help_text="点单的网格 id")
    grid_name = TextField(source="grid.name")
    handler_org = TextField(source="handler_org.code", help_text="当前承办组织编码")
    level = TextField(help_text="承办层级：village 村（社区）、area 片区、town 乡镇（街道）")
    level_label = TextField(source="get_level_display")
    category = TextField(help_text="服务类别编码")
    category_name = serializers.SerializerMethodField()
    description = TextField(help_text="诉求内容")
    address = TextField(help_text="地点")
    state = serializers.ChoiceField(choices=OrderState.values, help_text="状态")
    state_label = TextField(source="get_state_display")
    submitted_at = serializers.DateTimeField()
    response_due = serializers.DateTimeField(help_text="响应期限")
    resolution_due = serializers.DateTimeField(help_text="办结期限")
    responded_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()

    def get_category_name(self, order: Order) -> str:
        return _category_name(order.category)

    def get_overdue(self, order: Order) -> bool:
        return _is_overdue(order, self.context.get("now") or timezone.now())


class EventSerializer(serializers.Serializer):
    """One transition of the order: who, when, from → to, note."""

    kind = TextField(help_text="操作")
    kind_label = TextField(source="get_kind_display")
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField(help_text="操作人（群众本人为“群众”）")
    by_resident = serializers.BooleanField()
    from_state = TextField(help_text="原状态（点单时为空）")
    to_state = TextField(help_text="新状态")
    note = TextField()
    late = serializers.BooleanField(help_text="是否超过时限")

    def get_by(self, event: Any) -> str:
        if event.by_resident:
            return "群众"
        return str(event.by) if event.by_id else ""


class OrderDetailSerializer(OrderSerializer):
    """One order with its history; ``phone`` only for its current handler (audited)."""

    phone_masked = TextField(help_text="群众联系电话（脱敏；保存期满后为空）")
    phone = serializers.SerializerMethodField(
        help_text="群众完整联系电话：仅当前承办人可见，每次返回都记入审计；其他人为 null"
    )
    contact_name = serializers.SerializerMethodField(help_text="群众称呼：仅当前承办人可见")
    dispatched_grid = serializers.IntegerField(source="dispatched_grid_id", allow_null=True)
    assignee = serializers.SerializerMethodField(help_text="承办人（接单人或被派单人）")
    taken_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    result = TextField(help_text="办理结果")
    rating = TextField(help_text="评价：satisfied、basic、unsatisfied，未评价为空")
    rating_comment = TextField()
    rated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    refuse_reason = TextField(help_text="不予受理原因")
    merged_into = serializers.SerializerMethodField(help_text="合并到的工单查询码")
    reopen_count = serializers.IntegerField()
    escalation_count = serializers.IntegerField()
    actions = serializers.SerializerMethodField(help_text="当前用户可以执行的操作")
    events = EventSerializer(many=True, source="history")

    def get_phone(self, order: Order) -> str | None:
        return self.context.get("phone")

    def get_contact_name(self, order: Order) -> str | None:
        return order.contact_name if self.context.get("phone") is not None else None

    def get_assignee(self, order: Order) -> str:
        return str(order.assignee) if order.assignee_id else ""

    def get_merged_into(self, order: Order) -> str:
        into = order.merged_into if order.merged_into_id else None
        return into.tracking_code if into is not None else ""

    def get_actions(self, order: Order) -> list[str]:
        return self.context.get("actions", [])


def _actions(actor: Actor, order: Order) -> list[str]:
    """What ``actor`` may do with ``order`` now (the transitions' names)."""
    dispatcher = covers(actor, Perm.SERVICE_DISPATCH, order.handler_org.path)
    state, out = order.state, []
    if dispatcher:
        for action, kind in DISPATCHER_ACTIONS.items():
            if state in services.ALLOWED[kind][0]:
                out.append(action)
    if state == OrderState.DISPATCHED and services.may_handle(actor, order):
        out.append("take")
    if state == OrderState.TAKEN and order.assignee_id == getattr(actor, "pk", None):
        out.append("resolve")
    return out


def _detail(request: SignedInApiRequest, order: Order) -> dict[str, Any]:
    """The order as its detail answer; the full phone for its current handler, audited in the
    same transaction as the answer is made."""
    order = (
        orders_for(request.user).select_related("dispatched_grid", "merged_into").get(pk=order.pk)
    )
    order.history = list(order.events.select_related("by").order_by("at", "pk"))  # type: ignore[attr-defined]
    phone: str | None = None
    if order.phone_cipher and services.holds(request.user, order):
        with transaction.atomic():
            phone = services.order_phone(actor=request.user, order=order)
    context = {"phone": phone, "actions": _actions(request.user, order), "now": timezone.now()}
    return dict(OrderDetailSerializer(order, context=context).data)


# --- the list ---------------------------------------------------------------------------------


def _grid_value(name: str, raw: str | None) -> int | None:
    value = filters.text_value(name, raw, max_length=12)
    if not value:
        return None
    if not value.isdigit() or len(value) > 9 or int(value) < 1:
        raise filters.bad(name, "网格 id 应为正整数")
    return int(value)


GRID_PARAM_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 999_999_999},
        {"type": "string", "enum": [""]},
    ]
}


@extend_schema_field({**GRID_PARAM_SCHEMA, "description": "网格 id"})
class GridParam(ParamFilter):
    schema = GRID_PARAM_SCHEMA


class OrderFilter(ParamFilterSet):
    """The parameters of ``/service/orders/``."""

    org = org_param("村（社区）或上级组织编码：只列该组织及其下级的工单")
    state = choice_filter(OrderState, "状态", field_name="state")
    category = choice_filter(
        SimpleNamespace(
            values=list(categories()),
            choices=[(c.code, f"{c.group}·{c.name}") for c in categories().values()],
        ),
        "服务类别",
        field_name="category",
    )
    grid = GridParam(_grid_value, by_view=True, label="网格 id（点单或派往的网格）")
    overdue = FlagFilter(filters.bool_value, by_view=True, label="1：只列超时未办的工单")


@extend_schema_view(
    get=extend_schema(responses=OrderSerializer(many=True), summary="服务工单列表（不含电话）")
)
class ServiceOrderListView(FilteredListView):
    """Service orders of the actor's subtree, oldest first (``?state=&category=&grid=&overdue=1``
    narrow it)."""

    read_perm = Perm.SERVICE_VIEW
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    queryset = Order.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        params = self.params()
        qs = self.under_org(orders_for(actor), Perm.SERVICE_VIEW, "org__path")
        if params["grid"]:
            qs = qs.filter(Q(grid_id=params["grid"]) | Q(dispatched_grid_id=params["grid"]))
        if params["overdue"]:
            qs = overdue(qs)
        return qs.order_by("submitted_at", "pk")


@detail_schema(ORDER_ID, "服务工单详情及流转记录")
class ServiceOrderDetailView(ObjectDetailView):
    """One order with its history (the full phone only for its current handler, audited)."""

    read_perm = Perm.SERVICE_VIEW
    serializer_class = OrderDetailSerializer

    getter = order_get

    def present(self, request: SignedInApiRequest, obj: Order) -> Any:
        return _detail(request, obj)


# --- transitions ------------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    note = TextField(
        max_length=NOTE_MAX, required=False, allow_blank=True, default="", help_text="说明"
    )


class RefuseSerializer(NoteSerializer):
    reason = serializers.ChoiceField(
        choices=RefuseReason.values,
        error_messages={
            "invalid_choice": f"原因“{{input}}”无效，应为：{'、'.join(RefuseReason.values)}"
        },
        help_text="不予受理原因：" + "、".join(f"{v} {lb}" for v, lb in RefuseReason.choices),
    )


class MergeSerializer(NoteSerializer):
    into = TextField(max_length=16, help_text="重复的（保留的）工单查询码")


class DispatchSerializer(NoteSerializer):
    grid = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, help_text="派往的网格 id"
    )
    assignee = TextField(
        max_length=150, required=False, allow_blank=True, help_text="或：承办人用户名（二选一）"
    )


class EscalateSerializer(serializers.Serializer):
    reason = TextField(max_length=NOTE_MAX, help_text="上报理由")


class EmptySerializer(serializers.Serializer):
    """No body needed."""


class ResolveSerializer(serializers.Serializer):
    result = TextField(max_length=services.DESCRIPTION_MAX, help_text="办理结果（做了什么）")


class ConflictSerializer(serializers.Serializer):
    detail = TextField(help_text="冲突说明：工单刚刚已被他人处理")


def _merge_target(actor: Actor, code: str) -> Order:
    code = code.strip().upper()
    target = orders_for(actor).filter(tracking_code=code).first() if code else None
    if target is None:
        raise exceptions.ValidationError({"into": [f"未找到查询码为“{code[:16]}”的工单"]})
    return target


def _dispatch(actor: Actor, order: Order, v: dict[str, Any]) -> Order:
    grid: Grid | None = None
    assignee: User | None = None
    if v.get("grid"):
        grid = grids_for(actor).filter(pk=v["grid"]).select_related("org").first()
        if grid is None:
            raise exceptions.ValidationError({"grid": ["网格不存在或不在您的管辖范围内"]})
    if v.get("assignee"):
        assignee = User.objects.filter(
            username=v["assignee"].strip(), org__path__startswith=order.handler_org.path
        ).first()
        if assignee is None:
            raise exceptions.ValidationError({"assignee": ["承办人不存在或不在承办组织范围内"]})
    return services.order_dispatch(
        actor=actor, order=order, grid=grid, assignee=assignee, note=v.get("note", "")
    )


#: action → (body, permission, the service call, summary)
Apply = Callable[[Actor, Order, dict[str, Any]], Order]
ACTIONS: dict[str, tuple[type[serializers.Serializer], Perm, Apply, str]] = {
    "accept": (
        NoteSerializer,
        Perm.SERVICE_DISPATCH,
        lambda a, o, v: services.order_accept(actor=a, order=o, note=v.get("note", "")),
        "受理工单",
    ),
    "refuse": (
        RefuseSerializer,
        Perm.SERVICE_DISPATCH,
        lambda a, o, v: services.order_refuse(
            actor=a, order=o, reason=v["reason"], note=v.get("note", "")
        ),
        "不予受理（须说明原因和理由）",
    ),
    "merge": (
        MergeSerializer,
        Perm.SERVICE_DISPATCH,
        lambda a, o, v: services.order_merge(
            actor=a, order=o, into=_merge_target(a, v["into"]), note=v.get("note", "")
        ),
        "合并为重复工单",
    ),
    "dispatch": (DispatchSerializer, Perm.SERVICE_DISPATCH, _dispatch, "派单到网格或承办人"),
    "escalate": (
        EscalateSerializer,
        Perm.SERVICE_DISPATCH,
        lambda a, o, v: services.order_escalate(actor=a, order=o, reason=v["reason"]),
        "上报上级（村 → 片区 → 乡镇）",
    ),
    "take": (
        EmptySerializer,
        Perm.SERVICE_HANDLE,
        lambda a, o, v: services.order_take(actor=a, order=o),
        "网格员接单（多人同时接单时只有一人成功，其他人得到 409）",
    ),
    "resolve": (
        ResolveSerializer,
        Perm.SERVICE_HANDLE,
        lambda a, o, v: services.order_resolve(actor=a, order=o, result=v["result"]),
        "反馈办理结果",
    ),
    "close": (
        NoteSerializer,
        Perm.SERVICE_DISPATCH,
        lambda a, o, v: services.order_close(actor=a, order=o, note=v.get("note", "")),
        "办结归档",
    ),
}

#: the dispatcher's actions → the event each is in the state machine
DISPATCHER_ACTIONS = {
    "accept": "accept",
    "refuse": "refuse",
    "merge": "merge",
    "dispatch": "dispatch",
    "escalate": "escalate",
    "close": "close",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "工单刚刚已被他人处理，请刷新后再看"
    default_code = "conflict"


def _conflict(actor: Actor, order: Order, action: str, read_state: str) -> bool:
    """Whether the refusal came from someone else acting on the order meanwhile: its state is no
    longer the one read, or (taking) another person holds it."""
    fresh = Order.objects.filter(pk=order.pk).values_list("state", "assignee_id").first()
    if fresh is None:
        return False
    if fresh[0] != read_state:
        return True
    return (
        action == "take"
        and fresh[0] == OrderState.TAKEN
        and fresh[1] not in (None, getattr(actor, "pk", None))
    )


class ServiceOrderActionView(ObjectActionView):
    """One transition of an order (the subclass names it in ``action``)."""

    action_name = ""
    parser_classes = JSON_ONLY

    def target(self, request: SignedInApiRequest, pk: int) -> Order:
        return order_get(request.user, pk)

    def act(self, request: SignedInApiRequest, target: Order, values: dict[str, Any]) -> None:
        read_state = target.state
        try:
            ACTIONS[self.action_name][2](request.user, target, values)
        except DjangoValidationError as exc:
            if _conflict(request.user, target, self.action_name, read_state):
                raise Conflict("；".join(exc.messages)) from exc
            raise service_errors(exc) from exc

    def answer(self, request: SignedInApiRequest, target: Order) -> dict[str, Any]:
        return _detail(request, target)


def _action_view(action: str) -> type[ServiceOrderActionView]:
    body, perm, _apply, summary = ACTIONS[action]
    view = type(
        f"ServiceOrder{action.title()}View",
        (ServiceOrderActionView,),
        {
            "action_name": action,
            "read_perm": perm,
            "write_perm": perm,
            "serializer_class": body,
            "__doc__": f"{summary}（工单 {action}）。",
        },
    )
    decorated = extend_schema_view(
        post=extend_schema(
            parameters=[ORDER_ID],
            request=body,
            responses={
                200: OrderDetailSerializer,
                409: OpenApiResponse(ConflictSerializer, description="工单刚刚已被他人处理"),
            },
            summary=summary,
            operation_id=f"service_orders_{action}",
        )
    )(view)
    return decorated


ACTION_VIEWS = {action: _action_view(action) for action in ACTIONS}


# --- grids ------------------------------------------------------------------------------------


class WorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = TextField()
    name = TextField(source="display_name")


class GridSerializer(serializers.Serializer):
    """A grid of a village or community, with its workers and open orders."""

    id = serializers.IntegerField()
    org = TextField(source="org.code", help_text="村（社区）组织编码")
    org_name = TextField(source="org.name")
    name = TextField(help_text="网格名称")
    area = TextField(help_text="所属片区")
    households = serializers.IntegerField(help_text="户数")
    boundary = serializers.JSONField(allow_null=True, help_text="范围（GeoJSON 多边形）")
    workers = WorkerSerializer(many=True, source="worker_list")
    active = serializers.BooleanField()
    open_orders = serializers.IntegerField(help_text="未办结的工单数")
    public_path = serializers.SerializerMethodField(help_text="群众点单页面的路径")

    def get_public_path(self, grid: Grid) -> str:
        return reverse("service:submit", args=[grid.token])


def _grids_with_counts(qs: Any) -> Any:
    return qs.annotate(
        open_orders=Count("orders", filter=Q(orders__state__in=OPEN_STATES), distinct=True)
    ).prefetch_related("workers")


def _present_grids(grids: list[Grid]) -> list[Grid]:
    for g in grids:
        g.worker_list = sorted(g.workers.all(), key=lambda u: u.username)  # type: ignore[attr-defined]
    return grids


class GridWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="村（社区）组织编码（新建时必填，不能修改）")
    name = TextField(max_length=50, help_text="网格名称")
    area = TextField(max_length=50, required=False, allow_blank=True, help_text="所属片区")
    households = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, help_text="户数"
    )
    workers = serializers.ListField(
        child=TextField(max_length=150),
        max_length=MAX_WORKERS,
        required=False,
        help_text="网格员用户名（本村（社区）可办理工单的账号）",
    )
    boundary = serializers.JSONField(
        required=False, allow_null=True, help_text="范围：GeoJSON Polygon 或 MultiPolygon"
    )


class GridUpdateSerializer(GridWriteSerializer):
    org = None  # type: ignore[assignment]


def _workers(org: Any, names: list[str]) -> list[User]:
    names = [n.strip() for n in names]
    found = {
        u.username: u
        for u in User.objects.filter(
            username__in=names, org__path__startswith=org.path
        ).select_related("org")
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise exceptions.ValidationError(
            {"workers": [f"{'、'.join(missing[:10])} 不是本村（社区）的账号"]}
        )
    return [found[n] for n in dict.fromkeys(names)]


def _grid_answer(actor: Actor, grid: Grid) -> dict[str, Any]:
    fresh = _grids_with_counts(grids_for(actor)).get(pk=grid.pk)
    return dict(GridSerializer(_present_grids([fresh])[0]).data)


class GridFilter(ParamFilterSet):
    org = org_param("组织编码：只列该组织及其下级的网格")
    active = choice_filter(["1", "0"], "启用状态", by_view=True)


@extend_schema_view(get=extend_schema(responses=GridSerializer(many=True), summary="网格列表"))
@create_schema("新建网格")
class GridListView(FilteredListView, CreateView):
    """Grids of the actor's subtree, with their workers and open orders; POST creates one."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = GridSerializer
    write_serializer = GridWriteSerializer
    filterset_class = GridFilter
    queryset = Grid.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        params = self.params()
        qs = self.under_org(grids_for(actor), Perm.SERVICE_VIEW, "org__path")
        if params["active"]:
            qs = qs.filter(active=params["active"] == "1")
        return _grids_with_counts(qs).order_by("org__path", "name", "pk")

    def page_rows(self, rows: list[Any]) -> list[Any]:
        return _present_grids(rows)

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        org = scoped_org(
            request.user,
            Perm.SERVICE_DISPATCH,
            v["org"],
            field="org",
            message=f"村（社区）“{v['org']}”不存在或不在您的管辖范围内",
        )
        grid = service_call(
            services.grid_create,
            actor=request.user,
            org=org,
            name=v["name"],
            area=v.get("area") or "",
            households=v.get("households") or 0,
            workers=_workers(org, v.get("workers") or []),
            boundary=v.get("boundary"),
        )
        return _grid_answer(request.user, grid)


class GridDetailView(ScopedAPIView):
    """One grid; PATCH changes it (the fields given)."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = GridSerializer
    parser_classes = JSON_ONLY

    def _grid(self, actor: Actor, pk: int, perm: Perm) -> Grid:
        grid = grids_for(actor, perm).filter(pk=pk).first()
        if grid is None:
            raise Http404("网格不存在或不在您的管辖范围内")
        return grid

    @extend_schema(parameters=[GRID_ID], responses=GridSerializer, summary="网格详情")
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        return Response(_grid_answer(request.user, self._grid(request.user, pk, Perm.SERVICE_VIEW)))

    @extend_schema(
        parameters=[GRID_ID],
        request=GridUpdateSerializer(partial=True),
        responses=GridSerializer,
        summary="修改网格",
    )
    def patch(self, request: SignedInApiRequest, pk: int) -> Response:
        grid = self._grid(request.user, pk, Perm.SERVICE_VIEW)
        v = validated(GridUpdateSerializer, request, partial=True)
        workers = _workers(grid.org, v["workers"]) if "workers" in v else list(grid.workers.all())
        grid = service_call(
            services.grid_update,
            actor=request.user,
            grid=grid,
            name=v.get("name", grid.name),
            area=v.get("area", grid.area) or "",
            households=v.get("households", grid.households),
            workers=workers,
            boundary=v.get("boundary", grid.boundary),
        )
        return Response(_grid_answer(request.user, grid))


class GridDeactivateView(ScopedAPIView):
    """停用 a grid: its public page stops taking orders (refused while orders dispatched to it
    wait for its workers)."""

    read_perm = Perm.SERVICE_DISPATCH
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = NoteSerializer
    pagination_class = None
    parser_classes = JSON_ONLY

    @extend_schema(
        parameters=[GRID_ID], request=NoteSerializer, responses=GridSerializer, summary="停用网格"
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        grid = grids_for(request.user).filter(pk=pk).first()
        if grid is None:
            raise Http404("网格不存在或不在您的管辖范围内")
        v = validated(NoteSerializer, request)
        grid = service_call(
            services.grid_deactivate, actor=request.user, grid=grid, note=v.get("note", "")
        )
        return Response(_grid_answer(request.user, grid))


# --- photos of what was done -------------------------------------------------------------------


class OrderPhotoSerializer(AttachmentSerializerBase):
    """A photo of an order's work (no bytes: ``url`` downloads it, audited)."""

    uploaded_by = serializers.SerializerMethodField(help_text="上传人")

    def get_url(self, item: OrderAttachment) -> str:
        return reverse("api:service-order-photo", args=[item.order_id, item.pk])

    def get_uploaded_by(self, item: OrderAttachment) -> str:
        return str(item.uploaded_by) if item.uploaded_by_id else ""


class OrderPhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            f"JPEG、PNG 或 WebP 照片，每张最大 5 MB，每张工单最多 {services.PHOTOS_PER_ORDER} 张；"
            "可重复多次上传多张（字段名 file 或 files），全部成功或全部不保存；"
            "保存时去除照片的拍摄位置等元数据"
        )
    )


@attachment_list_schema(
    id_param=ORDER_ID,
    serializer=OrderPhotoSerializer,
    upload=OrderPhotoUploadSerializer,
    listed="工单的办理照片列表",
    uploaded="接单人上传办理照片（工单办理中；记入审计）",
)
class ServiceOrderPhotoListView(AttachmentListView):
    """The photos of what was done on one order of the actor's subtree.

    Listing needs ``service.view`` over the order; uploading is for the person who took the
    order, while it is taken (else 403, or 400 saying the order's state). Photos of one upload
    are stored all or none, each audited with its SHA-256.
    """

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_HANDLE
    serializer_class = OrderPhotoSerializer
    max_count = services.PHOTOS_PER_ORDER
    per = "每张工单"

    def owner(self, request: SignedInApiRequest, pk: int, perm: Perm) -> Order:
        return order_get(request.user, pk)

    def adder(self, request: SignedInApiRequest, owner: Order) -> Any:
        return lambda name, data: services.order_photo_add(
            actor=request.user, order=owner, name=name, data=data
        )

    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        order = self.owner(request, pk, self.read_perm)
        items = order.photos.defer("data").select_related("uploaded_by").order_by("pk")
        return Response(OrderPhotoSerializer(items, many=True).data)


@extend_schema_view(
    delete=extend_schema(
        parameters=[ORDER_ID, PHOTO_ID],
        responses={204: None},
        summary="删除办理照片（接单人或承办组织派单人，办结前；记入审计）",
    )
)
class ServiceOrderPhotoDetailView(AttachmentDetailView):
    """One photo of an order: GET downloads it (audited: photos may show people), DELETE
    removes it — by the person holding the order while it is taken, or a dispatcher over the
    organization handling it, until the order is closed (then 400); audited."""

    read_perm = Perm.SERVICE_VIEW
    # who may remove is the service's to say (the holder or a dispatcher): 403 with its words
    write_perm = Perm.SERVICE_VIEW
    remover = services.order_photo_remove

    def item(self, request: SignedInApiRequest, pk: int, attachment_id: int, perm: Perm) -> Any:
        order = order_get(request.user, pk)
        item = order.photos.filter(pk=attachment_id).first()
        if item is None:
            raise Http404("照片不存在或不在您的管辖范围内")
        item.order = order
        return item

    def delete(self, request: SignedInApiRequest, pk: int, photo_id: int) -> Response:  # type: ignore[override]
        item = self.item(request, pk, photo_id, self.write_perm)
        service_call(services.order_photo_remove, actor=request.user, photo=item)
        return Response(status=204)

    @extend_schema(
        parameters=[ORDER_ID, PHOTO_ID],
        responses=download_responses(),
        summary="下载办理照片（记入审计）",
    )
    def get(self, request: SignedInApiRequest, pk: int, photo_id: int) -> HttpResponse:
        item = self.item(request, pk, photo_id, self.read_perm)
        data = services.order_photo_read(actor=request.user, photo=item)
        return attachment_response(item, data, digest=True)


__all__ = [
    "ACTION_VIEWS",
    "GridDeactivateView",
    "GridDetailView",
    "GridListView",
    "ServiceOrderDetailView",
    "ServiceOrderListView",
    "ServiceOrderPhotoDetailView",
    "ServiceOrderPhotoListView",
]
