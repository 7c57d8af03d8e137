"""The Idempotency-Key path on the SQLite quick start.

The suite runs on PostgreSQL, so this test starts ``manage.py`` with the quick start's
settings on a fresh SQLite file in a subprocess: migrate, then POST through Django's
test client there. A PostgreSQL-only lock once made every such POST a 500.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.quick_start import manage, quick_start_env

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


def test_idempotency_key_on_the_sqlite_quick_start(tmp_path: Path):
    env = quick_start_env(tmp_path)
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
