"""Emergency access ("break the glass"): only a regisseur, only with a reason, never
on one's own or an exited case, at most IPGAR_EMERGENCY_ACCESS_PER_DAY a day; it opens
the case for reading only for IPGAR_EMERGENCY_ACCESS_HOURS, every read under it is
flagged in the access log, and the programme team reviews it, ending or flagging it.

The pages (one answer for any number, no write under it, the review's end and flag,
the dashboard) are in test_emergency_views.py."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessLog
from cases.access import user_may
from cases.forms import NOT_TO_REVIEW
from cases.models import CaseStatus, EmergencyAccess
from cases.selectors.cases import emergency_accesses_flagged, emergency_accesses_to_review
from cases.services.emergency import (
    EMERGENCY_ALREADY_REVIEWED,
    EMERGENCY_DAILY_LIMIT,
    EMERGENCY_NOT_POSSIBLE,
    EMERGENCY_NOT_RUNNING,
    EMERGENCY_ONLY_REGISSEUR,
    EMERGENCY_REASON_TOO_SHORT,
    EMERGENCY_REVIEW_NOT_OWN,
    EMERGENCY_REVIEW_NOTE_REQUIRED,
    EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM,
    emergency_access_end,
    emergency_access_open,
    emergency_access_open_by_number,
    emergency_access_review,
)
from kernel.errors import RuleViolation
from tests.conftest import sign_in
from tests.factories import CaseFactory, UserFactory
from tests.queries import assert_same_query_count, count_queries

from .conftest import client_for, with_role

pytestmark = pytest.mark.django_db

REASON = "Melding van de politie vannacht; regisseur en buddy zijn beide onbereikbaar."
OPEN_URL = reverse("cases:emergency_open")
REVIEW_URL = reverse("emergency_review:list")


def break_glass(client, case, reason: str = REASON):
    return client.post(OPEN_URL, {"number": case.number, "reason": reason})


def matching(message) -> str:
    """A lazy message constant as a pattern for pytest.raises(match=...)."""
    return re.escape(str(message))


# --- opening ---------------------------------------------------------------------------


def test_a_regisseur_opens_a_colleagues_case_with_a_reason_and_it_is_logged(crew):
    before = AccessLog.objects.count()
    response = break_glass(client_for(crew.other_regisseur), crew.case)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[crew.case.pk])
    access = EmergencyAccess.objects.get()
    assert (access.case, access.user, access.reason) == (crew.case, crew.other_regisseur, REASON)
    assert access.expires_at - access.opened_at == datetime.timedelta(
        hours=settings.IPGAR_EMERGENCY_ACCESS_HOURS
    )
    [record] = AccessLog.objects.order_by("id")[before:]
    assert record.action == AccessLog.Action.EMERGENCY
    assert (record.emergency, record.purpose, record.case_id) == (True, REASON, crew.case.pk)


@pytest.mark.parametrize("reason", ["", "Even kijken."])
def test_without_a_real_reason_nothing_opens(crew, reason):
    response = break_glass(client_for(crew.other_regisseur), crew.case, reason)
    assert response.status_code == 400
    html = response.content.decode()
    if reason:
        assert str(EMERGENCY_REASON_TOO_SHORT) in html
        assert reason in html  # the input is kept
    assert crew.case.number in html
    assert not EmergencyAccess.objects.exists()
    case_page = client_for(crew.other_regisseur).get(reverse("cases:detail", args=[crew.case.pk]))
    assert case_page.status_code == 404


def test_ones_own_case_an_unknown_number_and_an_exited_case_are_refused_alike(crew):
    exited = CaseFactory(exited=True)
    refusals = []
    for user, number in (
        (crew.buddy, crew.case.number),
        (crew.other_regisseur, "R-99999"),
        (crew.other_regisseur, exited.number),
    ):
        with pytest.raises(RuleViolation, match=matching(EMERGENCY_NOT_POSSIBLE)) as refused:
            emergency_access_open_by_number(number=number, user=user, reason=REASON)
        refusals.append((refused.value.code, refused.value.messages))
    assert refusals[0] == refusals[1] == refusals[2]
    assert not EmergencyAccess.objects.exists()


def test_a_refused_attempt_stays_in_the_access_log_and_grants_nothing(crew):
    before = AccessLog.objects.count()
    with pytest.raises(RuleViolation):
        emergency_access_open_by_number(number="R-99999", user=crew.other_regisseur, reason=REASON)
    [record] = AccessLog.objects.order_by("id")[before:]
    assert (record.user, record.action, record.emergency) == (
        crew.other_regisseur,
        AccessLog.Action.EMERGENCY,
        False,
    )
    assert "R-99999" in record.object_label and record.purpose == REASON


@pytest.mark.parametrize("who", ["team_member", "programme_team", "pto_r", "privacy_officer"])
def test_only_a_regisseur_may_break_the_glass(crew, who):
    user = crew.of(who)
    client = client_for(user)
    assert client.get(OPEN_URL).status_code == 403
    assert break_glass(client, crew.case).status_code == 403
    with pytest.raises(RuleViolation, match=str(EMERGENCY_ONLY_REGISSEUR)):
        emergency_access_open(case=crew.case, user=user, reason=REASON)
    assert not EmergencyAccess.objects.exists()


def test_the_form_is_offered_to_a_regisseur(crew):
    response = client_for(crew.other_regisseur).get(OPEN_URL)
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()


def test_the_service_refuses_a_short_reason_an_exited_case_and_a_second_access(crew):
    with pytest.raises(ValidationError, match=str(EMERGENCY_REASON_TOO_SHORT)):
        emergency_access_open(case=crew.case, user=crew.other_regisseur, reason="   kort   ")
    exited = CaseFactory(exited=True)
    with pytest.raises(RuleViolation, match=matching(EMERGENCY_NOT_POSSIBLE)):
        emergency_access_open(case=exited, user=crew.other_regisseur, reason=REASON)
    emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    with pytest.raises(RuleViolation, match=matching(EMERGENCY_NOT_POSSIBLE)):
        emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    assert EmergencyAccess.objects.count() == 1


def test_emergency_access_reads_but_never_works_on_the_case(crew):
    emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    assert user_may(crew.other_regisseur, crew.case, "view_case")
    assert user_may(crew.other_regisseur, crew.case, "view_person_data")
    assert not user_may(crew.other_regisseur, crew.case, "work_on_case")


# --- the daily limit -------------------------------------------------------------------


def test_a_regisseur_opens_at_most_the_daily_limit(crew, settings, time_machine):
    settings.IPGAR_EMERGENCY_ACCESS_PER_DAY = 2
    cases = [CaseFactory() for _ in range(3)]
    for case in cases[:2]:
        emergency_access_open(case=case, user=crew.other_regisseur, reason=REASON)
    before = AccessLog.objects.count()

    limit = str(EMERGENCY_DAILY_LIMIT) % {"limit": 2}
    with pytest.raises(RuleViolation, match=re.escape(limit)):
        emergency_access_open(case=cases[2], user=crew.other_regisseur, reason=REASON)
    # An unknown number over the limit gets the limit too: it is checked first.
    with pytest.raises(RuleViolation, match=re.escape(limit)):
        emergency_access_open_by_number(number="R-99999", user=crew.other_regisseur, reason=REASON)

    assert EmergencyAccess.objects.count() == 2
    assert not user_may(crew.other_regisseur, cases[2], "view_case")
    refused = list(AccessLog.objects.order_by("id")[before:])
    assert [(r.action, r.emergency, r.case_id) for r in refused] == [
        (AccessLog.Action.EMERGENCY, False, cases[2].pk),
        (AccessLog.Action.EMERGENCY, False, None),
    ]
    # Another regisseur is not held to this one's count, and the next day counts anew.
    colleague = with_role(UserFactory(), Role.REGISSEUR)
    emergency_access_open(case=cases[2], user=colleague, reason=REASON)
    time_machine.shift(datetime.timedelta(days=1))
    emergency_access_open(case=CaseFactory(), user=crew.other_regisseur, reason=REASON)
    assert EmergencyAccess.objects.count() == 4


# --- ending early and flagging -----------------------------------------------------------


def test_a_review_that_ends_the_access_revokes_it_at_once(crew):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    reviewed = emergency_access_review(
        access=access, by=crew.programme_team, note="Niet nodig: de buddy was bereikbaar.", end=True
    )
    assert (reviewed.ended_by, reviewed.ended_at) == (crew.programme_team, timezone.now())
    assert reviewed.expires_at > timezone.now()  # what was granted stays on record
    assert not user_may(crew.other_regisseur, crew.case, "view_case")
    assert not EmergencyAccess.objects.active_at(timezone.now()).exists()
    # Ended, the glass may be broken again (and is reviewed again).
    emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)


def test_a_flagged_review_is_kept_for_follow_up_and_can_end_the_access_later(crew):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    emergency_access_review(
        access=access, by=crew.programme_team, note="Reden twijfelachtig.", flag=True
    )
    assert list(emergency_accesses_to_review()) == []
    assert list(emergency_accesses_flagged()) == [access]
    assert user_may(crew.other_regisseur, crew.case, "view_case")  # flagging alone ends nothing

    emergency_access_end(access=access, by=crew.programme_team)
    assert not user_may(crew.other_regisseur, crew.case, "view_case")
    with pytest.raises(RuleViolation, match=matching(EMERGENCY_NOT_RUNNING)):
        emergency_access_end(access=access, by=crew.programme_team)


def test_an_expired_access_cannot_be_ended_and_the_review_changes_nothing(crew, time_machine):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    time_machine.shift(datetime.timedelta(hours=settings.IPGAR_EMERGENCY_ACCESS_HOURS))
    with pytest.raises(RuleViolation, match=matching(EMERGENCY_NOT_RUNNING)):
        emergency_access_review(access=access, by=crew.programme_team, note="Te laat.", end=True)
    access.refresh_from_db()
    assert (access.is_reviewed, access.ended_at) == (False, None)


@pytest.mark.parametrize("who", ["regisseur", "other_regisseur", "team_member"])
def test_only_the_programme_team_ends_an_access(crew, who):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    with pytest.raises(RuleViolation, match=str(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM)):
        emergency_access_end(access=access, by=crew.of(who))
    assert user_may(crew.other_regisseur, crew.case, "view_case")


# --- reading under it ------------------------------------------------------------------


def test_every_read_under_emergency_access_is_flagged(crew):
    client = client_for(crew.other_regisseur)
    break_glass(client, crew.case)
    before = AccessLog.objects.count()

    case_page = client.get(reverse("cases:detail", args=[crew.case.pk]))
    person_page = client.get(reverse("cases:person", args=[crew.case.pk]))

    assert case_page.status_code == person_page.status_code == 200
    assert "noodtoegang" in case_page.content.decode()
    records = list(AccessLog.objects.order_by("id")[before:])
    assert [(r.object_type, r.emergency, r.purpose) for r in records] == [
        ("cases.case", True, REASON),
        ("cases.person", True, REASON),
    ]
    # "Mijn casussen" lists it apart, as a case opened under emergency access.
    my_cases = client.get(reverse("cases:list"))
    listed = [case for case, _due in my_cases.context["emergency_rows"]]
    assert [(c.number, c.under_emergency) for c in listed] == [(crew.case.number, True)]
    link = reverse("cases:detail", args=[crew.case.pk])
    assert (
        f'<a class="ams-link" href="{link}">{crew.case.number}</a>'
        ' <span class="ams-badge ams-badge--orange">noodtoegang</span>'
    ) in my_cases.content.decode()


def test_the_access_closes_after_its_hours(crew, time_machine):
    client = client_for(crew.other_regisseur)
    break_glass(client, crew.case)
    page = reverse("cases:detail", args=[crew.case.pk])
    hours = datetime.timedelta(hours=settings.IPGAR_EMERGENCY_ACCESS_HOURS)

    time_machine.shift(hours - datetime.timedelta(minutes=1))
    client = client_for(crew.other_regisseur)  # a fresh session: sessions idle out sooner
    assert client.get(page).status_code == 200
    time_machine.shift(datetime.timedelta(minutes=1))
    client = client_for(crew.other_regisseur)
    assert client.get(page).status_code == 404
    assert client.get(reverse("cases:person", args=[crew.case.pk])).status_code == 404
    assert client.get(reverse("cases:list")).context["emergency_rows"] == []
    # Once closed the glass may be broken again, and is logged again.
    assert break_glass(client, crew.case).status_code == 302
    assert EmergencyAccess.objects.count() == 2


def test_the_access_ends_when_the_case_exits(crew):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    assert user_may(crew.other_regisseur, crew.case, "view_person_data")
    type(crew.case).objects.filter(pk=crew.case.pk).update(
        status=CaseStatus.EXITED, exited_on=timezone.localdate()
    )
    assert not user_may(crew.other_regisseur, access.case, "view_case")


# --- review by the programme team -------------------------------------------------------


def test_emergency_accesses_are_listed_for_review_newest_first(crew, time_machine):
    first = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    time_machine.shift(datetime.timedelta(hours=1))
    colleague = with_role(UserFactory(), Role.REGISSEUR)
    second = emergency_access_open(case=crew.case, user=colleague, reason=REASON)
    assert list(emergency_accesses_to_review()) == [second, first]

    response = client_for(crew.programme_team).get(REVIEW_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert crew.case.number in html and REASON in html


@pytest.mark.parametrize(
    "who", ["regisseur", "other_regisseur", "team_member", "privacy_officer", "pto_r"]
)
def test_only_the_programme_team_reaches_the_review(crew, who):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    client = client_for(crew.of(who))
    assert client.get(REVIEW_URL).status_code == 403
    assert client.post(REVIEW_URL, {"access": access.pk, "note": "Akkoord"}).status_code == 403
    with pytest.raises(RuleViolation, match=str(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM)):
        emergency_access_review(access=access, by=crew.of(who), note="Akkoord")
    access.refresh_from_db()
    assert not access.is_reviewed


def test_the_programme_team_reviews_with_a_note_once(crew):
    access = emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    client = client_for(crew.programme_team)

    without_note = client.post(REVIEW_URL, {"access": access.pk, "note": ""})
    assert without_note.status_code == 400
    access.refresh_from_db()
    assert not access.is_reviewed

    note = "Terecht: de buddy was ziek en de regisseur met verlof."
    assert client.post(REVIEW_URL, {"access": access.pk, "note": note}).status_code == 302
    access.refresh_from_db()
    assert (access.reviewed_by, access.review_note) == (crew.programme_team, note)
    assert access.reviewed_at is not None
    assert list(emergency_accesses_to_review()) == []

    again = client.post(REVIEW_URL, {"access": access.pk, "note": "Nogmaals"})
    assert again.status_code == 400
    assert str(NOT_TO_REVIEW) in again.content.decode()
    with pytest.raises(RuleViolation, match=str(EMERGENCY_ALREADY_REVIEWED)):
        emergency_access_review(access=access, by=crew.programme_team, note="Nogmaals")


def test_the_service_wants_a_note_and_no_one_reviews_their_own_access(crew):
    both = with_role(with_role(UserFactory(), Role.REGISSEUR), Role.PROGRAMME_TEAM)
    # Programme team members see every case through their role, so they need no emergency
    # access; one recorded for them anyway (say before joining the team) is not theirs to judge.
    access = EmergencyAccess.objects.create(
        case=crew.case,
        user=both,
        reason=REASON,
        opened_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match=str(EMERGENCY_REVIEW_NOTE_REQUIRED)):
        emergency_access_review(access=access, by=crew.programme_team, note="  ")
    with pytest.raises(RuleViolation, match=str(EMERGENCY_REVIEW_NOT_OWN)):
        emergency_access_review(access=access, by=both, note="Akkoord")
    response = client_for(both).post(REVIEW_URL, {"access": access.pk, "note": "Akkoord"})
    assert response.status_code == 409  # a rule refuses it, the input was fine
    assert str(EMERGENCY_REVIEW_NOT_OWN) in response.content.decode()


def test_the_review_list_takes_the_same_queries_for_2_and_8_accesses(crew):
    client = client_for(crew.programme_team)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))

    def open_accesses(count: int) -> None:
        for _ in range(count):
            case = CaseFactory()
            emergency_access_open(
                case=case, user=with_role(UserFactory(), Role.REGISSEUR), reason=REASON
            )

    def review_list() -> CaptureQueriesContext:
        with count_queries() as queries:
            assert client.get(REVIEW_URL).status_code == 200
        return queries

    open_accesses(2)
    small = review_list()
    open_accesses(6)
    assert_same_query_count(small, review_list(), what="the review list")


def test_a_post_without_the_csrf_token_is_refused(crew):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, crew.other_regisseur)
    assert break_glass(client, crew.case).status_code == 403
    assert not EmergencyAccess.objects.exists()
