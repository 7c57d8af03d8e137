"""A PTO-R member downloads the kwartaalmonitor PDF from the list in Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from audit.models import AccessLog
from monitoring.models import Monitor
from monitoring.services.monitors import monitor_render
from monitoring.views.monitors import MONITOR_DOWNLOAD_PURPOSE
from tests.factories import UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pto_r_member_downloads_the_monitor_pdf(signed_in_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monitor = Monitor.objects.create(period_code="2026-Q3", version=1)
    monitor = monitor_render(monitor_id=monitor.pk)
    assert monitor.status == Monitor.Status.DONE, monitor.error
    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name=Role.PTO_R.value)[0])

    page = signed_in_page(member)
    page.goto("/monitor/kwartaalmonitor/")
    row = page.locator("tr", has_text="2026 K3")
    assert "klaar" in row.inner_text().lower()
    assert_accessible(page)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF downloaden").click()
    download = download_info.value

    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert AccessLog.objects.filter(user=member, purpose=MONITOR_DOWNLOAD_PURPOSE).count() == 1
