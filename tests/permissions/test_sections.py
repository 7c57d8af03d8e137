"""Every role against every section of the case page and every field group of the
API, on the own case and on someone else's (section_rows.py holds the table)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tokens import SCOPES
from api.serializers import FIELD_GROUPS
from api.urls import router
from cases.sections import Section, visible_sections
from cases.selectors.case_page import Tab
from tests.api.conftest import token_for as api_key_for
from tests.conftest import sign_in

from .matrix import SYNC
from .section_rows import FIELD_GROUP_ROWS, SECTION_MARKERS, SECTION_ROWS, WITHOUT_SCOPE
from .world import ANONYMOUS, ROLES, build_world

pytestmark = pytest.mark.django_db


def test_every_section_and_every_field_group_has_a_row():
    assert set(SECTION_ROWS) == set(Section) == set(SECTION_MARKERS)
    assert set(FIELD_GROUP_ROWS) == {group.resource for group in FIELD_GROUPS}
    for row in (*SECTION_ROWS.values(), *FIELD_GROUP_ROWS.values()):
        assert set(ROLES) <= set(row)


@pytest.mark.parametrize("role", ROLES)
def test_sections(role):
    world = build_world()
    client = Client()
    user = world.users.get(role)
    if user is not None:
        sign_in(client, user)
    failures = []
    for index, which in enumerate(("own", "other")):
        case = world.obj(which, "case")
        # The case page shows one tab at a time (?tab=): together they are the page.
        page = ""
        for tab in ("", *(tab.value for tab in Tab)):
            response = client.get(reverse("cases:detail", args=[case.pk]), {"tab": tab})
            page += response.content.decode() if response.status_code == 200 else ""
        policy = visible_sections(user, case) if user is not None else frozenset()
        for section, row in SECTION_ROWS.items():
            expected = row[role]
            want = expected[index] if isinstance(expected, tuple) else expected
            marker = SECTION_MARKERS[section]
            if section is Section.PERSON:
                marker = reverse("cases:person", args=[case.pk])
            shown = marker in page
            if shown != want or (section in policy) != want:
                failures.append(
                    f"{section} [{which}]: expected {'shown' if want else 'hidden'}, "
                    f"page {'shows' if shown else 'hides'} it (HTTP {response.status_code}), "
                    f"visible_sections {'has' if section in policy else 'lacks'} it"
                )
    assert failures == [], f"{len(failures)} section checks failed for {role}:\n" + "\n".join(
        failures
    )


def _list_url(resource: str) -> str:
    basename = next(
        b for _, v, b in router.registry if getattr(v, "scope_resource", "") == resource
    )
    return reverse(f"api:{basename}-list")


@pytest.mark.parametrize("role", [*ROLES, WITHOUT_SCOPE])
def test_field_groups(role):
    world = build_world()
    client = Client()
    if role not in (ANONYMOUS, WITHOUT_SCOPE):
        sign_in(client, world.users[role])
    failures = []
    for resource, row in FIELD_GROUP_ROWS.items():
        extra: dict[str, Any] = {}
        if role == SYNC:
            extra = {"HTTP_AUTHORIZATION": f"Token {api_key_for(world.users[SYNC])}"}
        elif role == WITHOUT_SCOPE:
            scopes = sorted(SCOPES - {f"{resource}:read", f"{resource}:write"})
            extra = {"HTTP_AUTHORIZATION": f"Token {api_key_for(world.users[SYNC], scopes)}"}
        response = client.get(_list_url(resource), **extra)
        if response.status_code != row[role]:
            failures.append(f"{resource}: got {response.status_code}, expected {row[role]}")
    assert failures == [], f"{len(failures)} field-group checks failed for {role}:\n" + "\n".join(
        failures
    )
