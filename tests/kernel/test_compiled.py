"""A query compiled once per process answers what the queryset it was built from
answers, for every argument, and refuses a query whose shape follows its arguments."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.roles import Role
from cases.access import (
    _relation_facts,
    case_access_for,
    case_access_sync,
    cases_visible_to,
    visible_case_ids,
)
from cases.models import Case
from kernel.compiled import CompiledPerShape, CompiledQuery, ShapeDependsOnValues
from kernel.prepared import execute_text
from tests.factories import CaseFactory, EmergencyAccessFactory, TeamMemberFactory, UserFactory
from tests.queries import assert_query_count, count_queries

pytestmark = pytest.mark.django_db

FACTS = ("as_regisseur", "as_buddy", "as_stand_in", "as_team_member", "as_emergency")


def _by_orm(user, case_id):
    """The access query as the ORM builds it on every call."""
    at = timezone.now()
    return (
        cases_visible_to(user, on=at)
        .filter(pk=case_id)
        .annotate(**_relation_facts(user, at))
        .values("pk", *FACTS)
        .first()
    )


def _by_compiled(user, case_id):
    try:
        access = case_access_for(user, case_id)
    except Exception:
        return None
    case = access.case
    return {
        "pk": case.pk,
        **{fact: bool(getattr(case, fact)) for fact in FACTS},
    }


def test_the_compiled_access_query_answers_as_the_orm_for_every_relation():
    case, other = CaseFactory(), CaseFactory()
    member = TeamMemberFactory(case=case, user=UserFactory(), joined_on=timezone.localdate())
    case_access_sync(case=case, on=timezone.localdate())
    programme_team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    stranger = UserFactory()
    emergency_user = EmergencyAccessFactory(
        case=case, opened_at=timezone.now() - datetime.timedelta(minutes=5)
    ).user
    readers = [
        case.regisseur.user,
        case.buddy.user,
        member.user,
        programme_team,
        stranger,
        emergency_user,
        other.regisseur.user,
    ]
    for user in readers:
        for target in (case, other):
            expected = _by_orm(user, target.pk)
            answered = _by_compiled(user, target.pk)
            if expected is None:
                assert answered is None, (user, target)
            else:
                assert answered == {k: bool(v) if k != "pk" else v for k, v in expected.items()}
    # The relations differ between the readers: the arguments really reach the SQL.
    assert _by_compiled(case.regisseur.user, case.pk)["as_regisseur"] is True
    assert _by_compiled(case.buddy.user, case.pk)["as_regisseur"] is False
    assert _by_compiled(member.user, case.pk)["as_team_member"] is True
    assert _by_compiled(emergency_user, case.pk)["as_emergency"] is True
    assert _by_compiled(stranger, case.pk) is None


def test_the_visible_among_a_list_of_cases_are_those_the_read_rule_gives():
    cases = [CaseFactory(access_on=timezone.localdate()) for _ in range(3)]
    emergency_user = EmergencyAccessFactory(
        case=cases[2], opened_at=timezone.now() - datetime.timedelta(minutes=5)
    ).user
    readers = [
        cases[0].regisseur.user,
        cases[1].buddy.user,
        emergency_user,
        UserFactory(roles=[Role.PROGRAMME_TEAM]),
        UserFactory(),
    ]
    ids = [case.pk for case in cases]
    for reader in readers:
        expected = set(cases_visible_to(reader).filter(pk__in=ids).values_list("pk", flat=True))
        assert visible_case_ids(reader, ids) == expected, reader
    assert visible_case_ids(cases[0].regisseur.user, ids) == {cases[0].pk}
    assert visible_case_ids(emergency_user, ids) == {cases[2].pk}
    with assert_query_count(0, what="no cases asked about"):
        assert visible_case_ids(readers[0], []) == set()


def test_the_case_arrives_whole_with_its_field_types():
    case = CaseFactory(access_on=timezone.localdate())
    loaded = case_access_for(case.regisseur.user, case.pk).case
    fresh = Case.objects.get(pk=case.pk)
    assert loaded.registered_on == fresh.registered_on
    assert isinstance(loaded.registered_on, datetime.date)
    assert loaded.updated_at == fresh.updated_at
    assert loaded.number == fresh.number and loaded.phase == fresh.phase


def test_a_compiled_query_asks_one_query_and_follows_its_arguments():
    first, second = CaseFactory(), CaseFactory()
    query = CompiledQuery(lambda number: Case.objects.filter(number=number))
    with assert_query_count(1):
        assert [c.pk for c in query.instances(number=first.number)] == [first.pk]
    assert [c.pk for c in query.instances(number=second.number)] == [second.pk]
    assert query.rows(number="geen-casus") == []


def test_on_postgresql_a_compiled_query_runs_as_a_statement_prepared_per_connection():
    """Planned once per connection instead of at every call; a new connection prepares
    it again, and a query PostgreSQL cannot prepare still runs, as plain SQL."""
    case = CaseFactory()
    query = CompiledQuery(lambda number: Case.objects.filter(number=number))
    with count_queries() as queries:
        assert [c.pk for c in query.instances(number=case.number)] == [case.pk]
        assert [c.pk for c in query.instances(number=case.number)] == [case.pk]
    assert [q["sql"].split("(")[0] for q in queries.captured_queries] == [
        f"EXECUTE {query._statement_name}"
    ] * 2
    # The type of a parameter compared with nothing cannot be told in advance.
    untyped = CompiledQuery(
        lambda number: Case.objects.filter(number=number).annotate(
            unasked=RawSQL("%s IS NULL", (number,))
        )
    )
    with count_queries() as queries:
        found = untyped.instances(number=case.number)
    unasked = [(c.pk, c.unasked) for c in found]  # type: ignore[attr-defined]
    assert unasked == [(case.pk, False)]
    assert queries.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.django_db(transaction=True)
def test_a_prepared_compiled_query_survives_a_new_connection():
    case = CaseFactory()
    query = CompiledQuery(lambda number: Case.objects.filter(number=number))
    assert [c.pk for c in query.instances(number=case.number)] == [case.pk]
    connection.close()
    assert [row[0] for row in query.rows(number=case.number)] == [case.pk]


def test_a_query_whose_shape_follows_its_arguments_is_refused():
    # A list argument: its length shapes the IN clause.
    with pytest.raises(TypeError):
        CompiledQuery(lambda numbers: Case.objects.filter(number__in=numbers)).instances(
            numbers=["a", "b"]
        )
    # An argument that changes the SQL itself.
    shaped = CompiledQuery(
        lambda number: (
            Case.objects.filter(number=number)
            if number.endswith("1000")
            else Case.objects.filter(number__gt=number)
        )
    )
    with pytest.raises(ShapeDependsOnValues):
        shaped.instances(number="x")
    # An argument that reaches the SQL transformed.
    transformed = CompiledQuery(lambda day: Case.objects.filter(number=str(day)))
    with pytest.raises(ShapeDependsOnValues):
        transformed.instances(day=datetime.date(2026, 1, 1))


def test_compiled_rows_are_those_of_values_list_with_their_types():
    case = CaseFactory()
    CaseFactory(regisseur=case.regisseur)

    def of_regisseur(regisseur_id):
        return (
            Case.objects.filter(regisseur_id=regisseur_id)
            .annotate(
                directed=ExpressionWrapper(
                    Q(regisseur_id=regisseur_id), output_field=BooleanField()
                )
            )
            .values_list("pk", "phase_since", "directed")
            .order_by("pk")
        )

    query = CompiledQuery(of_regisseur)
    rows = query.rows(regisseur_id=case.regisseur_id)
    assert list(rows) == list(of_regisseur(case.regisseur_id))
    assert len(rows) == 2
    assert all(isinstance(since, datetime.date) and directed is True for _, since, directed in rows)


def _cases_of(*, regisseur_ids, number, open_only):
    cases = Case.objects.filter(regisseur_id__in=regisseur_ids)
    if number is not None:
        cases = cases.filter(number=number)
    if open_only:
        cases = cases.exclude(status="uitgestroomd")
    return cases.order_by("pk").values_list("pk")


def test_a_query_compiled_per_shape_answers_as_the_orm_for_every_shape():
    cases = [CaseFactory() for _ in range(3)]
    regisseurs = [case.regisseur_id for case in cases]
    query = CompiledPerShape(_cases_of)
    for arguments in (
        {"regisseur_ids": regisseurs[:1], "number": None, "open_only": False},
        {"regisseur_ids": regisseurs[1:2], "number": None, "open_only": False},
        {"regisseur_ids": regisseurs, "number": None, "open_only": True},
        {"regisseur_ids": regisseurs[:2], "number": cases[1].number, "open_only": True},
        {"regisseur_ids": regisseurs[:2], "number": "geen-casus", "open_only": False},
    ):
        assert list(query.rows(**arguments)) == list(_cases_of(**arguments)), arguments
    assert [
        pk for (pk,) in query.rows(regisseur_ids=regisseurs[1:], number=None, open_only=True)
    ] == [case.pk for case in cases[1:]]


def test_each_shape_is_compiled_once_and_runs_prepared():
    case = CaseFactory()
    query = CompiledPerShape(_cases_of)
    arguments = {"number": None, "open_only": False}
    query.rows(regisseur_ids=[case.regisseur_id], **arguments)
    with count_queries() as queries:
        assert query.rows(regisseur_ids=[case.regisseur_id], **arguments) == [(case.pk,)]
        assert query.rows(regisseur_ids=[case.regisseur_id + 1], **arguments) == []
    assert [q["sql"].startswith("EXECUTE") for q in queries.captured_queries] == [True, True]


def test_an_empty_or_long_list_is_built_by_the_orm():
    cases = [CaseFactory() for _ in range(3)]
    query = CompiledPerShape(_cases_of, longest=2)
    with assert_query_count(0, what="an empty list: nothing can match"):
        assert query.rows(regisseur_ids=[], number=None, open_only=False) == []
    with count_queries() as queries:
        found = query.rows(
            regisseur_ids=[case.regisseur_id for case in cases], number=None, open_only=False
        )
    assert found == [(case.pk,) for case in cases]
    assert queries.captured_queries[0]["sql"].startswith("SELECT")


def test_lists_are_padded_so_that_lengths_share_a_compiled_query():
    cases = [CaseFactory() for _ in range(4)]
    regisseurs = [case.regisseur_id for case in cases]
    query = CompiledPerShape(_cases_of)
    for length in (3, 4):
        found = query.rows(regisseur_ids=regisseurs[:length], number=None, open_only=False)
        assert found == [(case.pk,) for case in cases[:length]]
    assert len(query._queries) == 1


def test_compiled_instances_come_with_their_related_rows_and_annotations():
    case = CaseFactory()

    def with_names(number):
        return (
            Case.objects.filter(number=number)
            .annotate(marked=ExpressionWrapper(Q(pk__gt=0), output_field=BooleanField()))
            .select_related("region", "regisseur__user", "buddy__user")
            .only("number", "region__name", "regisseur__user__last_name", "buddy__user__last_name")
        )

    query = CompiledQuery(with_names)
    query.instances(number=case.number)
    with assert_query_count(1, what="the cases with their region, regisseur and buddy"):
        (found,) = query.instances(number=case.number)
        shown = (
            found.number,
            found.region.name,
            found.regisseur.user.last_name,
            found.buddy.user.last_name,
            found.marked,
        )
    assert shown == (
        case.number,
        case.region.name,
        case.regisseur.user.last_name,
        case.buddy.user.last_name,
        True,
    )
    assert query.instances(number="geen-casus") == []


def test_only_a_read_is_prepared():
    """The history middleware sends a prepared statement's run without the change
    context (audit/history.py), so a write must never be one."""
    with pytest.raises(ValueError, match="only a SELECT"):
        execute_text(connection, "ipgar_test_write", 'UPDATE "cases_case" SET "number" = %s')
    assert execute_text(connection, "ipgar_test_read", "SELECT 1 WHERE %s = 1") == (
        "EXECUTE ipgar_test_read(%s)"
    )
