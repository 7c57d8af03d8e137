"""Recording the web pages' reads of a case in the access log."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.http import HttpRequest

from accounts.models import User
from audit.models import AccessLog
from audit.services import access_record, access_record_many, access_record_search

from ..access import CaseAccess, read_basis
from ..models import Case

SEARCH_RESULT_PURPOSE = "Naam getoond als zoekresultaat in de casuszoeker."


def case_read_record(
    *, access: CaseAccess, user: User, obj: models.Model, request: HttpRequest, purpose: str = ""
) -> AccessLog:
    """One access record for reading ``obj`` (the case, or its person) through ``access``.

    A read that rests on an emergency access is flagged and carries the reason
    given when the glass was broken, so the log answers "why" for it too; its
    ground is the emergency even for a team member who holds less without it.
    """
    emergency = access.emergency_access
    return access_record(
        user=user,
        obj=obj,
        request=request,
        case=access.case,
        purpose=emergency.reason if emergency is not None else purpose,
        emergency=emergency is not None,
        basis=(AccessLog.Basis.EMERGENCY if emergency is not None else read_basis(user, access)),
    )


def case_search_record(
    *, user: User, term: str, shown: Sequence[Case], names_shown: bool, request: HttpRequest
) -> None:
    """Record a search with its term (audit.services.access_record_search) and, when
    the results show the persons' names, a read of each person shown, as the person
    list records its rows. ``shown`` come with their person (select_related)."""
    access_record_search(user=user, term=term, result_count=len(shown), request=request)
    if names_shown:
        persons = [p for p in (getattr(case, "person", None) for case in shown) if p is not None]
        access_record_many(
            user=user, objects=persons, request=request, purpose=SEARCH_RESULT_PURPOSE
        )
