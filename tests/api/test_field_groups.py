"""The API's field groups (api/serializers.py FIELD_GROUPS): every resource is one
group read under one token scope; a token without it gets 403 on the list and on
the detail alike, a token with it only that group's fields, the same in both; and
ITAT-R's advice on an exit proposal (exit reasoning) never rides along with the
plan version it names."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.tokens import RESOURCES, SCOPES
from api.serializers import FIELD_GROUPS, FieldGroup
from api.urls import router
from cases.models import ExitGround
from cases.sections import Section
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    CaseloadReviewFactory,
    EscalationFactory,
    EscalationStepFactory,
    EvaluationFactory,
    ExitProcedureFactory,
    ItatAdviceFactory,
    MeetingFactory,
    PersonFactory,
    PlanVersionFactory,
    RegisseurFactory,
    TeamMemberFactory,
)

from .conftest import api_client_with, token_for

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 23)
PLAN_ADVICE = "Helder plan; let op de informatiepositie."
EXIT_ADVICE = "Uitstroom-advies: overdracht aan Utrecht binnen vier weken."
GROUP_IDS = [group.resource for group in FIELD_GROUPS]


def viewsets_by_resource() -> dict[str, type]:
    return {
        getattr(viewset, "scope_resource", ""): viewset
        for _, viewset, _ in router.registry
        if getattr(viewset, "serializer_class", None) in {g.serializer for g in FIELD_GROUPS}
    }


def basename_of(group: FieldGroup) -> str:
    return next(
        b for _, v, b in router.registry if getattr(v, "scope_resource", "") == group.resource
    )


@pytest.fixture
def one_of_each():
    """One record of every resource, on one case."""
    case = CaseFactory()
    regisseur = case.regisseur or RegisseurFactory()
    PersonFactory(case=case)
    TeamMemberFactory(case=case)
    version = PlanVersionFactory(case=case)
    ItatAdviceFactory(plan_version=version, given_on=ON, advice=PLAN_ADVICE)
    MeetingFactory(case=case)
    assessment = AssessmentFactory(case=case)
    EvaluationFactory(case=case, held_on=ON, plan_version=version, assessment=assessment)
    procedure = ExitProcedureFactory(
        case=case, ground=ExitGround.MOVED_NL, destination="Utrecht", opened_on=ON
    )
    ItatAdviceFactory(
        on_exit=True, exit_procedure=procedure, plan_version=version, advice=EXIT_ADVICE
    )
    CaseloadReviewFactory(regisseur=regisseur, held_on=ON)
    EscalationStepFactory(escalation=EscalationFactory(case=case))
    return case


def test_every_resource_with_records_is_one_field_group_under_its_own_scope():
    groups = {group.resource: group for group in FIELD_GROUPS}
    assert len(groups) == len(FIELD_GROUPS), "one group per resource"
    viewsets = viewsets_by_resource()
    assert set(viewsets) == set(groups)
    for resource, group in groups.items():
        assert resource in RESOURCES and group.scope in SCOPES
        assert getattr(viewsets[resource], "serializer_class", None) is group.serializer
        assert set(group.serializer().fields) == set(group.fields)


def test_the_groups_shown_on_the_case_page_name_its_sections():
    sections = {group.section for group in FIELD_GROUPS if group.section is not None}
    # The page's history (phases, assignments with reasons) and its sharing decisions
    # are not in the API at all: no group carries them.
    assert sections == set(Section) - {Section.PHASES, Section.ASSIGNMENTS, Section.SHARING}


@pytest.mark.parametrize("group", FIELD_GROUPS, ids=GROUP_IDS)
def test_a_token_without_the_groups_scope_is_refused_list_and_detail(sync_user, one_of_each, group):
    others = sorted(SCOPES - {f"{group.resource}:read", f"{group.resource}:write"})
    api = api_client_with(token_for(sync_user, others))
    basename = basename_of(group)
    obj = group.serializer.Meta.model._default_manager.first()
    assert api.get(reverse(f"api:{basename}-list")).status_code == 403
    assert api.get(reverse(f"api:{basename}-detail", args=[obj.pk])).status_code == 403


@pytest.mark.parametrize("group", FIELD_GROUPS, ids=GROUP_IDS)
def test_a_token_with_the_scope_reads_exactly_the_groups_fields(sync_user, one_of_each, group):
    api = api_client_with(token_for(sync_user, [group.scope]))
    basename = basename_of(group)
    listed = api.get(reverse(f"api:{basename}-list"))
    assert listed.status_code == 200
    first = listed.json()["results"][0]
    assert list(first) == list(group.fields)
    detail = api.get(reverse(f"api:{basename}-detail", args=[first["id"]]))
    assert detail.status_code == 200
    assert detail.json() == first


def test_exit_advice_never_rides_along_with_the_plan_version_it_names(sync_user, one_of_each):
    api = api_client_with(token_for(sync_user, ["plans:read"]))
    listed = api.get(reverse("api:plan-list")).json()["results"]
    detail = api.get(reverse("api:plan-detail", args=[listed[0]["id"]])).json()
    for version in (listed[0], detail):
        assert [a["advice"] for a in version["itat_advices"]] == [PLAN_ADVICE]
    exits = api_client_with(token_for(sync_user, ["exits:read"]))
    procedure = exits.get(reverse("api:exit-list")).json()["results"][0]
    assert [a["advice"] for a in procedure["itat_advices"]] == [EXIT_ADVICE]
