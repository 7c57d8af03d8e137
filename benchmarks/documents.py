"""Upload (with the clamd scan and the encryption) and download of a case document over
HTTP against the served app, and the memory the serving workers took for it.

``measure`` posts a PDF of ``size`` bytes through the upload page ``rounds`` times as the
case's regisseur (each a new document: scanned by clamd, encrypted, stored) and downloads
each version again (decrypted, streamed); it reports p50/p95 of both and the workers' peak
resident memory (VmHWM) before and after, so a whole-file read of the upload or the
download would show as growth of about the file's size.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

import requests

CSRF = "b" * 32  # an unmasked secret: cookie and header carry the same value
UPLOAD_TIMEOUT = 300


def pdf_of(size: int) -> bytes:
    """A PDF-shaped file of ``size`` bytes that the type check and the scanner take."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Title (benchmark) >>\nendobj\n"
    tail = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    filler = size - len(head) - len(tail) - 1
    # Random bytes, so neither the scanner nor the disk sees a file of one repeated byte.
    return head + b"%" + secrets.token_bytes(max(filler, 0)) + tail


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _workers(base: str) -> list[int]:
    """The gunicorn workers serving ``base``: children of the master bound to its port."""
    port = base.rsplit(":", 1)[1]
    masters, workers = set(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "gunicorn" in cmdline and f"127.0.0.1:{port}" in cmdline:
            masters.add(entry.name)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = re.search(r"^PPid:\s+(\d+)", status, re.M)
        if parent and parent.group(1) in masters:
            workers.append(int(entry.name))
    return workers


def _memory_mb(pids: list[int], field: str) -> float:
    """The largest ``field`` (VmRSS, VmHWM) among ``pids``, in MB."""
    largest = 0
    for pid in pids:
        try:
            found = re.search(
                rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M
            )
        except OSError:
            continue
        if found:
            largest = max(largest, int(found.group(1)))
    return round(largest / 1024, 1)


def measure(*, base: str, session: str, case_id: int, size: int, rounds: int) -> dict[str, Any]:
    from documents.models import DocumentVersion

    workers = _workers(base)
    before_hwm = _memory_mb(workers, "VmHWM")
    http = requests.Session()
    http.cookies.set("sessionid", session)
    http.cookies.set("csrftoken", CSRF)
    content = pdf_of(size)
    upload_url = f"{base}/casussen/{case_id}/documenten/nieuw/"
    uploads: list[float] = []
    downloads: list[float] = []
    failures = 0
    for number in range(rounds):
        started = time.perf_counter()
        answer = http.post(
            upload_url,
            data={
                "title": f"Benchmark {number}",
                "kind": "rapportage",
                "date": "2026-01-05",
                "confidentiality": "intern",
            },
            files={"file": (f"benchmark-{number}.pdf", content, "application/pdf")},
            headers={"X-CSRFToken": CSRF, "Referer": upload_url},
            allow_redirects=False,
            timeout=UPLOAD_TIMEOUT,
        )
        uploads.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 302:
            failures += 1
            continue
        version = (
            DocumentVersion.objects.filter(
                document__case_id=case_id, document__title=f"Benchmark {number}"
            )
            .select_related("document")
            .latest("pk")
        )
        url = (
            f"{base}/casussen/{case_id}/documenten/{version.document_id}"
            f"/versie/{version.pk}/download/"
        )
        started = time.perf_counter()
        received = 0
        with http.get(url, stream=True, timeout=UPLOAD_TIMEOUT) as response:
            for chunk in response.iter_content(64 * 1024):
                received += len(chunk)
        downloads.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or received != size:
            failures += 1
    return {
        "size_mib": round(size / 2**20, 1),
        "rounds": rounds,
        "failures": failures,
        "upload_p50_ms": round(statistics.median(uploads), 1),
        "upload_p95_ms": round(_percentile(uploads, 0.95), 1),
        "download_p50_ms": round(statistics.median(downloads), 1) if downloads else None,
        "download_p95_ms": round(_percentile(downloads, 0.95), 1) if downloads else None,
        "worker_peak_rss_mb_before": before_hwm,
        "worker_peak_rss_mb_after": _memory_mb(workers, "VmHWM"),
        "workers": len(workers),
    }
