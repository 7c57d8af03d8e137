"""Identity: organisations and the people who sign in.

Organisation lives here, not in pool/, because every cross-cutting concern
(roles, the access audit, a privacy officer's view of his own organisation's
staff) needs a user's organisation, and those apps must not import the domain
apps (docs/adr/0002-organisation-in-accounts.md).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class User(AbstractUser):
    """A person who signs in. Belongs to one organisation; roles are Django groups."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


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
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
