"""Reads of cases: the case list, the case page with everything on it, the person
record, a regisseur's own cases, the exit proposals waiting for PTO-R, the
emergency accesses waiting for review and a case's sharing decisions.

Who may read which case is decided before these run (guardian object
permissions, cases/access.py); reads of person data are logged by the caller.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db import models
from django.db.models import Exists, F, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import display_name
from kernel.compiled import CompiledPerShape, CompiledQuery
from pool.models import Absence, Regisseur

from ..access import cases_visible_to
from ..models import (
    Assessment,
    Assignment,
    Case,
    CaseStatus,
    EmergencyAccess,
    Escalation,
    EscalationStep,
    Evaluation,
    ExitProcedure,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    PhaseTransition,
    PlanVersion,
    ShareRecord,
    TeamMember,
)
from ..sections import ALL_SECTIONS, Section, section_flags
from .plans import interventions_by_pillar, live_plan_versions, plan_advices

if TYPE_CHECKING:  # django-stubs' helper, a development dependency only
    from django_stubs_ext import WithAnnotations


def case_detail(case_id: int, *, sections: frozenset[Section] = ALL_SECTIONS) -> Case:
    """One case with everything its page shows, in a fixed number of queries
    however many meetings, plan versions or interventions it has:

    1. the case with its region, regisseur and buddy (user, organisation) and person;
    then one query each for 2. the intervention team, 3. plan versions,
    4. their interventions, 5. their ITAT-R advice, 6. meetings, 7. their actions,
    8. their attendees, 9. assessments, 10. evaluations, 11. exit procedures,
    12. their ITAT-R advice, 13. escalations of a stuck case, 14. their steps,
    15. phase transitions, 16. assignments.
    A relation that is empty skips the queries nested under it.

    Only the ``sections`` the reader sees (cases/sections.py) are read: the
    relations of a hidden section come as empty lists without a query, so what a
    reader may not see is neither read nor shown, even by a template that forgot
    to ask.

    Raises ``Case.DoesNotExist`` for an unknown id.
    """
    director = ("user", "organisation")

    def shown(section: Section, relation: str, queryset: QuerySet) -> Prefetch:
        if section in sections:
            return Prefetch(relation, queryset=queryset)
        return Prefetch(relation, queryset=queryset.model._default_manager.none())

    return (
        Case.objects.select_related(
            "region",
            *(["person"] if Section.PERSON in sections else []),
            *(f"regisseur__{field}" for field in director),
            *(f"buddy__{field}" for field in director),
        )
        .prefetch_related(
            shown(
                Section.TEAM,
                "team_members",
                TeamMember.objects.select_related("organisation", "user"),
            ),
            shown(
                Section.PLAN,
                "plan_versions",
                PlanVersion.objects.select_related("created_by", "adopted_by").prefetch_related(
                    Prefetch(
                        "interventions",
                        # Grouped by pillar, as the plan page shows them.
                        queryset=interventions_by_pillar(),
                    ),
                    # Advice on an exit proposal shows with the exit procedure only.
                    Prefetch("itat_advices", queryset=plan_advices().select_related("recorded_by")),
                ),
            ),
            shown(
                Section.MEETINGS,
                "meetings",
                Meeting.objects.select_related("recorded_by").prefetch_related(
                    Prefetch(
                        "actions",
                        queryset=MeetingAction.objects.select_related("owner_organisation"),
                    ),
                    Prefetch(
                        "attendees",
                        queryset=MeetingAttendee.objects.select_related("organisation"),
                    ),
                ),
            ),
            shown(
                Section.ASSESSMENTS, "assessments", Assessment.objects.select_related("assessor")
            ),
            shown(
                Section.EVALUATIONS,
                "evaluations",
                Evaluation.objects.select_related("plan_version", "assessment", "recorded_by"),
            ),
            shown(
                Section.EXIT,
                "exit_procedures",
                ExitProcedure.objects.select_related(
                    "opened_by", "decided_by", "decision_plan_version"
                ).prefetch_related(
                    Prefetch(
                        "itat_advices",
                        queryset=ItatAdvice.objects.select_related("plan_version", "recorded_by"),
                    )
                ),
            ),
            shown(
                Section.ESCALATIONS,
                "escalations",
                Escalation.objects.select_related("opened_by").prefetch_related(
                    Prefetch("steps", queryset=EscalationStep.objects.select_related("recorded_by"))
                ),
            ),
            shown(
                Section.PHASES,
                "phase_transitions",
                PhaseTransition.objects.select_related("by"),
            ),
            shown(
                Section.ASSIGNMENTS,
                "assignments",
                Assignment.objects.select_related("regisseur__user", "by"),
            ),
        )
        .get(pk=case_id)
    )


class CaseRole(models.TextChoices):
    """What a regisseur is on a case, as ``cases_of_regisseur`` annotates it."""

    REGISSEUR = "regisseur", _("Regisseur")
    BUDDY = "buddy", _("Buddy")
    STAND_IN = "vervanger", _("Vervanger")


class ListColumns(TypedDict):
    """The names a listed case carries (``_LIST_NAMES``): its region's, and the first and
    last name and username of its regisseur's and buddy's users (None without one)."""

    region_name: str
    regisseur_first_name: str | None
    regisseur_last_name: str | None
    regisseur_username: str | None
    buddy_first_name: str | None
    buddy_last_name: str | None
    buddy_username: str | None


if TYPE_CHECKING:
    ListedCase = WithAnnotations[Case, ListColumns]
else:
    ListedCase = Case


class _WithRole(ListColumns):
    role: str


# What the case lists show and export of a case (cases/templatetags/case_list.py,
# cases/views/lists.py export): only these columns of the case, and the names of its
# region, regisseur and buddy as values, not the users' password hashes, remarks and the
# like, to send, plan and turn into models. One model per row: with the region, the
# regisseur and buddy and their users as models (select_related), building a row's six
# took three times as long as reading it.
_LIST_FIELDS = ("number", "phase", "phase_since", "status")
_LIST_NAMES = {
    "region_name": F("region__name"),
    **{
        f"{role}_{name}": F(f"{role}__user__{name}")
        for role in ("regisseur", "buddy")
        for name in ("first_name", "last_name", "username")
    },
}


def listed_person(case: Any, role: str) -> str:
    """The name of a listed case's regisseur or buddy (``role``), as ``str(user)`` gives
    it, from the list's names; "" when it has none."""
    username = getattr(case, f"{role}_username")
    if not username:
        return ""
    return display_name(
        getattr(case, f"{role}_first_name"), getattr(case, f"{role}_last_name"), username
    )


class _WithAdvisedOn(TypedDict):
    advised_on: datetime.date


def case_page_context(
    case_id: int, *, sections: frozenset[Section] = ALL_SECTIONS
) -> dict[str, Any]:
    """What the case page's body shows of the case, from ``case_detail``'s fixed
    set of queries: the case with its history, its plan versions (oldest first),
    the version being written, the ids of the versions whose interventions take
    progress (the adopted version that holds and the one being written), the
    running exit procedure and ``show``, which of the ``sections`` the reader sees."""
    case = case_detail(case_id, sections=sections)
    versions = list(case.plan_versions.all())
    current_version, open_version = live_plan_versions(versions)
    return {
        "case": case,
        "in_regie": case.status == CaseStatus.IN_REGIE,
        "versions": versions,
        "open_version": open_version,
        "progress_version_ids": {v.pk for v in (current_version, open_version) if v},
        "running_exit": next((p for p in case.exit_procedures.all() if p.is_running), None),
        "show": section_flags(sections),
    }


def cases_of_regisseur(
    regisseur: Regisseur, *, on: datetime.date
) -> QuerySet[WithAnnotations[Case, _WithRole]]:
    """The open cases ``regisseur`` works on: as regisseur, as buddy, or standing in
    on ``on`` for an absent regisseur or buddy (the same people cases/access.py
    grants access). Each case carries ``role`` (a CaseRole value); when several
    apply, regisseur goes before buddy before stand-in.

    The absent colleagues are read first (one small query), so the cases are
    found through the regisseur and buddy indexes: with a subquery in the OR,
    PostgreSQL scanned every case (10 ms at 10,000 cases, growing with them).
    """
    return _cases_worked_by(regisseur=regisseur, directors=_directors(regisseur, on))


def cases_of_regisseur_read(
    regisseur: Regisseur, *, on: datetime.date
) -> list[WithAnnotations[Case, _WithRole]]:
    """``cases_of_regisseur``, read: "mijn casussen" as it opens. Compiled once per
    process for each number of regisseurs worked for (kernel/compiled.py): Django took
    about 6 ms building its joins and PostgreSQL 1 ms planning them, against 1 ms
    running them."""
    found = _CASES_WORKED_BY.instances(regisseur=regisseur, directors=_directors(regisseur, on))
    return cast("list[WithAnnotations[Case, _WithRole]]", found)


def _directors(regisseur: Regisseur, on: datetime.date) -> list[int]:
    """The regisseur and those he stands in for on ``on``."""
    return [regisseur.pk, *(pk for (pk,) in _STOOD_IN_FOR.rows(stand_in=regisseur, on=on))]


def _cases_worked_by(
    *, regisseur: Regisseur, directors: list[int]
) -> QuerySet[WithAnnotations[Case, _WithRole]]:
    cases = (
        Case.objects.open()
        .filter(Q(regisseur_id__in=directors) | Q(buddy_id__in=directors))
        .annotate(
            role=models.Case(
                models.When(regisseur=regisseur, then=models.Value(CaseRole.REGISSEUR.value)),
                models.When(buddy=regisseur, then=models.Value(CaseRole.BUDDY.value)),
                default=models.Value(CaseRole.STAND_IN.value),
                output_field=models.CharField(),
            )
        )
        .only(*_LIST_FIELDS)
        .annotate(**_LIST_NAMES)
        .order_by("number")
    )
    return cast("QuerySet[WithAnnotations[Case, _WithRole]]", cases)


_CASES_WORKED_BY = CompiledPerShape(_cases_worked_by)


# The regisseurs a regisseur stands in for on a day: compiled once per process
# (kernel/compiled.py), asked on every "mijn casussen".
_STOOD_IN_FOR: CompiledQuery[Any] = CompiledQuery(
    lambda stand_in, on: Absence.objects.filter(
        stand_in=stand_in, starts_on__lte=on, ends_on__gte=on
    ).values_list("regisseur_id")
)


def exit_procedures_awaiting_decision() -> QuerySet[WithAnnotations[ExitProcedure, _WithAdvisedOn]]:
    """Exit proposals ITAT-R has advised on and PTO-R has yet to decide, longest
    waiting first. Each carries ``advised_on``; the advice (with the plan version
    it was given on) is prefetched. No person data: PTO-R reads these."""
    return (
        ExitProcedure.objects.filter(
            status=ExitProcedure.Status.ADVISED, case__status=CaseStatus.IN_REGIE
        )
        .annotate(advised_on=Max("itat_advices__given_on"))
        .select_related("case", "case__region")
        .prefetch_related(
            Prefetch(
                "itat_advices",
                queryset=ItatAdvice.objects.select_related("plan_version").order_by("-given_on"),
            )
        )
        .order_by("advised_on", "pk")
    )


class _WithEmergency(ListColumns):
    under_emergency: bool


def cases_for_list(
    user, *, on: datetime.datetime | None = None
) -> QuerySet[WithAnnotations[Case, _WithEmergency]]:
    """The case list: every case ``user`` may see (cases/access.py), with regisseur
    and buddy, in one query however many. No person data: only numbers, phase and
    status. ``under_emergency`` marks the cases the user reaches through an emergency
    access of his or her own that is running."""
    at = on or timezone.now()
    cases = (
        cases_visible_to(user, on=at)
        .annotate(
            under_emergency=Exists(
                EmergencyAccess.objects.active_at(at).filter(user=user, case=OuterRef("pk"))
            )
        )
        .only(*_LIST_FIELDS)
        .annotate(**_LIST_NAMES)
        .order_by("number")
    )
    return cast("QuerySet[WithAnnotations[Case, _WithEmergency]]", cases)


def cases_under_emergency_of(
    user, *, on: datetime.datetime | None = None
) -> list[WithAnnotations[Case, _WithEmergency]]:
    """The cases ``user`` reaches through an emergency access of his or her own that is
    running: the "met noodtoegang" section of a regisseur's list, each marked
    ``under_emergency``. Such an access is itself what makes the case visible
    (cases/access.py ``cases_visible_to``), so the guardian grants are not asked: the
    same cases as ``cases_for_list(user)`` filtered on ``under_emergency``, in less
    than half its time."""
    found = _UNDER_EMERGENCY.instances(user=user, on=on or timezone.now())
    return cast("list[WithAnnotations[Case, _WithEmergency]]", found)


def _cases_under_emergency(user: Any, on: datetime.datetime) -> QuerySet[Case]:
    running = EmergencyAccess.objects.active_at(on).filter(user=user, case=OuterRef("pk"))
    return (
        Case.objects.filter(Exists(running))
        # Cast: a constant is a parameter, which a prepared statement takes for text.
        .annotate(under_emergency=Cast(models.Value(True), models.BooleanField()))
        .only(*_LIST_FIELDS)
        .annotate(**_LIST_NAMES)
        .order_by("number")
    )


# Compiled once per process (kernel/compiled.py): PostgreSQL took 3 ms planning the
# joins, a fraction of one running them (no access running, mostly).
_UNDER_EMERGENCY: CompiledQuery[Case] = CompiledQuery(_cases_under_emergency)


def case_by_number(number: str) -> Case | None:
    """The case with exactly this number (case-insensitive), or None."""
    return Case.objects.filter(number__iexact=number.strip()).first()


def person_of(case: Case) -> Person:
    """The person record of a case. Raises ``Person.DoesNotExist`` when none was recorded."""
    return Person.objects.select_related("case").get(case=case)


def emergency_accesses_to_review() -> QuerySet[EmergencyAccess]:
    """Emergency accesses the programme team has yet to review, newest first."""
    return (
        EmergencyAccess.objects.unreviewed()
        .select_related("case", "user__organisation")
        .order_by("-opened_at", "-id")
    )


def emergency_accesses_flagged() -> QuerySet[EmergencyAccess]:
    """Emergency accesses the review flagged for follow-up, newest first."""
    return (
        EmergencyAccess.objects.flagged()
        .select_related("case", "user__organisation", "reviewed_by", "ended_by")
        .order_by("-opened_at", "-id")
    )


def emergency_review_figures(*, at: datetime.datetime, review_days: int) -> dict[str, int]:
    """For the programme team's dashboard, in one query: ``overdue``, the accesses
    opened more than ``review_days`` before ``at`` and still not reviewed, and
    ``flagged``, those the review marked for follow-up."""
    rows = _EMERGENCY_FIGURES.rows(late=at - datetime.timedelta(days=review_days))
    overdue, flagged = rows[0] if rows else (0, 0)
    return {"overdue": overdue, "flagged": flagged}


def _emergency_counts(late: datetime.datetime) -> QuerySet[Any]:
    # Grouped by a constant, so that the aggregate is a queryset to compile; no emergency
    # access at all gives no row.
    return (
        EmergencyAccess.objects.order_by()
        .annotate(every_access=Cast(Value(1), IntegerField()))
        .values("every_access")
        .annotate(
            overdue=models.Count("pk", filter=Q(reviewed_at__isnull=True, opened_at__lt=late)),
            flagged=models.Count("pk", filter=Q(flagged=True)),
        )
        .values_list("overdue", "flagged")
    )


# Asked on every view of the dashboard: compiled once per process (kernel/compiled.py).
_EMERGENCY_FIGURES: CompiledQuery[Any] = CompiledQuery(_emergency_counts)


def share_records_of(case: Case) -> QuerySet[ShareRecord]:
    """The case's sharing decisions, newest first, with what was shared and by whom."""
    return (
        ShareRecord.objects.filter(case=case)
        .select_related("plan_version", "meeting", "shared_by")
        .order_by("-shared_at", "-id")
    )


def meetings_of(case: Case) -> QuerySet[Meeting]:
    """The case's UVOs and breakthrough meetings, latest first."""
    return Meeting.objects.filter(case=case).order_by("-held_on", "-id")


# The parts of a case's first UVO held so far: the UVO form asks it on every view, so
# it is compiled once per process (kernel/compiled.py).
_FIRST_UVO_PARTS: CompiledQuery[Any] = CompiledQuery(
    lambda case: (
        Meeting.objects.filter(case=case, kind=Meeting.Kind.FIRST)
        .order_by()
        .values_list("first_uvo_part")
    )
)


def meeting_next_kind(case: Case) -> tuple[str, int | None]:
    """The kind (and first-UVO part) the next UVO of ``case`` most likely is: the first
    UVO, its part 2 while only part 1 was held (docs/rules.md R-CASE-4), else a regular
    UVO. The UVO form starts with it."""
    parts = {part for (part,) in _FIRST_UVO_PARTS.rows(case=case)}
    if not parts:
        return Meeting.Kind.FIRST, None
    if parts == {Meeting.Part.FIRST}:
        return Meeting.Kind.FIRST, Meeting.Part.SECOND
    return Meeting.Kind.REGULAR, None


def regisseur_of(user) -> Regisseur | None:
    """The pool membership of ``user``, if he or she is (or was) a regisseur (one at
    most). Asked on every page of a regisseur (the menu's badge, "mijn casussen"):
    compiled once per process (kernel/compiled.py)."""
    found = _REGISSEUR_OF.instances(user=user)
    return found[0] if found else None


_REGISSEUR_OF: CompiledQuery[Regisseur] = CompiledQuery(
    lambda user: Regisseur.objects.filter(user=user).order_by()
)


def team_members_current(case: Case, *, on: datetime.date) -> QuerySet[TeamMember]:
    """The intervention team on ``on``: the attendees an UVO form proposes."""
    return (
        TeamMember.objects.filter(case=case, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("organisation")
        .order_by("name")
    )


# The team's names and organisations only, as the UVO form proposes them as attendees: it
# asks this on every view, so it is compiled once per process (kernel/compiled.py).
_ATTENDEES_PROPOSED: CompiledQuery[Any] = CompiledQuery(
    lambda case, on: team_members_current(case, on=on).values_list("name", "organisation_id")
)


def attendees_proposed(case: Case, *, on: datetime.date) -> list[tuple[str, int]]:
    """The name and organisation id of each member of the intervention team on ``on``
    (``team_members_current``), in name order: the UVO form's attendee rows."""
    rows = _ATTENDEES_PROPOSED.rows(case=case, on=on)
    return [(name, organisation) for name, organisation in rows]


def exit_follow_up_for(user: Any, case_id: int) -> ExitProcedure | None:
    """The approved exit procedure of ``case_id`` when ``user`` was its last regisseur
    or buddy (an assignment that ended on the exit day), else None: what they may
    still read after the exit, for the warm hand-over's follow-up (ADR 0019). One
    query; the case comes along for its number and exit date."""
    if not getattr(user, "is_authenticated", False):
        return None
    last_director = Assignment.objects.filter(
        case=OuterRef("case"),
        regisseur__user=user,
        ended_on=OuterRef("case__exited_on"),
    )
    return (
        ExitProcedure.objects.filter(
            case_id=case_id,
            case__status=CaseStatus.EXITED,
            status=ExitProcedure.Status.APPROVED,
        )
        .filter(Exists(last_director))
        .select_related("case")
        .first()
    )
