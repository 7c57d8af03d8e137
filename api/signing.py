"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the
subscription's secret. Receivers recompute it and refuse old timestamps."""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Ipgar-Timestamp"
SIGNATURE_HEADER = "X-Ipgar-Signature"
SIGNATURE_PREFIX = "sha256="


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    secret: str,
    timestamp: str,
    signature: str,
    body: bytes,
    tolerance: int,
    now: float | None = None,
) -> bool:
    """What a receiver does: a recent timestamp and a matching signature."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=sent_at, body=body), signature)
