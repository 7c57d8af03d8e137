"""The caseload of the pool in the month and quarter monitors (docs/rules.md R-MON-6): a
pool of up to ROSTER_MAX_REGISSEURS regisseurs is printed regisseur by regisseur; a
larger one as the regisseurs of each organisation per band of caseload against their
maximum, suppressed so no hidden count can be computed back (R-MON-4), and with no
regisseur named."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
import time_machine

from accounts.models import User
from kernel.periods import Month, Period
from kernel.quarters import Quarter
from monitoring.figures import caseload
from monitoring.models import Monitor
from monitoring.services.monitors import monitor_request
from monitoring.suppression import SUPPRESSED, publish_kwartaal
from pool.selectors import pool_overview
from sampledata.demo import load_demo_data

from .recovery import recoverable, table_equations

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
# The running month and quarter: counted as of today, as the pool overview counts.
PERIODS: dict[str, Period] = {"maand": Month(2026, 11), "kwartaal": Quarter(2026, 4)}
BAND_HEADER = ("Organisatie", "< 50%", "50–100%", "> 100%", "Regisseurs")
FIGURE = re.compile(r"(?<!\S)(<5|\d+)(?!\S)")


@pytest.fixture
def pool_2020(media_root):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)):
        load_demo_data(today=TODAY)
        yield


def made(kind: str, capture) -> Monitor:
    with capture(execute=True):
        monitor = monitor_request(
            kind=kind, period=PERIODS[kind], by=User.objects.get(username="programmateam")
        )
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error
    return monitor


def pdftotext(monitor: Monitor, mode: str = "-layout") -> list[str]:
    """The PDF's lines as pdftotext reads them: laid out as on the page, or with
    ``-raw`` in the order they were written (a name wrapped in its cell stays whole)."""
    executable = shutil.which("pdftotext")
    assert executable is not None, "pdftotext (poppler-utils) is needed"
    with monitor.pdf.open("rb") as handle:
        data = handle.read()
    return (
        subprocess.run(  # noqa: S603  (a fixed program on the test's own PDF)
            [executable, mode, "-", "-"], input=data, capture_output=True, check=True
        )
        .stdout.decode()
        .splitlines()
    )


def flat(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines))


def band_table(lines: list[str]) -> list[list[str]]:
    """The rows of the band table as printed (three bands and the total), 'Totaal' last."""
    start = next(i for i, line in enumerate(lines) if all(word in line for word in BAND_HEADER))
    rows = []
    for line in lines[start + 1 :]:
        found = FIGURE.findall(line)
        if len(found) >= len(caseload.BANDS) + 1:
            rows.append(found[-4:])
        if line.strip().startswith("Totaal"):
            return rows
    raise AssertionError("the band table has no Totaal row")


def regisseur_names() -> list[str]:
    return [row.name for row in pool_overview(on=TODAY).rows]


@pytest.mark.parametrize("kind", ["maand", "kwartaal"])
def test_a_pool_within_the_limit_is_printed_regisseur_by_regisseur(
    pool_2020, django_capture_on_commit_callbacks, kind
):
    text = flat(pdftotext(made(kind, django_capture_on_commit_callbacks), "-raw"))

    assert len(regisseur_names()) <= caseload.ROSTER_MAX_REGISSEURS
    for name in regisseur_names():
        assert name in text
    assert "50–100%" not in text


@pytest.mark.parametrize("kind", ["maand", "kwartaal"])
def test_a_pool_over_the_limit_is_printed_in_bands_per_organisation_naming_no_regisseur(
    pool_2020, django_capture_on_commit_callbacks, monkeypatch, kind
):
    # The demo pool of R-POOL-4 is small; the limit is lowered below it.
    monkeypatch.setattr(caseload, "ROSTER_MAX_REGISSEURS", 3)
    monitor = made(kind, django_capture_on_commit_callbacks)
    lines = pdftotext(monitor)
    text = flat(pdftotext(monitor, "-raw"))

    for name in regisseur_names():
        assert name not in text
    assert "Boven capaciteit:" not in text
    assert "De pool telt meer dan 3 regisseurs" in text
    assert "pagina Regisseurspool" in text

    # The table read back is the published one, and true where it shows a number.
    figures = monitor.figures
    bands = (
        publish_kwartaal(figures)["caseload_bands"]
        if kind == "kwartaal"
        else figures["caseload_bands"]
    )
    *rows, total = band_table(lines)
    assert rows == [[str(n) for n in (*row["bands"], row["total"])] for row in bands["rows"]]
    assert total == [str(n) for n in (*bands["totals"], bands["total"])]
    truth = true_bands(kind, figures)
    assert [row["organisation"] for row in bands["rows"]] == list(truth)
    printed = {
        **{f"{r},{c}": value for r, row in enumerate(rows) for c, value in enumerate(row[:-1])},
        **{f"{r},T": row[-1] for r, row in enumerate(rows)},
        **{f"T,{c}": value for c, value in enumerate(total[:-1])},
        "T,T": total[-1],
    }
    values = {
        **{f"{r},{c}": n for r, counts in enumerate(truth.values()) for c, n in enumerate(counts)},
        **{f"{r},T": sum(counts) for r, counts in enumerate(truth.values())},
        **{f"T,{c}": sum(counts[c] for counts in truth.values()) for c in caseload.BANDS},
        "T,T": len(regisseur_names()),
    }
    for name, value in printed.items():
        assert value == SUPPRESSED or int(value) == values[name], name
    # The pool's number of regisseurs is printed on the first page, and in the quarter
    # each kernpartner's in its table: a reader knows them.
    assert printed["T,T"] == str(len(regisseur_names()))
    if kind == "kwartaal":
        assert all(printed[f"{r},T"] != SUPPRESSED for r in range(len(rows)))
    hidden = {name: values[name] for name, value in printed.items() if value == SUPPRESSED}
    assert hidden
    equations = table_equations(len(rows), len(caseload.BANDS), row_totals=True, column_totals=True)
    assert recoverable(equations, hidden) == set()


def true_bands(kind: str, figures: dict) -> dict[str, list[int]]:
    """The regisseurs per printed organisation (a folded section is its members
    together) and band, counted here from the pool overview."""
    by_organisation: dict[str, list[int]] = {}
    for row in pool_overview(on=TODAY).rows:
        cases, maximum = row.total_cases, row.capacity
        band = 2 if cases > maximum else 0 if cases < maximum / 2 else 1
        by_organisation.setdefault(row.organisation, [0, 0, 0])[band] += 1
    if kind == "maand":
        return dict(sorted(by_organisation.items()))
    printed: dict[str, list[int]] = {}
    for section in publish_kwartaal(figures)["kernpartners"]:
        counts = [0, 0, 0]
        for member in section["members"]:
            for band, n in enumerate(by_organisation.get(member, [0, 0, 0])):
                counts[band] += n
        printed[section["organisation"]] = counts
    return printed
