"""Locust users for the benchmark (one target at a time) and the load test (a mix).

Run by benchmarks/run.py and benchmarks/loadtest.py, which write the plan
(``benchmarks.targets.prepare``) to BENCH_PLAN and pick the mode:

- BENCH_MODE=measure, BENCH_TARGET=<name>: requests one target as fast as the
  pacing allows; stops after BENCH_MAX_REQUESTS requests or --run-time.
- BENCH_MODE=load: programme-team members reading the dashboard and pages,
  regisseurs logging UVOs through the UVO form, and the sync client syncing
  through the API. Every non-2xx/3xx answer counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any

import gevent
from locust import HttpUser, between, constant, events, task

from benchmarks.forms import FormFields

PLAN: dict[str, Any] = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115
MODE = os.environ.get("BENCH_MODE", "measure")
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "0"))
# Where the raw response times go (benchmarks/harness.py takes its percentiles from them).
RAW_TIMES = os.environ.get("BENCH_RAW_TIMES", "")
SESSION_COOKIE = "sessionid"
# The load test's regisseurs log their first UVO within this many seconds of starting.
FIRST_UVO_WITHIN_SECONDS = 5.0

_requests = itertools.count(1)
# Each request's response time in milliseconds as locust measured it (a float, to the
# microsecond), per request name: locust's own percentiles are rounded to whole
# milliseconds (and coarser above 100 ms), too coarse for a floor of a few milliseconds.
_raw_times: dict[str, list[float]] = {}


@events.request.add_listener
def _record_response_time(name: str, response_time: float, exception: Any = None, **_: Any) -> None:
    if exception is None:
        _raw_times.setdefault(name, []).append(response_time)


@events.quitting.add_listener
def _write_response_times(**_: Any) -> None:
    if RAW_TIMES:
        with open(RAW_TIMES, "w") as handle:
            json.dump(_raw_times, handle)


@events.request.add_listener
def _stop_after_max_requests(**_: Any) -> None:
    """Bound the run by request count as well as by time."""
    if MAX_REQUESTS and next(_requests) >= MAX_REQUESTS:
        from locust.runners import STATE_STOPPED, STATE_STOPPING

        runner = _environment.runner if _environment else None
        if runner is not None and runner.state not in (STATE_STOPPING, STATE_STOPPED):
            gevent.spawn(runner.quit)


_environment = None


@events.init.add_listener
def _remember(environment, **_: Any) -> None:
    global _environment
    _environment = environment


def _errors(html: str) -> str:
    """The error messages a refused form shows, for the failure report."""
    found = re.findall(
        r'class="[^"]*(?:ams-error-message|ams-alert)[^"]*"[^>]*>(.*?)</(?:p|div)>', html, re.S
    )
    text = "; ".join(" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in found)
    return text[:500] or html[:300]


def _auth(user: HttpUser, target: dict[str, Any]) -> dict[str, str]:
    if target.get("session"):
        user.client.cookies.set(SESSION_COOKIE, target["session"])
    if target.get("token"):
        return {"Authorization": f"Token {target['token']}"}
    return {}


if MODE == "measure":
    TARGET = next(t for t in PLAN["targets"] if t["name"] == os.environ["BENCH_TARGET"])

    class MeasureUser(HttpUser):
        # A short pause between requests: the load generator shares the two cores.
        wait_time = constant(float(os.environ.get("BENCH_PAUSE", "0.02")))

        def on_start(self) -> None:
            self.headers = _auth(self, TARGET)

        @task
        def fetch(self) -> None:
            self.client.get(
                TARGET["path"], headers=self.headers, name=TARGET["name"], allow_redirects=False
            )

else:
    by_name = {t["name"]: t for t in PLAN["targets"]}
    _regisseurs = itertools.cycle(PLAN["regisseur_sessions"] or [{}])
    _programme = itertools.cycle(PLAN["programme_sessions"])

    class ProgrammeTeamUser(HttpUser):
        """Reads: the dashboard (or, while it is missing, the case list) and the pool."""

        weight = 3
        wait_time = between(1, 3)

        def on_start(self) -> None:
            self.client.cookies.set(SESSION_COOKIE, next(_programme))
            self.pages = [
                by_name[name]["path"]
                for name in ("dashboard", "pool overview", "mijn casussen")
                if name in by_name
            ]

        @task
        def read(self) -> None:
            path = random.choice(self.pages)  # noqa: S311
            with self.client.get(
                path, name="read " + path.split("?")[0], allow_redirects=False, catch_response=True
            ) as r:
                # Not followed: a redirect to the sign-in page is a failure, not a page.
                if r.status_code != 200:
                    r.failure(f"{r.status_code}")

    class RegisseurUser(HttpUser):
        """Logs an UVO through the form (GET it, POST it back), then reads the case."""

        weight = 2
        wait_time = between(2, 5)

        def on_start(self) -> None:
            self.mine = next(_regisseurs)
            self.client.cookies.set(SESSION_COOKIE, self.mine.get("session", ""))
            # Every regisseur logs an UVO first, so even a short run writes some: each after
            # a pause of its own within the first wait, not all at the very start. All at
            # once, the first UVO forms of every regisseur queued behind each other on the
            # freshly started workers (about a tenth of the run's UVO forms, so its p95 was
            # that queue's, 1.7 s, not the form's).
            gevent.sleep(random.uniform(0, FIRST_UVO_WITHIN_SECONDS))  # noqa: S311
            self.log_uvo()

        @task(3)
        def case_page(self) -> None:
            with self.client.get(
                self.mine["case_path"], name="case page", allow_redirects=False, catch_response=True
            ) as r:
                if r.status_code != 200:
                    r.failure(f"{r.status_code}")

        @task(1)
        def log_uvo(self) -> None:
            form = self.mine.get("uvo_form")
            if not form:
                return
            with self.client.get(
                form, name="UVO form", allow_redirects=False, catch_response=True
            ) as page:
                if page.status_code != 200:
                    page.failure(f"{page.status_code} {page.headers.get('Location')}")
                    return
            parser = FormFields()
            parser.feed(page.text)
            fields = parser.fields
            fields.setdefault("agenda", "")
            fields["agenda"] = "Belastingtest: voortgang besproken."
            fields["decisions"] = "Acties voortzetten."
            with self.client.post(
                form,
                data=fields,
                headers={"Referer": self.client.base_url + form},
                name="UVO write",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                # Logged: back to the case page, at the new meeting.
                if r.status_code != 302 or "#meeting" not in r.headers.get("Location", ""):
                    r.failure(
                        f"UVO not logged: {r.status_code} {r.headers.get('Location')} "
                        f"{_errors(r.text)}"
                    )

    class SyncClientUser(HttpUser):
        """Incremental sync: the case list since a cursor, then a page of the full list."""

        weight = 1
        wait_time = between(1, 3)

        def on_start(self) -> None:
            self.headers = {"Authorization": f"Token {PLAN['token']}"}

        @task
        def sync(self) -> None:
            for name in ("API incremental sync", "API case list"):
                if name in by_name:
                    with self.client.get(
                        by_name[name]["path"], headers=self.headers, name=name, catch_response=True
                    ) as r:
                        if r.status_code != 200:
                            r.failure(f"{r.status_code}")
