"""Uploaded documents are checked by their content, never by their name or the browser's content type.

Pure: bytes in, a CheckedFile or an InvalidInput naming the "file" field out.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from django.utils.functional import Promise
from django.utils.text import format_lazy, get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from pypdf import PdfReader

from pracha.core.errors import InvalidInput

KINDS = ("pdf", "jpeg", "png")
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The IEND chunk is always the same 12 bytes: zero length, the type, and its CRC.
PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"

EMPTY = _("The selected file is empty.")
PDF_UNREADABLE = _("This PDF can’t be opened. It may be damaged or incomplete: please save or scan it again.")
PDF_ENCRYPTED = _("This PDF is protected by a password or encryption. Please upload a copy without it.")
PDF_NO_PAGES = _("This PDF has no pages.")
IMAGE_INCOMPLETE = _("This image is incomplete or damaged. Please save it or take the photo again.")


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    size: int
    pages: int | None
    sha256: str


def sniff_kind(data: bytes) -> str | None:
    """The kind ("pdf", "jpeg" or "png") told by the file's magic bytes, or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_START):
        return "jpeg"
    # At the very start (after blank bytes): readers accept a header later in the file, which lets a
    # program with a PDF tacked on after its own header pass as a PDF.
    if data.lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return "pdf"
    return None


def check_upload(
    data: bytes, *, accepted: Sequence[str], max_size_kb: int, max_pages: int | None
) -> CheckedFile:
    unknown = set(accepted) - set(KINDS)
    if unknown or not accepted:
        raise ValueError(f"accepted must be some of {KINDS}, got {list(accepted)}")
    if not data:
        _refuse(EMPTY)
    if len(data) > max_size_kb * 1024:
        _refuse(
            format_lazy(
                _("The selected file is too large. It must be {limit} or smaller."),
                limit=size_limit_text(max_size_kb),
            )
        )
    kind = sniff_kind(data)
    kinds = kinds_text(accepted)
    if kind is None:
        _refuse(
            format_lazy(
                ngettext_lazy(
                    "The file must be a {kinds}. This file is not one, whatever its name says.",
                    "The file must be a {kinds}. This file is not one of those, whatever its name says.",
                    len(accepted),
                ),
                kinds=kinds,
            )
        )
    if kind not in accepted:
        _refuse(
            format_lazy(
                _("This file is a {kind}, but this document must be a {kinds}."),
                kind=LABELS[kind],
                kinds=kinds,
            )
        )
    pages = _pdf_pages(data, max_pages) if kind == "pdf" else None
    if kind == "png" and not (data[8:16] == b"\x00\x00\x00\rIHDR" and data.endswith(PNG_IEND)):
        _refuse(IMAGE_INCOMPLETE)
    if kind == "jpeg" and not data.endswith(JPEG_END):
        _refuse(IMAGE_INCOMPLETE)
    return CheckedFile(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _pdf_pages(data: bytes, max_pages: int | None) -> int:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:
        # A parser fed arbitrary bytes can fail in any way; every failure means the same to the applicant.
        _refuse(PDF_UNREADABLE)
    if encrypted:
        _refuse(PDF_ENCRYPTED)
    if pages == 0:
        _refuse(PDF_NO_PAGES)
    if max_pages is not None and pages > max_pages:
        _refuse(
            format_lazy(
                ngettext_lazy(
                    "This PDF has {pages} pages, but this document can have at most {max_pages} page.",
                    "This PDF has {pages} pages, but this document can have at most {max_pages} pages.",
                    max_pages,
                ),
                pages=pages,
                max_pages=max_pages,
            )
        )
    return pages


def size_limit_text(kb: int) -> str:
    """5 MB, or 1536 KB when it is not a whole number of megabytes."""
    return f"{kb // 1024} MB" if kb % 1024 == 0 else f"{kb} KB"


def kinds_text(accepted: Sequence[str]) -> str | Promise:
    # In a fixed order, whatever order the caller gave: "PDF, JPEG or PNG". The lazy "or" keeps the whole
    # list lazy, so it is put into words in the language it is shown in (Django's catalogue has "or").
    return get_text_list([LABELS[kind] for kind in KINDS if kind in accepted], _("or"))


def _refuse(message: str | Promise) -> NoReturn:
    raise InvalidInput(message, fields={"file": [message]})
