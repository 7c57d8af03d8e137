"""Identity: organisations and the people who sign in.

Organisation lives here, not in pool/, because every cross-cutting concern
(roles, the access audit, a privacy officer's view of his own organisation's
staff) needs a user's organisation, and those apps must not import the domain
apps (docs/adr/0002-organisation-in-accounts.md).
"""

from __future__ import annotations

import datetime
from typing import Any

import pghistory
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from guardian.models import GroupObjectPermission, UserObjectPermission

# Imported to register the backup-code models, defined beside their hashing.
from .backup_codes import BackupCode as BackupCode
from .backup_codes import BackupCodeDevice as BackupCodeDevice
from .roles import CASE_CONTENT_ROLES, Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        KERNPARTNER = "kernpartner", _("Kernpartner")
        INTERVENTIEPARTNER = "interventiepartner", _("Interventiepartner")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=32, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name

    @property
    def is_kernpartner(self) -> bool:
        return self.kind == self.Kind.KERNPARTNER


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How a user is named on every page (``str(user)``): the full name, or the username
    without one. For rows read as values, without building the user."""
    return f"{first_name} {last_name}".strip() or username


# The password hash is a secret, and last_login changes at every sign-in: neither
# belongs in the change history (docs/adr/0011-role-grants.md).
@pghistory.track(exclude=["password", "last_login"])
# (The ignore below: django-otp is untyped, so the plugin cannot type the devices' managers.)
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who signs in. Belongs to one organisation; roles are Django groups."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # The person's subject identifier at the municipality's identity provider (the
    # OpenID Connect `sub` claim), set by the functional administrator: signing in
    # through the provider reaches only the account that carries it (accounts/oidc.py).
    oidc_subject = models.CharField(
        _("Amsterdam-account (OIDC sub)"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("De sub-claim die de identiteitsprovider voor deze persoon afgeeft."),
    )
    # The names of the user's groups, read once per request (accounts/roles.py).
    _role_names: frozenset[str] | None = None
    _role_permissions: frozenset[str] = frozenset()
    # Where the signed-in request's user came from in the cache (accounts/signed_in.py).
    _signed_in_entry: Any = None

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        indexes = [
            # Lists of people by name (the pool's regisseurs, users and roles) read a page in
            # order from here instead of sorting everyone: at 9,500 regisseurs the pool's
            # first page took 25 ms of sorting, 2 ms this way.
            models.Index(fields=["last_name", "first_name", "id"], name="user_by_name"),
        ]
        permissions = [
            ("link_oidc_account", _("Mag een Amsterdam-account aan een gebruiker koppelen")),
        ]

    def __str__(self) -> str:
        return display_name(self.first_name, self.last_name, self.username)


# django-otp ships no type stubs.
class ProviderMfaDevice(Device):  # type: ignore[misc]
    """The identity provider's own multi-factor sign-in, as a django-otp device.

    A session signed in through OpenID Connect whose ID token says the provider did
    multi-factor authentication is marked verified with this device, so the local
    second factor is not asked again (accounts/oidc.py). It accepts no code: it is
    never a way to pass the local second step.
    """

    class Meta:
        verbose_name = _("tweede factor van de identiteitsprovider")
        verbose_name_plural = _("tweede factoren van de identiteitsprovider")

    def verify_token(self, token: str) -> bool:
        return False


class ApiToken(models.Model):
    """A sync client's token: scoped per resource (read or write), expiring, revocable.

    Only a hash of the secret is stored; the secret is shown once when issued.
    """

    client = models.ForeignKey(
        User, verbose_name=_("client"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("naam"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("rechten"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    expires_at = models.DateTimeField(_("verloopt op"))
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("ingetrokken door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RoleGrantStatus(models.TextChoices):
    """The lifecycle of a role grant; the allowed steps are ROLE_GRANT_TRANSITIONS."""

    REQUESTED = "aangevraagd", _("Aangevraagd")
    APPROVED = "toegekend", _("Toegekend")
    REFUSED = "geweigerd", _("Geweigerd")
    WITHDRAWN = "ingetrokken", _("Aanvraag ingetrokken")
    REVOKED = "afgenomen", _("Afgenomen")


ROLE_GRANT_TRANSITIONS: dict[RoleGrantStatus, frozenset[RoleGrantStatus]] = {
    RoleGrantStatus.REQUESTED: frozenset(
        {RoleGrantStatus.APPROVED, RoleGrantStatus.REFUSED, RoleGrantStatus.WITHDRAWN}
    ),
    RoleGrantStatus.APPROVED: frozenset({RoleGrantStatus.REVOKED}),
    RoleGrantStatus.REFUSED: frozenset(),
    RoleGrantStatus.WITHDRAWN: frozenset(),
    RoleGrantStatus.REVOKED: frozenset(),
}


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def pending(self) -> RoleGrantQuerySet:
        return self.filter(status=RoleGrantStatus.REQUESTED)


@pghistory.track()
class RoleGrant(models.Model):
    """One role given to (or taken from) one user: who asked, why, who decided, when.

    Roles are Django groups; only accounts.services_roles adds or removes them, and
    records each step here (docs/adr/0011-role-grants.md). A role held from before
    this flow that is revoked gets a record of its own, in status REVOKED.
    """

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RoleGrantStatus.choices,
        default=RoleGrantStatus.REQUESTED,
    )
    reason = models.TextField(_("reden"))
    requested_by = models.ForeignKey(
        User, verbose_name=_("aangevraagd door"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("aangevraagd op"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("besloten door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decision_note = models.TextField(_("toelichting bij het besluit"), blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("afgenomen door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(_("afgenomen op"), null=True, blank=True)
    revocation_reason = models.TextField(_("reden van afnemen"), blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("roltoekenning")
        verbose_name_plural = _("roltoekenningen")
        permissions = [
            ("request_role", _("Mag rollen van anderen aanvragen en afnemen")),
            ("grant_role", _("Mag rollen zonder toegang tot casusinhoud direct toekennen")),
            (
                "approve_case_content_role",
                _("Mag rollen met toegang tot casusinhoud goedkeuren of weigeren"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(status=RoleGrantStatus.REQUESTED),
                name="rolegrant_one_open_request_per_role",
            ),
            # Nobody asks for, decides on or revokes a role of their own account.
            models.CheckConstraint(
                condition=~Q(user=F("requested_by"))
                & (Q(decided_by__isnull=True) | ~Q(decided_by=F("user")))
                & (Q(revoked_by__isnull=True) | ~Q(revoked_by=F("user"))),
                name="rolegrant_not_on_own_account",
            ),
            # A case-content role is decided by a second person, never the requester.
            models.CheckConstraint(
                condition=~Q(
                    # Sorted: a frozenset's order would change the migration from run to run.
                    role__in=sorted(role.value for role in CASE_CONTENT_ROLES),
                    decided_by=F("requested_by"),
                ),
                name="rolegrant_case_content_second_person",
            ),
            models.CheckConstraint(
                condition=Q(status=RoleGrantStatus.REQUESTED, decided_at__isnull=True)
                | Q(
                    status__in=[RoleGrantStatus.APPROVED, RoleGrantStatus.REFUSED],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                )
                | Q(status=RoleGrantStatus.WITHDRAWN, decided_at__isnull=False)
                | Q(
                    status=RoleGrantStatus.REVOKED,
                    revoked_by__isnull=False,
                    revoked_at__isnull=False,
                ),
                name="rolegrant_decision_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "role"], name="rolegrant_status_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user} ({self.get_status_display()})"

    @property
    def reaches_case_content(self) -> bool:
        return Role(self.role) in CASE_CONTENT_ROLES


class ActivationLinkKind(models.TextChoices):
    INVITATION = "uitnodiging", _("Uitnodiging")
    SECOND_FACTOR_RESET = "tweede_factor", _("Tweede factor opnieuw instellen")


class ActivationLinkStatus(models.TextChoices):
    """The lifecycle of an activation link: open until used, replaced, or withdrawn."""

    OPEN = "open", _("Open")
    USED = "gebruikt", _("Gebruikt")
    REPLACED = "vervangen", _("Vervangen door een nieuwe link")
    WITHDRAWN = "ingetrokken", _("Ingetrokken")


class ActivationLinkQuerySet(models.QuerySet["ActivationLink"]):
    def open(self) -> ActivationLinkQuerySet:
        return self.filter(status=ActivationLinkStatus.OPEN)


@pghistory.track()
class ActivationLink(models.Model):
    """A one-time link by e-mail: a new user's invitation (set a password and a second
    factor), or, after a lost second factor, the way to enrol a new one.

    Only a SHA-256 hash of the link's secret is stored; the link works once, until
    ``expires_at``, and only while it is the user's open link
    (docs/adr/0017-invitations-and-second-factor-reset.md).
    """

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.PROTECT, related_name="activation_links"
    )
    kind = models.CharField(_("soort"), max_length=16, choices=ActivationLinkKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActivationLinkStatus.choices,
        default=ActivationLinkStatus.OPEN,
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.TextField(_("reden"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        User, verbose_name=_("aangemaakt door"), on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("verloopt op"))
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("afgesloten door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ActivationLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activatielink")
        verbose_name_plural = _("activatielinks")
        permissions = [
            ("invite_user", _("Mag nieuwe gebruikers uitnodigen")),
            ("reset_second_factor", _("Mag de tweede factor van elke gebruiker resetten")),
            (
                "reset_case_team_second_factor",
                _(
                    "Mag de tweede factor resetten van gebruikers met alleen rollen met "
                    "toegang tot casusinhoud"
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=ActivationLinkStatus.OPEN),
                name="activationlink_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=Q(status=ActivationLinkStatus.OPEN, closed_at__isnull=True)
                | (~Q(status=ActivationLinkStatus.OPEN) & Q(closed_at__isnull=False)),
                name="activationlink_closed_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ActivationLinkKind.SECOND_FACTOR_RESET) | ~Q(reason=""),
                name="activationlink_reset_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.get_status_display()})"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.status == ActivationLinkStatus.OPEN and self.expires_at > (
            now or timezone.now()
        )


# --- change history of what Django and django-guardian own --------------------------
# Group membership, group permissions and guardian's object permissions live in tables
# this project does not define. pghistory installs its triggers through proxy models
# here, so the triggers and event tables are migrated by the accounts app and not by
# auth or guardian (docs/adr/0011-role-grants.md). Rows of these tables are only ever
# added and removed, so inserts and deletes are what the history holds.


# django-stubs types the auto-created through model as Any; it is a model here.
class UserGroupMembership(User.groups.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
        default_permissions = ()  # nobody edits these rows by hand
        verbose_name = _("rol van een gebruiker")
        verbose_name_plural = _("rollen van gebruikers")


# django-stubs types the auto-created through model as Any; it is a model here.
class GroupPermissionGrant(Group.permissions.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
        default_permissions = ()  # nobody edits these rows by hand
        verbose_name = _("recht van een rol")
        verbose_name_plural = _("rechten van rollen")


class TrackedUserObjectPermission(UserObjectPermission):
    class Meta:
        proxy = True
        default_permissions = ()  # nobody edits these rows by hand
        verbose_name = _("objectrecht van een gebruiker")
        verbose_name_plural = _("objectrechten van gebruikers")


class TrackedGroupObjectPermission(GroupObjectPermission):
    class Meta:
        proxy = True
        default_permissions = ()  # nobody edits these rows by hand
        verbose_name = _("objectrecht van een rol")
        verbose_name_plural = _("objectrechten van rollen")


for _proxy, _event_name in (
    (UserGroupMembership, "UserGroupMembershipEvent"),
    (GroupPermissionGrant, "GroupPermissionGrantEvent"),
    (TrackedUserObjectPermission, "UserObjectPermissionEvent"),
    (TrackedGroupObjectPermission, "GroupObjectPermissionEvent"),
):
    # No reference to the tracked row: a delete event outlives the row it records.
    pghistory.track(
        pghistory.InsertEvent("add"),
        pghistory.DeleteEvent("remove"),
        obj_field=None,
        model_name=_event_name,
    )(_proxy)
del _proxy, _event_name
