"""The case pages, server-rendered in Dutch. Thin: who may see what comes from
cases/access.py, the data from the selectors, every change from a service, and
every read of person-level data is recorded in the access log.

- ``pages``: the case list ("mijn casussen"), the case page, the person record,
  sharing and emergency access;
- ``workflow``: the forms on one case (UVO, plan, phase, exit, weighing,
  evaluation, hand-over);
- ``changes``: changes along the way (the intervention team, another buddy,
  corrected person data, a move, concept interventions);
- ``follow_up``: carrying a record further (ITAT-R's advice on an exit proposal,
  withdrawing it, an intervention's progress, an UVO action done);
- ``escalations``: a stuck case, its consultations, doorbraakoverleg and resolution;
- ``decisions``: PTO-R's exit decisions and the bulk hand-over when a regisseur leaves;
- ``intake``: the aanmelding, closing a case as not included, the first assignment and
  the notification letter;
- ``retention``: the programme team's early erasure of a person record.
"""

from .changes import (
    buddy_change,
    intervention_delete,
    intervention_edit,
    move,
    person_edit,
    team,
    team_leave,
)
from .decisions import bulk_handover, exit_decisions
from .escalations import escalation_new, escalation_resolve_page, escalation_step
from .follow_up import action_done, exit_step, intervention_progress
from .intake import assign, case_register_page, not_included, notification
from .lists import export, saved_view_add, saved_view_remove
from .pages import (
    CASES_PER_PAGE,
    EMERGENCY_OPENED,
    PERSON_PAGE_PURPOSE,
    REVIEW_RECORDED,
    SHARE_RECORDED,
    case_list,
    case_page,
    emergency_open,
    emergency_reviews,
    person_page,
    share,
)
from .retention import erase_person
from .search import search
from .workflow import (
    assessment_new,
    evaluation_new,
    exit_propose_page,
    hand_over,
    meeting_new,
    phase_change,
    plan_compare,
    plan_new,
    plan_version,
)

__all__ = [
    "CASES_PER_PAGE",
    "EMERGENCY_OPENED",
    "PERSON_PAGE_PURPOSE",
    "REVIEW_RECORDED",
    "SHARE_RECORDED",
    "action_done",
    "assessment_new",
    "assign",
    "buddy_change",
    "bulk_handover",
    "case_list",
    "case_page",
    "case_register_page",
    "emergency_open",
    "emergency_reviews",
    "erase_person",
    "escalation_new",
    "escalation_resolve_page",
    "escalation_step",
    "evaluation_new",
    "exit_decisions",
    "exit_propose_page",
    "exit_step",
    "export",
    "hand_over",
    "intervention_delete",
    "intervention_edit",
    "intervention_progress",
    "meeting_new",
    "move",
    "not_included",
    "notification",
    "person_edit",
    "person_page",
    "phase_change",
    "plan_compare",
    "plan_new",
    "plan_version",
    "saved_view_add",
    "saved_view_remove",
    "search",
    "share",
    "team",
    "team_leave",
]
