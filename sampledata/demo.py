"""Demo data for the quick start: the 2020 pool and its 50 cases (docs/rules.md R-POOL-4).

Everything is created through the domain services, so the demo obeys every
rule the real data obeys. Names are obviously fake. The builder is idempotent:
a second run finds the demo present and only renews the demo logins' backup
codes.

The story follows the pool memo of 26 May 2020 ([Pool 2020] in docs/rules.md): eight
regisseurs with their FTE and caseloads; the police stop supplying regisseurs and
their seven cases are handed over to OOV and WPI ("nieuwe casussen"); three cases
have exited.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services import backup_codes_replace
from accounts.tokens import sync_client_create, sync_client_username
from audit.history import history_context
from cases.models import (
    Case,
    CaseStatus,
    ExitGround,
    ExitProcedure,
    Intervention,
    Meeting,
    Phase,
    Pillar,
)
from cases.services.assessments import AssessmentInput, assessment_record
from cases.services.assignments import case_assign, pool_leave_with_hand_over
from cases.services.evaluations import evaluation_record
from cases.services.exits import exit_propose, exit_record_itat_advice
from cases.services.intake import case_register, case_sign_notification
from cases.services.meetings import ActionInput, AttendeeInput, action_mark_done, meeting_log
from cases.services.phases import case_change_phase
from cases.services.plans import (
    InterventionInput,
    intervention_record_progress,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
)
from cases.services.team import team_member_add
from pool.models import PoolRule, Region, Regisseur
from pool.services import (
    absence_create,
    caseload_review_create,
    pool_decision_record,
    regisseur_create,
    team_activity_create,
    three_way_talk_create,
)
from ptor.models import ItemKind, MeetingForm, Presence
from ptor.services import (
    agenda_adopt,
    attendance_record,
    case_items_add,
    item_add,
    item_carry,
    item_decide_exit,
    item_record,
    meeting_close,
    meeting_prepare,
)

DEMO_PASSWORD = "ipgar-demo-2026!"  # noqa: S105  (printed for the quick start; demo only)
CASE_PREFIX = "R-DEMO-"
BACKUP_CODES_SHOWN = 5
# The appendix "afspraken over regisseurspool", adopted by the Directeurenoverleg on
# 11 May 2020 (docs/rules.md R-POOL-11): the decisions that set the pool's rules.
DIRECTEURENOVERLEG_2020 = datetime.date(2020, 5, 11)
# The texts of the demo PTO-R meeting's general items: BESLUIT, CONCLUSIES, VERVOLG.
DEMO_GENERAL_ITEM = (
    "Geen besluit nodig.",
    "De kwartaalmonitor is door alle leden ontvangen.",
    "Geen.",
)
DEMO_DEVELOPMENT_ITEM = (
    "Het PTO-R stemt in met de opzet van de maand-, halfjaar- en effectmonitor.",
    "De analisten van het AcVZ denken mee over de effectmonitor; de pijlers Straf, Zorg en "
    "Brusjes zijn het uitgangspunt.",
    "Het programmateam legt de eerste halfjaarmonitor voor in het volgende overleg.",
)

POOL_DECISIONS = (
    (
        "Maximaal aantal casussen per regisseur",
        "Op basis van het verwachte aantal casussen, het maximum aantal casussen per "
        "regisseur (12) en de wens om ook ruimte te behouden voor de verdere "
        "professionalisering van de regisseurs.",
        PoolRule.CASES_PER_FTE,
    ),
    (
        "Minimale inzet van regisseurs van andere kernpartners",
        "Om de expertise vanuit de moederorganisatie te behouden, zijn de (niet OOV) "
        "regisseurs voor minimaal 0,5 fte regisseur en werken ze daarnaast voor hun "
        "moederorganisatie.",
        PoolRule.PARTNER_MINIMUM_FTE,
    ),
    (
        "Omvang van de regisseurspool",
        "De inschatting is dat er in totaal ca. 5 - 6 fte nodig is.",
        PoolRule.POOL_SIZE,
    ),
    (
        "Gezamenlijke verantwoordelijkheid",
        "Het is een integrale aanpak en de kernpartners hebben dus een gezamenlijke "
        "verantwoordelijkheid voor de uitvoering van het beleid.",
        "",
    ),
)
# The intake of every demo case (docs/rules.md R-CASE-1): the referring kernpartner in
# turn, the duiding, what the voortraject gathered, and who signed the notificatiebrief.
REFERRERS = ("politie", "om", "wpi", "ggd", "rn", "rvdk")
DUIDING = (
    "Signalen van radicalisering met zorgen op meerdere leefgebieden; geduid in het "
    "casusoverleg van het AcVZ (demo)."
)
VOORTRAJECT = (
    "Informatie van politie en wijkteam verzameld; gesprekken met school en familie; "
    "eerdere hulpverlening in beeld gebracht (demo)."
)
NOTIFICATION_SIGNER = "De burgemeester van Amsterdam"
REGULAR_UVO_AGENDA = (
    "Evaluatie van acties en ontwikkelingen; plan van aanpak; perspectief op fase 3."
)

ORGANISATIONS = [
    ("oov", "Gemeente Amsterdam – OOV", Organisation.Kind.KERNPARTNER),
    ("wpi", "Gemeente Amsterdam – WPI", Organisation.Kind.KERNPARTNER),
    ("ggd", "GGD Amsterdam", Organisation.Kind.KERNPARTNER),
    ("om", "Openbaar Ministerie", Organisation.Kind.KERNPARTNER),
    ("politie", "Politie Eenheid Amsterdam", Organisation.Kind.KERNPARTNER),
    ("rvdk", "Raad voor de Kinderbescherming", Organisation.Kind.KERNPARTNER),
    ("rn", "Reclassering Nederland", Organisation.Kind.KERNPARTNER),
    ("amstelland", "Gemeente Amstelveen (Amstelland)", Organisation.Kind.KERNPARTNER),
    ("schuldhulp", "Schuldhulpverlening (demo)", Organisation.Kind.INTERVENTIEPARTNER),
    ("leerplicht", "Leerplicht (demo)", Organisation.Kind.INTERVENTIEPARTNER),
]


@dataclass(frozen=True)
class PoolRow:
    """One row of the pool memo's table (R-POOL-4)."""

    username: str
    organisation: str
    fte: str
    in_regie: int
    new: int = 0
    remark: str = ""
    region: str = ""


POOL_2020 = [
    PoolRow("regisseur.oov1", "oov", "1.0", 8, new=2),
    PoolRow("regisseur.oov2", "oov", "1.0", 9, new=2),
    PoolRow("regisseur.oov3", "oov", "0.5", 5, remark="Gedetacheerd vanuit JBRA"),
    PoolRow(
        "regisseur.amstelland",
        "amstelland",
        "1.0",
        3,
        remark="Alleen Amstelland casussen",
        region="amstelland",
    ),
    PoolRow("regisseur.om", "om", "0.5", 7),
    PoolRow("regisseur.rn", "rn", "0.5", 7),
    PoolRow("regisseur.wpi", "wpi", "1.0", 2, new=3),
    PoolRow("regisseur.ggd", "ggd", "0.5", 2),
]

OTHER_USERS = [
    # username, first name, last name, organisation, roles, staff
    ("programmateam", "Pim", "Programmateam (demo)", "oov", [Role.PROGRAMME_TEAM], False),
    ("beheerder", "Bea", "Beheer (demo)", "oov", [Role.FUNCTIONAL_ADMIN], True),
    ("pto-r.om", "Piet", "PTO-R OM (demo)", "om", [Role.PTO_R], False),
    ("manager.wpi", "Mira", "Manager WPI (demo)", "wpi", [Role.MANAGER], False),
    ("teamlid.ggd", "Tom", "Teamlid GGD (demo)", "ggd", [Role.TEAM_MEMBER], False),
    (
        "privacy.ggd",
        "Priya",
        "Privacyfunctionaris GGD (demo)",
        "ggd",
        [Role.PRIVACY_OFFICER],
        False,
    ),
]


def demo_present() -> bool:
    return Case.objects.filter(number__startswith=CASE_PREFIX).exists()


def load_demo_data(*, today: datetime.date | None = None, logins_file: Path | None = None) -> str:
    """Create the demo when absent; always renew the logins' backup codes.

    Returns the text listing the demo logins (also written to ``logins_file``).
    """
    today = today or timezone.localdate()
    if not demo_present():
        with transaction.atomic():
            _Builder(today=today).build()
    _ensure_sync_client()
    text = _renew_logins() + _sync_client_hint()
    if logins_file is not None:
        logins_file.parent.mkdir(parents=True, exist_ok=True)
        logins_file.write_text(text)
    return text


def _renew_logins() -> str:
    lines = [
        "  Demo logins (password for all: " + DEMO_PASSWORD + "). Second factor: one of the",
        "  backup codes below, each usable once; they are renewed on every start.",
        "",
    ]
    users = User.objects.filter(username__in=_demo_usernames()).order_by("username")
    for user in users:
        # Only the codes shown are made: each costs a deliberately slow hash.
        codes = backup_codes_replace(user=user, count=BACKUP_CODES_SHOWN)
        roles = ", ".join(sorted(user.groups.values_list("name", flat=True)))
        lines.append(f"  {user.username:<22} {roles:<20} {' '.join(codes)}")
    return "\n".join(lines) + "\n"


DEMO_SYNC_CLIENT = "VeHaA"


def _ensure_sync_client() -> None:
    """The registration system of the demo, as the functional administrator would
    add it on the Koppelingen page (also in a demo loaded before it existed)."""
    if User.objects.filter(username=sync_client_username(DEMO_SYNC_CLIENT)).exists():
        return
    admin = User.objects.get(username="beheerder")
    oov = Organisation.objects.get(code="oov")
    sync_client_create(name=DEMO_SYNC_CLIENT, organisation=oov, by=admin)


def _sync_client_hint() -> str:
    username = sync_client_username(DEMO_SYNC_CLIENT)
    return (
        f"\n  Sync client {username} (no password: it works with an API token). Issue one as\n"
        "  beheerder on /rollen/koppelingen/, or print one with:\n"
        f"    .venv/bin/python manage.py api_token issue --client {username} --name demo "
        "--scope all\n"
    )


def _demo_usernames() -> list[str]:
    return [row.username for row in POOL_2020] + [u[0] for u in OTHER_USERS]


class _Builder:
    def __init__(self, *, today: datetime.date) -> None:
        self.today = today
        self.random = random.Random(2020_05_26)  # noqa: S311  (deterministic demo, not security)
        self.case_count = 0
        self.exit_awaits_decision = False

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    # -- set-up -----------------------------------------------------------------
    def build(self) -> None:
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
        self.users = {
            username: self.user(username, first, last, org, roles, staff)
            for username, first, last, org, roles, staff in OTHER_USERS
        }
        self.by = self.users["programmateam"]
        with history_context(user=self.by.pk, command="load_demo_data"):
            self.build_pool()
            self.build_cases()
            self.build_pool_rhythm()
            self.build_pool_decisions()

    def user(
        self, username: str, first: str, last: str, org: str, roles: list[Role], staff: bool
    ) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.ipgar.invalid",
                "organisation": self.organisations[org],
                "is_staff": staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        return user

    def build_pool(self) -> None:
        start = self.days_ago(3 * 365)
        self.regisseurs: dict[str, Regisseur] = {}
        for row in POOL_2020:
            label = row.username.split(".", 1)[1].upper()
            user = self.user(
                row.username,
                "Regisseur",
                f"{label} (demo)",
                row.organisation,
                [Role.REGISSEUR],
                False,
            )
            self.regisseurs[row.username] = regisseur_create(
                user=user,
                organisation=self.organisations[row.organisation],
                fte=Decimal(row.fte),
                active_from=start,
                region_restriction=self.regions[row.region] if row.region else None,
                remark=row.remark,
                manager=self.users["manager.wpi"] if row.organisation == "wpi" else None,
                by=self.by,
            )
        # The police regisseur who leaves the pool; the memo's "nieuwe casussen" are his (R-POOL-5).
        police = self.user(
            "regisseur.politie",
            "Regisseur",
            "POLITIE (demo, vertrokken)",
            "politie",
            [Role.REGISSEUR],
            False,
        )
        self.police = regisseur_create(
            user=police,
            organisation=self.organisations["politie"],
            fte=Decimal("1.0"),
            active_from=start,
            by=self.by,
        )

    # -- cases ------------------------------------------------------------------
    def build_cases(self) -> None:
        amsterdam_buddies = [r for r in self.regisseurs.values() if r.region_restriction_id is None]
        for row in POOL_2020:
            regisseur = self.regisseurs[row.username]
            region = self.regions[row.region or "amsterdam"]
            for _ in range(row.in_regie):
                buddy = self.pick_buddy(regisseur, amsterdam_buddies)
                self.case(regisseur=regisseur, buddy=buddy, region=region)
        # Seven cases run by the police regisseur, handed over when he leaves.
        receivers = [self.regisseurs[row.username] for row in POOL_2020 for _ in range(row.new)]
        # Their buddies are not among the receivers, so each hand-over keeps four eyes.
        police_buddies = [r for r in amsterdam_buddies if r not in receivers]
        police_cases = [
            self.case(
                regisseur=self.police,
                buddy=self.pick_buddy(self.police, police_buddies),
                region=self.regions["amsterdam"],
            )
            for _ in receivers
        ]
        hand_over_on = self.days_ago(5)
        buddy_distribution = {
            case.pk: self.pick_buddy(case.regisseur, amsterdam_buddies).pk
            for case in Case.objects.filter(buddy=self.police, status=CaseStatus.IN_REGIE)
            if case.regisseur is not None
        }
        pool_leave_with_hand_over(
            leaving=self.police,
            on=hand_over_on,
            distribution={
                case.pk: receiver.pk for case, receiver in zip(police_cases, receivers, strict=True)
            },
            buddy_distribution=buddy_distribution,
            reason="De politie levert geen regisseurs meer (notitie PTO-R 26 mei 2020).",
            by=self.by,
        )
        self.exited_cases(amsterdam_buddies)

    def pick_buddy(self, regisseur: Regisseur, candidates: list[Regisseur]) -> Regisseur:
        others = [c for c in candidates if c.pk != regisseur.pk]
        return others[self.case_count % len(others)]

    def case(
        self,
        *,
        regisseur: Regisseur,
        buddy: Regisseur,
        region: Region,
        phase: int | None = None,
        advise_exit: bool | None = None,
    ) -> Case:
        """One case with a life of its own: phase 1, 2 or 3 by its age."""
        self.case_count += 1
        n = self.case_count
        phase = phase or (1 if n % 6 == 0 else (3 if n % 9 == 0 else 2))
        age = self.random.randint(35, 70) if phase == 1 else self.random.randint(200, 900)
        registered = self.days_ago(age)
        case = case_register(
            number=f"{CASE_PREFIX}{n:03d}",
            region=region,
            registered_on=registered,
            first_name="Testpersoon",
            last_name=f"Fictief {n}",
            date_of_birth=datetime.date(1980 + n % 25, 1 + n % 12, 1 + n % 28),
            address=f"Voorbeeldstraat {n}, 1000 AA Amsterdam",
            bsn="",
            referred_by=self.organisations[REFERRERS[n % len(REFERRERS)]],
            interpretation=DUIDING,
            preliminary_findings=VOORTRAJECT,
            by=self.by,
        )
        assessment_record(
            case=case,
            assessed_on=registered,
            care_criterion=True,
            safety_criterion=True,
            risk_level=("laag", "midden", "hoog")[n % 3],
            reasoning="Zorgen op meerdere leefgebieden en signalen van geweldsbereidheid "
            "vanuit extremistisch gedachtegoed (demo).",
            by=self.by,
        )
        case = case_assign(
            case=case,
            regisseur=regisseur,
            buddy=buddy,
            on=registered + datetime.timedelta(days=3),
            reason="Toewijzing bij aanmelding.",
            by=self.by,
        ).case
        signed = registered + datetime.timedelta(days=7)
        case = case_sign_notification(
            case=case, signed_on=signed, signed_by=NOTIFICATION_SIGNER, by=self.by
        )
        by = regisseur.user
        org = self.organisations
        members = [
            team_member_add(
                case=case,
                name=f"{label} {n} (demo)",
                organisation=org[code],
                role=role,
                sharing_basis="Zwaarwegend belang: deelname aan het interventieteam (demo).",
                joined_on=signed + datetime.timedelta(days=2),
                by=by,
                user=self.users["teamlid.ggd"] if code == "ggd" and n % 4 == 0 else None,
            )
            for code, label, role in (
                ("ggd", "Zorgcoördinator", "Zorg"),
                ("politie", "Wijkagent", "Veiligheid"),
                ("wpi", "Klantmanager", "Werk en inkomen"),
            )
        ]
        attendees = [
            AttendeeInput(name=m.name, organisation=m.organisation, team_member=m) for m in members
        ]
        first_uvo = signed + datetime.timedelta(days=self.random.randint(10, 26))
        if first_uvo >= self.today:
            return case
        first_meeting = meeting_log(
            case=case,
            held_on=first_uvo,
            kind=Meeting.Kind.FIRST,
            person_attended=False,
            agenda="Kennismaking; beeld en gevoel bij de casus; spelregels; informatiepositie.",
            development="Eerste gezamenlijke beeldvorming.",
            decisions="Eerste plan van aanpak opstellen.",
            exit_in_sight=False,
            attendees=attendees,
            actions=[
                ActionInput(
                    description="Informatie over de woonsituatie verzamelen.",
                    owner_organisation=org["wpi"],
                    due_on=first_uvo + datetime.timedelta(days=14),
                )
            ],
            by=by,
        )
        # The team keeps its agreements: an action past its date is done, but in one case
        # in seven (the overdue worklist shows those).
        keeps_agreements = n % 7 != 0
        for action in first_meeting.actions.all():
            if keeps_agreements and action.due_on < self.today:
                action_mark_done(action=action, done_on=action.due_on, by=by)
        if phase == 1:
            return case

        plan_day = first_uvo + datetime.timedelta(days=14)
        version = plan_version_create(
            case=case,
            concerns="Uitingen die geweld vanuit extremistisch gedachtegoed rechtvaardigen.",
            goals="Stabiele woonsituatie, dagbesteding, afname van geweldsbereidheid.",
            course="Vertrouwen opbouwen via de regisseur; zorg via de GGD; perspectief via WPI.",
            joint_task="Veiligheid en zorg samen: geen geweld, wel perspectief.",
            focus="Eerste plan van aanpak.",
            explanation="Opgesteld met het interventieteam na het eerste UVO.",
            interventions=[
                InterventionInput(
                    description="Traject bij de GGD voor psychische ondersteuning.",
                    pillar=Pillar.ZORG,
                    responsible_organisation=org["ggd"],
                    deadline=plan_day + datetime.timedelta(days=120),
                ),
                InterventionInput(
                    description="Begeleiding naar werk of opleiding.",
                    pillar=Pillar.ZORG,
                    responsible_organisation=org["wpi"],
                    deadline=plan_day + datetime.timedelta(days=180),
                ),
                # The other two pillars (docs/rules.md R-MON-2) in some of the plans.
                *(
                    [
                        InterventionInput(
                            description="Toezicht op de bijzondere voorwaarden.",
                            pillar=Pillar.STRAF,
                            responsible_organisation=org["rn"],
                            deadline=plan_day + datetime.timedelta(days=150),
                        )
                    ]
                    if n % 3 == 0
                    else []
                ),
                *(
                    [
                        InterventionInput(
                            description="Steun voor de broers en zussen.",
                            pillar=Pillar.BRUSJES,
                            responsible_organisation=org["rvdk"],
                            deadline=plan_day + datetime.timedelta(days=90),
                        )
                    ]
                    if n % 4 == 0
                    else []
                ),
            ],
            by=by,
        )
        version = plan_record_itat_advice(
            version=version,
            given_on=plan_day + datetime.timedelta(days=7),
            recommendation="positief",
            advice="Helder plan; let op de informatiepositie bij de politie.",
            by=self.by,
        ).plan_version
        adopted_on = plan_day + datetime.timedelta(days=10)
        plan_version_adopt(version=version, adopted_on=adopted_on, by=self.by)
        case = case_change_phase(
            case=Case.objects.get(pk=case.pk),
            to_phase=Phase.EXECUTION,
            reason="Plan van aanpak vastgesteld; start uitvoering.",
            on=adopted_on + datetime.timedelta(days=1),
            by=by,
        )
        # UVOs at least every two months; some cases fall behind (overdue worklist items).
        day = adopted_on + datetime.timedelta(days=30)
        gap = 75 if n % 5 == 0 else 50
        last_uvo = first_uvo
        while day < self.days_ago(3):
            meeting_log(
                case=case,
                held_on=day,
                kind=Meeting.Kind.REGULAR,
                person_attended=n % 2 == 0,
                agenda=REGULAR_UVO_AGENDA,
                development="Langzame positieve ontwikkeling." if n % 3 else "Weinig beweging.",
                decisions="Interventies voortzetten.",
                exit_in_sight=False,
                attendees=attendees,
                actions=[],
                by=by,
            )
            last_uvo = day
            day += datetime.timedelta(days=gap)
        # Interventions past their term are finished, as the plan meant them to be.
        if keeps_agreements:
            for intervention in version.interventions.all():
                if intervention.deadline < self.today:
                    intervention_record_progress(
                        intervention=intervention,
                        status=Intervention.Status.DONE,
                        result="Afgerond volgens plan (demo).",
                        by=by,
                    )
        evaluation_record(
            case=case,
            kind="maandelijks",
            held_on=last_uvo,
            findings="Plan loopt; interventies op schema.",
            # Every evaluation weighs again; in phase-3 cases the threat has gone.
            assessment=AssessmentInput(
                care_criterion=True,
                safety_criterion=phase != Phase.EXIT,
                risk_level="laag" if phase == Phase.EXIT else "midden",
                reasoning="Geen signalen van geweldsbereidheid meer (demo)."
                if phase == Phase.EXIT
                else "Zorg en veiligheidsrisico zijn er nog; aanpak voortzetten (demo).",
            ),
            by=by,
        )
        if phase == 3:
            # The first case to reach phase 3 waits for PTO-R; the others for ITAT-R.
            advised = advise_exit if advise_exit is not None else not self.exit_awaits_decision
            self.exit_awaits_decision = self.exit_awaits_decision or advised
            self.start_exit(case, by=by, advised=advised)
        return Case.objects.get(pk=case.pk)

    def start_exit(self, case: Case, *, by: User, advised: bool) -> ExitProcedure:
        """The team judges that exit is in sight: re-assess (no threat of violence
        may stand), move to phase 3, propose at its end, and possibly ITAT-R advises."""
        assessment_record(
            case=case,
            assessed_on=self.days_ago(25),
            care_criterion=True,
            safety_criterion=False,
            risk_level="laag",
            reasoning="Al langere tijd geen signalen van geweldsbereidheid (demo).",
            by=by,
        )
        # Phase 3 is the exit process; the proposal comes at its end (docs/rules.md R-EXIT-2).
        case_change_phase(
            case=Case.objects.get(pk=case.pk),
            to_phase=Phase.EXIT,
            reason="Gezamenlijk oordeel: afschalen en toewerken naar uitstroom.",
            on=self.days_ago(20),
            by=by,
        )
        procedure = exit_propose(
            case=Case.objects.get(pk=case.pk),
            ground=ExitGround.CARE_HANDED_OVER,
            handover_organisation="Wijkteam Amsterdam-Zuid (demo)",
            team_judgement="Geen actuele signalen van geweldsbereidheid; zorg kan via het "
            "wijkteam worden voortgezet.",
            on=self.days_ago(19),
            by=by,
        )
        if advised:
            exit_record_itat_advice(
                procedure=procedure,
                given_on=self.days_ago(10),
                recommendation="positief",
                advice="Warme overdracht is geregeld; ITAT-R adviseert uitstroom.",
                by=self.by,
            )
            procedure.refresh_from_db()
        return procedure

    def exited_cases(self, buddies: list[Regisseur]) -> None:
        """Three cases that exited (R-POOL-4: 53 cases, 3 exit), decided in a PTO-R
        meeting five days ago (R-PTO-4); the proposal still waiting is carried on to the
        next meeting, in concept, which will adopt this one's minutes."""
        oov1 = self.regisseurs["regisseur.oov1"]
        exiting = [
            self.case(
                regisseur=oov1,
                buddy=self.pick_buddy(oov1, buddies),
                region=self.regions["amsterdam"],
                phase=3,
                advise_exit=True,
            )
            for _ in range(3)
        ]
        self.pto_r_meetings(exiting={case.pk for case in exiting})

    def pto_r_meetings(self, *, exiting: set[int]) -> None:
        """A meeting held five days ago that decides the exits of the ``exiting`` cases,
        and the next one, in concept, that the other proposals are carried to."""
        by, pto_r = self.by, self.users["pto-r.om"]
        held = meeting_prepare(date=self.days_ago(5), form=MeetingForm.IN_PERSON, by=by)
        general = item_add(
            meeting=held, kind=ItemKind.GENERAL, title="Mededelingen en ingekomen stukken", by=by
        )
        development = item_add(
            meeting=held,
            kind=ItemKind.DEVELOPMENT,
            title="Doorontwikkeling: de maand-, halfjaar- en effectmonitor",
            by=by,
        )
        cases = case_items_add(meeting=held, by=by)
        agenda_adopt(meeting=held, by=by)
        attendance_record(
            meeting=held,
            presences={a.pk: Presence.PRESENT for a in held.attendances.all()},
            by=by,
        )
        for item, (decision, conclusions, follow_up) in (
            (general, DEMO_GENERAL_ITEM),
            (development, DEMO_DEVELOPMENT_ITEM),
        ):
            item_record(
                item=item, decision=decision, conclusions=conclusions, follow_up=follow_up, by=by
            )
        following = meeting_prepare(
            date=self.today + datetime.timedelta(days=23),
            form=MeetingForm.IN_PERSON,
            by=by,
            previous=held,
        )
        for item in cases:
            if item.exit_procedure is not None and item.exit_procedure.case_id in exiting:
                item_decide_exit(
                    item=item,
                    decision="akkoord",
                    reasoning="PTO-R besluit tot uitstroom conform advies ITAT-R.",
                    by=pto_r,
                )
            else:
                item_carry(item=item, to=following, by=by)
        meeting_close(meeting=held, by=by)

    # -- the Directeurenoverleg's decisions ------------------------------------------
    def build_pool_decisions(self) -> None:
        for subject, text, rule in POOL_DECISIONS:
            pool_decision_record(
                decided_on=DIRECTEURENOVERLEG_2020,
                subject=subject,
                text=text,
                rule=rule,
                by=self.by,
                today=self.today,
            )

    # -- pool rhythm --------------------------------------------------------------
    def build_pool_rhythm(self) -> None:
        for i, regisseur in enumerate(self.regisseurs.values()):
            caseload_review_create(
                regisseur=regisseur,
                held_on=self.days_ago(30 + 12 * i),
                held_by=self.by,
                progress="Voortgang besproken per casus.",
                requirements="Registratie van UVO's binnen een week.",
            )
            if regisseur.manager is not None:
                three_way_talk_create(
                    regisseur=regisseur,
                    held_on=self.days_ago(200),
                    held_by=self.by,
                    manager=regisseur.manager,
                    notes="Jaarlijks driegesprek (demo).",
                )
        members = list(self.regisseurs.values())
        for weeks_ago in (2, 6, 10):
            team_activity_create(
                kind="teamoverleg",
                held_on=self.days_ago(7 * weeks_ago),
                topic="Casuïstiek en vakontwikkeling",
                attendance=dict.fromkeys(members, True),
                by=self.by,
            )
        for number, weeks_ago in ((1, 17), (2, 9), (3, 1)):
            team_activity_create(
                kind="intervisie",
                held_on=self.days_ago(7 * weeks_ago),
                series_name="Intervisie NTA",
                series_number=number,
                series_size=10,
                attendance=dict.fromkeys(members, True),
                by=self.by,
            )
        absence_create(
            regisseur=self.regisseurs["regisseur.ggd"],
            starts_on=self.days_ago(2),
            ends_on=self.today + datetime.timedelta(days=12),
            reason="Vakantie",
            stand_in=self.regisseurs["regisseur.oov3"],
            by=self.by,
        )
