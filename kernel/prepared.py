"""Statements prepared once per PostgreSQL connection.

For a query asked on every page whose SQL never changes (the figures' data stamp, the
read rule of a case), PostgreSQL spent more time planning it than running it: 1.4 ms of
planning against 0.4 of running for the stamp's 32 look-ups, 1.2 against 0.2 for the
case's read rule. A statement prepared on the connection is planned once (PostgreSQL
keeps a generic plan once it is no worse than a fresh one) and run with ``EXECUTE``.

A prepared statement belongs to the database session: a rollback does not undo it, and
a new connection (Django reconnects after ``CONN_MAX_AGE``) prepares it again. It is
prepared on the driver's connection, as Django's own session set-up is, so it is not
a query of the request that happens to come first. Behind a connection pooler in
transaction mode, which hands a session's statements to other sessions, prepared
statements do not hold: the production set-up connects to PostgreSQL directly.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%s|%%")
_lock = threading.Lock()
# Per statement name: the driver connections it is prepared on.
_prepared_on: dict[str, weakref.WeakSet[Any]] = {}
# Statements PostgreSQL refused to prepare (a parameter whose type it cannot tell).
_refused: set[str] = set()


def numbered(sql: str) -> tuple[str, int]:
    """Django's SQL with ``%s`` placeholders as PostgreSQL's ``$1``, ``$2``...; a
    ``%%`` (a literal percent sign) as one ``%``. Also the number of parameters."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


# What runs a prepared statement. Only reads are prepared (``execute_text``), so a
# statement that starts with this reads: the history middleware (audit/history.py)
# attaches no change context to it.
EXECUTE_PREFIX = "EXECUTE "


def is_prepared_read(sql: str) -> bool:
    return sql.startswith(EXECUTE_PREFIX)


def execute_text(db: BaseDatabaseWrapper, name: str, sql: str) -> str | None:
    """The ``EXECUTE`` that runs ``sql`` (Django's SQL, ``%s`` placeholders) as the
    statement ``name`` prepared on ``db``'s connection, preparing it the first time;
    None when it cannot be (not PostgreSQL, or PostgreSQL refused it): run ``sql``.
    Only a read (a ``SELECT``) is prepared: ``is_prepared_read`` depends on it."""
    if sql.lstrip("( \n")[:6].upper() != "SELECT":
        raise ValueError(f"{name}: only a SELECT is prepared")
    if db.vendor != "postgresql" or name in _refused:
        return None
    db.ensure_connection()
    raw = db.connection
    body, count = numbered(sql)
    with _lock:
        done = _prepared_on.setdefault(name, weakref.WeakSet())
        if raw not in done:
            if not _prepare(raw, name, body):
                _refused.add(name)
                return None
            done.add(raw)
    arguments = f"({', '.join(['%s'] * count)})" if count else ""
    return f"{EXECUTE_PREFIX}{name}{arguments}"


def _prepare(raw: Any, name: str, body: str) -> bool:
    """PREPARE on the driver connection; inside a transaction under a savepoint, so
    that a refusal leaves the transaction usable."""
    import psycopg2

    in_transaction = not raw.autocommit
    with raw.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT ipgar_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {body}")
        except psycopg2.Error as error:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT ipgar_prepare")
            logger.warning("%s is run without preparing it: %s", name, error)
            return False
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT ipgar_prepare")
    return True
