"""Time and peak memory of one kwartaalmonitor run, in a fresh process.

``python -m benchmarks.monitor_pdf <username>`` requests the monitor of the last
full quarter as that programme-team member and renders it in-process (what the
Celery task does), then prints JSON: seconds, peak Python allocations
(tracemalloc) and the process's peak resident memory (getrusage).
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc

from benchmarks.harness import setup_django


def main(username: str) -> dict:
    setup_django()
    from django.utils import timezone

    from accounts.models import User
    from monitoring.quarters import Quarter
    from monitoring.services.monitors import monitor_render, monitor_request

    user = User.objects.get(username=username)
    quarter = Quarter.of(timezone.localdate()).previous()
    monitor = monitor_request(quarter=quarter, by=user)
    tracemalloc.start()
    started = time.perf_counter()
    rendered = monitor_render(monitor_id=monitor.pk)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": round(seconds, 2),
        "status": str(rendered.status),
        "peak_python_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
