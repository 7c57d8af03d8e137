"""Who may do what with cases beyond the object permissions of a single case
(cases/access.py): one predicate per capability, over the permissions the role groups
hold (accounts/roles.py ROLE_PERMISSIONS). Services, views and the main menu ask
these; none of them names a role. An active superuser holds every permission."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import active_users_holding

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

VIEW_ALL_CASES = "cases.view_case"
LIST_DIRECTED_CASES = "cases.list_directed_cases"
LIST_TEAM_CASES = "cases.list_team_cases"
OPEN_EMERGENCY_ACCESS = "cases.open_emergency_access"
REVIEW_EMERGENCY_ACCESS = "cases.review_emergency_access"
DECIDE_EXIT = "cases.decide_exit"
ERASE_PERSON = "cases.erase_person"
ERASE_MIRRORED_PERSON = "cases.erase_mirrored_person"
SEARCH_PERSON = "cases.search_person"
EXPORT_CASE_LIST = "cases.export_case_list"
RUN_INTAKE = "cases.run_intake"


def may_list_directed_cases(user: User | AnonymousUser) -> bool:
    """Has cases of his or her own as regisseur, buddy or stand-in ("Mijn casussen")."""
    return bool(user.has_perm(LIST_DIRECTED_CASES))


def may_view_all_cases(user: User | AnonymousUser) -> bool:
    """Reads every case, with the whole list's filters: the programme team."""
    return bool(user.has_perm(VIEW_ALL_CASES))


def may_list_cases(user: User | AnonymousUser) -> bool:
    """Reads cases as the programme team (all) or as an intervention-team member (the
    cases of his or her teams)."""
    return bool(user.has_perm(VIEW_ALL_CASES) or user.has_perm(LIST_TEAM_CASES))


def may_join_case_teams(user: User | AnonymousUser) -> bool:
    """Whose account may be linked to an intervention-team member, and so read the
    cases of his or her teams: an intervention-team member."""
    return bool(user.has_perm(LIST_TEAM_CASES))


def users_who_may_join_case_teams() -> QuerySet[User]:
    """The active accounts ``may_join_case_teams`` allows, by name: the choices when
    a team member is linked to an account."""
    return active_users_holding(LIST_TEAM_CASES).order_by("last_name", "first_name", "username")


def may_open_emergency_access(user: User | AnonymousUser) -> bool:
    """Who may break the glass at all: a regisseur of the pool."""
    return bool(user.has_perm(OPEN_EMERGENCY_ACCESS))


def may_review_emergency_access(user: User | AnonymousUser) -> bool:
    """Who reviews emergency accesses afterwards, and ends or flags them: the programme team."""
    return bool(user.has_perm(REVIEW_EMERGENCY_ACCESS))


def may_decide_exits(user: User | AnonymousUser) -> bool:
    """Who decides exit proposals, and so reads the list of those waiting: PTO-R."""
    return bool(user.has_perm(DECIDE_EXIT))


def may_follow_exit_proposals(user: User | AnonymousUser) -> bool:
    """Who reads the list of exit proposals waiting for PTO-R: PTO-R, which decides
    them, and the programme team, which follows every case (it does not decide)."""
    return bool(user.has_perm(DECIDE_EXIT) or user.has_perm(VIEW_ALL_CASES))


def may_erase_person(user: User | AnonymousUser) -> bool:
    """Who may erase a person record before the retention period ends: the programme team."""
    return bool(user.has_perm(ERASE_PERSON))


def may_erase_mirrored_person(user: User | AnonymousUser) -> bool:
    """Who pseudonymises a person record because its source did: a sync client."""
    return bool(user.has_perm(ERASE_MIRRORED_PERSON))


def may_search_persons(user: User | AnonymousUser) -> bool:
    """Who finds a case by its person's name or BSN (everyone else by its number
    alone): the programme team."""
    return bool(user.has_perm(SEARCH_PERSON))


def may_keep_case_selections(user: User | AnonymousUser) -> bool:
    """Who saves selections of his or her case list: the programme team (the whole
    list) and a regisseur ("mijn casussen")."""
    return may_view_all_cases(user) or may_list_directed_cases(user)


def may_export_case_list(user: User | AnonymousUser) -> bool:
    """Who downloads the case list as CSV: the programme team."""
    return bool(user.has_perm(EXPORT_CASE_LIST))


def may_run_intake(user: User | AnonymousUser) -> bool:
    """Who registers cases, closes one the weighing does not take in, assigns the first
    regisseur and buddy and records the notification letter: the programme team."""
    return bool(user.has_perm(RUN_INTAKE))
