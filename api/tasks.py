"""Webhook jobs: queue deliveries from the feed, and send each one with retries."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .models import WebhookDelivery
from .services import webhook_attempt, webhook_give_up, webhooks_dispatch

MAX_ATTEMPTS = 6


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def dispatch_webhooks() -> int:
    return webhooks_dispatch()


@shared_task(
    bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1, time_limit=60, soft_time_limit=45
)
def deliver_webhook(self, delivery_id: int) -> str:
    """Send one delivery; retry with exponential backoff; after the last try: failed.
    A delivery whose subscription stopped (token revoked, client deactivated) is dropped."""
    delivery = (
        WebhookDelivery.objects.select_related(
            "subscription__client", "subscription__token", "event"
        )
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return "gone"
    outcome = webhook_attempt(delivery=delivery)
    if outcome != WebhookDelivery.Status.PENDING:
        return outcome
    if self.request.retries >= self.max_retries:
        webhook_give_up(delivery=delivery)
        return WebhookDelivery.Status.FAILED
    countdown = settings.API_WEBHOOK_RETRY_BASE_SECONDS * 2**self.request.retries
    raise self.retry(countdown=countdown)
