"""The PDFs of a licence and a receipt in Thai and English: their fonts, their text, the QR code, and a
PNG snapshot of a Thai licence that a person has looked at.

The documents are unsaved: rendering needs nothing from the database.

Text is read back with pypdf. Text extracted from a Thai PDF is not the text that was typeset:
WeasyPrint maps each glyph to the characters of the first cluster it drew it for, so the glyph of
sara aa (า), which sara am (ำ) is drawn with too, comes out as either, and marks drawn in one cluster
with a vowel (the tone mark of น้ำ) can vanish or move. Thai strings are therefore compared by their
skeleton: consonants, leading and following vowels and digits, without the marks above and below.
Latin text and digits (numbers, ID numbers, English dates) extract exactly and are compared as they are.

The snapshot: when the page changes on purpose (a new Thai translation of a label, say), delete
snapshots/licence-th.png, run this module, LOOK at the new file, and commit it.
"""

import datetime
import io
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pypdf
import pytest
import segno
import weasyprint
from PIL import Image, ImageChops

from pracha.agencies.tests.factories import AgencyFactory
from pracha.documents.models import Document
from pracha.documents.rendering import FontsOnlyFetcher, render_html, render_pdf, verification_url

SNAPSHOT = Path(__file__).parent / "snapshots" / "licence-th.png"
PUBLIC_ID = uuid.UUID("5b0c6a1e-2f4d-4c1a-9a57-0d1e2f3a4b5c")
HOLDER = "นางสาวกิ่งก้อย ผู้ใหญ่ดี"
# Stacked marks: a tone mark over sara am (น้ำ), over a tall consonant (ปู่, ฟ้ำ), above sara ii (ญี่).
SHOP = "ร้านน้ำปู่ญี่ปุ่นฟ้ำ"
SARABUN = {"Sarabun-Thai", "Sarabun-Thai-Bold", "Sarabun-Latin", "Sarabun-Latin-Bold"}
THAI_MARKS = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\s]")


def skeleton(text: str) -> str:
    """Thai text without its marks above and below, with sara am read as sara aa (see the docstring)."""
    return THAI_MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def agency():
    return AgencyFactory.build(
        code="bkk-health",
        name_th="สำนักอนามัย กรุงเทพมหานคร",
        name_en="Health Department, Bangkok Metropolitan Administration",
    )


def licence(**overrides) -> Document:
    fields = {
        "public_id": PUBLIC_ID,
        "number": "LIC-2569-000123",
        "kind": Document.Kind.LICENCE,
        "title_th": "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "title_en": "Food Shop Licence",
        "agency": agency(),
        "subject_reference": "APP-2569-000123",
        "holder_id_number": "1103700012345",
        "holder_name": HOLDER,
        "valid_from": datetime.date(2026, 1, 15),
        "valid_until": datetime.date(2027, 1, 14),
        "created_at": datetime.datetime(2026, 1, 15, 3, 5, tzinfo=datetime.UTC),
        "content": {
            "application_reference": "APP-2569-000123",
            "service_name_th": "ขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
            "service_name_en": "Food shop licence",
            "business_name_th": SHOP,
            "business_name_en": "Nam Pu Japanese Shop",
            "juristic_number": "0105560123457",
            "conditions": [
                {"th": "ต้องรักษาความสะอาดของสถานที่ และกำจัดขยะทุกวัน", "en": "Keep the premises clean."},
                {"th": "ผู้สัมผัสอาหารต้องผ่านการอบรมสุขาภิบาลอาหาร", "en": "Food handlers must be trained."},
            ],
        },
    }
    return Document(**(fields | overrides))


def receipt() -> Document:
    return Document(
        public_id=uuid.UUID("6e1d7b2f-3a5e-4d2b-8b68-1e2f3a4b5c6d"),
        number="RC-RTP-2569-000001",
        kind=Document.Kind.RECEIPT,
        title_th="ใบเสร็จรับเงินอิเล็กทรอนิกส์",
        title_en="e-Receipt",
        agency=agency(),
        subject_reference="BILL-2569-000045",
        holder_id_number="1103700012345",
        holder_name=HOLDER,
        valid_from=datetime.date(2026, 1, 10),
        created_at=datetime.datetime(2026, 1, 10, 7, 30, 5, tzinfo=datetime.UTC),
        content={
            "bill_reference": "BILL-2569-000045",
            "description_th": "ค่าธรรมเนียมใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
            "description_en": "Food shop licence fee",
            "lines": [
                {
                    "code": "FEE",
                    "name_th": "ค่าธรรมเนียมใบอนุญาต",
                    "name_en": "Licence fee",
                    "amount_satang": 50000,
                },
                {"code": "VISIT", "name_th": "ค่าตรวจสถานที่", "name_en": "Inspection", "amount_satang": 20050},
            ],
            "amount_satang": 70050,
            "amount_in_words": "เจ็ดร้อยบาทห้าสิบสตางค์",
            "channel": "promptpay",
            # 07:30 UTC is 14:30 in Bangkok.
            "issued_at": "2026-01-10T07:30:00+00:00",
            "receipt_public_id": "0b7c1c52-8d0e-4a53-a3a5-7cf1f2f0d1aa",
        },
    )


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def embedded_fonts(pdf: bytes) -> dict[str, str]:
    """{font name: subset prefix} of every font on every page, each checked to be embedded."""
    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font: Any = reference.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            prefix, _, name = str(font["/BaseFont"]).removeprefix("/").partition("+")
            fonts[name] = prefix
    return fonts


def drawn_modules(svg: str) -> list[list[int]]:
    """The dark modules of segno's one-path inline SVG ("M4 4.5h7m1 0h1..."), as a matrix of 0 and 1."""
    root = ElementTree.fromstring(svg)
    size = int(root.get("viewBox", "").split()[2])
    matrix = [[0] * size for _ in range(size)]
    path = next(p for p in root.iter("path") if p.get("stroke"))
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d", "")):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                matrix[int(y)][column] = 1
            x += float(first)
    return matrix


def test_verification_url_is_the_public_page_of_the_document(settings):
    settings.PRACHA_SITE_URL = "https://pracha.example.go.th"
    assert (
        verification_url(licence())
        == "https://pracha.example.go.th/verify/5b0c6a1e-2f4d-4c1a-9a57-0d1e2f3a4b5c/"
    )


def test_qr_code_encodes_the_verification_url():
    html = render_html(licence(), language="th")
    svg = re.search(r"<svg .*?</svg>", html, re.DOTALL)
    assert svg is not None
    expected = segno.make_qr(
        "http://testserver/verify/5b0c6a1e-2f4d-4c1a-9a57-0d1e2f3a4b5c/", error="m", boost_error=False
    )
    quiet = [[0] * (len(expected.matrix) + 8) for _ in range(4)]
    rows = [[0] * 4 + list(row) + [0] * 4 for row in expected.matrix]
    assert drawn_modules(svg.group()) == quiet + rows + quiet


@pytest.mark.parametrize("make", [licence, receipt], ids=["licence", "receipt"])
def test_thai_pdf_embeds_only_subsets_of_sarabun(make):
    fonts = embedded_fonts(render_pdf(make(), language="th"))
    assert set(fonts) == SARABUN
    assert all(re.fullmatch("[A-Z]{6}", prefix) for prefix in fonts.values())


def test_thai_licence_prints_holder_number_and_buddhist_era_dates():
    pdf = render_pdf(licence(), language="th")
    assert pypdf.PdfReader(io.BytesIO(pdf)).metadata.author == "สำนักอนามัย กรุงเทพมหานคร"
    [text] = pdf_text(pdf)
    assert "LIC-2569-000123" in text
    assert "1-1037-00012-34-5" in text
    assert "APP-2569-000123" in text
    assert "0-1055-60123-45-7" in text
    assert "http://testserver/verify/5b0c6a1e-2f4d-4c1a-9a57-0d1e2f3a4b5c/" in text
    for thai in (
        HOLDER,
        SHOP,
        "สำนักอนามัย กรุงเทพมหานคร",
        "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "15 มกราคม 2569",
        "14 มกราคม 2570",
        "15 มกราคม 2569 เวลา 10:05 น.",
        "กำจัดขยะทุกวัน",
    ):
        assert skeleton(thai) in skeleton(text), thai
    assert "2026" not in text
    assert "January" not in text


def test_thai_receipt_prints_items_total_and_amount_in_words():
    [text] = pdf_text(render_pdf(receipt(), language="th"))
    assert "RC-RTP-2569-000001" in text
    assert "BILL-2569-000045" in text
    assert "1-1037-00012-34-5" in text
    for thai in (
        HOLDER,
        "ค่าธรรมเนียมใบอนุญาต 500.00 บาท",
        "ค่าตรวจสถานที่ 200.50 บาท",
        "700.50 บาท",
        "(เจ็ดร้อยบาทห้าสิบสตางค์)",
        "10 มกราคม 2569 เวลา 14:30 น.",
        "พร้อมเพย์",
    ):
        assert skeleton(thai) in skeleton(text), thai


def test_english_licence_has_english_title_and_common_era_dates():
    [page] = pdf_text(render_pdf(licence(), language="en"))
    text = " ".join(page.split())  # as read, without the ends of lines
    assert "Health Department, Bangkok Metropolitan Administration" in text
    assert "Food Shop Licence" in text
    assert "Valid from 15 January 2026 until 14 January 2027" in text
    assert "15 January 2026 at 10:05" in text
    assert "Nam Pu Japanese Shop" in text
    # List numbers are drawn, and so extracted, after the text of the page.
    assert "Conditions Keep the premises clean. Food handlers must be trained." in text
    assert (
        "Check this document at http://testserver/verify/5b0c6a1e-2f4d-4c1a-9a57-0d1e2f3a4b5c/ "
        "or scan the QR code. Signed electronically by Health Department, Bangkok Metropolitan "
        "Administration; the signature can be checked in a PDF reader."
    ) in text
    assert "มกราคม" not in text
    assert "2570" not in text


def test_licence_without_an_end_date_says_so():
    html = render_html(licence(valid_until=None), language="en")
    assert 'Valid from <span class="unbroken">15 January 2026</span>, no end date' in html
    assert "until" not in html


def test_english_receipt_shows_figures_and_the_thai_words_labelled():
    [text] = pdf_text(render_pdf(receipt(), language="en"))
    assert "e-Receipt" in text
    assert "10 January 2026 at 14:30" in text
    assert "Licence fee THB 500.00" in text
    assert "Inspection THB 200.50" in text
    assert "Total THB 700.50" in text
    assert "Paid by PromptPay" in text
    assert "In Thai words:" in text
    assert skeleton("เจ็ดร้อยบาทห้าสิบสตางค์") in skeleton(text)


def test_only_thai_and_english_are_printed():
    with pytest.raises(ValueError, match="not 'fr'"):
        render_html(licence(), language="fr")


def test_a_long_licence_runs_onto_a_second_page_with_number_and_page_on_each():
    conditions = [{"th": f"เงื่อนไขข้อที่ {n}", "en": f"Condition number {n}"} for n in range(1, 41)]
    content = licence().content | {"conditions": conditions}
    pages = pdf_text(render_pdf(licence(content=content), language="en"))
    assert len(pages) == 2
    assert "LIC-2569-000123 · 1 / 2" in pages[0]
    assert "LIC-2569-000123 · 2 / 2" in pages[1]
    assert "Condition number 40" in pages[1]
    assert "Check this document at" in pages[1]


def test_rendering_fetches_nothing_but_its_fonts():
    with pytest.raises(ValueError, match="may load only its fonts"):
        FontsOnlyFetcher()("http://192.0.2.1/logo.png")
    html = '<p>x</p><img src="file:///etc/hostname">'
    with pytest.raises(weasyprint.urls.FatalURLFetchingError):
        weasyprint.HTML(string=html, url_fetcher=FontsOnlyFetcher()).write_pdf()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_thai_licence_looks_like_the_snapshot(tmp_path):
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(render_pdf(licence(), language="th"))
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "page"],
        check=True,
    )
    rendered = Image.open(tmp_path / "page.png").convert("L")
    if not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        rendered.save(SNAPSHOT)
        pytest.fail(f"no snapshot: wrote {SNAPSHOT}; look at it and commit it")
    expected = Image.open(SNAPSHOT).convert("L")
    assert rendered.size == expected.size
    # The same fonts and poppler draw the same pixels (0 differ); the tolerance is for faint antialiasing
    # changes only: one tone mark left out of the holder's name changes 19 pixels, one digit 54.
    differing = sum(ImageChops.difference(rendered, expected).point(lambda level: level > 48).histogram()[1:])
    assert differing <= 10
