"""The intervention team (interventieteam) of a case: professionals of the partners.

A member with an account reads the case's plan and meetings while in the team
(docs/rules.md R-ACCESS-3): from the day he or she is added until the day he or she
leaves, when the access ends at once. Every change of membership re-syncs the case's
object permissions. Each member is added on a recorded basis for sharing information
about the case with him or her (docs/rules.md R-PRIV-1).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from ..access import case_access_sync
from ..models import Case, TeamMember
from ..permissions import may_join_case_teams
from .revisions import touch_case

TEAM_CASE_EXITED = _("De casus is uitgestroomd: het interventieteam wordt niet meer gewijzigd.")
TEAM_NAME_REQUIRED = _("Vul de naam van het teamlid in.")
TEAM_ORGANISATION_REQUIRED = _("Kies de organisatie van het teamlid.")
TEAM_JOINED_IN_FUTURE = _("Leg een teamlid vast vanaf de dag dat hij of zij in het team zit.")
TEAM_JOINED_BEFORE_REGISTRATION = _(
    "Een teamlid kan niet eerder in het team zitten dan de aanmelding van de casus."
)
TEAM_ACCOUNT_ALREADY_MEMBER = _("Deze gebruiker zit al in het interventieteam van deze casus.")
TEAM_SHARING_BASIS_REQUIRED = _(
    "Leg de grondslag vast waarop informatie over de casus met dit teamlid wordt gedeeld."
)
TEAM_ACCOUNT_NOT_A_TEAM_MEMBER = _(
    "Dit account kan niet aan een teamlid worden gekoppeld: het is niet actief of heeft "
    "de rol lid interventieteam niet."
)
TEAM_ACCOUNT_OTHER_ORGANISATION = _(
    "Dit account hoort bij een andere organisatie dan het teamlid (%(organisation)s)."
)
TEAM_MEMBER_OF_OTHER_CASE = _("Dit teamlid hoort niet bij deze casus.")
TEAM_LEFT_BEFORE_JOINED = _(
    "De datum van vertrek ligt niet vóór de datum waarop het teamlid begon."
)
TEAM_LEFT_IN_FUTURE = _("Leg het vertrek van een teamlid vast op of na de dag van vertrek.")
TEAM_ALREADY_LEFT = _("Dit teamlid heeft het interventieteam al verlaten.")


def team_change_check(case: Case) -> None:
    """Raise the RuleViolation that refuses changing the team of ``case`` as it stands."""
    if not case.is_open:
        raise RuleViolation(TEAM_CASE_EXITED, code="case_exited")


def _lock_open_case(case: Case) -> Case:
    locked = lock_for_update(case, expected_revision=None)
    team_change_check(locked)
    return locked


@transaction.atomic
def team_member_add(
    *,
    case: Case,
    name: str,
    organisation: Organisation,
    role: str,
    joined_on: datetime.date,
    sharing_basis: str,
    by: User,
    user: User | None = None,
) -> TeamMember:
    """Add a professional to the team; with an account (an active one holding the
    team member's role, of the member's organisation), he or she reads the case from
    today on."""
    name = name.strip()
    sharing_basis = sharing_basis.strip()
    if not name:
        raise ValidationError(TEAM_NAME_REQUIRED, code="name_required")
    if organisation is None:
        raise ValidationError(TEAM_ORGANISATION_REQUIRED, code="organisation_required")
    if not sharing_basis:
        raise ValidationError(TEAM_SHARING_BASIS_REQUIRED, code="sharing_basis_required")
    if user is not None:
        if not (user.is_active and may_join_case_teams(user)):
            raise ValidationError(TEAM_ACCOUNT_NOT_A_TEAM_MEMBER, code="account_not_team_member")
        if user.organisation_id is not None and user.organisation_id != organisation.pk:
            raise ValidationError(
                TEAM_ACCOUNT_OTHER_ORGANISATION,
                code="account_other_organisation",
                params={"organisation": str(organisation)},
            )
    # Access is synced for today, so a member recorded ahead of time would get none.
    if joined_on > timezone.localdate():
        raise ValidationError(TEAM_JOINED_IN_FUTURE, code="in_future")
    if joined_on < case.registered_on:
        raise ValidationError(TEAM_JOINED_BEFORE_REGISTRATION, code="before_registration")
    with history_context(user=by.pk):
        _lock_open_case(case)
        if (
            user is not None
            and case.team_members.filter(user=user)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
            .exists()
        ):
            raise RuleViolation(TEAM_ACCOUNT_ALREADY_MEMBER, code="already_member")
        member = TeamMember.objects.create(
            case=case,
            name=name,
            organisation=organisation,
            role=role.strip(),
            sharing_basis=sharing_basis,
            joined_on=joined_on,
            user=user,
        )
        touch_case(case)
        case_access_sync(case=case, on=timezone.localdate())
    return member


@transaction.atomic
def team_member_leave(
    *, member: TeamMember, left_on: datetime.date, by: User, case: Case | None = None
) -> TeamMember:
    """Record that a professional left the team on ``left_on``: from that day on his
    or her account no longer reads the case, so a leave recorded today ends the access
    at once. ``case``, when given, is the case the member must belong to."""
    if case is not None and member.case_id != case.pk:
        raise ValidationError(TEAM_MEMBER_OF_OTHER_CASE, code="other_case")
    if left_on < member.joined_on:
        raise ValidationError(TEAM_LEFT_BEFORE_JOINED, code="before_joined")
    # Access is synced for today; a leave recorded ahead of time would not be revoked.
    if left_on > timezone.localdate():
        raise ValidationError(TEAM_LEFT_IN_FUTURE, code="in_future")
    case = member.case
    with history_context(user=by.pk):
        _lock_open_case(case)
        locked = TeamMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise RuleViolation(TEAM_ALREADY_LEFT, code="already_left")
        locked.left_on = left_on
        locked.save(update_fields=["left_on"])
        touch_case(case)
        case_access_sync(case=case, on=timezone.localdate())
    return locked
