"""Writes of the API's own tables: external ids, stored idempotent answers,
webhook subscriptions and deliveries. Domain writes go through the domain apps'
services, never through here."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import requests
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tokens import token_allows

from .feed import EVENT_SCOPE
from .models import (
    ChangeEvent,
    ExternalId,
    IdempotentRequest,
    PersonSource,
    WebhookDelivery,
    WebhookSubscription,
)
from .selectors import FeedCursor, changes_since
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from .webhook_targets import WebhookTargetRefused, webhook_post, webhook_url_check

EXTERNAL_ID_TAKEN = _("Dit externe id hoort al bij een ander object.")
EXTERNAL_ID_DIFFERS = _("Dit object heeft al een ander extern id: {external_id}.")
IDEMPOTENCY_KEY_REUSED = _(
    "Deze Idempotency-Key is al gebruikt voor een ander verzoek; kies een nieuwe sleutel."
)
WEBHOOK_RESOURCE_UNKNOWN = _("Onbekende bron: {resource}.")
WEBHOOK_RESOURCE_NOT_READABLE = _("Uw token mag {resource} niet lezen.")
DISPATCH_BATCH = 500


# --- external ids --------------------------------------------------------------------


def external_id_link(*, client: Any, obj: models.Model, external_id: str) -> ExternalId:
    """Record ``external_id`` as ``client``'s id for ``obj`` (idempotent)."""
    content_type = ContentType.objects.get_for_model(obj)
    existing = ExternalId.objects.filter(
        client=client, content_type=content_type, external_id=external_id
    ).first()
    if existing is not None:
        if existing.object_id != obj.pk:
            raise ValidationError({"external_id": EXTERNAL_ID_TAKEN}, code="unique")
        return existing
    other = ExternalId.objects.filter(
        client=client, content_type=content_type, object_id=obj.pk
    ).first()
    if other is not None:
        raise ValidationError(
            {"external_id": EXTERNAL_ID_DIFFERS.format(external_id=other.external_id)},
            code="unique",
        )
    return ExternalId.objects.create(
        client=client, content_type=content_type, object_id=obj.pk, external_id=external_id
    )


# --- Idempotency-Key ---------------------------------------------------------------


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def idempotency_lock(*, client: Any, key: str) -> None:
    """Serialise requests with the same key until the transaction ends, so a retry
    racing the first request waits for its answer instead of acting twice.

    PostgreSQL: an advisory lock on the client and key. SQLite (the quick start) has
    no such lock and needs none: its transactions begin IMMEDIATE (settings), so the
    request's transaction already holds the database's single write lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{client.pk}:{key}"]
        )


def idempotent_answer(*, client: Any, key: str, digest: str) -> IdempotentRequest | None:
    """The stored first answer for ``key``; ValidationError when the body differs."""
    since = timezone.now() - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    stored = IdempotentRequest.objects.filter(client=client, key=key, created_at__gte=since).first()
    if stored is not None and stored.body_hash != digest:
        raise ValidationError({"Idempotency-Key": IDEMPOTENCY_KEY_REUSED}, code="reused")
    return stored


def idempotent_store(
    *,
    client: Any,
    key: str,
    digest: str,
    method: str,
    path: str,
    status_code: int,
    body: Any,
    headers: dict[str, str],
) -> IdempotentRequest:
    IdempotentRequest.objects.filter(client=client, key=key).delete()  # an expired one
    return IdempotentRequest.objects.create(
        client=client,
        key=key,
        body_hash=digest,
        method=method,
        path=path,
        status_code=status_code,
        response_body=json.loads(json.dumps(body, default=str)),
        response_headers=headers,
    )


# --- webhooks ----------------------------------------------------------------------


@transaction.atomic
def webhook_subscribe(
    *, client: Any, token: Any, url: str, resources: list[str]
) -> WebhookSubscription:
    """Subscribe ``client`` to the events of ``resources`` it may read (all, when empty).

    The subscription starts at the present end of the feed: it receives what
    changes from now on (the feed itself serves history). The URL must lead to a
    public address (api/webhook_targets.py); deliveries stop when ``token`` is
    revoked or expires.
    """
    webhook_url_check(url)
    for resource in resources:
        if resource not in EVENT_SCOPE:
            raise ValidationError(
                {"resources": WEBHOOK_RESOURCE_UNKNOWN.format(resource=resource)}, code="invalid"
            )
        if token is not None and not token_allows(token, EVENT_SCOPE[resource], write=False):
            raise ValidationError(
                {"resources": WEBHOOK_RESOURCE_NOT_READABLE.format(resource=resource)},
                code="invalid",
            )
    if not resources and token is not None:
        resources = sorted(r for r, s in EVENT_SCOPE.items() if token_allows(token, s, write=False))
    last = ChangeEvent.objects.order_by("-xact_id", "-id").first()
    return WebhookSubscription.objects.create(
        client=client,
        token=token,
        url=url,
        resources=sorted(set(resources)),
        cursor_xact_id=last.xact_id if last else 0,
        cursor_event_id=last.id if last else 0,
    )


def webhooks_dispatch() -> int:
    """Queue a delivery for each new feed event of every active subscription.

    Reads the feed as a client would (committed transactions only, in order), so
    every event is delivered once per subscription; returns the number queued.
    Subscriptions that stopped (token revoked or expired, client deactivated) get
    nothing new, and what they still had pending is dropped.
    """
    webhooks_drop_stopped()
    queued = 0
    for subscription_id in WebhookSubscription.objects.live().values_list("pk", flat=True):
        queued += _dispatch_one(subscription_id)
    return queued


def webhooks_drop_stopped() -> int:
    """Drop the pending deliveries of every subscription that stopped, each with the
    subscription's reason; returns how many were dropped."""
    dropped = 0
    stopped = (
        WebhookSubscription.objects.filter(deliveries__status=WebhookDelivery.Status.PENDING)
        .exclude(pk__in=WebhookSubscription.objects.live().values("pk"))
        .select_related("client", "token")
        .distinct()
    )
    for subscription in stopped:
        reason = subscription.stop_reason()
        if reason is None:  # came back to life since the query above
            continue
        dropped += WebhookDelivery.objects.filter(
            subscription=subscription, status=WebhookDelivery.Status.PENDING
        ).update(status=WebhookDelivery.Status.DROPPED, error=reason.value)
    return dropped


@transaction.atomic
def _dispatch_one(subscription_id: int) -> int:
    subscription = (
        WebhookSubscription.objects.select_for_update(skip_locked=True)
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        return 0
    cursor = FeedCursor(subscription.cursor_xact_id, subscription.cursor_event_id)
    events = changes_since(
        cursor=cursor, resources=subscription.resources or None, limit=DISPATCH_BATCH
    )
    if not events:
        return 0
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription=subscription, event=event) for event in events],
        ignore_conflicts=True,
    )
    last = events[-1]
    subscription.cursor_xact_id, subscription.cursor_event_id = last.xact_id, last.id
    subscription.save(update_fields=["cursor_xact_id", "cursor_event_id"])
    ids = list(
        WebhookDelivery.objects.filter(
            subscription=subscription, event__in=events, status=WebhookDelivery.Status.PENDING
        ).values_list("pk", flat=True)
    )

    def enqueue() -> None:
        from .tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook.delay(delivery_id)

    transaction.on_commit(enqueue)
    return len(deliveries)


def event_payload(event: ChangeEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "resource": event.resource,
        "object_id": event.object_id,
        "case_id": event.case_id,
        "operation": event.operation,
        "occurred_at": event.occurred_at.isoformat(),
        "cursor": FeedCursor(event.xact_id, event.pk).encode(),
    }


def webhook_attempt(*, delivery: WebhookDelivery, timeout: float = 10.0) -> str:
    """Send the delivery once, signed, unless its subscription stopped; record the outcome.

    Returns the delivery's status: ``delivered`` (a 2xx answer), ``dropped`` (the
    subscription stopped: nothing is sent), or ``pending`` (try again later). The
    URL is checked again right before sending (api/webhook_targets.py): a name that
    now resolves inside is not contacted. Only the status code or the class of the
    failure is kept, never the receiver's body or an error text.
    """
    reason = delivery.subscription.stop_reason()
    if reason is not None:
        delivery.status = WebhookDelivery.Status.DROPPED
        delivery.error = reason.value
        delivery.save(update_fields=["status", "error"])
        return delivery.status
    body = json.dumps(
        {"subscription": delivery.subscription_id, "event": event_payload(delivery.event)},
        separators=(",", ":"),
    ).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=delivery.subscription.secret, timestamp=timestamp, body=body),
        "User-Agent": "ipgar-webhooks/1",
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        status_code = webhook_post(
            url=delivery.subscription.url, body=body, headers=headers, timeout=timeout
        )
    except (WebhookTargetRefused, requests.RequestException) as exc:
        delivery.response_code = None
        delivery.error = type(exc).__name__
        delivery.save()
        return delivery.status
    delivery.response_code = status_code
    delivery.error = ""
    if 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    delivery.save()
    return delivery.status


def webhook_give_up(*, delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["status"])
    return delivery


# --- where person records came from --------------------------------------------------


def person_source_record(*, client: Any, person: models.Model) -> None:
    """Remember that ``client`` brought ``person`` in (it registered the case): the
    ground on which its tokens may later have the record erased (idempotent)."""
    PersonSource.objects.get_or_create(person_id=person.pk, defaults={"client": client})
