"""Sharing on a weighty interest (zwaarwegend belang, docs/rules.md R-PRIV-1): each
decision to pass a plan version or an UVO to someone outside the case's team is
a judgement, recorded with its ground, and a share in the access log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from audit.models import AccessLog
from audit.services import access_record
from kernel.errors import RuleViolation

from ..access import access_basis, case_permissions
from ..models import Case, Meeting, PlanVersion, SharedObjectType, ShareRecord

SHARE_ONLY_WHO_WORKS_ON_CASE = _("Alleen wie aan de casus werkt, mag gegevens ervan delen.")
SHARE_CHOOSE_ONE = _(
    "Kies precies één gegeven om te delen: een versie van het plan van aanpak of een UVO."
)
SHARE_NOT_OF_THIS_CASE = _("Dit gegeven hoort niet bij deze casus.")
SHARE_WITH_REQUIRED = _("Noem met wie u deelt: naam en organisatie.")
SHARE_GROUND_REQUIRED = _("Onderbouw het zwaarwegend belang waarop u deelt.")
SHARE_WITH_MAX_LENGTH = 300
SHARE_WITH_TOO_LONG = format_lazy(
    _("Houd ‘gedeeld met’ korter dan {max_length} tekens."), max_length=SHARE_WITH_MAX_LENGTH
)


@transaction.atomic
def share_record(
    *,
    case: Case,
    plan_version: PlanVersion | None = None,
    meeting: Meeting | None = None,
    shared_with: str,
    ground: str,
    by: User,
    request: HttpRequest | None = None,
) -> ShareRecord:
    """Record that ``by`` shared one plan version or one UVO of ``case`` with
    ``shared_with`` (name and organisation) on the ``ground`` given."""
    permissions = case_permissions(by, case)
    if not permissions.allows("work_on_case"):
        raise RuleViolation(SHARE_ONLY_WHO_WORKS_ON_CASE, code="not_on_case")
    shared: PlanVersion | Meeting
    if plan_version is not None and meeting is None:
        shared = plan_version
    elif meeting is not None and plan_version is None:
        shared = meeting
    else:
        raise ValidationError(SHARE_CHOOSE_ONE, code="choose_one")
    # A forged id from a form or client must not share another case's record.
    if shared.case_id != case.pk:
        raise ValidationError(SHARE_NOT_OF_THIS_CASE, code="not_of_this_case")
    shared_with = shared_with.strip()
    ground = ground.strip()
    if not shared_with:
        raise ValidationError(SHARE_WITH_REQUIRED, code="shared_with_required")
    if len(shared_with) > SHARE_WITH_MAX_LENGTH:
        raise ValidationError(SHARE_WITH_TOO_LONG, code="shared_with_too_long")
    if not ground:
        raise ValidationError(SHARE_GROUND_REQUIRED, code="ground_required")

    with history_context(user=by.pk):
        record = ShareRecord.objects.create(
            case=case,
            shared_object_type=(
                SharedObjectType.PLAN if plan_version is not None else SharedObjectType.MEETING
            ),
            plan_version=plan_version,
            meeting=meeting,
            shared_with=shared_with,
            ground=ground,
            shared_by=by,
            shared_at=timezone.now(),
        )
        access_record(
            user=by,
            obj=shared,
            action=AccessLog.Action.SHARE,
            request=request,
            case=case,
            purpose=ground,
            shared_with=record.shared_with,
            emergency=permissions.rests_on_emergency("work_on_case"),
            basis=access_basis(by, case),
        )
    return record
