"""Webhook deliveries: signed, retried with backoff, failed with only the status code
kept, and stopped when the client's token is revoked or the client deactivated."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from accounts.models import ApiToken
from accounts.tokens import api_token_revoke
from api.models import WebhookDelivery, WebhookSubscription
from api.services import webhooks_dispatch
from api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.factories import CaseFactory

# The feed serves only transactions older than every open one in the cluster: run alone.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


@pytest.fixture(autouse=True)
def _receivers_on_loopback_are_allow_listed(settings) -> None:
    """The test receivers listen on 127.0.0.1, an internal address: only the operator's
    allow-list lets a webhook go there (tests/api/test_ssrf.py checks the refusal)."""
    settings.IPGAR_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


class Receiver:
    """A real HTTP server on loopback that checks each signature as a client would."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.received: list[dict] = []
        self.secret = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(
                    secret=outer.secret,
                    timestamp=self.headers[TIMESTAMP_HEADER],
                    signature=self.headers[SIGNATURE_HEADER],
                    body=body,
                    tolerance=settings.API_WEBHOOK_TOLERANCE_SECONDS,
                )
                outer.received.append({"valid": ok, "body": json.loads(body)})
                self.send_response(outer.status if ok else 401)
                self.end_headers()
                self.wfile.write(b"ontvangen" if outer.status < 300 else b"kapot")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(api, receiver: Receiver) -> dict:
    response = api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "resources": ["cases"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    receiver.secret = response.json()["secret"]
    return response.json()


def test_deliveries_are_signed_and_marked_delivered(api, receiver):
    subscribe(api, receiver)
    case = CaseFactory()
    assert webhooks_dispatch() == 1
    assert [r["valid"] for r in receiver.received] == [True]
    assert receiver.received[0]["body"]["event"]["object_id"] == case.pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.response_code == 204
    assert webhooks_dispatch() == 0  # each event once


def test_a_tampered_or_old_delivery_does_not_verify():
    body = b'{"a":1}'
    from api.signing import sign

    signature = sign(secret="s", timestamp=1000, body=body)
    assert verify(
        secret="s", timestamp="1000", signature=signature, body=body, tolerance=300, now=1100
    )
    assert not verify(
        secret="s", timestamp="1000", signature=signature, body=b'{"a":2}', tolerance=300, now=1100
    )
    assert not verify(
        secret="s", timestamp="1000", signature=signature, body=body, tolerance=300, now=5000
    )


def test_a_failing_receiver_is_retried_then_marked_failed(api):
    from ipgar.celery import app

    failing = Receiver(status=500)
    # Eager tasks re-run a retry at once instead of raising it out of .delay().
    app.conf.task_eager_propagates = False
    try:
        subscribe(api, failing)
        CaseFactory()
        webhooks_dispatch()
        delivery = WebhookDelivery.objects.get()
        from api.tasks import MAX_ATTEMPTS

        assert delivery.status == WebhookDelivery.Status.FAILED
        assert delivery.attempts == MAX_ATTEMPTS == len(failing.received)
        assert delivery.response_code == 500
        # The receiver's body is not ours to keep: not stored, not shown.
        assert "response_body" not in {f.name for f in WebhookDelivery._meta.get_fields()}
        listed = api.get("/api/v1/webhook-deliveries/")
        assert listed.status_code == 200
        assert b"kapot" not in listed.content
        assert "response_body" not in listed.json()["results"][0]
    finally:
        app.conf.task_eager_propagates = True
        failing.close()


def test_programme_team_sees_deliveries(api, receiver, client):
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    subscribe(api, receiver)
    CaseFactory()
    webhooks_dispatch()
    oov = UserFactory()
    oov.groups.add(Group.objects.get(name=Role.PROGRAMME_TEAM.value))
    sign_in(client, oov)
    response = client.get("/api/v1/webhook-deliveries/")
    assert response.status_code == 200
    assert [d["status"] for d in response.json()["results"]] == ["delivered"]


def test_a_refused_connection_records_only_the_class_of_the_error(api):
    closed = Receiver()
    subscribe(api, closed)
    closed.close()  # nothing listens on its port any more
    from ipgar.celery import app

    app.conf.task_eager_propagates = False
    try:
        CaseFactory()
        webhooks_dispatch()
    finally:
        app.conf.task_eager_propagates = True
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error == "ConnectionError"  # no address, no port, no message


def test_a_revoked_token_stops_deliveries(api, receiver):
    subscribe(api, receiver)
    api_token_revoke(token=ApiToken.objects.get(), by=None)
    CaseFactory()
    assert webhooks_dispatch() == 0
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def pending_after_dispatch(api, receiver, monkeypatch) -> WebhookDelivery:
    """A delivery queued while the subscription was live, whose job has not run yet."""
    from api.tasks import deliver_webhook

    subscribe(api, receiver)
    monkeypatch.setattr(deliver_webhook, "delay", lambda *args: None)
    CaseFactory()
    assert webhooks_dispatch() == 1
    monkeypatch.undo()
    return WebhookDelivery.objects.get(status=WebhookDelivery.Status.PENDING)


def test_a_pending_delivery_is_dropped_when_the_token_is_revoked(api, receiver, monkeypatch):
    from api.tasks import deliver_webhook

    delivery = pending_after_dispatch(api, receiver, monkeypatch)
    api_token_revoke(token=ApiToken.objects.get(), by=None)
    assert deliver_webhook(delivery.pk) == WebhookDelivery.Status.DROPPED
    delivery.refresh_from_db()
    assert receiver.received == []
    assert delivery.status == WebhookDelivery.Status.DROPPED
    assert delivery.error == WebhookSubscription.StopReason.TOKEN_REVOKED
    assert delivery.attempts == 0


def test_deactivating_the_client_drops_what_is_pending_and_sends_nothing_new(
    api, receiver, sync_user, monkeypatch
):
    pending_after_dispatch(api, receiver, monkeypatch)
    sync_user.is_active = False
    sync_user.save(update_fields=["is_active"])
    CaseFactory()
    assert webhooks_dispatch() == 0  # and the sweep drops the job that never ran
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DROPPED
    assert delivery.error == WebhookSubscription.StopReason.CLIENT_INACTIVE
