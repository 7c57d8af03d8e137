"""The application role (README "Database roles"): web, worker and beat connect as a role
that owns nothing, so the access log cannot be rewritten through the application's own
database account, whatever the code does. scripts/test creates the role and migrate grants
it (audit/dbroles.py), as in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.models import Model
from django.db.models.sql import InsertQuery
from psycopg2 import errorcodes

from accounts.models import User
from audit.dbroles import check_access_log_unalterable
from audit.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_app_role() -> Iterator[Any]:
    """A cursor of a second connection, as the application role, in a transaction that is
    rolled back at the end (nothing it wrote stays)."""
    role = settings.DATABASE_APP_ROLE
    assert role, "scripts/test sets DATABASE_APP_ROLE and creates the role"
    params = connection.settings_dict
    conn = psycopg2.connect(
        host=params["HOST"], port=params["PORT"], dbname=params["NAME"], user=role
    )
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.rollback()
        conn.close()


def insert(cursor: Any, obj: Model) -> int:
    """INSERT the object as Django would write it, through the other connection."""
    query = InsertQuery(type(obj))
    query.insert_values([f for f in obj._meta.concrete_fields if not f.primary_key], [obj])
    sql, params = query.get_compiler(connection=connection).as_sql()[0]
    cursor.execute(f"{sql} RETURNING id", params)
    return cursor.fetchone()[0]


def refused(cursor: Any, statement: str, params: list[Any] | None = None) -> str:
    """Runs the statement in a savepoint; returns PostgreSQL's error code (or '' if it ran)."""
    cursor.execute("SAVEPOINT probe")
    try:
        cursor.execute(statement, params)
    except psycopg2.Error as exc:
        cursor.execute("ROLLBACK TO SAVEPOINT probe")
        return exc.pgcode or "?"
    cursor.execute("RELEASE SAVEPOINT probe")
    return ""


def test_the_application_role_reads_and_appends_to_the_access_log(as_app_role):
    user_id = insert(as_app_role, User(username="probe.app-role", password="!"))
    entry_id = insert(
        as_app_role,
        AccessLog(
            user_id=user_id,
            username="probe.app-role",
            action="view",
            object_type="case",
            object_id="1",
        ),
    )
    as_app_role.execute("SELECT username FROM audit_accesslog WHERE id = %s", [entry_id])
    assert as_app_role.fetchone() == ("probe.app-role",)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslog SET purpose = 'rewritten'",
        "DELETE FROM audit_accesslog",
        "TRUNCATE audit_accesslog",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER USER",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "DROP TABLE audit_accesslog",
        "CREATE TABLE public.shadow_log (id int)",
    ],
)
def test_the_application_role_cannot_alter_the_access_log(as_app_role, statement):
    assert refused(as_app_role, statement) == errorcodes.INSUFFICIENT_PRIVILEGE


def test_the_application_role_still_writes_the_domain_tables(as_app_role):
    """The grants are not so tight that the application cannot work."""
    user_id = insert(as_app_role, User(username="probe.writer", password="!"))
    for statement in (
        "UPDATE accounts_user SET first_name = 'A' WHERE id = %s",
        "SELECT count(*) FROM cases_case WHERE id <> %s",
        "DELETE FROM accounts_user WHERE id = %s",
    ):
        assert refused(as_app_role, statement, [user_id]) == "", statement


def test_the_deploy_check_warns_when_the_process_could_alter_the_access_log():
    """The tests connect as the superuser that made the test database: the check names it."""
    messages = check_access_log_unalterable(databases=["default"])
    assert [m.id for m in messages] == ["audit.W001"]
    assert isinstance(messages[0], checks.Warning)
    assert "superuser" in messages[0].msg
