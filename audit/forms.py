"""The access-log search form: its fields become an AccessLogFilter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AccessLog
from .selectors import AccessLogFilter

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
PERIOD_REVERSED = _("De datum ‘tot en met’ ligt vóór de datum ‘vanaf’.")


def _date_field(label: _StrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150, required=False)
    case_number = forms.CharField(label=_("Casusnummer"), max_length=20, required=False)
    action = forms.ChoiceField(
        label=_("Handeling"),
        choices=[("", _("Alle handelingen")), *AccessLog.Action.choices],
        required=False,
    )
    basis = forms.ChoiceField(
        label=_("Grond van toegang"),
        choices=[("", _("Alle gronden")), *AccessLog.Basis.choices],
        required=False,
    )
    emergency_only = forms.BooleanField(label=_("Alleen noodtoegang"), required=False)
    since = _date_field(_("Vanaf"))
    until = _date_field(_("Tot en met"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise ValidationError(PERIOD_REVERSED, code="period_reversed")
        return cleaned

    def filters(self) -> AccessLogFilter:
        data = self.cleaned_data
        return AccessLogFilter(
            username=data["username"].strip(),
            case_number=data["case_number"].strip(),
            action=data["action"],
            basis=data["basis"],
            emergency_only=data["emergency_only"],
            since=data["since"],
            until=data["until"],
        )
