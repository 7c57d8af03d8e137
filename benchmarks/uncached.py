"""The uncached costs, in a fresh process against the benchmark's database: the deadline
selector behind the worklists and the reminders (computed in full every time), and the
programme team's dashboard on its first request after a data change (its figures are
kept under the data stamp, so a change means a full recomputation), beside the same
page from the cache.

``python -m benchmarks.uncached <username> [rounds]`` prints JSON: milliseconds per
round (median and slowest) of each.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from benchmarks.harness import setup_django


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "rounds": len(values),
    }


def main(username: str, rounds: int = 5) -> dict:
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from benchmarks.sessions import signed_in_session
    from cases.models import Case
    from cases.selectors.deadlines import deadlines

    today = timezone.localdate()
    selector = []
    for _ in range(rounds):
        started = time.perf_counter()
        items = deadlines(on=today)
        selector.append((time.perf_counter() - started) * 1000)

    user = User.objects.get(username=username)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user)
    url = reverse("monitoring:dashboard")
    client.get(url)  # the session's first request, and the code paths warmed
    case = Case.objects.order_by("pk").first()
    after_change, cached = [], []
    for _ in range(rounds):
        if case is not None:
            # A data change: the stamp moves (a history event), every figure is recomputed.
            Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        started = time.perf_counter()
        response = client.get(url)
        after_change.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"dashboard answered {response.status_code}")
        started = time.perf_counter()
        client.get(url)
        cached.append((time.perf_counter() - started) * 1000)
    return {
        "deadline_selector": {**_spread(selector), "items": len(items)},
        "dashboard_after_change": _spread(after_change),
        "dashboard_cached": _spread(cached),
    }


if __name__ == "__main__":
    arguments = sys.argv[1:]
    print(json.dumps(main(arguments[0], *(int(a) for a in arguments[1:2]))))
