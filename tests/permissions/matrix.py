"""The permission matrix: for every URL pattern, the expected answer for every role on
an object of its own and on someone else's.

A new URL pattern without a row here fails ``test_every_route_has_a_row``. Codes:
200 served, 302 redirected (to sign-in, or onwards), 400 refused input, 403 refused,
404 not found (also for objects one may not see, so their existence does not leak),
405 method not allowed.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleGrant, User
from accounts.roles import Role
from accounts.tokens import api_token_issue
from cases.models import Escalation, ExitGround, ExitProcedure, MeetingAction, SavedCaseView
from ptor.models import MeetingStatus
from tests.factories import (
    ActivationLinkFactory,
    AgendaItemFactory,
    DocumentFactory,
    DocumentVersionFactory,
    InterventionFactory,
    PtorMeetingFactory,
    TeamMemberFactory,
    UserFactory,
)

from .api_rows import api_rows
from .world import ANONYMOUS, ON, ROLES, World

PT = Role.PROGRAMME_TEAM.value
REG = Role.REGISSEUR.value
TEAM = Role.TEAM_MEMBER.value
PTOR = Role.PTO_R.value
MAN = Role.MANAGER.value
ADMIN = Role.FUNCTIONAL_ADMIN.value
PRIV = Role.PRIVACY_OFFICER.value
SYNC = Role.SYNC_CLIENT.value
PEOPLE = (PT, REG, TEAM, PTOR, MAN, ADMIN, PRIV)

Expected = int | frozenset[int] | tuple[int, int]  # one code, any of several, (own, other)


@dataclass(frozen=True)
class Row:
    url: Callable[[World, str], str]
    expect: Mapping[str, Expected]
    method: str = "get"
    data: Callable[[World, str], dict[str, Any]] | None = None
    note: str = ""


def fixed(name: str, **kwargs: Any) -> Callable[[World, str], str]:
    return lambda world, which: reverse(name, kwargs=kwargs or None)


def on_case(name: str) -> Callable[[World, str], str]:
    return lambda world, which: reverse(name, kwargs={"pk": world.obj(which, "case").pk})


def on_object(name: str, attribute: str) -> Callable[[World, str], str]:
    return lambda world, which: reverse(name, kwargs={"pk": world.obj(which, attribute).pk})


def _record_of(world: World, which: str, name: str, make: Callable[[dict[str, Any]], Any]) -> Any:
    """A record the world does not hold yet (an exit procedure, an intervention, an UVO
    action), made once on first use on the own or the other case."""
    bucket = world.own if which == "own" else world.other
    if name not in bucket:
        bucket[name] = make(bucket)
    return bucket[name]


def on_case_record(
    name: str, kwarg: str, record: str, make: Callable[[dict[str, Any]], Any]
) -> Callable[[World, str], str]:
    return lambda world, which: reverse(
        name,
        kwargs={
            "pk": world.obj(which, "case").pk,
            kwarg: _record_of(world, which, record, make).pk,
        },
    )


def _running_exit(bucket: dict[str, Any]) -> Any:
    case = bucket["case"]
    return ExitProcedure.objects.create(
        case=case,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        opened_on=case.registered_on,
        opened_by=case.regisseur.user,
    )


def _escalation(bucket: dict[str, Any]) -> Any:
    case = bucket["case"]
    return Escalation.objects.create(
        case=case,
        stuck_since=case.registered_on,
        what_is_stuck="Geen contact",
        team_attempts="Huisbezoek",
        opened_by=case.regisseur.user,
    )


def _intervention(bucket: dict[str, Any]) -> Any:
    return InterventionFactory(plan_version=bucket["plan_version"])


def _team_member(bucket: dict[str, Any]) -> Any:
    return TeamMemberFactory(case=bucket["case"], user=None)


def _meeting_action(bucket: dict[str, Any]) -> Any:
    meeting = bucket["meeting"]
    return MeetingAction.objects.create(
        meeting=meeting,
        description="Intake plannen",
        owner_organisation=bucket["organisation"],
        due_on=meeting.held_on,
    )


def on_ptor_meeting(
    name: str, *, item: bool = False, adopted: bool = False
) -> Callable[[World, str], str]:
    """A PTO-R meeting in concept with one general item (``item=True``: the item's URL),
    or one whose minutes are adopted (``adopted=True``); made once on first use."""

    def url(world: World, which: str) -> str:
        if adopted:
            meeting = _record_of(
                world,
                which,
                "ptor_minutes",
                lambda bucket: PtorMeetingFactory(
                    status=MeetingStatus.MINUTES_ADOPTED, minutes_adopted_on=ON
                ),
            )
        else:
            meeting = _record_of(world, which, "ptor_meeting", lambda bucket: PtorMeetingFactory())
        kwargs = {"pk": meeting.pk}
        if item:
            kwargs["item_id"] = _record_of(
                world, which, "ptor_item", lambda bucket: AgendaItemFactory(meeting=meeting)
            ).pk
        return reverse(name, kwargs=kwargs)

    return url


def _document_version(bucket: dict[str, Any]) -> Any:
    """A stored document on the plan version (which a team member reads), one version."""
    document = DocumentFactory(case=bucket["case"], plan_version=bucket["plan_version"])
    return DocumentVersionFactory(document=document, content=b"%PDF-1.4 matrix %%EOF")


def on_document(name: str, *, version: bool = False) -> Callable[[World, str], str]:
    def url(world: World, which: str) -> str:
        stored = _record_of(world, which, "document_version", _document_version)
        kwargs = {"pk": world.obj(which, "case").pk, "document_id": stored.document_id}
        if version:
            kwargs["version_id"] = stored.pk
        return reverse(name, kwargs=kwargs)

    return url


def _activation_url(world: World, which: str) -> str:
    """A fresh open invitation's link (own), or a link nobody was sent (other)."""
    if which == "other":
        return reverse("activate", kwargs={"token": "niet-verstuurd"})
    token = secrets.token_urlsafe(16)
    ActivationLinkFactory(token=token, created_by=User.objects.get(username=f"matrix-{ADMIN}"))
    return reverse("activate", kwargs={"token": token})


def _on_open_invitation(name: str) -> Callable[[World, str], str]:
    """A fresh open invitation of the administrator's, per row and object."""

    def url(world: World, which: str) -> str:
        link = ActivationLinkFactory(created_by=User.objects.get(username=f"matrix-{ADMIN}"))
        return reverse(name, kwargs={"pk": link.pk})

    return url


def _on_regisseur(name: str) -> Callable[[World, str], str]:
    """A fresh user holding the regisseur role only, per row and object."""

    def url(world: World, which: str) -> str:
        return reverse(name, kwargs={"pk": UserFactory(roles=[Role.REGISSEUR]).pk})

    return url


def _on_pending_grant(name: str) -> Callable[[World, str], str]:
    """A fresh request of the administrator's for a regisseur role, per row and object."""

    def make(bucket: dict[str, Any]) -> Any:
        return RoleGrant.objects.create(
            user=UserFactory(),
            role=Role.REGISSEUR,
            reason="matrix",
            requested_by=User.objects.get(username=f"matrix-{ADMIN}"),
        )

    return lambda world, which: reverse(
        name, kwargs={"pk": _record_of(world, which, f"grant:{name}", make).pk}
    )


def _on_sync_token(name: str) -> Callable[[World, str], str]:
    """A live token of the world's sync client, per row and object."""

    def make(bucket: dict[str, Any]) -> Any:
        token, _key = api_token_issue(
            client=User.objects.get(username=f"matrix-{SYNC}"),
            name="matrix",
            scopes=["cases:read"],
            expires_at=timezone.now() + datetime.timedelta(days=1),
            by=None,
        )
        return token

    return lambda world, which: reverse(
        name, kwargs={"pk": _record_of(world, which, f"token:{name}", make).pk}
    )


def _on_lockout(name: str) -> Callable[[World, str], str]:
    """A fresh lockout per row and object, so lifting one leaves the world's own."""

    def make(bucket: dict[str, Any]) -> Any:
        return AccessAttempt.objects.create(
            username=f"locked-{name}-{AccessAttempt.objects.count()}",
            ip_address="192.0.2.20",
            user_agent="matrix",
            failures_since_start=5,
        )

    return lambda world, which: reverse(
        name, kwargs={"pk": _record_of(world, which, f"lockout:{name}", make).pk}
    )


def _on_saved_view(world: World, which: str) -> str:
    """A saved selection of the case list: the programme team member's own, or another
    user's."""

    def make(bucket: dict[str, Any]) -> Any:
        owner = User.objects.get(username=f"matrix-{PT}") if which == "own" else UserFactory()
        return SavedCaseView.objects.create(user=owner, name=f"matrix {which}", query="fase=3")

    view = _record_of(world, which, "saved_view", make)
    return reverse("cases:saved_view_remove", kwargs={"pk": view.pk})


def every(code: Expected, overrides: Mapping[str, Expected] | None = None) -> dict[str, Expected]:
    return {role: (overrides or {}).get(role, code) for role in ROLES}


def signed_in(
    code: Expected, overrides: Mapping[str, Expected] | None = None
) -> dict[str, Expected]:
    """Anonymous visitors go to the sign-in page; sync clients have no web session."""
    return every(code, {ANONYMOUS: 302, SYNC: 403, **(overrides or {})})


# Pages on one case: directors and the programme team work on it, a team member of
# the case reads it only, everyone else does not find it.
WORKS_ON_CASE = signed_in(404, {PT: 200, REG: (200, 404), TEAM: (403, 404)})
READS_CASE = signed_in(404, {PT: 200, REG: (200, 404), TEAM: (200, 404)})
# The intake steps on one case: the programme team only; a director or team member of
# the case finds it but is refused, everyone else does not find it.
RUNS_INTAKE = signed_in(404, {PT: 200, REG: (403, 404), TEAM: (403, 404)})


MATRIX: dict[str, Row] = {
    "home": Row(
        fixed("home"),
        signed_in(302, {ADMIN: 200}),
        note="each role is sent to its own start page; the administrator has none",
    ),
    "healthz": Row(
        fixed("healthz"),
        every(frozenset({200, 503})),
        note="public on purpose: the orchestrator's probe; reveals only up/down",
    ),
    "login": Row(fixed("login"), every(200, {SYNC: 403}), note="public on purpose"),
    "logout": Row(fixed("logout"), every(405, {SYNC: 403}), note="POST only"),
    "oidc_authenticate": Row(
        fixed("oidc_authenticate"),
        every(302, {SYNC: 403}),
        note="public on purpose: sends the browser to the identity provider",
    ),
    "oidc_callback": Row(
        fixed("oidc_callback"),
        every(403),
        note="public on purpose: without a code and state from the provider it refuses",
    ),
    "two_factor_verify": Row(fixed("two_factor_verify"), signed_in(302)),
    "two_factor_enrol": Row(fixed("two_factor_enrol"), signed_in(200)),
    "activate": Row(
        _activation_url,
        every((200, 404), {SYNC: 403}),
        note="public with its secret only: own, a valid invitation link; other, an unknown one",
    ),
    "set_language": Row(fixed("set_language"), every(302)),
    # --- one's own account and the password reset ---
    "account": Row(fixed("account"), signed_in(200), note="one's own sessions only"),
    "password_change": Row(fixed("password_change"), signed_in(200)),
    "session_end": Row(
        fixed("session_end"),
        signed_in(400),
        method="post",
        data=lambda w, which: {},
        note="no session named: bad input; one can only name one's own",
    ),
    "password_reset": Row(
        fixed("password_reset"),
        every(200, {SYNC: 403}),
        note="public on purpose: the way back in; never says whether an address exists",
    ),
    "password_reset_done": Row(
        fixed("password_reset_done"), every(200, {SYNC: 403}), note="public on purpose"
    ),
    "password_reset_confirm": Row(
        fixed("password_reset_confirm", uidb64="MQ", token="no-such-token"),
        every(200, {SYNC: 403}),
        note="public on purpose: a wrong or used link says only that it no longer works",
    ),
    "beheer/login/": Row(lambda w, which: "/beheer/login/", every(302, {SYNC: 403})),
    # --- cases ---
    "cases:list": Row(fixed("cases:list"), signed_in(200), note="filtered to what one may see"),
    "cases:export": Row(
        fixed("cases:export"),
        signed_in(403, {PT: 200}),
        note="the case list as CSV, recorded as an export of each case: programme team only",
    ),
    "cases:saved_view_add": Row(
        fixed("cases:saved_view_add"),
        signed_in(403, {PT: 302, REG: 302}),
        method="post",
        data=lambda w, which: {},
        note="POST only; a refused save goes back to the list with its message",
    ),
    "cases:saved_view_remove": Row(
        _on_saved_view,
        signed_in(403, {PT: (302, 404), REG: (404, 404)}),
        method="post",
        data=lambda w, which: {},
        note="own: the programme team member's selection; nobody deletes another's (a "
        "regisseur keeps selections too, and finds neither of these)",
    ),
    "search": Row(
        fixed("search"),
        signed_in(200),
        note="the header's search form; a posted search answers alike for unknown and unseen "
        "numbers (tests/cases/test_search.py)",
    ),
    "cases:detail": Row(
        on_case("cases:detail"),
        signed_in(404, {PT: 200, REG: (200, 404), TEAM: (200, 404)}),
    ),
    "cases:person": Row(
        on_case("cases:person"),
        signed_in(404, {PT: 200, REG: (200, 404), TEAM: (403, 404)}),
        note="team members read the case, not the person record",
    ),
    "cases:share": Row(
        on_case("cases:share"),
        signed_in(404, {PT: 200, REG: (200, 404), TEAM: (403, 404)}),
    ),
    "cases:erase_person": Row(
        on_case("cases:erase_person"),
        signed_in(404, {PT: 200, REG: (403, 404), TEAM: (403, 404)}),
        note="early erasure: programme team only",
    ),
    # --- a case's documents (documents/views.py) ---
    "documents:list": Row(
        on_case("documents:list"),
        READS_CASE,
        note="a team member sees the documents of plans and meetings only",
    ),
    "documents:upload": Row(on_case("documents:upload"), WORKS_ON_CASE),
    "documents:add_version": Row(on_document("documents:add_version"), WORKS_ON_CASE),
    "documents:remove": Row(on_document("documents:remove"), WORKS_ON_CASE),
    "documents:download": Row(
        on_document("documents:download", version=True),
        READS_CASE,
        note="the document hangs on the plan version, which the team member reads",
    ),
    "documents:generate_plan": Row(
        lambda w, which: reverse(
            "documents:generate_plan",
            kwargs={"pk": w.obj(which, "case").pk, "version_id": w.obj(which, "plan_version").pk},
        ),
        signed_in(404, {PT: 302, REG: (302, 404), TEAM: (403, 404)}),
        method="post",
        data=lambda w, which: {},
        note="POST only: renders the plan version's PDF, then back to the documents",
    ),
    "documents:generate_minutes": Row(
        on_case("documents:generate_minutes"),
        signed_in(404, {PT: 302, REG: (302, 404), TEAM: (403, 404)}),
        method="post",
        data=lambda w, which: {"meeting": w.obj(which, "meeting").pk},
        note="POST only: renders the chosen UVO's minutes, then back to the documents",
    ),
    "documents:generate_handover": Row(
        on_case("documents:generate_handover"),
        WORKS_ON_CASE,
        note="the form that asks whether the BSN goes in",
    ),
    # --- the regisseur's workflow on a case (cases/views/workflow.py) ---
    "cases:meeting_new": Row(on_case("cases:meeting_new"), WORKS_ON_CASE),
    "cases:plan_new": Row(
        on_case("cases:plan_new"),
        signed_in(404, {PT: 302, REG: (302, 404), TEAM: (403, 404)}),
        note="the world's case has a concept version: the page sends one on to it",
    ),
    "cases:plan_version": Row(
        lambda w, which: reverse(
            "cases:plan_version",
            kwargs={"pk": w.obj(which, "case").pk, "version_id": w.obj(which, "plan_version").pk},
        ),
        READS_CASE,
        note="team members read the plan; only directors change it",
    ),
    "cases:plan_compare": Row(on_case("cases:plan_compare"), READS_CASE),
    "cases:phase_change": Row(on_case("cases:phase_change"), WORKS_ON_CASE),
    "cases:exit_propose": Row(on_case("cases:exit_propose"), WORKS_ON_CASE),
    "cases:assessment_new": Row(on_case("cases:assessment_new"), WORKS_ON_CASE),
    "cases:evaluation_new": Row(on_case("cases:evaluation_new"), WORKS_ON_CASE),
    "cases:hand_over": Row(on_case("cases:hand_over"), WORKS_ON_CASE),
    # --- the intake, in the programme team's hands (cases/views/intake.py) ---
    "cases:register": Row(
        fixed("cases:register"),
        signed_in(403, {PT: 200}),
        note="the aanmelding: programme team only",
    ),
    "cases:not_included": Row(
        on_case("cases:not_included"),
        RUNS_INTAKE,
        note="the page shows why the world's case (assigned, in regie) cannot be closed",
    ),
    "cases:assign": Row(on_case("cases:assign"), RUNS_INTAKE),
    "cases:notification": Row(on_case("cases:notification"), RUNS_INTAKE),
    # --- carrying a record further (cases/views/follow_up.py) ---
    "cases:exit_advice": Row(
        on_case_record("cases:exit_advice", "procedure_id", "exit_procedure", _running_exit),
        WORKS_ON_CASE,
    ),
    "cases:exit_withdraw": Row(
        on_case_record("cases:exit_withdraw", "procedure_id", "exit_procedure", _running_exit),
        WORKS_ON_CASE,
    ),
    "cases:intervention_progress": Row(
        on_case_record(
            "cases:intervention_progress", "intervention_id", "intervention", _intervention
        ),
        WORKS_ON_CASE,
        note="directors record progress; team members read the plan only",
    ),
    "cases:action_done": Row(
        on_case_record("cases:action_done", "action_id", "meeting_action", _meeting_action),
        WORKS_ON_CASE,
    ),
    # --- changes along the way (cases/views/changes.py) ---
    "cases:team": Row(
        on_case("cases:team"),
        WORKS_ON_CASE,
        note="the case's directors and the programme team keep the team; members read the case",
    ),
    "cases:team_leave": Row(
        on_case_record("cases:team_leave", "member_id", "team_member", _team_member),
        WORKS_ON_CASE,
    ),
    "cases:buddy_change": Row(on_case("cases:buddy_change"), WORKS_ON_CASE),
    "cases:person_edit": Row(
        on_case("cases:person_edit"),
        WORKS_ON_CASE,
        note="corrects person data: who works on the case and reads the person record",
    ),
    "cases:move": Row(on_case("cases:move"), WORKS_ON_CASE),
    "cases:intervention_edit": Row(
        on_case_record("cases:intervention_edit", "intervention_id", "intervention", _intervention),
        WORKS_ON_CASE,
        note="an intervention of a version not yet adopted",
    ),
    "cases:intervention_delete": Row(
        on_case_record(
            "cases:intervention_delete", "intervention_id", "intervention", _intervention
        ),
        WORKS_ON_CASE,
        note="asks for a confirmation first",
    ),
    # --- a stuck case (cases/views/escalations.py) ---
    "cases:escalation_new": Row(on_case("cases:escalation_new"), WORKS_ON_CASE),
    "cases:escalation_step": Row(
        on_case_record("cases:escalation_step", "escalation_id", "escalation", _escalation),
        WORKS_ON_CASE,
    ),
    "cases:escalation_resolve": Row(
        on_case_record("cases:escalation_resolve", "escalation_id", "escalation", _escalation),
        WORKS_ON_CASE,
    ),
    "cases:exit_decisions": Row(
        fixed("cases:exit_decisions"),
        signed_in(403, {PTOR: 200, PT: 200}),
        note="PTO-R decides exits; the programme team reads the list without the forms",
    ),
    "cases:bulk_handover": Row(
        lambda w, which: reverse(
            "cases:bulk_handover", kwargs={"regisseur_id": w.obj(which, "regisseur").pk}
        ),
        signed_in(403, {PT: 200}),
        note="the programme team hands over the cases of a regisseur who leaves",
    ),
    "cases:emergency_open": Row(fixed("cases:emergency_open"), signed_in(403, {REG: 200})),
    "emergency_review:list": Row(fixed("emergency_review:list"), signed_in(403, {PT: 200})),
    # --- PTO-R's meetings (ptor/views.py) ---
    "ptor:meeting_list": Row(fixed("ptor:meeting_list"), signed_in(403, {PT: 200, PTOR: 200})),
    "ptor:meeting_new": Row(
        fixed("ptor:meeting_new"),
        signed_in(403, {PT: 200}),
        note="the programme team prepares the meetings",
    ),
    "ptor:meeting_detail": Row(
        on_ptor_meeting("ptor:meeting_detail"),
        signed_in(403, {PT: 200, PTOR: 200}),
        note="case items show case numbers only; their exit proposals' reads are logged",
    ),
    "ptor:minutes_download": Row(
        on_ptor_meeting("ptor:minutes_download", adopted=True),
        signed_in(403, {PT: 200, PTOR: 200}),
        note="the adopted minutes as a PDF",
    ),
    "ptor:item_add": Row(
        on_ptor_meeting("ptor:item_add"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:case_items_add": Row(
        on_ptor_meeting("ptor:case_items_add"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:agenda_adopt": Row(
        on_ptor_meeting("ptor:agenda_adopt"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:attendance": Row(
        on_ptor_meeting("ptor:attendance"),
        signed_in(403, {PT: 409}),
        method="post",
        data=lambda w, which: {},
        note="POST only; refused: the meeting is not being held",
    ),
    "ptor:reaction": Row(
        on_ptor_meeting("ptor:reaction"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:item_texts": Row(
        on_ptor_meeting("ptor:item_texts", item=True),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:item_carry": Row(
        on_ptor_meeting("ptor:item_carry", item=True),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:minutes_adopt": Row(
        on_ptor_meeting("ptor:minutes_adopt"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:meeting_close": Row(
        on_ptor_meeting("ptor:meeting_close"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "ptor:item_decide": Row(
        on_ptor_meeting("ptor:item_decide", item=True),
        signed_in(403, {PTOR: 400}),
        method="post",
        data=lambda w, which: {},
        note="a PTO-R member records the meeting's decision; an empty post is refused input",
    ),
    # --- the programme team's dashboard (monitoring/views/dashboard.py) ---
    "monitoring:dashboard": Row(fixed("monitoring:dashboard"), signed_in(403, {PT: 200})),
    "monitoring:worklist": Row(
        lambda world, which: reverse("monitoring:worklist") + "?lijst=uvo",
        signed_in(403, {PT: 200}),
    ),
    # --- the kwartaalmonitor and notifications (monitoring/views/monitors.py, notifications.py) ---
    "monitoring:monitors": Row(fixed("monitoring:monitors"), signed_in(403, {PT: 200, PTOR: 200})),
    "monitoring:monitor_start": Row(
        fixed("monitoring:monitor_start"),
        signed_in(403, {PT: 302}),
        method="post",
        data=lambda w, which: {"quarter": "not-a-quarter"},
        note="a refused quarter redirects with a message; nothing is queued",
    ),
    "monitoring:monitor_status": Row(
        lambda w, which: reverse(
            "monitoring:monitor_status", kwargs={"pk": w.obj(which, "monitor").pk}
        ),
        signed_in(403, {PT: 200, PTOR: 200}),
    ),
    "monitoring:monitor_download": Row(
        lambda w, which: reverse(
            "monitoring:monitor_download", kwargs={"pk": w.obj(which, "monitor").pk}
        ),
        signed_in(403, {PT: 404, PTOR: 404}),
        note="the world's run failed: it has no PDF",
    ),
    "monitoring:notifications": Row(fixed("monitoring:notifications"), signed_in(200)),
    "monitoring:notifications_read_all": Row(
        fixed("monitoring:notifications_read_all"), signed_in(302), method="post"
    ),
    "monitoring:notification_preferences": Row(
        fixed("monitoring:notification_preferences"), signed_in(200)
    ),
    "monitoring:notification_read": Row(
        lambda w, which: reverse(
            "monitoring:notification_read", kwargs={"pk": w.obj(which, "notification").pk}
        ),
        signed_in(404, {REG: (302, 404)}),
        method="post",
        note="own: the regisseur's notification; nobody marks another's",
    ),
    # --- the access log ---
    "audit:log": Row(fixed("audit:log"), signed_in(403, {PT: 200, PRIV: 200})),
    "audit:log_export": Row(fixed("audit:log_export"), signed_in(403, {PT: 200, PRIV: 200})),
    "audit:subject_access_export": Row(
        lambda w, which: reverse(
            "audit:subject_access_export", kwargs={"case_id": w.obj(which, "case").pk}
        ),
        signed_in(403, {PT: 200}),
    ),
    # --- roles: the functional administrator and the programme team (accounts/views_roles.py) ---
    "accounts:user_list": Row(fixed("accounts:user_list"), signed_in(403, {PT: 200, ADMIN: 200})),
    "accounts:user_roles": Row(
        on_object("accounts:user_roles", "user"), signed_in(403, {PT: 200, ADMIN: 200})
    ),
    "accounts:role_revoke": Row(
        on_object("accounts:role_revoke", "user"),
        signed_in(403, {PT: 400, ADMIN: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "accounts:user_oidc_subject": Row(
        on_object("accounts:user_oidc_subject", "user"),
        signed_in(403, {ADMIN: 302}),
        method="post",
        data=lambda w, which: {"subject": f"matrix-sub-{which}"},
        note="POST only; the functional administrator links an Amsterdam-account",
    ),
    "accounts:grant_list": Row(fixed("accounts:grant_list"), signed_in(403, {PT: 200, ADMIN: 200})),
    "accounts:grant_approve": Row(
        _on_pending_grant("accounts:grant_approve"),
        signed_in(403, {PT: 302, ADMIN: 409}),
        method="post",
        data=lambda w, which: {},
        note="a regisseur role asked by the administrator: the programme team approves it, "
        "the administrator (its requester, without the capability) may not",
    ),
    "accounts:grant_refuse": Row(
        _on_pending_grant("accounts:grant_refuse"),
        signed_in(403, {PT: 400, ADMIN: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; a refusal without its reason is refused input",
    ),
    "accounts:grant_withdraw": Row(
        _on_pending_grant("accounts:grant_withdraw"),
        signed_in(403, {PT: 409, ADMIN: 302}),
        method="post",
        data=lambda w, which: {},
        note="only the requester (the administrator) withdraws",
    ),
    # --- invitations and second-factor resets (accounts/views_invitations.py) ---
    "accounts:invitations": Row(fixed("accounts:invitations"), signed_in(403, {ADMIN: 200})),
    "accounts:invitation_resend": Row(
        _on_open_invitation("accounts:invitation_resend"),
        signed_in(403, {ADMIN: 302}),
        method="post",
        data=lambda w, which: {},
    ),
    "accounts:user_deactivate": Row(
        on_object("accounts:user_deactivate", "user"),
        signed_in(403, {ADMIN: 400}),
        method="post",
        data=lambda w, which: {},
        note="without a reason: bad input, nothing changed",
    ),
    # --- lockouts: the functional administrator lifts them ---
    "accounts:lockouts": Row(fixed("accounts:lockouts"), signed_in(403, {ADMIN: 200})),
    "accounts:lockout_lift": Row(
        _on_lockout("accounts:lockout_lift"),
        signed_in(403, {ADMIN: 302}),
        method="post",
        data=lambda w, which: {},
    ),
    "accounts:invitation_withdraw": Row(
        _on_open_invitation("accounts:invitation_withdraw"),
        signed_in(403, {ADMIN: 302}),
        method="post",
        data=lambda w, which: {},
    ),
    "accounts:second_factor_reset": Row(
        _on_regisseur("accounts:second_factor_reset"),
        signed_in(403, {PT: 400, ADMIN: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; a reset without its reason is refused input. A regisseur: the "
        "programme team's user, so the programme team may reset it too",
    ),
    "accounts:address_lift": Row(
        fixed("accounts:address_lift"),
        signed_in(403, {ADMIN: 400}),
        method="post",
        data=lambda w, which: {},
        note="no address named: bad input",
    ),
    # --- sync clients and their API tokens: the functional administrator ---
    "accounts:sync_clients": Row(fixed("accounts:sync_clients"), signed_in(403, {ADMIN: 200})),
    "accounts:token_issue": Row(
        lambda world, which: reverse(
            "accounts:token_issue", kwargs={"pk": User.objects.get(username=f"matrix-{SYNC}").pk}
        ),
        signed_in(403, {ADMIN: 200}),
    ),
    "accounts:token_revoke": Row(
        _on_sync_token("accounts:token_revoke"),
        signed_in(403, {ADMIN: 302}),
        method="post",
        data=lambda w, which: {},
    ),
    # --- the pool: managed by the programme team ---
    "pool:regisseur_list": Row(fixed("pool:regisseur_list"), signed_in(403, {PT: 200})),
    "pool:regisseur_add": Row(fixed("pool:regisseur_add"), signed_in(403, {PT: 200})),
    "pool:regisseur_detail": Row(
        on_object("pool:regisseur_detail", "regisseur"), signed_in(403, {PT: 200})
    ),
    "pool:regisseur_edit": Row(
        on_object("pool:regisseur_edit", "regisseur"), signed_in(403, {PT: 200})
    ),
    "pool:regisseur_end": Row(
        on_object("pool:regisseur_end", "regisseur"), signed_in(403, {PT: 200})
    ),
    "pool:absence_add": Row(on_object("pool:absence_add", "regisseur"), signed_in(403, {PT: 200})),
    "pool:absence_edit": Row(on_object("pool:absence_edit", "absence"), signed_in(403, {PT: 200})),
    "pool:absence_end": Row(
        on_object("pool:absence_end", "absence"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "pool:review_list": Row(
        fixed("pool:review_list"),
        signed_in(403, {PT: 200, REG: 200}),
        note="a regisseur's list holds his own reviews only",
    ),
    "pool:review_add": Row(fixed("pool:review_add"), signed_in(403, {PT: 200})),
    "pool:review_detail": Row(
        on_object("pool:review_detail", "caseload_review"),
        signed_in(403, {PT: 200, REG: (200, 404)}),
    ),
    "pool:talk_list": Row(
        fixed("pool:talk_list"),
        signed_in(403, {PT: 200, REG: 200, MAN: 200}),
        note="filtered: own talks, or the own organisation's for a manager",
    ),
    "pool:talk_add": Row(fixed("pool:talk_add"), signed_in(403, {PT: 200})),
    "pool:talk_detail": Row(
        on_object("pool:talk_detail", "three_way_talk"),
        signed_in(403, {PT: 200, REG: (200, 404), MAN: (200, 404)}),
    ),
    "pool:decision_list": Row(fixed("pool:decision_list"), signed_in(403, {PT: 200})),
    "pool:decision_add": Row(fixed("pool:decision_add"), signed_in(403, {PT: 200})),
    "pool:team_activity_list": Row(fixed("pool:team_activity_list"), signed_in(403, {PT: 200})),
    "pool:team_activity_add": Row(fixed("pool:team_activity_add"), signed_in(403, {PT: 200})),
    "pool:team_activity_detail": Row(
        on_object("pool:team_activity_detail", "team_activity"), signed_in(403, {PT: 200})
    ),
    "pool:attendance_set": Row(
        on_object("pool:attendance_set", "team_activity"),
        signed_in(403, {PT: 400}),
        method="post",
        data=lambda w, which: {},
        note="POST only; an empty post is refused input",
    ),
    "pool:manager": Row(
        fixed("pool:manager"),
        signed_in(403, {MAN: 200}),
        note="counts of the own organisation's regisseurs only",
    ),
}


# --- the admin -------------------------------------------------------------------
# What the functional administrator may do in the admin, per model. Nobody else is
# staff: every other role is sent to the sign-in page.
ADMIN_ACCESS: dict[str, set[str]] = {
    "accounts.organisation": {"view", "add", "change"},
    "accounts.user": {"view", "change"},  # users are invited, not added (accounts/admin.py)
    "auth.group": {"view"},
    "pool.region": {"view", "add", "change"},
    "django_celery_beat.periodictask": {"view", "change"},
    "axes.accessattempt": {"view", "delete"},
}
# Objects the world holds for the admin pages of the models the administrator sees.
ADMIN_OBJECTS = {
    "accounts.organisation": "organisation",
    "accounts.user": "user",
    "auth.group": "group",
    "pool.region": "region",
    "django_celery_beat.periodictask": "periodictask",
    "axes.accessattempt": "accessattempt",
    # Read-only monitoring admin: no role holds its view permission, so 403 for all.
    "monitoring.monitor": "monitor",
    "monitoring.notification": "notification",
}


def admin_only(code: Expected) -> dict[str, Expected]:
    return every(302, {ADMIN: code, SYNC: 403})


def _admin_url(name: str, label: str, with_object: bool) -> Callable[[World, str], str]:
    def url(world: World, which: str) -> str:
        if not with_object:
            return reverse(name)
        attribute = ADMIN_OBJECTS.get(label)
        pk = world.obj(which, attribute).pk if attribute else 999_999_999
        return reverse(name, kwargs={"object_id": pk})

    return url


def _plain(path: str) -> Callable[[World, str], str]:
    return lambda world, which: path


def _admin_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {
        "admin:index": Row(fixed("admin:index"), admin_only(200)),
        "admin:login": Row(fixed("admin:login"), every(302, {SYNC: 403})),
        "admin:logout": Row(fixed("admin:logout"), admin_only(405)),
        "admin:password_change": Row(fixed("admin:password_change"), admin_only(200)),
        "admin:password_change_done": Row(fixed("admin:password_change_done"), admin_only(200)),
        "admin:autocomplete": Row(fixed("admin:autocomplete"), admin_only(403)),
        "admin:jsi18n": Row(fixed("admin:jsi18n"), admin_only(200)),
        "admin:view_on_site": Row(
            lambda w, which: reverse("admin:view_on_site", args=[999_999, 1]), admin_only(404)
        ),
        "admin:app_list": Row(
            lambda w, which: reverse(
                "admin:app_list", args=["accounts" if which == "own" else "cases"]
            ),
            admin_only((200, 404)),
            note="own: an app the administrator manages; other: case content",
        ),
        "beheer/(?P<url>.*)$": Row(lambda w, which: "/beheer/no-such-page/", admin_only(404)),
    }
    for model in admin.site._registry:
        label = model._meta.label_lower
        allowed = ADMIN_ACCESS.get(label, set())
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        see = 200 if "view" in allowed or "change" in allowed else 403
        rows[f"{prefix}_changelist"] = Row(
            _admin_url(f"{prefix}_changelist", label, False), admin_only(see)
        )
        rows[f"{prefix}_add"] = Row(
            _admin_url(f"{prefix}_add", label, False), admin_only(200 if "add" in allowed else 403)
        )
        rows[f"{prefix}_change"] = Row(_admin_url(f"{prefix}_change", label, True), admin_only(see))
        # A history page answers an unknown id and a model one may not read alike (404,
        # audit/admin.py), so whether a record exists never shows.
        history = 200 if see == 200 and label in ADMIN_OBJECTS else 404
        rows[f"{prefix}_history"] = Row(
            _admin_url(f"{prefix}_history", label, True), admin_only(history)
        )
        rows[f"{prefix}_delete"] = Row(
            _admin_url(f"{prefix}_delete", label, True),
            admin_only(200 if "delete" in allowed else 403),
        )
        opts = model._meta
        rows[f"beheer/{opts.app_label}/{opts.model_name}/<path:object_id>/"] = Row(
            _plain(f"/beheer/{opts.app_label}/{opts.model_name}/1/"),
            admin_only(302),
            note="Django's redirect to the change page; the change page decides",
        )
    return rows


MATRIX.update(_admin_rows())
MATRIX.update(api_rows())

ALL_ROWS: Mapping[str, Row] = MATRIX
DELIBERATELY_PUBLIC = sorted(
    key for key, row in MATRIX.items() if row.expect.get(ANONYMOUS) in (200, frozenset({200, 503}))
)
__all__ = ["ALL_ROWS", "DELIBERATELY_PUBLIC", "PEOPLE", "Row", "field"]
