"""The demo data reproduces the 2020 pool (R-POOL-4) through the services, idempotently."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.backup_codes import backup_code_matches
from accounts.models import BackupCode, User
from accounts.roles import Role
from cases.models import Case, ExitProcedure, Person
from cases.selectors.cases import exit_procedures_awaiting_decision
from pool.selectors import pool_overview
from sampledata.demo import CASE_PREFIX, NOTIFICATION_SIGNER, load_demo_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)):
        text = load_demo_data(today=TODAY, logins_file=tmp_path / "logins.txt")
    return text


def test_the_demo_is_the_2020_pool_with_fifty_cases(demo):
    """One load, many checks: building the demo takes ~10 s, so it is built once here."""
    pool_is_the_2020_memos_table()
    fifty_open_cases_across_three_phases_each_with_a_buddy()
    exactly_one_exit_proposal_awaits_pto_r()
    names_are_obviously_fake()
    every_case_has_its_intake_and_signer()
    a_sync_client_with_how_to_get_its_token(demo)


def every_case_has_its_intake_and_signer():
    cases = Case.objects.filter(number__startswith=CASE_PREFIX)
    assert not cases.filter(referred_by__isnull=True).exists()
    assert not cases.filter(interpretation="").exists()
    assert not cases.filter(preliminary_findings="").exists()
    assert set(cases.values_list("notification_signed_by", flat=True)) == {NOTIFICATION_SIGNER}
    assert cases.values("referred_by").distinct().count() > 1


def pool_is_the_2020_memos_table():
    overview = pool_overview(on=TODAY, new_since=TODAY - datetime.timedelta(days=30))
    rows = {row.name: row for row in overview.rows}
    assert len(rows) == 8
    assert sum(row.fte for row in overview.rows) == Decimal("6.0")
    assert sum(row.capacity for row in overview.rows) == 72
    assert sum(row.cases_in_regie for row in overview.rows) == 43
    assert sum(row.new_cases for row in overview.rows) == 7
    over = sorted(
        (row.organisation, row.total_cases, row.capacity)
        for row in overview.rows
        if row.over_capacity
    )
    assert over == [("Openbaar Ministerie", 7, 6), ("Reclassering Nederland", 7, 6)]
    assert rows["Regisseur OOV3 (demo)"].remark == "Gedetacheerd vanuit JBRA"
    assert rows["Regisseur AMSTELLAND (demo)"].region_restriction == "Amstelland"


def fifty_open_cases_across_three_phases_each_with_a_buddy():
    open_cases = Case.objects.filter(number__startswith=CASE_PREFIX, status="in_regie")
    assert open_cases.count() == 50
    assert set(open_cases.values_list("phase", flat=True)) == {1, 2, 3}
    assert not open_cases.filter(buddy__isnull=True).exists()
    assert all(c.buddy_id != c.regisseur_id for c in open_cases)
    assert Case.objects.filter(status="uitgestroomd").count() == 3
    assert all(
        c.plan_versions.filter(status="vastgesteld").exists() for c in open_cases.filter(phase=2)
    )
    assert all(c.meetings.exists() for c in open_cases.filter(phase=2))


def exactly_one_exit_proposal_awaits_pto_r():
    waiting = list(exit_procedures_awaiting_decision())
    assert len(waiting) == 1
    assert ExitProcedure.objects.filter(status="open").exists()


def names_are_obviously_fake():
    assert set(Person.objects.values_list("first_name", flat=True)) == {"Testpersoon"}
    assert all(p.last_name.startswith("Fictief") for p in Person.objects.all())


def test_a_second_run_changes_nothing_but_renews_the_backup_codes(demo, tmp_path):
    before = (Case.objects.count(), ExitProcedure.objects.count())
    hashes_before = set(BackupCode.objects.values_list("code_hash", flat=True))
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)):
        text = load_demo_data(today=TODAY, logins_file=tmp_path / "logins.txt")
    assert (Case.objects.count(), ExitProcedure.objects.count()) == before
    hashes_after = set(BackupCode.objects.values_list("code_hash", flat=True))
    assert hashes_after and not hashes_after & hashes_before
    assert (tmp_path / "logins.txt").read_text() == text
    shown = {
        line.split()[0]: line.split()[-1]
        for line in text.splitlines()
        if line.startswith("  regisseur.")
    }
    # The codes printed are the ones that work, and only their hashes are stored.
    assert shown
    for username, code in shown.items():
        stored = BackupCode.objects.filter(device__user__username=username)
        assert any(backup_code_matches(code, hashed.code_hash) for hashed in stored)
    assert not set(shown.values()) & hashes_after


def a_sync_client_with_how_to_get_its_token(text: str) -> None:
    client = User.objects.get(username="sync-vehaa")
    assert not client.has_usable_password()
    assert set(client.groups.values_list("name", flat=True)) == {Role.SYNC_CLIENT.value}
    assert "manage.py api_token issue --client sync-vehaa" in text
