"""Webhook deliveries: signed, retried with backoff, failed with the answer kept."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from api.models import WebhookDelivery
from api.services import webhooks_dispatch
from api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.factories import CaseFactory

# The feed serves only transactions older than every open one in the cluster: run alone.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


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
        assert delivery.response_code == 500 and delivery.response_body == "kapot"
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
