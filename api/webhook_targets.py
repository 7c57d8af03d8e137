"""Where a webhook may be sent, and the one way to send it.

A webhook URL is chosen by a sync client, so without care it is a way to make this
server send requests inside its own network (cloud metadata, Redis, the admin on
loopback). Every URL is therefore parsed here, its host resolved, and every address
it resolves to must be a public one: not loopback, private, link-local, unique-local,
multicast, reserved or unspecified, nor an IPv6 form that embeds such an IPv4 address
(IPv4-mapped, IPv4-compatible, 6to4, NAT64). This happens when a client subscribes
and again right before every delivery, because a name that was public then may point
inside later.

Decisions (docs/adr/0005-sync-api.md describes the webhooks themselves):
- HTTPS only. A receiver inside the network is possible only when the operator names
  its host in ``IPGAR_WEBHOOK_ALLOWED_HOSTS``; such a host may use http:// and resolve
  to an internal address.
- Any port is accepted. What keeps requests out of the internal network is the
  address check; a public receiver on 8443 is common and harmless.
- No user name or password in the URL: clients verify our signature, not we theirs,
  and ``user@host`` is a classic way to make a reader misjudge the host.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

WEBHOOK_URL_INVALID = _("Dit is geen geldig webhookadres.")
WEBHOOK_URL_SCHEME = _("Een webhookadres begint met https://.")
WEBHOOK_URL_USERINFO = _("Een webhookadres mag geen gebruikersnaam of wachtwoord bevatten.")
WEBHOOK_URL_UNRESOLVED = _("De naam in dit webhookadres is niet te vinden.")
WEBHOOK_URL_INTERNAL = _(
    "Dit webhookadres wijst naar een intern of gereserveerd netwerkadres; "
    "webhooks gaan alleen naar openbare adressen."
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"https": 443, "http": 80}
# IPv6 prefixes that carry an IPv4 address in their last 32 bits and reach it when routed.
NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class WebhookTargetRefused(ValidationError):
    """A webhook URL that may not be contacted; its class name is what a delivery records."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__({"url": message}, code=code)


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    scheme: str
    host: str
    port: int
    # The Host header: the name as the client wrote it, with a non-default port.
    host_header: str
    # An operator-listed internal receiver: http:// and internal addresses allowed.
    allow_listed: bool


def _allowed_hosts() -> set[str]:
    return {h.strip().lower().rstrip(".") for h in settings.IPGAR_WEBHOOK_ALLOWED_HOSTS if h}


def webhook_target(url: str) -> WebhookTarget:
    """Parse ``url`` as a webhook target; WebhookTargetRefused when it may not be one."""
    # Whitespace, control characters and backslashes are read differently by different
    # URL parsers; refusing them keeps what we check the same as what we contact.
    if not url or any(c.isspace() or ord(c) < 32 or c == "\\" for c in url):
        raise WebhookTargetRefused(WEBHOOK_URL_INVALID, code="invalid")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookTargetRefused(WEBHOOK_URL_INVALID, code="invalid") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise WebhookTargetRefused(WEBHOOK_URL_SCHEME, code="scheme")
    if "@" in parts.netloc:
        raise WebhookTargetRefused(WEBHOOK_URL_USERINFO, code="userinfo")
    allow_listed = host in _allowed_hosts()
    if scheme != "https" and not allow_listed:
        raise WebhookTargetRefused(WEBHOOK_URL_SCHEME, code="scheme")
    port = port or DEFAULT_PORTS[scheme]
    name = f"[{host}]" if ":" in host else host
    host_header = name if port == DEFAULT_PORTS[scheme] else f"{name}:{port}"
    return WebhookTarget(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        host_header=host_header,
        allow_listed=allow_listed,
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, for the forms that embed one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in prefix for prefix in NAT64_PREFIXES) or (
        address in IPV4_COMPATIBLE and int(address) > 1
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_internal(address: IPAddress) -> bool:
    """True for every address that is not plainly a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and address_is_internal(embedded):
            return True
        if address.is_site_local:
            return True
    # is_global is False for loopback, private, link-local, unique-local, shared (CGNAT),
    # documentation, benchmarking, reserved and unspecified ranges (IANA's special-purpose
    # registries); the explicit checks keep the rule readable and cover multicast, which
    # can be "global".
    return (
        not address.is_global
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    )


def webhook_addresses(target: WebhookTarget) -> list[IPAddress]:
    """Resolve the target's host; WebhookTargetRefused when any address is internal
    (unless the host is allow-listed) or the name does not resolve."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookTargetRefused(WEBHOOK_URL_UNRESOLVED, code="unresolved") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise WebhookTargetRefused(WEBHOOK_URL_UNRESOLVED, code="unresolved")
    # One internal address is enough to refuse: a name that resolves both inside and
    # outside is either misconfigured or an attempt to win a race between the two.
    if not target.allow_listed and any(address_is_internal(a) for a in addresses):
        raise WebhookTargetRefused(WEBHOOK_URL_INTERNAL, code="internal")
    return addresses


def webhook_url_check(url: str) -> WebhookTarget:
    """The check at subscription: the URL parses and every address it resolves to is public."""
    target = webhook_target(url)
    webhook_addresses(target)
    return target


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to one already-checked address, whatever the name resolves to now.

    TLS still uses the URL's host name for SNI and certificate verification, and the
    Host header carries it, so the receiver sees an ordinary request for its name.
    """

    def __init__(self, *, address: str, hostname: str) -> None:
        self.address = address
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host_params["host"] = self.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to ``url`` after checking it again, to the address just checked;
    returns the answer's status code (the body is not even read).

    Checking and then letting the HTTP library resolve the name a second time would
    leave a window in which the name can be pointed inside (DNS rebinding with a short
    TTL). So the connection goes to the address this check resolved and approved; the
    name is used only for TLS and the Host header. Redirects are not followed, and no
    proxy or credentials come from the environment.
    """
    target = webhook_target(url)
    address = webhook_addresses(target)[0]
    with requests.Session() as session:
        session.trust_env = False
        adapter = PinnedAddressAdapter(address=str(address), hostname=target.host)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        with session.post(
            url,
            data=body,
            headers={**headers, "Host": target.host_header},
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            return response.status_code
