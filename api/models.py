"""What the sync API keeps of its own: external ids per client, stored answers to
idempotent POSTs, the change feed, and webhook subscriptions with their deliveries.

Nothing here changes another app's models: the change feed is filled by database
triggers (migration 0002) on the synced tables, in the transaction of the change.
"""

from __future__ import annotations

import secrets
from typing import TypeAlias

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalId(models.Model):
    """A sync client's own id for one of our objects: unique per client and type."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_ids"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    external_id = models.CharField(_("extern id"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extern id")
        verbose_name_plural = _("externe ids")
        permissions = [
            ("use_sync_api", _("Mag de synchronisatie-API gebruiken")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "content_type", "external_id"],
                name="external_id_unique_per_client_and_type",
            ),
            models.UniqueConstraint(
                fields=["client", "content_type", "object_id"],
                name="one_external_id_per_object_and_client",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.external_id


class IdempotentRequest(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed for a retry."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # A retry with the same key but another body is a client error, not a replay.
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key


class ChangeEvent(models.Model):
    """One change to a synced object, written by a trigger in the same transaction.

    ``xact_id`` is the writing transaction (``pg_current_xact_id()``); the feed
    serves an event only once every transaction that could still commit is newer
    than it (see api/selectors.py and docs/adr/0005-sync-api.md).
    """

    class Operation(models.TextChoices):
        CREATED = "created", _("aangemaakt")
        UPDATED = "updated", _("gewijzigd")
        DELETED = "deleted", _("verwijderd")
        PSEUDONYMISED = "pseudonymised", _("gepseudonimiseerd")

    resource = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    case_id = models.BigIntegerField(null=True, blank=True)
    operation = models.CharField(max_length=15, choices=Operation.choices)
    xact_id = models.BigIntegerField()
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["xact_id", "id"]
        indexes = [
            models.Index(fields=["xact_id", "id"], name="change_event_feed_order"),
            models.Index(fields=["xact_id", "resource", "object_id"], name="change_event_dedupe"),
        ]

    def __str__(self) -> str:
        return f"{self.resource}/{self.object_id} {self.operation}"

    @property
    def is_tombstone(self) -> bool:
        return self.operation in (self.Operation.DELETED, self.Operation.PSEUDONYMISED)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    def live(self) -> WebhookSubscriptionQuerySet:
        """Subscriptions whose events may still be sent: active, of an active client,
        under the token that made them while it is neither revoked nor expired."""
        return self.filter(
            is_active=True,
            client__is_active=True,
            token__revoked_at__isnull=True,
            token__expires_at__gt=timezone.now(),
        )


class WebhookSubscription(models.Model):
    """A sync client's URL that receives signed change events."""

    class StopReason(models.TextChoices):
        """Why a subscription's deliveries stop (recorded on each dropped delivery)."""

        ENDED = "subscription_ended", _("Abonnement opgezegd")
        CLIENT_INACTIVE = "client_inactive", _("Client gedeactiveerd")
        TOKEN_REVOKED = "token_revoked", _("API-token ingetrokken")
        TOKEN_EXPIRED = "token_expired", _("API-token verlopen")

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    # The token that subscribed: deliveries stop when it is revoked or expires, as the
    # client's own reads would.
    token = models.ForeignKey(
        "accounts.ApiToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("adres"), max_length=500)
    # Resources whose events are sent, e.g. ["cases", "meetings"]; empty: all the
    # client's token may read.
    resources = models.JSONField(_("bronnen"), default=list, blank=True)
    secret = models.CharField(max_length=100, default=_new_secret, editable=False)
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The change feed's position up to which deliveries have been queued.
    cursor_xact_id = models.BigIntegerField(default=0, editable=False)
    cursor_event_id = models.BigIntegerField(default=0, editable=False)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["client", "id"]
        verbose_name = _("webhookabonnement")
        verbose_name_plural = _("webhookabonnementen")
        permissions = [
            ("manage_webhooks", _("Mag webhookabonnementen beheren")),
        ]

    def __str__(self) -> str:
        return self.url

    def stop_reason(self) -> WebhookSubscription.StopReason | None:
        """Why no more deliveries may go out, or None while they may (the rule of ``live``)."""
        if not self.is_active:
            return self.StopReason.ENDED
        if not self.client.is_active:
            return self.StopReason.CLIENT_INACTIVE
        if self.token is None or self.token.revoked_at is not None:
            return self.StopReason.TOKEN_REVOKED
        if self.token.expires_at <= timezone.now():
            return self.StopReason.TOKEN_EXPIRED
        return None


# Outside WebhookDelivery so that its Meta's constraint can name it.
class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Wacht op verzending")
    DELIVERED = "delivered", _("Afgeleverd")
    FAILED = "failed", _("Mislukt")
    DROPPED = "dropped", _("Vervallen")


class WebhookDelivery(models.Model):
    Status: TypeAlias = DeliveryStatus

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(ChangeEvent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Only the receiver's status code is kept, never its body: a receiver's answer is
    # not ours to store (it may echo anything, an internal page included).
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The class of a failure (``ConnectTimeout``, ``WebhookTargetRefused``) or, for a
    # dropped delivery, the subscription's StopReason; never a message with addresses.
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhookaflevering")
        verbose_name_plural = _("webhookafleveringen")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event_and_subscription"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="delivered_webhook_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}/{self.event_id} {self.status}"


class PersonSource(models.Model):
    """The sync client that brought a person record in, by registering its case
    through the API. Only that client's tokens may make this instance follow an
    erasure of the record (``persons/{id}/erase/``): a client erases what came from
    its own source, never another's or what the programme team registered here."""

    person = models.OneToOneField(
        "cases.Person", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bron van een persoonsrecord")
        verbose_name_plural = _("bronnen van persoonsrecords")

    def __str__(self) -> str:
        return f"{self.person_id} ← {self.client_id}"
