"""Fixtures of the monitoring tests."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from tests.factories import TODAY, UserFactory

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def today(time_machine) -> datetime.date:
    """Time frozen at a morning in Amsterdam on the factories' TODAY (2026-11-23)."""
    time_machine.move_to(
        datetime.datetime.combine(TODAY, datetime.time(7, 0), tzinfo=AMSTERDAM), tick=False
    )
    return timezone.localdate()


def user_with_role(role: Role, **extra) -> User:
    user = UserFactory(**extra)
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def programme_team_member() -> User:
    return user_with_role(Role.PROGRAMME_TEAM)


@pytest.fixture
def pto_r_member() -> User:
    return user_with_role(Role.PTO_R)


@pytest.fixture
def media_root(tmp_path, settings, monkeypatch):
    """Stored PDFs go to a throwaway folder, also for a worker started after this."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root
