"""A person's sessions: which are open (device, address, last use) and ending them.

Sessions are Django's database sessions with their user, address and browser
(django-qsessions), so a person can see where they are signed in and end a session
they do not recognise; deactivating an account or resetting its password ends every
session at once. A session is named on the page by a digest of its key, never by the
key itself: the key is what signs its holder in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from qsessions.middleware import SessionMiddleware as QSessionsMiddleware
from qsessions.models import Session

from audit.client_ip import client_ip
from audit.models import AccessLog
from audit.services import account_event_record
from kernel.errors import RuleViolation

from .models import User

SESSION_GONE = _("Deze sessie is al beëindigd of verlopen.")
SESSION_OBJECT_TYPE = "qsessions.session"
SESSION_ENDED_LABEL = "Sessie van %(user)s beëindigd (%(device)s)"
UNKNOWN_DEVICE = _("Onbekend apparaat")
# Hex digits of the digest that names a session on the page.
PUBLIC_ID_LENGTH = 24


class SessionMiddleware(QSessionsMiddleware):  # type: ignore[misc]  # no type stubs
    """qsessions' middleware, with the client's address as the access log reads it
    (behind the trusted proxies, audit/client_ip.py), not the proxy's."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        store: Any = request.session  # qsessions' store, which keeps the address
        store.ip = client_ip(request)


def session_public_id(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:PUBLIC_ID_LENGTH]


@dataclass(frozen=True)
class OpenSession:
    public_id: str
    device: str
    ip: str | None
    started_at: Any
    last_used_at: Any
    current: bool


def session_device(user_agent: str | None) -> str:
    """The browser and system of a session, as people name them: "Chrome 120 · Linux"."""
    if not user_agent:
        return str(UNKNOWN_DEVICE)
    from ua_parser import parse  # loads its rules on first use

    parsed = parse(user_agent)
    parts = []
    if parsed.user_agent is not None:
        parts.append(" ".join(p for p in (parsed.user_agent.family, parsed.user_agent.major) if p))
    if parsed.os is not None:
        parts.append(" ".join(p for p in (parsed.os.family, parsed.os.major) if p))
    if parsed.device is not None and parsed.device.family not in ("Other", ""):
        parts.append(parsed.device.family)
    return " · ".join(parts) or str(UNKNOWN_DEVICE)


def _live_sessions(user: User) -> Any:
    return Session.objects.filter(user=user, expire_date__gt=timezone.now())


def sessions_open(*, user: User, current_key: str | None) -> list[OpenSession]:
    """The user's sessions that have not expired, the most recently used first."""
    return [
        OpenSession(
            public_id=session_public_id(session.session_key),
            device=session_device(session.user_agent),
            ip=session.ip,
            started_at=session.created_at,
            last_used_at=session.updated_at,
            current=session.session_key == current_key,
        )
        for session in _live_sessions(user).order_by("-updated_at")
    ]


@transaction.atomic
def session_end(*, user: User, public_id: str, request: HttpRequest | None = None) -> bool:
    """End one of ``user``'s own sessions, recorded; True when it was the current one
    (the caller then signs out)."""
    for session in _live_sessions(user).select_for_update():
        if session_public_id(session.session_key) == public_id:
            current = request is not None and session.session_key == request.session.session_key
            account_event_record(
                user=user,
                action=AccessLog.Action.SESSION_ENDED,
                object_type=SESSION_OBJECT_TYPE,
                object_id=public_id,
                label=SESSION_ENDED_LABEL
                % {"user": user.get_username(), "device": session_device(session.user_agent)},
                request=request,
            )
            session.delete()
            return current
    raise RuleViolation(SESSION_GONE)


def sessions_end_all(*, user: User, keep: str | None = None) -> int:
    """End every session of ``user`` (but ``keep``, a session key); the number ended.

    The caller records why (a deactivation, a new password)."""
    sessions = Session.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    count, _deleted = sessions.delete()
    return int(count)
