from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .middleware import REFRESHED_AT, SIGNED_IN_AT

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.http import HttpRequest

    from .models import User


@receiver(user_logged_in)
def remember_sign_in_time(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """The absolute session lifetime counts from here, and the idle expiry was
    just set by the sign-in's own session write."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[REFRESHED_AT] = now


def create_role_groups(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: one group per role, holding exactly its permissions."""
    from .services import roles_sync

    roles_sync(using=using)


post_migrate.connect(create_role_groups, dispatch_uid="accounts.create_role_groups")
