"""The role pages: users and their roles, one user's roles (ask for a role, take one
away), and the requests waiting for a decision. Thin: who may do what comes from
accounts.permissions, the data from accounts.selectors, every change from
accounts.services_roles (which records it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kernel.forms import call_service, form_status
from kernel.views import service_form_page, success

from . import services_oidc, services_roles
from .forms_account import DeactivateForm
from .forms_invitations import SecondFactorResetForm
from .forms_roles import (
    GrantApproveForm,
    GrantRefuseForm,
    OidcSubjectForm,
    RoleRequestForm,
    RoleRevokeForm,
    UserSearchForm,
)
from .http import AuthenticatedRequest
from .models import RoleGrant, RoleGrantStatus, User
from .permissions import (
    may_deactivate_users,
    may_decide_grant,
    may_decide_grants,
    may_link_oidc_accounts,
    may_manage_roles,
    may_reset_second_factor_of,
)
from .roles import Role
from .selectors import (
    open_activation_link,
    role_grants_of,
    role_grants_to_decide,
    role_labels,
    roles_of,
    users_with_roles,
)

USERS_PER_PAGE = 50
# The reset form shares its field name with the role request form on the same page.
RESET_FORM_IDS = "id_tweede_factor_%s"
USER_ROLES_TEMPLATE = "accounts/user_roles.html"
GRANT_LIST_TEMPLATE = "accounts/grant_list.html"

ONLY_ROLE_MANAGERS = _(
    "Alleen de functioneel beheerder en het programmateam zien en beheren rollen."
)
ONLY_DECIDERS = _(
    "Alleen de functioneel beheerder en het programmateam besluiten over rolaanvragen."
)
ROLE_GRANTED = _("%(user)s heeft nu de rol %(role)s.")
ROLE_REQUESTED = _(
    "De aanvraag voor de rol %(role)s voor %(user)s is vastgelegd. De rol is actief zodra "
    "een tweede persoon de aanvraag goedkeurt."
)
ROLE_REVOKED = _("De rol %(role)s is afgenomen van %(user)s.")
GRANT_APPROVED = _("De aanvraag is goedgekeurd: %(user)s heeft nu de rol %(role)s.")
GRANT_REFUSED = _("De aanvraag voor de rol %(role)s voor %(user)s is geweigerd.")
OIDC_SUBJECT_SAVED = _("De koppeling met het Amsterdam-account van %(user)s is opgeslagen.")
ONLY_OIDC_LINKERS = _("Alleen de functioneel beheerder koppelt Amsterdam-accounts.")
GRANT_WITHDRAWN = _("De aanvraag voor de rol %(role)s voor %(user)s is ingetrokken.")


def _require_role_manager(user: Any) -> None:
    if not may_manage_roles(user):
        raise PermissionDenied(ONLY_ROLE_MANAGERS)


def _require_decider(user: Any) -> None:
    if not may_decide_grants(user):
        raise PermissionDenied(ONLY_DECIDERS)


def _names(grant: RoleGrant) -> dict[str, Any]:
    return {"user": grant.user, "role": grant.get_role_display()}


# --- users and their roles -----------------------------------------------------------


@login_required
@require_GET
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_role_manager(request.user)
    form = UserSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(users_with_roles(search=search), USERS_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    for person in page.object_list:
        person.role_labels = role_labels(person.role_groups)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "users": page.object_list},
        status=form_status(form),
    )


def _revoke_form(role: Role, data: Any = None) -> RoleRevokeForm:
    # One form per held role on the page: ids of their own, the same field names.
    return RoleRevokeForm(data, initial={"role": role.value}, auto_id=f"id_afnemen_{role.value}_%s")


def _user_roles_context(
    request: AuthenticatedRequest,
    subject: User,
    *,
    request_form: RoleRequestForm | None = None,
    failed_revoke: RoleRevokeForm | None = None,
    errors: list[Any] | None = None,
    oidc_form: OidcSubjectForm | None = None,
    reset_form: SecondFactorResetForm | None = None,
    deactivate_form: DeactivateForm | None = None,
) -> dict[str, Any]:
    held = roles_of(subject)
    grants = list(role_grants_of(subject))
    pending = [grant for grant in grants if grant.status == RoleGrantStatus.REQUESTED]
    offered = [
        role for role in Role if role not in held and role.value not in {g.role for g in pending}
    ]
    if request_form is None:
        request_form = RoleRequestForm(offered=offered)
    failed_role = failed_revoke.data.get("role") if failed_revoke is not None else None
    return {
        "subject": subject,
        "own_account": subject.pk == request.user.pk,
        "held": [
            (role, failed_revoke if role.value == failed_role else _revoke_form(role))
            for role in held
        ],
        "pending": pending,
        "decided": [grant for grant in grants if grant.status != RoleGrantStatus.REQUESTED],
        "request_form": request_form if offered or request_form.errors else None,
        "errors": errors or [],
        "oidc_form": (oidc_form or OidcSubjectForm(initial={"subject": subject.oidc_subject or ""}))
        if may_link_oidc_accounts(request.user)
        else None,
        # A lost second factor: who may reset it, and the link the user has not used yet.
        "reset_form": (reset_form or SecondFactorResetForm(auto_id=RESET_FORM_IDS))
        if subject.pk != request.user.pk and may_reset_second_factor_of(request.user, subject)
        else None,
        "open_link": open_activation_link(subject),
        "deactivate_form": deactivate_form
        or (
            DeactivateForm()
            if subject.is_active
            and subject.pk != request.user.pk
            and may_deactivate_users(request.user)
            else None
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def user_roles(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One user's roles; the form asks for a role for them."""
    _require_role_manager(request.user)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    if request.method != "POST":
        return render(request, USER_ROLES_TEMPLATE, _user_roles_context(request, subject))
    form = RoleRequestForm(request.POST)

    def requested(grant: RoleGrant) -> HttpResponse:
        done = grant.status == RoleGrantStatus.APPROVED
        return success(
            request,
            (ROLE_GRANTED if done else ROLE_REQUESTED) % _names(grant),
            redirect("accounts:user_roles", pk=subject.pk),
        )

    def page() -> dict[str, Any]:
        # One's own page has no request form to show the refusal in: it goes above.
        errors = _form_errors(form) if subject.pk == request.user.pk else None
        return _user_roles_context(request, subject, request_form=form, errors=errors)

    return service_form_page(
        request,
        form,
        lambda data: services_roles.role_grant_request(
            user=subject, role=data["role"], by=request.user, reason=data["reason"]
        ),
        done=requested,
        template=USER_ROLES_TEMPLATE,
        context=page,
    )


@login_required
@require_POST
def role_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_role_manager(request.user)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = RoleRevokeForm(request.POST, auto_id=f"id_afnemen_{request.POST.get('role', '')}_%s")

    def page() -> dict[str, Any]:
        # A refusal about a role the user does not hold has no form on the page: show it above.
        errors = (
            []
            if form.data.get("role") in {r.value for r in roles_of(subject)}
            else ([error for errors in form.errors.values() for error in errors])
        )
        return _user_roles_context(request, subject, failed_revoke=form, errors=errors)

    return service_form_page(
        request,
        form,
        lambda data: services_roles.role_revoke(
            user=subject, role=data["role"], by=request.user, reason=data["reason"]
        ),
        done=lambda _result: success(
            request,
            ROLE_REVOKED % {"user": subject, "role": Role(form.cleaned_data["role"]).label},
            redirect("accounts:user_roles", pk=subject.pk),
        ),
        template=USER_ROLES_TEMPLATE,
        context=page,
    )


@login_required
@require_POST
def user_oidc_subject(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Link the user's account to their Amsterdam-account (the provider's ``sub``)."""
    if not may_link_oidc_accounts(request.user):
        raise PermissionDenied(ONLY_OIDC_LINKERS)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = OidcSubjectForm(request.POST)
    return service_form_page(
        request,
        form,
        lambda data: services_oidc.user_oidc_subject_set(
            user=subject, subject=data["subject"], by=request.user
        ),
        done=lambda _result: success(
            request,
            OIDC_SUBJECT_SAVED % {"user": subject},
            redirect("accounts:user_roles", pk=subject.pk),
        ),
        template=USER_ROLES_TEMPLATE,
        context=lambda: _user_roles_context(request, subject, oidc_form=form),
    )


# --- requests waiting for a decision ------------------------------------------------


def _decision_form(form_class: type[Any], grant_pk: int, action: str, data: Any = None) -> Any:
    # One pair of forms per request on the page: ids of their own, the same field names.
    return form_class(data, auto_id=f"id_{action}_{grant_pk}_%s")


def _grant_rows(viewer: User, failed: tuple[int, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for grant in role_grants_to_decide(viewer):
        failed_form = failed[1] if failed and failed[0] == grant.pk else None
        own_request = grant.requested_by_id == viewer.pk
        rows.append(
            {
                "grant": grant,
                "own_request": own_request,
                "may_decide": not own_request
                and grant.user_id != viewer.pk
                and may_decide_grant(viewer, reaches_case_content=grant.reaches_case_content),
                "approve_form": failed_form
                if isinstance(failed_form, GrantApproveForm)
                else _decision_form(GrantApproveForm, grant.pk, "goedkeuren"),
                "refuse_form": failed_form
                if isinstance(failed_form, GrantRefuseForm)
                else _decision_form(GrantRefuseForm, grant.pk, "weigeren"),
            }
        )
    return rows


def _grant_list_context(
    request: AuthenticatedRequest, failed: tuple[int, Any] | None = None
) -> dict[str, Any]:
    rows = _grant_rows(request.user, failed)
    # A refusal about a request without decision forms on the viewer's list (decided
    # already, the viewer's own, or of a kind the viewer does not decide) goes above it.
    errors = []
    if failed is not None and failed[0] not in {
        row["grant"].pk for row in rows if row["may_decide"]
    }:
        errors = _form_errors(failed[1])
    return {"rows": rows, "errors": errors}


def _form_errors(form: Any) -> list[Any]:
    return [error for errors in form.errors.values() for error in errors]


@login_required
@require_GET
def grant_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_decider(request.user)
    return render(request, GRANT_LIST_TEMPLATE, _grant_list_context(request))


def _grant(pk: int) -> RoleGrant:
    return get_object_or_404(RoleGrant.objects.select_related("user"), pk=pk)


def _decide(request: AuthenticatedRequest, pk: int, *, refuse: bool) -> HttpResponse:
    _require_decider(request.user)
    grant = _grant(pk)
    if refuse:
        form = _decision_form(GrantRefuseForm, grant.pk, "weigeren", request.POST)
    else:
        form = _decision_form(GrantApproveForm, grant.pk, "goedkeuren", request.POST)
    service = services_roles.role_grant_refuse if refuse else services_roles.role_grant_approve
    return service_form_page(
        request,
        form,
        lambda data: service(grant=grant, by=request.user, note=data["note"]),
        done=lambda _result: success(
            request,
            (GRANT_REFUSED if refuse else GRANT_APPROVED) % _names(grant),
            redirect("accounts:grant_list"),
        ),
        template=GRANT_LIST_TEMPLATE,
        context=lambda: _grant_list_context(request, (grant.pk, form)),
    )


@login_required
@require_POST
def grant_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, refuse=False)


@login_required
@require_POST
def grant_refuse(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, refuse=True)


@login_required
@require_POST
def grant_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The requester takes a request back, from the user's role page."""
    _require_role_manager(request.user)
    grant = _grant(pk)
    form = GrantApproveForm(request.POST)  # carries no input; holds a refusal
    outcome = call_service(
        form, lambda: services_roles.role_grant_withdraw(grant=grant, by=request.user)
    )
    if outcome.ok:
        messages.success(request, GRANT_WITHDRAWN % _names(grant))
        return redirect("accounts:user_roles", pk=grant.user_id)
    return render(
        request,
        USER_ROLES_TEMPLATE,
        _user_roles_context(request, grant.user, errors=_form_errors(form)),
        status=form_status(form, outcome),
    )
