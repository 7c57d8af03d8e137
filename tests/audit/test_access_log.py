"""The access log is append-only in PostgreSQL itself and readable only by the right people."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from accounts.roles import Role
from audit.models import AccessLog
from audit.selectors import (
    AccessLogFilter,
    access_log_as_csv,
    access_log_search,
    access_log_visible_to,
    subject_access_history,
)
from audit.services import access_record, access_record_many
from cases.models import Case, TeamMember
from tests.factories import (
    CaseFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def with_role(user, role: Role):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user._role_names = None
    return user


@pytest.fixture
def record():
    reader = UserFactory(organisation=OrganisationFactory(code="ggd", name="GGD"))
    person = PersonFactory()
    request = RequestFactory().get(f"/casussen/{person.case_id}/persoon/", REMOTE_ADDR="10.1.2.3")
    return access_record(user=reader, obj=person, request=request, purpose="UVO voorbereiden")


def test_a_read_is_recorded_with_who_role_organisation_what_where_and_why(record):
    stored = AccessLog.objects.get(pk=record.pk)
    assert stored.username == record.user.username
    assert stored.organisation is not None and stored.organisation.code == "ggd"
    assert stored.object_type == "cases.person"
    assert stored.case_id is not None
    assert stored.case_number == Case.objects.get(pk=stored.case_id).number
    assert stored.ip_address == "10.1.2.3"
    assert stored.path.startswith("/casussen/")
    assert stored.purpose == "UVO voorbereiden"
    assert stored.at is not None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslog SET username = 'iemand-anders'",
        "DELETE FROM audit_accesslog",
        "TRUNCATE audit_accesslog",
    ],
)
def test_postgresql_refuses_to_alter_the_log(record, statement):
    with (
        pytest.raises(DatabaseError, match=r"append-only|Cannot"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Check the test's deferred foreign keys now, so TRUNCATE reaches the trigger.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    assert AccessLog.objects.get(pk=record.pk).username == record.user.username


def test_the_orm_cannot_alter_or_delete_a_record_either(record):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=record.pk).update(purpose="weggepoetst")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=record.pk).delete()
    assert AccessLog.objects.filter(pk=record.pk, purpose="UVO voorbereiden").exists()


def test_programme_team_reads_everything_privacy_officer_only_own_staff(record):
    ggd = record.organisation
    other = UserFactory(organisation=OrganisationFactory(code="wpi", name="WPI"))
    access_record(user=other, obj=PersonFactory())

    programme = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    officer = with_role(UserFactory(organisation=ggd), Role.PRIVACY_OFFICER)
    regisseur = with_role(UserFactory(organisation=ggd), Role.REGISSEUR)

    assert access_log_visible_to(programme).count() == 2
    assert list(access_log_visible_to(officer).values_list("username", flat=True)) == [
        record.username
    ]
    assert not access_log_visible_to(regisseur).exists()


def test_search_by_case_number_and_emergency_flag(record):
    programme = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    emergency_case = CaseFactory()
    access_record(user=programme, obj=emergency_case, emergency=True, purpose="crisis")
    by_case = access_log_search(
        viewer=programme, filters=AccessLogFilter(case_number=record.case_number)
    )
    assert [r.pk for r in by_case] == [record.pk]
    emergencies = access_log_search(viewer=programme, filters=AccessLogFilter(emergency_only=True))
    assert [r.case_number for r in emergencies] == [emergency_case.number]


def test_subject_access_export_holds_every_access_to_one_persons_data():
    person = PersonFactory()
    meeting = MeetingFactory(case=person.case)
    reader = UserFactory()
    access_record(user=reader, obj=person.case)
    access_record(user=reader, obj=person)
    access_record_many(user=reader, objects=[meeting])
    access_record(user=reader, obj=PersonFactory())  # someone else's: not in the export

    history = subject_access_history(case_id=person.case_id)
    assert [r.object_type for r in history] == ["cases.case", "cases.person", "cases.meeting"]
    exported = access_log_as_csv(history).splitlines()
    assert exported[0].startswith("at,username,roles,organisation")
    assert len(exported) == 1 + 3
    assert all(person.case.number in line for line in exported[1:])


def test_a_page_of_records_keeps_every_label_and_case_as_it_is():
    """An API page's records go in as one statement, each column as one array: a label
    holding that syntax's own characters (quotes, a backslash, braces, a comma, the
    word NULL) is recorded exactly as the object names itself."""
    reader = UserFactory()
    names = ['Jan "de" Vos', "a\\b", "{x}, y", "NULL", ""]
    made = [TeamMemberFactory(name=name).pk for name in names]
    members = list(TeamMember.objects.filter(pk__in=made).select_related("case").order_by("pk"))
    access_record_many(user=reader, objects=[*members])

    records = AccessLog.objects.filter(user=reader).order_by("id")
    assert [r.object_label for r in records] == [str(m) for m in members]
    assert [(r.object_id, r.case_id, r.case_number) for r in records] == [
        (str(m.pk), m.case_id, m.case.number) for m in members
    ]
    assert {r.object_type for r in records} == {"cases.teammember"}


@pytest.mark.django_db(transaction=True)
def test_committed_records_survive_and_transactional_tests_still_clean_up():
    """A committed record is as immutable as one inside a transaction."""
    saved = access_record(user=UserFactory(), obj=PersonFactory())
    with pytest.raises(DatabaseError, match="Cannot"):
        AccessLog.objects.filter(pk=saved.pk).delete()
    assert AccessLog.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    ("field", "index"),
    [("case_number", "access_log_by_case_number"), ("username", "access_log_by_username")],
)
def test_the_search_by_case_number_or_user_reads_its_own_index_in_any_letter_case(
    record, field, index
):
    """At millions of records, a search by case number or user name read the log from
    its newest record backwards until it had a page (seconds for a case or a user with
    few records); it now finds them through an index on the upper-cased column, newest
    first."""
    programme = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    search = access_log_search(
        viewer=programme,
        filters=AccessLogFilter(**{field: getattr(record, field).swapcase()}),
    )
    assert [r.pk for r in search] == [record.pk]
    with connection.cursor() as cursor:
        # A test's log is a few rows, which PostgreSQL would rather read whole and join
        # to the organisations by sorting both; at millions it reads the index in order.
        for plan_kind in ("seqscan", "mergejoin", "hashjoin"):
            cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
    plan = search.explain()
    assert index in plan
    assert "Sort" not in plan  # the index gives the newest first
