"""Signed-in sessions for benchmark users, made in the database.

A page needs a session that passed both factors. The benchmark does what a
sign-in would leave behind (the user in the session, a verified OTP device, the
sign-in moment) and hands the session cookie to the load generator.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.middleware import REFRESHED_AT, SIGNED_IN_AT
from accounts.models import BackupCodeDevice, User

MODEL_BACKEND = "accounts.backends.RoleBackend"


def signed_in_session(user: User) -> str:
    """A new session key for ``user``, signed in with the second factor verified."""
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Reservecodes", "confirmed": True}
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store[SIGNED_IN_AT] = store[REFRESHED_AT] = time.time()
    store.save()
    return str(store.session_key)
