"""A regisseur sees what is due on the notifications page before any nightly job ran,
chooses e-mail only for reminders in Chromium, and the nightly job then e-mails the
reminder without putting it in the app (docs/rules.md R-NOTIFY-1)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from monitoring.models import Notification
from monitoring.tasks import reminders_daily
from tests.factories import TODAY, CaseFactory, MeetingFactory, RegisseurFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_email_only_reminders_reach_the_mailbox_and_not_the_app(signed_in_page):
    regisseur = RegisseurFactory(
        user__username="regisseur-meldingen",
        user__email="regisseur-meldingen@example.org",
        user__roles=[Role.REGISSEUR],
    )
    case = CaseFactory(
        phase2=True,
        regisseur=regisseur,
        phase_since=datetime.date(2025, 3, 1),
        access_on=True,
    )
    MeetingFactory(case=case, kind="eerste_uvo", held_on=datetime.date(2025, 2, 1))
    MeetingFactory(case=case, held_on=TODAY - datetime.timedelta(days=90))

    page = signed_in_page(regisseur.user)
    page.goto("/monitor/meldingen/")
    due = page.locator("table.ipgar-due-list")
    # Computed live: nothing was sent yet, the overdue UVO is listed all the same.
    assert not Notification.objects.exists()
    assert f"UVO voor casus {case.number}" in due.inner_text()
    assert "dagen te laat" in due.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Voorkeuren: hoe u meldingen krijgt").click()
    page.wait_for_url("**/meldingen/voorkeuren/")
    assert_accessible(page)
    page.get_by_label("Herinnering").select_option(label="Alleen per e-mail")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Uw voorkeuren voor meldingen zijn opgeslagen.").wait_for()

    reminders_daily()  # the nightly job, as the beat schedule runs it

    mine = [m for m in mail.outbox if m.to == [regisseur.user.email]]
    assert any(case.number in m.subject for m in mine)
    assert Notification.objects.filter(user=regisseur.user, in_app=False).exists()
    assert not Notification.objects.filter(user=regisseur.user, in_app=True).exists()

    page.goto("/monitor/meldingen/")
    body = page.locator("main").inner_text()
    assert "0 ongelezen" in body
    assert "Geen meldingen." in body
    assert f"UVO voor casus {case.number}" in page.locator("table.ipgar-due-list").inner_text()
    assert timezone.localdate() >= TODAY
