"""The client's address, the one value the access log and django-axes both record.

``IPGAR_TRUSTED_PROXY_COUNT`` says how many reverse proxies stand in front of the
application. Each proxy appends the address it received the request from to
``X-Forwarded-For``, so with N proxies the client is the N-th entry from the
right; whatever stands left of it the client wrote itself and may be forged.
With no proxy (the default) the header is ignored and the socket's address
(``REMOTE_ADDR``) is the client's. docs/adr/0012-audit-basis-and-client-address.md.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
SOCKET_ADDRESS = "REMOTE_ADDR"


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client behind the trusted proxies, or None without a request."""
    if request is None:
        return None
    proxies: int = settings.IPGAR_TRUSTED_PROXY_COUNT
    if proxies > 0:
        # django-ipware counts the proxies listed in the header, that is every proxy
        # but the nearest one (that one is REMOTE_ADDR). Not strict: a longer chain
        # is a client that wrote its own entries in front, which are skipped.
        forwarded, _ = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=(FORWARDED_FOR,),
            strict=False,
        )
        if forwarded is not None:
            return forwarded
        # Fewer entries than proxies: the request reached an inner proxy directly;
        # the nearest hop is the one address known to be true.
    address, _ = get_client_ip(request, request_header_order=(SOCKET_ADDRESS,))
    return address
