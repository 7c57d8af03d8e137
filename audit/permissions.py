"""Who may read the access log: one predicate per capability, over the permissions the
role groups hold (accounts/roles.py ROLE_PERMISSIONS). Selectors, views and the main
menu ask these; none of them names a role. An active superuser holds every permission
(and so reads the whole log)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

VIEW_WHOLE_LOG = "audit.view_accesslog"
VIEW_ORGANISATION_LOG = "audit.view_organisation_accesslog"
EXPORT_SUBJECT_ACCESS = "audit.export_subject_access"
VIEW_SEARCH_TERMS = "audit.view_search_terms"


def may_read_whole_access_log(user: User) -> bool:
    """The programme team reads every record."""
    return bool(user.has_perm(VIEW_WHOLE_LOG))


def may_read_organisation_access_log(user: User) -> bool:
    """A privacy officer of an organisation reads the records of its own staff."""
    return bool(user.has_perm(VIEW_ORGANISATION_LOG)) and user.organisation_id is not None


def may_search_access_log(user: User) -> bool:
    """Open the access log at all (what it holds: audit.selectors.access_log_visible_to)."""
    return may_read_whole_access_log(user) or may_read_organisation_access_log(user)


def may_export_subject_access(user: User) -> bool:
    """A subject-access request covers every organisation's reads: programme team only."""
    return bool(user.has_perm(EXPORT_SUBJECT_ACCESS))


def may_read_search_terms(user: User) -> bool:
    """A search term may be a person's name or BSN: shown in the log only to who may
    search by them (the programme team), not to a privacy officer, who reads no
    person data."""
    return bool(user.has_perm(VIEW_SEARCH_TERMS))
