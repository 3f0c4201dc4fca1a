import hashlib
import io
import struct
import zlib

import pytest
from django.utils import translation
from pypdf import PdfWriter

from pracha.applications.uploads import CheckedFile, check_upload, sniff_kind
from pracha.core.errors import InvalidInput

ALL = ("pdf", "jpeg", "png")
IMAGES = ("jpeg", "png")


def make_pdf(pages: int, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width: int = 2, height: int = 2) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))  # filter 0, red pixels
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


# Start of image, a JFIF APP0 segment, end of image: enough for a content check that reads no pixels.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def refusal(data: bytes, *, accepted=ALL, max_size_kb=5120, max_pages=None) -> dict[str, object]:
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        check_upload(data, accepted=accepted, max_size_kb=max_size_kb, max_pages=max_pages)
    error = raised.value.as_dict()
    assert error["fields"] == {"file": [error["message"]]}
    return error


def test_a_real_pdf_is_accepted_with_its_page_count_and_hash():
    data = make_pdf(3)
    assert check_upload(data, accepted=ALL, max_size_kb=5120, max_pages=3) == CheckedFile(
        kind="pdf",
        content_type="application/pdf",
        size=len(data),
        pages=3,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_a_real_png_is_accepted():
    data = make_png()
    assert check_upload(data, accepted=IMAGES, max_size_kb=100, max_pages=1) == CheckedFile(
        kind="png",
        content_type="image/png",
        size=len(data),
        pages=None,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_a_jpeg_is_accepted():
    assert check_upload(JPEG, accepted=IMAGES, max_size_kb=100, max_pages=None) == CheckedFile(
        kind="jpeg", content_type="image/jpeg", size=22, pages=None, sha256=hashlib.sha256(JPEG).hexdigest()
    )


def test_sniff_kind_reads_magic_bytes_only():
    assert sniff_kind(make_pdf(1)) == "pdf"
    assert sniff_kind(make_png()) == "png"
    assert sniff_kind(JPEG) == "jpeg"
    assert sniff_kind(b"\n" * 1000 + b"%PDF-1.4") == "pdf"  # blank lines before the header
    assert sniff_kind(b"MZ\x90\x00" + b"%PDF-1.4") is None  # a program with a PDF header behind its own
    assert sniff_kind(b"MZ\x90\x00") is None
    assert sniff_kind(b"") is None


def test_a_program_with_a_real_pdf_appended_is_refused():
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"PE\x00\x00" + b"\x00" * 200
    assert refusal(program + make_pdf(1))["message"] == (
        "The file must be a PDF, JPEG or PNG. This file is not one of those, whatever its name says."
    )


def test_a_renamed_windows_program_is_refused():
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
    assert refusal(program)["message"] == (
        "The file must be a PDF, JPEG or PNG. This file is not one of those, whatever its name says."
    )


def test_a_text_file_named_like_a_pdf_is_refused():
    text = "ใบสำคัญ.pdf\nThis is a plain text note, saved with a .pdf name.\n".encode()
    assert refusal(text, accepted=("pdf",)) == {
        "code": "invalid_input",
        "message": "The file must be a PDF. This file is not one, whatever its name says.",
        "fields": {"file": ["The file must be a PDF. This file is not one, whatever its name says."]},
    }


def test_the_accepted_kinds_are_named_in_a_fixed_order():
    assert refusal(b"GIF89a", accepted=("png", "jpeg"))["message"] == (
        "The file must be a JPEG or PNG. This file is not one of those, whatever its name says."
    )


def test_an_empty_file_is_refused():
    assert refusal(b"")["message"] == "The selected file is empty."


@pytest.mark.parametrize(("max_size_kb", "limit"), [(1, "1 KB"), (1024, "1 MB"), (1536, "1536 KB")])
def test_a_file_over_the_size_limit_is_refused_naming_the_limit(max_size_kb, limit):
    data = make_png() + b"\x00" * (max_size_kb * 1024)
    assert refusal(data, max_size_kb=max_size_kb)["message"] == (
        f"The selected file is too large. It must be {limit} or smaller."
    )


def test_a_file_exactly_at_the_size_limit_passes_the_size_check():
    data = JPEG[:-2] + b"\x00" * (1024 - len(JPEG)) + b"\xff\xd9"
    assert check_upload(data, accepted=IMAGES, max_size_kb=1, max_pages=None).size == 1024


def test_a_pdf_with_too_many_pages_is_refused():
    assert refusal(make_pdf(4), max_pages=3)["message"] == (
        "This PDF has 4 pages, but this document can have at most 3 pages."
    )
    assert refusal(make_pdf(2), max_pages=1)["message"] == (
        "This PDF has 2 pages, but this document can have at most 1 page."
    )


def test_a_pdf_without_pages_is_refused():
    assert refusal(make_pdf(0))["message"] == "This PDF has no pages."


def test_an_encrypted_pdf_is_refused():
    assert refusal(make_pdf(1, password="secret"))["message"] == (
        "This PDF is protected by a password or encryption. Please upload a copy without it."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 4,  # a header and then garbage
        make_pdf(2)[:200],  # cut off part way through
    ],
    ids=["garbage", "cut-off"],
)
def test_a_pdf_that_cannot_be_read_is_refused(data):
    assert refusal(data)["message"] == (
        "This PDF can’t be opened. It may be damaged or incomplete: please save or scan it again."
    )


@pytest.mark.parametrize(
    "data", [make_png()[:-12], make_png()[:40], JPEG[:-2]], ids=["png-no-iend", "png-cut", "jpeg-no-eoi"]
)
def test_a_truncated_image_is_refused(data):
    assert refusal(data)["message"] == (
        "This image is incomplete or damaged. Please save it or take the photo again."
    )


def test_a_pdf_is_refused_where_only_images_are_accepted():
    assert refusal(make_pdf(1), accepted=IMAGES)["message"] == (
        "This file is a PDF, but this document must be a JPEG or PNG."
    )


def test_the_message_is_translated_when_shown_not_when_raised():
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        check_upload(b"GIF89a", accepted=IMAGES, max_size_kb=1, max_pages=None)
    # Django's own catalogue supplies the Thai "or", whatever our catalogue holds yet.
    with translation.override("th"):
        assert "JPEG หรือ PNG" in str(raised.value)
        assert "JPEG หรือ PNG" in raised.value.as_dict()["fields"]["file"][0]


def test_an_unknown_accepted_kind_is_a_programming_error():
    with pytest.raises(
        ValueError, match=r"^accepted must be some of \('pdf', 'jpeg', 'png'\), got \['gif'\]$"
    ):
        check_upload(JPEG, accepted=("gif",), max_size_kb=1, max_pages=None)
