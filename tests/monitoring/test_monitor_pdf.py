"""The kwartaalmonitor rendered for real on the 2020 pool (R-POOL-4, the demo data), read
back from the PDF and checked against the selectors; no person data in it, no '<5' that
can be computed back from what else it prints (R-MON-4), dates and numbers in Dutch."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import time

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from accounts.models import User
from cases.models import Person
from cases.selectors.figures import cases_per_phase, exit_ground_labels
from kernel.quarters import Quarter
from monitoring.models import Monitor, Notification
from monitoring.services.monitors import monitor_request
from monitoring.suppression import OTHER_KERNPARTNERS, SUPPRESSED
from pool.selectors import pool_overview
from sampledata.demo import load_demo_data

from .recovery import recoverable

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


def pdf_layout(monitor: Monitor) -> list[str]:
    """The PDF's lines as pdftotext lays them out (poppler-utils, installed by scripts/test)."""
    executable = shutil.which("pdftotext")
    assert executable is not None, "pdftotext (poppler-utils) is needed"
    with monitor.pdf.open("rb") as handle:
        pdf = handle.read()
    text = subprocess.run(  # noqa: S603  (a fixed program on the test's own PDF)
        [executable, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.splitlines()


FIGURE = re.compile(r"(?<!\S)(<5|–|-?\d+(?:,\d+)?)(?!\S)")


def figures_on(line: str) -> list[str]:
    return FIGURE.findall(line)


def table_lines(lines: list[str], header: tuple[str, ...], width: int) -> list[list[str]]:
    """The figures of each row of the table whose header row starts with these words
    (rows with ``width`` figures or more, the last ``width`` of them), up to its
    'Totaal' row included."""
    start = next(
        i
        for i, line in enumerate(lines)
        if line.strip().startswith(header[0]) and all(word in line for word in header)
    )
    rows = []
    for line in lines[start + 1 :]:
        found = figures_on(line)
        if line.strip().startswith("Totaal"):
            rows.append(found)
            return rows
        if len(found) >= width:
            rows.append(found[-width:])
    raise AssertionError(f"no Totaal under {header}")


def number(printed: str) -> int | None:
    return None if printed == SUPPRESSED else int(printed)


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
    # Dutch numbers and dates: 6,0 fte, dd-mm-jjjj; no ISO date or decimal point anywhere.
    assert f"{overview.regisseur_count} / 6,0" in flat
    assert "01-10-2026 t/m 31-12-2026" in flat and "Peildatum 23-11-2026" in flat
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"\b\d+\.\d+\b", text)
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
    # The three exits of the demo fall in this quarter, on the warm hand-over ground: a
    # breakdown, so '<5', with a complement (the total of 3 is printed beside it).
    summary = monitor.figures["summary"]
    assert summary["outflow"] == 3
    assert f"Zorg geborgd via warme overdracht {SUPPRESSED}" in flat
    assert flat.count(f" {SUPPRESSED} ") >= 2
    # Stored figures are what was printed (before suppression: R-MON-4 publishes them).
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
    assert f"{uvo['percentage']:.1f}%".replace(".", ",") in flat  # 97,4%
    sections = monitor.figures["kernpartners"]
    for section in sections:
        assert {"uvo_on_time", "plans_running", "plans_evaluated_on_time"} <= section.keys()
    # Pages that would be mostly '<5' are folded into one: once in the summary, once per page.
    members = re.search(r"zou bestaan, samen: (.*?)\.", flat)
    assert members is not None
    folded = members.group(1).split(", ")
    assert "GGD Amsterdam" in folded and len(folded) < len(sections)
    pages = len(sections) - len(folded) + 1
    assert flat.count("Lopende plannen op tijd geëvalueerd") == 1 + pages
    # The trend table labels quarters as people read them.
    assert "2026 K3" in flat and "2026-Q3" not in flat

    no_suppressed_count_can_be_computed_back(monitor, folded)
    pto_r_is_told_the_monitor_is_ready(monitor, programme_team)


def no_suppressed_count_can_be_computed_back(monitor: Monitor, folded: list[str]) -> None:
    """Read the tables back as a reader copies them and try every '<5' against the
    printed totals: per kernpartner (its phases add up to its cases, the kernpartners
    to the totals), the roster (per kernpartner its regisseurs' cases add up to the
    kernpartner's; free places are capacity minus cases) and the regions."""
    lines = pdf_layout(monitor)
    raw = monitor.figures
    kp_rows = table_lines(lines, ("Kernpartner", "Regisseurs", "Uitstroom"), 10)
    *groups, kp_total = kp_rows
    sections = {s["organisation"]: s for s in raw["kernpartners"]}
    kept = [name for name in sorted(sections) if name not in folded]
    names = [*kept, OTHER_KERNPARTNERS]
    assert len(groups) == len(names)

    def true(name: str, key: str) -> int:
        members = folded if name == OTHER_KERNPARTNERS else [name]
        if key in ("1", "2", "3"):
            return sum(sections[m]["per_phase"][key] for m in members)
        return sum(sections[m][key] for m in members)

    printed: dict[str, str] = {}
    truth: dict[str, int] = {}
    equations: list[dict[str, int]] = []
    columns = ("cases", "1", "2", "3", "inflow", "outflow")
    for name, row in zip(names, groups, strict=True):
        for key, value in zip(columns, row[3:9], strict=True):
            printed[f"{name}/{key}"], truth[f"{name}/{key}"] = value, true(name, key)
        equations.append({f"{name}/1": 1, f"{name}/2": 1, f"{name}/3": 1, f"{name}/cases": -1})
    for key, value in zip(columns, kp_total[3:9], strict=True):
        printed[f"all/{key}"], truth[f"all/{key}"] = value, sum(true(n, key) for n in names)
        equations.append({**{f"{n}/{key}": 1 for n in names}, f"all/{key}": -1})

    roster = table_lines(lines, ("Regisseur", "Organisatie", "Buddy"), 5)
    *people, _roster_total = roster
    regisseurs = raw["regisseurs"]
    assert len(people) == len(regisseurs)
    group_of = dict.fromkeys(folded, OTHER_KERNPARTNERS)
    for regisseur, row in zip(regisseurs, people, strict=True):
        key = f"regisseur/{regisseur['name']}"
        printed[key], truth[key] = row[2], regisseur["cases"]
        assert row[4] == "–" or number(row[4]) == regisseur["capacity"] - regisseur["cases"]
    for name in names:
        mine = [r for r in regisseurs if group_of.get(r["organisation"], r["organisation"]) == name]
        if mine:
            equations.append({**{f"regisseur/{r['name']}": 1 for r in mine}, f"{name}/cases": -1})
    # The demo's leak: GGD 2 and Amstelland 3 on the roster are hidden now.
    small = [r["name"] for r in regisseurs if 0 < r["cases"] < 5]
    assert small and all(printed[f"regisseur/{n}"] == SUPPRESSED for n in small)

    region_rows = table_lines(lines, ("Regio", "Casussen", "Fase 3"), 4)
    *regions, region_total = region_rows
    for region, row in zip(raw["regions"], regions, strict=True):
        keys = [f"region/{region['region']}/{k}" for k in ("cases", "1", "2", "3")]
        values = [sum(region["per_phase"].values()), *region["per_phase"].values()]
        for key, shown_value, value in zip(keys, row, values, strict=True):
            printed[key], truth[key] = shown_value, value
        equations.append({keys[1]: 1, keys[2]: 1, keys[3]: 1, keys[0]: -1})
    for index, key in enumerate(("cases", "1", "2", "3")):
        equations.append(
            {
                **{f"region/{r['region']}/{key}": 1 for r in raw["regions"]},
                f"all/{key}": -1,
            }
        )
        assert number(region_total[index]) == truth[f"all/{key}"]

    # Exits per ground against the quarter's outflow (printed beside it and in the trend).
    *grounds, grounds_total = table_lines(lines, ("Grond", "Aantal"), 1)
    raw_grounds = {g["ground"]: g["count"] for g in raw["summary"]["outflow_by_ground"]}
    ground_lines = [
        line.strip() for line in lines if re.match(r"\s+\S.*\s(<5|\d+)$", line) is not None
    ]
    names_of_grounds = []
    for line in ground_lines:
        label = re.sub(r"\s+(<5|\d+)$", "", line)
        if label in exit_ground_labels().values() and label not in names_of_grounds:
            names_of_grounds.append(label)
    assert len(names_of_grounds) == len(grounds)
    for label, row in zip(names_of_grounds, grounds, strict=True):
        printed[f"ground/{label}"], truth[f"ground/{label}"] = row[0], raw_grounds.get(label, 0)
    assert number(grounds_total[0]) == raw["summary"]["outflow"]
    equations.append({**{f"ground/{label}": 1 for label in names_of_grounds}, "all/outflow": -1})

    # What is printed is true; what is hidden cannot be computed back.
    for key, value in printed.items():
        assert value == SUPPRESSED or number(value) == truth[key], key
    hidden = {key: truth[key] for key, value in printed.items() if value == SUPPRESSED}
    assert hidden
    assert recoverable(equations, hidden) == set()


def pto_r_is_told_the_monitor_is_ready(monitor, programme_team):
    pto_r = User.objects.get(username="pto-r.om")
    told = Notification.objects.get(user=pto_r, item_key=f"monitor:{monitor.pk}")
    assert "2026 K4" in told.message
    assert any(pto_r.email in m.to and "kwartaalmonitor" in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(user=programme_team, kind="monitor").exists()
