"""The emergency-access pages: the open form answers alike for any number until access
is granted, nothing can be changed under emergency access (no hand-over, buddy change,
share, UVO or plan), the daily limit, the programme team's review that ends or flags an
access, and the dashboard's reminder of accesses left unreviewed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cases.models import Assignment, Case, EmergencyAccess, Meeting, PlanVersion, ShareRecord
from cases.services.emergency import (
    EMERGENCY_DAILY_LIMIT,
    EMERGENCY_NOT_POSSIBLE,
    emergency_access_open,
    emergency_access_review,
)
from tests.factories import CaseFactory, MeetingFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

REASON = "Melding van de politie vannacht; regisseur en buddy zijn beide onbereikbaar."
OPEN_URL = reverse("cases:emergency_open")
REVIEW_URL = reverse("emergency_review:list")
DASHBOARD_URL = reverse("monitoring:dashboard")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def open_attempt(client, number: str):
    return client.post(OPEN_URL, {"number": number, "reason": REASON})


def case_state(case: Case) -> tuple:
    """What a write under emergency access would change."""
    case.refresh_from_db()
    return (
        case.revision,
        case.regisseur_id,
        case.buddy_id,
        case.phase,
        Assignment.objects.filter(case=case).count(),
        Meeting.objects.filter(case=case).count(),
        PlanVersion.objects.filter(case=case).count(),
        ShareRecord.objects.filter(case=case).count(),
    )


# --- one answer until access is granted ---------------------------------------------------


def test_unknown_exited_and_own_numbers_get_the_same_answer(crew):
    exited = CaseFactory(exited=True)
    already_open = CaseFactory()
    emergency_access_open(case=already_open, user=crew.buddy, reason=REASON)
    client = client_for(crew.buddy)
    before = EmergencyAccess.objects.count()

    answers = []
    for number in ("R-99999", exited.number, crew.case.number, already_open.number):
        response = open_attempt(client, number)
        # The number typed is shown back in the form, and the CSRF token differs: the
        # rest of the page must be the same, byte for byte.
        body = CSRF.sub("", response.content.decode()).replace(f'value="{number}"', "")
        answers.append((response.status_code, body))

    assert answers[0][0] == 409
    assert str(EMERGENCY_NOT_POSSIBLE) in answers[0][1]
    assert all(answer == answers[0] for answer in answers[1:])
    assert EmergencyAccess.objects.count() == before


# --- read-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route",
    [
        "hand_over",
        "share",
        "meeting_new",
        "plan_new",
        "phase_change",
        "assessment_new",
        "team",
        "buddy_change",
        "person_edit",
        "move",
    ],
)
def test_the_holder_reads_but_may_not_write(crew, route):
    client = client_for(crew.other_regisseur)
    assert open_attempt(client, crew.case.number).status_code == 302
    assert client.get(reverse("cases:detail", args=[crew.case.pk])).status_code == 200
    assert client.get(reverse("cases:person", args=[crew.case.pk])).status_code == 200
    before = case_state(crew.case)

    url = reverse(f"cases:{route}", args=[crew.case.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": REASON}).status_code == 403
    assert case_state(crew.case) == before


def test_the_holder_cannot_hand_the_case_to_themselves_or_change_the_buddy(crew):
    client = client_for(crew.other_regisseur)
    open_attempt(client, crew.case.number)
    before = case_state(crew.case)
    url = reverse("cases:hand_over", args=[crew.case.pk])
    today = timezone.localdate().isoformat()
    common = {"revision": crew.case.revision, "on": today, "reason": "Ik neem het over."}
    mine = crew.other_regisseur.regisseur.pk

    to_me = client.post(url, {**common, "to_regisseur": mine, "new_buddy": crew.buddy.regisseur.pk})
    as_buddy = client.post(url, {**common, "new_buddy": mine})

    assert (to_me.status_code, as_buddy.status_code) == (403, 403)
    assert case_state(crew.case) == before
    assert crew.case.regisseur.user != crew.other_regisseur


def test_the_holder_cannot_share_a_meeting(crew):
    meeting = MeetingFactory(case=crew.case)
    client = client_for(crew.other_regisseur)
    open_attempt(client, crew.case.number)
    before = case_state(crew.case)
    response = client.post(
        reverse("cases:share", args=[crew.case.pk]),
        {"meeting": meeting.pk, "shared_with": "Iemand", "ground": REASON},
    )
    assert response.status_code == 403
    assert case_state(crew.case) == before


def test_the_case_page_offers_no_changes_under_emergency_access(crew):
    client = client_for(crew.other_regisseur)
    open_attempt(client, crew.case.number)
    html = client.get(reverse("cases:detail", args=[crew.case.pk])).content.decode()
    assert "alleen om te lezen" in html
    for route in ("hand_over", "share", "meeting_new"):
        assert reverse(f"cases:{route}", args=[crew.case.pk]) not in html


# --- the daily limit ----------------------------------------------------------------------


def test_over_the_daily_limit_the_form_refuses_and_only_the_attempt_is_logged(crew):
    client = client_for(crew.other_regisseur)
    cases = [CaseFactory() for _ in range(settings.IPGAR_EMERGENCY_ACCESS_PER_DAY + 1)]
    for case in cases[:-1]:
        assert open_attempt(client, case.number).status_code == 302
    before = AccessLog.objects.count()

    response = open_attempt(client, cases[-1].number)

    assert response.status_code == 409
    limit = str(EMERGENCY_DAILY_LIMIT) % {"limit": settings.IPGAR_EMERGENCY_ACCESS_PER_DAY}
    assert limit in response.content.decode()
    assert EmergencyAccess.objects.count() == settings.IPGAR_EMERGENCY_ACCESS_PER_DAY
    [refused] = AccessLog.objects.order_by("id")[before:]
    assert (refused.action, refused.emergency, refused.case_id) == (
        AccessLog.Action.EMERGENCY,
        False,
        cases[-1].pk,
    )
    assert client.get(reverse("cases:detail", args=[cases[-1].pk])).status_code == 404


# --- the review: end early, flag -----------------------------------------------------------


def test_the_review_ends_an_access_at_once(crew):
    holder = client_for(crew.other_regisseur)
    open_attempt(holder, crew.case.number)
    access = EmergencyAccess.objects.get()
    page = reverse("cases:detail", args=[crew.case.pk])
    assert holder.get(page).status_code == 200

    response = client_for(crew.programme_team).post(
        REVIEW_URL, {"access": access.pk, "note": "Niet nodig.", "end": "on"}
    )

    assert response.status_code == 302
    access.refresh_from_db()
    assert (access.ended_by, access.is_reviewed) == (crew.programme_team, True)
    assert holder.get(page).status_code == 404
    assert holder.get(reverse("cases:person", args=[crew.case.pk])).status_code == 404


def test_a_flagged_review_is_shown_for_follow_up_and_can_be_ended_there(crew):
    open_attempt(client_for(crew.other_regisseur), crew.case.number)
    access = EmergencyAccess.objects.get()
    team = client_for(crew.programme_team)
    note = "Reden lijkt niet te kloppen; navragen bij de regisseur."

    assert (
        team.post(REVIEW_URL, {"access": access.pk, "note": note, "flag": "on"}).status_code == 302
    )
    access.refresh_from_db()
    assert (access.flagged, access.ended_at) == (True, None)
    page = team.get(REVIEW_URL)
    html = page.content.decode()
    assert [a.pk for a in page.context["flagged"]] == [access.pk]
    assert "Gemarkeerd voor opvolging" in html and note in html
    assert 'name="beeindigen"' in html

    assert team.post(REVIEW_URL, {"access": access.pk, "beeindigen": ""}).status_code == 302
    access.refresh_from_db()
    assert access.ended_by == crew.programme_team
    assert 'name="beeindigen"' not in team.get(REVIEW_URL).content.decode()
    # Ending again is refused: it has already ended.
    assert team.post(REVIEW_URL, {"access": access.pk, "beeindigen": ""}).status_code == 409


def test_only_the_programme_team_ends_an_access_on_the_page(crew):
    open_attempt(client_for(crew.other_regisseur), crew.case.number)
    access = EmergencyAccess.objects.get()
    emergency_access_review(access=access, by=crew.programme_team, note="Navragen.", flag=True)
    response = client_for(crew.regisseur).post(REVIEW_URL, {"access": access.pk, "beeindigen": ""})
    assert response.status_code == 403
    access.refresh_from_db()
    assert access.ended_at is None


# --- the dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_an_access_left_unreviewed_past_the_setting(crew, time_machine):
    emergency_access_open(case=crew.case, user=crew.other_regisseur, reason=REASON)
    days = datetime.timedelta(days=settings.IPGAR_EMERGENCY_REVIEW_DAYS)

    time_machine.shift(days - datetime.timedelta(minutes=1))
    html = client_for(crew.programme_team).get(DASHBOARD_URL).content.decode()
    assert "niet beoordeeld" not in html

    time_machine.shift(datetime.timedelta(minutes=2))
    response = client_for(crew.programme_team).get(DASHBOARD_URL)
    html = response.content.decode()
    assert response.context["emergency"]["overdue"] == 1
    assert (
        f"1 noodtoegang langer dan {settings.IPGAR_EMERGENCY_REVIEW_DAYS} dagen niet beoordeeld"
        in html
    )
    assert f'href="{REVIEW_URL}"' in html

    # Reviewed (and flagged), it leaves the reminder and counts as flagged instead.
    emergency_access_review(
        access=EmergencyAccess.objects.get(), by=crew.programme_team, note="Navragen.", flag=True
    )
    response = client_for(crew.programme_team).get(DASHBOARD_URL)
    assert response.context["emergency"] == {"overdue": 0, "flagged": 1}
    assert "1 noodtoegang gemarkeerd voor opvolging" in response.content.decode()
