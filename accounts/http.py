"""The request type of a view behind ``@login_required``."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind @login_required: its user is a signed-in User."""

    user: User
