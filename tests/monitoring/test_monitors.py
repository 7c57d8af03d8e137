"""Monitor runs: versions, idempotent runs, failures shown with their error, the
'<5' suppression, the pages and the download; with Redis down, a Dutch error."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from kombu import pools as kombu_pools

from accounts.models import Organisation
from accounts.roles import Role
from audit.models import AccessLog
from cases.models import Case, Intervention
from cases.selectors.deadlines import DeadlineKind, deadlines
from cases.selectors.figures import cases_per_phase
from ipgar.celery import app as celery_app
from kernel.errors import RuleViolation
from kernel.quarters import Quarter
from monitoring import services
from monitoring.models import Monitor
from monitoring.selectors import monitor_figures, suppress
from monitoring.services.monitors import (
    MONITOR_BROKER_DOWN,
    MONITOR_ONLY_PROGRAMME_TEAM,
    monitor_render,
    monitor_request,
    scheduled_run_id,
)
from monitoring.suppression import OTHER_KERNPARTNERS, SUPPRESSED, publish_kwartaal
from monitoring.tasks import monitor_generate, monitor_quarterly
from pool.models import Region
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanVersionFactory,
    RegisseurFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.queries import assert_same_query_count, count_queries

from .conftest import user_with_role

QUARTER = Quarter(2026, 3)
pytestmark = pytest.mark.django_db


def small_pool():
    """Two kernpartners: OOV with 6 cases, GGD with 2."""
    oov = RegisseurFactory(
        user=UserFactory(organisation=OrganisationFactory(code="oov", name="OOV"))
    )
    ggd = RegisseurFactory(
        user=UserFactory(organisation=OrganisationFactory(code="ggd", name="GGD"))
    )
    for _ in range(6):
        CaseFactory(regisseur=oov, buddy=ggd, phase2=True)
    for _ in range(2):
        CaseFactory(regisseur=ggd, buddy=oov)


def test_suppression_below_five():
    # A 0 is not a person: it is printed (docs/rules.md R-MON-4).
    assert [suppress(n) for n in (0, 1, 4, 5, 17)] == [0, SUPPRESSED, SUPPRESSED, 5, 17]
    assert SUPPRESSED == "<5"


def test_counts_per_kernpartner_and_region_below_five_read_less_than_five(today):
    small_pool()
    figures = monitor_figures(quarter=Quarter.of(today))
    published = publish_kwartaal(figures)
    sections = {s["organisation"]: s for s in published["kernpartners"]}
    # GGD's page would be all '<5': it is folded into the shared section.
    assert set(sections) == {"OOV", OTHER_KERNPARTNERS}
    assert sections[OTHER_KERNPARTNERS]["members"] == ["GGD"]
    other, oov = sections[OTHER_KERNPARTNERS], sections["OOV"]
    # GGD's two cases are hidden, and so is every figure that would give them back:
    # the phase-1 column's total is printed for the whole approach (2), so OOV's 0
    # beside it is hidden too.
    assert other["cases"] == other["per_phase"]["1"] == SUPPRESSED
    assert oov["per_phase"]["1"] == SUPPRESSED
    assert other["uvo_on_time"] == 0  # a 0 is no person
    # The regisseur's line on the roster cannot undo it either.
    roster = {r["organisation"]: r for r in published["regisseurs"]}
    assert roster["GGD"]["cases"] == SUPPRESSED and roster["GGD"]["free_places"] == "–"
    assert [r["cases"] for r in published["regions"]] == [8]
    # The totals for the whole approach are not broken down, so they stand.
    assert published["summary"]["open_cases"] == 8
    # Stored raw, published alike every time.
    assert publish_kwartaal(figures) == published
    assert {s["organisation"]: s["cases"] for s in figures["kernpartners"]} == {"GGD": 2, "OOV": 6}


def test_the_monitor_and_the_dashboard_count_open_cases_per_kernpartner_alike(today):
    """Per kernpartner and per region, the monitor's open cases per phase are the
    dashboard's figure (cases_per_phase filtered on the organisation or region)."""
    small_pool()
    CaseFactory(exited=True)  # an exited case counts nowhere
    figures = monitor_figures(quarter=Quarter.of(today))
    for section in figures["kernpartners"]:
        organisation = Organisation.objects.get(name=section["organisation"])
        dashboard = cases_per_phase(organisation=organisation)
        assert section["per_phase"] == {str(p): n for p, n in dashboard.items()}
        assert section["cases"] == sum(dashboard.values())
    for row in figures["regions"]:
        dashboard = cases_per_phase(region=Region.objects.get(name=row["region"]))
        assert row["per_phase"] == {str(p): n for p, n in dashboard.items()}
    assert figures["summary"]["per_phase"] == {str(p): n for p, n in cases_per_phase().items()}
    assert figures["summary"]["open_cases"] == sum(cases_per_phase().values()) == 8


def test_a_kernpartner_counts_the_cases_it_works_on_as_intervention_partner(today):
    """All kernpartners answer for all cases (docs/rules.md R-MON-5): beside its own
    regisseurs' caseload, a section counts the open cases with an unfinished
    intervention of the plan in force in the partner's hands, or a team member from it."""
    small_pool()
    politie = OrganisationFactory(code="politie", name="Politie", kind="kernpartner")
    ggd = Organisation.objects.get(code="ggd")
    oov_cases = list(Case.objects.filter(regisseur__organisation__code="oov"))
    # Police: an intervention in two plans in force, a team member in a third case, and
    # in the same case as an intervention once more (one case counts once).
    for case in oov_cases[:2]:
        plan = PlanVersionFactory(case=case, adopted=True, adopted_on=today)
        InterventionFactory(plan_version=plan, responsible_organisation=politie)
    TeamMemberFactory(case=oov_cases[2], organisation=politie, joined_on=today)
    TeamMemberFactory(case=oov_cases[0], organisation=politie, joined_on=today)
    # Not counted: a finished intervention, a member who left, an exited case.
    plan = PlanVersionFactory(case=oov_cases[3], adopted=True, adopted_on=today)
    InterventionFactory(
        plan_version=plan, responsible_organisation=politie, status=Intervention.Status.DONE
    )
    TeamMemberFactory(case=oov_cases[4], organisation=politie, joined_on=today, left_on=today)
    exited = CaseFactory(exited=True)
    TeamMemberFactory(case=exited, organisation=politie, joined_on=today)
    # GGD works on OOV's cases too, besides its own regisseur's two.
    TeamMemberFactory(case=oov_cases[5], organisation=ggd, joined_on=today)

    figures = monitor_figures(quarter=Quarter.of(today))
    sections = {s["organisation"]: s for s in figures["kernpartners"]}
    # The police supply no regisseur and still have their section.
    assert sections["Politie"]["regisseurs"] == 0
    assert sections["Politie"]["partner_cases"] == 3
    assert sections["GGD"]["partner_cases"] == 1
    assert sections["OOV"]["partner_cases"] == 0
    # Printed: small, so '<5' (these counts add up to nothing, so nothing else hides).
    published = publish_kwartaal(figures)
    [other] = [s for s in published["kernpartners"] if s["organisation"] == OTHER_KERNPARTNERS]
    partners = {m["organisation"]: m["count"] for m in other["partner_cases_by_member"]}
    assert partners["GGD"] == partners["Politie"] == SUPPRESSED


def test_uvo_and_plan_progress_per_kernpartner_follow_the_deadline_rules(today):
    """The monitor's UVO and plan-evaluation figures are the deadline selector's items."""
    small_pool()
    figures = monitor_figures(quarter=Quarter.of(today))
    items = deadlines(on=today, horizon_days=93)
    uvo = [i for i in items if i.kind == DeadlineKind.UVO]
    plans = [i for i in items if i.kind == DeadlineKind.PLAN_EVALUATION]
    summary = figures["summary"]
    assert summary["uvo"]["phase2_cases"] == len(uvo) == 6
    assert summary["uvo"]["on_time"] == sum(1 for i in uvo if not i.overdue)
    assert summary["plans"]["running"] == len(plans)
    assert summary["plans"]["evaluated_on_time"] == sum(1 for i in plans if not i.overdue)
    oov = next(s for s in figures["kernpartners"] if s["organisation"] == "OOV")
    assert oov["uvo_on_time"] == summary["uvo"]["on_time"]  # all six are OOV's


def test_every_run_is_a_new_version_and_the_old_one_stays(today, media_root, programme_team_member):
    small_pool()
    first = monitor_request(period=QUARTER, by=programme_team_member)
    second = monitor_request(period=QUARTER, by=programme_team_member)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.status == second.status == Monitor.Status.DONE
    assert first.pdf.name != second.pdf.name
    assert first.pdf.storage.exists(first.pdf.name)
    assert monitor_request(period=Quarter(2026, 2), by=programme_team_member).version == 1


def test_the_same_run_id_never_makes_a_second_version(today, media_root, programme_team_member):
    run_id = uuid.uuid4()
    first = monitor_request(period=QUARTER, by=programme_team_member, run_id=run_id)
    again = monitor_request(period=QUARTER, by=programme_team_member, run_id=run_id)
    assert again.pk == first.pk
    # A retried or redelivered task on a finished run changes nothing.
    done = Monitor.objects.get(pk=first.pk)
    monitor_generate.delay(first.pk)
    assert Monitor.objects.get(pk=first.pk).pdf.name == done.pdf.name
    assert monitor_render(monitor_id=first.pk).generated_at == done.generated_at
    assert Monitor.objects.filter(period_code=QUARTER.code).count() == 1


def test_the_quarterly_schedule_makes_one_run_per_quarter(today, media_root):
    monitor_quarterly.delay()
    monitor_quarterly.delay()  # a second beat process, or a redelivery
    [monitor] = Monitor.objects.all()
    assert monitor.period_code == "2026-Q3"  # the quarter that ended before 23 November
    assert monitor.run_id == scheduled_run_id(Quarter(2026, 3))
    assert monitor.requested_by is None


def test_a_failed_run_shows_with_its_error(
    today, media_root, programme_team_member, monkeypatch, client
):
    def broken(**kwargs):
        raise ValueError("grafiek kon niet worden gemaakt")

    monkeypatch.setattr(services.monitors, "monitor_pdf", broken)
    monitor = monitor_request(period=QUARTER, by=programme_team_member)
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.FAILED
    assert "grafiek kon niet worden gemaakt" in monitor.error
    sign_in(client, programme_team_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    assert "Mislukt" in page and "grafiek kon niet worden gemaakt" in page


def test_only_the_programme_team_starts_a_monitor(today):
    with pytest.raises(RuleViolation, match=str(MONITOR_ONLY_PROGRAMME_TEAM)):
        monitor_request(period=QUARTER, by=user_with_role(Role.PTO_R))


def _drop_broker_connections() -> None:
    """Publishing reuses pooled connections: drop them so the next publish connects anew."""
    kombu_pools.reset()
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def broker_down():
    original = celery_app.conf["broker_url"]
    eager = celery_app.conf.task_always_eager
    _drop_broker_connections()
    celery_app.conf["broker_url"] = "redis://127.0.0.1:9/0"
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        _drop_broker_connections()
        celery_app.conf["broker_url"] = original
        celery_app.conf.task_always_eager = eager


def test_with_redis_down_starting_shows_a_dutch_error_not_a_500(
    today, client, programme_team_member, broker_down
):
    sign_in(client, programme_team_member)
    response = client.post(
        reverse("monitoring:monitor_start"), {"quarter": "2026-Q3", "run_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    [monitor] = Monitor.objects.all()
    assert monitor.status == Monitor.Status.FAILED and monitor.error == MONITOR_BROKER_DOWN
    page = client.get(response.url).content.decode()
    assert str(MONITOR_BROKER_DOWN) in page
    # The rest of the app keeps serving.
    assert client.get(reverse("monitoring:notifications")).status_code == 200


def test_the_start_button_makes_a_run_and_the_list_offers_its_pdf(
    today, client, media_root, programme_team_member
):
    small_pool()
    sign_in(client, programme_team_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    assert 'value="2026-Q3" selected' in page
    response = client.post(
        reverse("monitoring:monitor_start"), {"quarter": "2026-Q3", "run_id": str(uuid.uuid4())}
    )
    monitor = Monitor.objects.get()
    page = client.get(response.url).content.decode()
    assert reverse("monitoring:monitor_download", kwargs={"pk": monitor.pk}) in page
    fragment = client.get(
        reverse("monitoring:monitor_status", kwargs={"pk": monitor.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith("<tr") and "Klaar" in fragment and "hx-trigger" not in fragment


def test_the_list_shows_each_run_with_its_times_in_amsterdam_and_who_started_it(
    today, client, programme_team_member
):
    starter = UserFactory(first_name="Sanne", last_name="Starter")
    monitor = Monitor.objects.create(
        period_code="2026-Q2",
        version=2,
        requested_by=starter,
        status=Monitor.Status.DONE,
        pdf="monitors/kwartaalmonitor-2026-Q2-v2.pdf",
        # Winter time: 10:00 UTC in November is 11:00 in Amsterdam.
        generated_at=datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC),
    )
    # Summer time: 08:05 UTC in July is 10:05 in Amsterdam.
    Monitor.objects.filter(pk=monitor.pk).update(
        requested_at=datetime.datetime(2026, 7, 1, 8, 5, tzinfo=datetime.UTC)
    )
    Monitor.objects.create(period_code="2026-Q3", version=1, requested_by=None)
    sign_in(client, programme_team_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", cell).split()
        for cell in re.findall(r"<t[hd] [^>]*>(.*?)</t[hd]>", page, flags=re.S)
    ]
    assert ["Kwartaalmonitor", "2026", "K2"] in cells
    assert ["01-07-2026", "10:05", "door", "Sanne", "Starter"] in cells
    assert ["23-11-2026", "11:00"] in cells
    assert ["Kwartaalmonitor", "2026", "K3"] in cells and ["In", "de", "wachtrij"] in cells
    assert any(cell[-1] == "(schema)" for cell in cells)


def test_a_queued_run_polls_its_status(today, client, programme_team_member):
    monitor = Monitor.objects.create(
        period_code="2026-Q3", version=1, requested_by=programme_team_member
    )
    sign_in(client, programme_team_member)
    url = reverse("monitoring:monitor_status", kwargs={"pk": monitor.pk})
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in fragment and "In de wachtrij" in fragment
    # Without JavaScript: a whole page with a link to look again.
    page = client.get(url).content.decode()
    assert "<html" in page and "Vernieuwen" in page


def test_the_rows_show_each_state_with_its_link_and_escape_what_they_show(
    today, client, programme_team_member
):
    programme_team_member.first_name = "<b>Sanne</b>"
    programme_team_member.save()
    failed = Monitor.objects.create(
        period_code="2026-Q1",
        version=1,
        requested_by=programme_team_member,
        status=Monitor.Status.FAILED,
        error="<script>alert(1)</script> grafiek",
    )
    queued = Monitor.objects.create(period_code="2026-Q2", version=1)
    sign_in(client, programme_team_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    status_url = reverse("monitoring:monitor_status", kwargs={"pk": queued.pk})
    failed_row = re.search(rf'<tr[^>]*id="monitor-{failed.pk}".*?</tr>', page, re.S)
    queued_row = re.search(rf'<tr[^>]*id="monitor-{queued.pk}".*?</tr>', page, re.S)
    assert failed_row and queued_row
    # A failed run: its error as an alert, escaped; who started it, escaped; no polling.
    assert '<span role="alert">&lt;script&gt;alert(1)&lt;/script&gt; grafiek</span>' in (
        failed_row.group(0)
    )
    assert "door &lt;b&gt;Sanne&lt;/b&gt;" in failed_row.group(0)
    assert "hx-get" not in failed_row.group(0) and "<script>alert(1)" not in page
    # A queued run from the schedule polls its status and links to it.
    assert f'hx-get="{status_url}" hx-trigger="every ' in queued_row.group(0)
    assert f'<a class="ams-link" href="{status_url}">Status bekijken</a>' in queued_row.group(0)
    assert "(schema)" in queued_row.group(0)


def test_pto_r_downloads_the_pdf_and_the_download_is_logged(
    today, client, media_root, programme_team_member, pto_r_member
):
    monitor = monitor_request(period=QUARTER, by=programme_team_member)
    sign_in(client, pto_r_member)
    response = client.get(reverse("monitoring:monitor_download", kwargs={"pk": monitor.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "kwartaalmonitor-2026-Q3-v1.pdf" in response["Content-Disposition"]
    entry = AccessLog.objects.get(user=pto_r_member)
    assert entry.action == AccessLog.Action.DOWNLOAD
    assert entry.object_type == "monitoring.monitor"


def test_a_regisseur_may_not_see_or_download_monitors(
    today, client, media_root, programme_team_member
):
    monitor = monitor_request(period=QUARTER, by=programme_team_member)
    sign_in(client, user_with_role(Role.REGISSEUR))
    assert client.get(reverse("monitoring:monitors")).status_code == 403
    assert (
        client.get(reverse("monitoring:monitor_download", kwargs={"pk": monitor.pk})).status_code
        == 403
    )


def test_the_monitor_list_takes_the_same_queries_for_few_and_many_runs(
    today, client, programme_team_member
):
    def runs(quarter: str, n: int) -> None:
        for version in range(1, n + 1):
            Monitor.objects.create(
                period_code=quarter,
                version=version,
                requested_by=UserFactory(),
                status=Monitor.Status.FAILED,
                error="x",
            )

    sign_in(client, programme_team_member)
    runs("2026-Q1", 2)
    client.get(reverse("monitoring:monitors"))
    with count_queries() as few:
        client.get(reverse("monitoring:monitors"))
    runs("2026-Q2", 20)
    with count_queries() as many:
        client.get(reverse("monitoring:monitors"))
    assert_same_query_count(few, many, what="the monitor list")
