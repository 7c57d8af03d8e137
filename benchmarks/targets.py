"""What the benchmark and the load test request, and as whom.

``prepare`` picks the users (a programme-team member, the busiest regisseur, the
sync client), signs them in (sessions in the database), issues an API token,
and resolves every measured page by its URL name. A page whose URL name does
not exist (yet) is reported as missing, not guessed.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.tokens import SCOPES, api_token_issue
from cases.models import Case, CaseStatus, Meeting
from pool.models import Regisseur
from sampledata.generator import username_prefix

from .sessions import signed_in_session

# Cases the incremental sync finds changed since the benchmark's cursor.
INCREMENTAL_CHANGES = 50
API_PAGE_SIZE = 100
SYNC_PAGE_SIZE = 500


@dataclass
class Target:
    """One measured request: a path, and the session cookie or token it carries."""

    name: str
    path: str
    session: str = ""
    token: str = ""
    note: str = ""


@dataclass
class Plan:
    targets: list[Target] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # For the load test: sessions of regisseurs with the case each logs UVOs on.
    regisseur_sessions: list[dict[str, Any]] = field(default_factory=list)
    programme_sessions: list[str] = field(default_factory=list)
    token: str = ""
    # The documents target: a case of the busiest regisseur and his or her session.
    document_case: int = 0
    document_session: str = ""
    sync_paths: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["targets"] = [asdict(t) for t in self.targets]
        return data


def _first_url(names: list[str], **kwargs: Any) -> str | None:
    for name in names:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return None


def _busiest_regisseurs(seed: int, count: int) -> list[Regisseur]:
    open_cases = Count(
        "cases_as_regisseur", filter=Q(cases_as_regisseur__status=CaseStatus.IN_REGIE)
    )
    return list(
        Regisseur.objects.active_on(timezone.localdate())
        .filter(user__username__startswith=username_prefix(seed))
        .select_related("user")
        .annotate(open_cases=open_cases)
        .order_by("-open_cases", "pk")[:count]
    )


def _case_with_most_meetings(regisseur: Regisseur) -> Case:
    case = (
        Case.objects.filter(regisseur=regisseur, status=CaseStatus.IN_REGIE)
        .annotate(n=Count("meetings"))
        .order_by("-n", "pk")
        .first()
    )
    if case is None:
        raise LookupError(f"regisseur {regisseur} has no case in regie")
    return case


def _case_for_uvo_writes(regisseur: Regisseur) -> Case | None:
    """A case of the regisseur that had its first UVO (new ones are regular UVOs)."""
    return (
        Case.objects.filter(
            regisseur=regisseur,
            status=CaseStatus.IN_REGIE,
            meetings__kind=Meeting.Kind.FIRST,
        )
        .order_by("pk")
        .first()
    )


def incremental_cursor() -> str:
    """Touch a few cases after a cursor, as a day of work would: the incremental
    sync asks for what changed since then."""
    cursor = timezone.now() - datetime.timedelta(seconds=1)
    ids = list(
        Case.objects.filter(status=CaseStatus.IN_REGIE)
        .order_by("?")
        .values_list("pk", flat=True)[:INCREMENTAL_CHANGES]
    )
    Case.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    return cursor.isoformat()


def prepare(*, seed: int, load_users: int = 0) -> Plan:
    plan = Plan()
    prefix = username_prefix(seed)
    programme = User.objects.filter(
        username__startswith=prefix, groups__name=Role.PROGRAMME_TEAM.value
    ).order_by("pk")
    pt_session = signed_in_session(programme[0])
    busiest = _busiest_regisseurs(seed, max(1, load_users))
    regisseur = busiest[0]
    reg_session = signed_in_session(regisseur.user)
    case = _case_with_most_meetings(regisseur)
    plan.document_case, plan.document_session = case.pk, reg_session

    def add(name: str, url_names: list[str], *, session: str = "", note: str = "", **kw):
        path = _first_url(url_names, **kw)
        if path is None:
            plan.missing.append(name)
        else:
            plan.targets.append(Target(name=name, path=path, session=session, note=note))

    add("floor", ["bench_floor"], note="trivial view, anonymous, no query")
    add(
        "signed-in floor",
        ["bench_signed_in_floor"],
        session=pt_session,
        note="trivial view behind the sign-in: the fixed cost of every page",
    )
    add("dashboard", ["monitoring:dashboard", "dashboard"], session=pt_session)
    add("case page", ["cases:detail"], session=reg_session, pk=case.pk)
    add("mijn casussen", ["cases:list"], session=reg_session)
    add("pool overview", ["pool:regisseur_list"], session=pt_session)
    add(
        "UVO form",
        ["cases:meeting_new"],
        session=reg_session,
        note="busiest regisseur, a case past its first UVO, its team as attendee rows",
        pk=(_case_for_uvo_writes(regisseur) or case).pk,
    )
    add("plan form", ["cases:plan_new"], session=reg_session, pk=case.pk)
    add("documents", ["documents:list"], session=reg_session, pk=case.pk)
    add("PTO-R meetings", ["ptor:meeting_list"], session=pt_session)
    add(
        "notifications",
        ["monitoring:notifications"],
        session=reg_session,
        note="busiest regisseur: what is due for him, computed live",
    )
    add("monitors", ["monitoring:monitors"], session=pt_session)
    add(
        "search",
        ["search"],
        session=pt_session,
        note="the search page (a search itself is a POST)",
    )

    client = User.objects.filter(
        username__startswith=prefix, groups__name=Role.SYNC_CLIENT.value
    ).first()
    if client is None:
        raise LookupError("no generated sync client: run generate_data first")
    _, plan.token = api_token_issue(
        client=client,
        name="benchmark",
        scopes=sorted(SCOPES),
        expires_at=timezone.now() + datetime.timedelta(days=1),
        by=programme[0],
    )
    case_list = _first_url(["api:case-list"])
    if case_list is None:
        plan.missing += ["API case list", "API incremental sync"]
    else:
        plan.targets.append(
            Target("API case list", f"{case_list}?page_size={API_PAGE_SIZE}", token=plan.token)
        )
        since = incremental_cursor()
        plan.targets.append(
            Target(
                "API incremental sync",
                f"{case_list}?updated_since={since.replace('+', '%2B')}",
                token=plan.token,
                note=f"{INCREMENTAL_CHANGES} cases changed since the cursor",
            )
        )
        # A client's first sync of the cases with their persons, meetings and plans.
        for resource in ("case", "person", "meeting", "plan"):
            path = _first_url([f"api:{resource}-list"])
            if path:
                plan.sync_paths[resource] = f"{path}?page_size={SYNC_PAGE_SIZE}"

    plan.programme_sessions = [pt_session] + [
        signed_in_session(user) for user in programme[1 : max(1, load_users // 5)]
    ]
    for each in busiest:
        uvo_case = _case_for_uvo_writes(each)
        if uvo_case is None:
            continue
        form = _first_url(["cases:meeting_new"], pk=uvo_case.pk)
        plan.regisseur_sessions.append(
            {
                "session": reg_session if each == regisseur else signed_in_session(each.user),
                "case_path": reverse("cases:detail", kwargs={"pk": uvo_case.pk}),
                "uvo_form": form or "",
            }
        )
    return plan
