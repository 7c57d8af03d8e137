"""Forms of the case pages. They take input; the rules are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.selectors import ORGANISATIONS_BY_NAME, organisations_by_name
from kernel.locking import RevisionField
from pool.models import Region, Regisseur

from .models import (
    Assessment,
    Case,
    EscalationStep,
    Evaluation,
    ExitGround,
    Intervention,
    ItatAdvice,
    Meeting,
    Phase,
    Pillar,
    PlanVersion,
)
from .selectors.cases import (
    emergency_accesses_flagged,
    emergency_accesses_to_review,
    meetings_of,
)
from .selectors.plans import plan_versions_of
from .selectors.search import SEARCH_TERM_MAX_LENGTH, search_term_clean
from .services.plans import INTERVENTION_PILLAR_REQUIRED
from .services.sharing import SHARE_WITH_MAX_LENGTH

NEW_BUDDY_LABEL = _("nieuwe buddy")
NOT_TO_REVIEW = _("Deze noodtoegang staat niet (meer) ter beoordeling.")
NOT_TO_END = _("Deze noodtoegang staat niet (meer) ter opvolging.")


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
    # The number is not looked up here: the service refuses an unknown number exactly
    # as an exited case or one already open to the user, so the form leaks nothing.


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
    flag = forms.BooleanField(
        label=_("Markeren voor opvolging"),
        required=False,
        help_text=_("De noodtoegang blijft zichtbaar in de lijst voor opvolging."),
    )
    end = forms.BooleanField(
        label=_("Noodtoegang nu beëindigen"),
        required=False,
        help_text=_("Een lopende noodtoegang vervalt direct."),
    )


class EmergencyEndForm(forms.Form):
    """Ends a flagged access that still runs, after its review."""

    access = forms.ModelChoiceField(
        queryset=emergency_accesses_flagged(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": NOT_TO_END},
    )


# --- the workflow forms of the case pages ---------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = {"rows": 3}

MEETING_ADD_ROW = "rij_toevoegen"  # the submit button that asks for one more row
HAND_OVER_NOTHING_CHOSEN = _("Kies een nieuwe regisseur, een nieuwe buddy of beide.")
RECEIVER_REQUIRED = _("Kies een ontvanger voor deze casus.")


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


def _text(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=help_text,
    )


def organisations_to_choose() -> list[Organisation]:
    """The organisations a row of a formset chooses from, read once for a page whose
    formsets all take them (``organisations=``)."""
    return ORGANISATIONS_BY_NAME.instances()


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort overleg"), choices=Meeting.Kind.choices)
    first_uvo_part = forms.TypedChoiceField(
        label=_("Eerste UVO in twee bijeenkomsten"),
        choices=[("", _("Nee, in één bijeenkomst")), *Meeting.Part.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Alleen bij het eerste UVO: soms is het verstandig het in twee bijeenkomsten te "
            "organiseren. Deel 1 telt voor de termijn van het eerste UVO; het eerste UVO is "
            "compleet na deel 2."
        ),
    )
    held_on = _date(_("Datum"))
    person_attended = forms.BooleanField(label=_("De persoon nam deel"), required=False)
    agenda = _text(_("Agenda"), required=False)
    development = _text(_("Waargenomen ontwikkeling"), required=False)
    decisions = _text(_("Besluiten"), required=False)
    exit_in_sight = forms.BooleanField(
        label=_("Uitstroom in zicht besproken"),
        required=False,
        help_text=_("De vraag of de persoon kan uitstromen hoort in ieder UVO."),
    )


class _OrganisationChoice(forms.ModelChoiceField):
    """An organisation, in a row of a formset: the formset reads the organisations once
    and hands them to every row (``offer``), so a page of rows asks one query to show its
    choices and none to check them. On its own it is Django's ModelChoiceField, which asks
    a query per row to show the choices and another to check the chosen one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=organisations_by_name(), **kwargs)
        self._offered: dict[str, Organisation] | None = None

    def offer(self, organisations: list[Organisation]) -> None:
        self._offered = {str(organisation.pk): organisation for organisation in organisations}
        self.choices = [
            ("", self.empty_label),
            *(
                (organisation.pk, self.label_from_instance(organisation))
                for organisation in organisations
            ),
        ]

    def to_python(self, value: Any) -> Organisation | None:
        if self._offered is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self._offered[str(value)]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    organisation = _OrganisationChoice(label=_("Organisatie"))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Actie"), max_length=2000)
    owner_organisation = _OrganisationChoice(label=_("Eigenaar"))
    due_on = _date(_("Uiterlijk"))


class _DeleteLabelled(forms.BaseFormSet):
    delete_label = _("Verwijderen")

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label


class _RowsWithOrganisations(_DeleteLabelled):
    """Rows that each choose an organisation: read once for all rows (_OrganisationChoice),
    or once for the page when it hands every formset the same ``organisations``."""

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        self._organisation_list = organisations
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            if isinstance(field, _OrganisationChoice):
                if self._organisation_list is None:
                    self._organisation_list = organisations_to_choose()
                field.offer(self._organisation_list)


class _AttendeeFormSet(_RowsWithOrganisations):
    delete_label = _("Niet aanwezig")


AttendeeFormSet = cast(
    type[_AttendeeFormSet],
    forms.formset_factory(AttendeeForm, formset=_AttendeeFormSet, extra=1, can_delete=True),
)
ActionFormSet = cast(
    type[_RowsWithOrganisations],
    forms.formset_factory(ActionForm, formset=_RowsWithOrganisations, extra=1, can_delete=True),
)


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The cleaned rows that were filled in and not marked for deletion."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def formset_with_extra_row(
    formset_class: type[forms.BaseFormSet], data: Any, prefix: str, **kwargs: Any
) -> Any:
    """The posted formset with one empty row more, keeping every typed row (the
    "add a row" button, with or without JavaScript)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return formset_class(data, prefix=prefix, **kwargs)


class PlanTextForm(forms.Form):
    concerns = _text(_("Zorgen over radicalisering (gevaarsrisico)"))
    goals = _text(_("Doelen"))
    course = _text(_("Koers"))
    joint_task = _text(_("Gezamenlijke opgave (veiligheid en zorg)"))
    focus = _text(
        _("Focus van deze versie"),
        required=False,
        help_text=_("Vanaf versie 2: de nieuwe focus na de evaluatie of faseovergang."),
    )
    explanation = _text(_("Toelichting op deze versie"), required=False)


class PlanEditForm(PlanTextForm):
    revision = RevisionField()


class PlanNewFromForm(forms.Form):
    """The next version starts as a copy of the latest, with its own focus."""

    focus = _text(_("Focus van de nieuwe versie"))
    explanation = _text(_("Toelichting op de nieuwe versie"))


class InterventionForm(forms.Form):
    description = forms.CharField(label=_("Interventie"), max_length=2000)
    pillar = forms.ChoiceField(
        label=_("Pijler"),
        choices=[("", "---------"), *Pillar.choices],
        error_messages={"required": INTERVENTION_PILLAR_REQUIRED},
    )
    responsible_organisation = _OrganisationChoice(label=_("Verantwoordelijke organisatie"))
    deadline = _date(_("Termijn"))


InterventionFormSet = cast(
    type[_RowsWithOrganisations],
    forms.formset_factory(
        InterventionForm, formset=_RowsWithOrganisations, extra=1, can_delete=True
    ),
)


class InterventionAddForm(InterventionForm):
    revision = RevisionField()


class PlanAdviceForm(forms.Form):
    revision = RevisionField()
    given_on = _date(_("Datum advies"))
    recommendation = forms.ChoiceField(
        label=_("Strekking"), choices=ItatAdvice.Recommendation.choices
    )
    advice = _text(_("Advies van het ITAT-R"))


class PlanAdoptForm(forms.Form):
    revision = RevisionField()
    adopted_on = _date(_("Vastgesteld op"))


class PlanCompareForm(forms.Form):
    older = _PlanVersionChoice(label=_("Oudere versie"), queryset=PlanVersion.objects.none())
    newer = _PlanVersionChoice(label=_("Nieuwere versie"), queryset=PlanVersion.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("older", "newer"):
            self.fields[name].queryset = plan_versions_of(case)  # type: ignore[attr-defined]


class PhaseChangeForm(forms.Form):
    revision = RevisionField()
    to_phase = forms.TypedChoiceField(label=_("Naar fase"), coerce=int, choices=())
    on = _date(_("Datum"))
    reason = _text(
        _("Toelichting"),
        help_text=_(
            "Waarom gaat de casus naar deze fase? Het plan krijgt een nieuwe focus. Naar fase 3, "
            "het uitstroomproces: het gezamenlijk oordeel van het interventieteam."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One step forward or back; the service holds the rules for each step.
        steps = [p for p in Phase if abs(p.value - case.phase) == 1]
        self.fields["to_phase"].choices = [(p.value, p.label) for p in steps]  # type: ignore[attr-defined]


class ExitProposeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Grond voor uitstroom"), choices=ExitGround.choices)
    handover_organisation = forms.CharField(
        label=_("Organisatie warme overdracht"), max_length=200, required=False
    )
    destination = forms.CharField(
        label=_("Nieuwe gemeente of land"), max_length=200, required=False
    )
    ground_explanation = _text(_("Toelichting op de grond"), required=False)
    team_judgement = _text(
        _("Gezamenlijk oordeel van het interventieteam"),
        help_text=_("Het uitstroomvoorstel berust op het gezamenlijk oordeel van het team."),
    )
    on = _date(_("Datum voorstel"))


class ExitWithdrawForm(forms.Form):
    revision = RevisionField()
    on = _date(_("Datum intrekking"))
    reason = _text(
        _("Reden van intrekking"),
        help_text=_("Bijvoorbeeld: de verhuizing gaat niet door."),
    )


class InterventionProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Intervention.Status.choices)
    result = _text(
        _("Resultaat"),
        required=False,
        help_text=_("Verplicht als de interventie is afgerond of gestopt."),
    )


class ActionDoneForm(forms.Form):
    done_on = _date(_("Afgerond op"))


class AssessmentForm(forms.Form):
    assessed_on = _date(_("Datum weging"))
    care_criterion = forms.BooleanField(
        label=_("Zorgcriterium: er zijn problemen op leefgebieden"), required=False
    )
    safety_criterion = forms.BooleanField(
        label=_("Veiligheidscriterium: er is een risico op geweld"), required=False
    )
    risk_level = forms.ChoiceField(label=_("Risiconiveau"), choices=Assessment.RiskLevel.choices)
    reasoning = _text(_("Onderbouwing"))


EXIT_POSSIBLE_CHOICES = (("", _("Niet van toepassing")), ("ja", _("Ja")), ("nee", _("Nee")))


class EvaluationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort evaluatie"), choices=Evaluation.Kind.choices)
    held_on = _date(_("Datum"))
    findings = _text(_("Bevindingen"))
    exit_possible = forms.TypedChoiceField(
        label=_("Kan de persoon uitstromen?"),
        choices=EXIT_POSSIBLE_CHOICES,
        coerce=lambda value: value == "ja",
        empty_value=None,
        required=False,
        help_text=_("Verplicht bij de tweejaarlijkse evaluatie."),
    )
    care_criterion = forms.BooleanField(
        label=_("Zorgcriterium: er zijn problemen op leefgebieden"), required=False
    )
    safety_criterion = forms.BooleanField(
        label=_("Veiligheidscriterium: er is een risico op geweld"), required=False
    )
    risk_level = forms.ChoiceField(label=_("Risiconiveau"), choices=Assessment.RiskLevel.choices)
    reasoning = _text(
        _("Onderbouwing van de weging"),
        help_text=_(
            "Bij iedere evaluatie wordt opnieuw gewogen met het dynamisch beoordelingskader."
        ),
    )
    plan_needs_update = forms.BooleanField(
        label=_("Het plan van aanpak krijgt een nieuwe versie"), required=False
    )
    plan_focus = _text(_("Focus van de nieuwe versie"), required=False)
    plan_explanation = _text(_("Toelichting op de nieuwe versie"), required=False)


class _RegisseurChoice(forms.ModelChoiceField):
    """A pool member, labelled with how full his or her caseload is."""

    def __init__(self, *args: Any, places: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places or {}

    def label_from_instance(self, obj: Any) -> str:
        regisseur: Regisseur = obj
        place = self.places.get(regisseur.pk, "")
        return f"{regisseur} ({regisseur.organisation}){place}"


def caseload_labels(rows: Any) -> dict[int, str]:
    """ ", 5 van 12 plaatsen bezet" per regisseur, from the pool overview's rows."""
    return {
        row.regisseur_id: ", "
        + str(_("%(taken)s van %(capacity)s plaatsen bezet"))
        % {"taken": row.total_cases, "capacity": row.capacity}
        + (f" – {_('boven de maximale caseload')}" if row.over_capacity else "")
        for row in rows
    }


class _RegisseurChoiceForm(forms.Form):
    """A form whose regisseur choices (its ``_RegisseurChoice`` fields) offer
    ``regisseurs``, each labelled with his or her ``places`` (``caseload_labels``)."""

    def __init__(
        self, *args: Any, regisseurs: QuerySet[Regisseur], places: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, _RegisseurChoice):
                field.queryset = regisseurs
                field.places = places


class HandOverForm(_RegisseurChoiceForm):
    revision = RevisionField()
    to_regisseur = _RegisseurChoice(
        label=_("Nieuwe regisseur"), queryset=Regisseur.objects.none(), required=False
    )
    new_buddy = _RegisseurChoice(
        label=_("Nieuwe buddy"), queryset=Regisseur.objects.none(), required=False
    )
    on = _date(_("Met ingang van"))
    reason = _text(_("Reden"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("to_regisseur") and not cleaned.get("new_buddy"):
            raise ValidationError(HAND_OVER_NOTHING_CHOSEN, code="nothing_chosen")
        return cleaned


class _AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        name = user.get_full_name() or user.username
        return f"{name} ({user.organisation})" if user.organisation_id else name


class TeamMemberForm(forms.Form):
    """A professional joins the intervention team; the service checks the rules."""

    name = forms.CharField(label=_("Naam"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisatie (kernpartner)"), queryset=organisations_by_name()
    )
    role = forms.CharField(label=_("Rol in het team"), max_length=200, required=False)
    user = _AccountChoice(
        label=_("Account in ipgar"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Alleen als deze persoon een account heeft: dan leest hij of zij het plan en de "
            "UVO's van deze casus vanaf vandaag, tot de dag van vertrek uit het team."
        ),
    )
    sharing_basis = _text(
        _("Grondslag informatiedeling"),
        help_text=_(
            "Op welke grond wordt informatie over de casus met dit teamlid gedeeld "
            "(zwaarwegend belang)?"
        ),
    )
    joined_on = _date(_("Lid sinds"))

    def __init__(self, *args: Any, accounts: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts  # type: ignore[attr-defined]


class TeamLeaveForm(forms.Form):
    left_on = _date(
        _("Vertrokken op"),
        help_text=_("Vanaf deze dag leest het account van het teamlid de casus niet meer."),
    )


class BuddyChangeForm(_RegisseurChoiceForm):
    revision = RevisionField()
    new_buddy = _RegisseurChoice(label=_("Nieuwe buddy"), queryset=Regisseur.objects.none())
    on = _date(_("Met ingang van"))
    reason = _text(_("Reden"))


class PersonEditForm(forms.Form):
    revision = RevisionField()
    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    date_of_birth = _date(_("Geboortedatum"), required=False)
    address = _text(_("Adres"), required=False)
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=9,
        required=False,
        help_text=_("Negen cijfers; leeg laten als de persoon geen BSN heeft."),
    )


class MoveForm(forms.Form):
    """A move to another municipality or abroad: the exit procedure starts at once."""

    abroad = forms.TypedChoiceField(
        label=_("Verhuisd naar"),
        choices=[("nee", _("Een andere gemeente in Nederland")), ("ja", _("Het buitenland"))],
        coerce=lambda value: value == "ja",
    )
    destination = forms.CharField(label=_("Nieuwe gemeente of land"), max_length=200)
    municipality_contact = _text(
        _("Contact met de nieuwe gemeente"),
        required=False,
        help_text=_(
            "Bij een verhuizing binnen Nederland: met wie bij de nieuwe gemeente is contact "
            "gelegd en wat is afgesproken over de warme overdracht."
        ),
    )
    information_weighing = _text(
        _("Weging politie/OM over het doorgeven van informatie"),
        required=False,
        help_text=_(
            "Bij een verhuizing naar het buitenland: de weging van politie of OM of, en welke, "
            "informatie wordt doorgegeven."
        ),
    )
    moved_on = _date(_("Verhuisd op"))


class InterventionEditForm(InterventionForm):
    revision = RevisionField()


class InterventionRemoveForm(forms.Form):
    revision = RevisionField()


class BulkHandOverForm(forms.Form):
    """A receiver per open case of the leaving regisseur (``regie_<id>`` for the cases
    he or she directs, ``buddy_<id>`` for the buddy cases), proposed by
    ``suggest_distribution`` and changeable; for a directed case also a new buddy
    (``newbuddy_<id>``), needed when the case's buddy takes over."""

    on = _date(_("Laatste dag in de pool (dag van overdracht)"))
    reason = _text(_("Reden"))

    def __init__(
        self,
        *args: Any,
        suggestions: list[Any],
        regisseurs: QuerySet[Regisseur],
        places: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Any, str]] = []
        for suggestion in suggestions:
            name = f"{suggestion.role}_{suggestion.case.pk}"
            self.fields[name] = _RegisseurChoice(
                label=f"{suggestion.case.number} ({suggestion.role.label})",
                queryset=regisseurs,
                places=places,
                initial=suggestion.receiver.pk if suggestion.receiver else None,
                error_messages={"required": RECEIVER_REQUIRED},
            )
            if suggestion.role == "regisseur":
                self.fields[f"newbuddy_{suggestion.case.pk}"] = _RegisseurChoice(
                    label=f"{suggestion.case.number} ({NEW_BUDDY_LABEL})",
                    queryset=regisseurs,
                    places=places,
                    required=False,
                    initial=suggestion.new_buddy.pk if suggestion.new_buddy else None,
                )
            self.rows.append((suggestion, name))

    def bound_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """(suggestion, its receiver field) per case."""
        return [(suggestion, self[name]) for suggestion, name in self.rows]

    def table_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField | None]]:
        """(suggestion, its receiver field, its new-buddy field or None) per case, for
        the table."""
        return [
            (
                suggestion,
                field,
                self[f"newbuddy_{suggestion.case.pk}"] if suggestion.role == "regisseur" else None,
            )
            for suggestion, field in self.bound_rows()
        ]

    def new_buddies(self) -> dict[int, int]:
        """{case id: new buddy's regisseur id} where one is chosen."""
        chosen = {
            suggestion.case.pk: self.cleaned_data.get(f"newbuddy_{suggestion.case.pk}")
            for suggestion, _name in self.rows
            if suggestion.role == "regisseur"
        }
        return {case_id: regisseur.pk for case_id, regisseur in chosen.items() if regisseur}

    def distribution(self, role: str) -> dict[int, int]:
        """{case id: receiving regisseur id} for one role."""
        return {
            suggestion.case.pk: self.cleaned_data[name].pk
            for suggestion, name in self.rows
            if suggestion.role == role
        }


class CaseSearchForm(forms.Form):
    """The search field of the page header: a case number, or for who may search by
    person also a name or a BSN (cases/selectors/search.py)."""

    # No browser check before the submit: an empty field is answered by the server.
    use_required_attribute = False
    q = forms.CharField(label=_("Zoekterm"), max_length=SEARCH_TERM_MAX_LENGTH)

    def clean_q(self) -> str:
        return search_term_clean(self.cleaned_data["q"])


class SavedCaseViewForm(forms.Form):
    """Saving the case list's present selection under a name."""

    # The field is not marked invalid before anything was submitted.
    use_required_attribute = False
    name = forms.CharField(label=_("Naam van de selectie"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


# --- a stuck case (cases/services/escalations.py) ----------------------------------------


class EscalationOpenForm(forms.Form):
    stuck_since = _date(_("Vastgelopen sinds"))
    what_is_stuck = _text(_("Waar loopt de casus op vast?"))
    team_attempts = _text(
        _("Wat heeft het team zelf al geprobeerd?"),
        help_text=_(
            "De eerste stap is die van het team zelf; daarna volgen collega's, het "
            "programmateam of het ITAT-R, en dan een doorbraakoverleg."
        ),
    )


class EscalationStepForm(forms.Form):
    revision = RevisionField()
    kind = forms.ChoiceField(label=_("Stap"), choices=EscalationStep.Kind.choices)
    held_on = _date(_("Datum"))
    participants = _text(
        _("Wie"),
        required=False,
        help_text=_("Verplicht bij een doorbraakoverleg: wie namen deel (ook als UVO-plus)."),
    )
    outcome = _text(
        _("Uitkomst"),
        help_text=_("Wat heeft deze stap opgeleverd? Bij het ITAT-R: het advies op de casus."),
    )


class EscalationResolveForm(forms.Form):
    revision = RevisionField()
    on = _date(_("Vlotgetrokken op"))
    resolution = _text(_("Wat heeft de casus vlotgetrokken?"))


# --- the intake (aanmelding, assignment, notification letter) ---------------------------

KNOWN_CONFIRM = "bekend_bevestigd"  # the box that confirms registering a known person


class CaseRegisterForm(forms.Form):
    number = forms.CharField(label=_("Casusnummer"), max_length=20)
    region = forms.ModelChoiceField(label=_("Regio"), queryset=Region.objects.all())
    registered_on = _date(_("Aangemeld op"))
    referred_by = forms.ModelChoiceField(
        label=_("Aangemeld door (kernpartner)"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.KERNPARTNER).order_by("name"),
    )
    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    date_of_birth = _date(_("Geboortedatum"), required=False)
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=9,
        required=False,
        help_text=_(
            "Negen cijfers; leeg laten als de persoon geen BSN heeft of het niet bekend is."
        ),
    )
    address = _text(_("Adres"), required=False)
    interpretation = _text(
        _("Duiding"), help_text=_("Hoe de signalen over de persoon zijn geduid, en door wie.")
    )
    preliminary_findings = _text(
        _("Voortraject"),
        help_text=_("Wat het voortraject heeft opgeleverd: de informatie die al is verzameld."),
    )
    confirm_known = forms.BooleanField(
        label=_("Ik heb gezien dat deze persoon al bekend is, en meld de casus toch aan."),
        required=False,
    )


def candidate_labels(candidates: Any) -> dict[int, str]:
    """Beside each name: free places, region restriction and a current absence."""
    labels = {}
    for candidate in candidates:
        parts = [
            str(_("%(free)s van %(capacity)s plaatsen vrij"))
            % {"free": candidate.free_places, "capacity": candidate.capacity}
        ]
        if candidate.over_capacity:
            parts.append(str(_("boven de maximale caseload")))
        if candidate.region_restriction:
            parts.append(
                str(_("alleen regio %(region)s")) % {"region": candidate.region_restriction}
            )
        if candidate.absent_until is not None:
            parts.append(
                str(_("afwezig tot en met %(until)s"))
                % {"until": f"{candidate.absent_until:%d-%m-%Y}"}
            )
        labels[candidate.regisseur.pk] = " – " + ", ".join(parts)
    return labels


class CaseAssignForm(_RegisseurChoiceForm):
    revision = RevisionField()
    regisseur = _RegisseurChoice(label=_("Regisseur"), queryset=Regisseur.objects.none())
    buddy = _RegisseurChoice(label=_("Buddy"), queryset=Regisseur.objects.none())
    on = _date(_("Met ingang van"))
    reason = _text(_("Toelichting"))


class NotificationForm(forms.Form):
    revision = RevisionField()
    signed_on = _date(_("Getekend op"))
    signed_by = forms.CharField(
        label=_("Getekend door"),
        max_length=200,
        help_text=_("De burgemeester, of wie namens de burgemeester tekende."),
    )
    letter = forms.FileField(
        label=_("De getekende brief"),
        required=False,
        allow_empty_file=True,  # the documents service refuses an empty file in its words
        help_text=_(
            "PDF, PNG, JPEG of Word (docx). Het bestand wordt op virussen gescand en als "
            "document van de soort notificatiebrief bij de casus bewaard. Wordt het bestand "
            "geweigerd, dan wordt ook de notificatiebrief niet vastgelegd."
        ),
    )


class NotIncludedForm(forms.Form):
    revision = RevisionField()
    on = _date(_("Datum besluit"))
    reason = _text(_("Onderbouwing"))
