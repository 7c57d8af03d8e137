"""The machinery every resource shares: token-only access, ETags, If-Match,
idempotent creates (external id and Idempotency-Key), body limit, audit of reads.

A resource viewset declares its queryset, serializers, scope and, for writes,
``perform_service_create`` / ``perform_service_update`` calling a domain service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from accounts.tokens import SCOPE_MISSING, ScopedTokenAuthentication, TokenHasScope, token_allows
from audit.models import AccessLog
from audit.services import access_record_many
from kernel.collector import cyclic_gc_paused

from . import services
from .etags import etag_for, etag_for_body
from .pages import prefetch_querysets, representer_for
from .permissions import may_use_sync_api
from .problems import BODY_TOO_LARGE, PayloadTooLarge, PreconditionFailed, PreconditionRequired
from .selectors import external_ids_for, object_id_for_external_id

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("ETag", "Location")
API_PURPOSE = "Synchronisatie via de API"
# A list page of a case's records reads only the number of the joined case.
CASE_NUMBER_ONLY = ("case__number",)
READ_ONLY_FIELD = _("Dit veld houdt ipgar zelf bij; een client kan het niet zetten.")


def _nested(field: Any) -> serializers.Serializer | None:
    """The serializer behind a nested field (one object or a list of them), else None."""
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    return field if isinstance(field, serializers.Serializer) else None


def read_only_fields_sent(
    data: Any, *, accepted: serializers.Serializer, described: serializers.Serializer | None
) -> list[str]:
    """The fields in ``data`` a client may not set here: those the resource's
    representation (``described``) shows or the input marks read-only, but the input
    (``accepted``) does not take. Nested objects are followed where both describe them
    (``interventions.0.status``). Fields neither knows are left to the input as before.
    """
    if not isinstance(data, Mapping):
        return []
    writable = {name: f for name, f in accepted.fields.items() if not f.read_only}
    shown = dict(described.fields) if described is not None else {}
    read_only = (set(shown) | set(accepted.fields)) - set(writable)
    sent = sorted(name for name in data if name in read_only)
    for name, value in data.items():
        inner, inner_shown = _nested(writable.get(name)), _nested(shown.get(name))
        if inner is None or inner_shown is None:
            continue
        if isinstance(value, list):
            for index, item in enumerate(value):
                found = read_only_fields_sent(item, accepted=inner, described=inner_shown)
                sent += [f"{name}.{index}.{field}" for field in found]
        else:
            found = read_only_fields_sent(value, accepted=inner, described=inner_shown)
            sent += [f"{name}.{field}" for field in found]
    return sent


class IsSyncClient(permissions.BasePermission):
    """The resources are for sync clients with a token; people use the web pages."""

    message = "Alleen synchronisatieclients met een API-token gebruiken deze API."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiToken) and may_use_sync_api(request.user)


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
    # What a list page reads of a joined object besides its id: the access log's label
    # and case need only the case number (``("case__number",)``). The rest of the join is
    # not loaded there; a detail, an update or an action gets the whole object.
    list_related_fields: ClassVar[tuple[str, ...]] = ()

    # --- plumbing ---------------------------------------------------------------------

    @property
    def actor(self) -> User:
        """The sync client's user: authentication let only a token's client through."""
        return cast(User, self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = self.max_body_bytes()
        if length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(BODY_TOO_LARGE.format(limit=limit))
        super().initial(request, *args, **kwargs)
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            for scope in self.write_scopes:
                if not token_allows(token, scope, write=True):
                    raise PermissionDenied(SCOPE_MISSING.format(scope=f"{scope}:write"))

    def max_body_bytes(self) -> int:
        """The largest request body taken (a resource that takes files raises it)."""
        return int(settings.API_MAX_BODY_BYTES)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge(BODY_TOO_LARGE.format(limit=settings.API_MAX_BODY_BYTES))
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 201) and getattr(response, "data", None) is not None:
            if not response.has_header("ETag"):
                response["ETag"] = self._etag(response)
            if request.method == "GET" and request.headers.get("If-None-Match") == response["ETag"]:
                response.status_code = status.HTTP_304_NOT_MODIFIED
                response.data = None
                response.content = b""
        return response

    def _etag(self, response: Response) -> str:
        """An object's ETag is the hash of its representation, the same in a list page and
        on its own (a client sends If-Match from a page it read); a page's is the hash of
        the page as sent."""
        if self.action != "list":
            return etag_for(response.data)
        response.render()
        return etag_for_body(response.content)

    def validated_input(self, serializer_class: type, *, partial: bool = False) -> dict[str, Any]:
        """The request body through ``serializer_class``: a 400 naming every field the
        client may not set (``status``, ``revision``, ``id``...) rather than silently
        dropping them, then the input's own validation."""
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        described = _nested(self.serializer_class()) if self.serializer_class is not None else None
        sent = read_only_fields_sent(self.request.data, accepted=serializer, described=described)
        if sent:
            raise ValidationError({name: [READ_ONLY_FIELD] for name in sent}, code="read_only")
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

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

    def _audit(self, objects: list[models.Model], action: str = AccessLog.Action.API_READ) -> None:
        """Record every answer that carries these objects, reads and writes alike: a
        write answers with the record as it now is (a PATCH of a person, its BSN)."""
        if self.audited and objects:
            access_record_many(
                user=self.request.user,
                objects=objects,
                action=action,
                request=self.request,
                purpose=API_PURPOSE,
            )

    def _audit_replay(self, body: Any) -> None:
        """A replayed answer carries the object as it was first answered: a read of it."""
        pk = body.get("id") if isinstance(body, dict) else None
        replayed = self.get_queryset().filter(pk=pk).first() if self.audited and pk else None
        if replayed is not None:
            self._audit([replayed])

    # --- reads ------------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with cyclic_gc_paused():
            queryset = self.filter_queryset(self.get_queryset())
            if self.serializer_class is not None and representer_for(self.serializer_class):
                queryset = queryset.prefetch_related(None)  # nested lists: one query each
            if self.list_related_fields:
                own = [f.name for f in queryset.model._meta.concrete_fields]
                queryset = queryset.only(*own, *self.list_related_fields)
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
                    self._audit_replay(stored.response_body)
                    return Response(
                        stored.response_body,
                        status=stored.status_code,
                        headers={**stored.response_headers, REPLAY_HEADER: "true"},
                    )
            data = self.validated_input(self.get_serializer_class())
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
            self._audit(
                [obj], action=AccessLog.Action.CREATE if code == 201 else AccessLog.Action.API_READ
            )
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
            self.perform_service_update(
                obj, self.validated_input(self.get_serializer_class(), partial=True)
            )
            updated = self.fresh(pk=obj.pk)
            body = self.represent([updated], many=False)
            self._audit([updated], action=AccessLog.Action.UPDATE)
        return Response(body, headers={"ETag": etag_for(body)})

    def action_with_if_match(self, serializer_class: type, run) -> Response:
        """A state change on one object (phase, hand-over): If-Match, a service, the new state."""
        with transaction.atomic():
            obj = self.locked_for_update()
            run(obj, self.validated_input(serializer_class))
            changed = self.fresh(pk=obj.pk)
            body = self.represent([changed], many=False)
            self._audit([changed], action=AccessLog.Action.UPDATE)
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
