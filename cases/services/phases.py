"""Phase changes of a case (docs/rules.md R-CASE-2): three phases, each with its own goals.

- Forward one step at a time: 1 -> 2 once a plan of approach is adopted
  (vastgesteld), 2 -> 3 on the intervention team's joint judgement, which the
  change's reason records ("De keuze om fase 3 in te gaan moet gebaseerd zijn op
  het gezamenlijk oordeel van het interventieteam"). Phase 3 is the exit process
  (R-CASE-2, R-EXIT-2): the exit proposal comes at its end, so entering it needs
  no running exit procedure.
- Back one step, e.g. 3 -> 2 after PTO-R refused an exit; never while an exit
  procedure is still running.
- Every change carries a reason (the plan gets a new focus at every phase change)
  and is written as a PhaseTransition: from, to, on, by, why.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update

from ..models import Case, CaseStatus, ExitProcedure, Phase, PhaseTransition, PlanVersion
from ..workflow import PHASE, assert_transition
from ..workflow import PHASE_ONE_STEP_AT_A_TIME as PHASE_ONE_STEP_AT_A_TIME
from ..workflow import PHASE_UNCHANGED as PHASE_UNCHANGED

PHASE_CASE_EXITED = _("Deze casus is uitgestroomd: de fase verandert niet meer.")
PHASE_NEEDS_IN_REGIE = _(
    "De fase verandert pas als de casus in regie is (de notificatiebrief is getekend)."
)
PHASE_REASON_REQUIRED = _(
    "Licht de faseovergang toe: het plan van aanpak krijgt bij iedere fase een nieuwe focus."
)
PHASE_UNKNOWN = _("Onbekende fase: kies fase 1, 2 of 3.")
PHASE_2_NEEDS_ADOPTED_PLAN = _("Naar fase 2 kan pas als er een vastgesteld plan van aanpak is.")
PHASE_BACK_WHILE_EXIT_RUNNING = _(
    "Terug naar fase 2 kan pas als de lopende uitstroomprocedure is afgerond of ingetrokken."
)
PHASE_DATE_BEFORE_CURRENT = _(
    "De datum van de faseovergang ligt vóór de start van de huidige fase (%(since)s)."
)


@transaction.atomic
def case_change_phase(
    *,
    case: Case,
    to_phase: int,
    reason: str,
    on: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> Case:
    """Move the case one phase forward or back; returns the locked, updated case."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(PHASE_REASON_REQUIRED, code="reason_required")
    if to_phase not in Phase.values:
        raise ValidationError(PHASE_UNKNOWN, code="phase_unknown")

    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        _check_in_regie(case)
        if on < case.phase_since:
            raise ValidationError(
                PHASE_DATE_BEFORE_CURRENT,
                code="date_before_current_phase",
                params={"since": case.phase_since.strftime("%d-%m-%Y")},
            )
        _check_transition_allowed(case=case, to_phase=to_phase)

        phase_transition_record(
            case=case, from_phase=case.phase, to_phase=to_phase, on=on, by=by, reason=reason
        )
        case.save(update_fields=["phase", "phase_since", "updated_at"])
        bump_revision(case)
    return case


def _check_in_regie(case: Case) -> None:
    if case.status == CaseStatus.EXITED:
        raise RuleViolation(PHASE_CASE_EXITED, code="case_exited")
    if case.status != CaseStatus.IN_REGIE:
        raise RuleViolation(PHASE_NEEDS_IN_REGIE, code="not_in_regie")


def phase_change_check(
    *, case: Case, to_phase: int, has_adopted_plan: bool, running_exit: ExitProcedure | None
) -> None:
    """Raise the RuleViolation that refuses moving ``case`` to ``to_phase``, given the
    facts beside the phase lifecycle: whether an adopted plan exists and the exit
    procedure running, if any. The case page asks it with facts it has already read
    (cases/selectors/case_page.py); the service reads them under its lock."""
    _check_in_regie(case)
    assert_transition(PHASE, case.phase, to_phase)
    if to_phase == Phase.EXECUTION and case.phase == Phase.CONTACT:
        if not has_adopted_plan:
            raise RuleViolation(PHASE_2_NEEDS_ADOPTED_PLAN, code="no_adopted_plan")
    elif to_phase == Phase.EXECUTION and case.phase == Phase.EXIT and running_exit is not None:
        raise RuleViolation(PHASE_BACK_WHILE_EXIT_RUNNING, code="exit_running")


def _check_transition_allowed(*, case: Case, to_phase: int) -> None:
    phase_change_check(
        case=case,
        to_phase=to_phase,
        has_adopted_plan=PlanVersion.objects.adopted().filter(case=case).exists(),
        running_exit=ExitProcedure.objects.running().filter(case=case).first(),
    )


def phase_transition_record(
    *,
    case: Case,
    from_phase: int | None,
    to_phase: int,
    on: datetime.date,
    by: User,
    reason: str,
) -> PhaseTransition:
    """Write the history row and set the case's phase in memory (the caller saves).

    For use inside a service that holds the case's row lock: the notification
    letter (None -> 1), a phase change, and the exit decision (which may leave
    the phase as it was: the row then records the change of status).
    """
    transition = PhaseTransition.objects.create(
        case=case, from_phase=from_phase, to_phase=to_phase, on=on, by=by, reason=reason
    )
    if from_phase != to_phase:
        case.phase = to_phase
        case.phase_since = on
    return transition
