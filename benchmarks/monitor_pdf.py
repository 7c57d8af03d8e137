"""Time and peak memory of one monitor run, in a fresh process.

``python -m benchmarks.monitor_pdf <username> [kind]`` requests the monitor of that
kind (default: kwartaal) for the last full period as that programme-team member and
renders it in-process (what the Celery task does), then prints JSON: seconds, pages,
the process's peak resident memory (getrusage) and peak Python allocations
(tracemalloc).

The time is measured without tracemalloc: tracing every allocation slows
WeasyPrint's PDF writing (font subsetting) more than tenfold. The allocations
come from a second, traced pass of the same figures and PDF that stores nothing.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
import tracemalloc

from benchmarks.harness import setup_django


def main(username: str, kind: str = "kwartaal") -> dict:
    setup_django()
    from django.utils import timezone
    from pypdf import PdfReader

    from accounts.models import User
    from monitoring.models import PERIODS
    from monitoring.pdf import monitor_pdf
    from monitoring.reports import REPORTS
    from monitoring.services.monitors import monitor_render, monitor_request

    user = User.objects.get(username=username)
    period = PERIODS[kind].of(timezone.localdate()).previous()
    monitor = monitor_request(kind=kind, period=period, by=user)
    started = time.perf_counter()
    rendered = monitor_render(monitor_id=monitor.pk)
    seconds = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pages = None
    if rendered.pdf:
        with rendered.pdf.open("rb") as handle:
            pages = len(PdfReader(io.BytesIO(handle.read())).pages)

    tracemalloc.start()
    monitor_pdf(monitor=rendered, figures=REPORTS[kind].figures(period))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": round(seconds, 2),
        "status": str(rendered.status),
        "pages": pages,
        "peak_python_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(peak_rss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
