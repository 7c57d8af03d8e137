"""The footer a generated PDF carries when it is downloaded: who downloaded it and when
(docs/rules.md R-DOC-3), so a copy that turns up elsewhere says whose it was.

The stored file stays as it was rendered; at download a one-line page holding only the
footer is rendered by WeasyPrint for each page size in the file and merged over each
page (``pypdf``), into the bottom-left corner the generated documents keep empty
(documents/templates/documents/pdf/base.html). Uploaded files are never stamped: they
are served as they were scanned.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override
from pypdf import PageObject, PdfReader, PdfWriter

# Dutch date form: dd-mm-jjjj HH:MM.
STAMP_FORMAT = "%d-%m-%Y %H:%M"


def stamp_text(*, name: str, at: datetime.datetime) -> str:
    with override("nl"):
        return gettext("Gedownload door %(name)s op %(at)s") % {
            "name": name,
            "at": timezone.localtime(at).strftime(STAMP_FORMAT),
        }


def _footer_page(text: str, width: float, height: float) -> PageObject:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    html = (
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0 }}"
        "body { margin: 0 }"
        "p { position: absolute; left: 16mm; bottom: 9mm; margin: 0; max-width: 120mm;"
        " font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; color: #555 }"
        f"</style></head><body><p>{escape(text)}</p></body></html>"
    )
    return PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages[0]


def watermarked(pdf: bytes, *, name: str, at: datetime.datetime) -> bytes:
    """``pdf`` with ``name`` and ``at`` in the footer of every page."""
    text = stamp_text(name=name, at=at)
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    footers: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        size = (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        if size not in footers:
            footers[size] = _footer_page(text, *size)
        page.merge_page(footers[size], over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
