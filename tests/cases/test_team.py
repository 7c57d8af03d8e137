"""The intervention team: a member with an account reads the case while in the team
(and only reads it), and loses that the day after leaving."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import get_perms

from cases.access import users_with_case_access
from cases.services.team import (
    TEAM_ACCOUNT_ALREADY_MEMBER,
    TEAM_ALREADY_LEFT,
    TEAM_CASE_EXITED,
    TEAM_JOINED_BEFORE_REGISTRATION,
    TEAM_JOINED_IN_FUTURE,
    TEAM_LEFT_BEFORE_JOINED,
    TEAM_LEFT_IN_FUTURE,
    TEAM_NAME_REQUIRED,
    TEAM_ORGANISATION_REQUIRED,
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
        "joined_on": JOINED_ON,
    } | fields
    return team_member_add(case=case, by=by, **values)


@pytest.fixture
def professional():
    return UserFactory(organisation=OrganisationFactory(code="ggd", name="GGD"))


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


def test_a_member_leaving_today_reads_until_the_end_of_the_day(author, professional, today):
    """left_on is the last day in the team (lid tot en met)."""
    case = CaseFactory()
    member = add(case, author, user=professional)
    team_member_leave(member=member, left_on=today, by=author)
    assert professional.pk in users_with_case_access(case)


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
