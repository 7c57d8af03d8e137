"""Every page of the main menu answers on the SQLite quick start, for each demo role.

The suite runs on PostgreSQL; a query only PostgreSQL understands (``DISTINCT ON``) once
made the pool overview answer 500 on the quick start, which is what a newcomer sees
first. This walks the menu of each demo user there, as the browser would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.quick_start import manage, quick_start_env

# Signed in as each demo role (the second factor verified, as benchmarks/sessions.py
# leaves a session), every page the user's menu holds.
WALK = """
import json
from django.conf import settings
from django.test import Client, override_settings
from accounts.models import User
from benchmarks.sessions import signed_in_session
from ipgar.views import menu_for

DEMO_USERS = ("programmateam", "regisseur.oov1", "manager.wpi", "privacy.ggd", "pto-r.om",
              "beheerder", "teamlid.ggd")
# The quick start serves its static files after collectstatic; this walk has none.
PLAIN = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def walk(username):
    user = User.objects.get(username=username)
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user)
    return {f"{username} {item['url']}": client.get(item["url"]).status_code
            for item in menu_for(user)}


answers = {}
with override_settings(STORAGES=PLAIN):
    for username in DEMO_USERS:
        answers |= walk(username)
print("ANSWERS", json.dumps(answers))
"""


def test_every_menu_page_answers_on_the_sqlite_quick_start(tmp_path: Path):
    env = quick_start_env(tmp_path)
    manage("migrate", "--verbosity", "0", env=env)
    manage("load_demo_data", env=env)
    printed = manage("shell", "-c", WALK, env=env).splitlines()
    answers = json.loads(next(line for line in printed if line.startswith("ANSWERS "))[8:])
    assert len(answers) > 30, answers  # seven roles, most with several pages
    assert {page: status for page, status in answers.items() if status != 200} == {}
