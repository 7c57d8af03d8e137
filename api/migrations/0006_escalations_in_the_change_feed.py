"""The escalations of stuck cases and their steps join the change feed: the trigger
function learns the escalation step's way to its case, and both tables get the
trigger (PostgreSQL only, as in 0002)."""

from django.db import migrations

from api.feed import ESCALATION_TABLES, FUNCTIONS_SQL, drop_trigger_sql, trigger_sql

# The function as 0002 installed it: without the escalation step's case.
PREVIOUS_FUNCTIONS_SQL = FUNCTIONS_SQL.replace(
    """    ELSIF case_source = 'escalation' THEN
        SELECT case_id INTO the_case FROM cases_escalation WHERE id = parent_id;
""",
    "",
)


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0005_capability_permissions"),
        ("cases", "0007_escalation_of_stuck_cases"),
    ]

    operations = [
        migrations.RunPython(
            _on_postgresql(FUNCTIONS_SQL), _on_postgresql(PREVIOUS_FUNCTIONS_SQL)
        ),
        *(
            migrations.RunPython(
                _on_postgresql(trigger_sql(t)), _on_postgresql(drop_trigger_sql(t))
            )
            for t in ESCALATION_TABLES
        ),
    ]
