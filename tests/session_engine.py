"""The session engine of the test settings: the application's (accounts/session_store.py),
except that a session the test client makes without a request (``Client.login``,
``force_login``) carries the test client's address and (empty) browser, as a session made
at a real sign-in carries those of the signing-in request. Otherwise qsessions would save
every such session once on its first request, and the query counts of a test's first page
would differ from its second."""

from __future__ import annotations

from typing import Any

from accounts.session_store import SessionStore as QSessionsStore

TEST_CLIENT_ADDRESS = "127.0.0.1"  # Django's test client's REMOTE_ADDR


class SessionStore(QSessionsStore):
    def __init__(
        self, session_key: str | None = None, user_agent: str | None = None, ip: Any = None
    ) -> None:
        # The test client sends no User-Agent, which qsessions' middleware reads as "".
        super().__init__(
            session_key, "" if user_agent is None else user_agent, ip or TEST_CLIENT_ADDRESS
        )
