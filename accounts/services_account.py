"""A person's own account: a new password (changed while signed in, or reset through an
e-mailed link), an account deactivated by the functional administrator, a lockout
lifted. Each is recorded in the access log.

The pages are Django's password views (accounts/views_account.py); what they leave
to us is here. A reset never touches the second factor: the devices stay, and
signing in with the new password still asks for a code (docs/adr/0013-sign-in-hardening.md).
"""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from audit.models import AccessLog
from audit.services import account_event_record
from kernel.errors import RuleViolation

from .models import ApiToken, User
from .sessions import sessions_end_all
from .tokens import api_token_revoke

USER_OBJECT_TYPE = "accounts.user"
LOCKOUT_OBJECT_TYPE = "axes.accessattempt"
# Labels in the access log (kept in Dutch, as the log's other labels are).
PASSWORD_CHANGED_LABEL = "Wachtwoord gewijzigd door %(user)s zelf"  # noqa: S105  (not a password)
PASSWORD_RESET_LABEL = "Wachtwoord van %(user)s hersteld via de link in de e-mail"  # noqa: S105
DEACTIVATED_LABEL = (
    "Account %(user)s gedeactiveerd "
    "(%(sessions)s sessies beëindigd, %(tokens)s API-tokens ingetrokken)"
)
LOCKOUT_LIFTED_LABEL = "Blokkering opgeheven van %(username)s vanaf %(address)s"
ADDRESS_LOCKOUT_LIFTED_LABEL = "Blokkering opgeheven van adres %(address)s"

RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "registration/password_reset_email.txt"

DEACTIVATE_SELF = _("U kunt uw eigen account niet deactiveren: dat doet een collega.")
ALREADY_INACTIVE = _("Dit account is al gedeactiveerd.")
LOCKOUT_GONE = _("Deze blokkering is al opgeheven of verlopen.")
REASON_REQUIRED = _("Geef een reden.")


# --- passwords ------------------------------------------------------------------------


@transaction.atomic
def password_changed(*, user: User, request: HttpRequest) -> int:
    """After Django's password change form has saved the new password: end the user's
    other sessions (they signed in with the old one) and record the change. Returns
    the number of other sessions ended."""
    ended = sessions_end_all(user=user, keep=request.session.session_key)
    account_event_record(
        user=user,
        action=AccessLog.Action.PASSWORD_CHANGED,
        object_type=USER_OBJECT_TYPE,
        object_id=str(user.pk),
        label=PASSWORD_CHANGED_LABEL % {"user": user.get_username()},
        request=request,
    )
    return ended


@transaction.atomic
def password_reset_done(*, user: User, request: HttpRequest) -> None:
    """After Django's reset form has saved the new password: end every session of the
    user and record the reset. The second factor is left as it is."""
    sessions_end_all(user=user)
    account_event_record(
        user=user,
        action=AccessLog.Action.PASSWORD_RESET,
        object_type=USER_OBJECT_TYPE,
        object_id=str(user.pk),
        label=PASSWORD_RESET_LABEL % {"user": user.get_username()},
        request=request,
    )


def password_reset_users(email: str) -> list[User]:
    """Who a reset for ``email`` reaches: Django's rule (active, with a usable password,
    so never a sync client), matched case-insensitively."""
    return list(PasswordResetForm().get_users(email))


def password_reset_mail_send(*, user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """Send the reset link to the user, if still active with a password: Django's
    token (single use, valid PASSWORD_RESET_TIMEOUT seconds) in Django's link."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    with override(language):
        PasswordResetForm().send_mail(
            RESET_SUBJECT_TEMPLATE,
            RESET_EMAIL_TEMPLATE,
            context,
            settings.DEFAULT_FROM_EMAIL,
            user.email,
        )
    return True


# --- deactivation -----------------------------------------------------------------------


@transaction.atomic
def user_deactivate(*, user: User, by: User, reason: str, request: HttpRequest | None) -> User:
    """Deactivate ``user``: no more sign-ins, every session ended, every live API token
    revoked; recorded with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if user.pk == by.pk:
        raise RuleViolation(DEACTIVATE_SELF)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise RuleViolation(ALREADY_INACTIVE)
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = sessions_end_all(user=user)
    live = ApiToken.objects.filter(client=user, revoked_at__isnull=True)
    tokens = 0
    for token in live:
        api_token_revoke(token=token, by=by)
        tokens += 1
    account_event_record(
        user=by,
        action=AccessLog.Action.DEACTIVATED,
        object_type=USER_OBJECT_TYPE,
        object_id=str(user.pk),
        label=DEACTIVATED_LABEL
        % {"user": user.get_username(), "sessions": sessions, "tokens": tokens},
        request=request,
        purpose=reason,
    )
    return user


# --- lockouts ---------------------------------------------------------------------------


def _cool_off_start() -> datetime.datetime:
    cool_off: datetime.timedelta = settings.AXES_COOLOFF_TIME
    return timezone.now() - cool_off


def lockouts_current() -> QuerySet[AccessAttempt]:
    """Accounts locked out now: a username at an address with AXES_FAILURE_LIMIT
    failures within the cool-off (accounts/lockout.py)."""
    attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(
        attempt_time__gte=_cool_off_start(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).order_by("-attempt_time")
    return attempts


def addresses_blocked() -> list[dict[str, object]]:
    """Addresses refused as a whole: their failures on all usernames within the
    cool-off reach IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT (accounts/lockout.py)."""
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=_cool_off_start())
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT)
        .order_by("ip_address")
    )


@transaction.atomic
def lockout_lift(*, attempt_id: int, by: User, request: HttpRequest | None) -> AccessAttempt:
    """Lift one account's lockout (django-axes' reset of that username at that address),
    recorded. The person can sign in again at once."""
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise RuleViolation(LOCKOUT_GONE)
    axes_reset(ip=attempt.ip_address, username=attempt.username)
    account_event_record(
        user=by,
        action=AccessLog.Action.LOCKOUT_LIFTED,
        object_type=LOCKOUT_OBJECT_TYPE,
        object_id=str(attempt_id),
        label=LOCKOUT_LIFTED_LABEL
        % {"username": attempt.username, "address": attempt.ip_address or "?"},
        request=request,
    )
    return attempt


@transaction.atomic
def address_block_lift(*, address: str, by: User, request: HttpRequest | None) -> int:
    """Lift the block of a whole address (every failure recorded from it), recorded."""
    if not AccessAttempt.objects.filter(ip_address=address).exists():
        raise RuleViolation(LOCKOUT_GONE)
    count: int = axes_reset(ip=address)
    account_event_record(
        user=by,
        action=AccessLog.Action.LOCKOUT_LIFTED,
        object_type=LOCKOUT_OBJECT_TYPE,
        object_id=address,
        label=ADDRESS_LOCKOUT_LIFTED_LABEL % {"address": address},
        request=request,
    )
    return count
