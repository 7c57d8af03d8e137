"""What every signed-in request needs before its own work, kept in the cache.

A signed-in page needs the user, the names of its roles with the permissions they hold
(accounts/roles.py) and the second-factor device that verified the session. Read from the
database, that is three queries on every request (the session is the fourth: it comes from
the cache too, ``accounts.session_store``). Here they are read once and kept in the
default cache (Redis) per user, under two stamps:

- the user's own stamp, replaced whenever the user (active, password, anything else),
  its role memberships or one of its second-factor devices is saved or deleted;
- the roles' stamp, replaced whenever a role's group or the permissions it holds change
  (``roles_sync`` after a migrate, the admin).

Each entry carries the stamps it was read under, and all three come in one round trip to the
cache. A replaced stamp no longer matches the entry's, so the next request reads the database:
a role taken away, an account deactivated or a device removed takes effect on the next
request, in every process. The stamp is replaced at once and again when the transaction
commits, so a request that read the old rows while the change was being written cannot
keep them. A cache that does not answer (Redis down) is passed over: everything is read
from the database, as before.
"""

from __future__ import annotations

import copy
import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

from .roles import load_roles

if TYPE_CHECKING:
    from django_otp.models import Device

    from .models import User

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
USER_STAMP_KEY = "signed-in:stamp:user:%s"
ROLES_STAMP_KEY = "signed-in:stamp:roles"
ENTRY_KEY = "signed-in:user:%s"
# The stamps decide whether an entry is current; the lifetime only bounds how long an entry
# written before the cache became unreachable (when a stamp could not be replaced) can
# outlive a change made meanwhile.
ENTRY_SECONDS = 5 * 60

Stamps = tuple[str, str]


@dataclass
class SignedInEntry:
    """The cached part of a signed-in request: the user with its roles and permissions
    loaded, and the second-factor devices asked for so far (by persistent id), as read
    under the user's and the roles' stamps."""

    stamps: Stamps
    user: User
    devices: dict[str, Device | None] = field(default_factory=dict)


def shared_cache() -> Any:
    """The default cache when every process that serves requests shares it (Redis); else a
    cache that keeps nothing. A per-process memory cache (the quick start's default) would
    let another process keep serving what a change in this one replaced, so sessions and
    the signed-in user are then read from the database on every request, unless one
    process serves them all (IPGAR_SINGLE_PROCESS_CACHE, the tests)."""
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, LocMemCache) and not settings.IPGAR_SINGLE_PROCESS_CACHE:
        return _KEEPS_NOTHING
    return cache


_KEEPS_NOTHING = DummyCache("signed-in", {})


def _cache() -> Any:
    return shared_cache()


def _new_stamp() -> str:
    return uuid.uuid4().hex


def _read(user_id: Any) -> tuple[Stamps | None, SignedInEntry | None]:
    """The current stamps and the user's entry if it was read under them, in one round
    trip to the cache; (None, None) when the cache does not answer."""
    user_key, entry_key = USER_STAMP_KEY % user_id, ENTRY_KEY % user_id
    try:
        cache = _cache()
        found = cache.get_many([user_key, ROLES_STAMP_KEY, entry_key])
        for key in (user_key, ROLES_STAMP_KEY):
            if key not in found:
                # Never seen or evicted: a fresh stamp, so no older entry can match it.
                # ``add`` keeps a stamp another process set meanwhile.
                cache.add(key, _new_stamp(), None)
                found[key] = cache.get(key)
    except Exception:  # any failure of the cache: read the database instead
        logger.warning("Cache unavailable; the signed-in user is read from the database")
        return None, None
    if found[user_key] is None or found[ROLES_STAMP_KEY] is None:
        return None, None
    stamps = (found[user_key], found[ROLES_STAMP_KEY])
    entry = found.get(entry_key)
    if isinstance(entry, SignedInEntry) and entry.stamps == stamps:
        return stamps, entry
    return stamps, None


def _store(user_id: Any, entry: SignedInEntry) -> None:
    try:
        _cache().set(ENTRY_KEY % user_id, entry, ENTRY_SECONDS)
    except Exception:
        logger.warning("Cache unavailable; the signed-in user is not kept")


def signed_in_user(user_id: Any) -> User | None:
    """The active user ``user_id`` with its roles and permissions loaded: from the cache
    while nothing of it changed, else from the database (then kept). None when there is
    no such user or it is deactivated."""
    from .models import User

    stamps, entry = _read(user_id)
    if entry is None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        load_roles(user)
        if stamps is not None:
            # Read after the stamps: a change committed meanwhile replaced them, so this
            # entry, if stale, is never taken for current.
            entry = SignedInEntry(stamps=stamps, user=user)
            _store(user_id, entry)
        else:
            entry = SignedInEntry(stamps=("", ""), user=user)
    if not entry.user.is_active:
        return None
    # A copy for the request to attach its own things to; the entry stays as read.
    user = copy.copy(entry.user)
    user._signed_in_entry = entry if stamps is not None else None
    return user


def signed_in_device(user: User, persistent_id: str) -> Device | None:
    """The second-factor device ``persistent_id`` (as the session names it) of the
    signed-in ``user``; from the user's entry once it was read."""
    from django_otp.models import Device

    entry: SignedInEntry | None = getattr(user, "_signed_in_entry", None)
    if entry is not None and persistent_id in entry.devices:
        return entry.devices[persistent_id]
    device = Device.from_persistent_id(persistent_id)
    if entry is not None:
        entry.devices[persistent_id] = device
        _store(user.pk, entry)
    return device


def _replace(key: str) -> None:
    try:
        _cache().set(key, _new_stamp(), None)
    except Exception:
        # Unreachable now: its entries are not read either (the stamps are not), and
        # entries written before live no longer than an idle session.
        logger.warning("Cache unavailable; stamp %s not replaced", key)


def _replace_now_and_on_commit(key: str) -> None:
    _replace(key)
    transaction.on_commit(lambda: _replace(key))


def user_changed(user_id: Any) -> None:
    """The user, its role memberships or its second-factor devices changed."""
    if user_id is not None:
        _replace_now_and_on_commit(USER_STAMP_KEY % user_id)


def roles_changed() -> None:
    """A role's group or the permissions it holds changed: every user's entry."""
    _replace_now_and_on_commit(ROLES_STAMP_KEY)
