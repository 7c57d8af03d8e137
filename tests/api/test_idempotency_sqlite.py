"""The Idempotency-Key path on the SQLite quick start.

The suite runs on PostgreSQL, so this test starts ``manage.py`` with the quick start's
settings on a fresh SQLite file in a subprocess: migrate, then POST through Django's
test client there. A PostgreSQL-only lock once made every such POST a 500.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Runs inside `manage.py shell -c`; prints one JSON line with what the client saw.
PROBE = """
import datetime, json
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from accounts.models import User
from accounts.roles import Role
from accounts.tokens import SCOPES, api_token_issue
from cases.models import Case
from pool.models import Region

client_user = User.objects.create(username="sync-sqlite")
client_user.groups.add(Group.objects.get(name=Role.SYNC_CLIENT.value))
_, key = api_token_issue(
    client=client_user, name="probe", scopes=sorted(SCOPES),
    expires_at=timezone.now() + datetime.timedelta(days=1), by=None,
)
Region.objects.create(code="amsterdam", name="Amsterdam")
api = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_HOST="127.0.0.1")

def post(body, idempotency_key):
    response = api.post(
        "/api/v1/cases/", body, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )
    return {"status": response.status_code, "type": response["Content-Type"],
            "body": response.json(), "replayed": response.get("Idempotent-Replayed")}

valid = {
    "number": "R-70001", "region": "amsterdam", "registered_on": "2026-11-02",
    "person": {"first_name": "Proef", "last_name": "Persoon"},
}
print(json.dumps({
    "invalid": post({"number": ""}, "key-invalid"),
    "first": post(valid, "key-valid"),
    "again": post(valid, "key-valid"),
    "cases": Case.objects.filter(number="R-70001").count(),
}))
"""


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_idempotency_key_on_the_sqlite_quick_start(tmp_path: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_")
        and k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL")
    }
    env |= {"DJANGO_SETTINGS_MODULE": "ipgar.settings.dev", "IPGAR_VAR_DIR": str(tmp_path)}
    manage("migrate", "--verbosity", "0", env=env)
    seen = json.loads(manage("shell", "-c", PROBE, env=env).strip().splitlines()[-1])

    invalid = seen["invalid"]
    assert invalid["status"] == 400, invalid
    assert invalid["type"] == "application/problem+json"
    assert {e["field"] for e in invalid["body"]["errors"]} >= {"number", "region"}

    assert seen["first"]["status"] == 201, seen["first"]
    assert seen["again"]["status"] == 201 and seen["again"]["replayed"] == "true"
    assert seen["again"]["body"] == seen["first"]["body"]
    assert seen["cases"] == 1
