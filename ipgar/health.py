"""/healthz: database, broker, worker and virus scanner reachability for orchestrators.

Answers JSON with one word per part ("up"/"down"), never a setting, host name
or error text, so it can be exposed to a load balancer without leaking anything.

The probes take up to a few seconds when a part is down, and the page needs no
sign-in: each process answers from its last result for HEALTHZ_CACHE_SECONDS, and
probes once at a time, so a flood of requests cannot tie up every web worker (or
the database and broker) with probes.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from documents import scanner

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
WORKER_PING_TIMEOUT_SECONDS = 1.5


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database unreachable")
        return False


def _broker_up() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


def _worker_up() -> bool:
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("healthz: worker ping failed", exc_info=True)
        return False
    return bool(replies)


def check_health() -> dict[str, bool]:
    database = _database_up()
    broker = _broker_up()
    # Workers are reached through the broker: without one, they cannot answer.
    worker = broker and _worker_up()
    # clamd (documents/scanner.py): without it every upload is refused.
    return {"database": database, "broker": broker, "worker": worker, "scanner": scanner.ping()}


_last_result: tuple[float, dict[str, bool]] | None = None  # (expiry on _clock, checks)
_probe_lock = threading.Lock()
_clock = time.monotonic  # not moved by changes of the wall clock


def check_health_cached() -> dict[str, bool]:
    """check_health(), reused for HEALTHZ_CACHE_SECONDS; concurrent callers wait for one probe."""
    global _last_result
    with _probe_lock:
        if _last_result is not None and _clock() < _last_result[0]:
            return _last_result[1]
        checks = check_health()
        _last_result = (_clock() + settings.HEALTHZ_CACHE_SECONDS, checks)
        return checks


def health_cache_clear() -> None:
    global _last_result
    with _probe_lock:
        _last_result = None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = check_health_cached()
    healthy = all(checks.values())
    body: dict[str, object] = {
        "status": "ok" if healthy else "unavailable",
        "checks": {part: ("up" if up else "down") for part, up in checks.items()},
    }
    if not healthy:
        body["failing"] = [part for part, up in checks.items() if not up]
    return JsonResponse(body, status=200 if healthy else 503)
