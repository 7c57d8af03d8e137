"""The case rhythm summary (cases.models.CaseRhythm) and the triggers that keep it.

One statement recomputes the rhythm of a set of cases from their meetings, plan
versions and evaluations. On PostgreSQL it runs once per statement that changes
those tables, over the cases the statement touched (transition tables), so a bulk
insert of thousands of meetings refreshes each case once; on SQLite (the quick
start) once per changed row. Deleting a case removes its row. The values below are
frozen here as a migration's are: the UVO kinds (an UVO of the intervention team, a
breakthrough meeting excluded: R-CASE-3), the adopted plan status and the two
evaluation kinds. tests/cases/test_case_rhythm.py compares the kept rows with the
same figures computed from the records.
"""

import django.db.models.deletion
from django.db import migrations, models

RHYTHM = "cases_caserhythm"
COLUMNS = (
    "case_id, latest_uvo_on, latest_adoption_on, plan_in_force_id, "
    "latest_monthly_evaluation_on, latest_two_yearly_evaluation_on"
)
# The rhythm of the cases {where} selects.
SELECT = """
SELECT c.id,
    (SELECT max(m.held_on) FROM cases_meeting m
        WHERE m.case_id = c.id AND m.kind IN ('eerste_uvo', 'uvo', 'uvo_plus')),
    (SELECT max(p.adopted_on) FROM cases_planversion p
        WHERE p.case_id = c.id AND p.status = 'vastgesteld'),
    (SELECT p.id FROM cases_planversion p
        WHERE p.case_id = c.id AND p.status = 'vastgesteld'
        ORDER BY p.adopted_on DESC, p.number DESC LIMIT 1),
    (SELECT max(e.held_on) FROM cases_evaluation e
        WHERE e.case_id = c.id AND e.kind = 'maandelijks'),
    (SELECT max(e.held_on) FROM cases_evaluation e
        WHERE e.case_id = c.id AND e.kind = 'tweejaarlijks')
FROM cases_case c WHERE {where}
"""
UPSERT = f"""
INSERT INTO {RHYTHM} ({COLUMNS}) {SELECT}
ON CONFLICT (case_id) DO UPDATE SET
    latest_uvo_on = excluded.latest_uvo_on,
    latest_adoption_on = excluded.latest_adoption_on,
    plan_in_force_id = excluded.plan_in_force_id,
    latest_monthly_evaluation_on = excluded.latest_monthly_evaluation_on,
    latest_two_yearly_evaluation_on = excluded.latest_two_yearly_evaluation_on
"""
SOURCES = ("cases_meeting", "cases_planversion", "cases_evaluation")

POSTGRESQL_INSTALL = [
    # Also called by a writer that switched the row triggers off (the sample data
    # generator's data_generated receiver, cases/receivers.py).
    f"""
CREATE FUNCTION cases_rhythm_refresh_cases(ids bigint[]) RETURNS void LANGUAGE sql AS $$
{UPSERT.format(where="c.id = ANY(ids)")}
$$
""",
    """
CREATE FUNCTION cases_rhythm_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM cases_rhythm_refresh_cases(ARRAY(SELECT case_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM cases_rhythm_refresh_cases(
            ARRAY(SELECT case_id FROM new_rows UNION SELECT case_id FROM old_rows)
        );
    ELSE
        PERFORM cases_rhythm_refresh_cases(ARRAY(SELECT case_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$
""",
    f"""
CREATE FUNCTION cases_rhythm_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {RHYTHM} WHERE case_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$
""",
    *(
        f"CREATE TRIGGER {table}_rhythm_{op.lower()} AFTER {op} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION cases_rhythm_refresh()"
        for table in SOURCES
        for op, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
    "CREATE TRIGGER cases_case_rhythm_delete AFTER DELETE ON cases_case "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_rhythm_forget()",
]
POSTGRESQL_REMOVE = [
    *(f"DROP TRIGGER {table}_rhythm_{op} ON {table}" for table in SOURCES for op in ("insert", "update", "delete")),
    "DROP TRIGGER cases_case_rhythm_delete ON cases_case",
    "DROP FUNCTION cases_rhythm_refresh()",
    "DROP FUNCTION cases_rhythm_refresh_cases(bigint[])",
    "DROP FUNCTION cases_rhythm_forget()",
]
# SQLite has row triggers only; INSERT OR REPLACE rewrites the case's one row.
SQLITE_INSTALL = [
    *(
        f"CREATE TRIGGER {table}_rhythm_{op.lower()} AFTER {op} ON {table} BEGIN "
        f"INSERT OR REPLACE INTO {RHYTHM} ({COLUMNS}) {SELECT.format(where=where)}; END"
        for table in SOURCES
        for op, where in (
            ("INSERT", "c.id = NEW.case_id"),
            ("UPDATE", "c.id IN (NEW.case_id, OLD.case_id)"),
            ("DELETE", "c.id = OLD.case_id"),
        )
    ),
    "CREATE TRIGGER cases_case_rhythm_delete AFTER DELETE ON cases_case BEGIN "
    f"DELETE FROM {RHYTHM} WHERE case_id = OLD.id; END",
]
SQLITE_REMOVE = [
    *(f"DROP TRIGGER {table}_rhythm_{op}" for table in SOURCES for op in ("insert", "update", "delete")),
    "DROP TRIGGER cases_case_rhythm_delete",
]
# The rhythm of every case already recorded.
FILL = {
    "postgresql": "SELECT cases_rhythm_refresh_cases(ARRAY(SELECT id FROM cases_case))",
    "sqlite": f"INSERT OR REPLACE INTO {RHYTHM} ({COLUMNS}) " + SELECT.format(where="true"),
}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRESQL_INSTALL if vendor == "postgresql" else SQLITE_INSTALL
    for statement in [*statements, FILL[vendor]]:
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_REMOVE if vendor == "postgresql" else SQLITE_REMOVE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_intervention_pillar"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseRhythm",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="rhythm",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("latest_uvo_on", models.DateField(null=True)),
                ("latest_adoption_on", models.DateField(null=True)),
                ("latest_monthly_evaluation_on", models.DateField(null=True)),
                ("latest_two_yearly_evaluation_on", models.DateField(null=True)),
                (
                    "plan_in_force",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="in_force_for",
                        to="cases.planversion",
                    ),
                ),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.RunPython(install, remove),
    ]
