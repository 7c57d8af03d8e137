"""A stuck case escalates step by step (docs/rules.md R-CASE-11).

- The team records that the case is stuck: where it is stuck and what the team
  itself tried (the first step is the team's own).
- Then colleagues in the pool, the programme team or ITAT-R are consulted; each
  consultation is recorded with what it produced (ITAT-R's advice is advice on the
  case itself, not on a plan version or an exit proposal).
- Then a doorbraakoverleg, recorded with its outcome and also as a meeting of that
  kind, so it stands among the case's meetings (it does not count as an UVO,
  R-CASE-3).
- Finally the case is resolved (vlotgetrokken), with what resolved it.

The order is the ESCALATION lifecycle of cases/workflow.py; one running
escalation per case (a database constraint). Every step is part of the case's
memory (R-CASE-12): it locks the case and raises its revision.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update

from ..models import (
    CONSULTATION_KINDS,
    Case,
    Escalation,
    EscalationStatus,
    EscalationStep,
    EscalationStepKind,
    Meeting,
)
from ..workflow import ESCALATION, assert_transition
from ..workflow import ESCALATION_CONSULT_FIRST as ESCALATION_CONSULT_FIRST
from ..workflow import ESCALATION_NOT_RUNNING as ESCALATION_NOT_RUNNING
from .revisions import touch_case

ESCALATION_CASE_EXITED = _("De casus is uitgestroomd: er wordt geen escalatie meer vastgelegd.")
ESCALATION_ALREADY_RUNNING = _(
    "Deze casus staat al als vastgelopen geregistreerd: leg de volgende stap vast op de "
    "lopende escalatie."
)
ESCALATION_WHAT_REQUIRED = _("Beschrijf waar de casus op vastloopt.")
ESCALATION_ATTEMPTS_REQUIRED = _(
    "Beschrijf wat het team zelf al heeft geprobeerd: dat is de eerste stap van de escalatie."
)
ESCALATION_DATE_IN_FUTURE = _("De datum ligt in de toekomst.")
ESCALATION_BEFORE_REGISTRATION = _("De datum ligt vóór de aanmelding van de casus.")
ESCALATION_DATE_BEFORE_STUCK = _(
    "De datum ligt vóór het moment dat de casus vastliep (%(stuck_since)s)."
)
ESCALATION_STEP_UNKNOWN = _("Kies de stap: collega's, programmateam, ITAT-R of doorbraakoverleg.")
ESCALATION_OUTCOME_REQUIRED = _("Leg vast wat deze stap heeft opgeleverd.")
ESCALATION_PARTICIPANTS_REQUIRED = _("Noem wie aan het doorbraakoverleg deelnamen.")
ESCALATION_RESOLUTION_REQUIRED = _("Beschrijf wat de casus heeft vlotgetrokken.")

# The status an escalation reaches by each kind of step.
STATUS_AFTER_STEP = {
    **dict.fromkeys(CONSULTATION_KINDS, EscalationStatus.CONSULTED),
    EscalationStepKind.BREAKTHROUGH: EscalationStatus.BREAKTHROUGH,
}


def _check_date(*, case: Case, on: datetime.date) -> None:
    if on > timezone.localdate():
        raise ValidationError(ESCALATION_DATE_IN_FUTURE, code="in_future")
    if on < case.registered_on:
        raise ValidationError(ESCALATION_BEFORE_REGISTRATION, code="before_registration")


def _check_not_before_stuck(escalation: Escalation, on: datetime.date) -> None:
    if on < escalation.stuck_since:
        raise ValidationError(
            ESCALATION_DATE_BEFORE_STUCK,
            code="before_stuck",
            params={"stuck_since": escalation.stuck_since.strftime("%d-%m-%Y")},
        )


def escalation_open_check(case: Case, running: Escalation | None) -> None:
    """Raise the RuleViolation that refuses recording ``case`` as stuck, given the
    escalation running on it (if any)."""
    if not case.is_open:
        raise RuleViolation(ESCALATION_CASE_EXITED, code="case_exited")
    if running is not None:
        raise RuleViolation(ESCALATION_ALREADY_RUNNING, code="escalation_running")


def escalation_step_check(escalation: Escalation, kind: str) -> None:
    """Raise the RuleViolation that refuses a step of ``kind`` on ``escalation``."""
    assert_transition(ESCALATION, escalation.status, STATUS_AFTER_STEP[EscalationStepKind(kind)])


@transaction.atomic
def escalation_open(
    *,
    case: Case,
    stuck_since: datetime.date,
    what_is_stuck: str,
    team_attempts: str,
    by: User,
) -> Escalation:
    """Record that ``case`` is stuck, and what the team itself has tried."""
    what_is_stuck = what_is_stuck.strip()
    team_attempts = team_attempts.strip()
    if not what_is_stuck:
        raise ValidationError(ESCALATION_WHAT_REQUIRED, code="what_required")
    if not team_attempts:
        raise ValidationError(ESCALATION_ATTEMPTS_REQUIRED, code="attempts_required")
    _check_date(case=case, on=stuck_since)
    with history_context(user=by.pk):
        locked = lock_for_update(case, expected_revision=None)
        escalation_open_check(
            locked, Escalation.objects.running().select_for_update().filter(case=case).first()
        )
        assert_transition(ESCALATION, None, EscalationStatus.STUCK)
        escalation = Escalation.objects.create(
            case=locked,
            stuck_since=stuck_since,
            what_is_stuck=what_is_stuck,
            team_attempts=team_attempts,
            opened_by=by,
        )
        touch_case(locked)
    return escalation


def _lock(escalation: Escalation, expected_revision: int | None) -> tuple[Case, Escalation]:
    """Lock the case first, then the escalation: the same order as every case service."""
    case = lock_for_update(escalation.case, expected_revision=None)
    locked = lock_for_update(escalation, expected_revision=expected_revision)
    if not case.is_open:
        raise RuleViolation(ESCALATION_CASE_EXITED, code="case_exited")
    return case, locked


@transaction.atomic
def escalation_record_step(
    *,
    escalation: Escalation,
    kind: str,
    held_on: datetime.date,
    outcome: str,
    by: User,
    participants: str = "",
    expected_revision: int | None = None,
) -> EscalationStep:
    """Record a consultation (colleagues, programme team, ITAT-R) or a doorbraakoverleg
    and what it produced; a doorbraakoverleg is also recorded as a meeting."""
    if kind not in EscalationStepKind.values:
        raise ValidationError(ESCALATION_STEP_UNKNOWN, code="unknown_step")
    outcome = outcome.strip()
    participants = participants.strip()
    if not outcome:
        raise ValidationError(ESCALATION_OUTCOME_REQUIRED, code="outcome_required")
    if kind == EscalationStepKind.BREAKTHROUGH and not participants:
        raise ValidationError(ESCALATION_PARTICIPANTS_REQUIRED, code="participants_required")
    _check_date(case=escalation.case, on=held_on)
    _check_not_before_stuck(escalation, held_on)
    with history_context(user=by.pk):
        case, locked = _lock(escalation, expected_revision)
        escalation_step_check(locked, kind)
        meeting = None
        if kind == EscalationStepKind.BREAKTHROUGH:
            meeting = Meeting.objects.create(
                case=case,
                held_on=held_on,
                kind=Meeting.Kind.BREAKTHROUGH,
                agenda=locked.what_is_stuck,
                development=participants,
                decisions=outcome,
                recorded_by=by,
            )
        step = EscalationStep.objects.create(
            escalation=locked,
            kind=kind,
            held_on=held_on,
            participants=participants,
            outcome=outcome,
            meeting=meeting,
            recorded_by=by,
        )
        locked.status = STATUS_AFTER_STEP[EscalationStepKind(kind)]
        locked.save(update_fields=["status"])
        bump_revision(locked)
        touch_case(case)
    return step


@transaction.atomic
def escalation_resolve(
    *,
    escalation: Escalation,
    on: datetime.date,
    resolution: str,
    by: User,
    expected_revision: int | None = None,
) -> Escalation:
    """The case is no longer stuck: record what resolved it."""
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError(ESCALATION_RESOLUTION_REQUIRED, code="resolution_required")
    _check_date(case=escalation.case, on=on)
    _check_not_before_stuck(escalation, on)
    with history_context(user=by.pk):
        case, locked = _lock(escalation, expected_revision)
        assert_transition(ESCALATION, locked.status, EscalationStatus.RESOLVED)
        locked.status = EscalationStatus.RESOLVED
        locked.resolved_on = on
        locked.resolution = resolution
        locked.save(update_fields=["status", "resolved_on", "resolution"])
        bump_revision(locked)
        touch_case(case)
    return locked
