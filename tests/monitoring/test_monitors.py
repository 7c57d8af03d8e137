"""Monitor runs: versions, idempotent runs, failures shown with their error, the
'<5' suppression, the pages and the download; with Redis down, a Dutch error."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from kombu import pools as kombu_pools

from accounts.models import Organisation
from accounts.roles import Role
from audit.models import AccessLog
from cases.selectors.deadlines import DeadlineKind, deadlines
from cases.selectors.figures import cases_per_phase
from ipgar.celery import app as celery_app
from kernel.errors import RuleViolation
from kernel.quarters import Quarter
from monitoring import services
from monitoring.models import Monitor
from monitoring.selectors import SUPPRESSED, monitor_figures, suppress
from monitoring.services.monitors import (
    MONITOR_BROKER_DOWN,
    MONITOR_ONLY_PROGRAMME_TEAM,
    monitor_render,
    monitor_request,
    scheduled_run_id,
)
from monitoring.tasks import monitor_generate, monitor_quarterly
from pool.models import Region
from tests.conftest import sign_in
from tests.factories import CaseFactory, OrganisationFactory, RegisseurFactory, UserFactory
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
    assert [suppress(n) for n in (0, 1, 4, 5, 17)] == [SUPPRESSED] * 3 + [5, 17]
    assert SUPPRESSED == "<5"


def test_counts_per_kernpartner_and_region_below_five_read_less_than_five(today):
    small_pool()
    figures = monitor_figures(quarter=Quarter.of(today))
    sections = {s["organisation"]: s for s in figures["kernpartners"]}
    assert sections["OOV"]["cases"] == 6
    assert sections["OOV"]["per_phase"] == {"1": SUPPRESSED, "2": 6, "3": SUPPRESSED}
    assert sections["OOV"]["phase2_cases"] == 6
    # GGD's two cases: the count is hidden, and so is every figure that would give it away.
    assert sections["GGD"]["cases"] == SUPPRESSED
    assert sections["GGD"]["per_phase"] == {"1": SUPPRESSED, "2": SUPPRESSED, "3": SUPPRESSED}
    assert sections["GGD"]["uvo_on_time"] == sections["GGD"]["plans_running"] == SUPPRESSED
    assert [r["cases"] for r in figures["regions"]] == [8]
    # The totals for the whole approach are not broken down, so they stand.
    assert figures["summary"]["open_cases"] == 8


def test_the_monitor_and_the_dashboard_count_open_cases_per_kernpartner_alike(today):
    """Per kernpartner and per region, the monitor's open cases per phase are the
    dashboard's figure (cases_per_phase filtered on the organisation or region)."""
    small_pool()
    CaseFactory(exited=True)  # an exited case counts nowhere
    figures = monitor_figures(quarter=Quarter.of(today))
    for section in figures["kernpartners"]:
        organisation = Organisation.objects.get(name=section["organisation"])
        dashboard = cases_per_phase(organisation=organisation)
        assert section["per_phase"] == {str(p): suppress(n) for p, n in dashboard.items()}
        assert section["cases"] == suppress(sum(dashboard.values()))
    for row in figures["regions"]:
        dashboard = cases_per_phase(region=Region.objects.get(name=row["region"]))
        assert row["per_phase"] == {str(p): suppress(n) for p, n in dashboard.items()}
    assert figures["summary"]["per_phase"] == {str(p): n for p, n in cases_per_phase().items()}
    assert figures["summary"]["open_cases"] == sum(cases_per_phase().values()) == 8


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
    assert oov["uvo_on_time"] == suppress(summary["uvo"]["on_time"])  # all six are OOV's


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
