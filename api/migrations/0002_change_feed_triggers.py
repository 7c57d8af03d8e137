"""Triggers that write the change feed in the transaction of every change.

PostgreSQL only: the feed's commit order rests on PostgreSQL transaction ids. On
the SQLite quick start the triggers are not installed and the change feed stays
empty (the resources themselves still serve and accept data)."""

from django.db import migrations

from api.feed import (
    DROP_FUNCTIONS_SQL,
    FUNCTIONS_SQL,
    FIRST_SYNCED_TABLES,
    drop_trigger_sql,
    trigger_sql,
)


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_sync"),
        ("accounts", "0002_api_token"),
        ("pool", "0001_initial"),
        ("cases", "0003_emergency_access_and_sharing"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FUNCTIONS_SQL), _on_postgresql(DROP_FUNCTIONS_SQL)),
        *(
            migrations.RunPython(
                _on_postgresql(trigger_sql(t)), _on_postgresql(drop_trigger_sql(t))
            )
            for t in FIRST_SYNCED_TABLES
        ),
    ]
