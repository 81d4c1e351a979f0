"""Shared pieces of the API views."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response

from dangjian.api.filtersets import ParamFilterSet, query_params
from dangjian.api.pagination import Pagination
from dangjian.api.parsers import SafeJSONParser
from dangjian.api.permissions import HasScopedPerm
from dangjian.api.requests import signed_in
from dangjian.orgs.selectors import org_get, orgs_for

if TYPE_CHECKING:
    from dangjian.accounts.roles import Perm
    from dangjian.accounts.scope import Actor
    from dangjian.orgs.models import Organization

T = TypeVar("T")
V = TypeVar("V", bound=type)

PARSERS: list[type[BaseParser]] = [SafeJSONParser, FormParser, MultiPartParser]
#: for a body with lists or objects in it, which a form cannot carry as the schema describes them
#: (a form field ``vote={}`` is text, not an object): JSON only, anything else is a 415
JSON_ONLY: list[type[BaseParser]] = [SafeJSONParser]


class ScopedAPIView(GenericAPIView):
    """Authenticated, permission from ``read_perm``/``write_perm``, paginated."""

    permission_classes = [HasScopedPerm]
    pagination_class: type[Pagination] | None = Pagination
    parser_classes = PARSERS

    def page_of_dicts(self, items: Sequence[Any]) -> Response:
        """One page of ``items`` (findings, hints: each one answers ``as_dict()``)."""
        paginator = self.paginator
        assert isinstance(paginator, Pagination)
        page = paginator.paginate_queryset(items, self.request, view=self)
        return paginator.get_paginated_response([item.as_dict() for item in page])


class ScopedListView(ScopedAPIView):
    # no class docstring: the schema describes a list by its view's docstring.
    # GET answers one page of ``get_queryset()`` (the actor's rows, in order), each page completed
    # by :meth:`page_rows` and serialized by ``serializer_class``; each view names its answer in
    # the schema with ``extend_schema_view(get=...)``.

    def page_rows(self, rows: list[Any]) -> list[Any]:
        """A hook to complete one page of rows before they are serialized."""
        return rows

    def get(self, request: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        serializer = self.get_serializer_class()(self.page_rows(page), many=True)
        return self.get_paginated_response(serializer.data)


class FilteredListView(ScopedListView):
    """A list endpoint whose query parameters are declared once, as ``filterset_class``
    (:mod:`dangjian.api.filtersets`): checked (a bad one is a 400 naming it), applied by
    django-filter after ``get_queryset``, and listed in the OpenAPI schema. ``queryset`` names
    the model for the schema only; ``get_queryset`` gives the actor's rows, resolving the
    parameters that need the actor through :meth:`params`."""

    filter_backends = [DjangoFilterBackend]
    filterset_class: type[ParamFilterSet]

    def params(self) -> dict[str, Any]:
        """The checked query parameters."""
        query = self.request.query_params
        return self.filterset_class(query, queryset=self.queryset, request=self.request).values()

    def under_org(self, qs: Any, perm: Perm, *paths: str) -> Any:
        """``qs`` narrowed by the ``org`` parameter, when given, to the rows whose ``paths`` (any
        of them) lie in that organization's subtree; an unknown code, or one outside the actor's
        scope under ``perm``, is a 404."""
        code = self.params()["org"]
        if not code:
            return qs
        org = org_get(signed_in(self.request), code, perm=perm)
        narrowed = [qs.filter(**{f"{p}__startswith": org.path}) for p in paths]
        return reduce(operator.or_, narrowed)


class ObjectDetailView(ScopedAPIView):
    # no class docstring: the schema describes the GET by its view's docstring.
    # GET answers the object ``pk`` the actor may read (``getter(actor, pk)``, a 404 otherwise)
    # as :meth:`present` makes it (by default ``serializer_class`` of it); a subclass names its
    # schema with :func:`detail_schema`.

    getter: Callable[..., Any]

    def present(self, request: Any, obj: Any) -> Any:
        """The data answered for ``obj``."""
        return self.get_serializer_class()(obj).data

    def get(self, request: Any, pk: int) -> Response:
        return Response(self.present(request, type(self).getter(request.user, pk)))


def detail_schema(
    id_param: OpenApiParameter | None, summary: str, answer: Any = None
) -> Callable[[V], V]:
    """The schema of an :class:`ObjectDetailView`'s GET: the path id (when named), answered
    ``answer`` (by default the view's ``serializer_class``)."""

    def decorate(view: V) -> V:
        cls: Any = view  # its serializer_class, read from the class
        schema = extend_schema(
            parameters=None if id_param is None else [id_param],
            responses=answer or cls.serializer_class,
            summary=summary,
        )
        return cast("V", extend_schema_view(get=schema)(view))

    return decorate


class CreateView(ScopedAPIView):
    # no class docstring: the schema describes a POST by its view's docstring.
    # POST: the body checked by ``write_serializer`` (a 400), then :meth:`create` (a service's
    # refusal is a 400), answered 201 with what it returns. A list view adds it as a second base
    # (``class V(FilteredListView, CreateView)``); a subclass names its schema with
    # :func:`create_schema`.

    write_serializer: type[Any]

    def create(self, request: Any, values: dict[str, Any]) -> Any:
        """Make the object from the checked body ``values``; the data answered."""
        raise NotImplementedError

    def post(self, request: Any) -> Response:
        values = validated(self.write_serializer, request)
        return Response(self.create(request, values), status=201)


def create_schema(summary: str, answer: Any = None) -> Callable[[V], V]:
    """The schema of a :class:`CreateView`'s POST: ``write_serializer`` as the body, answered 201
    with ``answer`` (by default the view's ``serializer_class``)."""

    def decorate(view: V) -> V:
        cls: Any = view  # its serializers, read from the class
        schema = extend_schema(
            request=cls.write_serializer,
            responses={201: answer or cls.serializer_class},
            summary=summary,
        )
        return cast("V", extend_schema_view(post=schema)(view))

    return decorate


class ObjectActionView(ScopedAPIView):
    # no class docstring: the schema describes an action by its view's (or a base's) docstring.
    # A POST on one object ``pk``: the object first (:meth:`target`, a 404 outside the scope),
    # then the body checked by ``serializer_class`` (a 400), then :meth:`act` (a service's refusal
    # is a 400); the answer is :meth:`answer` of the object, 201 when ``created``. A subclass
    # names its schema with :func:`action_schema`.

    pagination_class = None
    created: ClassVar[bool] = False

    def target(self, request: Any, pk: int) -> Any:
        """The object ``pk`` the action applies to; 404 when the actor may not act on it."""
        raise NotImplementedError

    def act(self, request: Any, target: Any, values: dict[str, Any]) -> None:
        """Apply the action to ``target`` with the checked body ``values``."""
        raise NotImplementedError

    def answer(self, request: Any, target: Any) -> Any:
        """The data answered once the action is done."""
        raise NotImplementedError

    def post(self, request: Any, pk: int) -> Response:
        target = self.target(request, pk)
        values = validated(self.get_serializer_class(), request)
        self.act(request, target, values)
        return Response(self.answer(request, target), status=201 if self.created else 200)


A = TypeVar("A", bound=type[ObjectActionView])


def action_schema(
    id_param: OpenApiParameter, answer: Any, summary: str, operation_id: str
) -> Callable[[A], A]:
    """The schema of an :class:`ObjectActionView`: POST with the path id and the view's
    ``serializer_class`` as the body, answered ``answer`` (201 when the view is ``created``)."""

    def decorate(view: A) -> A:
        cls: Any = view  # its serializer_class, read from the class
        schema = extend_schema(
            parameters=[id_param],
            request=cls.serializer_class,
            responses={201 if view.created else 200: answer},
            summary=summary,
            operation_id=operation_id,
        )
        return cast("A", extend_schema_view(post=schema)(view))

    return decorate


class AttachmentListView(ScopedAPIView):
    """The attachments of one object (a record, a case): GET lists them, POST uploads files, all
    or none (a service's refusal is a 400), answered 201 with the stored ones. A subclass names
    the object (:meth:`owner`), how one file is stored (:meth:`adder`) and its schema
    (``extend_schema_view``)."""

    read_perm: Perm
    write_perm: Perm
    pagination_class = None  # a short list of one object's parts, answered whole
    #: the most files one object may have, and the object as the limit's message names it
    max_count: int
    per: str
    max_bytes: int | None = None  # the largest file (None: the uploads' limit for documents)

    def owner(self, request: Any, pk: int, perm: Any) -> Any:
        """The object ``pk`` if the actor holds ``perm`` on it; 404 otherwise."""
        raise NotImplementedError

    def adder(self, request: Any, owner: Any) -> Callable[[str, bytes], Any]:
        """The function that stores one file ``(name, data)`` of ``owner`` (audited)."""
        raise NotImplementedError

    def get(self, request: Any, pk: int) -> Response:
        items = self.owner(request, pk, self.read_perm).attachments.defer("data").order_by("pk")
        return Response(self.get_serializer_class()(items, many=True).data)

    def post(self, request: Any, pk: int) -> Response:
        from dangjian.api.serializers import uploaded_files
        from dangjian.core.attachments import attachments_add_all

        add = self.adder(request, self.owner(request, pk, self.write_perm))
        files = uploaded_files(
            request, max_count=self.max_count, per=self.per, max_bytes=self.max_bytes
        )
        created = service_call(attachments_add_all, files, add)
        return Response(self.get_serializer_class()(created, many=True).data, status=201)


def attachment_list_schema(
    *, id_param: OpenApiParameter, serializer: Any, upload: Any, listed: str, uploaded: str
) -> Callable[[V], V]:
    """The schema of an :class:`AttachmentListView`: GET answers the list of ``serializer``,
    POST takes the multipart form ``upload`` and answers 201 with the stored ones."""
    decorate = extend_schema_view(
        get=extend_schema(parameters=[id_param], responses=serializer(many=True), summary=listed),
        post=extend_schema(
            parameters=[id_param],
            request={"multipart/form-data": upload},
            responses={201: serializer(many=True)},
            summary=uploaded,
        ),
    )
    return cast("Callable[[V], V]", decorate)


class AttachmentFileView(ScopedAPIView):
    """One attachment of one object, GET only (the download): a subclass finds it and answers
    with :func:`dangjian.core.attachments.attachment_response`."""

    serializer_class = None
    pagination_class = None


class AttachmentDetailView(ScopedAPIView):
    """One attachment of one object: DELETE removes it with the app's audited ``remover``; a
    subclass finds it (:meth:`item`), answers GET (the download) and names the DELETE's summary
    (``extend_schema_view``)."""

    read_perm: Perm
    write_perm: Perm
    serializer_class = None
    remover: Callable[..., Any]

    def item(self, request: Any, pk: int, attachment_id: int, perm: Any) -> Any:
        """The attachment ``attachment_id`` of the object ``pk`` under ``perm``; 404 otherwise."""
        raise NotImplementedError

    def delete(self, request: Any, pk: int, attachment_id: int) -> Response:
        item = self.item(request, pk, attachment_id, self.write_perm)
        type(self).remover(actor=request.user, attachment=item)
        return Response(status=204)


def query_schema(filterset: type[ParamFilterSet], answer: Any, summary: str) -> Callable[[V], V]:
    """The schema of a GET whose query parameters are ``filterset``'s, answered ``answer``."""
    schema = extend_schema(parameters=query_params(filterset), responses=answer, summary=summary)
    return cast("Callable[[V], V]", extend_schema_view(get=schema))


def validated(serializer_class: Any, request: Any, **kwargs: Any) -> dict[str, Any]:
    """The request body checked by ``serializer_class`` (else a 400 with its messages). A partial
    update that names no field it knows (an empty or unreadable body) is a 400 too."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    if kwargs.get("partial") and not serializer.validated_data:
        raise exceptions.ValidationError({"non_field_errors": ["请至少填写一个要修改的字段"]})
    return dict(serializer.validated_data)


def picked(values: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """``{name: values[name]}`` for each of ``names``: the checked body's fields a service takes
    under the same names, passed through as keyword arguments (``**picked(v, "since", "note")``)."""
    return {name: values[name] for name in names}


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """A path under /api/v1/ that names no endpoint (or an id that is not a number)."""
    return JsonResponse({"detail": "接口不存在，或路径中的编号无效"}, status=404)


def download_responses(*, video: bool = False) -> dict[Any, Any]:
    """The OpenAPI answer of an attachment download: the file, in the type it was stored with
    (``video``: short clips too, where the holder takes them)."""
    from dangjian.core.uploads import CONTENT_TYPES, VIDEO_TYPES

    types = (*CONTENT_TYPES, *VIDEO_TYPES) if video else CONTENT_TYPES
    return {(200, content_type): OpenApiTypes.BINARY for content_type in types}


def path_id(description: str, name: str = "id") -> OpenApiParameter:
    """The integer id in an endpoint's path, described in Chinese."""
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


def service_errors(exc: DjangoValidationError, rename: Mapping[str, str] | None = None) -> Any:
    """A service's ``ValidationError`` as a DRF 400, field names mapped to the API's names."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = rename.get(field, field)
            detail.setdefault(key, []).extend(messages)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def service_call(
    service: Callable[..., T], /, *args: Any, rename: Mapping[str, str] | None = None, **kwargs: Any
) -> T:
    """``service(*args, **kwargs)``; its ``ValidationError`` is a DRF 400 (:func:`service_errors`,
    field names mapped by ``rename``)."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise service_errors(exc, rename) from exc


def scoped_org(
    actor: Actor, perm: Perm, code: str, *, field: str = "org", message: str | None = None
) -> Organization:
    """The organization ``code`` among those ``actor`` holds ``perm`` on; otherwise a 400 with
    ``message`` (by default: 组织“code”不存在…) on ``field`` (an unknown code and one outside the
    scope get the same answer)."""
    org = orgs_for(actor, perm).filter(code=code).first()
    if org is None:
        raise exceptions.ValidationError(
            {field: [message or f"组织“{code}”不存在或不在您的管辖范围内"]}
        )
    return org
