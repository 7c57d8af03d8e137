"""Sync benchmark: a full mirror of N generated cases (with their meetings and
plans) from one instance into another through the API (api/mirror.py), then an
incremental run after 100 changes on the source. Two databases on one throwaway
cluster, each served by its own gunicorn.

    bash -c 'source scripts/lib.sh && source benchmarks/services.sh && ensure_python_env \
        && start_services && python -m benchmarks.sync --cases 10000'

Prints the figures and writes var/benchmark-sync.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .harness import ROOT, VAR, child_env, gunicorn, write_json

os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")


def manage(*args: str, database_url: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**child_env(), "DATABASE_URL": database_url},
        check=True,
    )


def sql(database_url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def issue_token(database_url: str) -> str:
    code = (
        "import datetime; from django.contrib.auth.models import Group; "
        "from django.utils import timezone; from accounts.models import User; "
        "from accounts.roles import Role; from accounts.tokens import SCOPES, api_token_issue; "
        "u, _ = User.objects.get_or_create(username='bench-sync'); "
        "u.groups.add(Group.objects.get(name=Role.SYNC_CLIENT.value)); "
        "_, key = api_token_issue(client=u, name='bench', scopes=sorted(SCOPES), "
        "expires_at=timezone.now() + datetime.timedelta(days=1), by=None); print(key)"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**child_env(), "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def change_source(source: Any, changes: int) -> None:
    """``changes`` person updates on the source, through its API."""
    from api.mirror import API

    done = 0
    for person in source.all(f"{API}/persons/"):
        if person["pseudonymised_at"]:
            continue
        source.patch(f"{API}/persons/{person['id']}/", {"address": f"Benchmarkstraat {done + 1}"})
        done += 1
        if done == changes:
            return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()

    source_url = os.environ["DATABASE_URL"]
    target_url = source_url.rsplit("/", 1)[0] + "/ipgar_target"
    print(f"==> migrate and generate {args.cases} cases", flush=True)
    manage("migrate", "--noinput", "-v", "0", database_url=source_url)
    started = time.monotonic()
    manage("generate_data", "--cases", str(args.cases), database_url=source_url)
    generate_seconds = time.monotonic() - started
    token = issue_token(source_url)
    # The target: the same pool and reference data, no cases (a copy, emptied).
    admin_url = source_url.rsplit("/", 1)[0] + "/postgres"
    sql(admin_url, "DROP DATABASE IF EXISTS ipgar_target")
    sql(admin_url, f"CREATE DATABASE ipgar_target TEMPLATE {source_url.rsplit('/', 1)[1]}")
    sql(
        target_url,
        "TRUNCATE cases_case, api_changeevent, api_externalid, api_idempotentrequest CASCADE",
    )

    sys.path.insert(0, str(ROOT))
    from api.mirror import Api, MirrorState, sync

    with (
        gunicorn(workers=1, database_url=source_url) as source_base,
        gunicorn(workers=1, database_url=target_url) as target_base,
        tempfile.TemporaryDirectory() as tmp,
    ):
        state = MirrorState.load(Path(tmp) / "state.json")
        print("==> full sync", flush=True)
        started = time.monotonic()
        full = sync(source=Api(source_base, token), target=Api(target_base, token), state=state)
        full_seconds = time.monotonic() - started
        print(f"    {full.cases} cases, {full.writes} writes in {full_seconds:.1f} s", flush=True)
        for failure in full.failed[:5]:
            print(f"    failed: {failure}", flush=True)
        source = Api(source_base, token)
        change_source(source, args.changes)
        print(f"==> incremental sync after {args.changes} changes", flush=True)
        started = time.monotonic()
        state = MirrorState.load(state.path)
        incremental = sync(source=source, target=Api(target_base, token), state=state)
        incremental_seconds = time.monotonic() - started
        print(
            f"    {incremental.cases} cases, {incremental.writes} writes "
            f"in {incremental_seconds:.1f} s",
            flush=True,
        )
    result = {
        "cases": args.cases,
        "generate_seconds": round(generate_seconds, 1),
        "full": {
            "seconds": round(full_seconds, 1),
            "cases": full.cases,
            "writes": full.writes,
            "requests": full.requests,
            "not_mirrored": len(full.not_mirrored),
            "failed": len(full.failed),
        },
        "incremental": {
            "changes": args.changes,
            "seconds": round(incremental_seconds, 1),
            "cases": incremental.cases,
            "writes": incremental.writes,
            "requests": incremental.requests,
        },
    }
    write_json(VAR / "benchmark-sync.json", result)
    print(result)


if __name__ == "__main__":
    main()
