"""Sync benchmarks, two of them.

``read`` (the full-sync target of README "Performance"): on an existing database (DATABASE_URL,
e.g. the 10,000-case one), served by gunicorn with two workers, a sync client's
full read of every case resource (cases, persons, team members, plans with their
interventions, meetings with actions and attendees, assessments, evaluations,
exits) page by page, as many lists at a time as the sync client reads
(``sync_client.mirror.LIST_READERS``, two; ``--lists 1``: one list after the
other, as ``benchmarks/run.py`` measures it); the case list's page latency; then
an incremental sync: 100 changes on the source through the API (person updates,
If-Match from the list's representation), and the client's read of the change
feed from its cursor plus the current state of what the feed names.

    bash -c 'source scripts/lib.sh && source benchmarks/services.sh && ensure_python_env \
        && start_services && python manage.py migrate \
        && python manage.py generate_data --cases 10000 --seed 1 \
        && python -m benchmarks.sync read'

``mirror``: a full mirror of N generated cases (with their meetings and plans)
from one instance into another through the API (sync_client/mirror.py), then an
incremental run after 100 changes on the source. Two databases on one throwaway
cluster, each served by its own gunicorn.

    bash -c 'source scripts/lib.sh && source benchmarks/services.sh && ensure_python_env \
        && start_services && python -m benchmarks.sync mirror --cases 10000'

Each prints its figures and writes var/benchmark-sync-<mode>.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sync_client.mirror import CASE_CHILDREN, LIST_READERS

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
    from sync_client.mirror import API

    done = 0
    for person in source.all(f"{API}/persons/"):
        if person["pseudonymised_at"]:
            continue
        source.patch(f"{API}/persons/{person['id']}/", {"address": f"Benchmarkstraat {done + 1}"})
        done += 1
        if done == changes:
            return


def mirror_main(args: argparse.Namespace) -> None:

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
    from sync_client.mirror import Api, MirrorState, sync

    with (
        gunicorn(workers=1, database_url=source_url) as source_base,
        gunicorn(workers=1, database_url=target_url) as target_base,
        tempfile.TemporaryDirectory() as tmp,
    ):
        state = MirrorState.load(Path(tmp) / "state.json")
        print("==> full sync", flush=True)
        started = time.monotonic()
        full = sync(
            source=Api(source_base, token),
            target=Api(target_base, token),
            state=state,
            workers=args.workers,
        )
        full_seconds = time.monotonic() - started
        print(f"    {full.cases} cases, {full.writes} writes in {full_seconds:.1f} s", flush=True)
        for failure in full.failed[:5]:
            print(f"    failed: {failure}", flush=True)
        source = Api(source_base, token)
        change_source(source, args.changes)
        print(f"==> incremental sync after {args.changes} changes", flush=True)
        started = time.monotonic()
        state = MirrorState.load(state.path)
        incremental = sync(
            source=source, target=Api(target_base, token), state=state, workers=args.workers
        )
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
    write_json(VAR / "benchmark-sync-mirror.json", result)
    print(result)


# --- the read benchmark -----------------------------------------------------------

# Every resource of a case, as the mirror reads them (sync_client/mirror.py).
READ_RESOURCES = ("cases", *CASE_CHILDREN)
READ_PAGE_SIZE = 500
LATENCY_PAGE_SIZE = 100
LATENCY_PAGES = 50


def walk(api: Any, resource: str) -> dict[str, Any]:
    """Every page of one list, as a client's first sync reads it."""
    from sync_client.mirror import API

    latencies: list[float] = []
    url: str | None = f"{API}/{resource}/?page_size={READ_PAGE_SIZE}"
    objects, started = 0, time.perf_counter()
    while url:
        begun = time.perf_counter()
        page, _ = api.get(url)
        latencies.append(time.perf_counter() - begun)
        objects += len(page["results"])
        url = page.get("next")
    seconds = time.perf_counter() - started
    return {
        "objects": objects,
        "pages": len(latencies),
        "seconds": round(seconds, 2),
        "objects_per_second": round(objects / seconds) if seconds else None,
        "page_p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def page_latency(api: Any) -> dict[str, Any]:
    """The case list at the benchmark's page size: p50/p95 over consecutive pages."""
    from sync_client.mirror import API

    latencies: list[float] = []
    url: str | None = f"{API}/cases/?page_size={LATENCY_PAGE_SIZE}"
    while url and len(latencies) < LATENCY_PAGES:
        begun = time.perf_counter()
        page, _ = api.get(url)
        latencies.append(time.perf_counter() - begun)
        url = page.get("next")
    return {
        "page_size": LATENCY_PAGE_SIZE,
        "pages": len(latencies),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


def feed_end(database_url: str) -> str:
    """The cursor a client holds after its last sync: the feed's last event (read from
    the database, not by walking half a million events through the API)."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xact_id, id FROM api_changeevent ORDER BY xact_id DESC, id DESC LIMIT 1"
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return f"{row[0]}.{row[1]}" if row else ""


def make_changes(api: Any, changes: int) -> int:
    """``changes`` person updates through the API, each with the ETag of the
    representation the list gave (no read before the write)."""
    from api.etags import etag_for
    from sync_client.mirror import API

    done = 0
    for person in api.all(f"{API}/persons/"):
        if person["pseudonymised_at"]:
            continue
        path = f"{API}/persons/{person['id']}/"
        api.etags[path] = etag_for(person)
        api.patch(path, {"address": f"Benchmarkstraat {done + 1}"})
        done += 1
        if done == changes:
            break
    return done


def incremental_read(api: Any, cursor: str) -> dict[str, Any]:
    """What the sync client reads in an incremental run: the feed from ``cursor``, then
    each named case with the resources of it the feed named (``sync_client.mirror``)."""
    from sync_client.mirror import case_bundles, changed_cases, feed_after

    started = time.perf_counter()
    requests_before = api.requests
    events, _ = feed_after(api, cursor)
    bundles = list(case_bundles(api, changed_cases(events)))
    seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "cases": len(bundles),
        "objects": sum(1 + sum(len(v) for v in b.children.values()) for b in bundles),
        "requests": api.requests - requests_before,
        "seconds": round(seconds, 2),
    }


def read_main(args: argparse.Namespace) -> None:
    from sync_client.mirror import Api

    database_url = os.environ["DATABASE_URL"]
    token = issue_token(database_url)
    with gunicorn(workers=args.workers, database_url=database_url) as base:
        api = Api(base, token, timeout=600)
        full: dict[str, Any] = {}
        if not args.skip_full:
            print(f"==> full read sync, {args.lists} lists at a time", flush=True)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.lists) as pool:
                resources = args.resources.split(",")
                per_resource = dict(
                    zip(
                        resources,
                        pool.map(lambda r: walk(api.clone(), r), resources),
                        strict=True,
                    )
                )
            wall = time.perf_counter() - started
            objects = sum(r["objects"] for r in per_resource.values())
            for resource, figures in per_resource.items():
                print(f"    {resource:<14}{figures}", flush=True)
            full = {
                "resources": per_resource,
                "objects": objects,
                "seconds": round(wall, 1),
                "objects_per_second": round(objects / wall),
            }
            print(f"    total {objects} objects in {wall:.1f} s", flush=True)
        print("==> case list page latency", flush=True)
        latency = page_latency(api)
        print(f"    {latency}", flush=True)
        incremental: dict[str, Any] = {}
        if not args.skip_incremental:
            print(f"==> incremental sync after {args.changes} changes", flush=True)
            cursor = feed_end(database_url)
            changed = make_changes(api, args.changes)
            time.sleep(1)  # the feed serves a transaction once every older one has ended
            incremental = {"changes": changed, **incremental_read(api, cursor)}
            print(f"    {incremental}", flush=True)
    result = {
        "database": database_url.rsplit("/", 1)[1],
        "workers": args.workers,
        "lists_at_a_time": args.lists,
        "load_average": os.getloadavg(),
        "full_read": full,
        "case_list_page": latency,
        "incremental": incremental,
    }
    write_json(VAR / "benchmark-sync-read.json", result)


def main() -> None:
    parser = argparse.ArgumentParser()
    modes = parser.add_subparsers(dest="mode", required=True)
    read = modes.add_parser("read", help="full and incremental read sync of DATABASE_URL")
    read.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    read.add_argument(
        "--lists",
        type=int,
        default=LIST_READERS,
        help="lists walked at a time (the sync client's own number by default; 1: one "
        "after the other)",
    )
    read.add_argument("--changes", type=int, default=100)
    read.add_argument("--skip-full", action="store_true", help="only latency and incremental")
    read.add_argument(
        "--skip-incremental",
        action="store_true",
        help="no changes written: only the full read and the latency (a shared database)",
    )
    read.add_argument(
        "--resources",
        default=",".join(READ_RESOURCES),
        help="the lists a full read walks (the full-sync target names cases, meetings and plans)",
    )
    mirror = modes.add_parser("mirror", help="mirror N generated cases into a second instance")
    mirror.add_argument("--cases", type=int, default=10000)
    mirror.add_argument("--changes", type=int, default=100)
    mirror.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.mode == "read":
        read_main(args)
    else:
        mirror_main(args)


if __name__ == "__main__":
    main()
