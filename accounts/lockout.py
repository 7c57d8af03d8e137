"""Sign-in lockout (django-axes) with a per-address throttle beside the account lockout.

django-axes locks a username at one address after AXES_FAILURE_LIMIT failures
(AXES_LOCKOUT_PARAMETERS): failures from elsewhere never lock a person out, so one
client cannot lock out everyone. That alone would let one address try a few
passwords on every username; so an address whose failures on all usernames
together reach IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT within the cool-off is refused
as a whole. The limit is much higher than the account limit, because many honest
people may share one address (the municipality's gateway); successful sign-ins
clear their own failures (AXES_RESET_ON_SUCCESS), so only unresolved failures
count. docs/adr/0013-sign-in-hardening.md has the reasons.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off, any username."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


# django-axes ships no type stubs.
class AddressThrottlingHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """django-axes' database handler, also refusing an address with too many failures."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        limit: int = settings.IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT
        return address_failures(request) >= limit
