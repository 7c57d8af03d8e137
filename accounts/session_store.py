"""The session engine: django-qsessions' cached database sessions.

Each session is a database row that knows its user, address and browser (what "Mijn
account" lists and what ending a session deletes), read through the default cache (Redis)
so a signed-in request asks no query for it; written to both, at most once a minute
(accounts/middleware.py). qsessions removes a session from the cache when its row is
deleted. A cache that does not answer is passed over on reading, writing, signing in and
signing out (Django reads and writes around it; the key check and the delete here do the
same), so sign-in works on the database alone while Redis is down. With a per-process
default cache (the quick start) sessions are not kept in it (accounts/signed_in.py
shared_cache).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from qsessions import IP_SESSION_KEY, USER_AGENT_SESSION_KEY
from qsessions.backends.cached_db import SessionStore as QSessionsCachedStore

from .signed_in import shared_cache

logger = logging.getLogger(__name__)


class SessionStore(QSessionsCachedStore):  # type: ignore[misc]  # no type stubs
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a cache every serving process shares (accounts/signed_in.py shared_cache).
        self._cache = shared_cache()

    def load(self) -> dict[str, Any]:
        # Django's cached_db load with qsessions' check, passing over a cache that does
        # not answer (Django guards the read there, not the write-back).
        reachable = True
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Cache unavailable; session read from the database")
            data, reachable = None, False
        if data is None:
            stored = self._get_session_from_db()
            data = self.decode(stored.session_data) if stored else {}
            if stored and reachable:
                try:
                    expiry = self.get_expiry_age(expiry=stored.expire_date)
                    self._cache.set(self.cache_key, data, expiry)
                except Exception:
                    logger.warning("Cache unavailable; session not kept")
        # As qsessions: a new address or browser is saved with the session.
        moved = data.get(USER_AGENT_SESSION_KEY) != self.user_agent
        if moved or data.get(IP_SESSION_KEY) != self.ip:
            self.modified = True
        return dict(data)

    def exists(self, session_key: str | None) -> bool:
        try:
            return bool(super().exists(session_key))
        except Exception:  # the cache: ask the database alone
            logger.warning("Cache unavailable; session key checked in the database")
            return bool(self.get_model_class().objects.filter(session_key=session_key).exists())

    def delete(self, session_key: str | None = None) -> None:
        try:
            super().delete(session_key)
        except DatabaseError:
            raise
        except Exception:
            # qsessions clears the cache before the row: delete the row alone.
            logger.warning("Cache unavailable; session deleted from the database only")
            key = session_key or self.session_key
            if key:
                QuerySet.delete(self.model.objects.filter(session_key=key))
