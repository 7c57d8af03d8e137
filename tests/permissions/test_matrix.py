"""Every role against every route, on an own object and on someone else's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.conftest import token_for as api_key_for
from tests.conftest import sign_in

from .matrix import ALL_ROWS, DELIBERATELY_PUBLIC, SYNC
from .world import ANONYMOUS, ROLES, build_world

pytestmark = pytest.mark.django_db


def route_keys(patterns=None, prefix: str = "", namespace: str | None = None) -> set[str]:
    """Every URL pattern: its namespaced name, or its full pattern when it has none."""
    keys: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            keys |= route_keys(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                keys.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                keys.add(prefix + str(pattern.pattern))
    return keys


def test_every_route_has_a_row_and_every_row_a_route():
    routes = route_keys()
    assert sorted(routes - set(ALL_ROWS)) == [], "routes without a row in the matrix"
    assert sorted(set(ALL_ROWS) - routes) == [], "rows for routes that no longer exist"


def test_deliberately_public_routes_are_few_and_named():
    assert DELIBERATELY_PUBLIC == [
        "healthz",
        "login",
        "password_reset",
        "password_reset_confirm",
        "password_reset_done",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role):
    world = build_world()
    client = Client()
    if role != ANONYMOUS:
        sign_in(client, world.users[role])
    failures = []
    checked = 0
    # Sync clients reach the API with a token, never a session.
    token = (
        {"HTTP_AUTHORIZATION": f"Token {api_key_for(world.users[SYNC])}"} if role == SYNC else {}
    )
    for key, row in sorted(ALL_ROWS.items()):
        expected = row.expect[role]
        for index, which in enumerate(("own", "other")):
            if role == SYNC:  # refused sessions end: start one again for every request
                sign_in(client, world.users[role])
            url = row.url(world, which)
            data = row.data(world, which) if row.data else None
            extra = token if url.startswith("/api/") else {}
            response = getattr(client, row.method)(url, data, **extra)
            want = expected[index] if isinstance(expected, tuple) else expected
            ok = (
                response.status_code in want
                if isinstance(want, frozenset)
                else (response.status_code == want)
            )
            checked += 1
            if not ok:
                failures.append(
                    f"{key} [{which}] {row.method.upper()} {url}: "
                    f"got {response.status_code}, expected {want}"
                )
    assert failures == [], f"{len(failures)} of {checked} checks failed for {role}:\n" + "\n".join(
        failures
    )
