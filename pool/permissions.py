"""Who may do what in the pool: one predicate per capability, over the permissions the
role groups hold (accounts/roles.py ROLE_PERMISSIONS). Views, selectors, services and
the main menu ask these; none of them names a role. An active superuser holds every
permission (Django's has_perm), so every predicate is True for one."""

from __future__ import annotations

from typing import Any

MANAGE_POOL = "pool.change_regisseur"
VIEW_ALL_CASELOAD_REVIEWS = "pool.view_caseloadreview"
VIEW_OWN_CASELOAD_REVIEWS = "pool.view_own_caseloadreview"
RECORD_CASELOAD_REVIEW = "pool.add_caseloadreview"
VIEW_ALL_THREE_WAY_TALKS = "pool.view_threewaytalk"
VIEW_OWN_THREE_WAY_TALKS = "pool.view_own_threewaytalk"
VIEW_ORGANISATION_THREE_WAY_TALKS = "pool.view_organisation_threewaytalk"
RECORD_THREE_WAY_TALK = "pool.add_threewaytalk"
VIEW_ORGANISATION_CASELOAD = "pool.view_organisation_caseload"


def may_manage_pool(user: Any) -> bool:
    """Run the pool: memberships, absences, team rhythm, hand-overs (the programme team)."""
    return bool(user.has_perm(MANAGE_POOL))


def may_see_all_caseload_reviews(user: Any) -> bool:
    return bool(user.has_perm(VIEW_ALL_CASELOAD_REVIEWS))


def may_see_own_caseload_reviews(user: Any) -> bool:
    """A regisseur reads the reviews held with him or her."""
    return bool(user.has_perm(VIEW_OWN_CASELOAD_REVIEWS))


def may_see_caseload_reviews(user: Any) -> bool:
    """Open the list of caseload reviews at all (what it holds: pool.selectors)."""
    return may_see_all_caseload_reviews(user) or may_see_own_caseload_reviews(user)


def may_record_caseload_review(user: Any) -> bool:
    return bool(user.has_perm(RECORD_CASELOAD_REVIEW))


def may_see_all_three_way_talks(user: Any) -> bool:
    return bool(user.has_perm(VIEW_ALL_THREE_WAY_TALKS))


def may_see_own_three_way_talks(user: Any) -> bool:
    return bool(user.has_perm(VIEW_OWN_THREE_WAY_TALKS))


def may_see_organisation_three_way_talks(user: Any) -> bool:
    """A manager reads the talks of his or her own organisation's regisseurs."""
    return bool(user.has_perm(VIEW_ORGANISATION_THREE_WAY_TALKS))


def may_see_three_way_talks(user: Any) -> bool:
    """Open the list of three-way talks at all (what it holds: pool.selectors)."""
    return (
        may_see_all_three_way_talks(user)
        or may_see_own_three_way_talks(user)
        or may_see_organisation_three_way_talks(user)
    )


def may_record_three_way_talk(user: Any) -> bool:
    return bool(user.has_perm(RECORD_THREE_WAY_TALK))


def may_see_organisation_caseload(user: Any) -> bool:
    """The caseload figures of the own organisation's regisseurs: a manager with an
    organisation."""
    return bool(user.has_perm(VIEW_ORGANISATION_CASELOAD)) and user.organisation_id is not None
