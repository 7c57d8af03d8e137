"""The case page's body is kept per case revision in the web process: a second
view skips the history queries, yet every view is logged, every change made
through a service shows at once, and what a viewer may do follows his own rights
and language, never those of whoever viewed the case before him."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLog
from cases.models import Meeting
from cases.services.meetings import AttendeeInput, meeting_log
from tests.factories import OrganisationFactory
from tests.queries import count_queries

from .conftest import client_for

pytestmark = pytest.mark.django_db

LOG_UVO = "UVO vastleggen"


def view(client, url: str) -> tuple[str, int]:
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_second_view_skips_the_history_queries_and_is_logged_again(crew):
    client = client_for(crew.regisseur)
    url = reverse("cases:detail", args=[crew.case.pk])
    first, first_queries = view(client, url)
    second, second_queries = view(client, url)
    assert second_queries < first_queries
    body = first.split("<main")[1].split("</main>")[0]
    assert body == second.split("<main")[1].split("</main>")[0]
    assert AccessLog.objects.filter(case_id=crew.case.pk, user=crew.regisseur).count() == 2


def test_a_meeting_logged_through_the_service_shows_at_once(crew, today, author):
    client = client_for(crew.regisseur)
    # The UVO's are a tab of their own (?tab=uvos).
    url = reverse("cases:detail", args=[crew.case.pk]) + "?tab=uvos"
    before, _ = view(client, url)
    assert "Woningnet-inschrijving afronden" not in before
    meeting_log(
        case=crew.case,
        held_on=today - datetime.timedelta(days=2),
        kind=Meeting.Kind.FIRST,
        person_attended=True,
        agenda="",
        development="",
        decisions="Woningnet-inschrijving afronden.",
        exit_in_sight=False,
        attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=OrganisationFactory())],
        actions=[],
        by=author,
    )
    after, _ = view(client, url)
    assert "Woningnet-inschrijving afronden" in after


def test_each_viewer_sees_the_actions_of_his_own_rights(crew):
    url = reverse("cases:detail", args=[crew.case.pk])
    as_regisseur, _ = view(client_for(crew.regisseur), url)
    as_team_member, _ = view(client_for(crew.team_member), url)
    again_as_regisseur, _ = view(client_for(crew.regisseur), url)
    assert LOG_UVO in as_regisseur and LOG_UVO in again_as_regisseur
    assert LOG_UVO not in as_team_member
    assert "Persoonsgegevens" not in as_team_member.split("<main")[1]


def test_each_viewer_reads_the_page_in_his_own_language(crew):
    # The intervention team is a tab of its own (?tab=team).
    url = reverse("cases:detail", args=[crew.case.pk]) + "?tab=team"
    dutch, _ = view(client_for(crew.regisseur), url)
    english_client = client_for(crew.buddy)
    english_client.cookies["django_language"] = "en"
    english, _ = view(english_client, url)
    assert "Interventieteam" in dutch
    assert "Intervention team" in english and "Interventieteam" not in english
