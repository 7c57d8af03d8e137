"""Notification preferences: each user chooses per kind in the app, by e-mail, both or
not at all; the reminders and news honour the choice; the notifications page shows what
is due now, computed live, for the cases the user may see (docs/rules.md R-NOTIFY-1)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from cases.selectors.deadlines import DeadlineKind
from kernel.errors import RuleViolation
from monitoring.models import Notification, NotificationChannel, NotificationPreference
from monitoring.selectors import deadlines_due_for, notification_kinds_for
from monitoring.services.notifications import (
    NotificationInput,
    notification_preferences_set,
    notifications_create,
    notifications_email_pending,
)
from monitoring.services.reminders import reminders_send
from tests.conftest import sign_in
from tests.factories import (
    TODAY,
    CaseFactory,
    MeetingFactory,
    NotificationPreferenceFactory,
    RegisseurFactory,
    UserFactory,
)
from tests.queries import assert_same_query_count, count_queries

from .conftest import user_with_role

LIST_URL = reverse("monitoring:notifications")
PREFERENCES_URL = reverse("monitoring:notification_preferences")
REMINDER = Notification.Kind.REMINDER


def directed_overdue_uvo_case(regisseur=None):
    """A phase-2 case of ``regisseur`` whose two-monthly UVO is overdue."""
    if regisseur is None:
        regisseur = RegisseurFactory(user=UserFactory(email="regisseur@example.org"))
        regisseur.user.groups.add(*user_with_role(Role.REGISSEUR).groups.all())
    case = CaseFactory(
        phase2=True, regisseur=regisseur, phase_since=datetime.date(2025, 3, 1), access_on=True
    )
    MeetingFactory(case=case, kind="eerste_uvo", held_on=datetime.date(2025, 2, 1))
    MeetingFactory(case=case, held_on=TODAY - datetime.timedelta(days=90))
    return case


def one_reminder(user, key="uvo:case:1"):
    notifications_create(
        items=[
            NotificationInput(
                user_id=user.pk, kind=REMINDER, item_key=key, due_on=TODAY, message="UVO te laat"
            )
        ]
    )


# --- the services -----------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_choice_a_notification_is_in_the_app_and_by_email():
    user = user_with_role(Role.REGISSEUR)
    one_reminder(user)
    notification = Notification.objects.get(user=user)
    assert notification.in_app
    assert notifications_email_pending() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_only_keeps_the_row_out_of_the_app_and_sends_the_email(client):
    user = user_with_role(Role.REGISSEUR)
    NotificationPreferenceFactory(user=user, kind=REMINDER, channel=NotificationChannel.EMAIL)
    one_reminder(user)
    notification = Notification.objects.get(user=user)
    assert not notification.in_app
    assert notifications_email_pending() == 1
    [email] = mail.outbox
    assert email.to == [user.email] and "UVO te laat" in email.body
    # Not in the list, not in the unread count, not to be marked read.
    sign_in(client, user)
    page = client.get(LIST_URL).content.decode()
    assert "UVO te laat" not in page and "0 ongelezen" in page
    response = client.post(reverse("monitoring:notification_read", kwargs={"pk": notification.pk}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_app_only_sends_no_email():
    user = user_with_role(Role.REGISSEUR)
    NotificationPreferenceFactory(user=user, kind=REMINDER, channel=NotificationChannel.APP)
    one_reminder(user)
    notification = Notification.objects.get(user=user)
    assert notification.in_app
    assert notification.email_status == Notification.EmailStatus.NOT_WANTED
    assert notifications_email_pending() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_none_stores_nothing_and_other_kinds_keep_their_own_choice():
    user = user_with_role(Role.PTO_R)
    NotificationPreferenceFactory(user=user, kind=REMINDER, channel=NotificationChannel.NONE)
    one_reminder(user)
    notifications_create(
        items=[
            NotificationInput(
                user_id=user.pk,
                kind=Notification.Kind.MONITOR_READY,
                item_key="monitor:1",
                due_on=TODAY,
                message="Monitor klaar",
            )
        ]
    )
    assert list(Notification.objects.values_list("kind", flat=True)) == [
        Notification.Kind.MONITOR_READY
    ]


@pytest.mark.django_db
def test_emergency_access_news_cannot_be_switched_off():
    member = user_with_role(Role.PROGRAMME_TEAM)
    with pytest.raises(RuleViolation):
        notification_preferences_set(
            user=member, channels={Notification.Kind.EMERGENCY_ACCESS: NotificationChannel.NONE}
        )
    assert not NotificationPreference.objects.exists()
    # E-mail only is allowed.
    notification_preferences_set(
        user=member, channels={Notification.Kind.EMERGENCY_ACCESS: NotificationChannel.EMAIL}
    )
    assert NotificationPreference.objects.get(user=member).channel == NotificationChannel.EMAIL


@pytest.mark.django_db
def test_a_user_chooses_only_for_kinds_he_gets_and_a_choice_is_replaced():
    regisseur = user_with_role(Role.REGISSEUR)
    assert notification_kinds_for(regisseur) == [REMINDER]
    assert set(notification_kinds_for(user_with_role(Role.PROGRAMME_TEAM))) == {
        REMINDER,
        Notification.Kind.EMERGENCY_ACCESS,
    }
    assert set(notification_kinds_for(user_with_role(Role.PTO_R))) == {
        REMINDER,
        Notification.Kind.MONITOR_READY,
    }
    with pytest.raises(ValidationError):
        notification_preferences_set(
            user=regisseur, channels={Notification.Kind.MONITOR_READY: NotificationChannel.APP}
        )
    with pytest.raises(ValidationError):
        notification_preferences_set(user=regisseur, channels={REMINDER: "postduif"})
    notification_preferences_set(user=regisseur, channels={REMINDER: NotificationChannel.APP})
    notification_preferences_set(user=regisseur, channels={REMINDER: NotificationChannel.EMAIL})
    assert list(NotificationPreference.objects.values_list("channel", flat=True)) == [
        NotificationChannel.EMAIL
    ]


@pytest.mark.django_db
def test_the_daily_job_honours_email_only(today):
    case = directed_overdue_uvo_case()
    director = case.regisseur.user
    NotificationPreferenceFactory(user=director, kind=REMINDER, channel=NotificationChannel.EMAIL)
    reminders_send(on=today)
    mine = Notification.objects.filter(user=director)
    assert mine.exists() and not mine.filter(in_app=True).exists()
    assert any(case.number in m.subject for m in mail.outbox if m.to == [director.email])


# --- what is due now ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_what_is_due_before_any_job_ran(client, today):
    case = directed_overdue_uvo_case()
    sign_in(client, case.regisseur.user)
    page = client.get(LIST_URL).content.decode()
    assert not Notification.objects.exists()
    assert "Nu aan de beurt" in page
    assert f"UVO voor casus {case.number}" in page
    assert "dagen te laat" in page


@pytest.mark.django_db
def test_due_items_are_only_of_cases_the_user_may_see_and_is_responsible_for(today):
    mine = directed_overdue_uvo_case()
    theirs = directed_overdue_uvo_case()
    due = deadlines_due_for(mine.regisseur.user, on=today)
    assert {item.case_id for item in due if item.case_id} == {mine.pk}
    assert any(item.kind == DeadlineKind.UVO for item in due)
    # A manager sees no cases and is responsible for none of these.
    assert deadlines_due_for(user_with_role(Role.MANAGER), on=today) == []
    # The programme team sees every case but is not the director of these.
    programme_team = user_with_role(Role.PROGRAMME_TEAM)
    assert theirs.pk not in {
        i.case_id for i in deadlines_due_for(programme_team, on=today) if i.kind == "uvo"
    }


@pytest.mark.django_db
def test_the_page_asks_the_same_queries_for_few_and_many_due_items(client, today):
    regisseur = RegisseurFactory(user=UserFactory())
    regisseur.user.groups.add(*user_with_role(Role.REGISSEUR).groups.all())
    directed_overdue_uvo_case(regisseur)
    sign_in(client, regisseur.user)
    client.get(LIST_URL)
    with count_queries() as few:
        client.get(LIST_URL)
    for _ in range(8):
        directed_overdue_uvo_case(regisseur)
    client.get(LIST_URL)
    with count_queries() as many:
        page = client.get(LIST_URL).content.decode()
    assert page.count("UVO voor casus") == 9
    assert_same_query_count(few, many, what="the notifications page with its live due list")


# --- the preferences page ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_preferences_page_shows_and_saves_the_choice(client):
    member = user_with_role(Role.PROGRAMME_TEAM)
    sign_in(client, member)
    page = client.get(PREFERENCES_URL).content.decode()
    assert "Herinnering" in page and "Noodtoegang geopend" in page
    assert "Nieuwe kwartaalmonitor" not in page  # he makes monitors: not told of them
    response = client.post(
        PREFERENCES_URL,
        {REMINDER: NotificationChannel.EMAIL, Notification.Kind.EMERGENCY_ACCESS: "beide"},
    )
    assert response.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=member).values_list("kind", "channel")
    ) == {REMINDER: "email", Notification.Kind.EMERGENCY_ACCESS: "beide"}
    assert 'value="email" selected' in client.get(PREFERENCES_URL).content.decode()


@pytest.mark.django_db
def test_the_page_refuses_switching_off_emergency_news_with_a_field_error(client):
    member = user_with_role(Role.PROGRAMME_TEAM)
    sign_in(client, member)
    response = client.post(
        PREFERENCES_URL,
        {REMINDER: NotificationChannel.APP, Notification.Kind.EMERGENCY_ACCESS: "geen"},
    )
    # "geen" is not offered for this kind: the form refuses it before the service.
    assert response.status_code == 400
    assert "ams-error-message" in response.content.decode()
    assert not NotificationPreference.objects.exists()
