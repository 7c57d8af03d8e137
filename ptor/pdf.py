"""The adopted minutes of a PTO-R meeting as a PDF: a Django template rendered by
WeasyPrint, shaped as PTO-R's own minutes (present and absent kernpartners, reactions
by mail, the agenda by kind with per item its BESLUIT, CONCLUSIES and VERVOLG). A case
item names its case by number only: no name, date of birth, address or BSN."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from .models import ItemKind, Meeting, Presence

PDF_TEMPLATE = "ptor/minutes_pdf.html"


def _organisations(attendances: list, presence: str) -> list[str]:
    names: list[str] = []
    for attendance in attendances:
        name = str(attendance.organisation or attendance.member)
        if attendance.presence == presence and name not in names:
            names.append(name)
    return names


def minutes_pdf(meeting: Meeting) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    attendances = list(meeting.attendances.all())
    items = list(meeting.items.all())
    with override("nl"):
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "meeting": meeting,
                "present": _organisations(attendances, Presence.PRESENT),
                "absent": _organisations(attendances, Presence.ABSENT),
                "reactions": [a for a in attendances if a.reaction],
                "sections": [
                    (label, [item for item in items if item.kind == kind])
                    for kind, label in ItemKind.choices
                ],
                "generated_at": timezone.localtime(),
            },
        )
    return HTML(string=html).write_pdf()
