"""Reads of the API's own tables: the change feed, external ids, deliveries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from .lookups import IdIn
from .models import ChangeEvent, ExternalId, PersonSource

CURSOR_INVALID = _("Ongeldige cursor: gebruik de cursor uit een eerder antwoord van de feed.")

# Every transaction older than this has ended: its events are final (or never existed).
SNAPSHOT_HORIZON_SQL = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


@dataclass(frozen=True, order=True)
class FeedCursor:
    """A position in the feed: the (transaction, event) of the last event served."""

    xact_id: int = 0
    event_id: int = 0

    def encode(self) -> str:
        return f"{self.xact_id}.{self.event_id}"

    @classmethod
    def decode(cls, raw: str | None) -> FeedCursor:
        if not raw:
            return cls()
        xact, _, event = raw.partition(".")
        try:
            cursor = cls(int(xact), int(event))
        except ValueError:
            raise ValidationError({"changed_since": CURSOR_INVALID}, code="invalid") from None
        if cursor.xact_id < 0 or cursor.event_id < 0:
            raise ValidationError({"changed_since": CURSOR_INVALID}, code="invalid")
        return cursor


def changes_since(
    *, cursor: FeedCursor, resources: Iterable[str] | None, limit: int
) -> list[ChangeEvent]:
    """Up to ``limit`` events after ``cursor``, in (transaction, event) order.

    Only events of transactions older than the oldest one still running are
    served: a slow transaction that commits later always sorts after every
    cursor handed out before it ended, so no event is ever skipped, and the
    strict ``>`` on the cursor means none is served twice.
    """
    if connection.vendor != "postgresql":
        return []  # the SQLite quick start installs no feed triggers (api migration 0002)
    horizon = RawSQL(SNAPSHOT_HORIZON_SQL, [])  # noqa: S611  (a constant, no input)
    events = ChangeEvent.objects.filter(xact_id__lt=horizon).filter(
        Q(xact_id__gt=cursor.xact_id) | Q(xact_id=cursor.xact_id, id__gt=cursor.event_id)
    )
    if resources is not None:
        events = events.filter(resource__in=list(resources))
    return list(events.order_by("xact_id", "id")[:limit])


def external_ids_for(*, client, objects: Iterable[models.Model]) -> dict[tuple[int, int], str]:
    """{(content type id, object id): external id} of ``client`` for ``objects``, one query."""
    by_model: dict[type[models.Model], list[int]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj.pk)
    by_type: dict[int, list[int]] = {}
    for model, ids in by_model.items():  # one look-up per model, not per object
        by_type.setdefault(ContentType.objects.get_for_model(model).pk, []).extend(ids)
    if not by_type or client is None:
        return {}
    condition = Q()
    for ct_id, ids in by_type.items():
        condition |= Q(IdIn(F("object_id"), ids), content_type_id=ct_id)
    rows = ExternalId.objects.filter(condition, client=client).values_list(
        "content_type_id", "object_id", "external_id"
    )
    return {(ct_id, obj_id): ext for ct_id, obj_id, ext in rows}


def object_id_for_external_id(*, client, model: type[models.Model], external_id: str) -> int | None:
    ct = ContentType.objects.get_for_model(model)
    return (
        ExternalId.objects.filter(client=client, content_type=ct, external_id=external_id)
        .values_list("object_id", flat=True)
        .first()
    )


def person_source_client_id(*, person_id: int) -> int | None:
    """The id of the sync client that brought the person record in, if one did."""
    return (
        PersonSource.objects.filter(person_id=person_id).values_list("client_id", flat=True).first()
    )
