"""A guard for text on its way to PostgreSQL, which refuses the NUL character (\\x00)
in text columns (psycopg raises ValueError, a 500 if it reached a request).

Forms and API serializers refuse it already (Django's ProhibitNullCharactersValidator);
``refuse_null_characters`` is connected to every model's ``pre_save`` so a service
called directly (a job, a management command, a new code path) refuses it the same
way, with a ValidationError the callers already handle. ``QuerySet.update()`` and
``bulk_create`` bypass signals: callers of those pass values validated earlier.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

NULL_CHARACTER = _("Het veld '%(field)s' bevat een ongeldig teken (een nul-teken).")


def refuse_null_characters(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    """pre_save receiver: refuse a NUL character in any text field of ``instance``."""
    update_fields = kwargs.get("update_fields")
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(
                NULL_CHARACTER, code="null_character", params={"field": field.verbose_name}
            )
