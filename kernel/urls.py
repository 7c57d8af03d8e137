"""Addresses of many objects of one kind, reversed once for a list."""

from __future__ import annotations

from django.urls import reverse

# The address is reversed with this id and split around it (``around_id``).
_PLACEHOLDER_PK = 987654321


def around_id(url_name: str) -> tuple[str, str]:
    """What comes before and after an object's id in the address ``url_name`` gives it
    (its one argument ``pk``): one ``reverse`` for a list's rows instead of one per row."""
    head, tail = reverse(url_name, kwargs={"pk": _PLACEHOLDER_PK}).split(str(_PLACEHOLDER_PK))
    return head, tail
