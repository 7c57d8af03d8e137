"""Virus scanning by clamd over its INSTREAM protocol: a small socket client.

Why not a library: PyPI's ``clamd`` was last released in 2014, and the maintained
``clamdpy`` is a young 0.x release; the protocol ipgar needs is four lines (``zINSTREAM``,
length-prefixed chunks, a zero-length end, one answer; ``zPING`` for /healthz), so a
client of our own keeps the chunking, the time-outs and the failure modes in view.

CLAMD_ADDRESS names the daemon: ``host:port`` (TCP) or a path to its local socket
(``unix:/run/clamav/clamd.ctl`` or ``/run/clamav/clamd.ctl``). Any failure to reach it or
to get a clear answer raises ``ScannerUnavailable``: the caller refuses the upload,
never stores it unscanned.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

# clamd's own limit per INSTREAM chunk is its StreamMaxLength; small chunks keep memory flat.
SCAN_CHUNK_SIZE = 64 * 1024
MAX_REPLY_BYTES = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached, or did not answer clearly."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect() -> socket.socket:
    address = settings.CLAMD_ADDRESS.strip()
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    if not address:
        raise ScannerUnavailable("CLAMD_ADDRESS is not set")
    try:
        if address.startswith("unix:") or address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address.removeprefix("unix:"))
            return sock
        host, _, port = address.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"clamd unreachable: {exc}") from exc


def _reply(sock: socket.socket) -> str:
    data = bytearray()
    while not data.endswith(b"\0"):
        part = sock.recv(1024)
        if not part:
            break
        data += part
        if len(data) > MAX_REPLY_BYTES:
            raise ScannerUnavailable("clamd answered too much")
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    """True when clamd answers PONG."""
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except (OSError, ScannerUnavailable):
        return False


def scan_chunks(chunks: Iterable[bytes]) -> ScanResult:
    """Stream ``chunks`` to clamd and return its verdict."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), SCAN_CHUNK_SIZE):
                    piece = chunk[start : start + SCAN_CHUNK_SIZE]
                    sock.sendall(struct.pack(">I", len(piece)) + piece)
            sock.sendall(struct.pack(">I", 0))
            answer = _reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd failed during the scan: {exc}") from exc
    # "stream: OK", "stream: <signature> FOUND", or "<message> ERROR".
    verdict = answer.removeprefix("stream:").strip()
    if verdict == "OK":
        return ScanResult(clean=True)
    if verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd gave no verdict: {answer!r}")
