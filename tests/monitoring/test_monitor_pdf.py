"""The kwartaalmonitor rendered for real on the 2020 pool (R-POOL-4, the demo data), read
back from the PDF and checked against the selectors; no person data in it."""

from __future__ import annotations

import datetime
import io
import re
import time

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from accounts.models import User
from cases.models import Person
from cases.selectors.figures import cases_per_phase
from kernel.quarters import Quarter
from monitoring.models import Monitor, Notification
from monitoring.services.monitors import monitor_request
from pool.selectors import pool_overview
from sampledata.demo import load_demo_data

TODAY = datetime.date(2026, 11, 23)
QUARTER = Quarter(2026, 4)


@pytest.fixture
def pool_2020(media_root):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)):
        load_demo_data(today=TODAY)
        yield


def pdf_text(monitor: Monitor) -> str:
    with monitor.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_the_pdf_prints_the_2020_pool_figures_and_no_person_data(
    pool_2020, django_capture_on_commit_callbacks
):
    programme_team = User.objects.get(username="programmateam")
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        monitor = monitor_request(period=QUARTER, by=programme_team)
    seconds = time.perf_counter() - started
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error
    size = monitor.pdf.size
    print(f"\nmonitor demo pool: {seconds:.2f} s end to end, PDF {size / 1024:.0f} KiB")

    text = pdf_text(monitor)
    flat = re.sub(r"\s+", " ", text)
    overview = pool_overview(on=TODAY)
    # The pool as R-POOL-4 has it: 8 regisseurs, 6.0 FTE, 72 places, 50 cases.
    assert (overview.regisseur_count, overview.total_fte, overview.total_capacity) == (8, 6, 72)
    assert overview.total_cases == 50
    assert "Kwartaalmonitor 2026 K4" in flat  # the quarter's Dutch label
    assert f"{overview.regisseur_count} / {overview.total_fte:.1f}" in flat
    assert f"{overview.total_capacity} / {overview.total_cases}" in flat
    assert f"Open casussen {overview.total_cases}" in flat
    # OM and RN over capacity, named as such.
    over = sorted(row.name for row in overview.over_capacity)
    assert over == ["Regisseur OM (demo)", "Regisseur RN (demo)"]
    assert f"Boven capaciteit: {', '.join(row.name for row in overview.over_capacity)}" in flat
    # Cases per phase from the dashboard's selector.
    phases = cases_per_phase()
    assert sum(phases.values()) == 50
    for phase, label in ((1, "Fase 1"), (2, "Fase 2"), (3, "Fase 3 – uitstroomproces")):
        assert f"{label} {phases[phase]}" in flat
    # The three exits of the demo fall in this quarter, on the warm hand-over ground.
    summary = monitor.figures["summary"]
    assert summary["outflow"] == 3
    assert "Zorg geborgd via warme overdracht 3" in flat
    # Stored figures are what was printed.
    assert summary["capacity"] == 72 and summary["caseload"] == 50 and summary["fte"] == "6.0"

    # No person data: not a name, date of birth or address of anyone in the approach.
    persons = Person.objects.all()
    assert persons.count() == 53
    for person in persons:
        assert person.last_name not in text
        assert f"{person.date_of_birth:%d-%m-%Y}" not in text
        assert person.address.split(",")[0] not in text
    assert "Testpersoon" not in text
    # Aggregates only: not even a case's pseudonymous number.
    assert not re.search(r"R-DEMO-\d{3}", text)
    # The caseload per regisseur: every regisseur on a line, the over-capacity ones said so.
    for row in overview.rows:
        assert row.name in text
    assert flat.count("boven capaciteit") >= len(over)
    # Per kernpartner the work's rhythm: UVOs and plan evaluations on time.
    uvo = summary["uvo"]
    assert f"met een UVO binnen twee maanden {uvo['on_time']} van {uvo['phase2_cases']}" in flat
    sections = monitor.figures["kernpartners"]
    for section in sections:
        assert {"uvo_on_time", "plans_running", "plans_evaluated_on_time"} <= section.keys()
    # Once in the summary, once per kernpartner.
    assert flat.count("Lopende plannen op tijd geëvalueerd") == 1 + len(sections)
    # The trend table labels quarters as people read them.
    assert "2026 K3" in flat and "2026-Q3" not in flat

    pto_r_is_told_the_monitor_is_ready(monitor, programme_team)


def pto_r_is_told_the_monitor_is_ready(monitor, programme_team):
    pto_r = User.objects.get(username="pto-r.om")
    told = Notification.objects.get(user=pto_r, item_key=f"monitor:{monitor.pk}")
    assert "2026 K4" in told.message
    assert any(pto_r.email in m.to and "kwartaalmonitor" in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(user=programme_team, kind="monitor").exists()
