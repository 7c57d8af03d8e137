"""The roles of DOMAIN.md ("who may see what"). Each role is a Django group; a user
may hold several. Model permissions hang on the groups; object permissions on
cases are granted by the cases services (cases/access.py), never by hand."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAMME_TEAM = "programmateam", _("Programmateam (OOV)")
    REGISSEUR = "regisseur", _("Regisseur")
    TEAM_MEMBER = "interventieteamlid", _("Lid interventieteam")
    PTO_R = "pto_r", _("Lid PTO-R")
    MANAGER = "manager", _("Manager moederorganisatie")
    SYNC_CLIENT = "sync_client", _("Synchronisatieclient")
    FUNCTIONAL_ADMIN = "beheerder", _("Functioneel beheerder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")


def user_has_role(user, role: Role) -> bool:
    """True when the signed-in user holds the role (groups are prefetched per request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return role.value in user_role_names(user)


def user_role_names(user) -> frozenset[str]:
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached
