"""The start of a case in the programme team's hands: the aanmelding with its "already
known" check, the weighing that must find both criteria before anyone is assigned,
closing a case the weighing does not take in, the assignment page with each
candidate's room, and the notification letter. Refusals change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Organisation, RoleGrant, RoleGrantStatus
from accounts.roles import Role
from audit.models import AccessLog
from cases.models import Assignment, Case, CaseStatus, Person, Phase
from cases.selectors.intake import assignment_candidates, cases_already_known
from cases.services.assignments import (
    ASSIGN_CASE_NOT_INCLUDED,
    ASSIGN_NEEDS_INCLUSION,
    case_assign,
)
from cases.services.intake import (
    NOT_INCLUDED_BUT_CRITERIA_MET,
    NOT_INCLUDED_NEEDS_WEIGHING,
    REFERRER_NOT_KERNPARTNER,
    case_close_not_included,
    case_register,
    case_sign_notification,
)
from cases.views.intake import CASE_ASSIGNED, NOTIFICATION_RECORDED
from kernel.errors import STALE_RECORD, RuleViolation
from tests.factories import (
    REGISTERED_ON,
    AbsenceFactory,
    AssessmentFactory,
    CaseFactory,
    OrganisationFactory,
    PersonFactory,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
    weigh_in,
)

from .conftest import client_for, with_role

pytestmark = pytest.mark.django_db

VALID_BSN = "111222333"  # passes the elfproef
BIRTH = datetime.date(1999, 5, 17)
REASON = "Nieuwe casus, toegewezen op ruimte in de caseload."


@pytest.fixture
def programme_team():
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


def registered(by, **overrides) -> Case:
    data = {
        "number": "R-2026-001",
        "region": RegionFactory(),
        "registered_on": REGISTERED_ON,
        "first_name": "Testpersoon",
        "last_name": "Fictief",
        "date_of_birth": BIRTH,
        "address": "Voorbeeldstraat 1",
        "by": by,
    }
    return case_register(**{**data, **overrides})


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.regisseur_id,
        case.buddy_id,
        case.revision,
        Assignment.objects.filter(case=case).count(),
    )


# --- services: inclusion before assignment --------------------------------------------


def test_assignment_is_refused_until_a_weighing_finds_both_criteria(author):
    case = registered(author)
    before = snapshot(case)
    regisseur, buddy = RegisseurFactory(), RegisseurFactory()

    with pytest.raises(RuleViolation) as refused:
        case_assign(
            case=case, regisseur=regisseur, buddy=buddy, on=REGISTERED_ON, reason=REASON, by=author
        )
    assert refused.value.message == ASSIGN_NEEDS_INCLUSION
    assert snapshot(case) == before

    AssessmentFactory(case=case, assessed_on=REGISTERED_ON, safety_criterion=False)
    with pytest.raises(RuleViolation) as refused:
        case_assign(
            case=case, regisseur=regisseur, buddy=buddy, on=REGISTERED_ON, reason=REASON, by=author
        )
    assert refused.value.code == "not_included_yet"
    assert snapshot(case) == before

    weigh_in(case, by=author, on=REGISTERED_ON + datetime.timedelta(days=1))
    result = case_assign(
        case=case,
        regisseur=regisseur,
        buddy=buddy,
        on=REGISTERED_ON + datetime.timedelta(days=1),
        reason=REASON,
        by=author,
    )
    assert (result.case.regisseur, result.case.buddy) == (regisseur, buddy)


def test_a_case_the_weighing_does_not_take_in_is_closed_with_its_reasoning(author):
    case = registered(author)
    with pytest.raises(RuleViolation) as refused:
        case_close_not_included(case=case, on=REGISTERED_ON, reason="Geen risico.", by=author)
    assert refused.value.message == NOT_INCLUDED_NEEDS_WEIGHING

    weigh_in(case, by=author)
    before = snapshot(case)
    with pytest.raises(RuleViolation) as refused:
        case_close_not_included(case=case, on=REGISTERED_ON, reason="Geen risico.", by=author)
    assert refused.value.message == NOT_INCLUDED_BUT_CRITERIA_MET
    assert snapshot(case) == before

    AssessmentFactory(
        case=case, assessed_on=REGISTERED_ON + datetime.timedelta(days=2), safety_criterion=False
    )
    with pytest.raises(ValidationError):
        case_close_not_included(case=case, on=REGISTERED_ON, reason="  ", by=author)
    assert snapshot(case) == before

    closed = case_close_not_included(
        case=case,
        on=REGISTERED_ON + datetime.timedelta(days=3),
        reason="Geen risico op geweld vanuit ideologie.",
        by=author,
    )
    assert (closed.status, closed.not_included_on, closed.not_included_reason) == (
        CaseStatus.NOT_INCLUDED,
        REGISTERED_ON + datetime.timedelta(days=3),
        "Geen risico op geweld vanuit ideologie.",
    )
    assert not closed.is_open
    with pytest.raises(RuleViolation) as refused:
        case_assign(
            case=closed,
            regisseur=RegisseurFactory(),
            buddy=RegisseurFactory(),
            on=REGISTERED_ON + datetime.timedelta(days=4),
            reason=REASON,
            by=author,
        )
    assert refused.value.message == ASSIGN_CASE_NOT_INCLUDED
    with pytest.raises(RuleViolation):
        case_sign_notification(case=closed, signed_on=REGISTERED_ON, by=author)


def test_the_referring_partner_is_a_kernpartner_and_a_refusal_creates_nothing(author):
    other = OrganisationFactory(code="buurthuis", kind=Organisation.Kind.INTERVENTIEPARTNER)
    with pytest.raises(ValidationError) as refused:
        registered(author, referred_by=other)
    assert refused.value.messages == [str(REFERRER_NOT_KERNPARTNER)]
    assert not Case.objects.exists()

    politie = OrganisationFactory(code="politie")
    case = registered(
        author, referred_by=politie, interpretation=" Duiding ", preliminary_findings="Signalen."
    )
    assert (case.referred_by, case.interpretation, case.preliminary_findings) == (
        politie,
        "Duiding",
        "Signalen.",
    )


# --- selectors ------------------------------------------------------------------------


def test_an_already_known_person_is_found_by_bsn_or_by_name_and_birth_date(programme_team):
    by_bsn = PersonFactory(bsn=VALID_BSN, case=CaseFactory(number="R-1"))
    by_name = PersonFactory(
        first_name="Sam", last_name="Jansen", date_of_birth=BIRTH, case=CaseFactory(number="R-2")
    )
    PersonFactory(
        first_name="Sam",
        last_name="Jansen",
        date_of_birth=datetime.date(2001, 1, 1),
        case=CaseFactory(number="R-3"),
    )

    found = cases_already_known(
        reader=programme_team, bsn=VALID_BSN, first_name="sam", last_name="JANSEN",
        date_of_birth=BIRTH,
    )  # fmt: skip

    assert [(k.number, k.is_open) for k in found] == [("R-1", True), ("R-2", True)]
    assert [k.url for k in found] == [
        reverse("cases:detail", args=[by_bsn.case.pk]),
        reverse("cases:detail", args=[by_name.case.pk]),
    ]


def test_a_known_case_the_reader_may_not_see_is_named_without_a_link():
    reader = with_role(RegisseurFactory().user, Role.REGISSEUR)
    PersonFactory(bsn=VALID_BSN, case=CaseFactory(number="R-9", exited=True))
    [known] = cases_already_known(
        reader=reader, bsn=VALID_BSN, first_name="", last_name="", date_of_birth=None
    )
    assert (known.number, known.is_open, known.url) == ("R-9", False, "")


def test_candidates_show_free_places_region_restriction_and_absence(today):
    amstelland = RegionFactory(name="Amstelland")
    busy = RegisseurFactory(fte=Decimal("0.5"), region_restriction=amstelland)
    CaseFactory.create_batch(7, regisseur=busy)
    AbsenceFactory(regisseur=busy, starts_on=today, ends_on=today + datetime.timedelta(days=3))

    by_regisseur = {c.regisseur.pk: c for c in assignment_candidates(on=today)}

    candidate = by_regisseur[busy.pk]
    assert (candidate.capacity, candidate.free_places, candidate.over_capacity) == (6, -1, True)
    assert candidate.region_restriction == "Amstelland"
    assert candidate.absent_until == today + datetime.timedelta(days=3)


# --- pages ------------------------------------------------------------------------------


def register_data(**overrides) -> dict:
    data = {
        "number": "R-2026-050",
        "region": RegionFactory().pk,
        "registered_on": "2026-11-20",
        "referred_by": OrganisationFactory(code="politie").pk,
        "first_name": "Sam",
        "last_name": "Jansen",
        "date_of_birth": "1999-05-17",
        "bsn": VALID_BSN,
        "address": "",
        "interpretation": "Signalen van radicalisering, geduid door de politie.",
        "preliminary_findings": "Gesprekken met school en wijkteam.",
    }
    return {**data, **overrides}


def test_the_aanmelding_refuses_a_bsn_that_fails_the_elfproef_with_400(today, programme_team):
    response = client_for(programme_team).post(
        reverse("cases:register"), register_data(bsn="123456789")
    )
    assert response.status_code == 400
    assert "elfproef" in response.content.decode()
    assert not Case.objects.exists()


def test_the_aanmelding_registers_the_case_and_leads_to_the_weighing(today, programme_team):
    client = client_for(programme_team)
    assert client.get(reverse("cases:register")).status_code == 200

    response = client.post(reverse("cases:register"), register_data(), follow=True)

    case = Case.objects.select_related("referred_by").get(number="R-2026-050")
    assert case.referred_by is not None
    assert (case.status, case.phase, case.referred_by.code) == (
        CaseStatus.REGISTERED,
        Phase.CONTACT,
        "politie",
    )
    assert Person.objects.get(case=case).bsn == VALID_BSN
    assert 'data-primary-action="assessment"' in response.content.decode()


def test_an_already_known_person_is_shown_and_registered_only_when_confirmed(today, programme_team):
    known = PersonFactory(bsn=VALID_BSN, case=CaseFactory(number="R-OLD", exited=True)).case
    client = client_for(programme_team)
    searches = AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count()

    response = client.post(reverse("cases:register"), register_data())

    assert response.status_code == 200
    page = response.content.decode()
    assert "R-OLD" in page and reverse("cases:detail", args=[known.pk]) in page
    assert "afgesloten" in page
    assert not Case.objects.filter(number="R-2026-050").exists()
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == searches + 1

    response = client.post(reverse("cases:register"), register_data(confirm_known="on"))
    assert response.status_code == 302
    assert Case.objects.filter(number="R-2026-050").exists()


def test_only_the_programme_team_registers(today):
    regisseur = with_role(RegisseurFactory().user, Role.REGISSEUR)
    response = client_for(regisseur).post(reverse("cases:register"), register_data())
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_assignment_page_refuses_before_the_weighing_with_409_in_dutch(
    today, programme_team, author
):
    case = registered(author)
    regisseur, buddy = RegisseurFactory(), RegisseurFactory()
    data = {
        "revision": case.revision,
        "regisseur": regisseur.pk,
        "buddy": buddy.pk,
        "on": today.isoformat(),
        "reason": REASON,
    }
    client = client_for(programme_team)

    response = client.post(reverse("cases:assign", args=[case.pk]), data)

    assert response.status_code == 409
    assert "Eerst de weging" in response.content.decode()
    assert snapshot(case)[1] is None

    weigh_in(case, by=author)
    data["revision"] = Case.objects.get(pk=case.pk).revision
    response = client.post(reverse("cases:assign", args=[case.pk]), data, follow=True)
    assert str(CASE_ASSIGNED) in response.content.decode()
    assert (
        'data-primary-action="notification"'
        in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )


def test_the_assignment_page_shows_room_and_warns_over_capacity(today, programme_team, author):
    case = registered(author)
    weigh_in(case, by=author)
    full = RegisseurFactory(fte=Decimal("0.5"))
    CaseFactory.create_batch(6, regisseur=full)
    buddy = RegisseurFactory()
    client = client_for(programme_team)

    page = client.get(reverse("cases:assign", args=[case.pk])).content.decode()
    assert "0 van 6 plaatsen vrij" in page

    response = client.post(
        reverse("cases:assign", args=[case.pk]),
        {
            "revision": Case.objects.get(pk=case.pk).revision,
            "regisseur": full.pk,
            "buddy": buddy.pk,
            "on": today.isoformat(),
            "reason": REASON,
        },
        follow=True,
    )
    assert "boven de maximale caseload" in response.content.decode()
    assert Case.objects.get(pk=case.pk).regisseur == full


def test_the_notification_letter_page_records_who_signed_and_starts_phase_1(
    today, programme_team, author
):
    case = registered(author)
    weigh_in(case, by=author)
    case_assign(
        case=case,
        regisseur=RegisseurFactory(),
        buddy=RegisseurFactory(),
        on=today,
        reason=REASON,
        by=author,
    )
    client = client_for(programme_team)
    url = reverse("cases:notification", args=[case.pk])

    refused = client.post(url, {"revision": case.revision + 1, "signed_on": "", "signed_by": ""})
    assert refused.status_code == 400

    response = client.post(
        url,
        {
            "revision": Case.objects.get(pk=case.pk).revision,
            "signed_on": today.isoformat(),
            "signed_by": "De burgemeester",
        },
        follow=True,
    )
    assert str(NOTIFICATION_RECORDED) in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.notification_signed_on, case.notification_signed_by) == (
        CaseStatus.IN_REGIE,
        today,
        "De burgemeester",
    )


def test_the_not_included_page_closes_the_case(today, programme_team, author):
    case = registered(author)
    AssessmentFactory(case=case, assessed_on=today, care_criterion=False)
    response = client_for(programme_team).post(
        reverse("cases:not_included", args=[case.pk]),
        {"revision": case.revision, "on": today.isoformat(), "reason": "Geen zorgproblemen."},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOT_INCLUDED


# --- a new regisseur gets the role in the same step ------------------------------------------


def test_adding_a_regisseur_requests_the_role_and_says_it_waits_for_approval(today, programme_team):
    newcomer = UserFactory()
    response = client_for(programme_team).post(
        reverse("pool:regisseur_add"),
        {
            "user": newcomer.pk,
            "organisation": newcomer.organisation.pk,
            "fte": "1.0",
            "active_from": today.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    grant = RoleGrant.objects.get(user=newcomer, role=Role.REGISSEUR)
    assert grant.requested_by == programme_team
    assert grant.status == RoleGrantStatus.REQUESTED
    assert "tweede lid van het programmateam" in response.content.decode()


# --- a stale revision: the form comes back with the current one -------------------------------


def _ready_to_sign(case, author, today) -> None:
    weigh_in(case, by=author)
    case_assign(
        case=case,
        regisseur=RegisseurFactory(),
        buddy=RegisseurFactory(),
        on=today,
        reason=REASON,
        by=author,
    )


@pytest.mark.parametrize("page", ["assign", "notification", "not_included"])
def test_after_a_stale_refusal_the_intake_form_carries_the_current_revision(
    today, programme_team, author, page
):
    case = registered(author)
    if page == "assign":
        weigh_in(case, by=author)
        data = {"regisseur": RegisseurFactory().pk, "buddy": RegisseurFactory().pk}
        data |= {"on": today.isoformat(), "reason": REASON}
    elif page == "notification":
        _ready_to_sign(case, author, today)
        data = {"signed_on": today.isoformat(), "signed_by": "De burgemeester"}
    else:
        AssessmentFactory(case=case, assessed_on=today, care_criterion=False)
        data = {"on": today.isoformat(), "reason": "Geen zorgproblemen."}
    loaded = Case.objects.get(pk=case.pk).revision
    Case.objects.filter(pk=case.pk).update(revision=loaded + 1)  # changed in the meantime
    client = client_for(programme_team)
    url = reverse(f"cases:{page}", args=[case.pk])

    refused = client.post(url, {**data, "revision": loaded})

    assert refused.status_code == 409
    assert str(STALE_RECORD) in refused.content.decode()
    form = refused.context["form"]
    assert str(form["revision"].value()) == str(loaded + 1)
    before = snapshot(case)

    again = client.post(url, {**data, "revision": form["revision"].value()})
    assert again.status_code == 302, again.content.decode()[:2000]
    assert snapshot(case) != before
