"""Forms of the monitoring pages. They take input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALWAYS_DELIVERED_KINDS, Notification, NotificationChannel

PREFERENCE_HELP: dict[str, Any] = {
    Notification.Kind.REMINDER: _(
        "Wat binnenkort of te laat moet gebeuren (UVO, evaluatie, caseloadbespreking, "
        "driegesprek, uitstroomvoorstel). De lijst 'Nu aan de beurt' op de pagina Meldingen "
        "toont het altijd, ook als u deze meldingen uitzet."
    ),
    Notification.Kind.MONITOR_READY: _("Een nieuwe kwartaalmonitor staat klaar."),
    Notification.Kind.EMERGENCY_ACCESS: _(
        "Iemand heeft noodtoegang tot een casus geopend. Deze meldingen kunnen niet uit."
    ),
}


class NotificationPreferencesForm(forms.Form):
    """One choice of channel per kind of notification the user can get."""

    def __init__(self, *args: Any, kinds: list[str], initial_channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Notification.Kind.choices)
        for kind in kinds:
            choices = [
                (value, label)
                for value, label in NotificationChannel.choices
                if not (value == NotificationChannel.NONE and kind in ALWAYS_DELIVERED_KINDS)
            ]
            self.fields[kind] = forms.ChoiceField(
                label=labels[kind],
                choices=choices,
                initial=initial_channels.get(kind),
                help_text=PREFERENCE_HELP.get(kind, ""),
            )
