"""The world every permission-matrix row runs in: one user per role, and for each
role an object of its own and an object of someone else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import Organisation, User
from accounts.roles import Role
from cases.models import Phase
from pool.models import TeamActivity
from tests.factories import (
    AbsenceFactory,
    CaseFactory,
    CaseloadReviewFactory,
    MeetingFactory,
    MonitorFactory,
    NotificationFactory,
    OrganisationFactory,
    PersonFactory,
    PhaseTransitionFactory,
    PlanVersionFactory,
    RegionFactory,
    RegisseurFactory,
    TeamActivityFactory,
    ThreeWayTalkFactory,
    UserFactory,
)

ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
    Role.PROGRAMME_TEAM.value,
    Role.REGISSEUR.value,
    Role.TEAM_MEMBER.value,
    Role.PTO_R.value,
    Role.MANAGER.value,
    Role.FUNCTIONAL_ADMIN.value,
    Role.PRIVACY_OFFICER.value,
    Role.SYNC_CLIENT.value,
)
ON = datetime.date(2026, 11, 23)
# Not a role: a superuser holds every permission (Django's has_perm), and sees in the
# menu exactly the pages that answer (test_superuser.py).
SUPERUSER = "superuser"


@dataclass
class World:
    users: dict[str, User]
    own: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)

    def obj(self, which: str, name: str) -> Any:
        return (self.own if which == "own" else self.other)[name]


def build_world() -> World:
    organisations = {
        code: OrganisationFactory(code=code, name=code.upper())
        for code in ("oov", "wpi", "ggd", "om")
    }

    def user(role: str, org: str, **extra: Any) -> User:
        return UserFactory(
            username=f"matrix-{role}", organisation=organisations[org], roles=[role], **extra
        )

    users: dict[str, User] = {
        Role.PROGRAMME_TEAM.value: user(Role.PROGRAMME_TEAM.value, "oov"),
        Role.REGISSEUR.value: user(Role.REGISSEUR.value, "wpi"),
        Role.TEAM_MEMBER.value: user(Role.TEAM_MEMBER.value, "ggd"),
        Role.PTO_R.value: user(Role.PTO_R.value, "om"),
        Role.MANAGER.value: user(Role.MANAGER.value, "wpi"),
        Role.FUNCTIONAL_ADMIN.value: user(Role.FUNCTIONAL_ADMIN.value, "oov", is_staff=True),
        Role.PRIVACY_OFFICER.value: user(Role.PRIVACY_OFFICER.value, "ggd"),
        Role.SYNC_CLIENT.value: user(Role.SYNC_CLIENT.value, "oov"),
        SUPERUSER: UserFactory(
            username="matrix-superuser", organisation=organisations["oov"], is_superuser=True
        ),
    }
    region = RegionFactory()
    regisseur = RegisseurFactory(
        user=users[Role.REGISSEUR.value],
        organisation=organisations["wpi"],
        manager=users[Role.MANAGER.value],
    )
    own_case = CaseFactory(
        regisseur=regisseur,
        region=region,
        team=1,
        team__user=users[Role.TEAM_MEMBER.value],
        team__organisation=organisations["ggd"],
        team__joined_on=ON - datetime.timedelta(days=30),
        access_on=ON,
    )
    other_case = CaseFactory(region=region, access_on=ON)

    world = World(users=users)
    for which, case in (("own", own_case), ("other", other_case)):
        bucket = world.own if which == "own" else world.other
        bucket["case"] = case
        bucket["person"] = PersonFactory(case=case)
        bucket["meeting"] = MeetingFactory(case=case)
        bucket["plan_version"] = PlanVersionFactory(case=case)
        # Started: the notification letter signed, phase 1 begun (the phase history).
        PhaseTransitionFactory(
            case=case,
            from_phase=None,
            to_phase=Phase.CONTACT,
            on=ON - datetime.timedelta(days=40),
            reason="Notificatiebrief getekend.",
        )
        bucket["regisseur"] = case.regisseur
    # Objects the functional administrator manages in the admin.
    world.own["organisation"] = world.other["organisation"] = organisations["ggd"]
    world.own["user"] = world.other["user"] = users[Role.PTO_R.value]
    world.own["group"] = world.other["group"] = Group.objects.get(name=Role.PTO_R.value)
    world.own["region"] = world.other["region"] = region
    # Pool records of the own regisseur (his manager's organisation) and of another.
    for which in ("own", "other"):
        bucket = world.own if which == "own" else world.other
        subject = bucket["regisseur"]
        bucket["absence"] = AbsenceFactory(
            regisseur=subject, starts_on=ON, ends_on=ON, created_by=users[Role.PROGRAMME_TEAM.value]
        )
        bucket["caseload_review"] = CaseloadReviewFactory(
            regisseur=subject, held_on=ON, held_by=users[Role.PROGRAMME_TEAM.value]
        )
        bucket["three_way_talk"] = ThreeWayTalkFactory(
            regisseur=subject,
            held_on=ON,
            held_by=users[Role.PROGRAMME_TEAM.value],
            manager=subject.manager or users[Role.PROGRAMME_TEAM.value],
        )
    world.own["team_activity"] = world.other["team_activity"] = TeamActivityFactory(
        kind=TeamActivity.Kind.TEAM_MEETING, held_on=ON
    )
    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    task = PeriodicTask.objects.create(name="matrix", task="x.y", interval=schedule)
    world.own["periodictask"] = world.other["periodictask"] = task
    lockout = AccessAttempt.objects.create(
        username="locked-out",
        ip_address="127.0.0.1",
        path_info="/inloggen/",
        failures_since_start=5,
    )
    world.own["accessattempt"] = world.other["accessattempt"] = lockout
    # A kwartaalmonitor run (failed: no PDF to store) and one notification each.
    world.own["monitor"] = world.other["monitor"] = MonitorFactory(
        period_code="2026-Q3", version=1, failed=True, error="matrix"
    )
    for which, owner in (("own", users[Role.REGISSEUR.value]), ("other", UserFactory())):
        (world.own if which == "own" else world.other)["notification"] = NotificationFactory(
            user=owner, kind="herinnering", item_key=f"matrix:{which}", due_on=ON, message="x"
        )
    return world


def organisation_of(code: str) -> Organisation:
    return Organisation.objects.get(code=code)
