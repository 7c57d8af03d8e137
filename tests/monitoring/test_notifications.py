"""Notifications: the programme team hears of every emergency access; each user sees
and marks only his or her own notifications."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from cases.models import Meeting
from cases.services.emergency import emergency_access_open
from monitoring.models import Notification
from monitoring.selectors import deadlines_due_for
from monitoring.services.notifications import NotificationInput, notifications_create
from tests.conftest import sign_in
from tests.factories import TODAY, CaseFactory, MeetingFactory, RegisseurFactory
from tests.queries import assert_same_query_count, count_queries

from .conftest import user_with_role

REASON = "Melding van de politie vannacht; regisseur en buddy zijn beide onbereikbaar."
LIST_URL = reverse("monitoring:notifications")


def notify(user, n: int, key: str = "test") -> None:
    notifications_create(
        items=[
            NotificationInput(
                user_id=user.pk,
                kind=Notification.Kind.REMINDER,
                item_key=f"{key}:{i}",
                due_on=TODAY,
                message=f"Bericht {key} {i}",
            )
            for i in range(n)
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_the_programme_team_is_told_when_the_glass_is_broken(programme_team_member):
    case = CaseFactory()
    opener = RegisseurFactory().user
    opener.groups.add(*user_with_role(Role.REGISSEUR).groups.all())

    access = emergency_access_open(case=case, user=opener, reason=REASON)

    told = Notification.objects.get(user=programme_team_member)
    assert told.kind == Notification.Kind.EMERGENCY_ACCESS
    assert told.item_key == f"emergency:{access.pk}"
    assert case.number in told.message and str(opener) in told.message
    assert told.link == reverse("emergency_review:list")
    # The e-mail names the case by number and keeps the reason inside ipgar.
    [email] = mail.outbox
    assert email.to == [programme_team_member.email]
    assert case.number in email.body and REASON not in email.body
    told.refresh_from_db()
    assert told.email_status == Notification.EmailStatus.SENT


@pytest.mark.django_db
def test_a_user_sees_only_own_notifications_unread_first(client):
    me, other = user_with_role(Role.REGISSEUR), user_with_role(Role.REGISSEUR)
    notify(me, 2, "mijn")
    notify(other, 1, "ander")
    sign_in(client, me)
    page = client.get(LIST_URL).content.decode()
    assert "Bericht mijn 0" in page and "Bericht mijn 1" in page
    assert "Bericht ander" not in page


@pytest.mark.django_db
def test_the_list_pages_by_fifty_unread_first_and_counts_the_unread(client):
    me = user_with_role(Role.REGISSEUR)
    notify(me, 55, "t")
    Notification.objects.filter(user=me, item_key__in=["t:0", "t:1", "t:2"]).update(
        read_at=timezone.now()
    )
    sign_in(client, me)

    first = client.get(LIST_URL).content.decode()
    assert "52 ongelezen" in first and "Pagina 1 van 2" in first
    assert first.count("notification--unread") == 50 and "notification--read" not in first

    second = client.get(LIST_URL, {"pagina": 2}).content.decode()
    assert "Pagina 2 van 2" in second
    assert second.count("notification--unread") == 2 and second.count("notification--read") == 3
    assert all(f">Bericht t {i}<" in second for i in (0, 1, 2))
    # A page beyond the last shows the last.
    assert client.get(LIST_URL, {"pagina": 9}).content.decode().count("notification--read") == 3


@pytest.mark.django_db
def test_with_no_notifications_the_list_says_so(client):
    sign_in(client, user_with_role(Role.REGISSEUR))
    page = client.get(LIST_URL).content.decode()
    assert "Geen meldingen." in page and "0 ongelezen" in page and "Pagina 1 van" not in page


@pytest.mark.django_db
def test_marking_read_works_on_own_notifications_only(client):
    me, other = user_with_role(Role.REGISSEUR), user_with_role(Role.REGISSEUR)
    notify(me, 1)
    notify(other, 1)
    mine = Notification.objects.get(user=me)
    theirs = Notification.objects.get(user=other)
    sign_in(client, me)

    response = client.post(reverse("monitoring:notification_read", kwargs={"pk": mine.pk}))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_read

    response = client.post(reverse("monitoring:notification_read", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


@pytest.mark.django_db
def test_mark_all_read(client):
    me = user_with_role(Role.PTO_R)
    notify(me, 3)
    sign_in(client, me)
    client.post(reverse("monitoring:notifications_read_all"))
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    assert "0 ongelezen" in client.get(LIST_URL).content.decode()


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_for_few_and_many_notifications(client):
    me = user_with_role(Role.REGISSEUR)
    sign_in(client, me)
    notify(me, 2, "a")
    client.get(LIST_URL)  # warm the session and the role cache
    with count_queries() as few:
        client.get(LIST_URL)
    notify(me, 40, "b")
    with count_queries() as many:
        client.get(LIST_URL)
    assert_same_query_count(few, many, what="the notification list")


@pytest.mark.django_db
def test_what_is_due_now_gives_each_item_its_date_its_case_and_how_late_it_is(client):
    me = user_with_role(Role.REGISSEUR)
    case = CaseFactory(
        regisseur=RegisseurFactory(user=me),
        since=timezone.localdate() - datetime.timedelta(days=400),
        access_on=True,
    )
    late = [
        item
        for item in deadlines_due_for(me, on=timezone.localdate())
        if item.case_id == case.pk and item.overdue and item.days_overdue > 1
    ]
    assert late
    sign_in(client, me)
    html = client.get(LIST_URL).content.decode()
    link = reverse("cases:detail", args=[case.pk])
    for item in late:
        assert (
            f'<td class="ams-table__cell">{item.due_on:%d-%m-%Y}</td>\n'
            f'        <td class="ams-table__cell"><a class="ams-link" href="{link}">'
            f"{escape(item.label)}</a></td>\n"
            f'        <td class="ams-table__cell"><strong>{item.days_overdue} dagen te laat'
            "</strong></td>"
        ) in html


@pytest.mark.django_db
def test_what_is_due_is_read_again_after_any_change_and_in_the_language_shown(client):
    """The items are kept under the data stamp: a UVO recorded (by any code path) shows at
    once, and an English page gets English labels."""
    me = user_with_role(Role.REGISSEUR)
    case = CaseFactory(
        regisseur=RegisseurFactory(user=me),
        since=timezone.localdate() - datetime.timedelta(days=400),
        access_on=True,
    )
    first_uvo = f"Eerste UVO voor casus {case.number}"
    sign_in(client, me)
    assert first_uvo in client.get(LIST_URL).content.decode()
    assert first_uvo in client.get(LIST_URL).content.decode()  # from the cache
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(LIST_URL).content.decode()
    assert first_uvo not in english
    assert f"First UVO for case {case.number}" in english
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    MeetingFactory(case=case, held_on=timezone.localdate(), kind=Meeting.Kind.FIRST, recorded_by=me)
    assert first_uvo not in client.get(LIST_URL).content.decode()
