"""What the case page leads with: the phase stepper, the actions with why one is not
possible now, the tabs and one timeline of everything that happened.

Nothing here asks the database: each function works on the case as ``case_detail``
read it (cases/selectors/cases.py), so the page keeps its fixed number of queries. The
one exception is a registered case shown to who runs the intake: its intake steps ask
the latest weighing (one query more, the same for every such case).
The order of the steps comes from the lifecycles in cases/workflow.py, and the reason
an action is refused is the RuleViolation of the very check its service runs
(``meeting_log_check``, ``phase_change_check``, ``exit_advice_check``, ...).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import refusal_message

from ..models import Case, ExitProcedure, PlanVersion, ShareRecord
from ..sections import Section, section_flags
from ..services.assessments import assessment_record_check
from ..services.assignments import assignment_change_check, case_assign_check
from ..services.escalations import escalation_open_check
from ..services.evaluations import evaluation_record_check
from ..services.exits import case_record_move_check, exit_advice_check, exit_propose_check
from ..services.intake import case_close_not_included_check, case_sign_notification_check
from ..services.meetings import meeting_log_check
from ..services.phases import phase_change_check
from ..services.plans import plan_write_check
from ..services.team import team_change_check
from ..workflow import CASE_STATUS, EXIT_PROCEDURE, PHASE, CaseStatus, ExitStatus, Lifecycle, Status
from .deadlines import Deadline, DeadlineKind, next_deadline_per_case

# --- tabs ------------------------------------------------------------------------------


class Tab(StrEnum):
    """The case page's sections, one shown at a time (``?tab=``): plain links, so they
    work without JavaScript, and each reads only what it shows."""

    OVERVIEW = "overzicht"
    TEAM = "team"
    PLAN = "plan"
    MEETINGS = "uvos"
    ASSESSMENTS = "weegmomenten"
    EVALUATIONS = "evaluaties"
    EXIT = "uitstroom"
    ESCALATIONS = "vastgelopen"
    DOCUMENTS = "documenten"
    HISTORY = "historie"


TAB_LABELS = {
    Tab.OVERVIEW: _("Overzicht"),
    Tab.TEAM: _("Team"),
    Tab.PLAN: _("Plan van aanpak"),
    Tab.MEETINGS: _("UVO's"),
    Tab.ASSESSMENTS: _("Weegmomenten"),
    Tab.EVALUATIONS: _("Evaluaties"),
    Tab.EXIT: _("Uitstroom"),
    Tab.ESCALATIONS: _("Vastgelopen"),
    Tab.DOCUMENTS: _("Documenten"),
    Tab.HISTORY: _("Historie"),
}

# What each tab shows (and so reads), of the sections the reader may see
# (cases/sections.py); a tab none of whose sections the reader sees is not offered.
TAB_SECTIONS: dict[Tab, frozenset[Section]] = {
    Tab.OVERVIEW: frozenset({Section.SUMMARY}),
    Tab.TEAM: frozenset({Section.TEAM, Section.ASSIGNMENTS}),
    Tab.PLAN: frozenset({Section.PLAN}),
    Tab.MEETINGS: frozenset({Section.MEETINGS}),
    Tab.ASSESSMENTS: frozenset({Section.ASSESSMENTS}),
    Tab.EVALUATIONS: frozenset({Section.EVALUATIONS}),
    Tab.EXIT: frozenset({Section.EXIT}),
    Tab.ESCALATIONS: frozenset({Section.ESCALATIONS}),
    Tab.DOCUMENTS: frozenset({Section.SUMMARY}),
    # The timeline: everything the reader may see.
    Tab.HISTORY: frozenset(Section) - {Section.PERSON},
}
# What the header reads on every tab: the plan (an adopted version? one being
# written?) and the exit procedures, for the stepper and the actions.
HEADER_SECTIONS = frozenset({Section.SUMMARY, Section.PLAN, Section.EXIT})


# Where a change is seen once it is made: the tab that shows the part of the page an
# anchor names (``meeting-12`` by its kind, ``meeting``); a phase change lands on the
# timeline, which holds its reason.
ANCHOR_TABS: dict[str, Tab] = {
    "assignments": Tab.TEAM,
    "team": Tab.TEAM,
    "plan": Tab.PLAN,
    "meeting": Tab.MEETINGS,
    "meetings": Tab.MEETINGS,
    "assessments": Tab.ASSESSMENTS,
    "evaluations": Tab.EVALUATIONS,
    "exit": Tab.EXIT,
    "exits": Tab.EXIT,
    "escalation": Tab.ESCALATIONS,
    "escalations": Tab.ESCALATIONS,
    "shares": Tab.HISTORY,
    "phases": Tab.HISTORY,
}


def case_page_url(case_pk: int, anchor: str = "") -> str:
    """The case page at the tab that shows ``anchor``, scrolled to it."""
    base = reverse("cases:detail", args=[case_pk])
    tab = ANCHOR_TABS.get(anchor.split("-")[0])
    if tab is None:
        return base
    return f"{base}?tab={tab.value}#{anchor}"


def tabs_for(sections: frozenset[Section]) -> list[Tab]:
    """The tabs a reader who sees ``sections`` is offered, in page order."""
    return [tab for tab in Tab if TAB_SECTIONS[tab] & sections]


def tab_of(requested: str | None, sections: frozenset[Section]) -> Tab:
    """The tab asked for in ``?tab=``, the overview when it is unknown or not offered."""
    offered = tabs_for(sections)
    for tab in offered:
        if tab.value == requested:
            return tab
    return Tab.OVERVIEW if Tab.OVERVIEW in offered else offered[0]


def sections_to_read(tab: Tab, sections: frozenset[Section]) -> frozenset[Section]:
    """The sections ``case_detail`` reads for ``tab`` and the header, of those visible."""
    return (TAB_SECTIONS[tab] | HEADER_SECTIONS) & sections


# --- the phase stepper -----------------------------------------------------------------


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


@dataclass(frozen=True)
class Step:
    label: str
    state: StepState
    on: datetime.date | None = None
    note: str = ""
    substeps: tuple[Step, ...] = ()


STATUS_STEP_LABELS: dict[Status, Any] = {
    CaseStatus.REGISTERED: _("Aanmelding"),
    CaseStatus.IN_REGIE: _("Notificatiebrief"),
    CaseStatus.EXITED: _("Uitstroom"),
}
EXIT_STEP_LABELS: dict[Status, Any] = {
    ExitStatus.OPEN: _("Voorstel"),
    ExitStatus.ADVISED: _("ITAT-R-advies"),
    ExitStatus.APPROVED: _("Besluit PTO-R"),
}
PHASE_STEP_LABEL = _("Fase %(phase)s")


def _forward(lifecycle: Lifecycle, last: Status) -> list[Status]:
    """The statuses of ``lifecycle`` from its creation up to ``last``, by its transitions."""
    (first,) = lifecycle.transitions[None]
    return [first, *lifecycle.path(first, last)]


def _state(index: int, current: int) -> StepState:
    if index < current:
        return StepState.DONE
    return StepState.CURRENT if index == current else StepState.TODO


def _exit_steps(procedure: ExitProcedure | None) -> tuple[Step, ...]:
    """Proposal, ITAT-R advice, PTO-R decision: the way of EXIT_PROCEDURE to approval."""
    order = _forward(EXIT_PROCEDURE, ExitStatus.APPROVED)
    if procedure is None or procedure.status == ExitStatus.WITHDRAWN:
        return tuple(Step(EXIT_STEP_LABELS[s], StepState.TODO) for s in order)
    # The step in hand: the proposal until the team's judgement is recorded, then the
    # step after the procedure's status; a decided procedure has none left.
    if procedure.status in EXIT_PROCEDURE.final:
        current = len(order)
    elif procedure.status == ExitStatus.OPEN and not procedure.team_judgement:
        current = 0
    else:
        current = order.index(procedure.status) + 1
    advices = list(procedure.itat_advices.all())
    dates = (procedure.team_judgement_on, advices[-1].given_on if advices else None)
    steps = []
    for index, status in enumerate(order):
        on = dates[index] if index < len(dates) else procedure.decided_on
        note = ""
        if status == ExitStatus.APPROVED and procedure.decision:
            note = procedure.get_decision_display()
        steps.append(Step(EXIT_STEP_LABELS[status], _state(index, current), on, note))
    return tuple(steps)


def phase_steps(case: Case, procedure: ExitProcedure | None) -> list[Step]:
    """Aanmelding, notificatiebrief, each phase, uitstroom (with the exit procedure's
    steps) for ``case``, with the procedure running or the one that ended the case."""
    statuses = _forward(CASE_STATUS, CaseStatus.EXITED)
    phases = _forward(PHASE, max(PHASE.statuses, key=int))
    # Where the case stands, counted along aanmelding, notificatiebrief, phases, uitstroom.
    if case.status == CaseStatus.REGISTERED:
        current = 0
    elif case.status == CaseStatus.NOT_INCLUDED:
        current = len(phases) + len(statuses)  # closed: no step is in hand
    elif case.status == CaseStatus.EXITED:
        current = len(phases) + len(statuses)  # everything behind it
    elif procedure is not None and procedure.is_running and case.phase == phases[-1]:
        current = 2 + len(phases)  # in the exit process's last step: uitstroom
    else:
        current = 2 + phases.index(case.phase)
    dates: dict[Status, datetime.date | None] = {
        CaseStatus.REGISTERED: case.registered_on,
        CaseStatus.IN_REGIE: case.notification_signed_on,
        CaseStatus.EXITED: case.exited_on,
    }
    steps: list[Step] = []
    for status in statuses:
        if status == CaseStatus.EXITED:
            for phase in phases:
                steps.append(
                    Step(
                        str(PHASE_STEP_LABEL % {"phase": int(phase)}),
                        _state(len(steps), current),
                        case.phase_since if phase == case.phase and case.is_open else None,
                    )
                )
        steps.append(
            Step(
                STATUS_STEP_LABELS[status],
                _state(len(steps), current),
                dates[status],
                substeps=_exit_steps(procedure) if status == CaseStatus.EXITED else (),
            )
        )
    return steps


# --- actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    key: str
    label: str
    url: str
    # Why it is not possible now (the service's refusal); empty when it is.
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return not self.reason


def _phase_refusal(case: Case, *, has_adopted_plan: bool, running: ExitProcedure | None) -> str:
    """Empty when the case may move to a neighbouring phase (PHASE's transitions),
    else why the first of them, the step forward, is refused."""
    neighbours = sorted(PHASE.transitions.get(case.phase, frozenset()), key=int, reverse=True)

    def refusal_to(to: int) -> str:
        return refusal_message(
            lambda: phase_change_check(
                case=case, to_phase=to, has_adopted_plan=has_adopted_plan, running_exit=running
            )
        )

    reasons = [refusal_to(int(to)) for to in neighbours or [case.phase]]
    return "" if not all(reasons) else reasons[0]


def case_actions(
    case: Case,
    *,
    versions: Sequence[PlanVersion],
    open_version: PlanVersion | None,
    running: ExitProcedure | None,
) -> list[CaseAction]:
    """Every action on the case page for one who works on the case, each with why it
    is not possible now (empty when it is), from the checks the services run."""
    has_adopted_plan = any(version.is_adopted for version in versions)
    pk = case.pk

    def url(name: str, *args: int) -> str:
        return reverse(f"cases:{name}", args=[pk, *args])

    if open_version is not None:
        plan_label = gettext("Plan van aanpak versie %(number)s bijwerken") % {
            "number": open_version.number
        }
    else:
        plan_label = gettext("Nieuwe versie plan van aanpak")
    return [
        CaseAction(
            "meeting",
            gettext("UVO vastleggen"),
            url("meeting_new"),
            refusal_message(lambda: meeting_log_check(case)),
        ),
        CaseAction(
            "plan", plan_label, url("plan_new"), refusal_message(lambda: plan_write_check(case))
        ),
        CaseAction(
            "evaluation",
            gettext("Evaluatie vastleggen"),
            url("evaluation_new"),
            refusal_message(lambda: evaluation_record_check(case)),
        ),
        CaseAction(
            "assessment",
            gettext("Weging vastleggen"),
            url("assessment_new"),
            refusal_message(lambda: assessment_record_check(case)),
        ),
        CaseAction(
            "phase",
            gettext("Fase wijzigen"),
            url("phase_change"),
            _phase_refusal(case, has_adopted_plan=has_adopted_plan, running=running),
        ),
        CaseAction(
            "exit_propose",
            gettext("Uitstroom voorstellen"),
            url("exit_propose"),
            refusal_message(lambda: exit_propose_check(case, ground=None, running=running)),
        ),
        CaseAction(
            "exit_advice",
            gettext("ITAT-R-advies op uitstroomvoorstel vastleggen"),
            url("exit_advice", running.pk) if running is not None else "",
            refusal_message(lambda: exit_advice_check(case, running)),
        ),
        CaseAction(
            "move",
            gettext("Verhuizing vastleggen"),
            url("move"),
            refusal_message(lambda: case_record_move_check(case)),
        ),
        CaseAction(
            "hand_over",
            gettext("Casus overdragen"),
            url("hand_over"),
            refusal_message(lambda: assignment_change_check(case)),
        ),
        CaseAction(
            "buddy",
            gettext("Buddy wijzigen"),
            url("buddy_change"),
            refusal_message(lambda: assignment_change_check(case)),
        ),
        CaseAction(
            "team",
            gettext("Interventieteam bijwerken"),
            url("team"),
            refusal_message(lambda: team_change_check(case)),
        ),
        CaseAction("person_edit", gettext("Persoonsgegevens corrigeren"), url("person_edit")),
        CaseAction(
            "escalation",
            gettext("Vastlopen vastleggen"),
            url("escalation_new"),
            refusal_message(lambda: escalation_open_check(case, None)),
        ),
        CaseAction("share", gettext("Delen op zwaarwegend belang vastleggen"), url("share")),
    ]


def intake_actions(case: Case) -> list[CaseAction]:
    """The programme team's steps on a registered case, each with why it is not possible
    now: the first regisseur and buddy (after a weighing that finds both criteria),
    closing it as not included (after one that does not), the notification letter."""
    if case.status != CaseStatus.REGISTERED:
        return []

    def url(name: str) -> str:
        return reverse(f"cases:{name}", args=[case.pk])

    return [
        CaseAction(
            "assign",
            gettext("Regisseur en buddy toewijzen"),
            url("assign"),
            refusal_message(lambda: case_assign_check(case)),
        ),
        CaseAction(
            "notification",
            gettext("Notificatiebrief vastleggen"),
            url("notification"),
            refusal_message(lambda: case_sign_notification_check(case)),
        ),
        CaseAction(
            "not_included",
            gettext("Niet opnemen in de aanpak"),
            url("not_included"),
            refusal_message(lambda: case_close_not_included_check(case)),
        ),
    ]


# On a registered case the intake leads: the weighing, then the assignment, then the
# notification letter, whichever is possible first.
INTAKE_PRIORITY = ("assign", "notification", "assessment")


# The deadline that each action settles: the action due next leads.
ACTION_FOR_DEADLINE = {
    DeadlineKind.FIRST_UVO: "meeting",
    DeadlineKind.UVO: "meeting",
    DeadlineKind.PLAN_EVALUATION: "evaluation",
    DeadlineKind.TWO_YEARLY_EVALUATION: "evaluation",
    DeadlineKind.EXIT_ADVICE: "exit_advice",
}
# Interventions and UVO actions are settled on their own rows (the plan and UVO tabs),
# not by one of the case page's actions.
# Otherwise, per phase, what moves the case on, first that is possible; the
# programme team, which manages the pool, leads with the hand-over.
DIRECTOR_PRIORITY = ("exit_advice", "plan", "phase", "exit_propose", "meeting")
POOL_PRIORITY = ("exit_advice", "hand_over")


def primary_action(
    actions: Sequence[CaseAction],
    *,
    next_due: Deadline | None,
    manages_pool: bool,
    has_adopted_plan: bool,
    phase: int,
    soon: datetime.date,
) -> CaseAction | None:
    """The one action the page leads with for this reader and this phase: what
    settles the item due next when it is due by ``soon``, else what moves the case on."""
    by_key = {action.key: action for action in actions if action.allowed}
    if next_due is not None and next_due.due_on <= soon and not manages_pool:
        action = by_key.get(ACTION_FOR_DEADLINE.get(next_due.kind, ""))
        if action is not None:
            return action
    if manages_pool:
        priority: Iterable[str] = POOL_PRIORITY
    elif not has_adopted_plan:
        priority = ("plan", "meeting")
    elif phase == max(PHASE.statuses, key=int):
        priority = DIRECTOR_PRIORITY
    else:
        priority = ("meeting", "evaluation", "phase")
    return next((by_key[key] for key in priority if key in by_key), None)


# --- the timeline ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    on: datetime.date
    what: str
    detail: str = ""
    tab: Tab = Tab.OVERVIEW
    # Within a day: the order in which such things happen (registration first).
    rank: int = 0
    by: str = field(default="")
    # The section of the case it belongs to where no tab of its own shows it (a phase
    # change): the page marks it, so what a reader sees is checkable per section.
    section: str = ""


def _day(moment: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        return timezone.localdate(moment)
    return moment


def case_timeline(case: Case, *, shares: Iterable[ShareRecord] = ()) -> list[Event]:
    """Everything that happened to the case, newest first, from what ``case_detail``
    read (a hidden section's relations are empty, so its events do not show)."""
    return sorted(_events(case, shares), key=lambda event: (event.on, event.rank), reverse=True)


def _events(case: Case, shares: Iterable[ShareRecord]) -> Iterator[Event]:
    yield Event(case.registered_on, str(_("Aangemeld")), rank=0)
    if case.notification_signed_on:
        yield Event(
            case.notification_signed_on,
            str(_("Notificatiebrief getekend")),
            case.notification_signed_by,
            rank=1,
        )
    for transition in case.phase_transitions.all():
        phases = {
            "from": transition.get_from_phase_display() or "–",
            "to": transition.get_to_phase_display(),
        }
        what = str(_("Fase: %(from)s → %(to)s")) % phases
        by = str(transition.by or "")
        yield Event(transition.on, what, transition.reason, Tab.HISTORY, 2, by, Section.PHASES)
    for assignment in case.assignments.all():
        who = {"role": assignment.get_role_display(), "regisseur": assignment.regisseur.user}
        what = str(_("%(role)s: %(regisseur)s")) % who
        yield Event(assignment.started_on, what, assignment.reason, Tab.TEAM, 3)
    for member in case.team_members.all():
        names = {"name": member.name, "organisation": member.organisation}
        joined = str(_("Interventieteam: %(name)s (%(organisation)s) erbij")) % names
        yield Event(member.joined_on, joined, tab=Tab.TEAM, rank=4)
        if member.left_on:
            left = str(_("Interventieteam: %(name)s vertrokken")) % names
            yield Event(member.left_on, left, tab=Tab.TEAM, rank=4)
    for version in case.plan_versions.all():
        number = {"number": version.number}
        created = str(_("Plan van aanpak versie %(number)s aangemaakt")) % number
        yield Event(_day(version.created_at), created, version.focus, Tab.PLAN, 5)
        for advice in version.itat_advices.all():
            what = str(_("ITAT-R-advies op versie %(number)s")) % number
            yield Event(advice.given_on, what, advice.get_recommendation_display(), Tab.PLAN, 6)
        if version.adopted_on:
            adopted = str(_("Plan van aanpak versie %(number)s vastgesteld")) % number
            yield Event(version.adopted_on, adopted, tab=Tab.PLAN, rank=7)
    for meeting in case.meetings.all():
        yield Event(meeting.held_on, meeting.get_kind_display(), meeting.decisions, Tab.MEETINGS, 8)
    for assessment in case.assessments.all():
        what = str(_("Weging: %(level)s")) % {"level": assessment.get_risk_level_display()}
        yield Event(assessment.assessed_on, what, tab=Tab.ASSESSMENTS, rank=9)
    for evaluation in case.evaluations.all():
        what = evaluation.get_kind_display()
        yield Event(evaluation.held_on, what, evaluation.findings, Tab.EVALUATIONS, 10)
    for procedure in case.exit_procedures.all():
        ground = {"ground": procedure.get_ground_display()}
        opened = str(_("Uitstroomprocedure gestart: %(ground)s")) % ground
        yield Event(procedure.opened_on, opened, tab=Tab.EXIT, rank=11)
        for advice in procedure.itat_advices.all():
            what = str(_("ITAT-R-advies op het uitstroomvoorstel"))
            yield Event(advice.given_on, what, advice.get_recommendation_display(), Tab.EXIT, 12)
        if procedure.decided_on:
            outcome = procedure.get_decision_display() if procedure.decision else _("Ingetrokken")
            what = str(_("Uitstroomvoorstel: %(outcome)s")) % {"outcome": outcome}
            yield Event(procedure.decided_on, what, procedure.decision_reasoning, Tab.EXIT, 13)
    for escalation in case.escalations.all():
        what = str(_("Vastgelopen: %(what)s")) % {"what": escalation.what_is_stuck}
        yield Event(escalation.stuck_since, what, escalation.team_attempts, Tab.ESCALATIONS, 13)
        for step in escalation.steps.all():
            yield Event(step.held_on, step.get_kind_display(), step.outcome, Tab.ESCALATIONS, 13)
        if escalation.resolved_on:
            what = str(_("Vlotgetrokken"))
            yield Event(escalation.resolved_on, what, escalation.resolution, Tab.ESCALATIONS, 13)
    for share in shares:
        what = str(_("Gedeeld met %(with)s")) % {"with": share.shared_with}
        yield Event(_day(share.shared_at), what, share.ground, Tab.HISTORY, 14)
    if case.exited_on:
        yield Event(case.exited_on, str(_("Uitgestroomd")), rank=15)
    if case.not_included_on:
        what = str(_("Niet opgenomen in de aanpak"))
        yield Event(case.not_included_on, what, case.not_included_reason, rank=15)


# --- the page ----------------------------------------------------------------------------


def case_page_lead(
    context: dict[str, Any],
    *,
    sections: frozenset[Section],
    tab: Tab,
    may_work: bool,
    manages_pool: bool,
    shares: Iterable[ShareRecord] | None,
    on: datetime.date,
    runs_intake: bool = False,
) -> dict[str, Any]:
    """What the case page leads with, beside ``case_page_context``'s reading of the
    case: the steps, what is due next (the deadline selector, a fixed number of
    queries), the actions of one who works on the case with the one that leads, the
    tabs offered and, on the history tab, the timeline."""
    case: Case = context["case"]
    running: ExitProcedure | None = context["running_exit"]
    ended_by = next(
        (p for p in case.exit_procedures.all() if p.status == ExitStatus.APPROVED), None
    )
    next_due = (
        next_deadline_per_case(on=on, case_ids=[case.pk]).get(case.pk) if case.is_open else None
    )
    versions: list[PlanVersion] = context["versions"]
    actions = (
        case_actions(case, versions=versions, open_version=context["open_version"], running=running)
        if may_work
        else []
    )
    primary = primary_action(
        actions,
        next_due=next_due,
        manages_pool=manages_pool,
        has_adopted_plan=any(version.is_adopted for version in versions),
        phase=case.phase,
        soon=on + datetime.timedelta(days=settings.IPGAR_DEADLINE_HORIZON_DAYS),
    )
    if may_work and runs_intake and case.status == CaseStatus.REGISTERED:
        actions = intake_actions(case) + actions
        allowed = {action.key: action for action in actions if action.allowed}
        primary = next((allowed[key] for key in INTAKE_PRIORITY if key in allowed), primary)
    return {
        "steps": phase_steps(case, running or ended_by),
        "next_due": next_due,
        "actions": actions,
        "primary": primary,
        "tabs": [(item.value, TAB_LABELS[item]) for item in tabs_for(sections)],
        # What the reader may see, beside ``show``: what this tab read of it.
        "visible": section_flags(sections),
        "tab": tab.value,
        "timeline": case_timeline(case, shares=shares or ()) if tab == Tab.HISTORY else [],
    }


__all__ = [
    "CaseAction",
    "Event",
    "Step",
    "StepState",
    "Tab",
    "case_actions",
    "case_page_lead",
    "case_page_url",
    "case_timeline",
    "intake_actions",
    "phase_steps",
    "primary_action",
    "sections_to_read",
    "tab_of",
    "tabs_for",
]
