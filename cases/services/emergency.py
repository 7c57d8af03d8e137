"""Emergency access, "break the glass" (docs/adr/0004-reading-cases-and-emergency-access.md):
a regisseur of the pool opens a case he or she does not work on, because it cannot
wait (the regisseur and the buddy are unreachable and something is happening now).

The access runs for IPGAR_EMERGENCY_ACCESS_HOURS and is for reading only: it gives
the directors' reading rights (cases/access.py EMERGENCY_PERMISSIONS), never the
right to work on the case, so no hand-over, buddy change, share or other write
rests on it. It is recorded in the access log with its reason, and every read
under it is flagged there. A regisseur opens at most IPGAR_EMERGENCY_ACCESS_PER_DAY
a day.

The open form answers alike for an unknown number, an exited case and a case the
regisseur may already read (EMERGENCY_NOT_POSSIBLE), so it cannot be used to find
out which numbers exist. Every refused attempt is kept in the access log.

The programme team reviews each access afterwards with a note, and may end it at
once or flag it for follow-up (docs/adr/0004-reading-cases-and-emergency-access.md).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from audit.models import AccessLog
from audit.services import access_record
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from ..access import case_permissions
from ..models import Case, EmergencyAccess
from ..permissions import may_open_emergency_access, may_review_emergency_access
from ..selectors.cases import case_by_number
from ..signals import emergency_access_opened

EMERGENCY_REASON_MIN_LENGTH = 20

EMERGENCY_ONLY_REGISSEUR = _(
    "Alleen een regisseur uit de pool kan noodtoegang tot een casus openen."
)
EMERGENCY_REASON_TOO_SHORT = format_lazy(
    _(
        "Geef de reden voor de noodtoegang op, in minstens {min_length} tekens: "
        "waarom kan dit niet wachten tot de regisseur of de buddy bereikbaar is?"
    ),
    min_length=EMERGENCY_REASON_MIN_LENGTH,
)
# One answer for an unknown number, an exited case and a case one already reads.
EMERGENCY_NOT_POSSIBLE = _(
    "Noodtoegang kon niet worden geopend. Controleer het casusnummer: noodtoegang is er "
    "alleen tot een lopende casus waarvan u de gegevens nog niet kunt inzien."
)
EMERGENCY_DAILY_LIMIT = _(
    "U heeft vandaag al %(limit)s keer noodtoegang geopend, het maximum per dag. "
    "Neem contact op met het programmateam als u nu toch een casus moet inzien."
)
EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM = _("Alleen het programmateam beoordeelt noodtoegang.")
EMERGENCY_REVIEW_NOT_OWN = _("U kunt uw eigen noodtoegang niet beoordelen.")
EMERGENCY_ALREADY_REVIEWED = _("Deze noodtoegang is al beoordeeld.")
EMERGENCY_REVIEW_NOTE_REQUIRED = _("Leg uw beoordeling vast in een toelichting.")
EMERGENCY_NOT_RUNNING = _("Deze noodtoegang is al verlopen of beëindigd.")

# The access-log label of a refused attempt (the log is read in Dutch).
REFUSED_LABEL = "Noodtoegang geweigerd (%(code)s): casusnummer %(number)s"


def emergency_access_duration() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.IPGAR_EMERGENCY_ACCESS_HOURS)


def _start_of_today() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def emergency_access_open(
    *, case: Case, user: User, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """Open ``case`` to ``user`` for reading, for IPGAR_EMERGENCY_ACCESS_HOURS, and record it."""
    return _open(case=case, number=case.number, user=user, reason=reason, request=request)


def emergency_access_open_by_number(
    *, number: str, user: User, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """As ``emergency_access_open``, for the case with exactly this number. An unknown
    number is refused exactly as an exited case or one the user already reads."""
    number = number.strip()
    return _open(
        case=case_by_number(number), number=number, user=user, reason=reason, request=request
    )


def _open(
    *, case: Case | None, number: str, user: User, reason: str, request: HttpRequest | None
) -> EmergencyAccess:
    # Not atomic as a whole, unlike the other services: a refused attempt must stay in
    # the access log, so the refusal is recorded after the opening's transaction has
    # rolled back. Bad input (role, reason) is refused before anything is looked at.
    if not may_open_emergency_access(user):
        raise RuleViolation(EMERGENCY_ONLY_REGISSEUR, code="not_regisseur")
    reason = reason.strip()
    if len(reason) < EMERGENCY_REASON_MIN_LENGTH:
        raise ValidationError(EMERGENCY_REASON_TOO_SHORT, code="reason_too_short")
    try:
        with transaction.atomic():
            return _open_locked(case=case, user=user, reason=reason, request=request)
    except RuleViolation as refusal:
        with transaction.atomic():
            access_record(
                user=user,
                obj=case if case is not None else user,
                action=AccessLog.Action.EMERGENCY,
                request=request,
                purpose=reason,
                label=REFUSED_LABEL % {"code": refusal.code, "number": number[:20]},
            )
        raise


def _open_locked(
    *, case: Case | None, user: User, reason: str, request: HttpRequest | None
) -> EmergencyAccess:
    with history_context(user=user.pk):
        # Locking the user serialises two opens by the same person, so the daily
        # count below holds; the limit is checked before the number is looked at.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        limit = settings.IPGAR_EMERGENCY_ACCESS_PER_DAY
        if EmergencyAccess.objects.opened_by_since(user.pk, _start_of_today()).count() >= limit:
            raise RuleViolation(EMERGENCY_DAILY_LIMIT, code="daily_limit", params={"limit": limit})
        if case is None:
            raise RuleViolation(EMERGENCY_NOT_POSSIBLE, code="not_possible")
        # The lock serialises two opens of the same case, so the check below holds.
        case = lock_for_update(case, expected_revision=None)
        # Also refuses a second access while the first still runs.
        if not case.is_open or case_permissions(user, case).allows("view_person_data"):
            raise RuleViolation(EMERGENCY_NOT_POSSIBLE, code="not_possible")
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
            basis=AccessLog.Basis.EMERGENCY,
        )
        emergency_access_opened.send(sender=EmergencyAccess, access=access)
    return access


def _locked_for_review(*, access: EmergencyAccess, by: User) -> EmergencyAccess:
    """The access, locked for the programme team's judgement; nobody judges his own."""
    access = (
        EmergencyAccess.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=access.pk)
    )
    if access.user_id == by.pk:
        raise RuleViolation(EMERGENCY_REVIEW_NOT_OWN, code="own_access")
    return access


def _end_locked(*, access: EmergencyAccess, by: User) -> None:
    now = timezone.now()
    if not access.is_running_at(now) or not access.case.is_open:
        raise RuleViolation(EMERGENCY_NOT_RUNNING, code="not_running")
    access.ended_at = now
    access.ended_by = by


@transaction.atomic
def emergency_access_review(
    *, access: EmergencyAccess, by: User, note: str, flag: bool = False, end: bool = False
) -> EmergencyAccess:
    """The programme team's judgement of an emergency access, once: a note, and if
    need be a flag for follow-up and/or ending the access at once."""
    if not may_review_emergency_access(by):
        raise RuleViolation(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM, code="not_programme_team")
    note = note.strip()
    if not note:
        raise ValidationError(EMERGENCY_REVIEW_NOTE_REQUIRED, code="note_required")
    with history_context(user=by.pk):
        access = _locked_for_review(access=access, by=by)
        if access.is_reviewed:
            raise RuleViolation(EMERGENCY_ALREADY_REVIEWED, code="already_reviewed")
        if end:
            _end_locked(access=access, by=by)
        access.reviewed_by = by
        access.reviewed_at = timezone.now()
        access.review_note = note
        access.flagged = flag
        access.save(
            update_fields=[
                "reviewed_by",
                "reviewed_at",
                "review_note",
                "flagged",
                "ended_at",
                "ended_by",
            ]
        )
    return access


@transaction.atomic
def emergency_access_end(*, access: EmergencyAccess, by: User) -> EmergencyAccess:
    """End a running emergency access at once (say one flagged at review while it ran):
    from now on it gives nothing. Who and when is kept on the access."""
    if not may_review_emergency_access(by):
        raise RuleViolation(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM, code="not_programme_team")
    with history_context(user=by.pk):
        access = _locked_for_review(access=access, by=by)
        _end_locked(access=access, by=by)
        access.save(update_fields=["ended_at", "ended_by"])
    return access
