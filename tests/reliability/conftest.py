"""Fixtures of the reliability tests (retention, backup, concurrency, faults, hostile input)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def with_role(user: User, role: Role) -> User:
    """Put ``user`` in the role's group (created by migrate) and forget cached roles."""
    user.groups.add(Group.objects.get(name=role.value))
    user._role_names = None
    return user


def morning(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=AMSTERDAM)
