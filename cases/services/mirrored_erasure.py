"""A person record erased on another instance is erased here too (AVG art. 17 and 19:
an erasure reaches every copy the controller made).

The sync client that mirrors one ipgar instance into another (sync_client/mirror.py) reads
the source's pseudonymisation tombstone and asks the target to follow; the target
empties the record through the same path as its own retention job and early
erasure (``retention._scrub``: the record, its history, the audit entry, the case's
revision, the tombstone of its own). Only a sync client may ask, with a recorded
ground, and only for a record that came from that client's own source (the API
keeps which client registered each record and passes it in): a client mirrors its
source's erasures, never erases what another client or the programme team brought
in. Nothing is ever restored, so a repeated request is refused as already done.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation

from ..models import Case, Person
from ..permissions import may_erase_mirrored_person
from .retention import _clean_reason, erase_person_of

MIRRORED_ERASURE_ONLY_SYNC_CLIENT = _(
    "Alleen een synchronisatieclient kan een wissing uit de bron-instantie overnemen."
)
MIRRORED_ERASURE_OTHER_SOURCE = _(
    "Dit persoonsrecord komt niet uit de bron van deze synchronisatieclient; alleen wie het "
    "heeft aangeleverd, kan een wissing ervan overnemen."
)
MIRRORED_ERASURE_GROUND = "Gewist in de bron-instantie, overgenomen door synchronisatie"


@transaction.atomic
def person_erase_as_in_source(
    *,
    case: Case,
    reason: str,
    by: User,
    source_client_id: int | None,
    expected_revision: int | None = None,
) -> Person:
    """Pseudonymise the case's person record because the source instance did.

    ``source_client_id`` is the client that brought the record in (None: none did);
    another client is refused (PermissionDenied: 403), before anything about the
    record's state is told."""
    if not may_erase_mirrored_person(by):
        raise RuleViolation(MIRRORED_ERASURE_ONLY_SYNC_CLIENT, code="not_sync_client")
    if source_client_id != by.pk:
        raise PermissionDenied(MIRRORED_ERASURE_OTHER_SOURCE)
    reason = _clean_reason(reason)
    with history_context(user=by.pk, ground=MIRRORED_ERASURE_GROUND, reason=reason):
        return erase_person_of(case=case, expected_revision=expected_revision)
