"""Encryption at rest of the stored documents (the ``cryptography`` library).

Each stored file has its own random 256-bit key. The file is encrypted with AES-GCM in
chunks of ``CHUNK_SIZE`` bytes, so neither writing nor reading ever holds the whole file
in memory; every chunk is authenticated together with its position and whether it is the
last one, so a chunk changed, moved, dropped or cut off is refused when read. The file's
key is stored in the database wrapped (encrypted) by the master key: the
DOCUMENTS_ENCRYPTION_KEY setting, a list of Fernet keys of which the first wraps new keys
and every one unwraps (``MultiFernet``). A stolen media volume or backup is ciphertext
only; a stolen database holds only wrapped keys.

Rotation (docs/documents.md): put a new key first in DOCUMENTS_ENCRYPTION_KEY, keep the
old ones after it, run ``manage.py documents_rotate_keys`` (it re-wraps every file key with
the new key; ``--reencrypt`` also gives every file a new key and rewrites it), then drop
the old keys.

File layout: ``MAGIC`` (10 bytes), an 8-byte random nonce prefix, then records of a 4-byte
big-endian length and that many bytes of ciphertext (chunk plus 16-byte tag). The nonce
of chunk i is the prefix followed by i as 4 bytes.
"""

from __future__ import annotations

import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"IPGARDOC1\n"
NONCE_PREFIX_BYTES = 8
CHUNK_SIZE = 64 * 1024
TAG_BYTES = 16
LENGTH = struct.Struct(">I")


class DecryptionError(Exception):
    """The stored file is not what was written: changed, cut off, or another key's."""


def master_key() -> MultiFernet:
    keys = [k.strip() for k in settings.DOCUMENTS_ENCRYPTION_KEY if k.strip()]
    if not keys:
        raise ImproperlyConfigured(
            "DOCUMENTS_ENCRYPTION_KEY is empty: set one or more Fernet keys (comma-separated)."
        )
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "DOCUMENTS_ENCRYPTION_KEY holds a malformed key: each is a Fernet key "
            "(32 url-safe base64-encoded bytes, e.g. from Fernet.generate_key())."
        ) from exc


def new_file_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(key: bytes) -> bytes:
    return master_key().encrypt(key)


def unwrap_key(wrapped: bytes) -> bytes:
    try:
        return master_key().decrypt(bytes(wrapped))
    except InvalidToken as exc:
        raise DecryptionError(
            "the file key cannot be unwrapped with DOCUMENTS_ENCRYPTION_KEY"
        ) from exc


def rewrap_key(wrapped: bytes) -> bytes:
    """The file key wrapped by the first (newest) master key."""
    try:
        return master_key().rotate(bytes(wrapped))
    except InvalidToken as exc:
        raise DecryptionError(
            "the file key cannot be unwrapped with DOCUMENTS_ENCRYPTION_KEY"
        ) from exc


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">IB", index, 1 if last else 0)


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` cut into pieces of CHUNK_SIZE (the last may be shorter)."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= CHUNK_SIZE:
            yield bytes(buffer[:CHUNK_SIZE])
            del buffer[:CHUNK_SIZE]
    if buffer:
        yield bytes(buffer)


def encrypt_to(chunks: Iterable[bytes], out: BinaryIO, key: bytes) -> None:
    """Write ``chunks`` (plaintext) to ``out`` encrypted, one chunk in memory at a time."""
    aead = AESGCM(key)
    prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
    out.write(MAGIC + prefix)
    index = 0
    pending: bytes | None = None

    def emit(data: bytes, last: bool) -> None:
        sealed = aead.encrypt(prefix + struct.pack(">I", index), data, _aad(index, last))
        out.write(LENGTH.pack(len(sealed)) + sealed)

    for chunk in _rechunk(chunks):
        if pending is not None:
            emit(pending, last=False)
            index += 1
        pending = chunk
    emit(pending or b"", last=True)


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise DecryptionError("the stored file is cut off")
    return data


def decrypt_from(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk; DecryptionError when any
    chunk fails its authentication or the file ends before its last chunk."""
    aead = AESGCM(key)
    if _read_exactly(source, len(MAGIC)) != MAGIC:
        raise DecryptionError("not an ipgar document file")
    prefix = _read_exactly(source, NONCE_PREFIX_BYTES)
    index = 0
    header = source.read(LENGTH.size)
    while True:
        if len(header) != LENGTH.size:
            raise DecryptionError("the stored file is cut off")
        (length,) = LENGTH.unpack(header)
        if length < TAG_BYTES or length > CHUNK_SIZE + TAG_BYTES:
            raise DecryptionError("malformed chunk")
        sealed = _read_exactly(source, length)
        header = source.read(LENGTH.size)
        last = not header
        try:
            yield aead.decrypt(prefix + struct.pack(">I", index), sealed, _aad(index, last))
        except Exception as exc:  # cryptography's InvalidTag
            raise DecryptionError("a chunk failed its authentication") from exc
        if last:
            return
        index += 1


def write_encrypted(chunks: Iterable[bytes], path: os.PathLike[str] | str, key: bytes) -> None:
    """Encrypt ``chunks`` into a new file at ``path``: written under a temporary name and
    moved into place whole, so a failure never leaves half a file under ``path``."""
    partial = f"{os.fspath(path)}.partial"
    try:
        with open(partial, "xb") as out:
            encrypt_to(chunks, out, key)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
