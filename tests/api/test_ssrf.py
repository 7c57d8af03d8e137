"""Webhooks cannot reach inside: a URL that leads to an internal address is refused
when a client subscribes, and a name that has moved inside since is not contacted
at delivery. Internal receivers only through IPGAR_WEBHOOK_ALLOWED_HOSTS."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import requests
from celery.exceptions import Retry

from api.models import ChangeEvent, WebhookDelivery, WebhookSubscription
from api.problems import PROBLEM_CONTENT_TYPE
from api.tasks import deliver_webhook
from api.webhook_targets import (
    WEBHOOK_URL_INTERNAL,
    WEBHOOK_URL_SCHEME,
    WEBHOOK_URL_UNRESOLVED,
    WEBHOOK_URL_USERINFO,
    PinnedAddressAdapter,
    WebhookTargetRefused,
    webhook_url_check,
)
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a public address; nothing here ever connects to it
REFUSALS = {str(m) for m in (WEBHOOK_URL_INTERNAL, WEBHOOK_URL_SCHEME, WEBHOOK_URL_USERINFO)}

# The ten internal targets the probe got accepted, and their relatives.
INTERNAL_TARGETS = [
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://127.0.0.1@169.254.169.254/",  # user info that looks like the host
    "https://[::ffff:a9fe:a9fe]/",  # IPv4-mapped metadata address
    "http://[::1]:8000/",  # IPv6 loopback
    "https://localhost/",  # a name that resolves to loopback
    "https://127.0.0.1:6379/",  # loopback (Redis)
    "https://10.1.2.3/",  # private
    "https://192.168.0.1/admin",  # private
    "https://[fd12:3456::1]/",  # unique-local
    "https://0.0.0.0/",  # unspecified
]
MORE_INTERNAL_TARGETS = [
    "https://[fe80::1]/",  # IPv6 link-local
    "https://172.16.0.1/",  # private
    "https://100.64.0.1/",  # shared address space (carrier NAT)
    "https://224.0.0.251/",  # multicast
    "https://[ff02::1]/",  # IPv6 multicast
    "https://240.0.0.1/",  # reserved
    "https://[::]/",  # IPv6 unspecified
    "https://[::127.0.0.1]/",  # IPv4-compatible loopback
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
    "https://[2002:7f00:1::]/",  # 6to4 of loopback
    "https://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "https://user:secret@hooks.example.org/",  # credentials in the URL
    "http://hooks.example.org/",  # plain http to a public name
    "ftp://hooks.example.org/",
]


Answer = list[str] | Callable[[], list[str]]


@pytest.fixture
def resolver(monkeypatch) -> dict[str, Answer]:
    """Names this test decides: each resolves as the dict says (a list of addresses, or
    a function giving one per lookup); every other name resolves as usual."""
    names: dict[str, Answer] = {"hooks.example.org": [PUBLIC]}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host in names:
            answer = names[host]
            infos = []
            for address in answer() if callable(answer) else answer:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, port or 0, 0, 0) if ":" in address else (address, port or 0)
                infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return infos
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


class Listener:
    """A TCP server on loopback that only counts the connections it accepts: a
    delivery that reaches it, in any protocol, counts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def subscribe(api, url: str):
    return api.post("/api/v1/webhooks/", {"url": url, "resources": ["cases"]}, format="json")


@pytest.mark.parametrize("url", INTERNAL_TARGETS + MORE_INTERNAL_TARGETS)
def test_an_internal_target_is_refused_at_subscription(api, resolver, url):
    response = subscribe(api, url)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["url"]
    assert errors[0]["message"] in REFUSALS, errors
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", INTERNAL_TARGETS + MORE_INTERNAL_TARGETS)
def test_the_check_itself_refuses_every_internal_form(resolver, url):
    """Also the forms the serializer's URL syntax check would refuse before it."""
    with pytest.raises(WebhookTargetRefused):
        webhook_url_check(url)


@pytest.mark.parametrize(
    "url", ["https://2130706433/", "https://0x7f000001/", "https://127.1/", "https://localhost./"]
)
def test_other_spellings_of_loopback_are_refused(url):
    with pytest.raises(WebhookTargetRefused) as refused:
        webhook_url_check(url)
    assert refused.value.message_dict["url"] == [str(WEBHOOK_URL_INTERNAL)]


def test_a_name_that_resolves_to_loopback_is_refused(api, resolver):
    resolver["hooks.example.org"] = [PUBLIC, "127.0.0.1"]  # one inside is enough
    response = subscribe(api, "https://hooks.example.org/ipgar")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == str(WEBHOOK_URL_INTERNAL)
    assert not WebhookSubscription.objects.exists()


def test_a_name_that_does_not_resolve_is_refused(api, resolver):
    resolver["hooks.example.org"] = []
    response = subscribe(api, "https://hooks.example.org/ipgar")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == str(WEBHOOK_URL_UNRESOLVED)


def test_a_public_https_target_is_accepted(api, resolver):
    response = subscribe(api, "https://hooks.example.org:8443/ipgar")
    assert response.status_code == 201, response.json()
    assert WebhookSubscription.objects.get().token is not None


def test_an_allow_listed_internal_receiver_is_accepted(api, settings):
    settings.IPGAR_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    assert subscribe(api, "http://127.0.0.1:8080/hook").status_code == 201
    # The allow-list names hosts, not addresses: another loopback spelling stays refused.
    assert subscribe(api, "http://localhost:8080/hook").status_code == 400


def pending_delivery(api, url: str) -> WebhookDelivery:
    assert subscribe(api, url).status_code == 201
    CaseFactory()
    return WebhookDelivery.objects.create(
        subscription=WebhookSubscription.objects.get(),
        event=ChangeEvent.objects.filter(resource="cases").latest("id"),
    )


def test_a_name_that_moved_inside_after_subscribing_is_not_contacted(
    api, resolver, listener: Listener
):
    delivery = pending_delivery(api, f"https://hooks.example.org:{listener.port}/ipgar")
    resolver["hooks.example.org"] = ["127.0.0.1"]  # DNS changed since the subscription
    with pytest.raises(Retry):  # a task run directly raises its retry
        deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert listener.accepted == 0
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.response_code is None
    assert delivery.error == "WebhookTargetRefused"


def test_a_delivery_connects_to_the_address_it_checked(api, resolver, settings, listener):
    """One lookup: the address approved is the address connected to, even when the
    name would resolve elsewhere a moment later (DNS rebinding)."""
    settings.IPGAR_WEBHOOK_ALLOWED_HOSTS = ["receiver.internal"]
    # The subscription's check and the delivery's check see the listener; any later
    # lookup gets another loopback address, where nothing listens.
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])
    resolver["receiver.internal"] = lambda: next(answers, ["127.0.0.2"])
    delivery = pending_delivery(api, f"http://receiver.internal:{listener.port}/hook")
    with pytest.raises(Retry):  # the listener hangs up without an answer
        deliver_webhook(delivery.pk)
    assert listener.accepted == 1


def test_tls_goes_to_the_checked_address_under_the_url_name():
    adapter = PinnedAddressAdapter(address=PUBLIC, hostname="hooks.example.org")
    request = requests.Request("POST", "https://hooks.example.org:8443/x").prepare()
    host, pool = adapter.build_connection_pool_key_attributes(request, True)
    assert (host["host"], host["port"]) == (PUBLIC, 8443)
    assert pool["server_hostname"] == pool["assert_hostname"] == "hooks.example.org"


def test_the_redirect_to_the_inside_is_not_followed(api, settings):
    """A receiver answering 302 to the metadata address gets its 302 recorded, no more."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.IPGAR_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    try:
        delivery = pending_delivery(api, f"http://127.0.0.1:{server.server_address[1]}/hook")
        with pytest.raises(Retry):
            deliver_webhook(delivery.pk)
    finally:
        server.shutdown()
        server.server_close()
    delivery.refresh_from_db()
    assert hits == ["/hook"]
    assert delivery.response_code == 302
