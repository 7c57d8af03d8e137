"""Emergency access, "break the glass" (issue 4): a regisseur of the pool opens a
case he or she does not work on, because it cannot wait (the regisseur and the
buddy are unreachable and something is happening now).

The access runs for IPGAR_EMERGENCY_ACCESS_HOURS, gives what the case's
directors hold (cases/access.py), is recorded in the access log with its reason,
and every read under it is flagged there. The programme team reviews each one
afterwards; the reviewer records a note.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, user_has_role
from audit.history import history_context
from audit.models import AccessLog
from audit.services import access_record
from domain.errors import RuleViolation

from ..access import user_may
from ..models import Case, EmergencyAccess
from ..signals import emergency_access_opened
from .revisions import lock_for_update

EMERGENCY_REASON_MIN_LENGTH = 20

EMERGENCY_ONLY_REGISSEUR = "Alleen een regisseur uit de pool kan noodtoegang tot een casus openen."
EMERGENCY_REASON_TOO_SHORT = (
    f"Geef de reden voor de noodtoegang op, in minstens {EMERGENCY_REASON_MIN_LENGTH} tekens: "
    "waarom kan dit niet wachten tot de regisseur of de buddy bereikbaar is?"
)
EMERGENCY_ALREADY_WORKS_ON_CASE = "U werkt al aan deze casus: noodtoegang is niet nodig."
EMERGENCY_CASE_EXITED = "Deze casus is uitgestroomd: noodtoegang is niet mogelijk."
EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM = "Alleen het programmateam beoordeelt noodtoegang."
EMERGENCY_REVIEW_NOT_OWN = "U kunt uw eigen noodtoegang niet beoordelen."
EMERGENCY_ALREADY_REVIEWED = "Deze noodtoegang is al beoordeeld."
EMERGENCY_REVIEW_NOTE_REQUIRED = "Leg uw beoordeling vast in een toelichting."


def may_open_emergency_access(user) -> bool:
    """Who may break the glass at all: a regisseur of the pool."""
    return user_has_role(user, Role.REGISSEUR)


def may_review_emergency_access(user) -> bool:
    """Who reviews emergency accesses afterwards: the programme team."""
    return user_has_role(user, Role.PROGRAMME_TEAM)


def emergency_access_duration() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.IPGAR_EMERGENCY_ACCESS_HOURS)


@transaction.atomic
def emergency_access_open(
    *, case: Case, user: User, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """Open ``case`` to ``user`` for IPGAR_EMERGENCY_ACCESS_HOURS, and record it."""
    if not may_open_emergency_access(user):
        raise RuleViolation(EMERGENCY_ONLY_REGISSEUR, code="not_regisseur")
    reason = reason.strip()
    if len(reason) < EMERGENCY_REASON_MIN_LENGTH:
        raise ValidationError(EMERGENCY_REASON_TOO_SHORT, code="reason_too_short")
    with history_context(user=user.pk):
        # The lock serialises two opens of the same case, so the check below holds.
        case = lock_for_update(case, expected_revision=None)
        if not case.is_open:
            raise RuleViolation(EMERGENCY_CASE_EXITED, code="case_exited")
        # Also refuses a second access while the first still runs.
        if user_may(user, case, "work_on_case"):
            raise RuleViolation(EMERGENCY_ALREADY_WORKS_ON_CASE, code="already_on_case")
        opened_at = timezone.now()
        access = EmergencyAccess.objects.create(
            case=case,
            user=user,
            reason=reason,
            opened_at=opened_at,
            expires_at=opened_at + emergency_access_duration(),
        )
        access_record(
            user=user,
            obj=case,
            action=AccessLog.Action.EMERGENCY,
            request=request,
            purpose=reason,
            emergency=True,
        )
        emergency_access_opened.send(sender=EmergencyAccess, access=access)
    return access


@transaction.atomic
def emergency_access_review(*, access: EmergencyAccess, by: User, note: str) -> EmergencyAccess:
    """The programme team's judgement of an emergency access, once."""
    if not may_review_emergency_access(by):
        raise RuleViolation(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM, code="not_programme_team")
    note = note.strip()
    if not note:
        raise ValidationError(EMERGENCY_REVIEW_NOTE_REQUIRED, code="note_required")
    with history_context(user=by.pk):
        access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
        if access.user_id == by.pk:
            raise RuleViolation(EMERGENCY_REVIEW_NOT_OWN, code="own_access")
        if access.is_reviewed:
            raise RuleViolation(EMERGENCY_ALREADY_REVIEWED, code="already_reviewed")
        access.reviewed_by = by
        access.reviewed_at = timezone.now()
        access.review_note = note
        access.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return access
