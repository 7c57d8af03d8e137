"""Forms of the role pages. They take input; the rules are accounts.services_roles'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .services_oidc import SUBJECT_MAX_LENGTH
from .services_roles import REASON_MAX_LENGTH


def _reason(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Zoek op naam of gebruikersnaam"), required=False, max_length=100)


class RoleRequestForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    reason = _reason(
        _("Reden"),
        help_text=_(
            "Waarom heeft deze gebruiker de rol nodig? Een rol met toegang tot casusinhoud "
            "(programmateam, regisseur, lid interventieteam) is pas actief als een tweede "
            "persoon van het programmateam de aanvraag goedkeurt."
        ),
    )

    def __init__(self, *args: object, offered: list[Role] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if offered is not None:
            role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
            role_field.choices = [(role.value, role.label) for role in offered]


class RoleRevokeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, widget=forms.HiddenInput)
    reason = _reason(_("Reden van afnemen"))


class GrantApproveForm(forms.Form):
    note = _reason(_("Toelichting"), required=False)


class GrantRefuseForm(forms.Form):
    note = _reason(_("Waarom weigert u?"))


class OidcSubjectForm(forms.Form):
    subject = forms.CharField(
        label=_("Sub-claim van het Amsterdam-account"),
        required=False,
        max_length=SUBJECT_MAX_LENGTH,
        help_text=_(
            "De vaste code (sub) die de identiteitsprovider voor deze persoon afgeeft. "
            "Leeg: niet gekoppeld; de persoon logt dan alleen met wachtwoord in."
        ),
    )
