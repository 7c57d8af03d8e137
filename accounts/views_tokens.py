"""The sync-client pages of the functional administrator: the clients and their
tokens, a new client, a new token (its secret shown once), revoking a token.
Thin: who may comes from accounts.permissions, the rules and the writes from
accounts.tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kernel.forms import Outcome, call_service, form_status

from .forms_tokens import SyncClientForm, TokenIssueForm
from .http import AuthenticatedRequest
from .models import ApiToken, User
from .permissions import may_manage_api_tokens
from .selectors import sync_client, sync_clients
from .tokens import api_token_issue, api_token_revoke, sync_client_create

ONLY_TOKEN_MANAGERS = _("Alleen de functioneel beheerder beheert koppelingen en API-tokens.")
CLIENT_CREATED = _(
    "De koppeling %(client)s is aangemaakt met de rol synchronisatieclient. Geef haar nu een token."
)
TOKEN_REVOKED = _(
    "Het token %(token)s is ingetrokken: het werkt vanaf het volgende verzoek niet meer."
)

TOKEN_FIELDS = {"name": "name", "expiry": "expires_on"}
CLIENT_FIELDS = {"name": "name"}


def _require_token_manager(user: User) -> None:
    if not may_manage_api_tokens(user):
        raise PermissionDenied(ONLY_TOKEN_MANAGERS)


@login_required
@require_http_methods(["GET", "POST"])
def sync_client_list(request: AuthenticatedRequest) -> HttpResponse:
    """The sync clients with their tokens; the form adds a client."""
    _require_token_manager(request.user)
    form = SyncClientForm(request.POST if request.method == "POST" else None)
    outcome = Outcome()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            form,
            lambda: sync_client_create(
                name=data["name"], organisation=data["organisation"], by=request.user
            ),
            CLIENT_FIELDS,
        )
        if outcome.ok:
            messages.success(request, CLIENT_CREATED % {"client": outcome.result})
            return redirect("accounts:token_issue", pk=outcome.result.pk)
    return render(
        request,
        "accounts/sync_clients.html",
        {"clients": sync_clients(), "form": form, "now": timezone.now()},
        status=form_status(form, outcome),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A new token for one client. The key is in the answer to the POST only, never
    stored and never cached: whoever leaves the page without copying it issues a
    new one."""
    _require_token_manager(request.user)
    client = sync_client(pk)
    if client is None:
        raise Http404
    form = TokenIssueForm(request.POST if request.method == "POST" else None)
    outcome = Outcome()
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            form,
            lambda: api_token_issue(
                client=client,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                expires_at=form.expires_at(),
                by=request.user,
            ),
            TOKEN_FIELDS,
        )
        if outcome.ok:
            token, key = outcome.result
            context = {"client": client, "token": token, "key": key}
            return render(request, "accounts/token_issued.html", context)
    return render(
        request,
        "accounts/token_issue.html",
        {"client": client, "form": form},
        status=form_status(form, outcome),
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_token_manager(request.user)
    token = get_object_or_404(ApiToken, pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, TOKEN_REVOKED % {"token": token})
    return redirect("accounts:sync_clients")
