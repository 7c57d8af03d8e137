"""The permission names the capability predicates rest on are typed (a Literal per app):
each of them is a permission the database holds, so a misspelt name cannot make a
predicate silently false for everybody."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.contrib.auth.models import Permission

from api.permissions import ApiPermission
from monitoring.permissions import MonitoringPermission
from pool.permissions import PoolPermission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("names", [PoolPermission, MonitoringPermission, ApiPermission])
def test_each_permission_name_is_a_permission(names: Any):
    held = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert set(get_args(names)) - held == set()
