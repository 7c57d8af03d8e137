"""Screenshots of each page on the demo data, for docs/screenshots/ (run by scripts/screenshots).

Uses the browser tests' Chromium set-up; signs each demo user in through the real
password and two-factor forms with a fresh backup code. Usage (Django configured):
``python -m tests.browser.screenshots BASE_URL OUT_DIR``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django

VIEWPORT: Any = {"width": 1280, "height": 800}
# Pages are also photographed on a phone's width (into OUT_DIR/375/) when their Shot says so.
NARROW: Any = {"width": 375, "height": 740}


@dataclass(frozen=True)
class Shot:
    name: str  # the PNG's name, without .png
    user: str  # demo username, "" for a visitor who is not signed in
    url: str
    title: str  # what the page is, for the README
    narrow: bool = False  # also at 375 pixels wide


def shots() -> list[Shot]:
    """The pages to photograph, on the richest demo objects."""
    from django.db.models import Count
    from django.urls import reverse

    from accounts.models import User
    from cases.models import Case, PlanVersion
    from pool.models import CaseloadReview, Regisseur, TeamActivity, ThreeWayTalk

    case = (
        Case.objects.filter(regisseur__user__username="regisseur.oov1")
        .annotate(n=Count("plan_versions", distinct=True) + Count("meetings", distinct=True))
        .order_by("-n", "number")
        .first()
    )
    assert case is not None, "no demo data: run load_demo_data first"
    version = PlanVersion.objects.filter(case=case).order_by("-number").first()
    # The first version's form has the interventions rows (a later one copies them).
    first_plan = (
        Case.objects.filter(regisseur__user__username="regisseur.oov1", plan_versions=None)
        .order_by("number")
        .first()
    )
    regisseur = Regisseur.objects.get(user__username="regisseur.oov1")
    leaving = Regisseur.objects.get(user__username="regisseur.ggd")
    on_case = {"pk": case.pk}
    pages = [
        Shot("login", "", reverse("login"), "Inloggen"),
        Shot("dashboard", "programmateam", reverse("monitoring:dashboard"), "Dashboard", True),
        Shot("case-list", "programmateam", reverse("cases:list"), "Casussen (programmateam)"),
        Shot("my-cases", "regisseur.oov1", reverse("cases:list"), "Mijn casussen (regisseur)"),
        Shot(
            "case-detail",
            "regisseur.oov1",
            reverse("cases:detail", kwargs=on_case),
            "Casus: overzicht, stappen, eerstvolgende termijn en acties",
            narrow=True,
        ),
        Shot(
            "case-detail-programme-team",
            "programmateam",
            reverse("cases:detail", kwargs=on_case),
            "Casus (programmateam)",
            narrow=True,
        ),
        Shot(
            "case-detail-uvos",
            "regisseur.oov1",
            reverse("cases:detail", kwargs=on_case) + "?tab=uvos",
            "Casus: UVO's als kaarten, de laatste open",
            narrow=True,
        ),
        Shot(
            "case-detail-history",
            "regisseur.oov1",
            reverse("cases:detail", kwargs=on_case) + "?tab=historie",
            "Casus: tijdlijn",
            narrow=True,
        ),
        Shot("person", "regisseur.oov1", reverse("cases:person", kwargs=on_case), "Persoon"),
        Shot(
            "uvo-new",
            "regisseur.oov1",
            reverse("cases:meeting_new", kwargs=on_case),
            "UVO",
            narrow=True,
        ),
        Shot(
            "plan-new",
            "regisseur.oov1",
            reverse("cases:plan_new", kwargs={"pk": (first_plan or case).pk}),
            "Nieuwe versie plan van aanpak",
            narrow=True,
        ),
        Shot(
            "phase-change",
            "regisseur.oov1",
            reverse("cases:phase_change", kwargs=on_case),
            "Faseovergang",
        ),
        Shot(
            "exit-propose",
            "regisseur.oov1",
            reverse("cases:exit_propose", kwargs=on_case),
            "Uitstroomvoorstel",
        ),
        Shot(
            "assessment-new",
            "regisseur.oov1",
            reverse("cases:assessment_new", kwargs=on_case),
            "Weging",
            narrow=True,
        ),
        Shot(
            "evaluation-new",
            "regisseur.oov1",
            reverse("cases:evaluation_new", kwargs=on_case),
            "Evaluatie",
            narrow=True,
        ),
        Shot(
            "hand-over", "programmateam", reverse("cases:hand_over", kwargs=on_case), "Overdracht"
        ),
        Shot(
            "bulk-hand-over",
            "programmateam",
            reverse("cases:bulk_handover", kwargs={"regisseur_id": leaving.pk}),
            "Overdracht bij vertrek uit de pool",
        ),
        Shot(
            "exit-decisions",
            "pto-r.om",
            reverse("cases:exit_decisions"),
            "Uitstroomvoorstellen (PTO-R)",
        ),
        Shot(
            "pto-r-meetings",
            "pto-r.om",
            reverse("ptor:meeting_list"),
            "Vergaderingen PTO-R",
        ),
        Shot("access-log", "privacy.ggd", reverse("audit:log"), "Toegangslog", narrow=True),
        Shot(
            "emergency-open",
            "regisseur.oov1",
            reverse("cases:emergency_open"),
            "Noodtoegang openen",
            narrow=True,
        ),
        Shot(
            "emergency-reviews",
            "programmateam",
            reverse("emergency_review:list"),
            "Noodtoegang beoordelen",
            narrow=True,
        ),
        Shot("users", "beheerder", reverse("accounts:user_list"), "Gebruikers en rollen", True),
        Shot(
            "sync-clients",
            "beheerder",
            reverse("accounts:sync_clients"),
            "Koppelingen en API-tokens",
            narrow=True,
        ),
        Shot(
            "token-issue",
            "beheerder",
            reverse(
                "accounts:token_issue",
                kwargs={"pk": User.objects.get(username="sync-vehaa").pk},
            ),
            "Nieuw API-token",
            narrow=True,
        ),
        Shot(
            "user-roles",
            "beheerder",
            reverse("accounts:user_roles", kwargs={"pk": regisseur.user_id}),
            "Rollen van een gebruiker",
            narrow=True,
        ),
        Shot(
            "role-requests", "programmateam", reverse("accounts:grant_list"), "Rolaanvragen", True
        ),
        Shot(
            "authenticator-replace",
            "regisseur.oov1",
            reverse("two_factor_enrol"),
            "Authenticator vervangen: eerst opnieuw aanmelden",
            narrow=True,
        ),
    ]
    member_case = Case.objects.filter(team_members__user__username="teamlid.ggd").first()
    if member_case is not None:
        pages.append(
            Shot(
                "case-detail-team-member",
                "teamlid.ggd",
                reverse("cases:detail", kwargs={"pk": member_case.pk}),
                "Casus (lid interventieteam: plan en overleggen)",
                narrow=True,
            )
        )
    if version is not None:
        pages.insert(
            7,
            Shot(
                "plan-version",
                "regisseur.oov1",
                reverse("cases:plan_version", kwargs={"pk": case.pk, "version_id": version.pk}),
                "Plan van aanpak",
            ),
        )
    # Pages of parts that may not be installed yet are left out when their URL is missing.
    optional: list[tuple[str, str, str, dict[str, Any], str]] = [
        ("pool-regisseurs", "programmateam", "pool:regisseur_list", {}, "Pool: regisseurs"),
        (
            "pool-regisseur",
            "programmateam",
            "pool:regisseur_detail",
            {"pk": regisseur.pk},
            "Pool: regisseur",
        ),
        ("pool-reviews", "programmateam", "pool:review_list", {}, "Caseloadgesprekken"),
        ("pool-talks", "programmateam", "pool:talk_list", {}, "Driegesprekken"),
        ("pool-team-rhythm", "programmateam", "pool:team_activity_list", {}, "Teamritme"),
        ("manager", "manager.wpi", "pool:manager", {}, "Manager: eigen organisatie"),
        ("monitors", "pto-r.om", "monitoring:monitors", {}, "Monitors (PTO-R)"),
        ("monitors-start", "programmateam", "monitoring:monitors", {}, "Monitors maken"),
        ("notifications", "regisseur.oov1", "monitoring:notifications", {}, "Meldingen"),
    ]
    review = CaseloadReview.objects.order_by("-held_on").first()
    talk = ThreeWayTalk.objects.order_by("-held_on").first()
    activity = TeamActivity.objects.order_by("-held_on").first()
    for name, route, obj, title in (
        ("pool-review", "pool:review_detail", review, "Caseloadgesprek"),
        ("pool-talk", "pool:talk_detail", talk, "Driegesprek"),
        ("pool-team-activity", "pool:team_activity_detail", activity, "Teambijeenkomst"),
    ):
        if obj is not None:
            optional.append((name, "programmateam", route, {"pk": obj.pk}, title))
    from django.urls import NoReverseMatch

    for name, user, route, kwargs, title in optional:
        try:
            pages.append(Shot(name, user, reverse(route, kwargs=kwargs or None), title))
        except NoReverseMatch:
            continue
    return pages


def prepare() -> None:
    """What the demo data lacks for the pictures: each kind's monitor of its last period
    (rendered here, without a worker) and today's reminders in the notifications."""
    from django.utils import timezone

    from monitoring.models import PERIODS, Monitor
    from monitoring.reports import REPORTS
    from monitoring.services.monitors import monitor_render
    from monitoring.services.reminders import reminders_send

    today = timezone.localdate()
    for kind in REPORTS:
        code = PERIODS[kind].of(today).previous().code
        if not Monitor.objects.filter(kind=kind, period_code=code).exists():
            monitor = Monitor.objects.create(kind=kind, period_code=code, version=1)
            monitor_render(monitor_id=monitor.pk)
    reminders_send(on=today)


def sign_in(context, base_url: str, username: str):
    from accounts.models import User
    from accounts.services import backup_codes_replace
    from sampledata.demo import DEMO_PASSWORD

    from .conftest import enter_password, enter_second_factor

    user = User.objects.get(username=username)
    code = backup_codes_replace(user=user)[0]
    page = context.new_page()
    page.goto(base_url + "/inloggen/")
    enter_password(page, username, DEMO_PASSWORD)
    enter_second_factor(page, code)
    return page


def main(base_url: str, out: Path) -> list[tuple[Shot, int]]:
    from playwright.sync_api import sync_playwright

    from .conftest import CHROMIUM, CHROMIUM_ARGS

    out.mkdir(parents=True, exist_ok=True)
    made: list[tuple[Shot, int]] = []
    prepare()
    pages = shots()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts: dict[str, object] = {}
        for shot in pages:
            if shot.user not in contexts:
                context = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
                contexts[shot.user] = (
                    sign_in(context, base_url, shot.user) if shot.user else context.new_page()
                )
            page = contexts[shot.user]
            response = page.goto(base_url + shot.url)  # type: ignore[attr-defined]
            status = response.status if response else 0
            if status != 200:
                raise SystemExit(f"{shot.name}: {shot.url} answered {status}")
            path = out / f"{shot.name}.png"
            page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
            shrink(path)
            made.append((shot, path.stat().st_size))
            print(f"{path} ({path.stat().st_size // 1024} kB)")
            if shot.narrow:
                narrow = out / "375" / f"{shot.name}.png"
                narrow.parent.mkdir(exist_ok=True)
                page.set_viewport_size(NARROW)  # type: ignore[attr-defined]
                page.goto(base_url + shot.url)  # type: ignore[attr-defined]
                width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
                page.screenshot(path=str(narrow), full_page=True)  # type: ignore[attr-defined]
                page.set_viewport_size(VIEWPORT)  # type: ignore[attr-defined]
                shrink(narrow)
                print(f"{narrow} (document {width} px wide at 375)")
        browser.close()
    write_readme(out, made)
    return made


def shrink(path: Path) -> None:
    """A 256-colour palette keeps the PNGs small; UI screenshots lose nothing visible."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def write_readme(out: Path, made: list[tuple[Shot, int]]) -> None:
    lines = [
        "# Screenshots",
        "",
        "Each page of the UI on the demo data (`load_demo_data`), in Dutch, 1280 pixels wide,",
        "full page; the pages marked 375 also at a phone's width, in `375/`. Made by",
        "`scripts/screenshots` (Chromium through Playwright, the browser tests' set-up); run it",
        "again after a change to a page.",
        "",
        "| file | page | signed in as | path | 375 |",
        "|---|---|---|---|---|",
    ]
    for shot, _size in made:
        who = f"`{shot.user}`" if shot.user else "–"
        link = f"[{shot.name}.png]({shot.name}.png)"
        narrow = f"[375/{shot.name}.png](375/{shot.name}.png)" if shot.narrow else ""
        lines.append(f"| {link} | {shot.title} | {who} | `{shot.url}` | {narrow} |")
    (out / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django.setup()
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
