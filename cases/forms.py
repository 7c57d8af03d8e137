"""Forms of the case pages. They take input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Case, Meeting, PlanVersion
from .selectors.cases import case_by_number, emergency_accesses_to_review, meetings_of
from .selectors.plans import plan_versions_of
from .services.sharing import SHARE_WITH_MAX_LENGTH

UNKNOWN_CASE_NUMBER = "Onbekend casusnummer."
NOT_TO_REVIEW = "Deze noodtoegang staat niet (meer) ter beoordeling."


def form_add_service_error(
    form: forms.Form, error: ValidationError, fields_by_code: dict[str, str] | None = None
) -> None:
    """Show a service's error on the form: on the field its code names, else above it."""
    field = (fields_by_code or {}).get(error.code or "")
    form.add_error(field, error)


class EmergencyOpenForm(forms.Form):
    number = forms.CharField(label=_("Casusnummer"), max_length=20)
    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Waarom is inzage nu nodig, en waarom kan het niet wachten tot de regisseur of de "
            "buddy bereikbaar is? Het programmateam beoordeelt dit achteraf."
        ),
    )

    def clean_number(self) -> Case:
        case = case_by_number(self.cleaned_data["number"])
        if case is None:
            raise ValidationError(UNKNOWN_CASE_NUMBER, code="unknown_case")
        return case


class _PlanVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        version: PlanVersion = obj
        return f"{_('Versie')} {version.number} ({version.get_status_display()})"


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        meeting: Meeting = obj
        return f"{meeting.get_kind_display()} {meeting.held_on:%d-%m-%Y}"


class ShareForm(forms.Form):
    """What is shared comes from this case only: an id of another case's record is
    not among the choices, so the form refuses it."""

    plan_version = _PlanVersionChoice(
        label=_("Versie plan van aanpak"), queryset=PlanVersion.objects.none(), required=False
    )
    meeting = _MeetingChoice(label=_("UVO"), queryset=Meeting.objects.none(), required=False)
    shared_with = forms.CharField(
        label=_("Gedeeld met"),
        max_length=SHARE_WITH_MAX_LENGTH,
        help_text=_("Naam en organisatie van wie het gegeven ontvangt."),
    )
    ground = forms.CharField(
        label=_("Zwaarwegend belang"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Waarom weegt het belang van delen hier zwaarder dan de privacy van de persoon?"
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_version"].queryset = plan_versions_of(case)  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings_of(case)  # type: ignore[attr-defined]


class EmergencyReviewForm(forms.Form):
    access = forms.ModelChoiceField(
        queryset=emergency_accesses_to_review(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": NOT_TO_REVIEW},
    )
    note = forms.CharField(
        label=_("Beoordeling"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Was de noodtoegang gerechtvaardigd? Wat is er verder mee gedaan?"),
    )
