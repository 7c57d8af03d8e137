"""The kwartaalmonitor counts the new deadline kinds: interventions past their term
(docs/rules.md R-CASE-6) and UVO actions past their date, in all and per kernpartner
with the monitor's suppression rule (below 5: '<5'); read back from the PDF with
pdftotext, as a reader copies it."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest

from kernel.quarters import Quarter
from monitoring.models import Monitor
from monitoring.services.monitors import monitor_request
from monitoring.suppression import SUPPRESSED, publish_kwartaal
from tests.factories import (
    CaseFactory,
    InterventionFactory,
    MeetingActionFactory,
    MeetingFactory,
    PlanVersionFactory,
)

pytestmark = pytest.mark.django_db

QUARTER = Quarter(2026, 4)
OVERDUE_INTERVENTIONS = 6
OVERDUE_ACTIONS = 2


def pdftotext(monitor: Monitor) -> str:
    with monitor.pdf.open("rb") as handle:
        pdf = handle.read()
    # poppler-utils' pdftotext, installed by scripts/test; "-" reads stdin, writes stdout.
    executable = shutil.which("pdftotext")
    assert executable is not None, "pdftotext (poppler-utils) is needed"
    text = subprocess.run(  # noqa: S603  (a fixed program on the test's own PDF)
        [executable, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", " ", text)


def test_overdue_terms_and_actions_are_in_the_monitor_suppressed_per_kernpartner(
    today, media_root, programme_team_member, django_capture_on_commit_callbacks
):
    case = CaseFactory(phase2=True)
    in_force = PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 9, 1))
    for _ in range(OVERDUE_INTERVENTIONS):
        InterventionFactory(plan_version=in_force, deadline=datetime.date(2026, 10, 1))
    InterventionFactory(plan_version=in_force, deadline=today + datetime.timedelta(days=30))
    meeting = MeetingFactory(case=case, held_on=datetime.date(2026, 9, 15))
    for _ in range(OVERDUE_ACTIONS):
        MeetingActionFactory(meeting=meeting, due_on=datetime.date(2026, 10, 15))
    MeetingActionFactory(
        meeting=meeting, due_on=datetime.date(2026, 10, 1), done_on=datetime.date(2026, 9, 30)
    )

    with django_capture_on_commit_callbacks(execute=True):
        monitor = monitor_request(period=QUARTER, by=programme_team_member)
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error

    summary = monitor.figures["summary"]
    assert (summary["interventions_overdue"], summary["uvo_actions_overdue"]) == (
        OVERDUE_INTERVENTIONS,
        OVERDUE_ACTIONS,
    )
    # Stored raw, printed as published (docs/rules.md R-MON-4).
    [section] = [
        s
        for s in publish_kwartaal(monitor.figures)["kernpartners"]
        if case.regisseur.organisation.name in s["members"]
    ]
    assert (section["interventions_overdue"], section["uvo_actions_overdue"]) == (
        OVERDUE_INTERVENTIONS,
        SUPPRESSED,
    )
    text = pdftotext(monitor)
    # Once in the summary, then in the kernpartner's section (suppressed below 5).
    assert f"Interventies over hun termijn {OVERDUE_INTERVENTIONS} " in text
    assert text.count(f"Interventies over hun termijn {OVERDUE_INTERVENTIONS}") == 2
    assert f"UVO-acties over hun datum {OVERDUE_ACTIONS} " in text
    assert f"UVO-acties over hun datum {SUPPRESSED}" in text
