"""Plumbing shared by the benchmark and the load test: Django in this process,
gunicorn and locust as child processes on loopback."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
SETTINGS = "ipgar.settings.bench"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1"}


@contextmanager
def gunicorn(
    *, workers: int, database_url: str | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the app on a free loopback port; yields the base URL. ``env``: extra
    environment for the served app (the in-suite load test's database and key)."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ipgar.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env={
            **child_env(),
            **({"DATABASE_URL": database_url} if database_url else {}),
            **(env or {}),
        },
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/_bench/floor", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def request(
    base: str, target: dict[str, Any], *, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    headers = {}
    if target.get("session"):
        headers["Cookie"] = f"sessionid={target['session']}"
    if target.get("token"):
        headers["Authorization"] = f"Token {target['token']}"
    req = urllib.request.Request(base + target["path"], headers=headers, method=method)  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class LocustResult:
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    rps: float
    # The successful requests' response times (ms, unrounded) the percentiles come from.
    times_ms: list[float] = field(default_factory=list)


# Locust's name for the figures over every request.
AGGREGATED = "Aggregated"


def percentile(times_ms: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of the raw response times, interpolated between the two
    nearest (as numpy's default); infinitely slow when no request finished."""
    if not times_ms:
        return float("inf")
    ordered = sorted(times_ms)
    rank = (len(ordered) - 1) * fraction
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def locust(
    *,
    base: str,
    plan_file: Path,
    users: int,
    seconds: int,
    mode: str,
    target: str = "",
    max_requests: int = 0,
    out_dir: Path,
) -> dict[str, LocustResult]:
    """Run locust headless in a second process; the per-name and total results."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / (target.replace(" ", "_") or mode)
    env = {
        **child_env(),
        "BENCH_PLAN": str(plan_file),
        "BENCH_MODE": mode,
        "BENCH_TARGET": target,
        "BENCH_MAX_REQUESTS": str(max_requests),
        "BENCH_RAW_TIMES": f"{prefix}_times.json",
    }
    Path(f"{prefix}_stats.csv").unlink(missing_ok=True)
    Path(f"{prefix}_times.json").unlink(missing_ok=True)
    proc = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics: {proc.stderr[-2000:]}")
    results = {}
    with stats_file.open(newline="") as handle:
        for row in csv.DictReader(handle):
            results[row["Name"]] = LocustResult(
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=_milliseconds(row["50%"]),
                p95_ms=_milliseconds(row["95%"]),
                rps=float(row["Requests/s"] or 0),
            )
    # The percentiles from the raw response times, not from locust's rounded ones.
    raw_file = Path(f"{prefix}_times.json")
    if not raw_file.exists():
        raise RuntimeError(f"locust wrote no response times: {proc.stderr[-2000:]}")
    raw: dict[str, list[float]] = json.loads(raw_file.read_text())
    raw[AGGREGATED] = [t for name, times in raw.items() for t in times]
    for name, result in results.items():
        times = raw.get(name, [])
        result.times_ms = times
        result.p50_ms = round(percentile(times, 0.50), 2)
        result.p95_ms = round(percentile(times, 0.95), 2)
    return results


def _milliseconds(value: str) -> float:
    """A percentile from locust's CSV; "N/A" (no request finished within the run time)
    reads as infinitely slow, so the target is reported missed instead of crashing."""
    return float("inf") if value in ("", "N/A") else float(value)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
