"""The ETag of a representation, shared by the API and its clients (sync_client/mirror.py).

An object's ETag is the hash of its representation as any answer shows it (a list
page or the object on its own), so a client holding a list page can send If-Match
without reading each object first. Plain Python: a client needs no Django.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def etag_for(data: Any) -> str:
    """A strong ETag: the hash of the representation (it includes ``revision`` where the
    model has one, and a case's revision moves with everything that belongs to it)."""
    raw = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return etag_for_body(raw)


def etag_for_body(body: bytes) -> str:
    """A strong ETag of an answer as sent: a list page's (its objects' own ETags are
    ``etag_for`` each; encoding the whole page a second time to hash it would cost
    as much as sending it)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
