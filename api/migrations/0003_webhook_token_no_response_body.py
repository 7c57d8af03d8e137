"""Webhooks: remember the token that subscribed (deliveries stop when it is revoked or
expires), keep no receiver's answer body, and a status for deliveries dropped because
their subscription stopped."""

import django.db.models.deletion
from django.db import migrations, models


def link_existing_subscriptions(apps, schema_editor):
    """A subscription from before tokens were recorded gets its client's newest live
    token; without one it stays unlinked and its deliveries stop."""
    WebhookSubscription = apps.get_model("api", "WebhookSubscription")
    ApiToken = apps.get_model("accounts", "ApiToken")
    for subscription in WebhookSubscription.objects.filter(token__isnull=True):
        token = (
            ApiToken.objects.filter(client_id=subscription.client_id, revoked_at__isnull=True)
            .order_by("-expires_at", "-id")
            .first()
        )
        if token is not None:
            subscription.token = token
            subscription.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_token"),
        ("api", "0002_change_feed_triggers"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="response_body",
        ),
        migrations.AddField(
            model_name="webhooksubscription",
            name="token",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="webhook_subscriptions",
                to="accounts.apitoken",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Wacht op verzending"),
                    ("delivered", "Afgeleverd"),
                    ("failed", "Mislukt"),
                    ("dropped", "Vervallen"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(link_existing_subscriptions, migrations.RunPython.noop),
    ]
