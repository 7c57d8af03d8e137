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

from accounts.roles import Role, user_role_names

from .client_ip import client_ip
from .models import SEARCH_TERM_MAX_LENGTH, AccessLog

PURPOSE_MAX_LENGTH = 2000
CASE_OBJECT_TYPE = "cases.case"
SUBJECT_ACCESS_LABEL = "Inzageverzoek"
ACCESS_LOG_OBJECT_TYPE = "audit.accesslog"
ACCESS_LOG_EXPORT_LABEL = "Export toegangslog"
ACCESS_LOG_EXPORT_PURPOSE = "Export van het toegangslog (toezicht op inzage)."
SUBJECT_ACCESS_PURPOSE = "Inzageverzoek (AVG art. 15): overzicht van alle inzage in de gegevens."


SEARCH_OBJECT_TYPE = "cases.search"
SEARCH_LABEL = "Zoekopdracht (%(count)s resultaten)"


SECOND_FACTOR_OBJECT_TYPE = "accounts.user"
SECOND_FACTOR_FAILED_LABEL = "Onjuiste code bij de tweede stap van het inloggen"
SIGN_IN_REFUSED_OBJECT_TYPE = "accounts.oidc_subject"
SIGN_IN_REFUSED_LABEL = "Inloggen met Amsterdam-account geweigerd: geen account met deze sub"
SECOND_FACTOR_RESET_LABEL = "Tweede factor gereset van %(user)s"


def role_basis(user: Any) -> str:
    """The ground of a read that no case relation explains: the user's role.

    cases.access.access_basis starts from the case's facts and ends here; reads
    without a case (a monitor, a caseload review, the log itself) come here
    directly, so the role names appear in this one place."""
    roles = user_role_names(user)
    for role, basis in (
        (Role.SYNC_CLIENT, AccessLog.Basis.SYNC_CLIENT),
        (Role.PROGRAMME_TEAM, AccessLog.Basis.PROGRAMME_TEAM),
        (Role.PRIVACY_OFFICER, AccessLog.Basis.PRIVACY_OFFICER),
        (Role.PTO_R, AccessLog.Basis.PTO_R),
    ):
        if role.value in roles:
            return basis
    return AccessLog.Basis.OTHER


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
    basis: str = "",
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
        basis=basis,
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
    basis: str = "",
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
        basis=basis or role_basis(user),
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
    basis: str = "",
) -> AccessLog:
    """Append one access record: who (with role and organisation as they are now),
    what, when, from where, why where a purpose was asked, and on which ground
    (``basis``: cases.access.access_basis; without it, the user's role)."""
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
        basis=basis,
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
    basis: str = "",
) -> None:
    """One record per object, in one INSERT (API list pages, exports). Callers
    select_related the case so labelling costs no query per object. The ground
    (``basis``) is one for all the objects: the API's is the sync client's token.

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
        basis=basis,
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
        "basis",
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
        cursor.execute(statement, [*values.values(), *(_array_text(v) for v in columns.values())])


def _array_text(values: list[Any]) -> str:
    """A column's values as one PostgreSQL array literal (``{"a","b",NULL}``).

    The driver sends a list as ``ARRAY['a','b',...]``: 2,500 constants for a page of
    500 records, which PostgreSQL parses and casts one by one; one string per column
    is read by the array type's own input function instead. Every element is quoted,
    so only a backslash and a double quote need escaping (PostgreSQL's array syntax)."""
    return (
        "{"
        + ",".join(
            "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
        + "}"
    )


def _concrete(name: str) -> models.Field[Any, Any]:
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


def access_record_search(
    *, user: Any, term: str, result_count: int, request: HttpRequest | None = None
) -> AccessLog:
    """Record a search for a case with its term, which may be a name or a BSN: it goes
    in ``search_term``, which the log shows only to who may read it
    (audit.permissions.may_read_search_terms), never in the label or the path. The
    cases shown are recorded apart, each as a read (the caller)."""
    entry = _row(
        user=user,
        action=AccessLog.Action.SEARCH,
        object_type=SEARCH_OBJECT_TYPE,
        object_id="",
        label=SEARCH_LABEL % {"count": result_count},
        case_id=None,
        case_number="",
        request=request,
    )
    entry.search_term = term[:SEARCH_TERM_MAX_LENGTH]
    entry.save()
    return entry


def second_factor_failure_record(*, user: Any, request: HttpRequest | None = None) -> AccessLog:
    """Record a wrong code at the second step of signing in: who, when, from where.

    The password was right, so the attempt is someone holding it: the programme
    team finds such attempts in the access log, next to the reads they precede."""
    entry = _row(
        user=user,
        action=AccessLog.Action.SECOND_FACTOR_FAILED,
        object_type=SECOND_FACTOR_OBJECT_TYPE,
        object_id=str(user.pk),
        label=SECOND_FACTOR_FAILED_LABEL,
        case_id=None,
        case_number="",
        request=request,
    )
    entry.save()
    return entry


def sign_in_refused_record(*, subject: str, request: HttpRequest | None = None) -> AccessLog:
    """Record a sign-in through the identity provider that no account matched: the
    provider vouched for ``subject`` (its `sub` claim), but nobody here was invited
    with it. There is no user to name; the subject is the record's object."""
    entry = AccessLog(
        user=None,
        username=f"oidc:{subject}"[:150],
        roles="",
        organisation_id=None,
        action=AccessLog.Action.SIGN_IN_REFUSED,
        object_type=SIGN_IN_REFUSED_OBJECT_TYPE,
        object_id=subject[:64],
        object_label=SIGN_IN_REFUSED_LABEL,
        case_id=None,
        case_number="",
        ip_address=client_ip(request),
        path=(request.get_full_path() if request is not None else "")[:500],
        basis=AccessLog.Basis.OTHER,
    )
    entry.save()
    return entry


def second_factor_reset_record(
    *, by: Any, subject: Any, reason: str, request: HttpRequest | None = None
) -> AccessLog:
    """Record that ``by`` removed ``subject``'s second factor, with the reason given:
    the access log shows who could have moved someone's sign-in to another phone."""
    entry = _row(
        user=by,
        action=AccessLog.Action.SECOND_FACTOR_RESET,
        object_type=SECOND_FACTOR_OBJECT_TYPE,
        object_id=str(subject.pk),
        label=SECOND_FACTOR_RESET_LABEL % {"user": subject.get_username()},
        case_id=None,
        case_number="",
        request=request,
        purpose=reason,
    )
    entry.save()
    return entry


def account_event_record(
    *,
    user: Any,
    action: str,
    object_type: str,
    object_id: str,
    label: str,
    request: HttpRequest | None = None,
    purpose: str = "",
) -> AccessLog:
    """Record an event on an account (a password changed or reset, a session ended, an
    account deactivated, a lockout lifted): ``user`` did it, ``label`` says to whom."""
    entry = _row(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        label=label,
        case_id=None,
        case_number="",
        request=request,
        purpose=purpose,
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
