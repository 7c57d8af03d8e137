"""The forms that carry a record of a case further, as a user meets them: ITAT-R's
advice on an exit proposal, withdrawing it, an intervention's progress (also in an
adopted plan) and an UVO action done. Each happy path changes the record and the
case page shows it; bad input answers 400 with the Dutch message and writes
nothing; a refused rule answers 409; who may not work on the case gets 403 (a
team member) or 404 (everyone who does not see the case); the read is logged."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLog
from cases.models import (
    ExitGround,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    PlanVersion,
)
from cases.services.exits import (
    EXIT_ADVICE_ALREADY_GIVEN,
    EXIT_DATE_BEFORE_OPENING,
    EXIT_NOT_RUNNING,
    case_record_move,
    exit_propose,
    exit_record_itat_advice,
    exit_withdraw,
)
from cases.services.meetings import (
    ACTION_ALREADY_DONE,
    ACTION_DONE_IN_FUTURE,
    ActionInput,
    AttendeeInput,
    action_mark_done,
    meeting_log,
)
from cases.services.plans import (
    INTERVENTION_RESULT_REQUIRED,
    INTERVENTION_VERSION_SUPERSEDED,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_new_from,
)
from cases.views.follow_up import (
    ACTION_DONE_RECORDED,
    EXIT_ADVICE_RECORDED,
    EXIT_WITHDRAWN,
    PROGRESS_RECORDED,
)
from kernel.errors import STALE_RECORD
from tests.factories import OrganisationFactory, adopt_first_plan

from .conftest import client_for

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def day(on: datetime.date) -> str:
    return f"{on:%d-%m-%Y}"


@pytest.fixture
def wpi():
    return OrganisationFactory(code="wpi", name="WPI")


@pytest.fixture
def proposal(crew, today, author, wpi) -> ExitProcedure:
    """A running exit procedure: the person moved, so ITAT-R may advise in any phase."""
    adopt_first_plan(crew.case, by=author, on=today - datetime.timedelta(days=10), organisation=wpi)
    return exit_propose(
        case=crew.case,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        team_judgement="Verhuisd naar Utrecht; warme overdracht aan de gemeente.",
        on=today - datetime.timedelta(days=3),
        by=author,
    )


def advice_url(crew, procedure: ExitProcedure) -> str:
    return reverse("cases:exit_advice", args=[crew.case.pk, procedure.pk])


def withdraw_url(crew, procedure: ExitProcedure) -> str:
    return reverse("cases:exit_withdraw", args=[crew.case.pk, procedure.pk])


def _advice(procedure: ExitProcedure, given_on: datetime.date, **overrides) -> dict:
    return {
        "revision": procedure.revision,
        "given_on": given_on.isoformat(),
        "recommendation": ItatAdvice.Recommendation.POSITIVE,
        "advice": "Akkoord met uitstroom; overdracht aan Utrecht is geregeld.",
        **overrides,
    }


# --- ITAT-R's advice on an exit proposal -----------------------------------------------


def test_the_advice_is_recorded_and_the_case_page_shows_it(crew, proposal, today):
    client = client_for(crew.regisseur)
    page = text_of(client.get(reverse("cases:detail", args=[crew.case.pk])))
    assert advice_url(crew, proposal) in page  # the button on the case page

    form = client.get(advice_url(crew, proposal))
    assert form.status_code == 200
    assert "Verhuisd naar Utrecht; warme overdracht aan de gemeente." in text_of(form)
    assert AccessLog.objects.filter(
        user=crew.regisseur, object_type="cases.exitprocedure", object_id=str(proposal.pk)
    ).exists()

    response = client.post(advice_url(crew, proposal), _advice(proposal, today), follow=True)

    page = text_of(response)
    assert str(EXIT_ADVICE_RECORDED) in page
    assert "Akkoord met uitstroom; overdracht aan Utrecht is geregeld." in page
    assert "Wacht op besluit PTO-R" in page
    assert advice_url(crew, proposal) not in page  # advised once: no button any more
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.ADVISED


def test_an_advice_dated_before_the_proposal_is_refused_at_its_field(crew, proposal, today):
    too_early = proposal.opened_on - datetime.timedelta(days=1)
    response = client_for(crew.regisseur).post(
        advice_url(crew, proposal), _advice(proposal, too_early)
    )

    assert response.status_code == 400
    page = text_of(response)
    assert EXIT_DATE_BEFORE_OPENING % {"opened_on": day(proposal.opened_on)} in page
    assert "Akkoord met uitstroom; overdracht aan Utrecht is geregeld." in page  # kept
    assert response.context["form"].errors["given_on"]
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.OPEN
    assert not ItatAdvice.objects.filter(exit_procedure=proposal).exists()


def test_a_second_advice_is_refused_by_the_rule(crew, proposal, today, author):
    exit_record_itat_advice(
        procedure=proposal, given_on=today, recommendation="positief", advice="Eerste.", by=author
    )
    proposal.refresh_from_db()
    response = client_for(crew.regisseur).post(
        advice_url(crew, proposal), _advice(proposal, today, advice="Tweede.")
    )
    assert response.status_code == 409
    assert str(EXIT_ADVICE_ALREADY_GIVEN) in text_of(response)
    assert ItatAdvice.objects.filter(exit_procedure=proposal).count() == 1


def test_an_advice_on_a_changed_proposal_shows_the_stored_record(crew, proposal, today, author):
    loaded = proposal.revision
    case_record_move(
        case=crew.case,
        destination="Rotterdam",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=today,
        by=author,
    )

    response = client_for(crew.regisseur).post(
        advice_url(crew, proposal), {**_advice(proposal, today), "revision": loaded}
    )

    assert response.status_code == 409
    page = text_of(response)
    assert str(STALE_RECORD) in page
    assert "Rotterdam" in page  # the proposal as it is stored now
    assert "Akkoord met uitstroom; overdracht aan Utrecht is geregeld." in page  # kept
    assert not ItatAdvice.objects.filter(exit_procedure=proposal).exists()


# --- withdrawing an exit proposal ----------------------------------------------------------


def test_a_withdrawn_proposal_shows_on_the_case_page_with_its_reason(crew, proposal, today):
    client = client_for(crew.regisseur)
    response = client.post(
        withdraw_url(crew, proposal),
        {
            "revision": proposal.revision,
            "on": today.isoformat(),
            "reason": "Verhuizing gaat niet door.",
        },
        follow=True,
    )

    page = text_of(response)
    assert str(EXIT_WITHDRAWN) in page
    assert "Verhuizing gaat niet door." in page
    assert withdraw_url(crew, proposal) not in page
    assert reverse("cases:exit_propose", args=[crew.case.pk]) in page  # a new proposal may follow
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.WITHDRAWN


def test_a_withdrawal_dated_before_the_proposal_is_refused(crew, proposal):
    too_early = proposal.opened_on - datetime.timedelta(days=1)
    response = client_for(crew.regisseur).post(
        withdraw_url(crew, proposal),
        {"revision": proposal.revision, "on": too_early.isoformat(), "reason": "Gaat niet door."},
    )
    assert response.status_code == 400
    assert EXIT_DATE_BEFORE_OPENING % {"opened_on": day(proposal.opened_on)} in text_of(response)
    assert response.context["form"].errors["on"]
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.OPEN


def test_withdrawing_a_closed_proposal_is_refused_by_the_rule(crew, proposal, today, author):
    exit_withdraw(procedure=proposal, reason="Eerder ingetrokken.", on=today, by=author)
    proposal.refresh_from_db()
    response = client_for(crew.regisseur).post(
        withdraw_url(crew, proposal),
        {"revision": proposal.revision, "on": today.isoformat(), "reason": "Nogmaals."},
    )
    assert response.status_code == 409
    assert str(EXIT_NOT_RUNNING) in text_of(response)
    proposal.refresh_from_db()
    assert proposal.decision_reasoning == "Eerder ingetrokken."


@pytest.mark.parametrize("name", ["cases:exit_advice", "cases:exit_withdraw"])
def test_only_who_works_on_the_case_handles_the_proposal(crew, proposal, today, name):
    url = reverse(name, args=[crew.case.pk, proposal.pk])
    data = {**_advice(proposal, today), "on": today.isoformat(), "reason": "Gaat niet door."}
    member = client_for(crew.team_member)
    assert member.get(url).status_code == 403
    assert member.post(url, data).status_code == 403
    assert client_for(crew.other_regisseur).post(url, data).status_code == 404
    assert client_for(crew.of("pto_r")).post(url, data).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.OPEN
    page = text_of(member.get(reverse("cases:detail", args=[crew.case.pk])))
    assert url not in page  # no button for who may not use it


def test_a_procedure_of_another_case_is_not_found_through_this_one(
    crew, proposal, start_case, author, today
):
    other = start_case()
    url = reverse("cases:exit_advice", args=[other.pk, proposal.pk])
    assert client_for(crew.programme_team).get(url).status_code == 404


# --- an intervention's progress ------------------------------------------------------------


@pytest.fixture
def adopted(crew, today, author, wpi) -> PlanVersion:
    return adopt_first_plan(
        crew.case, by=author, on=today - datetime.timedelta(days=30), organisation=wpi
    )


def progress_url(crew, intervention: Intervention) -> str:
    return reverse("cases:intervention_progress", args=[crew.case.pk, intervention.pk])


def test_progress_in_an_adopted_plan_shows_on_the_case_page(crew, adopted):
    [intervention] = adopted.interventions.all()
    client = client_for(crew.regisseur)
    assert progress_url(crew, intervention) in text_of(
        client.get(reverse("cases:detail", args=[crew.case.pk]), {"tab": "plan"})
    )
    assert client.get(progress_url(crew, intervention)).status_code == 200
    assert AccessLog.objects.filter(
        user=crew.regisseur, object_type="cases.intervention", object_id=str(intervention.pk)
    ).exists()

    response = client.post(
        progress_url(crew, intervention),
        {"status": Intervention.Status.DONE, "result": "Woning gevonden, begeleiding loopt."},
        follow=True,
    )

    page = text_of(response)
    assert str(PROGRESS_RECORDED) in page
    assert "Woning gevonden, begeleiding loopt." in page
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.DONE
    assert intervention.description == "Iets"  # what was agreed stays


def test_a_finished_intervention_without_result_is_refused_at_the_field(crew, adopted):
    [intervention] = adopted.interventions.all()
    response = client_for(crew.regisseur).post(
        progress_url(crew, intervention), {"status": Intervention.Status.DONE, "result": ""}
    )
    assert response.status_code == 400
    assert str(INTERVENTION_RESULT_REQUIRED) in text_of(response)
    assert response.context["form"].errors["result"]
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.PLANNED


def test_progress_on_a_superseded_version_is_refused_by_the_rule(crew, adopted, author, today):
    [old] = adopted.interventions.all()
    second = plan_version_new_from(
        case=crew.case, focus="Werk en inkomen", explanation="Na de evaluatie.", by=author
    )
    plan_record_itat_advice(
        version=second, given_on=today, recommendation="positief", advice="Goed.", by=author
    )
    plan_version_adopt(version=second, adopted_on=today, by=author)

    client = client_for(crew.regisseur)
    assert progress_url(crew, old) not in text_of(
        client.get(reverse("cases:detail", args=[crew.case.pk]))
    )
    response = client.post(
        progress_url(crew, old), {"status": Intervention.Status.RUNNING, "result": ""}
    )
    assert response.status_code == 409
    assert str(INTERVENTION_VERSION_SUPERSEDED) in text_of(response)
    old.refresh_from_db()
    assert old.status == Intervention.Status.PLANNED


def test_only_who_works_on_the_case_records_progress(crew, adopted):
    [intervention] = adopted.interventions.all()
    url = progress_url(crew, intervention)
    data = {"status": Intervention.Status.RUNNING, "result": ""}
    member = client_for(crew.team_member)
    assert member.post(url, data).status_code == 403
    assert url not in text_of(member.get(reverse("cases:detail", args=[crew.case.pk])))
    assert client_for(crew.other_regisseur).post(url, data).status_code == 404
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.PLANNED


# --- an UVO action done ---------------------------------------------------------------------


@pytest.fixture
def action(crew, today, author, wpi) -> MeetingAction:
    meeting = meeting_log(
        case=crew.case,
        held_on=today - datetime.timedelta(days=7),
        kind=Meeting.Kind.FIRST,
        person_attended=True,
        agenda="",
        development="",
        decisions="Woonbegeleiding aanvragen.",
        exit_in_sight=False,
        attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=wpi)],
        actions=[
            ActionInput(
                description="Intake woonbegeleiding plannen",
                owner_organisation=wpi,
                due_on=today + datetime.timedelta(days=7),
            )
        ],
        by=author,
    )
    return meeting.actions.get()


def action_url(crew, action: MeetingAction) -> str:
    return reverse("cases:action_done", args=[crew.case.pk, action.pk])


def test_an_action_marked_done_shows_on_the_case_page(crew, action, today):
    client = client_for(crew.regisseur)
    assert action_url(crew, action) in text_of(
        client.get(reverse("cases:detail", args=[crew.case.pk]), {"tab": "uvos"})
    )
    assert "Intake woonbegeleiding plannen" in text_of(client.get(action_url(crew, action)))

    response = client.post(action_url(crew, action), {"done_on": today.isoformat()}, follow=True)

    page = text_of(response)
    assert str(ACTION_DONE_RECORDED) in page
    assert f"afgerond op {day(today)}" in page
    assert action_url(crew, action) not in page
    action.refresh_from_db()
    assert action.done_on == today


def test_an_action_done_in_the_future_is_refused_at_the_field(crew, action, today):
    tomorrow = today + datetime.timedelta(days=1)
    response = client_for(crew.regisseur).post(
        action_url(crew, action), {"done_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert str(ACTION_DONE_IN_FUTURE) in text_of(response)
    assert response.context["form"].errors["done_on"]
    action.refresh_from_db()
    assert action.done_on is None


def test_an_action_done_twice_is_refused_by_the_rule(crew, action, today, author):
    yesterday = today - datetime.timedelta(days=1)
    action_mark_done(action=action, done_on=yesterday, by=author)
    response = client_for(crew.regisseur).post(
        action_url(crew, action), {"done_on": today.isoformat()}
    )
    assert response.status_code == 409
    assert str(ACTION_ALREADY_DONE) in text_of(response)
    action.refresh_from_db()
    assert action.done_on == yesterday


def test_only_who_works_on_the_case_marks_an_action_done(crew, action, today):
    url = action_url(crew, action)
    member = client_for(crew.team_member)
    assert member.post(url, {"done_on": today.isoformat()}).status_code == 403
    assert url not in text_of(member.get(reverse("cases:detail", args=[crew.case.pk])))
    assert client_for(crew.other_regisseur).get(url).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None
