"""Recording the web pages' reads of a case in the access log."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from accounts.models import User
from audit.models import AccessLog
from audit.services import access_record

from ..access import CaseAccess, read_basis


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
