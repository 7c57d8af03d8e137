"""The load test: ``python -m benchmarks.loadtest`` (scripts/loadtest starts the services).

Generates a data set (default 2,000 cases), serves the app with gunicorn on
loopback, and runs locust headless with 50 users for 2 minutes, mixing
programme-team reads (dashboard, pool, case list), regisseurs logging UVOs
through the UVO form and reading their case, and the sync client's API sync.
Exits non-zero on any failed request, or when no UVO was written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .harness import VAR, cpu_model, gunicorn, locust, setup_django, write_json


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=VAR / "loadtest.json")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from cases.models import Case, Meeting
    from sampledata.generator import case_number_prefix, generate_data

    from .targets import prepare

    call_command("migrate", verbosity=0)
    if not Case.objects.filter(number__startswith=case_number_prefix(args.seed)).exists():
        generate_data(cases=args.cases, seed=args.seed)
    plan = prepare(seed=args.seed, load_users=args.users)
    plan_file = VAR / "bench" / "loadtest-plan.json"
    write_json(plan_file, plan.as_json())
    meetings_before = Meeting.objects.count()
    with gunicorn(workers=args.workers) as base:
        stats = locust(
            base=base,
            plan_file=plan_file,
            users=args.users,
            seconds=args.seconds,
            mode="load",
            out_dir=VAR / "bench",
        )
    total = stats.pop("Aggregated")
    return {
        "machine": {"cpu": cpu_model()},
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "requests": total.requests,
        "failures": total.failures,
        "rps": total.rps,
        "p50_ms": total.p50_ms,
        "p95_ms": total.p95_ms,
        "uvos_written": Meeting.objects.count() - meetings_before,
        "by_request": {
            name: {"requests": s.requests, "failures": s.failures, "p95_ms": s.p95_ms}
            for name, s in stats.items()
        },
        "missing": plan.missing,
    }


def main(argv: list[str]) -> int:
    args = parse(argv)
    setup_django()
    result = run(args)
    write_json(args.out, result)
    print(
        f"{result['users']} users, {result['seconds']} s: {result['requests']} requests "
        f"({result['rps']:.1f}/s), {result['failures']} failures, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, {result['uvos_written']} UVOs written"
    )
    for name, s in sorted(result["by_request"].items()):
        print(f"  {name:<40} {s['requests']:>6} req {s['failures']:>4} fail p95 {s['p95_ms']} ms")
    if result["failures"] or result["requests"] == 0 or result["uvos_written"] == 0:
        print("LOAD TEST FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
