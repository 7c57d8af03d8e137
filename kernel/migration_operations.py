"""Migration operations of our own."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexWithoutLocking(AddIndexConcurrently):
    """On PostgreSQL ``CREATE INDEX CONCURRENTLY``: a table every request writes to (the
    access log) goes on taking writes while the index is built. On the quick start's
    SQLite, where there is no such thing and no traffic to keep, a plain index.
    The migration that holds it sets ``atomic = False``."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_forwards(self, app_label, schema_editor, *args)
            return
        super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_backwards(self, app_label, schema_editor, *args)
            return
        super().database_backwards(app_label, schema_editor, *args)
