from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("De code uit uw authenticator-app, of een van uw reservecodes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class EnrolmentForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit de app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReauthenticationForm(forms.Form):
    """Password and a current code, before an authenticator is replaced."""

    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("Huidige code"),
        max_length=16,
        help_text=_("De code uit uw huidige authenticator-app, of een van uw reservecodes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )
