"""The daily reminders: every due and overdue deadline item, to the people
responsible, in the app and by e-mail in Dutch, exactly once per item and due date."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from cases.selectors.deadlines import DeadlineKind, deadlines
from monitoring.models import Notification
from monitoring.services.reminders import REMINDER_OVERDUE, reminders_send
from monitoring.tasks import reminders_daily
from tests.factories import TODAY, CaseFactory, MeetingFactory, RegisseurFactory, UserFactory


def overdue_uvo_case():
    """A phase-2 case whose last UVO was three months ago: its UVO is overdue."""
    regisseur = RegisseurFactory(user=UserFactory(email="regisseur@example.org"))
    case = CaseFactory(phase2=True, regisseur=regisseur, phase_since=datetime.date(2025, 3, 1))
    MeetingFactory(case=case, kind="eerste_uvo", held_on=datetime.date(2025, 2, 1))
    MeetingFactory(case=case, held_on=TODAY - datetime.timedelta(days=90))
    return case


def reminder_rows():
    return sorted(Notification.objects.values_list("user_id", "item_key", "due_on"))


def expected_rows(on):
    return sorted(
        (user_id, item.key, item.due_on)
        for item in deadlines(on=on)
        for user_id in item.responsible_user_ids
    )


@pytest.mark.django_db
def test_each_responsible_person_is_reminded_in_the_app_and_by_dutch_email(today):
    case = overdue_uvo_case()
    reminders_send(on=today)

    assert reminder_rows() == expected_rows(today)
    uvo = Notification.objects.get(
        user=case.regisseur.user, item_key=f"{DeadlineKind.UVO.value}:case:{case.pk}"
    )
    assert uvo.kind == Notification.Kind.REMINDER
    assert case.number in uvo.message
    assert "te laat" in uvo.message
    assert uvo.link == f"/casussen/{case.pk}/"
    emails = [m for m in mail.outbox if case.regisseur.user.email in m.to]
    uvo_mail = next(m for m in emails if case.number in m.subject and "UVO" in m.subject)
    assert "dagen te laat" in uvo_mail.body
    assert "ipgar" in uvo_mail.body
    assert len(mail.outbox) == Notification.objects.count()


@pytest.mark.django_db
def test_running_the_job_twice_reminds_once(today):
    overdue_uvo_case()
    reminders_daily.delay()
    first_rows, first_mails = reminder_rows(), len(mail.outbox)
    reminders_daily.delay()
    assert first_rows and reminder_rows() == first_rows
    assert len(mail.outbox) == first_mails == len(first_rows)


@pytest.mark.django_db
def test_a_new_occurrence_is_reminded_again(today, time_machine):
    case = overdue_uvo_case()
    reminders_send(on=today)
    key = f"{DeadlineKind.UVO.value}:case:{case.pk}"
    assert Notification.objects.filter(item_key=key).count() == 1
    # The UVO is held: the next one falls due two months later, a new occurrence.
    MeetingFactory(case=case, held_on=today)
    later = today + datetime.timedelta(days=60)
    reminders_send(on=later)
    assert Notification.objects.filter(item_key=key).count() == 2


@pytest.mark.django_db
def test_the_overdue_message_is_dutch():
    assert "dagen te laat" in REMINDER_OVERDUE


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_give_one_notification_and_one_email_per_item(today):
    for _ in range(5):
        overdue_uvo_case()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reminders_send(on=today)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = reminder_rows()
    assert rows == expected_rows(today)
    assert len(rows) == len(set(rows))
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == len(rows) == len(set(sent))
