"""Forms of the pool pages. They take input; the rules are the services'."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from kernel.locking import RevisionField

from .models import Absence, PoolRule, Region, Regisseur, TeamActivity
from .selectors import managers, regisseurs_active, users_without_membership


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO (yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _text(label: Any, rows: int = 4) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        organisation = f" ({user.organisation})" if user.organisation_id else ""
        return f"{user}{organisation}"


class _RegisseurChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        regisseur: Regisseur = obj
        return f"{regisseur.user} ({regisseur.organisation})"


def _fte_field() -> forms.DecimalField:
    # localize: "0,5" as a Dutch user types it; the service checks the range.
    return forms.DecimalField(
        label=_("Fte als regisseur"),
        localize=True,
        help_text=_("Bijvoorbeeld 0,5 of 1. Per 1,0 fte maximaal 12 casussen."),
    )


def _manager_field() -> _UserChoice:
    return _UserChoice(
        label=_("Leidinggevende moederorganisatie"), queryset=managers(), required=False
    )


def _region_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Alleen casussen uit regio"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("Geen beperking"),
    )


def _remark_field() -> forms.CharField:
    return forms.CharField(
        label=_("Bijzonderheden"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: gedetacheerd vanuit JBRA."),
    )


# --- membership ---------------------------------------------------------------------


class RegisseurAddForm(forms.Form):
    user = _UserChoice(label=_("Gebruiker"), queryset=users_without_membership())
    organisation = forms.ModelChoiceField(
        label=_("Moederorganisatie"), queryset=Organisation.objects.all()
    )
    fte = _fte_field()
    region_restriction = _region_field()
    manager = _manager_field()
    remark = _remark_field()
    active_from = _date(_("Actief vanaf"))
    active_until = _date(_("Actief tot en met"), required=False)


class RegisseurEditForm(forms.Form):
    fte = _fte_field()
    region_restriction = _region_field()
    manager = _manager_field()
    remark = _remark_field()
    revision = RevisionField()

    @staticmethod
    def initial_for(regisseur: Regisseur) -> dict[str, Any]:
        return {
            "fte": regisseur.fte,
            "region_restriction": regisseur.region_restriction_id,
            "manager": regisseur.manager_id,
            "remark": regisseur.remark,
            "revision": regisseur.revision,
        }


class EndMembershipForm(forms.Form):
    last_day = _date(
        _("Laatste dag in de pool"),
        help_text=_("De regisseur is tot en met deze dag lid van de pool."),
    )


# --- absences -----------------------------------------------------------------------


class AbsenceForm(forms.Form):
    starts_on = _date(_("Van"))
    ends_on = _date(_("Tot en met"))
    reason = forms.CharField(
        label=_("Reden"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld verlof of ziekte; geen medische gegevens."),
    )
    stand_in = _RegisseurChoice(
        label=_("Vervanger"),
        queryset=Regisseur.objects.none(),
        required=False,
        help_text=_("Neemt de casussen waar zolang de regisseur afwezig is."),
    )

    def __init__(self, *args: Any, regisseur: Regisseur, on: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whoever is in the pool today; the service checks the whole absence period.
        self.fields["stand_in"].queryset = regisseurs_active(on=on).exclude(  # type: ignore[attr-defined]
            pk=regisseur.pk
        )


class AbsenceEditForm(AbsenceForm):
    revision = RevisionField()

    @staticmethod
    def initial_for(absence: Absence) -> dict[str, Any]:
        return {
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "reason": absence.reason,
            "stand_in": absence.stand_in_id,
            "revision": absence.revision,
        }


class AbsenceEndForm(forms.Form):
    ends_on = _date(
        _("Laatste dag van de afwezigheid"),
        help_text=_("De regisseur is de dag daarna weer aan het werk."),
    )
    revision = RevisionField()


# --- caseload reviews and three-way talks -------------------------------------------


class _TalkWithRegisseurForm(forms.Form):
    """A conversation the programme team holds with an active regisseur on a day: a
    caseload review or a three-way talk. Subclasses add their own fields after these."""

    regisseur = _RegisseurChoice(label=_("Regisseur"), queryset=Regisseur.objects.none())
    held_on = _date(_("Datum"))

    def __init__(self, *args: Any, on: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regisseur"].queryset = regisseurs_active(on=on)  # type: ignore[attr-defined]


class CaseloadReviewForm(_TalkWithRegisseurForm):
    progress = _text(_("Voortgang"))
    content = _text(_("Inhoud"))
    registration = _text(_("Registratie"))
    requirements = _text(_("Gestelde eisen"))
    assignments = _text(_("Gegeven opdrachten"))


class ThreeWayTalkForm(_TalkWithRegisseurForm):
    manager = _UserChoice(
        label=_("Leidinggevende"),
        queryset=managers(),
        help_text=_("De leidinggevende van de regisseur in de moederorganisatie."),
    )
    notes = _text(_("Verslag"), rows=6)
    agreements = _text(_("Afspraken"))


# --- team rhythm --------------------------------------------------------------------


class _AttendeeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        regisseur: Regisseur = obj
        return str(regisseur.user)


class TeamActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=TeamActivity.Kind.choices)
    held_on = _date(_("Datum"))
    topic = forms.CharField(label=_("Onderwerp"), max_length=200, required=False)
    series_name = forms.CharField(
        label=_("Reeks"),
        max_length=100,
        required=False,
        help_text=_("Voor intervisie: de naam van de reeks, bijvoorbeeld 'Intervisie 2026'."),
    )
    series_number = forms.IntegerField(label=_("Nummer in reeks"), required=False, min_value=1)
    series_size = forms.IntegerField(
        label=_("Aantal bijeenkomsten in reeks"), required=False, min_value=1
    )
    notes = _text(_("Verslag"))
    present = _AttendeeChoices(
        label=_("Aanwezig"),
        queryset=Regisseur.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Wie niet is aangevinkt, staat als afwezig op de lijst."),
    )

    def __init__(self, *args: Any, on: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = regisseurs_active(on=on)  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """One line of an activity's attendance list, changed in place."""

    regisseur = forms.ModelChoiceField(queryset=Regisseur.objects.all(), widget=forms.HiddenInput)
    present = forms.TypedChoiceField(
        label=_("Aanwezig"),
        choices=[("1", _("Aanwezig")), ("0", _("Afwezig"))],
        coerce=lambda value: value == "1",
    )


# --- the decisions of the Directeurenoverleg ---------------------------------------------


class PoolDecisionForm(forms.Form):
    decided_on = _date(_("Datum van het besluit"))
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    text = forms.CharField(
        label=_("Tekst van het besluit"), widget=forms.Textarea(attrs={"rows": 5})
    )
    rule = forms.ChoiceField(
        label=_("Regel van de pool die op dit besluit rust"),
        choices=[("", _("Geen (een ander besluit)")), *PoolRule.choices],
        required=False,
        help_text=_(
            "Het laatste besluit over een regel wordt op de poolpagina's als bron van die "
            "regel genoemd."
        ),
    )
