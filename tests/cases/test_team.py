"""The intervention team: a member with an account reads the case while in the team
(and only reads it), from the day added, and loses that the day he or she leaves."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from guardian.shortcuts import get_perms

from accounts.roles import Role
from cases.access import case_for, users_with_case_access
from cases.services.team import (
    TEAM_ACCOUNT_ALREADY_MEMBER,
    TEAM_ACCOUNT_NOT_A_TEAM_MEMBER,
    TEAM_ACCOUNT_OTHER_ORGANISATION,
    TEAM_ALREADY_LEFT,
    TEAM_CASE_EXITED,
    TEAM_JOINED_BEFORE_REGISTRATION,
    TEAM_JOINED_IN_FUTURE,
    TEAM_LEFT_BEFORE_JOINED,
    TEAM_LEFT_IN_FUTURE,
    TEAM_MEMBER_OF_OTHER_CASE,
    TEAM_NAME_REQUIRED,
    TEAM_ORGANISATION_REQUIRED,
    TEAM_SHARING_BASIS_REQUIRED,
    team_member_add,
    team_member_leave,
)
from kernel.errors import RuleViolation
from tests.factories import CaseFactory, OrganisationFactory, TeamMemberFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

JOINED_ON = datetime.date(2025, 1, 20)


def add(case, by, **fields):
    values: dict[str, Any] = {
        "name": "Zorgcoördinator GGD",
        "organisation": OrganisationFactory(code="ggd", name="GGD"),
        "role": "Zorgcoördinator",
        "sharing_basis": "Zwaarwegend belang: zorgcoördinatie.",
        "joined_on": JOINED_ON,
    } | fields
    return team_member_add(case=case, by=by, **values)


@pytest.fixture
def professional():
    return UserFactory(
        organisation=OrganisationFactory(code="ggd", name="GGD"), roles=[Role.TEAM_MEMBER]
    )


def test_a_member_with_an_account_gains_read_access(author, professional):
    case = CaseFactory()
    assert professional.pk not in users_with_case_access(case)

    member = add(case, author, user=professional)

    assert member.user == professional
    assert professional.pk in users_with_case_access(case)
    assert get_perms(professional, case) == ["view_case"]  # reads; does not work on it


def test_a_member_without_an_account_grants_nobody_new_access(author):
    case = CaseFactory()
    add(case, author)
    assert users_with_case_access(case) == {case.regisseur.user_id, case.buddy.user_id}


def test_a_member_who_left_loses_read_access(author, professional, today):
    case = CaseFactory()
    member = add(case, author, user=professional)

    left = team_member_leave(member=member, left_on=today - datetime.timedelta(days=1), by=author)

    assert left.left_on == today - datetime.timedelta(days=1)
    assert professional.pk not in users_with_case_access(case)
    assert case.regisseur.user_id in users_with_case_access(case)


def test_a_member_leaving_today_loses_read_access_at_once(author, professional, today):
    """left_on is the day of leaving: the access ends that same day."""
    case = CaseFactory()
    member = add(case, author, user=professional)
    team_member_leave(member=member, left_on=today, by=author)
    assert professional.pk not in users_with_case_access(case)


def test_the_linked_account_reads_the_case_after_joining_and_not_after_leaving(
    author, professional, today
):
    case = CaseFactory()
    with pytest.raises(Http404):
        case_for(professional, case.pk)

    member = add(case, author, user=professional, joined_on=today)
    assert case_for(professional, case.pk) == case

    team_member_leave(member=member, left_on=today, by=author)
    with pytest.raises(Http404):
        case_for(professional, case.pk)


def test_the_basis_of_the_information_sharing_is_recorded(author, professional):
    case = CaseFactory()
    member = add(case, author, user=professional, sharing_basis="  Zwaarwegend belang.  ")
    assert member.sharing_basis == "Zwaarwegend belang."


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (lambda org: UserFactory(organisation=org), TEAM_ACCOUNT_NOT_A_TEAM_MEMBER),
        (
            lambda org: UserFactory(organisation=org, roles=[Role.TEAM_MEMBER], is_active=False),
            TEAM_ACCOUNT_NOT_A_TEAM_MEMBER,
        ),
        (
            lambda org: UserFactory(
                organisation=OrganisationFactory(code="politie", name="Politie"),
                roles=[Role.TEAM_MEMBER],
            ),
            TEAM_ACCOUNT_OTHER_ORGANISATION % {"organisation": "GGD"},
        ),
    ],
)
def test_only_a_team_members_account_of_the_same_organisation_is_linked(author, account, message):
    case = CaseFactory()
    organisation = OrganisationFactory(code="ggd", name="GGD")
    user = account(organisation)
    with pytest.raises(ValidationError) as refused:
        add(case, author, organisation=organisation, user=user)
    assert refused.value.messages == [message]
    assert not case.team_members.exists()
    assert user.pk not in users_with_case_access(case)


def test_a_member_leaves_only_the_case_named(author):
    member = TeamMemberFactory(joined_on=JOINED_ON)
    with pytest.raises(ValidationError) as refused:
        team_member_leave(
            member=member, left_on=datetime.date(2025, 6, 1), by=author, case=CaseFactory()
        )
    assert refused.value.messages == [TEAM_MEMBER_OF_OTHER_CASE]
    member.refresh_from_db()
    assert member.left_on is None


def test_team_changes_move_the_case_on(author):
    case = CaseFactory()
    revision = case.revision
    member = add(case, author)
    team_member_leave(member=member, left_on=datetime.date(2025, 6, 1), by=author)
    case.refresh_from_db()
    assert case.revision == revision + 2


def test_an_account_is_in_a_case_team_once(author, professional):
    case = CaseFactory()
    add(case, author, user=professional)
    with pytest.raises(RuleViolation) as refused:
        add(case, author, user=professional, joined_on=datetime.date(2025, 3, 1))
    assert refused.value.messages == [TEAM_ACCOUNT_ALREADY_MEMBER]
    assert case.team_members.count() == 1


def test_an_account_may_rejoin_after_leaving(author, professional):
    case = CaseFactory()
    member = add(case, author, user=professional)
    team_member_leave(member=member, left_on=datetime.date(2025, 6, 1), by=author)

    add(case, author, user=professional, joined_on=datetime.date(2025, 9, 1))

    assert professional.pk in users_with_case_access(case)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, TEAM_NAME_REQUIRED),
        ({"sharing_basis": " "}, TEAM_SHARING_BASIS_REQUIRED),
        ({"organisation": None}, TEAM_ORGANISATION_REQUIRED),
        ({"joined_on": datetime.date(2026, 11, 24)}, TEAM_JOINED_IN_FUTURE),
        ({"joined_on": datetime.date(2025, 1, 5)}, TEAM_JOINED_BEFORE_REGISTRATION),
    ],
)
def test_member_input_is_checked(author, fields, message):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        add(case, author, **fields)
    assert refused.value.messages == [message]
    assert not case.team_members.exists()


@pytest.mark.parametrize(
    ("left_on", "message"),
    [
        (JOINED_ON - datetime.timedelta(days=1), TEAM_LEFT_BEFORE_JOINED),
        (datetime.date(2026, 11, 24), TEAM_LEFT_IN_FUTURE),
    ],
)
def test_the_leaving_date_lies_between_joining_and_today(author, left_on, message):
    member = TeamMemberFactory(joined_on=JOINED_ON)
    with pytest.raises(ValidationError) as refused:
        team_member_leave(member=member, left_on=left_on, by=author)
    assert refused.value.messages == [message]
    member.refresh_from_db()
    assert member.left_on is None


def test_a_member_leaves_once(author):
    member = TeamMemberFactory(left_on=datetime.date(2025, 6, 1))
    with pytest.raises(RuleViolation) as refused:
        team_member_leave(member=member, left_on=datetime.date(2025, 7, 1), by=author)
    assert refused.value.messages == [TEAM_ALREADY_LEFT]


def test_the_team_of_an_exited_case_does_not_change(author):
    with pytest.raises(RuleViolation) as refused:
        add(CaseFactory(exited=True), author)
    assert refused.value.messages == [TEAM_CASE_EXITED]
