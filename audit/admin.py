"""The admin's history pages tell nobody whether a record exists.

Django's ``history_view`` looks the record up before it checks permission: an
unknown id is redirected with a message, a known one refused with 403, so anyone
with a staff account could probe which ids exist in a model he may not read.
Here a record one may not see answers the same as one that does not exist: 404,
the rule the rest of the application follows (README, "Access").

The domain apps' admins (pool, cases, monitoring) inherit the mixin; the admins
registered before this module is imported (Django's, the third-party apps' and
accounts', in ``INSTALLED_APPS`` order) are wrapped below.
``tests/ipgar/test_admin_history.py`` walks the whole registry, so a model added
later without it fails there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


class HistoryHidesExistenceMixin(_ModelAdminBase):
    """A history page answers 404 for a record that does not exist and for one the
    user may not read, alike."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The model permission first: without it the id is not even looked up.
        if not self.has_view_or_change_permission(request):
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return super().history_view(request, object_id, extra_context)


def hide_existence_in_history(site: admin.AdminSite) -> None:
    """Give every admin registered on ``site`` so far the mixin (idempotent)."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if issubclass(admin_class, HistoryHidesExistenceMixin):
            continue
        site.unregister(model)
        wrapped = type(
            admin_class.__name__,
            (HistoryHidesExistenceMixin, admin_class),
            {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
        )
        site.register(model, wrapped)


hide_existence_in_history(admin.site)
