"""Writing the access log. The only way in: ``access_record`` (and its bulk form).

Views, API viewsets, downloads and admin pages call it for every read of
person-level data, inside the request: if the record cannot be written, the
read fails too (no log, no data).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from accounts.roles import user_role_names

from .models import AccessLog

PURPOSE_MAX_LENGTH = 2000
CASE_OBJECT_TYPE = "cases.case"
SUBJECT_ACCESS_LABEL = "Inzageverzoek"
ACCESS_LOG_OBJECT_TYPE = "audit.accesslog"
ACCESS_LOG_EXPORT_LABEL = "Export toegangslog"
ACCESS_LOG_EXPORT_PURPOSE = "Export van het toegangslog (toezicht op inzage)."
SUBJECT_ACCESS_PURPOSE = "Inzageverzoek (AVG art. 15): overzicht van alle inzage in de gegevens."


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind the production proxy, gunicorn's
    --forwarded-allow-ips makes REMOTE_ADDR the client's own."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _entry(
    *,
    user: Any,
    obj: models.Model,
    action: str,
    request: HttpRequest | None,
    case: models.Model | None = None,
    purpose: str = "",
    emergency: bool = False,
    shared_with: str = "",
    label: str = "",
) -> AccessLog:
    subject_case = case if case is not None else case_of(obj)
    return _row(
        user=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        label=label or str(obj),
        case_id=getattr(subject_case, "pk", None),
        case_number=getattr(subject_case, "number", "") or "",
        request=request,
        purpose=purpose,
        emergency=emergency,
        shared_with=shared_with,
    )


def _row(
    *,
    user: Any,
    action: str,
    object_type: str,
    object_id: str,
    label: str,
    case_id: int | None,
    case_number: str,
    request: HttpRequest | None,
    purpose: str = "",
    emergency: bool = False,
    shared_with: str = "",
) -> AccessLog:
    return AccessLog(
        user=user,
        username=user.get_username(),
        roles=",".join(sorted(user_role_names(user))),
        organisation_id=user.organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=label[:200],
        case_id=case_id,
        case_number=case_number,
        ip_address=client_ip(request),
        path=(request.get_full_path() if request is not None else "")[:500],
        purpose=purpose[:PURPOSE_MAX_LENGTH],
        emergency=emergency,
        shared_with=shared_with[:300],
    )


def access_record(
    *,
    user: Any,
    obj: models.Model,
    action: str = AccessLog.Action.VIEW,
    request: HttpRequest | None = None,
    case: models.Model | None = None,
    purpose: str = "",
    emergency: bool = False,
    shared_with: str = "",
    label: str = "",
) -> AccessLog:
    """Append one access record: who (with role and organisation as they are now),
    what, when, from where, and why where a purpose was asked."""
    entry = _entry(
        user=user,
        obj=obj,
        action=action,
        request=request,
        case=case,
        purpose=purpose,
        emergency=emergency,
        shared_with=shared_with,
        label=label,
    )
    entry.save()
    return entry


def access_record_many(
    *,
    user: Any,
    objects: list[models.Model],
    action: str = AccessLog.Action.VIEW,
    request: HttpRequest | None = None,
    purpose: str = "",
) -> None:
    """One record per object, in one INSERT (API list pages, exports). Callers
    select_related the case so labelling costs no query per object.

    A full API sync logs some 150,000 reads: what is the same for every record
    (who, from where, why, when) is worked out once, and the rows go in as arrays
    (``unnest``) instead of one model instance per record."""
    if not objects:
        return
    shared = _row(
        user=user,
        action=action,
        object_type="",
        object_id="",
        label="",
        case_id=None,
        case_number="",
        request=request,
        purpose=purpose,
    )
    shared.at = timezone.now()
    columns: dict[str, list[Any]] = {
        "object_type": [],
        "object_id": [],
        "object_label": [],
        "case_id": [],
        "case_number": [],
    }
    for obj in objects:
        case = case_of(obj)
        columns["object_type"].append(obj._meta.label_lower)
        columns["object_id"].append(str(obj.pk))
        columns["object_label"].append(str(obj)[:200])
        columns["case_id"].append(getattr(case, "pk", None))
        columns["case_number"].append(getattr(case, "number", "") or "")
    constant = [
        "at",
        "user_id",
        "username",
        "roles",
        "organisation_id",
        "action",
        "ip_address",
        "path",
        "purpose",
        "emergency",
        "shared_with",
    ]
    values = {c: getattr(shared, c) for c in constant}
    if connection.vendor != "postgresql":  # the SQLite quick start
        AccessLog.objects.bulk_create(
            [
                AccessLog(**values, **dict(zip(columns, row, strict=True)))
                for row in zip(*columns.values(), strict=True)
            ]
        )
        return
    fields = [_concrete(c) for c in constant]
    arrays = [_concrete(c) for c in columns]
    statement = (
        f"INSERT INTO {AccessLog._meta.db_table} "  # noqa: S608  (names from the model)
        f"({', '.join(f.column for f in (*fields, *arrays))}) "
        f"SELECT {', '.join(f'%s::{f.db_type(connection)}' for f in fields)}, o.* "
        f"FROM unnest({', '.join(f'%s::{f.db_type(connection)}[]' for f in arrays)}) AS o"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*values.values(), *columns.values()])


def _concrete(name: str) -> models.Field:
    field = AccessLog._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101  (the model's own columns)
    return field


def access_record_subject_access_export(
    *, user: Any, case_id: int, request: HttpRequest | None = None
) -> AccessLog:
    """Record the export of one person's access history (a subject-access request).

    audit may not import cases, so the record names the case by its id and by the
    number the log already holds for it."""
    case_number = (
        AccessLog.objects.filter(case_id=case_id)
        .exclude(case_number="")
        .values_list("case_number", flat=True)
        .first()
    ) or ""
    entry = _row(
        user=user,
        action=AccessLog.Action.EXPORT,
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case_id),
        label=f"{SUBJECT_ACCESS_LABEL} {case_number}".strip(),
        case_id=case_id,
        case_number=case_number,
        request=request,
        purpose=SUBJECT_ACCESS_PURPOSE,
    )
    entry.save()
    return entry


def access_record_log_export(
    *, user: Any, record_count: int, request: HttpRequest | None = None
) -> AccessLog:
    """Record an export of the access log itself: the export discloses who read
    which case, so it is logged with the search that selected it (the URL)."""
    entry = _row(
        user=user,
        action=AccessLog.Action.EXPORT,
        object_type=ACCESS_LOG_OBJECT_TYPE,
        object_id="export",
        label=f"{ACCESS_LOG_EXPORT_LABEL} ({record_count} regels)",
        case_id=None,
        case_number="",
        request=request,
        purpose=ACCESS_LOG_EXPORT_PURPOSE,
    )
    entry.save()
    return entry


def case_of(obj: models.Model) -> Any:
    """The case a record belongs to: the object itself when it is a case, else its
    ``case`` (or ``plan_version.case`` / ``meeting.case``)."""
    if obj._meta.label_lower == CASE_OBJECT_TYPE:
        return obj
    for path in ("case", "plan_version.case", "meeting.case"):
        target: Any = obj
        for attribute in path.split("."):
            target = getattr(target, attribute, None)
            if target is None:
                break
        if target is not None:
            return target
    return None
