"""Licences, certificates and e-receipts as printable A4 PDFs, in Thai or in English.

A PDF is rendered once, when the document is signed, so it prints only what never changes: no
"pending" or "revoked". Whoever holds it checks its current status at the address of its QR code.
"""

import datetime
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from fontTools.ttLib import woff2

from pracha.core.thai_dates import format_date
from pracha.core.thai_ids import format_thai_id
from pracha.documents.models import Document

# WeasyPrint mixes up glyphs when one family has two faces split by unicode-range (Latin comes out
# as garbage), so each subset of Sarabun gets a family of its own and the CSS lists both.
THAI_RANGE = "U+0E01-0E5B, U+200C-200D, U+25CC"
LATIN_RANGE = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
    "U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
)
SUBSETS = (("Sarabun Thai", "thai", THAI_RANGE), ("Sarabun Latin", "latin", LATIN_RANGE))
WEIGHTS = (400, 700)

LANGUAGES = ("th", "en")
TEMPLATES: dict[str, str] = {Document.Kind.RECEIPT: "documents/pdf/receipt.html"}
OUTCOME_TEMPLATE = "documents/pdf/licence.html"

# The same words as the payments app uses for its channels, so they share one translation.
CHANNELS = {"promptpay": _("PromptPay"), "counter": _("Cash at the counter")}

# Error correction M: a printed code still scans with a crease or a stain across it.
QR_ERROR = "m"


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    url: str
    unicode_range: str
    # The face unpacked to plain TrueType once per process: unpacking WOFF2 in Python (fontTools) took
    # two thirds of every rendering.
    truetype: bytes = field(repr=False)


@cache
def font_faces() -> tuple[FontFace, ...]:
    """The Sarabun files npm installed. A missing file is left out: the stylesheet then falls back to
    Laksaman (Debian's fonts-thai-tlwg, derived from TH Sarabun New)."""
    faces = []
    for family, subset, unicode_range in SUBSETS:
        for weight in WEIGHTS:
            found = finders.find(f"fonts/sarabun/sarabun-{subset}-{weight}-normal.woff2")
            if not isinstance(found, str):
                continue
            path = Path(found).resolve()
            truetype = io.BytesIO()
            with path.open("rb") as packed:
                woff2.decompress(packed, truetype)
            faces.append(FontFace(family, weight, path.as_uri(), unicode_range, truetype.getvalue()))
    return tuple(faces)


class FontsOnlyFetcher(weasyprint.urls.URLFetcher):
    """Gives WeasyPrint the Sarabun faces and refuses every other URL, so a document never reaches the
    network; with fail_on_errors a refused URL stops the rendering instead of printing without it."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.fonts = {face.url: face.truetype for face in font_faces()}

    def fetch(self, url: str, headers: Any = None) -> weasyprint.urls.URLFetcherResponse:
        if url not in self.fonts:
            raise ValueError(f"a document may load only its fonts, not {url}")
        return weasyprint.urls.URLFetcherResponse(url, self.fonts[url], {"Content-Type": "font/ttf"})


def verification_url(document: Document) -> str:
    """What the QR code opens: the public verification page of this document."""
    return f"{settings.PRACHA_SITE_URL}/verify/{document.public_id}/"


def qr_svg(payload: str, *, title: str) -> SafeString:
    """The QR code as an inline <svg> (vector, so it prints sharp at any size) with a quiet zone."""
    code = segno.make_qr(payload, error=QR_ERROR, boost_error=False)
    svg = code.svg_inline(
        title=title, svgclass="qr", lineclass=None, omitsize=True, dark="#000", light="#fff"
    )
    # segno builds the SVG itself and escapes the title.
    return mark_safe(svg)  # noqa: S308


def _unbroken(text: str) -> SafeString:
    """A date or an amount kept on one line: "14 มกราคม" on one line and "2570" on the next misleads."""
    return format_html('<span class="unbroken">{}</span>', text)


def _localised(content: dict[str, Any], key: str, language: str) -> str:
    """content["<key>_en"] in English, falling back to the Thai text when no English was given."""
    return str(content.get(f"{key}_{language}") or content.get(f"{key}_th") or "")


def _context(document: Document, language: str) -> dict[str, Any]:
    content = document.content or {}
    agency = document.agency
    other = "en" if language == "th" else "th"
    url = verification_url(document)
    title = document.title_en if language == "en" else document.title_th
    context: dict[str, Any] = {
        "document": document,
        "language": language,
        "title": title,
        "agency_name": getattr(agency, f"name_{language}"),
        "agency_name_other": getattr(agency, f"name_{other}"),
        "holder_id": format_thai_id(document.holder_id_number),
        "verification_url": url,
        "verification_link": format_html('<span class="url">{}</span>', url),
        "qr": qr_svg(url, title=str(_("Verification QR code"))),
        "font_faces": font_faces(),
        "created": document.created_at,
        "valid_from": _unbroken(format_date(document.valid_from, lang=language)),
        "valid_until": _unbroken(format_date(document.valid_until, lang=language))
        if document.valid_until
        else None,
    }
    if document.kind == Document.Kind.RECEIPT:
        issued_at = content.get("issued_at")
        context |= {
            "issued_at": datetime.datetime.fromisoformat(issued_at) if issued_at else document.created_at,
            "bill_reference": content.get("bill_reference", ""),
            "description": _localised(content, "description", language),
            "lines": [
                {"name": _localised(line, "name", language), "amount_satang": line["amount_satang"]}
                for line in content.get("lines", [])
            ],
            "amount_satang": content.get("amount_satang", 0),
            "amount_in_words": content.get("amount_in_words", ""),
            "channel": CHANNELS.get(content.get("channel", ""), content.get("channel", "")),
        }
    else:
        context |= {
            "issued_at": document.created_at,
            "application_reference": content.get("application_reference", ""),
            "service_name": _localised(content, "service_name", language),
            "business_name": _localised(content, "business_name", language),
            "juristic_number": format_thai_id(content.get("juristic_number", "")),
            "conditions": [
                condition.get(language) or condition.get("th", "")
                for condition in content.get("conditions", [])
            ],
        }
    return context


def render_html(document: Document, *, language: str) -> str:
    """The HTML WeasyPrint lays out: every string and date in `language` ("th" or "en")."""
    if language not in LANGUAGES:
        raise ValueError(f"documents are printed in Thai or English, not {language!r}")
    with translation.override(language):
        return render_to_string(TEMPLATES.get(document.kind, OUTCOME_TEMPLATE), _context(document, language))


def render_pdf(document: Document, *, language: str) -> bytes:
    """The A4 PDF, unsigned."""
    html = render_html(document, language=language)
    pdf = weasyprint.HTML(
        string=html, base_url=settings.BASE_DIR.as_uri(), url_fetcher=FontsOnlyFetcher()
    ).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
