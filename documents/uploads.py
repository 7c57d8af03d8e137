"""The file name of an upload as the client sent it.

Django's multipart parser cuts any folder off a file's name before an upload handler or
a view sees it (``MultiPartParser.sanitize_file_name``), so ``..\\x.pdf`` arrives as
``x.pdf``. An upload whose name carries a path is refused instead (docs/rules.md
R-DOC-1): the first upload handler parses the body itself (Django lets the first handler
that answers ``handle_raw_input`` do the parse) with a parser that remembers each
name as sent, hands every file to the other handlers as Django would, and leaves the
names on the request. The body is streamed as before: nothing more is held in memory.
"""

from __future__ import annotations

import html
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser

RAW_NAMES = "raw_file_names"


class RawFileNameParser(MultiPartParser):
    """Django's parser, remembering the names as sent: {name as Django keeps it: as sent}."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_file_names: dict[str, str] = {}

    def sanitize_file_name(self, file_name: str) -> str | None:
        sanitized: str | None = super().sanitize_file_name(file_name)
        if sanitized:
            self.raw_file_names[sanitized] = html.unescape(file_name)
        return sanitized


class RawFileNameUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: parses with ``RawFileNameParser`` and the handlers
    after it, and keeps the names as sent on the request."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[Any, Any] | None:
        if self.request is None:
            return None
        others = [handler for handler in self.request.upload_handlers if handler is not self]
        parser = RawFileNameParser(META, input_data, others, encoding)
        result = parser.parse()
        setattr(self.request, RAW_NAMES, parser.raw_file_names)
        return result

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # never reached: the parse above hands the data to the others

    def file_complete(self, file_size: int) -> None:
        return None


def client_file_name(request: HttpRequest, upload: UploadedFile) -> str:
    """The name ``upload`` had in the request, folders and all."""
    name = upload.name or ""
    return getattr(request, RAW_NAMES, {}).get(name, name)
