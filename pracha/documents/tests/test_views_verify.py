"""The public verification pages: by number, by the PDF itself, by the link of the QR code, and the
signed JSON copy. Valid, expiring, expired, not yet valid, pending, revoked and forged documents (an
unknown number, a file with one byte changed, a file signed with another agency's key); the holder's
name masked unless the right ID number is entered, and nothing else personal on the page; bad input;
the rate limit; both languages."""

import datetime
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pracha.accounts.tests.conftest import client_for
from pracha.core.text import masked_name
from pracha.core.thai_dates import buddhist_year, format_date
from pracha.core.thai_ids import format_thai_id
from pracha.core.working_days import local_today
from pracha.documents import rendering, services, signing
from pracha.documents.forms import VERIFY_MAX_BYTES
from pracha.documents.models import Document
from pracha.documents.tests.conftest import gettext_in, page_errors
from pracha.documents.tests.factories import LICENCE_NUMBER as NUMBER
from pracha.documents.tests.factories import (
    DocumentFactory,
    issued_document,
    pdf_of,
    signed_document,
    thai_name,
)

VERIFY = reverse("documents:verify")
NOT_FOUND = "No document with this number was issued on Pracha."
ALTERED = "This file is not the one we issued: it has been changed."
NOT_ISSUED_HERE = "This file is not a document issued on Pracha."
MASKED_HINT = "Part of the name is hidden. Enter the holder’s ID number to see the full name."
NOT_A_PDF = "The selected file is not a PDF. Choose the PDF file of the document."
TOO_MANY = "You have checked many documents in a short time. Please wait 10 minutes and try again."


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def by_number(client: Any, number: str, holder_id: str = "", **extra: Any) -> Any:
    data = {"check": "number", "number-number": number, "number-holder_id_number": holder_id}
    return client.post(VERIFY, data, **extra)


def by_file(client: Any, data: bytes, holder_id: str = "", name: str = "document.pdf") -> Any:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(VERIFY, {"check": "file", "file-file": upload, "file-holder_id_number": holder_id})


def assert_no_personal_data(html: str, document: Document) -> None:
    """Only the masked name: not the name, not either part of it, not the ID number in any form."""
    first, last = document.holder_name.split()
    assert masked_name(document.holder_name) in html
    assert document.holder_name not in html
    assert last not in html
    assert first not in html
    assert document.holder_id_number not in html
    assert format_thai_id(document.holder_id_number) not in html


# --- the form -----------------------------------------------------------------------------------------


def test_the_verification_page_needs_no_account(world):
    response = client_for(world["anonymous"]).get(VERIFY)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Check a document</h1>' in html
    assert '<input type="hidden" name="check" value="number">' in html
    assert '<input type="hidden" name="check" value="file">' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="govuk-label" for="id_number-number">Document number</label>' in html
    assert '<label class="govuk-label" for="id_file-file">The document as a PDF file</label>' in html
    assert 'for="id_number-holder_id_number">Holder’s ID number (optional)</label>' in html
    assert 'for="id_file-holder_id_number">Holder’s ID number (optional)</label>' in html
    assert "<script>" not in html.split('id="main-content"')[1]


# --- by number ----------------------------------------------------------------------------------------


def test_a_valid_document_is_genuine_with_the_name_masked(world, licence):
    response = by_number(client_for(world["anonymous"]), NUMBER.lower())
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem) == (True, "")
    until = format_date(licence.valid_until, lang="en")
    assert verdict.message == f"This document was issued by Test District Office and is valid until {until}."
    html = response.content.decode()
    assert '<h1 class="govuk-panel__title">Genuine</h1>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Valid</strong>' in html
    assert NUMBER in html
    assert "Food shop permit" in html
    assert MASKED_HINT in html
    assert f'action="{reverse("documents:verify_document", args=[licence.public_id])}"' in html
    assert f'href="http://testserver/verify/{licence.public_id}/document.jws"' in html
    assert_no_personal_data(html, licence)


def test_the_right_id_number_shows_the_full_name_and_is_not_shown_back(world, licence):
    national_id = world["holder"].national_id
    response = by_number(client_for(world["anonymous"]), NUMBER, format_thai_id(national_id))
    assert response.status_code == 200
    assert response.context["verification"].holder_confirmed is True
    html = response.content.decode()
    assert thai_name(world["holder"]) in html
    assert "The ID number you entered is the holder’s." in html
    assert MASKED_HINT not in html
    assert national_id not in html
    assert format_thai_id(national_id) not in html


def test_a_wrong_id_number_keeps_the_name_masked(world, licence):
    response = by_number(client_for(world["anonymous"]), NUMBER, world["other_citizen"].national_id)
    html = response.content.decode()
    assert response.context["verification"].holder_confirmed is False
    assert "The ID number you entered is not the holder’s, so part of the name stays hidden." in html
    assert_no_personal_data(html, licence)
    assert world["other_citizen"].national_id not in html


def test_an_unknown_number_is_not_valid(world, licence):
    response = by_number(client_for(world["anonymous"]), "FSP-2569-999999")
    assert response.status_code == 200
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem, verdict.message) == (False, "not_found", NOT_FOUND)
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">Not valid</h1>' in html
    assert NOT_FOUND in html
    assert "Issued to" not in html


def test_an_expired_document_is_not_valid(world):
    expired = signed_document(
        agency=world["home"],
        holder_user=world["holder"],
        valid_from=local_today() - datetime.timedelta(days=400),
        valid_until=local_today() - datetime.timedelta(days=35),
    )
    response = by_number(client_for(world["anonymous"]), expired.number)
    verdict = response.context["verdict"]
    until = format_date(expired.valid_until, lang="en")
    assert (verdict.genuine, verdict.problem) == (False, "expired")
    assert verdict.message == f"This document expired: it was valid until {until}."
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Expired</strong>' in html
    assert_no_personal_data(html, expired)


def test_a_document_ending_soon_is_genuine_and_says_so(world):
    expiring = signed_document(
        agency=world["home"],
        holder_user=world["holder"],
        valid_until=local_today() + datetime.timedelta(days=5),
    )
    response = by_number(client_for(world["anonymous"]), expiring.number)
    assert (response.context["verdict"].genuine, response.context["verification"].status) == (
        True,
        "expiring",
    )
    assert '<strong class="govuk-tag govuk-tag--yellow">Expiring soon</strong>' in response.content.decode()


def test_a_document_not_valid_yet_says_from_when(world):
    later = signed_document(
        agency=world["home"],
        holder_user=world["holder"],
        valid_from=local_today() + datetime.timedelta(days=3),
    )
    verdict = by_number(client_for(world["anonymous"]), later.number).context["verdict"]
    start = format_date(later.valid_from, lang="en")
    assert (verdict.genuine, verdict.problem) == (False, "not_yet_valid")
    assert verdict.message == f"This document is not valid yet: it is valid from {start}."


def test_a_revoked_document_says_when_and_why_but_not_the_officers_note(world, licence):
    services.document_revoke(
        actor=world["officer_with"], document=licence, reason="issued_in_error", note="พิมพ์ผิดคน"
    )
    licence.refresh_from_db()
    response = by_number(client_for(world["anonymous"]), NUMBER)
    verdict = response.context["verdict"]
    revoked_on = format_date(licence.revoked_at, lang="en")
    assert (verdict.genuine, verdict.problem) == (False, "revoked")
    assert verdict.message == f"This document was revoked on {revoked_on}. Reason: Issued in error."
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in html
    assert "Reason: Issued in error" in html
    assert "พิมพ์ผิดคน" not in html
    assert_no_personal_data(html, licence)


def test_a_replaced_document_links_to_its_replacement(world, licence):
    replacement = services.document_replace(
        actor=world["officer_with"], document=licence, holder_name="สมชาย แก้ไขแล้ว", note=""
    )
    response = by_number(client_for(world["anonymous"]), NUMBER)
    html = response.content.decode()
    assert "Reason: Replaced by a corrected document" in html
    url = reverse("documents:verify_document", args=[replacement.public_id])
    assert f'<a class="govuk-link" href="{url}">{replacement.number}</a>' in html
    assert "สมชาย แก้ไขแล้ว" not in html


def test_a_document_still_being_signed_is_not_valid_yet(world):
    pending = issued_document(agency=world["home"], holder_user=world["holder"])
    response = by_number(client_for(world["anonymous"]), pending.number)
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem) == (False, "pending")
    assert (
        verdict.message == "The agency is still signing this document. Please check again in a few minutes."
    )
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--light-blue">Being signed</strong>' in html
    assert "document.jws" not in html


def test_a_document_whose_signing_failed_cannot_be_relied_on(world):
    failed = DocumentFactory(agency=world["home"], state=Document.State.FAILED)
    response = by_number(client_for(world["anonymous"]), failed.number)
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem) == (False, "failed")
    assert verdict.message == "This document has not been signed, so it cannot be relied on."
    assert '<strong class="govuk-tag govuk-tag--orange">Signing failed</strong>' in response.content.decode()


@pytest.mark.parametrize(
    ("number", "holder_id", "errors"),
    [
        ("", "", {"number": ["Enter the document number."]}),
        ("x" * 65, "", {"number": ["A document number has at most 64 characters. Please check it."]}),
        (
            NUMBER,
            "12345",
            {
                "holder_id_number": [
                    "Enter the holder’s ID number as 13 digits, for example 1-2345-67890-12-3."
                ]
            },
        ),
        (
            NUMBER,
            "๑๒๓๔๕๖๗๘๙๐๑๒๓",
            {
                "holder_id_number": [
                    "Enter the holder’s ID number as 13 digits, for example 1-2345-67890-12-3."
                ]
            },
        ),
    ],
)
def test_bad_input_is_shown_on_the_form_and_counts_nothing(world, licence, number, holder_id, errors):
    response = by_number(client_for(world["anonymous"]), number, holder_id)
    assert response.status_code == 200
    assert page_errors(response) == errors
    html = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert f'<a href="#id_number-{next(iter(errors))}">' in html
    assert cache_keys() == []


def cache_keys() -> list[str]:
    return [key for key in cache._cache if "documents:verify" in key]  # type: ignore[attr-defined]


# --- by file ------------------------------------------------------------------------------------------


def test_the_file_we_issued_is_genuine(world, licence):
    response = by_file(client_for(world["anonymous"]), pdf_of(licence, "en"))
    assert response.status_code == 200
    verification = response.context["verification"]
    assert (verification.document, verification.file_checked, verification.file_matches) == (
        licence,
        True,
        True,
    )
    html = response.content.decode()
    assert '<h1 class="govuk-panel__title">Genuine</h1>' in html
    assert "It is byte for byte the file the agency issued, and its digital signature is valid." in html
    assert_no_personal_data(html, licence)


def test_the_file_with_the_right_id_number_shows_the_full_name(world, licence):
    response = by_file(client_for(world["anonymous"]), pdf_of(licence), world["holder"].national_id)
    assert response.context["verification"].holder_confirmed is True
    assert thai_name(world["holder"]) in response.content.decode()


def test_a_file_with_one_byte_changed_is_not_valid(world, licence):
    data = bytearray(pdf_of(licence))
    data[len(data) // 4] ^= 0x01
    response = by_file(client_for(world["anonymous"]), bytes(data))
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem, verdict.message) == (False, "altered", ALTERED)
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">Not valid</h1>' in html
    assert ALTERED in html
    assert licence.holder_name not in html


def test_a_file_signed_with_another_agencys_key_is_not_valid(world, licence):
    other = world["other"]
    forged = signing.sign_pdf(
        rendering.render_pdf(licence, language="th"),
        signer=signing.signer_for(agency_code=other.code, name_th=other.name_th, name_en=other.name_en),
        reason="ปลอม",
        location=other.name_th,
    )
    response = by_file(client_for(world["anonymous"]), forged)
    verdict = response.context["verdict"]
    assert (verdict.genuine, verdict.problem, verdict.message) == (False, "not_issued_here", NOT_ISSUED_HERE)
    assert response.context["verification"].document is None
    assert NOT_ISSUED_HERE in response.content.decode()


@pytest.mark.parametrize("language", ["en", "th"])
def test_a_file_that_is_not_a_pdf_is_refused_in_the_persons_language(world, language):
    client = client_for(world["anonymous"], language=language)
    response = by_file(client, b"\x89PNG\r\n\x1a\n not a pdf", name="document.pdf")
    assert response.status_code == 200
    assert page_errors(response) == {"file": [gettext_in(language, NOT_A_PDF)]}
    assert f'lang="{language}"' in response.content.decode()
    assert cache_keys() == []


def test_a_file_over_10_mb_is_refused(world):
    response = by_file(client_for(world["anonymous"]), b"%PDF-1.7\n" + b"0" * VERIFY_MAX_BYTES)
    assert page_errors(response) == {
        "file": ["The file is larger than 10 MB: it is not a document we issued."]
    }


def test_no_file_is_refused(world):
    response = client_for(world["anonymous"]).post(VERIFY, {"check": "file", "file-holder_id_number": ""})
    assert page_errors(response) == {"file": ["Choose the PDF file to check."]}


# --- the QR code's link -------------------------------------------------------------------------------


def test_the_qr_codes_page_shows_the_result(world, licence):
    url = reverse("documents:verify_document", args=[licence.public_id])
    assert url == f"/verify/{licence.public_id}/"
    assert rendering.verification_url(licence) == f"http://testserver{url}"
    response = client_for(world["anonymous"]).get(url)
    assert response.status_code == 200
    assert response.context["verdict"].genuine is True
    html = response.content.decode()
    assert 'for="id_holder_id_number">Holder’s ID number</label>' in html
    assert_no_personal_data(html, licence)
    # Opening it is not a counted lookup.
    assert cache_keys() == []


def test_the_qr_codes_page_with_the_right_id_number(world, licence):
    url = reverse("documents:verify_document", args=[licence.public_id])
    national_id = world["holder"].national_id
    response = client_for(world["anonymous"]).post(url, {"holder_id_number": national_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert thai_name(world["holder"]) in html
    assert national_id not in html
    # The form is not shown again once the name is confirmed.
    assert 'name="holder_id_number"' not in html


def test_the_qr_codes_page_refuses_a_malformed_id_number(world, licence):
    url = reverse("documents:verify_document", args=[licence.public_id])
    response = client_for(world["anonymous"]).post(url, {"holder_id_number": ""})
    assert response.status_code == 200
    assert page_errors(response) == {"holder_id_number": ["Enter the holder’s 13-digit ID number."]}
    assert_no_personal_data(response.content.decode(), licence)


def test_an_unknown_qr_link_is_not_found(world):
    response = client_for(world["anonymous"]).get(reverse("documents:verify_document", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


# --- the signed JSON copy -----------------------------------------------------------------------------


def test_the_signed_json_copy(world, licence):
    response = client_for(world["anonymous"]).get(reverse("documents:verify_json", args=[licence.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode() == licence.signed_json
    payload, certificate = signing.verify_json(response.content.decode())
    assert (payload["number"], certificate) == (NUMBER, licence.signer_certificate_sha256)


def test_no_signed_json_copy_while_pending_or_for_an_unknown_id(world):
    pending = issued_document(agency=world["home"])
    client = client_for(world["anonymous"])
    for public_id in (pending.public_id, uuid.uuid4()):
        assert client.get(reverse("documents:verify_json", args=[public_id])).status_code == 404


# --- the rate limit -----------------------------------------------------------------------------------


def test_thirty_lookups_in_ten_minutes_then_429(world, licence):
    client = client_for(world["anonymous"])
    for _ in range(30):
        assert by_number(client, "FSP-2569-999999").status_code == 200
    refused = by_number(client, NUMBER)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert TOO_MANY in html
    assert "govuk-panel__title" not in html
    # The QR code's page still opens; an ID number on it is a lookup and is refused too.
    qr = reverse("documents:verify_document", args=[licence.public_id])
    assert client.get(qr).status_code == 200
    assert client.post(qr, {"holder_id_number": world["holder"].national_id}).status_code == 429
    assert by_file(client, pdf_of(licence)).status_code == 429
    # Another client address has its own count.
    assert by_number(client, NUMBER, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_limit_uses_x_real_ip_only_behind_the_proxy(world, settings):
    client = client_for(world["anonymous"])
    settings.PRACHA_TRUST_X_REAL_IP = True
    for _ in range(30):
        by_number(client, "FSP-2569-999999", HTTP_X_REAL_IP="198.51.100.1")
    assert by_number(client, "FSP-2569-999999", HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    assert by_number(client, "FSP-2569-999999", HTTP_X_REAL_IP="198.51.100.2").status_code == 200


def test_an_ipv6_client_is_counted_by_its_64(world, licence):
    """A home or an office has a whole /64 to pick addresses from: every address in it is one client."""
    client = client_for(world["anonymous"])
    for host in range(1, 31):
        assert by_number(client, "FSP-2569-999999", REMOTE_ADDR=f"2001:db8:1:2::{host:x}").status_code == 200
    assert by_number(client, NUMBER, REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 429
    assert by_number(client, NUMBER, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


# --- wrong ID numbers per document --------------------------------------------------------------------

HOLDER_ID_LIMITED = (
    "Too many wrong ID numbers have been entered for this document, so the ID number you entered was not "
    "checked. Please try again after 24 hours."
)


def wrong_ids(client: Any, document: Document, count: int, *, first_host: int = 1) -> list[int]:
    """`count` wrong ID numbers for the document, each from another client address (so the per-client
    limit is not what stops them), by the QR code's page and by number in turn."""
    qr = reverse("documents:verify_document", args=[document.public_id])
    statuses = []
    for attempt in range(count):
        address = f"198.51.100.{first_host + attempt}"
        wrong = f"{1100000000000 + attempt:013d}"
        if attempt % 2:
            response = by_number(client, document.number, wrong, REMOTE_ADDR=address)
        else:
            response = client.post(qr, {"holder_id_number": wrong}, REMOTE_ADDR=address)
        statuses.append(response.status_code)
    return statuses


def test_ten_wrong_id_numbers_a_day_per_document_then_no_id_number_is_checked(world, licence):
    client = client_for(world["anonymous"])
    assert wrong_ids(client, licence, 10) == [200] * 10
    # The eleventh, even the right one and from a fresh address, is not checked: the name stays masked.
    qr = reverse("documents:verify_document", args=[licence.public_id])
    national_id = world["holder"].national_id
    for response in (
        client.post(qr, {"holder_id_number": national_id}, REMOTE_ADDR="203.0.113.1"),
        by_number(client, NUMBER, national_id, REMOTE_ADDR="203.0.113.2"),
        by_file(client, pdf_of(licence), national_id),
    ):
        assert response.status_code == 429
        verification = response.context["verification"]
        assert (verification.holder_confirmed, verification.holder_name) == (
            False,
            masked_name(licence.holder_name),
        )
        # Still the answer to what was asked: the document is genuine.
        assert response.context["verdict"].genuine is True
        html = response.content.decode()
        assert HOLDER_ID_LIMITED in html
        assert "The ID number you entered is not the holder’s" not in html
        assert "The ID number you entered is the holder’s." not in html
        assert 'name="holder_id_number"' not in html
        assert_no_personal_data(html, licence)
    # Another document's holder ID numbers are checked as before.
    other = signed_document(agency=world["home"], holder_user=world["holder"], number="FSP-2569-000043")
    response = by_number(client, other.number, national_id, REMOTE_ADDR="203.0.113.3")
    assert (response.status_code, response.context["verification"].holder_confirmed) == (200, True)


def test_the_right_id_number_does_not_count_towards_the_documents_limit(world, licence):
    client = client_for(world["anonymous"])
    national_id = world["holder"].national_id
    for host in range(1, 13):
        response = by_number(client, NUMBER, national_id, REMOTE_ADDR=f"198.51.100.{host}")
        assert (response.status_code, response.context["verification"].holder_confirmed) == (200, True)
    assert wrong_ids(client, licence, 11, first_host=20) == [200] * 10 + [429]


def test_lookups_without_an_id_number_are_not_held_back_by_the_documents_limit(world, licence):
    client = client_for(world["anonymous"])
    wrong_ids(client, licence, 10)
    response = by_number(client, NUMBER, REMOTE_ADDR="203.0.113.1")
    assert response.status_code == 200
    html = response.content.decode()
    assert HOLDER_ID_LIMITED not in html
    assert MASKED_HINT in html


# --- languages ----------------------------------------------------------------------------------------


def test_the_result_in_thai(world, licence):
    response = by_number(client_for(world["anonymous"], language="th"), NUMBER)
    html = response.content.decode()
    assert '<html lang="th"' in html
    assert "สำนักงานเขตทดสอบ" in html
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in html
    assert str(buddhist_year(licence.valid_until)) in html
    assert f'<h1 class="govuk-panel__title">{gettext_in("th", "Genuine")}</h1>' in html


def test_the_result_in_english(world, licence):
    response = by_number(client_for(world["anonymous"], language="en"), NUMBER)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Test District Office" in html
    assert "Food shop permit" in html
    assert format_date(licence.valid_until, lang="en") in html
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" not in html
