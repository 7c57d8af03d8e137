"""Triggers that write the change feed in the transaction of every change."""

from django.db import migrations

from api.feed import (
    DROP_FUNCTIONS_SQL,
    FUNCTIONS_SQL,
    SYNCED_TABLES,
    drop_trigger_sql,
    trigger_sql,
)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_sync"),
        ("accounts", "0002_api_token"),
        ("pool", "0001_initial"),
        ("cases", "0003_emergency_access_and_sharing"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS_SQL, DROP_FUNCTIONS_SQL),
        *(migrations.RunSQL(trigger_sql(t), drop_trigger_sql(t)) for t in SYNCED_TABLES),
    ]
