"""Roles are given through an explicit, recorded flow: nobody changes their own roles,
and a role that reaches case content needs a second person from the programme team."""

from __future__ import annotations

import pghistory
import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import RoleGrant, RoleGrantStatus, User
from accounts.roles import CASE_CONTENT_ROLES, Role
from accounts.services_roles import (
    ROLE_ALREADY_REQUESTED,
    ROLE_DECIDE_CASE_CONTENT_ONLY_PROGRAMME_TEAM,
    ROLE_DECIDE_NOT_REQUESTER,
    ROLE_NOT_OWN_ACCOUNT,
    ROLE_REASON_REQUIRED,
    ROLE_REFUSAL_NOTE_REQUIRED,
    ROLE_REQUEST_NOT_ALLOWED,
    ROLE_WITHDRAW_ONLY_REQUESTER,
    role_grant_approve,
    role_grant_refuse,
    role_grant_request,
    role_grant_withdraw,
    role_revoke,
)
from ipgar.views import menu_for
from kernel.errors import RuleViolation
from tests.conftest import sign_in
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Nieuwe collega bij OOV, start op 1 december."


def with_role(user: User, role: Role) -> User:
    user.groups.add(Group.objects.get(name=role.value))
    return fresh(user)


def fresh(user: User) -> User:
    """The user as stored, without cached roles or permissions."""
    return User.objects.get(pk=user.pk)


def role_names(user: User) -> set[str]:
    return set(fresh(user).groups.values_list("name", flat=True))


def client_for(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def beheerder() -> User:
    return with_role(UserFactory(is_staff=True), Role.FUNCTIONAL_ADMIN)


@pytest.fixture
def programme_team() -> User:
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


@pytest.fixture
def second_programme_team() -> User:
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


# --- nobody raises their own rights -----------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_a_beheerder_cannot_give_themselves_any_role(beheerder, role):
    with pytest.raises(RuleViolation) as refused:
        role_grant_request(user=beheerder, role=role, by=beheerder, reason=REASON)
    assert refused.value.messages == [str(ROLE_NOT_OWN_ACCOUNT)]
    assert role_names(beheerder) == {Role.FUNCTIONAL_ADMIN.value}
    assert not RoleGrant.objects.exists()


def test_the_role_page_refuses_a_request_on_ones_own_account(beheerder):
    client = client_for(beheerder)
    url = reverse("accounts:user_roles", args=[beheerder.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()  # no request form on one's own page
    response = client.post(url, {"role": Role.PROGRAMME_TEAM.value, "reason": REASON})
    assert response.status_code == 409
    assert str(ROLE_NOT_OWN_ACCOUNT) in response.content.decode()
    assert role_names(beheerder) == {Role.FUNCTIONAL_ADMIN.value}


def test_nobody_takes_away_a_role_of_their_own(programme_team):
    with pytest.raises(RuleViolation) as refused:
        role_revoke(user=programme_team, role=Role.PROGRAMME_TEAM, by=programme_team, reason="x")
    assert refused.value.messages == [str(ROLE_NOT_OWN_ACCOUNT)]
    assert role_names(programme_team) == {Role.PROGRAMME_TEAM.value}


def test_only_the_beheerder_and_the_programme_team_ask_for_roles():
    regisseur = with_role(UserFactory(), Role.REGISSEUR)
    colleague = UserFactory()
    with pytest.raises(RuleViolation) as refused:
        role_grant_request(user=colleague, role=Role.REGISSEUR, by=regisseur, reason=REASON)
    assert refused.value.messages == [str(ROLE_REQUEST_NOT_ALLOWED)]
    assert role_names(colleague) == set()


def test_a_request_needs_a_reason(beheerder):
    with pytest.raises(ValidationError) as refused:
        role_grant_request(user=UserFactory(), role=Role.PTO_R, by=beheerder, reason="  ")
    assert refused.value.message_dict == {"reason": [str(ROLE_REASON_REQUIRED)]}
    assert not RoleGrant.objects.exists()


# --- roles without case content: at once, still recorded -------------------------------


def test_the_beheerder_grants_a_role_without_case_content_at_once_and_it_is_recorded(beheerder):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=Role.PTO_R, by=beheerder, reason=REASON)
    assert role_names(colleague) == {Role.PTO_R.value}
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.APPROVED
    assert (grant.requested_by, grant.decided_by, grant.reason) == (beheerder, beheerder, REASON)


def test_granting_the_beheerder_role_opens_the_admin_and_revoking_closes_it(beheerder):
    colleague = UserFactory()
    role_grant_request(user=colleague, role=Role.FUNCTIONAL_ADMIN, by=beheerder, reason=REASON)
    assert fresh(colleague).is_staff
    role_revoke(user=colleague, role=Role.FUNCTIONAL_ADMIN, by=beheerder, reason="Vertrokken")
    assert not fresh(colleague).is_staff
    assert role_names(colleague) == set()


# --- case-content roles: a second person from the programme team ------------------------


def test_case_content_roles_are_programme_team_regisseur_and_team_member():
    assert {Role.PROGRAMME_TEAM, Role.REGISSEUR, Role.TEAM_MEMBER} == CASE_CONTENT_ROLES


@pytest.mark.parametrize("role", sorted(CASE_CONTENT_ROLES))
def test_a_case_content_role_asked_by_the_beheerder_waits_for_the_programme_team(
    beheerder, programme_team, role
):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=role, by=beheerder, reason=REASON)
    assert grant.status == RoleGrantStatus.REQUESTED
    assert role_names(colleague) == set()
    assert not fresh(colleague).has_perm("pool.view_region")

    role_grant_approve(grant=grant, by=programme_team)

    assert role_names(colleague) == {role.value}
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (RoleGrantStatus.APPROVED, programme_team)


def test_the_beheerder_cannot_approve_a_case_content_role_asked_by_someone_else(
    beheerder, programme_team
):
    colleague = UserFactory()
    grant = role_grant_request(
        user=colleague, role=Role.PROGRAMME_TEAM, by=programme_team, reason=REASON
    )
    with pytest.raises(RuleViolation) as refused:
        role_grant_approve(grant=grant, by=beheerder)
    assert refused.value.messages == [str(ROLE_DECIDE_CASE_CONTENT_ONLY_PROGRAMME_TEAM)]
    assert role_names(colleague) == set()


def test_the_requester_cannot_approve_their_own_request(programme_team, second_programme_team):
    colleague = UserFactory()
    grant = role_grant_request(
        user=colleague, role=Role.PROGRAMME_TEAM, by=programme_team, reason=REASON
    )
    with pytest.raises(RuleViolation) as refused:
        role_grant_approve(grant=grant, by=programme_team)
    assert refused.value.messages == [str(ROLE_DECIDE_NOT_REQUESTER)]
    assert role_names(colleague) == set()

    role_grant_approve(grant=grant, by=second_programme_team)
    assert role_names(colleague) == {Role.PROGRAMME_TEAM.value}


def test_a_programme_team_member_does_not_approve_a_request_for_their_own_account(
    beheerder, programme_team
):
    grant = role_grant_request(
        user=programme_team, role=Role.REGISSEUR, by=beheerder, reason=REASON
    )
    with pytest.raises(RuleViolation) as refused:
        role_grant_approve(grant=grant, by=programme_team)
    assert refused.value.messages == [str(ROLE_NOT_OWN_ACCOUNT)]
    assert role_names(programme_team) == {Role.PROGRAMME_TEAM.value}


def test_the_database_refuses_a_case_content_grant_decided_by_its_requester(programme_team):
    colleague = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(
            user=colleague,
            role=Role.REGISSEUR,
            reason=REASON,
            requested_by=programme_team,
            status=RoleGrantStatus.APPROVED,
            decided_by=programme_team,
            decided_at=timezone.now(),
        )


def test_one_open_request_per_user_and_role(beheerder, programme_team):
    colleague = UserFactory()
    role_grant_request(user=colleague, role=Role.REGISSEUR, by=beheerder, reason=REASON)
    with pytest.raises(RuleViolation) as refused:
        role_grant_request(user=colleague, role=Role.REGISSEUR, by=programme_team, reason=REASON)
    assert refused.value.messages == [str(ROLE_ALREADY_REQUESTED)]


def test_a_refusal_needs_a_reason_and_leaves_the_roles_as_they_were(beheerder, programme_team):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=Role.REGISSEUR, by=beheerder, reason=REASON)
    with pytest.raises(ValidationError) as no_note:
        role_grant_refuse(grant=grant, by=programme_team, note="")
    assert no_note.value.message_dict == {"note": [str(ROLE_REFUSAL_NOTE_REQUIRED)]}
    role_grant_refuse(grant=grant, by=programme_team, note="Geen lid van de pool.")
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.REFUSED
    assert role_names(colleague) == set()


def test_only_the_requester_withdraws_a_request(beheerder, programme_team):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=Role.REGISSEUR, by=beheerder, reason=REASON)
    with pytest.raises(RuleViolation) as refused:
        role_grant_withdraw(grant=grant, by=programme_team)
    assert refused.value.messages == [str(ROLE_WITHDRAW_ONLY_REQUESTER)]
    role_grant_withdraw(grant=grant, by=beheerder)
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.WITHDRAWN


def test_revoking_a_role_held_from_before_the_flow_is_recorded(beheerder):
    colleague = with_role(UserFactory(), Role.REGISSEUR)
    grant = role_revoke(user=colleague, role=Role.REGISSEUR, by=beheerder, reason="Uit de pool")
    assert role_names(colleague) == set()
    assert (grant.status, grant.revoked_by, grant.revocation_reason) == (
        RoleGrantStatus.REVOKED,
        beheerder,
        "Uit de pool",
    )


# --- the pages ------------------------------------------------------------------------


def test_request_then_approval_through_the_pages(beheerder, programme_team, second_programme_team):
    colleague = UserFactory(first_name="Noor", last_name="Visser")
    admin_client = client_for(beheerder)
    response = admin_client.post(
        reverse("accounts:user_roles", args=[colleague.pk]),
        {"role": Role.REGISSEUR.value, "reason": REASON},
    )
    assert response.status_code == 302
    assert role_names(colleague) == set()
    grant = RoleGrant.objects.get(user=colleague)

    listing = client_for(programme_team).get(reverse("accounts:grant_list"))
    assert listing.status_code == 200
    assert "Noor Visser" in listing.content.decode()
    assert reverse("accounts:grant_approve", args=[grant.pk]) in listing.content.decode()

    approved = client_for(programme_team).post(reverse("accounts:grant_approve", args=[grant.pk]))
    assert approved.status_code == 302
    assert role_names(colleague) == {Role.REGISSEUR.value}


def test_approving_ones_own_request_on_the_page_is_refused_with_the_reason(
    programme_team, second_programme_team
):
    colleague = UserFactory()
    grant = role_grant_request(
        user=colleague, role=Role.TEAM_MEMBER, by=programme_team, reason=REASON
    )
    client = client_for(programme_team)
    listing = client.get(reverse("accounts:grant_list")).content.decode()
    assert reverse("accounts:grant_approve", args=[grant.pk]) not in listing
    response = client.post(reverse("accounts:grant_approve", args=[grant.pk]))
    assert response.status_code == 409
    assert str(ROLE_DECIDE_NOT_REQUESTER) in response.content.decode()
    assert role_names(colleague) == set()


def test_a_refusal_without_a_reason_on_the_page_answers_400_and_changes_nothing(
    beheerder, programme_team
):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=Role.REGISSEUR, by=beheerder, reason=REASON)
    response = client_for(programme_team).post(
        reverse("accounts:grant_refuse", args=[grant.pk]), {"note": ""}
    )
    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.REQUESTED


def test_the_role_pages_are_in_the_menu_of_the_beheerder_and_the_programme_team(
    beheerder, programme_team
):
    for user in (beheerder, programme_team):
        keys = {entry["key"] for entry in menu_for(user)}
        assert {"users", "role_grants"} <= keys
    regisseur = with_role(UserFactory(), Role.REGISSEUR)
    assert not {"users", "role_grants"} & {entry["key"] for entry in menu_for(regisseur)}


def test_the_user_list_shows_roles_and_finds_by_name(beheerder):
    with_role(UserFactory(first_name="Sanne", last_name="de Boer"), Role.PTO_R)
    response = client_for(beheerder).get(reverse("accounts:user_list"), {"q": "boer"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sanne de Boer" in html
    assert "Lid PTO-R" in html
    assert reverse("accounts:user_roles", args=[beheerder.pk]) not in html  # not found


# --- the change history ----------------------------------------------------------------


def _events(model_name: str, **filters):
    return apps.get_model("accounts", model_name).objects.filter(**filters).order_by("pgh_id")


def test_a_grant_and_an_approval_leave_history_rows_with_the_acting_user(beheerder, programme_team):
    colleague = UserFactory()
    grant = role_grant_request(user=colleague, role=Role.REGISSEUR, by=beheerder, reason=REASON)
    role_grant_approve(grant=grant, by=programme_team)

    grant_events = list(_events("RoleGrantEvent", pgh_obj=grant))
    assert [(e.pgh_label, e.status, e.pgh_context.metadata["user"]) for e in grant_events] == [
        ("insert", RoleGrantStatus.REQUESTED, beheerder.pk),
        ("update", RoleGrantStatus.APPROVED, programme_team.pk),
    ]
    membership = list(_events("UserGroupMembershipEvent", user=colleague))
    assert [(e.pgh_label, e.group.name, e.pgh_context.metadata["user"]) for e in membership] == [
        ("add", Role.REGISSEUR.value, programme_team.pk)
    ]


def test_a_revocation_leaves_a_membership_history_row(beheerder):
    colleague = with_role(UserFactory(), Role.MANAGER)
    role_revoke(user=colleague, role=Role.MANAGER, by=beheerder, reason="Andere functie")
    last = _events("UserGroupMembershipEvent", user=colleague).last()
    assert last is not None
    assert (last.pgh_label, last.pgh_context.metadata["user"]) == ("remove", beheerder.pk)


def test_a_guardian_object_permission_change_leaves_history_rows_with_the_acting_user(
    programme_team,
):
    regisseur = UserFactory()
    case = CaseFactory()
    with pghistory.context(user=programme_team.pk):
        assign_perm("cases.view_case", regisseur, case)
        remove_perm("cases.view_case", regisseur, case)
    events = list(_events("UserObjectPermissionEvent", user=regisseur, object_pk=str(case.pk)))
    assert [
        (e.pgh_label, e.permission.codename, e.pgh_context.metadata["user"]) for e in events
    ] == [
        ("add", "view_case", programme_team.pk),
        ("remove", "view_case", programme_team.pk),
    ]


def test_a_group_permission_change_leaves_a_history_row():
    group = Group.objects.get(name=Role.REGISSEUR.value)
    editor = UserFactory()
    with pghistory.context(user=editor.pk):
        group.permissions.add(
            apps.get_model("auth", "Permission").objects.get(codename="view_person_data")
        )
    last = _events("GroupPermissionGrantEvent", group=group).last()
    assert last is not None
    assert (last.pgh_label, last.permission.codename, last.pgh_context.metadata["user"]) == (
        "add",
        "view_person_data",
        editor.pk,
    )
