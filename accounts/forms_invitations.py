"""Forms of the invitation, activation and second-factor reset pages. They take
input; the rules are accounts.services_invitations'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .services_invitations import NAME_MAX_LENGTH, REASON_MAX_LENGTH


class InvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Voornaam"), max_length=NAME_MAX_LENGTH)
    last_name = forms.CharField(label=_("Achternaam"), max_length=NAME_MAX_LENGTH)
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        help_text=_("De uitnodiging gaat naar dit adres; het is ook de gebruikersnaam."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.order_by("name")
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Bijvoorbeeld: telefoon kwijt, gemeld door de gebruiker zelf op 3 december. "
            "De reden staat in het toegangslog."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActivationForm(forms.Form):
    """A new password twice (an invitation) or the current one (a second-factor reset),
    and the code the new authenticator shows."""

    password = forms.CharField(
        label=_("Nieuw wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Nieuw wachtwoord nogmaals"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    code = forms.CharField(
        label=_("Code uit de app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, new_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if new_password:
            self.fields["password"].help_text = " ".join(password_validators_help_texts())
        else:
            del self.fields["password_again"]
            password = self.fields["password"]
            password.label = _("Uw wachtwoord")
            password.help_text = _("Uw wachtwoord blijft zoals het was.")
            password.widget.attrs["autocomplete"] = "current-password"
