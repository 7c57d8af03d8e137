"""Every CSV export puts a single quote before a cell a spreadsheet would run as a
formula (CSV injection), and leaves every other cell as it was typed."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.services import access_record
from kernel.csv_cells import csv_safe_cell, csv_safe_row
from tests.conftest import sign_in
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

# What someone could type as a name or a reason, and what the file must hold.
DANGEROUS = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "+1": "'+1",
    "-2": "'-2",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
}
PLAIN = ("Jansen", "UVO voorbereiden", "a=b", "1-2", "mail@example.org", "")


def test_a_cell_that_starts_a_formula_is_quoted_and_any_other_is_unchanged():
    for typed, safe in DANGEROUS.items():
        assert csv_safe_cell(typed) == safe
    for typed in PLAIN:
        assert csv_safe_cell(typed) == typed
    assert csv_safe_row([None, 3, -4, "=1"]) == ["", "3", "'-4", "'=1"]


@pytest.fixture
def programme_team_client() -> Client:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.PROGRAMME_TEAM.value))
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def typed_reads():
    """One read per dangerous value, carried in the reader's name, the object's label,
    the reason and the party shared with, all on one person's case."""
    person = PersonFactory()
    for index, typed in enumerate((*DANGEROUS, *PLAIN)):
        reader = UserFactory(username=f"{typed}-{index}" if typed else f"plain-{index}")
        access_record(
            user=reader,
            obj=person,
            purpose=typed,
            label=typed or "leeg",
            shared_with=typed,
        )
    return person.case


def exported_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response) if response.streaming else response.content
    # newline="" keeps a quoted carriage return inside its cell, as a spreadsheet reads it.
    return list(csv.DictReader(io.StringIO(content.decode(), newline="")))


def assert_escaped(rows: list[dict[str, str]]) -> None:
    by_reason = {row["purpose"]: row for row in rows}
    for typed, safe in DANGEROUS.items():
        row = by_reason.get(safe)
        assert row is not None, f"no escaped row for {typed!r} in {sorted(by_reason)}"
        assert row["object_label"] == safe
        assert row["shared_with"] == safe
        assert row["username"].startswith("'" + typed)
    for typed in PLAIN:
        row = by_reason[typed]
        assert row["shared_with"] == typed
        assert not row["username"].startswith("'")
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)


def test_the_access_log_export_escapes_formula_cells(programme_team_client, typed_reads):
    response = programme_team_client.get(reverse("audit:log_export"))
    assert_escaped(exported_rows(response))


def test_the_subject_access_export_escapes_formula_cells(programme_team_client, typed_reads):
    response = programme_team_client.get(
        reverse("audit:subject_access_export", args=[typed_reads.pk])
    )
    assert_escaped(exported_rows(response))
