"""Reading the access log: who may see which records, search, and the
subject-access export (AVG art. 15: a person's complete access history)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from kernel.csv_cells import csv_safe_writer

from .models import AccessLog
from .permissions import may_read_organisation_access_log, may_read_whole_access_log

EXPORT_COLUMNS = (
    "at",
    "username",
    "roles",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "case_number",
    "ip_address",
    "path",
    "purpose",
    "emergency",
    "shared_with",
    "basis",
)


def access_log_visible_to(user: User) -> QuerySet[AccessLog]:
    """The programme team reads the whole log; a partner's privacy officer reads the
    records of his or her own organisation's staff; nobody else reads any."""
    records = AccessLog.objects.select_related("organisation")
    if may_read_whole_access_log(user):
        return records
    if may_read_organisation_access_log(user) and user.organisation_id is not None:
        return records.filter(organisation_id=user.organisation_id)
    return records.none()


@dataclass(frozen=True)
class AccessLogFilter:
    username: str = ""
    case_number: str = ""
    action: str = ""
    basis: str = ""
    emergency_only: bool = False
    since: datetime.date | None = None
    until: datetime.date | None = None


def access_log_search(*, viewer: User, filters: AccessLogFilter) -> QuerySet[AccessLog]:
    records = access_log_visible_to(viewer)
    conditions = Q()
    if filters.username:
        conditions &= Q(username__iexact=filters.username)
    if filters.case_number:
        conditions &= Q(case_number__iexact=filters.case_number)
    if filters.action:
        conditions &= Q(action=filters.action)
    if filters.basis:
        conditions &= Q(basis=filters.basis)
    if filters.emergency_only:
        conditions &= Q(emergency=True)
    if filters.since:
        conditions &= Q(at__date__gte=filters.since)
    if filters.until:
        conditions &= Q(at__date__lte=filters.until)
    return records.filter(conditions)


def subject_access_history(*, case_id: int) -> QuerySet[AccessLog]:
    """Every recorded access to data about the person of one case, oldest first."""
    return (
        AccessLog.objects.filter(case_id=case_id)
        .select_related("organisation")
        .order_by("at", "id")
    )


def access_log_as_csv(records: QuerySet[AccessLog], *, with_search_terms: bool = False) -> str:
    """The records as CSV; the search terms (person data: a name, a BSN) only
    ``with_search_terms`` (audit.permissions.may_read_search_terms)."""
    out = io.StringIO()
    # Names, labels and reasons are typed by people: no cell may run as a formula.
    writer = csv_safe_writer(out)
    writer.writerow((*EXPORT_COLUMNS, "search_term") if with_search_terms else EXPORT_COLUMNS)
    for record in records.iterator(chunk_size=2000):
        writer.writerow(
            [
                record.at.isoformat(),
                record.username,
                record.roles,
                record.organisation.code if record.organisation else "",
                record.action,
                record.object_type,
                record.object_id,
                record.object_label,
                record.case_number,
                record.ip_address or "",
                record.path,
                record.purpose,
                "ja" if record.emergency else "nee",
                record.shared_with,
                record.basis,
                *([record.search_term] if with_search_terms else []),
            ]
        )
    return out.getvalue()
