from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ExitProcedure, Meeting, PlanVersion
from kernel.compiled import CompiledQuery
from kernel.forms import ChoicesReadAtOnce

from .models import Confidentiality, DocumentKind


class _MeetingsByDateAndKind(ChoicesReadAtOnce):
    """The choices read only what their labels show: a meeting's minutes (its agenda,
    development and decisions) can be long, and a case has an UVO a month."""

    def rows(self) -> Iterable[Any]:
        return self.queryset.only("pk", "held_on", "kind")


class MeetingChoice(forms.ModelChoiceField):
    iterator = _MeetingsByDateAndKind

    def label_from_instance(self, obj: Any) -> str:
        # The enum's label, not get_kind_display(), which rebuilds the choices every call.
        return f"{obj.held_on:%d-%m-%Y} ({Meeting.Kind(obj.kind).label})"


class PlanVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Versie %(number)s") % {"number": obj.number})


class ExitProcedureChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.opened_on:%d-%m-%Y} ({obj.get_ground_display()})"


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_REQUIRED = _("Kies een bestand.")


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort"), choices=DocumentKind.choices)
    date = forms.DateField(label=_("Datum"), widget=DATE_WIDGET)
    confidentiality = forms.ChoiceField(
        label=_("Vertrouwelijkheid"),
        choices=Confidentiality.choices,
        initial=Confidentiality.INTERNAL,
    )
    meeting = MeetingChoice(
        label=_("Hoort bij UVO"), queryset=Meeting.objects.none(), required=False
    )
    plan_version = PlanVersionChoice(
        label=_("Hoort bij versie van het plan van aanpak"),
        queryset=PlanVersion.objects.none(),
        required=False,
    )
    exit_procedure = ExitProcedureChoice(
        label=_("Hoort bij uitstroomprocedure"),
        queryset=ExitProcedure.objects.none(),
        required=False,
    )
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("PDF, PNG, JPEG of Word (docx). Het bestand wordt op virussen gescand."),
        error_messages={"required": FILE_REQUIRED, "empty": FILE_REQUIRED},
        allow_empty_file=True,  # the service refuses an empty file with its own message
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = cast(forms.ModelChoiceField, self.fields["meeting"])
        plans = cast(forms.ModelChoiceField, self.fields["plan_version"])
        exits = cast(forms.ModelChoiceField, self.fields["exit_procedure"])
        meetings.queryset = Meeting.objects.filter(case=case).order_by("-held_on")
        plans.queryset = PlanVersion.objects.filter(case=case).order_by("-number")
        exits.queryset = ExitProcedure.objects.filter(case=case).order_by("-opened_on")


class DocumentVersionForm(forms.Form):
    file = forms.FileField(
        label=_("Nieuwe versie"),
        help_text=_("De eerdere versies blijven bewaard."),
        error_messages={"required": FILE_REQUIRED, "empty": FILE_REQUIRED},
        allow_empty_file=True,
    )


class DocumentRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van verwijderen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Het bestand wordt definitief gewist; de reden wordt vastgelegd."),
    )


MEETING_REQUIRED = _("Kies de UVO waarvan het verslag gemaakt wordt.")


class MinutesForm(forms.Form):
    """The UVO whose minutes are made (the documents page)."""

    meeting = MeetingChoice(
        label=_("UVO"),
        queryset=Meeting.objects.none(),
        error_messages={"required": MEETING_REQUIRED, "invalid_choice": MEETING_REQUIRED},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = cast(forms.ModelChoiceField, self.fields["meeting"])
        meetings.queryset = Meeting.objects.filter(case=case).order_by("-held_on", "-pk")


# The UVOs of a case as the minutes form offers them, newest first: the documents page
# asks this on every view, so it is compiled once per process (kernel/compiled.py).
_MEETINGS_OFFERED: CompiledQuery[Meeting] = CompiledQuery(
    lambda case: (
        Meeting.objects.filter(case=case).order_by("-held_on", "-pk").only("pk", "held_on", "kind")
    )
)


def minutes_form_offered(case: Case) -> MinutesForm | None:
    """The documents page's form to make an UVO's minutes, its choices read once (to know
    there are any, and to show them); None while the case has no UVO."""
    held = _MEETINGS_OFFERED.instances(case=case)
    if not held:
        return None
    form = MinutesForm(case=case)
    meetings = cast(forms.ModelChoiceField, form.fields["meeting"])
    choice = meetings.iterator(meetings).choice
    empty = [] if meetings.empty_label is None else [("", meetings.empty_label)]
    meetings.choices = [*empty, *(choice(meeting) for meeting in held)]
    return form


class HandoverForm(forms.Form):
    include_bsn = forms.BooleanField(
        label=_("BSN opnemen in het dossier"),
        required=False,
        help_text=_(
            "Alleen als de nieuwe gemeente het nodig heeft. Deze keuze wordt bij het "
            "document en in het toegangslog vastgelegd."
        ),
    )
