"""Making the documents ipgar writes itself: render (documents/pdf.py), then store as the
next version of the same document (documents/services.py ``document_generate``). Who may
is decided by the caller (documents/permissions.py ``may_generate_documents``)."""

from __future__ import annotations

from django.utils.translation import gettext, override

from accounts.models import User
from cases.models import Case, Meeting, PlanVersion

from . import pdf
from .models import DocumentKind, DocumentVersion, GeneratedAs
from .selectors import running_move
from .services import Generated, document_generate


def plan_generate(*, plan_version: PlanVersion, by: User) -> DocumentVersion:
    case = plan_version.case
    with override("nl"):
        title = gettext("Plan van aanpak versie %(number)s") % {"number": plan_version.number}
    return document_generate(
        case=case,
        by=by,
        pdf=pdf.plan_pdf(plan_version=plan_version, by=by),
        what=Generated(
            generated_as=GeneratedAs.PLAN,
            title=title,
            kind=DocumentKind.PLAN,
            file_name=f"plan-van-aanpak-{case.number}-v{plan_version.number}.pdf",
            plan_version=plan_version,
        ),
    )


def minutes_generate(*, meeting: Meeting, by: User) -> DocumentVersion:
    case = meeting.case
    with override("nl"):
        title = gettext("Verslag UVO %(date)s") % {"date": f"{meeting.held_on:%d-%m-%Y}"}
    return document_generate(
        case=case,
        by=by,
        pdf=pdf.minutes_pdf(meeting=meeting, by=by),
        what=Generated(
            generated_as=GeneratedAs.MINUTES,
            title=title,
            kind=DocumentKind.MINUTES,
            file_name=f"verslag-uvo-{case.number}-{meeting.held_on:%Y-%m-%d}.pdf",
            meeting=meeting,
        ),
    )


def handover_generate(*, case: Case, by: User, include_bsn: bool) -> DocumentVersion:
    procedure = running_move(case)
    with override("nl"):
        title = gettext("Overdrachtsdossier")
    return document_generate(
        case=case,
        by=by,
        pdf=pdf.handover_pdf(case=case, procedure=procedure, include_bsn=include_bsn, by=by),
        what=Generated(
            generated_as=GeneratedAs.HANDOVER,
            title=title,
            kind=DocumentKind.HANDOVER_FILE,
            file_name=f"overdrachtsdossier-{case.number}.pdf",
            exit_procedure=procedure,
        ),
        includes_bsn=include_bsn,
    )
