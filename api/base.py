"""The machinery every resource shares: token-only access, ETags, If-Match,
idempotent creates (external id and Idempotency-Key), body limit, audit of reads.

A resource viewset declares its queryset, serializers, scope and, for writes,
``perform_service_create`` / ``perform_service_update`` calling a domain service.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import models, transaction
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import ApiToken, User
from accounts.roles import Role, user_has_role
from accounts.tokens import SCOPE_MISSING, ScopedTokenAuthentication, TokenHasScope, token_allows
from audit.services import access_record_many

from . import services
from .etags import etag_for
from .pages import cyclic_gc_paused, prefetch_querysets, representer_for
from .problems import BODY_TOO_LARGE, PayloadTooLarge, PreconditionFailed, PreconditionRequired
from .selectors import external_ids_for, object_id_for_external_id

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("ETag", "Location")
API_PURPOSE = "Synchronisatie via de API"


class IsSyncClient(permissions.BasePermission):
    """The resources are for sync clients with a token; people use the web pages."""

    message = "Alleen synchronisatieclients met een API-token gebruiken deze API."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken) and user_has_role(request.user, Role.SYNC_CLIENT)


class StablePagination(CursorPagination):
    """Cursor pages in id order: stable while rows are added."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class SyncViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    authentication_classes = [ScopedTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsSyncClient, TokenHasScope]
    pagination_class = StablePagination
    scope_resource: ClassVar[str]
    # Reads of these objects are person-level data: each is written to the access log.
    audited: ClassVar[bool] = False
    # Extra scopes a write needs besides ``scope_resource`` (registering a case writes a person).
    write_scopes: ClassVar[tuple[str, ...]] = ()
    input_serializer_class: ClassVar[type | None] = None
    update_serializer_class: ClassVar[type | None] = None

    # --- plumbing ---------------------------------------------------------------------

    @property
    def actor(self) -> User:
        """The sync client's user: authentication let only a token's client through."""
        return cast(User, self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge(BODY_TOO_LARGE.format(limit=settings.API_MAX_BODY_BYTES))
        super().initial(request, *args, **kwargs)
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            for scope in self.write_scopes:
                if not token_allows(token, scope, write=True):
                    raise PermissionDenied(SCOPE_MISSING.format(scope=f"{scope}:write"))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge(BODY_TOO_LARGE.format(limit=settings.API_MAX_BODY_BYTES))
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 201) and getattr(response, "data", None) is not None:
            if not response.has_header("ETag"):
                response["ETag"] = etag_for(response.data)
            if request.method == "GET" and request.headers.get("If-None-Match") == response["ETag"]:
                response.status_code = status.HTTP_304_NOT_MODIFIED
                response.data = None
                response.content = b""
        return response

    def get_serializer_class(self):
        if self.action == "create" and self.input_serializer_class is not None:
            return self.input_serializer_class
        if self.action == "partial_update" and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    def represent(self, objects: list[models.Model], *, many: bool) -> Any:
        context = self.get_serializer_context()
        context["external_ids"] = external_ids_for(client=self.request.user, objects=objects)
        serializer_class = self.serializer_class
        if serializer_class is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no serializer_class")
        representer = representer_for(serializer_class)
        if representer is not None:
            # Lists and single objects alike, so an object's ETag is the same in both.
            rows = representer.rows(
                objects,
                prefetches=prefetch_querysets(self.get_queryset()),
                external_ids={pk: ext for (_, pk), ext in context["external_ids"].items()},
            )
            return rows if many else rows[0]
        if many:
            return serializer_class(objects, many=True, context=context).data
        return serializer_class(objects[0], context=context).data

    def fresh(self, *, pk: Any) -> models.Model:
        """The object as it is now, to answer with (its nested lists come with the
        representation: no prefetch as well)."""
        queryset = self.get_queryset()
        if self.serializer_class is not None and representer_for(self.serializer_class):
            queryset = queryset.prefetch_related(None)
        return queryset.get(pk=pk)

    def _audit(self, objects: list[models.Model]) -> None:
        if self.audited and objects:
            access_record_many(
                user=self.request.user, objects=objects, request=self.request, purpose=API_PURPOSE
            )

    # --- reads ------------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with cyclic_gc_paused():
            queryset = self.filter_queryset(self.get_queryset())
            if self.serializer_class is not None and representer_for(self.serializer_class):
                queryset = queryset.prefetch_related(None)  # nested lists: one query each
            page = list(self.paginate_queryset(queryset) or [])
            self._audit(page)
            return self.get_paginated_response(self.represent(page, many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        self._audit([obj])
        return Response(self.represent([obj], many=False))

    # --- writes -----------------------------------------------------------------------

    def perform_service_create(self, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def perform_service_update(self, obj: models.Model, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def create_through_service(self, request: Request) -> Response:
        client = request.user
        key = request.headers.get(IDEMPOTENCY_HEADER)
        digest = services.body_hash(request.body)
        with transaction.atomic():
            if key:
                services.idempotency_lock(client=client, key=key)
                stored = services.idempotent_answer(client=client, key=key, digest=digest)
                if stored is not None:
                    return Response(
                        stored.response_body,
                        status=stored.status_code,
                        headers={**stored.response_headers, REPLAY_HEADER: "true"},
                    )
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            external_id = data.pop("external_id", None)
            model = self.get_queryset().model
            existing_id = (
                object_id_for_external_id(client=client, model=model, external_id=external_id)
                if external_id
                else None
            )
            if existing_id is not None:
                # Upsert by external id: the object is there; creating it again changes nothing.
                obj = self.fresh(pk=existing_id)
                code: int = status.HTTP_200_OK
            else:
                obj = self.perform_service_create(data)
                if external_id:
                    services.external_id_link(client=client, obj=obj, external_id=external_id)
                code = status.HTTP_201_CREATED
            obj = self.fresh(pk=obj.pk)
            body = self.represent([obj], many=False)
            headers = {"ETag": etag_for(body), "Location": self._location(obj)}
            if key:
                services.idempotent_store(
                    client=client,
                    key=key,
                    digest=digest,
                    method=request.method or "POST",
                    path=request.path,
                    status_code=code,
                    body=body,
                    headers=headers,
                )
        return Response(body, status=code, headers=headers)

    def _location(self, obj: models.Model) -> str:
        return self.request.build_absolute_uri(f"{self.request.path}{obj.pk}/")

    def locked_for_update(self) -> models.Model:
        """The object, locked, after the If-Match check (428 without, 412 on mismatch)."""
        if_match = self.request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired
        obj = self.get_object()
        model = type(obj)
        locked = model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
        fresh = self.fresh(pk=locked.pk)
        current = etag_for(self.represent([fresh], many=False))
        if if_match.strip() not in (current, "*"):
            raise PreconditionFailed
        return fresh

    def update_with_if_match(self, request: Request) -> Response:
        with transaction.atomic():
            obj = self.locked_for_update()
            serializer = self.get_serializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            self.perform_service_update(obj, dict(serializer.validated_data))
            body = self.represent([self.fresh(pk=obj.pk)], many=False)
        return Response(body, headers={"ETag": etag_for(body)})

    def action_with_if_match(self, serializer_class: type, run) -> Response:
        """A state change on one object (phase, hand-over): If-Match, a service, the new state."""
        with transaction.atomic():
            obj = self.locked_for_update()
            serializer = serializer_class(
                data=self.request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            run(obj, dict(serializer.validated_data))
            body = self.represent([self.fresh(pk=obj.pk)], many=False)
        return Response(body, headers={"ETag": etag_for(body)})


def content_type_id(model: type[models.Model]) -> int:
    return ContentType.objects.get_for_model(model).pk


class IfMatchUpdateMixin:
    """PATCH through a domain service, guarded by If-Match (PUT is not offered)."""

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update_with_if_match(request)  # type: ignore[attr-defined]


class ServiceCreateMixin:
    """POST through a domain service: idempotent by external id and Idempotency-Key."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create_through_service(request)  # type: ignore[attr-defined]
