"""Forms of the PTO-R meeting pages. They take input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import ExitProcedure
from kernel.locking import RevisionField

from .models import Attendance, ItemKind, Meeting, MeetingForm, Presence

EXIT_DECISION_CHOICE_REQUIRED = _("Kies het besluit: akkoord met uitstroom of niet akkoord.")


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO (yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label: Any, *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        meeting: Meeting = obj
        return f"{meeting.date:%d-%m-%Y} ({meeting.get_form_display().lower()})"


class NewMeetingForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    form = forms.ChoiceField(
        label=_("Vorm"),
        choices=MeetingForm.choices,
        help_text=_("Casuïstiek wordt alleen in een fysieke vergadering besproken."),
    )
    previous = _MeetingChoice(
        label=_("Stelt het verslag vast van"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Geen vorige vergadering"),
    )

    def __init__(self, *args: Any, previous: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = previous  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort"), choices=[c for c in ItemKind.choices if c[0] != ItemKind.CASE]
    )
    title = forms.CharField(label=_("Titel"), max_length=200)


class RevisionForm(forms.Form):
    """A step on the meeting itself (adopt the agenda, adopt the minutes, close)."""

    revision = RevisionField()


class AttendanceForm(forms.Form):
    """Present or absent, per member on the list."""

    def __init__(self, *args: Any, attendances: list[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for attendance in attendances:
            organisation = attendance.organisation or "–"
            self.fields[f"presence_{attendance.pk}"] = forms.ChoiceField(
                label=f"{attendance.member} ({organisation})",
                choices=[
                    ("", _("Kies")),
                    (Presence.PRESENT, _("Aanwezig")),
                    (Presence.ABSENT, _("Afwezig")),
                ],
                initial=attendance.presence if attendance.presence != Presence.UNKNOWN else "",
                required=False,
            )

    def presences(self) -> dict[int, str]:
        return {
            attendance.pk: value
            for attendance in self.attendances
            if (value := self.cleaned_data[f"presence_{attendance.pk}"])
        }


class _AttendanceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        attendance: Attendance = obj
        return f"{attendance.member} ({attendance.organisation or '–'})"


class ReactionForm(forms.Form):
    attendance = _AttendanceChoice(
        label=_("Lid dat afwezig was"), queryset=Attendance.objects.none()
    )
    received_on = forms.DateField(label=_("Ontvangen op"), widget=DateInput())
    reaction = _text(_("Reactie per mail"), required=True, rows=4)

    def __init__(self, *args: Any, absent: QuerySet[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendance"].queryset = absent  # type: ignore[attr-defined]


class ItemTextsForm(forms.Form):
    """An item's BESLUIT, CONCLUSIES and VERVOLG; a case item's BESLUIT is the exit
    decision's, recorded by a PTO-R member, so its form has no such field."""

    revision = RevisionField()
    decision = _text(_("Besluit"))
    conclusions = _text(_("Conclusies"))
    follow_up = _text(_("Vervolg"))

    def __init__(self, *args: Any, case: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case:
            del self.fields["decision"]


class ItemDecideForm(forms.Form):
    revision = RevisionField()
    # No choice preset: the meeting chooses, a form sent without a choice is refused.
    decision = forms.ChoiceField(
        label=_("Besluit over uitstroom"),
        choices=[("", _("Kies akkoord of niet akkoord")), *ExitProcedure.Decision.choices],
        error_messages={"required": EXIT_DECISION_CHOICE_REQUIRED},
    )
    reasoning = _text(_("Besluit (motivering)"), required=True)


class ItemCarryForm(forms.Form):
    revision = RevisionField()
    # The later meetings are read once for every item's form on the page.
    to = forms.TypedChoiceField(label=_("Doorschuiven naar"), coerce=int)

    def __init__(self, *args: Any, later: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.later = {meeting.pk: meeting for meeting in later}
        label = _MeetingChoice(queryset=Meeting.objects.none()).label_from_instance
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            ("", _("Kies een latere vergadering")),
            *((meeting.pk, label(meeting)) for meeting in later),
        ]

    def clean_to(self) -> Meeting:
        return self.later[self.cleaned_data["to"]]
