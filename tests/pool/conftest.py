"""Pool fixtures: the regisseurspool of the PTO-R memo of 26 May 2020 (R-POOL-4),
case by case."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from pool.models import Region, Regisseur
from tests.factories import CaseFactory, RegionFactory, RegisseurFactory, UserFactory

# The overview is drawn up on this day; cases taken over from the police on or
# after NEW_SINCE are the table's "nieuwe casussen", older ones are "in regie".
POOL_2020_ON = datetime.date(2020, 6, 15)
POOL_2020_NEW_SINCE = datetime.date(2020, 6, 1)
IN_REGIE_SINCE = datetime.date(2019, 9, 2)


@dataclasses.dataclass(frozen=True)
class MemoRow:
    """One line of the pool memo's table (R-POOL-4)."""

    key: str
    organisation_code: str
    organisation_name: str
    fte: Decimal
    capacity: int  # "casussen max", as the memo states it
    in_regie: int
    new: int
    remark: str = ""
    region: str | None = None  # "Alleen Amstelland casussen"


POOL_2020 = (
    MemoRow("oov-1", "oov", "OOV", Decimal("1"), 12, 8, 2),
    MemoRow("oov-2", "oov", "OOV", Decimal("1"), 12, 9, 2),
    MemoRow("oov-3", "oov", "OOV", Decimal("0.5"), 6, 5, 0, "Gedetacheerd vanuit JBRA"),
    MemoRow(
        "amstelland",
        "amstelland",
        "Amstelland gemeente",
        Decimal("1"),
        12,
        3,
        0,
        "Alleen Amstelland casussen",
        "amstelland",
    ),
    MemoRow("om", "om", "OM", Decimal("0.5"), 6, 7, 0),
    MemoRow("rn", "rn", "RN", Decimal("0.5"), 6, 7, 0),
    MemoRow("wpi", "wpi", "WPI", Decimal("1"), 12, 2, 3),
    MemoRow("ggd", "ggd", "GGD", Decimal("0.5"), 6, 2, 0),
)


@dataclasses.dataclass(frozen=True)
class Pool2020:
    on: datetime.date
    new_since: datetime.date
    regisseurs: dict[str, Regisseur]  # by MemoRow.key
    regions: dict[str, Region]  # by code


def build_pool_2020(*, copy: int = 1) -> Pool2020:
    """The memo's eight regisseurs with their open cases; each case has the next
    regisseur in the table as buddy. ``copy`` tells repeated builds apart."""
    regions: dict[str, Region] = {
        "amsterdam": RegionFactory(code="amsterdam", name="Amsterdam"),
        "amstelland": RegionFactory(code="amstelland", name="Amstelland"),
    }
    regisseurs: dict[str, Regisseur] = {}
    for row in POOL_2020:
        # The regisseur's organisation is his user's.
        regisseurs[row.key] = RegisseurFactory(
            user__username=f"{row.key}-{copy}",
            user__first_name="Regisseur",
            user__last_name=f"{row.organisation_name} {row.key} ({copy})",
            user__organisation__code=row.organisation_code,
            user__organisation__name=row.organisation_name,
            fte=row.fte,
            remark=row.remark,
            region_restriction=regions[row.region] if row.region else None,
            active_from=datetime.date(2020, 1, 1),
        )
    in_table = list(regisseurs.values())
    cases = []
    for position, row in enumerate(POOL_2020):
        buddy = in_table[(position + 1) % len(in_table)]
        region = regions[row.region or "amsterdam"]
        for since, count in ((IN_REGIE_SINCE, row.in_regie), (POOL_2020_NEW_SINCE, row.new)):
            cases += CaseFactory.build_batch(
                count,
                phase2=True,
                regisseur=regisseurs[row.key],
                buddy=buddy,
                region=region,
                since=since,
            )
    Case.objects.bulk_create(cases)
    return Pool2020(
        on=POOL_2020_ON, new_since=POOL_2020_NEW_SINCE, regisseurs=regisseurs, regions=regions
    )


@pytest.fixture
def pool_2020(db) -> Pool2020:
    return build_pool_2020()


@pytest.fixture
def programme_team_member(db) -> User:
    return UserFactory(username="programmateam-oov", roles=[Role.PROGRAMME_TEAM])
