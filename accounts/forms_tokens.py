"""Forms of the sync-client pages. They take input; the rules are accounts.tokens'."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .tokens import RESOURCES

DEFAULT_LIFETIME_DAYS = 90
NO_ACCESS, READ, WRITE = "", "read", "write"


class SyncClientForm(forms.Form):
    name = forms.CharField(
        label=_("Naam van de koppeling"),
        max_length=100,
        help_text=_(
            "Het systeem dat synchroniseert, bijvoorbeeld het registratiesysteem van VeHaA."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )


class TokenIssueForm(forms.Form):
    """A name, an expiry date and, per API resource, no access, read, or read and write."""

    name = forms.CharField(
        label=_("Naam van het token"),
        max_length=100,
        help_text=_("Bijvoorbeeld waar het token gebruikt wordt: productie, acceptatie."),
    )
    expires_on = forms.DateField(
        label=_("Geldig tot en met"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Hooguit een jaar vanaf vandaag."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"expires_on": timezone.localdate() + datetime.timedelta(days=DEFAULT_LIFETIME_DAYS)},
        )
        super().__init__(*args, **kwargs)
        for resource in RESOURCES:
            self.fields[f"scope_{resource}"] = forms.ChoiceField(
                label=resource,
                required=False,
                choices=[
                    (NO_ACCESS, _("geen toegang")),
                    (READ, _("lezen")),
                    (WRITE, _("lezen en schrijven")),
                ],
            )

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[f"scope_{resource}"] for resource in RESOURCES]

    def scopes(self) -> list[str]:
        """The chosen scopes as the service takes them (``"<resource>:<mode>"``)."""
        return [
            f"{resource}:{mode}"
            for resource in RESOURCES
            if (mode := self.cleaned_data.get(f"scope_{resource}"))
        ]

    def expires_at(self) -> datetime.datetime:
        """Valid through the chosen day: the token expires when the next day begins."""
        next_day = self.cleaned_data["expires_on"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))
