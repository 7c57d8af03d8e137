from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django_otp.models import Device

from .middleware import REFRESHED_AT, SIGNED_IN_AT
from .models import User
from .signed_in import roles_changed, user_changed

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.http import HttpRequest


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


# What a signed-in request reads from the cache (accounts/signed_in.py) is read again from
# the database after any change to the user, its roles or its second-factor devices.
# Deletes through a queryset send post_delete per row too; nothing here updates these
# rows with QuerySet.update().


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts.user_changed")
def _user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    user_changed(instance.pk)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.user_roles_changed")
def _user_roles_changed(
    sender: type, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # from the group's side (group.user_set): any member may be concerned
        roles_changed()
    else:
        user_changed(instance.pk)


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="accounts.role_perms")
def _role_permissions_changed(sender: type, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        roles_changed()


@receiver([post_save, post_delete], sender=Group, dispatch_uid="accounts.role_changed")
@receiver([post_save, post_delete], sender=Permission, dispatch_uid="accounts.perm_changed")
def _role_changed(sender: type, **kwargs: Any) -> None:
    roles_changed()


def _device_changed(sender: type[Device], instance: Device, **kwargs: Any) -> None:
    user_changed(instance.user_id)


for _model in apps.get_models():
    if issubclass(_model, Device):
        _uid = f"accounts.device_changed:{_model._meta.label}"
        post_save.connect(_device_changed, sender=_model, dispatch_uid=_uid)
        post_delete.connect(_device_changed, sender=_model, dispatch_uid=_uid)
