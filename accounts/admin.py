from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from qsessions.models import Session

from .models import Organisation, User

if TYPE_CHECKING:  # the admin classes are generic to mypy only, not at run time
    _OrganisationAdminBase = admin.ModelAdmin[Organisation]
    _UserAdminBase = DjangoUserAdmin[User]
    _GroupAdminBase = admin.ModelAdmin[Group]
else:
    _OrganisationAdminBase = _GroupAdminBase = admin.ModelAdmin
    _UserAdminBase = DjangoUserAdmin
from .selectors import role_labels


@admin.register(Organisation)
class OrganisationAdmin(_OrganisationAdminBase):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


# Fields that carry rights. Roles (groups) change only through the audited role flow
# (accounts/services_roles.py), which also sets staff status with the functional
# administrator's role; superuser status and loose permissions are never set in the app
# (docs/adr/0011-role-grants.md).
RIGHTS_FIELDS = ("is_staff", "is_superuser", "roles")
# On one's own account nothing that changes what one may do or see is editable.
OWN_ACCOUNT_FIELDS = ("is_active", "organisation")


@admin.register(User)
class UserAdmin(_UserAdminBase):
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "groups", "is_active")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Persoonlijke gegevens"), {"fields": ("first_name", "last_name", "email")}),
        (_("Organisatie"), {"fields": ("organisation",)}),
        (
            _("Status en rollen"),
            {
                "fields": ("is_active", *RIGHTS_FIELDS),
                "description": _(
                    "Rollen worden aangevraagd en goedgekeurd op de pagina Gebruikers en "
                    "rollen, niet hier."
                ),
            },
        ),
        (_("Belangrijke datums"), {"fields": ("last_login", "date_joined")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The e-mail address is where activation links go (accounts/services_invitations.py):
        # whoever could change it here could have a second-factor reset sent to himself.
        readonly: tuple[str, ...] = (*RIGHTS_FIELDS, "email", "last_login", "date_joined")
        if obj is not None and obj.pk == request.user.pk:
            readonly = (*readonly, *OWN_ACCOUNT_FIELDS)
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New users are invited (accounts/views_invitations.py): they choose their own
        # password and second factor, which nobody else ever knows or sets up.
        return False

    def get_urls(self) -> list[Any]:
        # Without Django's "set a password for this user" page: nobody sets someone
        # else's password (docs/adr/0017-invitations-and-second-factor-reset.md).
        return [
            url
            for url in super().get_urls()
            if getattr(url, "name", "") != "auth_user_password_change"
        ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (and password) is changed only by a superuser: taking
        # one over would be raising one's own rights.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("rollen"))
    def roles(self, obj: User) -> str:
        labels = ", ".join(role_labels(list(obj.groups.all()))) or "–"
        return format_html(
            '{} (<a href="{}">{}</a>)',
            labels,
            reverse("accounts:user_roles", args=[obj.pk]),
            _("rollen beheren"),
        )


# Groups are the roles: synced from ROLE_PERMISSIONS after every migrate
# (accounts.services.roles_sync). Nobody adds, renames or gives permissions to one here.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(_GroupAdminBase):
    list_display = ("name",)
    search_fields = ("name",)
    fields = ("name", "permission_list")
    readonly_fields = ("name", "permission_list")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("rechten"))
    def permission_list(self, obj: Group) -> str:
        names = obj.permissions.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        )
        return ", ".join(f"{p.content_type.app_label}.{p.codename}" for p in names) or "–"


# Authenticator secrets are not for browsing, nor is a device enrolled for someone
# else: a lost device is reset on the user's role page, and its owner enrols a new one
# through an e-mailed link (accounts/services_invitations.py), never in the admin.
# Nor are sessions (their data and keys sign people in): a person ends their own on
# "Mijn account", deactivating an account ends all of them (accounts/sessions.py).
for device_model in (TOTPDevice, StaticDevice, Session):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
