"""Synthetic data at scale for benchmarks (``manage.py generate_data``).

N cases with a pool in proportion (12 cases per 1.0 FTE, FTE 0.5-1.0 spread
over the kernpartners), the other roles' users, and for every case the story
the services would have written: intake and notification letter, regisseur and
buddy (sometimes a hand-over), intervention team, assessments, versioned plans
with interventions and ITAT-R advice, two years of UVOs with attendees and
actions, evaluations, exit procedures decided by PTO-R, caseload reviews and
three-way talks per regisseur, and access-log records.

Deterministic for a seed and a day. Fast: the rows are built in memory per
chunk of cases and written with ``bulk_create`` in batches, bypassing the
services but satisfying every model constraint (foreign keys, checks and unique
constraints stay on). The object permissions are granted in bulk by the rule of
``cases.access.case_access_wanted`` (tests compare the two). Everything is
written in one transaction: a failure leaves nothing behind.

The row triggers are switched off for the generator's own transaction
(``ALTER TABLE ... DISABLE TRIGGER USER``, transactional, undone at the end):
the generator only inserts, and the only user triggers that act on an insert
are django-pghistory's history triggers and the API's change-feed trigger
(the protection triggers guard updates and deletes). They made generation
about five times slower. Synthetic data needs no change history: generated
objects simply have none. The change feed must stay complete for sync
clients, so once every row is written ``data_generated`` is sent in the same
transaction and the api app writes one "created" event per new object in a
single statement per table (api/receivers.py). The tables are locked for the
duration of the run; generate on a database nobody else is using.
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.models import Organisation, User
from accounts.roles import Role
from audit.history import history_context
from audit.models import AccessLog
from audit.services import CASE_OBJECT_TYPE
from cases.access import DIRECTOR_PERMISSIONS, MANAGED_PERMISSIONS, TEAM_MEMBER_PERMISSIONS
from cases.models import (
    Assessment,
    Assignment,
    Case,
    CaseStatus,
    Evaluation,
    ExitGround,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    Phase,
    PhaseTransition,
    Pillar,
    PlanStatus,
    PlanVersion,
    TeamMember,
)
from cases.services.exits import EXIT_APPROVED_REASON
from cases.services.intake import NOTIFICATION_SIGNED_REASON, bsn_passes_eleven_check
from cases.signals import data_generated
from pool.models import Absence, CaseloadReview, Region, Regisseur, ThreeWayTalk
from sampledata.demo import ORGANISATIONS

M = TypeVar("M", bound=models.Model)
FIRST_WAVE: tuple[type[models.Model], ...] = (
    Person,
    Assignment,
    PhaseTransition,
    TeamMember,
    Assessment,
)
PILLARS = tuple(Pillar)
SECOND_WAVE: tuple[type[models.Model], ...] = (Intervention, Meeting, ExitProcedure)
THIRD_WAVE: tuple[type[models.Model], ...] = (
    MeetingAttendee,
    MeetingAction,
    Evaluation,
    ItatAdvice,
)
GENERATED_PASSWORD = "ipgar-generated-2026!"  # noqa: S105  (synthetic benchmark data only)
GENERATED_ALREADY = "Er zijn al gegenereerde gegevens voor seed %(seed)s."
CASES_AT_LEAST_ONE = "Genereer ten minste één casus."
CHUNK_SIZE = 500
BATCH_SIZE = 2000
# The basis every generated team member is added on (docs/rules.md R-PRIV-1).
SHARING_BASIS = "Zwaarwegend belang: deelname aan het interventieteam."

# Shares of the cases by state: most in regie, some just registered, a quarter exited.
REGISTERED_SHARE = 0.03
EXITED_SHARE = 0.25
# Of the open cases in regie older than 18 months, this share is in the exit process.
PHASE_3_SHARE = 0.12
HAND_OVER_SHARE = 0.08
# Pool: regisseurs per kernpartner (relative weights); OOV supplies most.
REGISSEUR_WEIGHTS = {
    "oov": 4,
    "wpi": 2,
    "ggd": 1,
    "om": 1,
    "politie": 1,
    "rvdk": 1,
    "rn": 1,
    "amstelland": 1,
}
FTE_STEPS = [Decimal(x) for x in ("0.5", "0.6", "0.7", "0.8", "0.9", "1.0")]
# A regisseur with one or two cases more than the maximum (R-POOL-1: as OM and RN in the
# 2020 table).
OVER_CAPACITY_SHARE = 0.1
TEAM_ORGANISATIONS = ("wpi", "ggd", "om", "politie", "rvdk", "rn", "schuldhulp", "leerplicht")
FIRST_NAMES = ("Sam", "Noor", "Daan", "Lina", "Yusuf", "Eva", "Milan", "Sara", "Adam", "Fenna")
STREETS = ("Voorbeeldstraat", "Proefweg", "Testlaan", "Fictieve Gracht", "Demoplein")
RISK_LEVELS = (Assessment.RiskLevel.LOW, Assessment.RiskLevel.MEDIUM, Assessment.RiskLevel.HIGH)
EXIT_GROUNDS = (
    (ExitGround.RISK_AND_CARE_GONE, 4),
    (ExitGround.CARE_HANDED_OVER, 4),
    (ExitGround.MOVED_NL, 2),
    (ExitGround.MOVED_ABROAD, 1),
)
PERSON_PAGE_PURPOSE = "Persoonsgegevens ingezien op de persoonspagina van de casus."


def case_number_prefix(seed: int) -> str:
    return f"G{seed}-"


def username_prefix(seed: int) -> str:
    return f"gen{seed}."


@dataclass
class GeneratorReport:
    cases: int
    seed: int
    seconds: float = 0.0
    rows: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        lines = [f"{self.cases} cases (seed {self.seed}) in {self.seconds:.1f} s"]
        lines += [f"  {label:<28} {count:>9}" for label, count in sorted(self.rows.items())]
        return lines


@dataclass
class CaseSketch:
    """What the caseload reviews need to know of a case, kept for all chunks."""

    number: str
    region: str
    registered_on: datetime.date
    signed_on: datetime.date | None
    regisseur_id: int | None
    buddy_id: int | None
    directors_since: datetime.date | None
    phase_2_on: datetime.date | None
    phase_3_on: datetime.date | None
    exited_on: datetime.date | None

    def phase_on(self, day: datetime.date) -> int:
        if self.phase_3_on and self.phase_3_on <= day:
            return Phase.EXIT
        if self.phase_2_on and self.phase_2_on <= day:
            return Phase.EXECUTION
        return Phase.CONTACT


def _generated_tables() -> list[str]:
    written: tuple[type[models.Model], ...] = (
        Organisation,
        Region,
        User,
        Regisseur,
        Absence,
        Case,
        *FIRST_WAVE,
        PlanVersion,
        *SECOND_WAVE,
        *THIRD_WAVE,
        UserObjectPermission,
        AccessLog,
        CaseloadReview,
        ThreeWayTalk,
    )
    return [m._meta.db_table for m in written]


@contextmanager
def _row_triggers_off(tables: list[str]) -> Iterator[None]:
    """User triggers off on ``tables`` inside the current transaction (see the
    module docstring); constraint triggers (foreign keys) stay on."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the rows written run now: a table
        # with pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")


def _refresh_planner_statistics() -> None:
    """ANALYZE the database (the generated tables and the change feed filled
    behind them), as autovacuum would some minutes later: right
    after a bulk load PostgreSQL's planner still believes the tables are empty and
    picks slow plans (the case page's queries at 10,000 cases: about 190 ms
    before, 60 ms after, measured on a busy machine)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def _historic_access_times() -> Iterator[None]:
    """The access log stamps ``at`` on insert; generated records carry their own
    moment in the past, so the stamp is held back while they are written."""
    at = AccessLog._meta.get_field("at")
    at.auto_now_add = False
    try:
        yield
    finally:
        at.auto_now_add = True


def generate_data(
    *,
    cases: int,
    seed: int,
    today: datetime.date | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[str], None] | None = None,
) -> GeneratorReport:
    """Generate ``cases`` cases and everything around them; see the module docstring."""
    if cases < 1:
        raise ValidationError(CASES_AT_LEAST_ONE)
    if Case.objects.filter(number__startswith=case_number_prefix(seed)).exists():
        raise ValidationError(GENERATED_ALREADY, params={"seed": seed})
    started = time.monotonic()
    report = GeneratorReport(cases=cases, seed=seed)
    generator = _Generator(
        cases=cases, seed=seed, today=today or timezone.localdate(), report=report
    )
    with (
        transaction.atomic(),
        history_context(command="generate_data", seed=seed),
        _historic_access_times(),
    ):
        tables = _generated_tables()
        with _row_triggers_off(tables):
            generator.run(chunk_size=chunk_size, progress=progress or (lambda _: None))
        data_generated.send(sender=_Generator, tables=tables)
    _refresh_planner_statistics()
    report.seconds = time.monotonic() - started
    return report


class _Generator:
    def __init__(
        self, *, cases: int, seed: int, today: datetime.date, report: GeneratorReport
    ) -> None:
        self.total = cases
        self.seed = seed
        self.today = today
        self.report = report
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, not security)
        self.password = make_password(GENERATED_PASSWORD)
        self.sketches: list[CaseSketch] = []

    # -- helpers ------------------------------------------------------------------------
    def save(self, model: type[models.Model], rows: list) -> list:
        if rows:
            model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            self.report.rows[model._meta.label] += len(rows)
        return rows

    def day(self, start: datetime.date, low: int, high: int) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(low, high))

    def ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def moment(self, day: datetime.date) -> datetime.datetime:
        naive = datetime.datetime.combine(day, datetime.time(8 + self.rng.randint(0, 9)))
        return timezone.make_aware(naive + datetime.timedelta(minutes=self.rng.randint(0, 59)))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def bsn(self) -> str:
        while True:
            candidate = f"{self.rng.randint(10_000_000, 999_999_999):09d}"
            if bsn_passes_eleven_check(candidate):
                return candidate

    # -- the run ------------------------------------------------------------------------
    def run(self, *, chunk_size: int, progress: Callable[[str], None]) -> None:
        self.setup_organisations()
        self.setup_users()
        self.setup_pool()
        self.plan_slots()
        for start in range(0, self.total, chunk_size):
            self.build_chunk(range(start, min(start + chunk_size, self.total)))
            progress(f"{min(start + chunk_size, self.total)}/{self.total} cases")
        self.build_pool_talks()

    def setup_organisations(self) -> None:
        self.organisations = {
            code: Organisation.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind}
            )[0]
            for code, name, kind in ORGANISATIONS
        }
        self.regions = {
            code: Region.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in (("amsterdam", "Amsterdam"), ("amstelland", "Amstelland"))
        }
        content_type = ContentType.objects.get_for_model(Case)
        self.case_content_type = content_type
        self.permissions = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type=content_type, codename__in=MANAGED_PERMISSIONS
            )
        }

    def new_users(self, role: Role, specs: list[tuple[str, str]]) -> list[User]:
        """Users of one role: (label, organisation code) each."""
        prefix = username_prefix(self.seed)
        users = [
            User(
                username=f"{prefix}{role.value}.{label}",
                first_name=role.label.split(" ")[0],
                last_name=f"{label} (gegenereerd)",
                email=f"{prefix}{role.value}.{label}@generated.ipgar.invalid",
                organisation=self.organisations[org],
                password=self.password,
                is_staff=role == Role.FUNCTIONAL_ADMIN,
            )
            for label, org in specs
        ]
        self.save(User, users)
        group = Group.objects.get(name=role.value)
        memberships = [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        return users

    def setup_users(self) -> None:
        kernpartners = list(REGISSEUR_WEIGHTS)
        programme_team = max(2, self.total // 2500)
        self.programme_team = self.new_users(
            Role.PROGRAMME_TEAM, [(str(i), "oov") for i in range(1, programme_team + 1)]
        )
        self.pto_r = self.new_users(Role.PTO_R, [(org, org) for org in kernpartners])
        managers = self.new_users(Role.MANAGER, [(org, org) for org in kernpartners])
        self.managers = dict(zip(kernpartners, managers, strict=True))
        self.new_users(Role.PRIVACY_OFFICER, [(org, org) for org in kernpartners])
        self.new_users(Role.FUNCTIONAL_ADMIN, [("1", "oov")])
        self.sync_clients = self.new_users(Role.SYNC_CLIENT, [("vehaa-radi", "oov")])
        team_users = max(4, self.total // 100)
        specs = [(str(i), self.rng.choice(TEAM_ORGANISATIONS)) for i in range(1, team_users + 1)]
        team = self.new_users(Role.TEAM_MEMBER, specs)
        self.team_users: dict[str, list[User]] = defaultdict(list)
        for user in team:
            self.team_users[user.organisation.code].append(user)  # type: ignore[union-attr]

    def setup_pool(self) -> None:
        """Active regisseurs until the open cases fit (a few over their maximum), and
        some who left the pool and whose cases were handed over."""
        open_cases = self.total - round(self.total * EXITED_SHARE)
        per_fte = settings.IPGAR_CASES_PER_FTE
        codes = list(REGISSEUR_WEIGHTS)
        weights = list(REGISSEUR_WEIGHTS.values())
        specs: list[tuple[str, Decimal, bool]] = []  # organisation, fte, left
        places = 0
        while places < open_cases:
            org = self.rng.choices(codes, weights)[0]
            fte = self.rng.choice(FTE_STEPS)
            specs.append((org, fte, False))
            places += int(fte * per_fte)
        specs += [
            (self.rng.choices(codes, weights)[0], self.rng.choice(FTE_STEPS), True)
            for _ in range(max(1, len(specs) // 10))
        ]
        counter: Counter[str] = Counter()
        labels = []
        for org, _fte, _left in specs:
            counter[org] += 1
            labels.append((f"{org}{counter[org]}", org))
        users = self.new_users(Role.REGISSEUR, labels)
        self.pool_start = self.today - datetime.timedelta(days=4 * 365)
        regisseurs = []
        for user, (org, fte, left) in zip(users, specs, strict=True):
            restricted = org == "amstelland"
            regisseurs.append(
                Regisseur(
                    user=user,
                    organisation=self.organisations[org],
                    fte=fte,
                    region_restriction=self.regions["amstelland"] if restricted else None,
                    remark="Alleen Amstelland casussen" if restricted else "",
                    manager=self.managers[org],
                    active_from=self.day(self.pool_start, 0, 60),
                    active_until=self.ago(60, 500) if left else None,
                )
            )
        self.save(Regisseur, regisseurs)
        self.regisseurs = {r.pk: r for r in regisseurs}
        self.active = [r for r in regisseurs if r.active_until is None]
        self.departed = [r for r in regisseurs if r.active_until is not None]
        self.unrestricted = [r for r in self.active if r.region_restriction_id is None]
        self.build_absences()

    def build_absences(self) -> None:
        """Past absences, and a few running today with a stand-in (who then holds
        the absent regisseur's cases)."""
        absences = []
        self.standing_in: dict[int, list[int]] = defaultdict(list)  # absent -> stand-in users
        for regisseur in self.active:
            for _ in range(self.rng.randint(0, 2)):
                starts = self.ago(40, 700)
                absences.append(
                    Absence(
                        regisseur=regisseur,
                        starts_on=starts,
                        ends_on=self.day(starts, 3, 30),
                        reason="Verlof",
                        created_by=self.programme_team[0],
                    )
                )
            if self.rng.random() < 0.05:
                stand_in = self.pick_other(self.unrestricted, regisseur)
                if stand_in is None:
                    continue
                absences.append(
                    Absence(
                        regisseur=regisseur,
                        starts_on=self.ago(1, 10),
                        ends_on=self.day(self.today, 3, 30),
                        reason="Ziekte",
                        stand_in=stand_in,
                        created_by=self.programme_team[0],
                    )
                )
                self.standing_in[regisseur.pk].append(stand_in.user_id)
        self.save(Absence, absences)

    def pick_other(self, pool: list[Regisseur], not_this: Regisseur) -> Regisseur | None:
        candidates = [r for r in self.rng.sample(pool, min(len(pool), 5)) if r is not not_this]
        if not candidates:
            candidates = [r for r in pool if r is not not_this]
        return candidates[0] if candidates else None

    def plan_slots(self) -> None:
        """Which case gets which state and regisseur: every active regisseur's places,
        shuffled, a few regisseurs with one or two cases too many."""
        # The status each case ends in; its story walks it there along CASE_STATUS
        # (cases/workflow.py): registered, in regie, exited.
        states = [CaseStatus.EXITED] * round(self.total * EXITED_SHARE) + [
            CaseStatus.REGISTERED
        ] * round(self.total * REGISTERED_SHARE)
        states += [CaseStatus.IN_REGIE] * (self.total - len(states))
        self.rng.shuffle(states)
        self.states = states
        slots: list[Regisseur] = []
        for regisseur in self.active:
            extra = self.rng.randint(1, 2) if self.rng.random() < OVER_CAPACITY_SHARE else 0
            slots += [regisseur] * (regisseur.capacity + extra)
        self.rng.shuffle(slots)
        self.slots = iter(itertools.cycle(slots))

    # -- one chunk of cases -------------------------------------------------------------
    def build_chunk(self, indices: range) -> None:
        stories = [self.sketch_case(i) for i in indices]
        self.save(Case, [s.case for s in stories])
        for kind in FIRST_WAVE:
            self.save(kind, [row for s in stories for row in s.rows[kind]])
        # Plan versions point at the version before: write them number by number.
        versions = [s.rows[PlanVersion] for s in stories]
        for number in range(max((len(v) for v in versions), default=0)):
            self.save(PlanVersion, [v[number] for v in versions if len(v) > number])
        for kind in SECOND_WAVE:
            self.save(kind, [row for s in stories for row in s.rows[kind]])
        for kind in THIRD_WAVE:
            self.save(kind, [row for s in stories for row in s.rows[kind]])
        self.grant_permissions(stories)
        self.save(AccessLog, [row for s in stories for row in self.access_logs(s)])

    def sketch_case(self, index: int) -> _Story:
        state = self.states[index]
        story = _Story(self, index, state)
        story.build()
        self.sketches.append(story.sketch())
        return story

    def grant_permissions(self, stories: list[_Story]) -> None:
        """Object permissions as ``case_access_wanted`` would grant them today."""
        rows = []
        for story in stories:
            case = story.case
            if not case.is_open:
                continue
            wanted: dict[int, set[str]] = defaultdict(set)
            for director in (case.regisseur, case.buddy):
                if director is None:
                    continue
                wanted[director.user_id].update(DIRECTOR_PERMISSIONS)
                for stand_in in self.standing_in.get(director.pk, ()):
                    wanted[stand_in].update(DIRECTOR_PERMISSIONS)
            for member in story.rows[TeamMember]:
                if member.user_id is None or member.joined_on > self.today:
                    continue
                if member.left_on is None or member.left_on > self.today:
                    wanted[member.user_id].update(TEAM_MEMBER_PERMISSIONS)
            rows += [
                UserObjectPermission(
                    user_id=user_id,
                    permission=self.permissions[codename],
                    content_type=self.case_content_type,
                    object_pk=str(case.pk),
                )
                for user_id, codenames in wanted.items()
                for codename in sorted(codenames)
            ]
        self.save(UserObjectPermission, rows)

    def access_logs(self, story: _Story) -> list[AccessLog]:
        """Reads of the case page (and now and then the person page) since registration."""
        case = story.case
        readers = [self.rng.choice(self.programme_team)]
        readers += [r.user for r in (case.regisseur, case.buddy) if r is not None]
        person = story.rows[Person][0]
        end = case.exited_on or self.today
        span = max(0, (end - case.registered_on).days)
        rows = []
        for _ in range(self.rng.randint(2, 8)):
            user = self.rng.choice(readers)
            on_person = self.rng.random() < 0.2
            obj: models.Model = person if on_person else case
            rows.append(
                AccessLog(
                    at=self.moment(self.day(case.registered_on, 0, span)),
                    user=user,
                    username=user.username,
                    roles=self.role_of(user),
                    organisation_id=user.organisation_id,
                    action=AccessLog.Action.VIEW,
                    object_type="cases.person" if on_person else CASE_OBJECT_TYPE,
                    object_id=str(obj.pk),
                    object_label=f"Persoon {case.number}" if on_person else case.number,
                    case_id=case.pk,
                    case_number=case.number,
                    ip_address="127.0.0.1",
                    path=f"/casussen/{case.pk}/" + ("persoon/" if on_person else ""),
                    purpose=PERSON_PAGE_PURPOSE if on_person else "",
                )
            )
        return rows

    def role_of(self, user: User) -> str:
        if user in self.programme_team:
            return Role.PROGRAMME_TEAM.value
        return Role.REGISSEUR.value

    # -- the pool's rhythm --------------------------------------------------------------
    def build_pool_talks(self) -> None:
        """Caseload reviews every three months (with the caseload as it was that day)
        and a yearly three-way talk with the manager, for two years."""
        by_director: dict[int, list[CaseSketch]] = defaultdict(list)
        for sketch in self.sketches:
            for regisseur_id in (sketch.regisseur_id, sketch.buddy_id):
                if regisseur_id is not None:
                    by_director[regisseur_id].append(sketch)
        reviews, talks = [], []
        horizon = self.today - datetime.timedelta(days=2 * 365)
        for regisseur in self.active:
            held_on = self.ago(0, 110)
            while held_on >= max(horizon, regisseur.active_from):
                reviews.append(
                    CaseloadReview(
                        regisseur=regisseur,
                        held_on=held_on,
                        held_by=self.rng.choice(self.programme_team),
                        progress="Voortgang van de casussen besproken.",
                        registration="Registratie op orde.",
                        caseload_snapshot=self.caseload_on(
                            regisseur, by_director[regisseur.pk], held_on
                        ),
                    )
                )
                held_on -= datetime.timedelta(days=self.rng.randint(80, 100))
            held_on = self.ago(0, 400)
            while held_on >= max(horizon, regisseur.active_from):
                talks.append(
                    ThreeWayTalk(
                        regisseur=regisseur,
                        held_on=held_on,
                        held_by=self.rng.choice(self.programme_team),
                        manager=self.managers[regisseur.organisation.code],
                        notes="Functioneren en inzet in de pool besproken.",
                        agreements="Inzet blijft gelijk.",
                    )
                )
                held_on -= datetime.timedelta(days=self.rng.randint(330, 380))
        self.save(CaseloadReview, reviews)
        self.save(ThreeWayTalk, talks)

    def caseload_on(
        self, regisseur: Regisseur, sketches: list[CaseSketch], day: datetime.date
    ) -> dict:
        """The snapshot ``caseload_review_create`` freezes, as it stood on ``day``."""

        def rows(as_buddy: bool) -> list[dict]:
            found = []
            for s in sketches:
                holder = s.buddy_id if as_buddy else s.regisseur_id
                if holder != regisseur.pk or s.directors_since is None:
                    continue
                if s.directors_since > day or (s.exited_on and s.exited_on <= day):
                    continue
                signed = s.signed_on is not None and s.signed_on <= day
                status = CaseStatus.IN_REGIE if signed else CaseStatus.REGISTERED
                found.append(
                    {
                        "number": s.number,
                        "phase": s.phase_on(day),
                        "status": str(status),
                        "region": s.region,
                    }
                )
            return sorted(found, key=lambda r: r["number"])

        as_regisseur, as_buddy = rows(False), rows(True)
        return {
            "held_on": day.isoformat(),
            "fte": f"{regisseur.fte:.2f}",
            "capacity": regisseur.capacity,
            "cases_as_regisseur": as_regisseur,
            "cases_as_buddy": as_buddy,
            "total": len(as_regisseur),
            "over_capacity": len(as_regisseur) > regisseur.capacity,
        }


class _Story:
    """One case's life as the services would have recorded it."""

    def __init__(self, generator: _Generator, index: int, state: str) -> None:
        self.g = generator
        self.rng = generator.rng
        self.index = index
        self.state = state
        self.rows: dict[type[models.Model], list] = defaultdict(list)
        self.phase_2_on: datetime.date | None = None
        self.phase_3_on: datetime.date | None = None

    @property
    def by(self) -> User:
        return self.g.programme_team[self.index % len(self.g.programme_team)]

    def add(self, row: M) -> M:
        self.rows[type(row)].append(row)
        return row

    def sketch(self) -> CaseSketch:
        case = self.case
        return CaseSketch(
            number=case.number,
            region=self.region.code,
            registered_on=case.registered_on,
            signed_on=case.notification_signed_on,
            regisseur_id=case.regisseur.pk if case.regisseur else None,
            buddy_id=case.buddy.pk if case.buddy else None,
            directors_since=case.regisseur_since,
            phase_2_on=self.phase_2_on,
            phase_3_on=self.phase_3_on,
            exited_on=case.exited_on,
        )

    # -- the story ----------------------------------------------------------------------
    def build(self) -> None:
        g = self.g
        today = g.today
        if self.state == CaseStatus.EXITED:
            registered = g.ago(500, 1100)
        elif self.state == CaseStatus.REGISTERED:
            registered = g.ago(1, 45)
        else:
            registered = g.ago(40, 900)
        regisseur, buddy = self.directors()
        self.region = (
            g.regions["amstelland"]
            if regisseur is not None and regisseur.region_restriction_id
            else g.regions["amstelland" if self.rng.random() < 0.08 else "amsterdam"]
        )
        case = Case(
            number=f"{case_number_prefix(g.seed)}{self.index + 1:06d}",
            region=self.region,
            registered_on=registered,
            phase=Phase.CONTACT,
            phase_since=registered,
            status=CaseStatus.REGISTERED,
        )
        self.case = case
        self.person()
        self.assessment(registered + datetime.timedelta(days=self.rng.randint(0, 3)), True)
        if self.state == CaseStatus.REGISTERED:
            if regisseur is not None and self.rng.random() < 0.5:
                since = min(today, g.day(registered, 0, 5))
                self.assign(regisseur, buddy, since)
            return

        signed = g.day(registered, 2, 21)
        case.notification_signed_on = signed
        case.status = CaseStatus.IN_REGIE
        end = today
        if self.state == CaseStatus.EXITED:
            exit_opened = min(g.day(registered, 300, 800), today - datetime.timedelta(days=60))
            end = exit_opened
        self.transition(None, Phase.CONTACT, signed, NOTIFICATION_SIGNED_REASON)
        handed_over = (
            self.state == CaseStatus.IN_REGIE
            and (today - signed).days > 365
            and self.rng.random() < HAND_OVER_SHARE
        )
        if handed_over:
            previous = self.rng.choice(g.departed or g.unrestricted)
            hand_over_on = g.day(signed, 60, (today - signed).days - 30)
            if previous is buddy or previous is regisseur:
                handed_over = False
            else:
                self.assign(previous, None, signed, ended_on=hand_over_on)
                self.assign(None, buddy, signed)
                self.assign(regisseur, None, hand_over_on, reason="Overdracht: regisseur vertrok")
        if not handed_over:
            self.assign(regisseur, buddy, signed)
        self.team(signed)
        self.work(signed, end)
        if self.state == CaseStatus.EXITED:
            self.exit(exit_opened)
        elif (
            self.state == CaseStatus.IN_REGIE
            and (today - registered).days > 540
            and self.phase_2_on
            and self.rng.random() < PHASE_3_SHARE
        ):
            self.running_exit(max(self.last_day, g.ago(1, 60)))

    def directors(self) -> tuple[Regisseur | None, Regisseur | None]:
        g = self.g
        if self.state == CaseStatus.EXITED:
            regisseur = self.rng.choice(g.unrestricted + g.departed)
        else:
            regisseur = next(g.slots)
        pool = g.unrestricted if regisseur.region_restriction_id is None else g.active
        buddy = g.pick_other(pool, regisseur)
        return regisseur, buddy

    def person(self) -> None:
        g = self.g
        self.add(
            Person(
                case=self.case,
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=f"Fictief-{g.seed}-{self.index + 1}",
                date_of_birth=self.case.registered_on
                - datetime.timedelta(days=self.rng.randint(16 * 365, 45 * 365)),
                address=f"{self.rng.choice(STREETS)} {self.rng.randint(1, 300)}, "
                f"10{self.rng.randint(10, 99)} AB Amsterdam",
                bsn=g.bsn() if self.rng.random() < 0.9 else "",
            )
        )

    def assign(
        self,
        regisseur: Regisseur | None,
        buddy: Regisseur | None,
        on: datetime.date,
        *,
        ended_on: datetime.date | None = None,
        reason: str = "",
    ) -> None:
        for role, who in ((Assignment.Role.REGISSEUR, regisseur), (Assignment.Role.BUDDY, buddy)):
            if who is None:
                continue
            self.add(
                Assignment(
                    case=self.case,
                    regisseur=who,
                    role=role,
                    started_on=on,
                    ended_on=ended_on,
                    reason=reason,
                    by=self.by,
                )
            )
            if ended_on is None:
                setattr(self.case, str(role), who)
                if role == Assignment.Role.REGISSEUR:
                    self.case.regisseur_since = on

    def transition(self, from_phase: int | None, to_phase: int, on: datetime.date, why: str):
        self.add(
            PhaseTransition(
                case=self.case,
                from_phase=from_phase,
                to_phase=to_phase,
                on=on,
                by=self.by,
                reason=why,
            )
        )
        if from_phase != to_phase:
            self.case.phase = to_phase
            self.case.phase_since = on

    def assessment(self, on: datetime.date, safety: bool, *, care: bool = True) -> Assessment:
        return self.add(
            Assessment(
                case=self.case,
                assessed_on=min(on, self.g.today),
                assessor=self.by,
                care_criterion=care,
                safety_criterion=safety,
                risk_level=self.rng.choice(RISK_LEVELS) if safety else Assessment.RiskLevel.LOW,
                reasoning="Weging met het dynamisch beoordelingskader.",
            )
        )

    def team(self, signed: datetime.date) -> None:
        g = self.g
        for n in range(self.rng.randint(2, 4)):
            org = self.rng.choice(TEAM_ORGANISATIONS)
            with_account = g.team_users.get(org) and self.rng.random() < 0.15
            user = self.rng.choice(g.team_users[org]) if with_account else None
            joined = min(g.today, g.day(signed, 0, 14))
            left = None
            if self.rng.random() < 0.1 and (g.today - joined).days > 90:
                left = g.day(joined, 30, (g.today - joined).days - 1)
            self.add(
                TeamMember(
                    case=self.case,
                    name=user.get_full_name() if user else f"Professional {org.upper()} {n + 1}",
                    user=user,
                    organisation=g.organisations[org],
                    role="Uitvoerder",
                    sharing_basis=SHARING_BASIS,
                    joined_on=joined,
                    left_on=left,
                )
            )

    def work(self, signed: datetime.date, end: datetime.date) -> None:
        """UVOs from the first onwards every one to two months until ``end``; plan
        versions adopted after ITAT-R advice; evaluations with their assessment."""
        g = self.g
        self.last_day = signed
        first = g.day(signed, 7, 35)
        if first >= end:
            return
        versions: list[PlanVersion] = []
        plan_due = g.day(first, 0, 14)
        held_on = first
        kind = Meeting.Kind.FIRST
        while held_on < end:
            while plan_due <= held_on and (not versions or versions[-1].is_adopted):
                self.plan_version(versions, plan_due, end)
                plan_due = g.day(plan_due, 120, 240)
            meeting = self.meeting(held_on, kind, end)
            adopted = [v for v in versions if v.is_adopted and v.adopted_on <= held_on]  # type: ignore[operator]
            if kind != Meeting.Kind.FIRST and adopted:
                self.add(
                    Evaluation(
                        case=self.case,
                        kind=Evaluation.Kind.MONTHLY,
                        held_on=held_on,
                        plan_version=adopted[-1],
                        assessment=self.assessment(held_on, True),
                        findings="Plan van aanpak geëvalueerd in het UVO.",
                        exit_possible=False,
                        recorded_by=meeting.recorded_by,
                    )
                )
            self.last_day = held_on
            held_on = g.day(held_on, 28, 62)
            roll = self.rng.random()
            kind = (
                Meeting.Kind.BREAKTHROUGH
                if roll < 0.02
                else Meeting.Kind.PLUS
                if roll < 0.07
                else Meeting.Kind.REGULAR
            )
        two_years = signed + datetime.timedelta(days=730)
        if two_years < end:
            self.add(
                Evaluation(
                    case=self.case,
                    kind=Evaluation.Kind.TWO_YEARLY,
                    held_on=two_years,
                    plan_version=self.in_force(versions, two_years),
                    assessment=self.assessment(two_years, True),
                    findings="Tweejaarlijkse evaluatie: uitstroom nog niet aan de orde.",
                    exit_possible=False,
                    recorded_by=self.by,
                )
            )
        self.versions = versions

    @staticmethod
    def in_force(versions: list[PlanVersion], day: datetime.date) -> PlanVersion | None:
        adopted = [v for v in versions if v.is_adopted and v.adopted_on <= day]  # type: ignore[operator]
        return adopted[-1] if adopted else None

    def plan_version(self, versions: list[PlanVersion], created: datetime.date, end):
        g = self.g
        author = self.case.regisseur.user if self.case.regisseur else self.by
        number = len(versions) + 1
        version = PlanVersion(
            case=self.case,
            number=number,
            based_on=versions[-1] if versions else None,
            concerns="Uitingen die geweld rechtvaardigen; isolement.",
            goals="Stabiele woonsituatie; afname van geweldsbereidheid.",
            course="Vertrouwen opbouwen; zorg via de kernpartners.",
            joint_task="Veiligheid en zorg samen: geen geweld, wel perspectief.",
            focus="" if number == 1 else "Nieuwe focus na evaluatie.",
            explanation="" if number == 1 else "Bijgesteld na de maandelijkse evaluatie.",
            created_by=author,
        )
        versions.append(version)
        self.add(version)
        advised = g.day(created, 7, 21)
        adopted = g.day(advised, 0, 7)
        if advised < end:
            version.status = PlanStatus.ADVISED
            self.add(
                ItatAdvice(
                    plan_version=version,
                    subject=ItatAdvice.Subject.PLAN,
                    given_on=advised,
                    recommendation=ItatAdvice.Recommendation.POSITIVE,
                    advice="Plan is helder; akkoord.",
                    recorded_by=self.by,
                )
            )
        if adopted < end:
            version.status = PlanStatus.ADOPTED
            version.adopted_on = adopted
            version.adopted_by = self.by
            if number == 1:
                self.transition(Phase.CONTACT, Phase.EXECUTION, adopted, "Plan vastgesteld.")
                self.phase_2_on = adopted
        previous = (
            [i for i in self.rows[Intervention] if i.plan_version is versions[-2]]
            if (number > 1)
            else []
        )
        carried = previous[: self.rng.randint(1, len(previous))] if previous else []
        for template in carried:
            self.intervention(version, created, lineage=template.lineage)
        for _ in range(self.rng.randint(1 if carried else 2, 3)):
            self.intervention(version, created)

    def intervention(self, version: PlanVersion, created: datetime.date, lineage=None) -> None:
        g = self.g
        org = self.rng.choice(TEAM_ORGANISATIONS)
        deadline = g.day(created, 30, 180)
        adopted = version.status == PlanStatus.ADOPTED
        status = Intervention.Status.PLANNED
        if adopted:
            status = Intervention.Status.DONE if deadline < g.today else Intervention.Status.RUNNING
        lineage = lineage or g.uuid()
        self.add(
            Intervention(
                plan_version=version,
                lineage=lineage,
                description=f"Interventie via {org.upper()}",
                # From the lineage, not the random stream: a carried intervention keeps
                # its pillar, and the rest of the generated data stays as it was.
                pillar=PILLARS[lineage.int % len(PILLARS)],
                responsible_organisation=g.organisations[org],
                deadline=deadline,
                status=status,
                result="Afgerond volgens plan." if status == Intervention.Status.DONE else "",
                frozen=adopted,
            )
        )

    def meeting(self, held_on: datetime.date, kind: str, end: datetime.date) -> Meeting:
        g = self.g
        recorder = self.case.regisseur.user if self.case.regisseur else self.by
        meeting = self.add(
            Meeting(
                case=self.case,
                held_on=held_on,
                kind=kind,
                person_attended=self.rng.random() < 0.3,
                agenda="Evaluatie van acties en ontwikkelingen; plan van aanpak.",
                development="Stabiel; contact met de persoon verloopt redelijk.",
                decisions="Acties voortzetten.",
                recorded_by=recorder,
            )
        )
        members = [m for m in self.rows[TeamMember] if m.joined_on <= held_on]
        for member in members[: self.rng.randint(1, 4)] or []:
            self.add(
                MeetingAttendee(
                    meeting=meeting,
                    name=member.name,
                    organisation=member.organisation,
                    team_member=member,
                )
            )
        if not members:
            self.add(
                MeetingAttendee(
                    meeting=meeting,
                    name=str(recorder),
                    organisation=g.organisations["oov"],
                )
            )
        for _ in range(self.rng.randint(0, 2)):
            due = g.day(held_on, 7, 60)
            done = g.day(held_on, 1, (due - held_on).days) if due < g.today else None
            self.add(
                MeetingAction(
                    meeting=meeting,
                    description="Afspraak met de persoon plannen.",
                    owner_organisation=g.organisations[self.rng.choice(TEAM_ORGANISATIONS)],
                    due_on=due,
                    done_on=done if done and done <= g.today else None,
                )
            )
        return meeting

    def exit(self, opened: datetime.date) -> None:
        """An exit proposal, ITAT-R's advice and PTO-R's approval."""
        g = self.g
        case = self.case
        ground = self.rng.choices([gr for gr, _ in EXIT_GROUNDS], [w for _, w in EXIT_GROUNDS])[0]
        version = self.in_force(getattr(self, "versions", []), opened)
        if version is None:  # no adopted plan to advise on: the case exits by a move
            version = self.emergency_plan(opened)
        self.transition(case.phase, Phase.EXIT, opened, "Uitstroomprocedure gestart.")
        self.phase_3_on = opened
        # The last weighing before the proposal: no threat of violence any more.
        self.assessment(opened, False, care=ground != ExitGround.RISK_AND_CARE_GONE)
        advised = g.day(opened, 7, 21)
        decided = min(g.day(advised, 3, 28), g.today - datetime.timedelta(days=1))
        reasoning = "Gevaarsrisico weggenomen; zorg geborgd."
        procedure = self.add(
            ExitProcedure(
                case=case,
                status=ExitProcedure.Status.APPROVED,
                ground=ground,
                handover_organisation="GGD Amsterdam" if ground == "warme_overdracht" else "",
                destination="Utrecht" if ground in ("verhuisd_nl", "verhuisd_buitenland") else "",
                opened_on=opened,
                opened_by=case.regisseur.user if case.regisseur else self.by,
                team_judgement="Het interventieteam acht uitstroom verantwoord.",
                team_judgement_on=opened,
                decision=ExitProcedure.Decision.APPROVED,
                decided_on=decided,
                decision_reasoning=reasoning,
                decision_plan_version=version,
                decided_by=self.rng.choice(g.pto_r),
            )
        )
        self.add(
            ItatAdvice(
                plan_version=version,
                subject=ItatAdvice.Subject.EXIT,
                exit_procedure=procedure,
                given_on=advised,
                recommendation=ItatAdvice.Recommendation.POSITIVE,
                advice="Positief over het uitstroomvoorstel.",
                recorded_by=self.by,
            )
        )
        self.transition(
            Phase.EXIT, Phase.EXIT, decided, EXIT_APPROVED_REASON % {"reasoning": reasoning}
        )
        case.status = CaseStatus.EXITED
        case.exited_on = decided
        for assignment in self.rows[Assignment]:
            if assignment.ended_on is None:
                assignment.ended_on = max(decided, assignment.started_on)

    def emergency_plan(self, day: datetime.date) -> PlanVersion:
        """A case that exits before its first plan was adopted still has one version
        adopted for the record (the exit decision names the plan it was taken on)."""
        versions = getattr(self, "versions", [])
        open_versions = [v for v in versions if not v.is_adopted]
        if open_versions:
            version = open_versions[-1]
        else:
            version = PlanVersion(
                case=self.case,
                number=len(versions) + 1,
                based_on=versions[-1] if versions else None,
                concerns="Zorgen in kaart gebracht.",
                goals="Uitstroom zorgvuldig voorbereiden.",
                course="Overdracht.",
                joint_task="Veiligheid en zorg samen.",
                created_by=self.by,
            )
            versions.append(version)
            self.versions = versions
            self.add(version)
        version.status = PlanStatus.ADOPTED
        version.adopted_on = min(day, self.g.today)
        version.adopted_by = self.by
        for intervention in self.rows[Intervention]:
            if intervention.plan_version is version:
                intervention.frozen = True
        return version

    def running_exit(self, opened: datetime.date) -> None:
        """An exit procedure still running: in preparation, or waiting for PTO-R."""
        g = self.g
        self.transition(self.case.phase, Phase.EXIT, opened, "Uitstroomprocedure gestart.")
        self.phase_3_on = opened
        advised = g.day(opened, 7, 21)
        procedure = self.add(
            ExitProcedure(
                case=self.case,
                status=ExitProcedure.Status.ADVISED
                if advised < g.today
                else ExitProcedure.Status.OPEN,
                ground=ExitGround.CARE_HANDED_OVER,
                handover_organisation="GGD Amsterdam",
                opened_on=opened,
                opened_by=self.case.regisseur.user if self.case.regisseur else self.by,
                team_judgement="Zorg kan in het reguliere veld worden geborgd.",
                team_judgement_on=opened,
            )
        )
        version = self.in_force(self.versions, opened)
        if advised < g.today and version is not None:
            self.add(
                ItatAdvice(
                    plan_version=version,
                    subject=ItatAdvice.Subject.EXIT,
                    exit_procedure=procedure,
                    given_on=advised,
                    recommendation=ItatAdvice.Recommendation.POSITIVE,
                    advice="Positief over het uitstroomvoorstel.",
                    recorded_by=self.by,
                )
            )
        elif advised < g.today:
            procedure.status = ExitProcedure.Status.OPEN
