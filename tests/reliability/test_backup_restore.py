"""Backup and restore (scripts/backup, scripts/restore): a populated database and its
stored files (monitor PDFs and the encrypted case documents), backed up and restored
into an empty new database and media directory, come back complete: every table row
for row, every sequence, every file byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from psycopg2 import sql

from cases.models import Case
from documents.services import version_read
from sampledata.demo import load_demo_data
from tests.conftest import ROOT
from tests.factories import DocumentFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n% kwartaalmonitor Q3 2026\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = db.get("PASSWORD") or ""
    return f"postgres://{db['USER']}:{password}@{db['HOST']}:{db['PORT']}/{name}"


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    name = f"ipgar_restore_{uuid.uuid4().hex[:10]}"
    admin = database_url("postgres")
    execute(admin, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    execute(admin, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def execute(url: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def query(url: str, statement: str | sql.Composable, params: list | None = None) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    finally:
        conn.close()


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: (row count, md5 of its rows in primary-key
    order, or in text order for a table without a primary key)."""
    fingerprints = {}
    tables = query(
        url,
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname",
    )
    for oid, table in tables:
        pk_columns = [
            column
            for (column,) in query(
                url,
                "SELECT a.attname FROM pg_index i "
                "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.ord",
                [oid],
            )
        ]
        order = (
            sql.SQL(", ").join(sql.Identifier("t", c) for c in pk_columns)
            if pk_columns
            else sql.SQL("t::text")
        )
        [(count, digest)] = query(
            url,
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {}), '')) "
                "FROM {} t"
            ).format(order, sql.Identifier(table)),
        )
        fingerprints[table] = (count, digest)
    return fingerprints


def sequence_values(url: str) -> dict[str, int | None]:
    return dict(
        query(url, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    )


def triggers(url: str) -> list[tuple[str, str]]:
    return query(
        url,
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal ORDER BY 1, 2",
    )


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_backup_and_restore_lose_nothing(tmp_path, empty_database, settings):
    # A populated database: the demo (the 2020 pool and 50 cases through the services,
    # with history events, permissions and the access log) and stored files.
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    load_demo_data(logins_file=tmp_path / "logins.txt")
    storage = FileSystemStorage(location=media)
    storage.save("monitor/kwartaalmonitor-2026-Q3.pdf", ContentFile(PDF))
    storage.save("monitor/kwartaalmonitor-2026-Q2 (herzien).pdf", ContentFile(PDF[::-1]))
    # A case document, encrypted under DOCUMENTS_ROOT inside MEDIA_ROOT.
    settings.DOCUMENTS_ROOT = media / "documents"
    document_text = b"%PDF-1.4\n% verslag UVO, vertrouwelijk\n" + bytes(range(256)) * 8 + b"%%EOF"
    version = DocumentVersionFactory(
        document=DocumentFactory(case=Case.objects.first()), content=document_text
    )
    source_url = database_url(connection.settings_dict["NAME"])
    source_tables = table_fingerprints(source_url)
    assert source_tables["cases_case"][0] == 53  # 50 in regie + 3 exited
    assert source_tables["cases_caseevent"][0] > 0
    assert source_tables["audit_accesslog"][0] >= 0

    backup = run(
        "backup", str(tmp_path / "backups"), DATABASE_URL=source_url, MEDIA_ROOT=str(media)
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])
    manifest = (backup_dir / "MANIFEST").read_text()
    assert "media files: 3" in manifest
    # The backup carries the document encrypted: without the key it reveals nothing.
    assert b"verslag UVO" not in (backup_dir / "media.tar").read_bytes()
    assert oct((backup_dir).stat().st_mode)[-3:] == "700"

    restored_media = tmp_path / "restored-media"
    restore = run(
        "restore",
        str(backup_dir),
        DATABASE_URL=database_url(empty_database),
        MEDIA_ROOT=str(restored_media),
    )
    assert restore.returncode == 0, restore.stderr

    restored_url = database_url(empty_database)
    restored_tables = table_fingerprints(restored_url)
    assert restored_tables.keys() == source_tables.keys()
    differing = {t for t in source_tables if source_tables[t] != restored_tables[t]}
    assert differing == set()
    assert sequence_values(restored_url) == sequence_values(source_url)
    assert file_digests(restored_media) == file_digests(media)
    assert len(file_digests(restored_media)) == 3
    # The restored document decrypts, with the key, to what was stored.
    settings.DOCUMENTS_ROOT = restored_media / "documents"
    assert b"".join(version_read(version)) == document_text

    # The restored database guards its data as the original did: every trigger came
    # back (history, the append-only access log, the immutable adopted plan versions).
    assert triggers(restored_url) == triggers(source_url)
    assert {"audit_accesslog", "cases_person", "cases_planversion"} <= {
        table for table, _ in triggers(source_url)
    }
    with pytest.raises(psycopg2.errors.RaiseException):
        execute(
            restored_url,
            sql.SQL("UPDATE cases_planversion SET goals = 'x' WHERE status = 'vastgesteld'"),
        )


def test_restore_refuses_a_damaged_backup_or_a_database_in_use(tmp_path, empty_database):
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.pdf").write_bytes(PDF)
    source_url = database_url(connection.settings_dict["NAME"])
    backup = run(
        "backup", str(tmp_path / "backups"), DATABASE_URL=source_url, MEDIA_ROOT=str(media)
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])

    # Into the database in use (it holds tables): refused, nothing touched.
    into_live = run(
        "restore", str(backup_dir), DATABASE_URL=source_url, MEDIA_ROOT=str(tmp_path / "m1")
    )
    assert into_live.returncode != 0
    assert "already holds" in into_live.stderr

    # A damaged archive fails the checksum before anything is restored.
    with (backup_dir / "media.tar").open("r+b") as archive:
        archive.seek(600)
        archive.write(b"X")
    damaged = run(
        "restore",
        str(backup_dir),
        DATABASE_URL=database_url(empty_database),
        MEDIA_ROOT=str(tmp_path / "m2"),
    )
    assert damaged.returncode != 0
    assert table_fingerprints(database_url(empty_database)) == {}
    assert not (tmp_path / "m2").exists()
