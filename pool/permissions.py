"""Who may do what in the pool: one predicate per capability, over the permissions the
role groups hold (accounts/roles.py ROLE_PERMISSIONS). Views, selectors, services and
the main menu ask these; none of them names a role. An active superuser holds every
permission (Django's has_perm), so every predicate is True for one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeAlias

if TYPE_CHECKING:
    from accounts.models import User

# The permissions ("app_label.codename") the pool's capabilities rest on; other apps
# name them too (who is reminded of what: accounts.selectors.active_user_ids_holding).
PoolPermission: TypeAlias = Literal[
    "pool.change_regisseur",
    "pool.view_caseloadreview",
    "pool.view_own_caseloadreview",
    "pool.add_caseloadreview",
    "pool.view_threewaytalk",
    "pool.view_own_threewaytalk",
    "pool.view_organisation_threewaytalk",
    "pool.add_threewaytalk",
    "pool.view_organisation_caseload",
    "pool.view_pooldecision",
    "pool.add_pooldecision",
]
MANAGE_POOL: Final[PoolPermission] = "pool.change_regisseur"
VIEW_ALL_CASELOAD_REVIEWS: Final[PoolPermission] = "pool.view_caseloadreview"
VIEW_OWN_CASELOAD_REVIEWS: Final[PoolPermission] = "pool.view_own_caseloadreview"
RECORD_CASELOAD_REVIEW: Final[PoolPermission] = "pool.add_caseloadreview"
VIEW_ALL_THREE_WAY_TALKS: Final[PoolPermission] = "pool.view_threewaytalk"
VIEW_OWN_THREE_WAY_TALKS: Final[PoolPermission] = "pool.view_own_threewaytalk"
VIEW_ORGANISATION_THREE_WAY_TALKS: Final[PoolPermission] = "pool.view_organisation_threewaytalk"
RECORD_THREE_WAY_TALK: Final[PoolPermission] = "pool.add_threewaytalk"
VIEW_ORGANISATION_CASELOAD: Final[PoolPermission] = "pool.view_organisation_caseload"
VIEW_POOL_DECISIONS: Final[PoolPermission] = "pool.view_pooldecision"
RECORD_POOL_DECISION: Final[PoolPermission] = "pool.add_pooldecision"


def may_manage_pool(user: User) -> bool:
    """Run the pool: memberships, absences, team rhythm, hand-overs (the programme team)."""
    return bool(user.has_perm(MANAGE_POOL))


def may_see_all_caseload_reviews(user: User) -> bool:
    return bool(user.has_perm(VIEW_ALL_CASELOAD_REVIEWS))


def may_see_own_caseload_reviews(user: User) -> bool:
    """A regisseur reads the reviews held with him or her."""
    return bool(user.has_perm(VIEW_OWN_CASELOAD_REVIEWS))


def may_see_caseload_reviews(user: User) -> bool:
    """Open the list of caseload reviews at all (what it holds: pool.selectors)."""
    return may_see_all_caseload_reviews(user) or may_see_own_caseload_reviews(user)


def may_record_caseload_review(user: User) -> bool:
    return bool(user.has_perm(RECORD_CASELOAD_REVIEW))


def may_see_all_three_way_talks(user: User) -> bool:
    return bool(user.has_perm(VIEW_ALL_THREE_WAY_TALKS))


def may_see_own_three_way_talks(user: User) -> bool:
    return bool(user.has_perm(VIEW_OWN_THREE_WAY_TALKS))


def may_see_organisation_three_way_talks(user: User) -> bool:
    """A manager reads the talks of his or her own organisation's regisseurs."""
    return bool(user.has_perm(VIEW_ORGANISATION_THREE_WAY_TALKS))


def may_see_three_way_talks(user: User) -> bool:
    """Open the list of three-way talks at all (what it holds: pool.selectors)."""
    return (
        may_see_all_three_way_talks(user)
        or may_see_own_three_way_talks(user)
        or may_see_organisation_three_way_talks(user)
    )


def may_record_three_way_talk(user: User) -> bool:
    return bool(user.has_perm(RECORD_THREE_WAY_TALK))


def may_see_organisation_caseload(user: User) -> bool:
    """The caseload figures of the own organisation's regisseurs: a manager with an
    organisation."""
    return bool(user.has_perm(VIEW_ORGANISATION_CASELOAD)) and user.organisation_id is not None


def may_see_pool_decisions(user: User) -> bool:
    """The register of the Directeurenoverleg's decisions on the pool."""
    return bool(user.has_perm(VIEW_POOL_DECISIONS))


def may_record_pool_decision(user: User) -> bool:
    """Keep the register: the programme team."""
    return bool(user.has_perm(RECORD_POOL_DECISION))
