"""The documents ipgar writes itself, rendered by WeasyPrint from Django templates
(as the kwartaalmonitor is, monitoring/pdf.py): the plan of approach of one plan version
(what ITAT-R reads), the minutes of one UVO and the hand-over file of a case for a move
to another municipality. Each is stored as a document version through the same path as
an upload (documents/services.py ``document_generate``); its download carries the
reader's name and the time (documents/watermark.py)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from accounts.models import User
from cases.models import Case, ExitProcedure, Meeting, PlanVersion
from cases.selectors.cases import meetings_of, team_members_current
from cases.selectors.plans import current_plan, interventions_by_pillar

# How many of the latest UVOs the hand-over file summarises.
HANDOVER_MEETINGS = 5


def render_pdf(template: str, context: dict[str, Any], *, by: User) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    with override("nl"):
        html = render_to_string(
            template,
            {
                **context,
                "generated_at": timezone.localtime(),
                "generated_by": by.get_full_name() or by.get_username(),
            },
        )
    return bytes(HTML(string=html).write_pdf())


def plan_pdf(*, plan_version: PlanVersion, by: User) -> bytes:
    # Grouped by pillar (Straf, Zorg, Brusjes), by term within each, as the plan page.
    interventions = interventions_by_pillar().filter(plan_version=plan_version)
    return render_pdf(
        "documents/pdf/plan.html",
        {"case": plan_version.case, "plan": plan_version, "interventions": list(interventions)},
        by=by,
    )


def minutes_pdf(*, meeting: Meeting, by: User) -> bytes:
    return render_pdf(
        "documents/pdf/minutes.html",
        {
            "case": meeting.case,
            "meeting": meeting,
            "attendees": list(meeting.attendees.select_related("organisation").order_by("name")),
            "actions": list(
                meeting.actions.select_related("owner_organisation").order_by("due_on", "pk")
            ),
        },
        by=by,
    )


def handover_pdf(
    *, case: Case, procedure: ExitProcedure | None, include_bsn: bool, by: User
) -> bytes:
    """The summary, the plan that holds, the team and the latest UVOs; the BSN only
    when ``include_bsn`` (the maker asked for it, recorded on the version)."""
    plan = current_plan(case)
    person = getattr(case, "person", None)
    return render_pdf(
        "documents/pdf/handover.html",
        {
            "case": case,
            "procedure": procedure,
            "person": person,
            "include_bsn": include_bsn and person is not None,
            "plan": plan,
            "interventions": (
                list(interventions_by_pillar().filter(plan_version=plan))
                if plan is not None
                else []
            ),
            "team": list(team_members_current(case, on=timezone.localdate())),
            "meetings": list(meetings_of(case)[:HANDOVER_MEETINGS]),
        },
        by=by,
    )
