"""The database roles of an install (README "Database roles", docs/adr/0007-database-roles.md).

Migrations run as an owner role. Web, worker and beat connect as an application role that
owns nothing, so it can neither disable the access log's triggers (only an owner can) nor
set ``session_replication_role`` (only a superuser can). After every ``migrate`` the owner
grants the application role ordinary reads and writes on every table and sequence, and on
the append-only tables only SELECT and INSERT: UPDATE, DELETE and TRUNCATE are refused by
PostgreSQL's privileges before any trigger is reached.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections

# Tables the application may only read and append to.
APPEND_ONLY_TABLES: tuple[str, ...] = ("audit_accesslog",)


def grant_application_role(*, role: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Grant ``role`` what the application needs on every table of the schema (idempotent).

    Runs as the owner, after the migrations, so tables made by a new migration are
    covered the moment they exist."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM {quoted}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        for table in APPEND_ONLY_TABLES:
            table_name = connection.ops.quote_name(table)
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER "
                f"ON {table_name} FROM {quoted}"
            )
            cursor.execute(f"GRANT SELECT, INSERT ON {table_name} TO {quoted}")


def grant_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver (audit/apps.py): grants DATABASE_APP_ROLE when it is set."""
    if settings.DATABASE_APP_ROLE:
        grant_application_role(role=settings.DATABASE_APP_ROLE, using=using)


ACCESS_LOG_ALTERABLE = (
    "The database user {user} can alter the access log ({why}): web, worker and beat must "
    "connect as the application role (README, 'Database roles')."
)


@checks.register(checks.Tags.database, checks.Tags.security)
def check_access_log_unalterable(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """`manage.py check --database default`: warns when this process's database user could
    rewrite the access log (a superuser, the table's owner, or UPDATE/DELETE/TRUNCATE)."""
    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            for table in APPEND_ONLY_TABLES:
                cursor.execute(
                    "SELECT current_user, r.rolsuper, "
                    "pg_has_role(current_user, t.tableowner, 'MEMBER'), "
                    "has_table_privilege(t.schemaname || '.' || t.tablename, "
                    "'UPDATE, DELETE, TRUNCATE') "
                    "FROM pg_roles r, pg_tables t "
                    "WHERE r.rolname = current_user AND t.schemaname = 'public' "
                    "AND t.tablename = %s",
                    [table],
                )
                row = cursor.fetchone()
                if row is None:
                    continue
                user, is_super, is_owner, may_change = row
                why = [
                    reason
                    for reason, present in (
                        ("superuser", is_super),
                        (f"owner of {table}", is_owner),
                        (f"UPDATE, DELETE or TRUNCATE on {table}", may_change),
                    )
                    if present
                ]
                if why:
                    messages.append(
                        checks.Warning(
                            ACCESS_LOG_ALTERABLE.format(user=user, why=", ".join(why)),
                            id="audit.W001",
                        )
                    )
    return messages
