"""The exit process (phase 3 "Uitstroomproces"; docs/rules.md R-EXIT-1 to R-EXIT-4).

The intervention team's joint judgement leads to an exit proposal; ITAT-R
advises on it; PTO-R decides. The advice and the decision are both pinned to
the exact plan version they were given on.

- Grounds: danger risk and care need gone, care secured by a warm hand-over
  (naming the organisation), a move to another municipality or abroad (naming
  the destination), or another ground (explained).
- "Zolang er sprake is van geweldsdreiging (...) zal de persoon NIET
  uitstromen", whatever the ground (R-EXIT-3): a proposal on any ground but a move
  ('anders' too) is refused, and so is its approval, while the case's latest
  assessment meets the safety criterion; such a proposal must rest on an
  assessment with the dynamic assessment framework at all ("Dit oordeel kan
  alleen worden onderbouwd door gebruik te maken van het dynamisch
  beoordelingskader"). A move is the one exception.
- A move starts the procedure at once, in any phase and without a team
  judgement. Every other ground is the end of phase 3, the exit process
  (R-EXIT-2): it is proposed in phase 3 only; a proposal made earlier is refused
  with the way to the phase change (rather than moving the case to phase 3 in the
  same step: entering phase 3 starts the scaling down and the warm hand-over, with
  its own reason and a new focus of the plan, R-CASE-6, so it is a step of its own).
- One running procedure per case.

Each service locks the case row and raises the case's revision (the case and
everything recorded on it move together for optimistic locking); services on
an existing procedure also check and raise the procedure's own revision.
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

from ..access import case_access_sync
from ..models import (
    MOVE_GROUNDS,
    Assessment,
    Case,
    CaseStatus,
    ExitGround,
    ExitProcedure,
    ItatAdvice,
    Phase,
    PlanVersion,
)
from ..permissions import may_decide_exits
from ..selectors.plans import current_plan, latest_plan_version
from ..workflow import EXIT_ADVICE_ALREADY_GIVEN as EXIT_ADVICE_ALREADY_GIVEN
from ..workflow import (
    EXIT_DECISION_NEEDS_ADVICE,
    EXIT_PROCEDURE,
    assert_transition,
    exit_may_open,
)
from ..workflow import EXIT_NOT_RUNNING as EXIT_NOT_RUNNING
from .assignments import end_current_assignments
from .phases import phase_transition_record
from .revisions import touch_case

EXIT_CASE_EXITED = _("Deze casus is al uitgestroomd.")
EXIT_NEEDS_IN_REGIE = _(
    "Uitstroom kan pas als de casus in regie is (de notificatiebrief is getekend)."
)
EXIT_ALREADY_RUNNING = _(
    "Voor deze casus loopt al een uitstroomprocedure: rond die eerst af of trek die in."
)
EXIT_UNKNOWN_GROUND = _("Onbekende grond voor uitstroom.")
EXIT_TEAM_JUDGEMENT_REQUIRED = _(
    "Leg het gezamenlijk oordeel van het interventieteam vast: daarop berust het uitstroomvoorstel."
)
EXIT_HANDOVER_NEEDS_ORGANISATION = _(
    "Noem bij een warme overdracht de organisatie die de zorg overneemt."
)
EXIT_MOVE_NEEDS_DESTINATION = _("Noem bij een verhuizing de nieuwe gemeente of het land.")
EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT = _(
    "Leg bij een verhuizing binnen Nederland het contact met de nieuwe gemeente vast: met wie "
    "en wat is afgesproken over de warme overdracht."
)
EXIT_MOVE_NEEDS_INFORMATION_WEIGHING = _(
    "Leg bij een verhuizing naar het buitenland de weging van politie of OM vast over het "
    "doorgeven van informatie."
)
EXIT_MOVE_IN_FUTURE = _("Leg een verhuizing vast op of na de dag van de verhuizing.")
EXIT_MOVE_BEFORE_REGISTRATION = _("De verhuizing ligt vóór de aanmelding van de casus.")
EXIT_OTHER_NEEDS_EXPLANATION = _("Licht de grond ‘anders’ toe.")
EXIT_PROPOSAL_NEEDS_PHASE_3 = _(
    "Het uitstroomvoorstel komt aan het eind van fase 3, het uitstroomproces: breng de casus "
    "eerst naar fase 3 (Fase wijzigen). Alleen een verhuizing start de uitstroom in elke fase."
)
EXIT_NEEDS_ASSESSMENT = _(
    "Onderbouw het uitstroomvoorstel met een beoordeling volgens het dynamisch "
    "beoordelingskader: voor deze casus is nog geen beoordeling vastgelegd."
)
EXIT_REFUSED_THREAT_OF_VIOLENCE = _(
    "Zolang er sprake is van geweldsdreiging stroomt de persoon niet uit: volgens de laatste "
    "beoordeling (%(assessed_on)s) is aan het veiligheidscriterium voldaan."
)
EXIT_ADVICE_NEEDS_PHASE_3 = _(
    "Het uitstroomvoorstel gaat pas naar het ITAT-R als de casus in fase 3 is."
)
EXIT_ADVICE_NEEDS_PROPOSAL = _(
    "Het ITAT-R adviseert over een uitstroomvoorstel: stel eerst de uitstroom voor."
)
EXIT_ADVICE_NEEDS_PLAN_VERSION = _(
    "Het advies wordt aan een versie van het plan van aanpak gekoppeld, maar deze casus heeft "
    "nog geen plan van aanpak."
)
EXIT_UNKNOWN_RECOMMENDATION = _("Onbekende strekking van het advies.")
EXIT_ADVICE_TEXT_REQUIRED = _("Neem het advies van het ITAT-R op.")
EXIT_DATE_BEFORE_OPENING = _(
    "De datum ligt vóór de start van de uitstroomprocedure (%(opened_on)s)."
)
EXIT_DECISION_ONLY_PTO_R = _("Alleen een lid van het PTO-R besluit over uitstroom.")
EXIT_UNKNOWN_DECISION = _("Kies ‘akkoord’ of ‘afgewezen’.")
EXIT_DECISION_REASONING_REQUIRED = _("Motiveer het besluit.")
EXIT_DECISION_BEFORE_ADVICE = _("Het besluit ligt vóór het advies van het ITAT-R (%(given_on)s).")
EXIT_WITHDRAW_REASON_REQUIRED = _(
    "Geef de reden op waarom het uitstroomvoorstel wordt ingetrokken."
)

# The reason on the case's history row when PTO-R approved the exit.
EXIT_APPROVED_REASON = "Uitstroom besloten door PTO-R: %(reasoning)s"

# R-EXIT-3: every ground but a move is refused while a threat of violence remains.
GROUNDS_REFUSED_UNDER_THREAT = tuple(g for g in ExitGround if g not in MOVE_GROUNDS)


def _day(on: datetime.date) -> str:
    return on.strftime("%d-%m-%Y")


def _check_case_in_regie(case: Case) -> None:
    if case.status == CaseStatus.EXITED:
        raise RuleViolation(EXIT_CASE_EXITED, code="case_exited")
    if case.status != CaseStatus.IN_REGIE:
        raise RuleViolation(EXIT_NEEDS_IN_REGIE, code="not_in_regie")


def _check_no_threat_of_violence(*, case: Case, ground: str) -> None:
    if ground not in GROUNDS_REFUSED_UNDER_THREAT:
        return
    latest = Assessment.objects.filter(case=case).order_by("-assessed_on", "-created_at").first()
    if latest is None:
        raise RuleViolation(EXIT_NEEDS_ASSESSMENT, code="no_assessment")
    if latest.safety_criterion:
        raise RuleViolation(
            EXIT_REFUSED_THREAT_OF_VIOLENCE,
            code="threat_of_violence",
            params={"assessed_on": _day(latest.assessed_on)},
        )


def exit_propose_check(case: Case, *, ground: str | None, running: ExitProcedure | None) -> None:
    """Raise the RuleViolation that refuses an exit proposal on ``ground`` (None: on
    any ground, as the case page asks) while ``running`` is the procedure running."""
    _check_case_in_regie(case)
    if ground is not None and not exit_may_open(phase=case.phase, move=ground in MOVE_GROUNDS):
        raise RuleViolation(EXIT_PROPOSAL_NEEDS_PHASE_3, code="proposal_needs_phase_3")
    if running is not None:
        raise RuleViolation(EXIT_ALREADY_RUNNING, code="exit_running")


def case_record_move_check(case: Case) -> None:
    """Raise the RuleViolation that refuses recording a move on ``case`` as it stands."""
    _check_case_in_regie(case)


def exit_advice_check(case: Case, procedure: ExitProcedure | None) -> None:
    """Raise the RuleViolation that refuses recording ITAT-R's advice on ``procedure``
    (None: the case page asks for a case without a running procedure)."""
    _check_case_in_regie(case)
    if procedure is None:
        if case.phase != Phase.EXIT:
            raise RuleViolation(EXIT_ADVICE_NEEDS_PHASE_3, code="not_in_phase_3")
        raise RuleViolation(EXIT_ADVICE_NEEDS_PROPOSAL, code="no_proposal")
    assert_transition(EXIT_PROCEDURE, procedure.status, ExitProcedure.Status.ADVISED)
    if procedure.ground not in MOVE_GROUNDS and case.phase != Phase.EXIT:
        raise RuleViolation(EXIT_ADVICE_NEEDS_PHASE_3, code="not_in_phase_3")


def _running_procedure(case: Case) -> ExitProcedure | None:
    return ExitProcedure.objects.running().select_for_update().filter(case=case).first()


def _lock_procedure(
    procedure: ExitProcedure, *, expected_revision: int | None
) -> tuple[Case, ExitProcedure]:
    """Lock the case first, then the procedure: the same order in every service."""
    case = lock_for_update(procedure.case, expected_revision=None)
    return case, lock_for_update(procedure, expected_revision=expected_revision)


@transaction.atomic
def exit_propose(
    *,
    case: Case,
    ground: str,
    team_judgement: str,
    on: datetime.date,
    by: User,
    handover_organisation: str = "",
    destination: str = "",
    ground_explanation: str = "",
) -> ExitProcedure:
    """The team's joint judgement leads to an exit proposal: open the procedure."""
    if ground not in ExitGround.values:
        raise ValidationError(EXIT_UNKNOWN_GROUND, code="unknown_ground")
    team_judgement = team_judgement.strip()
    handover_organisation = handover_organisation.strip()
    destination = destination.strip()
    ground_explanation = ground_explanation.strip()
    if not team_judgement:
        raise ValidationError(EXIT_TEAM_JUDGEMENT_REQUIRED, code="team_judgement_required")
    if ground == ExitGround.CARE_HANDED_OVER and not handover_organisation:
        raise ValidationError(EXIT_HANDOVER_NEEDS_ORGANISATION, code="handover_organisation")
    if ground in MOVE_GROUNDS and not destination:
        raise ValidationError(EXIT_MOVE_NEEDS_DESTINATION, code="destination_required")
    if ground == ExitGround.OTHER and not ground_explanation:
        raise ValidationError(EXIT_OTHER_NEEDS_EXPLANATION, code="explanation_required")

    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=None)
        exit_propose_check(case, ground=ground, running=_running_procedure(case))
        _check_no_threat_of_violence(case=case, ground=ground)

        procedure = ExitProcedure.objects.create(
            case=case,
            ground=ground,
            handover_organisation=handover_organisation,
            destination=destination,
            ground_explanation=ground_explanation,
            opened_on=on,
            opened_by=by,
            team_judgement=team_judgement,
            team_judgement_on=on,
        )
        touch_case(case)
    return procedure


@transaction.atomic
def case_record_move(
    *,
    case: Case,
    destination: str,
    abroad: bool,
    moved_on: datetime.date,
    by: User,
    municipality_contact: str = "",
    information_weighing: str = "",
) -> ExitProcedure:
    """The person moved: the exit procedure starts at once, whatever the phase
    (``exit_may_open``), with the contact with the new municipality for the warm
    hand-over or, abroad, the police/OM's weighing of passing information on.

    A running procedure takes the move as its ground (its earlier ground stays
    in the history); otherwise a new procedure opens on ``moved_on``.
    """
    destination = destination.strip()
    municipality_contact = municipality_contact.strip()
    information_weighing = information_weighing.strip()
    if not destination:
        raise ValidationError(EXIT_MOVE_NEEDS_DESTINATION, code="destination_required")
    if abroad and not information_weighing:
        raise ValidationError(EXIT_MOVE_NEEDS_INFORMATION_WEIGHING, code="weighing_required")
    if not abroad and not municipality_contact:
        raise ValidationError(EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT, code="contact_required")
    if moved_on > timezone.localdate():
        raise ValidationError(EXIT_MOVE_IN_FUTURE, code="in_future")
    if moved_on < case.registered_on:
        raise ValidationError(EXIT_MOVE_BEFORE_REGISTRATION, code="before_registration")
    ground = ExitGround.MOVED_ABROAD if abroad else ExitGround.MOVED_NL
    arrangements = {
        "ground": ground,
        "destination": destination,
        "municipality_contact": "" if abroad else municipality_contact,
        "information_weighing": information_weighing if abroad else "",
    }

    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=None)
        _check_case_in_regie(case)
        if not exit_may_open(phase=case.phase, move=True):  # every phase: stated in workflow
            raise RuleViolation(EXIT_PROPOSAL_NEEDS_PHASE_3, code="proposal_needs_phase_3")
        procedure = _running_procedure(case)
        if procedure is None:
            procedure = ExitProcedure.objects.create(
                case=case, opened_on=moved_on, opened_by=by, **arrangements
            )
        else:
            for name, value in arrangements.items():
                setattr(procedure, name, value)
            procedure.save(update_fields=list(arrangements))
            bump_revision(procedure)
        touch_case(case)
    return procedure


def _plan_version_for_exit_advice(case: Case) -> PlanVersion:
    """The latest adopted plan version; the latest version when none is adopted yet."""
    version = current_plan(case) or latest_plan_version(case)
    if version is None:
        raise RuleViolation(EXIT_ADVICE_NEEDS_PLAN_VERSION, code="no_plan_version")
    return version


@transaction.atomic
def exit_record_itat_advice(
    *,
    procedure: ExitProcedure,
    given_on: datetime.date,
    recommendation: str,
    advice: str,
    by: User,
    expected_revision: int | None = None,
) -> ItatAdvice:
    """Record ITAT-R's advice on the exit proposal, pinned to the plan version it read;
    the proposal then waits for PTO-R."""
    if recommendation not in ItatAdvice.Recommendation.values:
        raise ValidationError(EXIT_UNKNOWN_RECOMMENDATION, code="unknown_recommendation")
    advice = advice.strip()
    if not advice:
        raise ValidationError(EXIT_ADVICE_TEXT_REQUIRED, code="advice_required")

    with history_context(user=by.pk):
        case, procedure = _lock_procedure(procedure, expected_revision=expected_revision)
        exit_advice_check(case, procedure)
        if given_on < procedure.opened_on:
            raise ValidationError(
                EXIT_DATE_BEFORE_OPENING,
                code="date_before_opening",
                params={"opened_on": _day(procedure.opened_on)},
            )
        plan_version = _plan_version_for_exit_advice(case)

        itat_advice = ItatAdvice.objects.create(
            plan_version=plan_version,
            subject=ItatAdvice.Subject.EXIT,
            exit_procedure=procedure,
            given_on=given_on,
            recommendation=recommendation,
            advice=advice,
            recorded_by=by,
        )
        procedure.status = ExitProcedure.Status.ADVISED
        procedure.save(update_fields=["status"])
        bump_revision(procedure)
        touch_case(case)
    return itat_advice


@transaction.atomic
def exit_decide(
    *,
    procedure: ExitProcedure,
    decision: str,
    decided_on: datetime.date,
    reasoning: str,
    by: User,
    expected_revision: int | None = None,
) -> ExitProcedure:
    """PTO-R decides the exit proposal, on the plan version ITAT-R advised on.

    Approved: the case exits on ``decided_on`` (phase 3, status uitgestroomd), the
    assignments end and nobody keeps object permissions. Refused: the procedure
    closes and the case carries on in its phase.
    """
    if not may_decide_exits(by):
        raise RuleViolation(EXIT_DECISION_ONLY_PTO_R, code="not_pto_r")
    if decision not in ExitProcedure.Decision.values:
        raise ValidationError(EXIT_UNKNOWN_DECISION, code="unknown_decision")
    reasoning = reasoning.strip()
    if not reasoning:
        raise ValidationError(EXIT_DECISION_REASONING_REQUIRED, code="reasoning_required")

    with history_context(user=by.pk):
        case, procedure = _lock_procedure(procedure, expected_revision=expected_revision)
        _check_case_in_regie(case)
        approved = decision == ExitProcedure.Decision.APPROVED
        outcome = ExitProcedure.Status.APPROVED if approved else ExitProcedure.Status.REJECTED
        assert_transition(EXIT_PROCEDURE, procedure.status, outcome)
        advice = procedure.itat_advices.order_by("-given_on", "-created_at").first()
        if advice is None:  # an "advies" status without the advice row: refuse all the same
            raise RuleViolation(EXIT_DECISION_NEEDS_ADVICE, code="no_advice")
        if decided_on < advice.given_on:
            raise ValidationError(
                EXIT_DECISION_BEFORE_ADVICE,
                code="decision_before_advice",
                params={"given_on": _day(advice.given_on)},
            )
        if approved:
            _check_no_threat_of_violence(case=case, ground=procedure.ground)

        procedure.decision = decision
        procedure.decided_on = decided_on
        procedure.decision_reasoning = reasoning
        procedure.decision_plan_version_id = advice.plan_version_id
        procedure.decided_by = by
        procedure.status = outcome
        procedure.save(
            update_fields=[
                "decision",
                "decided_on",
                "decision_reasoning",
                "decision_plan_version",
                "decided_by",
                "status",
            ]
        )
        bump_revision(procedure)

        if approved:
            end_current_assignments(case=case, on=decided_on)
            phase_transition_record(
                case=case,
                from_phase=case.phase,
                to_phase=Phase.EXIT,
                on=decided_on,
                by=by,
                reason=EXIT_APPROVED_REASON % {"reasoning": reasoning},
            )
            case.status = CaseStatus.EXITED
            case.exited_on = decided_on
            case.save(update_fields=["status", "exited_on", "phase", "phase_since", "updated_at"])
            case_access_sync(case=case, on=decided_on)
        touch_case(case)
    return procedure


@transaction.atomic
def exit_withdraw(
    *,
    procedure: ExitProcedure,
    reason: str,
    on: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> ExitProcedure:
    """Withdraw a running exit proposal (e.g. the move fell through).

    There is no PTO-R decision: ``decision`` stays empty and the withdrawal's date,
    author and reason go into the decision's date, author and reasoning fields.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(EXIT_WITHDRAW_REASON_REQUIRED, code="reason_required")

    with history_context(user=by.pk):
        case, procedure = _lock_procedure(procedure, expected_revision=expected_revision)
        assert_transition(EXIT_PROCEDURE, procedure.status, ExitProcedure.Status.WITHDRAWN)
        if on < procedure.opened_on:
            raise ValidationError(
                EXIT_DATE_BEFORE_OPENING,
                code="date_before_opening",
                params={"opened_on": _day(procedure.opened_on)},
            )
        procedure.status = ExitProcedure.Status.WITHDRAWN
        procedure.decided_on = on
        procedure.decided_by = by
        procedure.decision_reasoning = reason
        procedure.save(update_fields=["status", "decided_on", "decided_by", "decision_reasoning"])
        bump_revision(procedure)
        touch_case(case)
    return procedure
