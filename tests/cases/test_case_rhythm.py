"""The rhythm the database keeps per case (CaseRhythm) follows every change to the
meetings, plan versions and evaluations it is counted from, in the statement that
makes the change: the deadline selector reads it instead of five look-ups per case,
so a stale row would be a missed or a false reminder."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseRhythm, Evaluation, Meeting, Pillar
from cases.selectors.deadlines import DeadlineKind, deadlines
from cases.services.plans import InterventionInput
from sampledata.generator import generate_data
from tests.factories import (
    CaseFactory,
    EvaluationFactory,
    MeetingFactory,
    OrganisationFactory,
    UserFactory,
    adopt_version,
    plan_concept,
)
from tests.quick_start import manage, quick_start_env

from .rhythm import from_records, kept

pytestmark = [pytest.mark.django_db]

DAY = datetime.date(2026, 3, 2)


def test_a_case_without_records_has_no_rhythm():
    case = CaseFactory()
    assert not CaseRhythm.objects.filter(case=case).exists()
    assert kept()[case.pk] == from_records()[case.pk] == (None, None, None, None, None)


def test_the_latest_uvo_follows_insert_update_and_delete_and_a_breakthrough_does_not_count():
    case = CaseFactory(phase2=True)
    first = MeetingFactory(case=case, held_on=DAY, kind=Meeting.Kind.FIRST)
    MeetingFactory(
        case=case, held_on=DAY + datetime.timedelta(days=40), kind=Meeting.Kind.BREAKTHROUGH
    )
    assert CaseRhythm.objects.get(case=case).latest_uvo_on == DAY

    later = MeetingFactory(case=case, held_on=DAY + datetime.timedelta(days=20))
    assert CaseRhythm.objects.get(case=case).latest_uvo_on == later.held_on

    # A date corrected, by a save and by a queryset update.
    later.held_on = DAY + datetime.timedelta(days=25)
    later.save()
    assert CaseRhythm.objects.get(case=case).latest_uvo_on == later.held_on
    Meeting.objects.filter(pk=first.pk).update(held_on=DAY + datetime.timedelta(days=30))
    assert CaseRhythm.objects.get(case=case).latest_uvo_on == DAY + datetime.timedelta(days=30)

    Meeting.objects.filter(pk=first.pk).delete()
    assert CaseRhythm.objects.get(case=case).latest_uvo_on == later.held_on
    later.delete()
    assert CaseRhythm.objects.get(case=case).latest_uvo_on is None
    assert kept() == from_records()


def test_adopting_a_new_plan_version_moves_the_plan_in_force():
    by = UserFactory()
    case = CaseFactory(with_plan=True)
    first = case.plan_versions.get()
    assert CaseRhythm.objects.get(case=case).plan_in_force_id == first.pk

    intervention = InterventionInput(
        description="Werk",
        pillar=Pillar.ZORG,
        responsible_organisation=OrganisationFactory(code="ggd", name="GGD"),
        deadline=timezone.localdate(),
    )
    concept = plan_concept(
        case, by=by, interventions=[intervention], focus="Werk", explanation="Na de evaluatie."
    )
    # A concept is not in force.
    assert CaseRhythm.objects.get(case=case).plan_in_force_id == first.pk
    second = adopt_version(concept, by=by, on=timezone.localdate())
    rhythm = CaseRhythm.objects.get(case=case)
    assert (rhythm.plan_in_force_id, rhythm.latest_adoption_on) == (second.pk, second.adopted_on)
    assert kept() == from_records()


def test_evaluations_of_each_kind_are_kept_apart():
    case = CaseFactory(phase2=True)
    EvaluationFactory(case=case, held_on=DAY)
    EvaluationFactory(case=case, held_on=DAY + datetime.timedelta(days=31))
    two_yearly = EvaluationFactory(case=case, kind=Evaluation.Kind.TWO_YEARLY, held_on=DAY)
    rhythm = CaseRhythm.objects.get(case=case)
    assert rhythm.latest_monthly_evaluation_on == DAY + datetime.timedelta(days=31)
    assert rhythm.latest_two_yearly_evaluation_on == DAY
    two_yearly.delete()
    assert CaseRhythm.objects.get(case=case).latest_two_yearly_evaluation_on is None
    assert kept() == from_records()


def test_one_bulk_insert_refreshes_every_case_it_touched():
    cases = CaseFactory.create_batch(3, phase2=True)
    by = UserFactory()
    Meeting.objects.bulk_create(
        Meeting(
            case=case,
            held_on=DAY + datetime.timedelta(days=n),
            kind=Meeting.Kind.REGULAR,
            recorded_by=by,
        )
        for n, case in enumerate(cases)
        for _ in range(2)
    )
    assert kept() == from_records()
    assert [CaseRhythm.objects.get(case=case).latest_uvo_on for case in cases] == [
        DAY + datetime.timedelta(days=n) for n in range(3)
    ]


def test_generated_cases_have_their_rhythm_though_the_generator_switches_triggers_off():
    generate_data(cases=15, seed=41, today=DAY)
    assert CaseRhythm.objects.filter(latest_uvo_on__isnull=False).exists()
    assert CaseRhythm.objects.filter(plan_in_force__isnull=False).exists()
    assert kept() == from_records()


def test_a_deleted_case_leaves_no_rhythm():
    case = CaseFactory(phase2=True)
    MeetingFactory(case=case)
    Case.objects.filter(pk=case.pk).delete()
    assert not CaseRhythm.objects.filter(pk=case.pk).exists()


@pytest.mark.usefixtures("today")
def test_an_uvo_logged_moves_the_due_date_in_the_selector():
    """The selector reads the kept rhythm: the next UVO is due two months after the
    latest one, in the same number of queries as before."""
    case = CaseFactory(phase2=True)
    today = timezone.localdate()
    MeetingFactory(case=case, held_on=today - datetime.timedelta(days=100))

    def uvo_due() -> datetime.date:
        with CaptureQueriesContext(connection) as queries:
            items = deadlines(on=today, horizon_days=400, case_ids=[case.pk])
        assert len(queries) == 6  # roles, stand-ins, cases, exits, interventions, actions
        return next(item.due_on for item in items if item.kind == DeadlineKind.UVO)

    before = uvo_due()
    MeetingFactory(case=case, held_on=today - datetime.timedelta(days=10))
    assert uvo_due() == before + datetime.timedelta(days=90)


# Runs inside `manage.py shell -c` on the quick start's SQLite file after the demo is
# loaded: the rhythm kept by SQLite's row triggers equals the records' own, also after
# a meeting is corrected and one removed.
PROBE = """
import json
from cases.models import Meeting
from tests.cases.rhythm import from_records, kept
before = kept() == from_records()
meeting = Meeting.objects.order_by("-held_on").first()
meeting.held_on = meeting.held_on.replace(day=1)
meeting.save()
Meeting.objects.filter(pk=Meeting.objects.order_by("pk").first().pk).delete()
print(json.dumps({"cases": len(kept()), "before": before, "after": kept() == from_records(),
    "with_uvo": sum(1 for row in kept().values() if row[0] is not None)}))
"""


def test_the_quick_start_keeps_the_rhythm_on_sqlite(tmp_path: Path):
    env = quick_start_env(tmp_path)
    manage("migrate", "--verbosity", "0", env=env)
    manage("load_demo_data", env=env)
    seen = json.loads(manage("shell", "-c", PROBE, env=env).strip().splitlines()[-1])
    assert seen["cases"] > 40 and seen["with_uvo"] > 40, seen
    assert seen["before"] and seen["after"], seen
