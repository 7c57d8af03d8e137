"""A user's saved selections of the case list: a name and the list's query string."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import SavedCaseView
from ..selectors.lists import LIST_PARAMETERS

SAVED_VIEWS_MAX = 30
SAVED_VIEW_NAME_REQUIRED = _("Geef de selectie een naam.")
SAVED_VIEW_NAME_TAKEN = _("U heeft al een selectie met deze naam.")
SAVED_VIEW_TOO_MANY = _("U kunt ten hoogste 30 selecties bewaren. Verwijder er eerst een.")


def saved_view_query(query: str) -> str:
    """The list's own parameters of ``query`` in a fixed order, the page number and
    anything else left out, so a selection holds filters and sort order only."""
    params = QueryDict(query.lstrip("?"))
    return urlencode([(key, value) for key in LIST_PARAMETERS for value in params.getlist(key)])


@transaction.atomic
def saved_view_create(*, user: User, name: str, query: str) -> SavedCaseView:
    """Save the selection ``query`` of the case list under ``name`` for ``user``."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(SAVED_VIEW_NAME_REQUIRED, code="name_required")
    # Locks the user's row: two saves at once cannot both pass the checks below.
    User.objects.select_for_update().filter(pk=user.pk).first()
    views = SavedCaseView.objects.filter(user=user)
    if views.filter(name__iexact=name).exists():
        raise ValidationError(SAVED_VIEW_NAME_TAKEN, code="name_taken")
    if views.count() >= SAVED_VIEWS_MAX:
        raise ValidationError(SAVED_VIEW_TOO_MANY, code="too_many")
    return SavedCaseView.objects.create(user=user, name=name, query=saved_view_query(query))


@transaction.atomic
def saved_view_delete(*, user: User, view_id: int) -> None:
    """Delete a selection of ``user``'s own. Raises SavedCaseView.DoesNotExist for any
    other id, another user's included."""
    SavedCaseView.objects.select_for_update().get(pk=view_id, user=user).delete()
