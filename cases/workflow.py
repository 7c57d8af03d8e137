"""The lifecycles of a case and of what moves with it, stated once: the statuses, which
status may follow which, and the Dutch message a refused change gets.

- the case's status: registered, in regie once the notification letter is signed,
  exited once PTO-R approves an exit; a registered case the weighing does not take in
  (not both criteria) is closed as not included, before anyone is assigned;
- the case's phase: one step at a time forward or back, from phase 1 (which the
  notification letter opens) up to phase 3;
- a plan version: concept, ITAT-R advice (more advice may follow), adopted, after
  which it never changes;
- an exit procedure: open, advised by ITAT-R, then approved or rejected by PTO-R;
  withdrawn at any point while it runs;
- an escalation of a stuck case (docs/rules.md R-CASE-11): stuck (the team tried
  itself), consulted (colleagues, the programme team or ITAT-R), a doorbraakoverleg,
  resolved; step by step, never a doorbraakoverleg before a consultation.

Services check a change with ``assert_transition``; the conditions beside a
transition (an adopted plan before phase 2, a team judgement before phase 3) stay
in the service that knows them. The models build their choices, named querysets and
database constraints from these statuses; the sample-data generator and the sync
client read them too. Intervention progress has no lifecycle: any status may follow
any other.

The refusal messages live here; a service re-exports those its views and tests name
(``from ..workflow import EXIT_NOT_RUNNING as EXIT_NOT_RUNNING``).

This module imports nothing of the project but its errors, so the models and the sync
client can both import it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.errors import RuleViolation

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise


class Phase(models.IntegerChoices):
    CONTACT = 1, _("Fase 1")
    EXECUTION = 2, _("Fase 2")
    EXIT = 3, _("Fase 3 – uitstroomproces")


class CaseStatus(models.TextChoices):
    REGISTERED = "aangemeld", _("Aangemeld")
    IN_REGIE = "in_regie", _("In regie")
    EXITED = "uitgestroomd", _("Uitgestroomd")
    NOT_INCLUDED = "niet_opgenomen", _("Niet opgenomen")


class PlanStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    ADVISED = "advies", _("ITAT-R-advies ontvangen")
    ADOPTED = "vastgesteld", _("Vastgesteld")


class ExitStatus(models.TextChoices):
    OPEN = "open", _("Voorstel in voorbereiding")
    ADVISED = "advies", _("Wacht op besluit PTO-R")
    APPROVED = "akkoord", _("Uitstroom besloten")
    REJECTED = "afgewezen", _("Uitstroom afgewezen")
    WITHDRAWN = "ingetrokken", _("Ingetrokken")


class InterventionStatus(models.TextChoices):
    PLANNED = "gepland", _("Gepland")
    RUNNING = "lopend", _("Lopend")
    DONE = "afgerond", _("Afgerond")
    STOPPED = "gestopt", _("Gestopt")


class EscalationStatus(models.TextChoices):
    STUCK = "vastgelopen", _("Vastgelopen: het team zoekt het zelf")
    CONSULTED = "geraadpleegd", _("Collega's, programmateam of ITAT-R geraadpleegd")
    BREAKTHROUGH = "doorbraak", _("Doorbraakoverleg gehouden")
    RESOLVED = "vlotgetrokken", _("Vlotgetrokken")


# A case still in the approach: somebody works on it.
OPEN_STATUSES = (CaseStatus.REGISTERED, CaseStatus.IN_REGIE)
# A running exit procedure: at most one per case (a database constraint).
RUNNING_EXIT_STATUSES = (ExitStatus.OPEN, ExitStatus.ADVISED)
# An intervention still to be carried out: its term is a deadline (docs/rules.md R-CASE-6).
OPEN_INTERVENTION_STATUSES = (InterventionStatus.PLANNED, InterventionStatus.RUNNING)
# A running escalation: the case is stuck (at most one per case, a database constraint).
RUNNING_ESCALATION_STATUSES = (
    EscalationStatus.STUCK,
    EscalationStatus.CONSULTED,
    EscalationStatus.BREAKTHROUGH,
)

# A closed case: nobody works on it any more; ``Case.closed_on`` holds the day.
CLOSED_STATUSES = (CaseStatus.EXITED, CaseStatus.NOT_INCLUDED)


# --- the messages of a refused change -------------------------------------------------

NOTIFICATION_ALREADY_SIGNED = _("De notificatiebrief van deze casus is al getekend.")
NOTIFICATION_CASE_EXITED = _("Deze casus is uitgestroomd.")
NOTIFICATION_CASE_NOT_INCLUDED = _(
    "Deze casus is na de weging niet opgenomen in de aanpak: er komt geen notificatiebrief."
)
NOT_INCLUDED_ONLY_REGISTERED = _(
    "Alleen een aangemelde casus zonder regisseur kan na de weging worden afgesloten als "
    "niet opgenomen."
)
PHASE_UNCHANGED = _("De casus is al in deze fase.")
PHASE_ONE_STEP_AT_A_TIME = _(
    "Een casus gaat één fase tegelijk vooruit of terug: van fase %(from_phase)s naar fase "
    "%(to_phase)s kan niet."
)
PLAN_ADOPTED_IMMUTABLE = _(
    "Een vastgestelde versie van het plan van aanpak verandert nooit. Maak een nieuwe versie."
)
PLAN_NEEDS_ITAT_ADVICE = _(
    "Het plan gaat eerst voor advies naar het ITAT-R: leg het advies op deze versie vast "
    "voordat u het plan vaststelt."
)
EXIT_NOT_RUNNING = _("Deze uitstroomprocedure loopt niet meer.")
EXIT_ADVICE_ALREADY_GIVEN = _(
    "Het ITAT-R heeft over dit uitstroomvoorstel al geadviseerd: het wacht op het besluit "
    "van PTO-R."
)
EXIT_DECISION_NEEDS_ADVICE = _("PTO-R besluit pas over uitstroom als het ITAT-R heeft geadviseerd.")
ESCALATION_CONSULT_FIRST = _(
    "Een vastgelopen casus escaleert stap voor stap: raadpleeg eerst collega's in de pool, het "
    "programmateam of het ITAT-R voordat een doorbraakoverleg wordt gehouden."
)
ESCALATION_AFTER_BREAKTHROUGH = _(
    "Na het doorbraakoverleg volgt een nieuw doorbraakoverleg of wordt de casus vlotgetrokken."
)
ESCALATION_NOT_RUNNING = _("Deze escalatie is afgesloten: de casus is vlotgetrokken.")


# --- the lifecycles -------------------------------------------------------------------

# A status: a TextChoices value (str) or a phase (int).
Status: TypeAlias = str | int

# Stands for every status in a refusal's key.
ANY = "*"


@dataclass(frozen=True)
class Refusal:
    message: str | _StrPromise
    code: str
    # The names under which the message reads the two statuses, if it does.
    params: tuple[str, str] | None = None


@dataclass(frozen=True)
class Lifecycle:
    name: str
    # Status -> the statuses that may follow it; ``None`` is "not yet created".
    transitions: Mapping[Status | None, frozenset[Status]]
    # (from, to) -> why the change is refused, most specific first: (from, to), then
    # (ANY, to), (from, ANY), (ANY, ANY).
    refusals: Mapping[tuple[Status | None, Status], Refusal] = field(default_factory=dict)

    @property
    def statuses(self) -> frozenset[Status]:
        return frozenset(s for s in self.transitions if s is not None)

    @property
    def final(self) -> frozenset[Status]:
        return frozenset(s for s in self.statuses if not self.transitions[s])

    def allows(self, from_: Status | None, to: Status) -> bool:
        return to in self.transitions.get(from_, frozenset())

    def allowed(self) -> Iterator[tuple[Status | None, Status]]:
        """Every allowed (from, to), ``from`` None for the creation."""
        for from_, tos in self.transitions.items():
            for to in tos:
                yield from_, to

    def refusal(self, from_: Status | None, to: Status) -> Refusal:
        keys: tuple[tuple[Status | None, Status], ...] = (
            (from_, to),
            (ANY, to),
            (from_, ANY),
            (ANY, ANY),
        )
        for key in keys:
            if key in self.refusals:
                return self.refusals[key]
        raise KeyError(f"{self.name}: no refusal for {from_!r} -> {to!r}")

    def path(self, from_: Status, to: Status) -> list[Status]:
        """The shortest series of allowed steps from ``from_`` to ``to`` (without
        ``from_``; empty when they are the same); KeyError when there is none."""
        came_from: dict[Status, Status] = {from_: from_}
        todo = deque([from_])
        while todo:
            status = todo.popleft()
            if status == to:
                steps = []
                while status != from_:
                    steps.append(status)
                    status = came_from[status]
                return steps[::-1]
            # In a fixed order, so that the path found is always the same one.
            for following in sorted(self.transitions.get(status, frozenset()), key=str):
                if following not in came_from:
                    came_from[following] = status
                    todo.append(following)
        raise KeyError(f"{self.name}: no way from {from_!r} to {to!r}")


CASE_STATUS = Lifecycle(
    name="case status",
    transitions={
        None: frozenset({CaseStatus.REGISTERED}),  # case_register
        CaseStatus.REGISTERED: frozenset(
            {
                CaseStatus.IN_REGIE,  # case_sign_notification
                CaseStatus.NOT_INCLUDED,  # case_close_not_included
            }
        ),
        CaseStatus.IN_REGIE: frozenset({CaseStatus.EXITED}),  # exit_decide, approved
        CaseStatus.EXITED: frozenset(),
        CaseStatus.NOT_INCLUDED: frozenset(),
    },
    refusals={
        (CaseStatus.EXITED, CaseStatus.IN_REGIE): Refusal(NOTIFICATION_CASE_EXITED, "case_exited"),
        (CaseStatus.NOT_INCLUDED, CaseStatus.IN_REGIE): Refusal(
            NOTIFICATION_CASE_NOT_INCLUDED, "not_included"
        ),
        (ANY, CaseStatus.NOT_INCLUDED): Refusal(NOT_INCLUDED_ONLY_REGISTERED, "not_registered"),
        (ANY, CaseStatus.IN_REGIE): Refusal(NOTIFICATION_ALREADY_SIGNED, "already_signed"),
    },
)

PHASE = Lifecycle(
    name="phase",
    transitions={
        None: frozenset({Phase.CONTACT}),  # the notification letter
        Phase.CONTACT: frozenset({Phase.EXECUTION}),
        Phase.EXECUTION: frozenset({Phase.CONTACT, Phase.EXIT}),
        Phase.EXIT: frozenset({Phase.EXECUTION}),
    },
    refusals={
        **{(p, p): Refusal(PHASE_UNCHANGED, "phase_unchanged") for p in Phase},
        (ANY, ANY): Refusal(PHASE_ONE_STEP_AT_A_TIME, "phase_skipped", ("from_phase", "to_phase")),
    },
)
# An approved exit ends the case in phase 3 from whichever phase it is in (a move
# exits in any phase): exit_decide records that outside the steps above.
EXIT_DECISION_PHASE = Phase.EXIT

# When an exit procedure may open (docs/rules.md R-EXIT-2): a move to another
# municipality or abroad opens it at once, in every phase and without a team judgement
# (``case_record_move``); every other ground ends the plan's work and is proposed from
# phase 2 on (``exit_propose``).
EXIT_OPENS_ON_A_MOVE_IN = frozenset(Phase)
# Phase 3 is the exit process: the proposal on another ground comes at its end.
EXIT_OPENS_ON_A_PROPOSAL_IN = frozenset({Phase.EXIT})


def exit_may_open(*, phase: int, move: bool) -> bool:
    """True when an exit procedure may open in ``phase``: on a move in any phase, on
    another ground in phase 3, the exit process (docs/rules.md R-EXIT-2)."""
    return phase in (EXIT_OPENS_ON_A_MOVE_IN if move else EXIT_OPENS_ON_A_PROPOSAL_IN)


PLAN_VERSION = Lifecycle(
    name="plan version",
    transitions={
        None: frozenset({PlanStatus.CONCEPT}),
        PlanStatus.CONCEPT: frozenset({PlanStatus.ADVISED}),
        # Advice may be given again on the same version before it is adopted.
        PlanStatus.ADVISED: frozenset({PlanStatus.ADVISED, PlanStatus.ADOPTED}),
        PlanStatus.ADOPTED: frozenset(),
    },
    refusals={
        (PlanStatus.ADOPTED, ANY): Refusal(PLAN_ADOPTED_IMMUTABLE, "plan_adopted"),
        (ANY, PlanStatus.ADOPTED): Refusal(PLAN_NEEDS_ITAT_ADVICE, "no_itat_advice"),
    },
)

EXIT_PROCEDURE = Lifecycle(
    name="exit procedure",
    transitions={
        None: frozenset({ExitStatus.OPEN}),  # exit_propose, case_record_move
        ExitStatus.OPEN: frozenset({ExitStatus.ADVISED, ExitStatus.WITHDRAWN}),
        ExitStatus.ADVISED: frozenset(
            {ExitStatus.APPROVED, ExitStatus.REJECTED, ExitStatus.WITHDRAWN}
        ),
        ExitStatus.APPROVED: frozenset(),
        ExitStatus.REJECTED: frozenset(),
        ExitStatus.WITHDRAWN: frozenset(),
    },
    refusals={
        (ExitStatus.ADVISED, ExitStatus.ADVISED): Refusal(
            EXIT_ADVICE_ALREADY_GIVEN, "already_advised"
        ),
        (ExitStatus.OPEN, ExitStatus.APPROVED): Refusal(EXIT_DECISION_NEEDS_ADVICE, "no_advice"),
        (ExitStatus.OPEN, ExitStatus.REJECTED): Refusal(EXIT_DECISION_NEEDS_ADVICE, "no_advice"),
        (ANY, ANY): Refusal(EXIT_NOT_RUNNING, "not_running"),
    },
)

ESCALATION = Lifecycle(
    name="escalation",
    transitions={
        None: frozenset({EscalationStatus.STUCK}),  # escalation_open
        # escalation_record_step (a consultation, a doorbraakoverleg), escalation_resolve
        EscalationStatus.STUCK: frozenset({EscalationStatus.CONSULTED, EscalationStatus.RESOLVED}),
        # More than one consultation may come before the doorbraakoverleg.
        EscalationStatus.CONSULTED: frozenset(
            {
                EscalationStatus.CONSULTED,
                EscalationStatus.BREAKTHROUGH,
                EscalationStatus.RESOLVED,
            }
        ),
        EscalationStatus.BREAKTHROUGH: frozenset(
            {EscalationStatus.BREAKTHROUGH, EscalationStatus.RESOLVED}
        ),
        EscalationStatus.RESOLVED: frozenset(),
    },
    refusals={
        (EscalationStatus.RESOLVED, ANY): Refusal(ESCALATION_NOT_RUNNING, "not_running"),
        (EscalationStatus.STUCK, EscalationStatus.BREAKTHROUGH): Refusal(
            ESCALATION_CONSULT_FIRST, "consult_first"
        ),
        (ANY, ANY): Refusal(ESCALATION_AFTER_BREAKTHROUGH, "after_breakthrough"),
    },
)

LIFECYCLES = (CASE_STATUS, PHASE, PLAN_VERSION, EXIT_PROCEDURE, ESCALATION)


def assert_transition(lifecycle: Lifecycle, from_: Status | None, to: Status) -> None:
    """Raise the lifecycle's RuleViolation unless ``to`` may follow ``from_``."""
    if lifecycle.allows(from_, to):
        return
    refusal = lifecycle.refusal(from_, to)
    params: dict[str, Any] | None = None
    if refusal.params is not None:
        params = dict(zip(refusal.params, (from_, to), strict=True))
    raise RuleViolation(refusal.message, code=refusal.code, params=params)
