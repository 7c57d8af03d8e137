"""The synthetic data generator: deterministic, within every rule the services
keep, and with object permissions exactly as cases/access.py grants them."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from guardian.models import UserObjectPermission

from accounts.models import Organisation, User
from api.feed import SYNCED_TABLES
from api.models import ChangeEvent
from audit.history import change_history
from audit.models import AccessLog
from cases.access import case_access_wanted
from cases.models import (
    Assignment,
    Case,
    CaseStatus,
    Evaluation,
    ExitProcedure,
    Intervention,
    Meeting,
    MeetingAction,
    PlanStatus,
    PlanVersion,
)
from pool.models import CaseloadReview, Regisseur
from pool.selectors import pool_overview
from sampledata.generator import GENERATED_ALREADY, case_number_prefix, generate_data

TODAY = datetime.date(2026, 11, 23)
CASES = 60
SEED = 7

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _fingerprint(seed: int) -> list[tuple]:
    """What a second run with the same seed must reproduce exactly."""
    cases = Case.objects.filter(number__startswith=case_number_prefix(seed)).order_by("number")
    return list(
        cases.annotate(
            meeting_count=Count("meetings", distinct=True),
            version_count=Count("plan_versions", distinct=True),
        ).values_list(
            "number",
            "registered_on",
            "status",
            "phase",
            "region__code",
            "regisseur__user__username",
            "buddy__user__username",
            "exited_on",
            "meeting_count",
            "version_count",
        )
    )


def test_the_same_seed_gives_the_same_data() -> None:
    try:
        with transaction.atomic():
            generate_data(cases=CASES, seed=SEED, today=TODAY)
            first = _fingerprint(SEED)
            raise _Rollback
    except _Rollback:
        pass
    assert not Case.objects.exists()

    generate_data(cases=CASES, seed=SEED, today=TODAY)
    assert _fingerprint(SEED) == first
    assert len(first) == CASES


def test_a_second_run_with_a_seed_already_used_is_refused_and_writes_nothing() -> None:
    generate_data(cases=10, seed=SEED, today=TODAY)
    users = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        generate_data(cases=10, seed=SEED, today=TODAY)
    assert refused.value.messages == [GENERATED_ALREADY % {"seed": SEED}]
    assert User.objects.count() == users


def test_cases_have_the_states_and_the_story_of_the_approach() -> None:
    report = generate_data(cases=CASES, seed=SEED, today=TODAY)
    assert report.rows["cases.Case"] == CASES
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert by_status[CaseStatus.EXITED] == round(CASES * 0.25)
    assert by_status[CaseStatus.IN_REGIE] > CASES / 2
    # Every case in regie has a regisseur and a different buddy, each with a current assignment.
    for case in Case.objects.filter(status=CaseStatus.IN_REGIE):
        assert case.regisseur_id and case.buddy_id and case.regisseur_id != case.buddy_id
        current = Assignment.objects.filter(case=case, ended_on__isnull=True)
        assert set(current.values_list("role", "regisseur_id")) == {
            ("regisseur", case.regisseur_id),
            ("buddy", case.buddy_id),
        }
    # Exited cases: a decided procedure, no current assignment.
    exited = Case.objects.filter(status=CaseStatus.EXITED)
    assert not Assignment.objects.filter(case__in=exited, ended_on__isnull=True).exists()
    assert (
        ExitProcedure.objects.filter(case__in=exited, status=ExitProcedure.Status.APPROVED).count()
        == exited.count()
    )
    # UVOs: one first UVO per case that has meetings, none before it, none in the future.
    for case in Case.objects.annotate(n=Count("meetings")).filter(n__gt=0):
        first = case.meetings.get(kind=Meeting.Kind.FIRST)
        assert not case.meetings.filter(held_on__lt=first.held_on).exists()
    assert not Meeting.objects.filter(held_on__gt=TODAY).exists()
    assert Meeting.objects.filter(held_on__lt=TODAY - datetime.timedelta(days=600)).exists()
    # Plans: at most one version not adopted per case, adopted interventions frozen.
    assert not (
        PlanVersion.objects.exclude(status=PlanStatus.ADOPTED)
        .values("case")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not Intervention.objects.filter(
        plan_version__status=PlanStatus.ADOPTED, frozen=False
    ).exists()
    assert Evaluation.objects.filter(kind=Evaluation.Kind.MONTHLY).exists()
    # The exit rule: approved on a no-threat ground only after a weighing without threat.
    for procedure in ExitProcedure.objects.filter(
        status=ExitProcedure.Status.APPROVED, ground__in=["risico_zorg_weg", "warme_overdracht"]
    ):
        latest = procedure.case.assessments.order_by("-assessed_on", "-created_at").first()
        assert latest is not None and not latest.safety_criterion
    assert AccessLog.objects.filter(at__date__lt=TODAY - datetime.timedelta(days=300)).exists()


def test_object_permissions_are_what_cases_access_would_grant() -> None:
    generate_data(cases=CASES, seed=SEED, today=TODAY)
    for case in Case.objects.select_related("regisseur", "buddy"):
        held: dict[int, set[str]] = {}
        for user_id, codename in UserObjectPermission.objects.filter(
            object_pk=str(case.pk), content_type__model="case"
        ).values_list("user_id", "permission__codename"):
            held.setdefault(user_id, set()).add(codename)
        assert held == case_access_wanted(case=case, on=TODAY), case.number


def test_the_pool_is_in_proportion_twelve_cases_per_fte() -> None:
    generate_data(cases=CASES, seed=SEED, today=TODAY)
    overview = pool_overview(on=TODAY)
    rows = overview.rows
    active = Regisseur.objects.active_on(TODAY)
    assert all(0.5 <= r.fte <= 1 for r in active)
    open_cases = Case.objects.filter(
        Q(status=CaseStatus.IN_REGIE) | Q(status=CaseStatus.REGISTERED, regisseur__isnull=False)
    ).count()
    places = sum(r.capacity for r in active)
    assert places * 0.8 <= open_cases <= places * 1.2
    # A few regisseurs are over capacity, by at most two cases.
    assert all(row.cases_in_regie <= row.capacity + 2 for row in rows)
    # Caseload reviews every three months: the snapshot names only that regisseur's cases.
    review = CaseloadReview.objects.order_by("-held_on").first()
    assert review is not None
    numbers = {c["number"] for c in review.caseload_snapshot["cases_as_regisseur"]}
    assert numbers <= set(
        Case.objects.filter(assignments__regisseur=review.regisseur).values_list(
            "number", flat=True
        )
    )


def test_the_change_feed_has_one_created_event_per_generated_object_and_triggers_are_back() -> None:
    """The generator writes with the row triggers off; the feed is filled in bulk, and
    afterwards a change to a generated case reaches the feed and the history again."""
    generate_data(cases=CASES, seed=SEED, today=TODAY)
    for table in SYNCED_TABLES:
        model = next(m for m in apps.get_models() if m._meta.db_table == table.table)
        objects = set(model._default_manager.values_list("pk", flat=True))
        created = ChangeEvent.objects.filter(
            resource=table.resource, operation=ChangeEvent.Operation.CREATED
        )
        assert sorted(created.values_list("object_id", flat=True)) == sorted(objects), table
    action = MeetingAction.objects.select_related("meeting").order_by("pk").first()
    assert action is not None
    event = ChangeEvent.objects.get(resource="meeting-actions", object_id=action.pk)
    assert event.case_id == action.meeting.case_id

    case = Case.objects.filter(status=CaseStatus.IN_REGIE).order_by("pk").first()
    assert case is not None
    assert change_history(case) == []  # synthetic data has no change history
    Case.objects.filter(pk=case.pk).update(regisseur_since=TODAY)
    [change] = change_history(case)
    assert change.changes["regisseur_since"][1] == TODAY.isoformat()
    organisation = Organisation.objects.create(code="nieuw", name="Nieuw", kind="kernpartner")
    assert ChangeEvent.objects.filter(
        resource="organisations", object_id=organisation.pk, operation="created"
    ).exists()
