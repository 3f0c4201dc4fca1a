"""/api/v1/documents/: the public verification (by number, by the QR code's id, by the PDF) with the
same answers as the page, nothing personal without the holder's ID number, the rate limit; and the
caller's wallet with its downloads, for people only."""

import datetime
import json
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from pracha.accounts import services as account_services
from pracha.accounts.tests.conftest import client_for
from pracha.agencies.tests.factories import RoleFactory
from pracha.core.text import masked_name
from pracha.core.thai_dates import format_date
from pracha.core.thai_ids import format_thai_id
from pracha.core.working_days import local_today
from pracha.documents import rendering, services, signing
from pracha.documents.models import Document
from pracha.documents.tests.factories import LICENCE_NUMBER as NUMBER
from pracha.documents.tests.factories import (
    issued_document,
    officer,
    pdf_of,
    signed_document,
    thai_name,
)

BASE = "/api/v1/documents"
NOT_FOUND = {
    "code": "not_found",
    "message": "No document with this number was issued on Pracha.",
    "fields": {},
}
RATE_LIMITED = {
    "code": "rate_limited",
    "message": "You have checked many documents in a short time. Please wait 10 minutes and try again.",
    "fields": {},
}


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def iso(value: datetime.datetime | None) -> str | None:
    """A datetime as the API writes it (Django's JSON encoder: milliseconds, "Z" for UTC)."""
    return None if value is None else str(DjangoJSONEncoder().default(value))


def expected_document(document: Document, *, holder_name: str, holder_confirmed: bool) -> dict[str, Any]:
    return {
        "id": str(document.public_id),
        "number": document.number,
        "kind": "licence",
        "title": {"th": "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Food shop permit"},
        "agency": {"code": "doc-home", "name": {"th": "สำนักงานเขตทดสอบ", "en": "Test District Office"}},
        "holder_name": holder_name,
        "holder_confirmed": holder_confirmed,
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "signed_at": iso(document.signed_at),
        "revoked_at": iso(document.revoked_at),
        "revocation_reason": None,
        "replaced_by": None,
        "replaces": None,
        "verification_url": f"http://testserver/verify/{document.public_id}/",
        "signed_json_url": f"http://testserver/verify/{document.public_id}/document.jws",
    }


def post_file(client: Any, data: bytes, **form: str) -> Any:
    upload = SimpleUploadedFile("document.pdf", data, content_type="application/pdf")
    return client.post(f"{BASE}/verify", {"file": upload, **form})


def assert_no_personal_data(body: str, document: Document) -> None:
    assert document.holder_name not in body
    assert document.holder_name.split()[1] not in body
    assert document.holder_id_number not in body
    assert format_thai_id(document.holder_id_number) not in body


# --- by number ----------------------------------------------------------------------------------------


def test_a_valid_document_by_number(world, licence):
    response = client_for(world["anonymous"]).get(f"{BASE}/verify", {"number": NUMBER})
    assert response.status_code == 200
    until = licence.valid_until
    assert response.json() == {
        "genuine": True,
        "status": "valid",
        "problem": "",
        "message": f"This document was issued by Test District Office and is valid until "
        f"{format_date(until, lang='en')}.",
        "file_checked": False,
        "file_matches": False,
        "signature": None,
        "document": expected_document(
            licence, holder_name=masked_name(licence.holder_name), holder_confirmed=False
        ),
    }
    assert_no_personal_data(response.content.decode(), licence)


def test_the_holders_id_number_shows_the_full_name(world, licence):
    national_id = world["holder"].national_id
    response = client_for(world["anonymous"]).get(
        f"{BASE}/verify", {"number": NUMBER, "holder_id_number": format_thai_id(national_id)}
    )
    document = response.json()["document"]
    assert (document["holder_name"], document["holder_confirmed"]) == (thai_name(world["holder"]), True)
    assert national_id not in response.content.decode()


def test_an_unknown_number_is_404(world, licence):
    response = client_for(world["anonymous"]).get(f"{BASE}/verify", {"number": "FSP-2569-999999"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_missing_number_or_a_malformed_id_number_is_400(world):
    client = client_for(world["anonymous"])
    missing = client.get(f"{BASE}/verify")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid_input"
    assert list(missing.json()["fields"]) == ["number"]
    malformed = client.get(f"{BASE}/verify", {"number": NUMBER, "holder_id_number": "123"})
    assert malformed.status_code == 400
    assert malformed.json()["fields"] == {
        "holder_id_number": ["Enter the holder’s ID number as 13 digits, for example 1-2345-67890-12-3."]
    }


def test_an_expired_document(world):
    expired = signed_document(
        agency=world["home"],
        holder_user=world["holder"],
        valid_from=local_today() - datetime.timedelta(days=400),
        valid_until=local_today() - datetime.timedelta(days=35),
    )
    body = client_for(world["anonymous"]).get(f"{BASE}/verify", {"number": expired.number}).json()
    until = expired.valid_until
    assert (body["genuine"], body["status"], body["problem"]) == (False, "expired", "expired")
    assert body["message"] == f"This document expired: it was valid until {format_date(until, lang='en')}."


def test_a_revoked_and_replaced_document(world, licence):
    replacement = services.document_replace(
        actor=world["officer_with"], document=licence, holder_name="สมชาย แก้ไขแล้ว", note=""
    )
    licence.refresh_from_db()
    body = client_for(world["anonymous"]).get(f"{BASE}/verify", {"number": NUMBER}).json()
    assert (body["genuine"], body["status"], body["problem"]) == (False, "revoked", "revoked")
    assert body["document"]["revoked_at"] == iso(licence.revoked_at)
    assert body["document"]["revocation_reason"] == {
        "code": "corrected",
        "label": "Replaced by a corrected document",
    }
    assert body["document"]["replaced_by"] == replacement.number
    new = client_for(world["anonymous"]).get(f"{BASE}/verify/{replacement.public_id}").json()
    assert (new["status"], new["document"]["replaces"], new["document"]["signed_json_url"]) == (
        "pending",
        NUMBER,
        None,
    )
    assert new["message"] == "The agency is still signing this document. Please check again in a few minutes."


# --- by the QR code's id ------------------------------------------------------------------------------


def test_by_id_is_the_same_answer(world, licence):
    client = client_for(world["anonymous"])
    by_id = client.get(f"{BASE}/verify/{licence.public_id}")
    by_number = client.get(f"{BASE}/verify", {"number": NUMBER})
    assert by_id.status_code == 200
    assert by_id.json() == by_number.json()
    # Without an ID number it is not a counted lookup; the number was.
    assert len([key for key in cache._cache if "documents:verify" in key]) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("public_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_an_unknown_id_is_404(world, public_id):
    response = client_for(world["anonymous"]).get(f"{BASE}/verify/{public_id}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- by file ------------------------------------------------------------------------------------------


def test_the_file_we_issued(world, licence):
    response = post_file(client_for(world["anonymous"]), pdf_of(licence, "en"))
    assert response.status_code == 200
    body = response.json()
    assert (body["genuine"], body["file_checked"], body["file_matches"], body["problem"]) == (
        True,
        True,
        True,
        "",
    )
    assert body["signature"]["valid"] is True
    assert body["signature"]["problem"] == ""
    assert body["document"] == expected_document(
        licence, holder_name=masked_name(licence.holder_name), holder_confirmed=False
    )
    assert_no_personal_data(response.content.decode(), licence)


def test_the_file_with_the_holders_id_number(world, licence):
    body = post_file(
        client_for(world["anonymous"]), pdf_of(licence), holder_id_number=world["holder"].national_id
    ).json()
    assert (body["document"]["holder_name"], body["document"]["holder_confirmed"]) == (
        thai_name(world["holder"]),
        True,
    )


def test_a_file_with_one_byte_changed(world, licence):
    data = bytearray(pdf_of(licence))
    data[len(data) // 4] ^= 0x01
    response = post_file(client_for(world["anonymous"]), bytes(data))
    assert response.status_code == 200
    body = response.json()
    assert (body["genuine"], body["file_matches"], body["problem"], body["document"]) == (
        False,
        False,
        "altered",
        None,
    )
    assert body["message"] == "This file is not the one we issued: it has been changed."
    assert body["signature"]["valid"] is False


def test_a_file_signed_with_another_agencys_key(world, licence):
    other = world["other"]
    forged = signing.sign_pdf(
        rendering.render_pdf(licence, language="en"),
        signer=signing.signer_for(agency_code=other.code, name_th=other.name_th, name_en=other.name_en),
        reason="Forged",
        location=other.name_en,
    )
    body = post_file(client_for(world["anonymous"]), forged).json()
    assert (body["genuine"], body["file_matches"], body["problem"], body["document"]) == (
        False,
        False,
        "not_issued_here",
        None,
    )
    assert body["message"] == "This file is not a document issued on Pracha."
    assert (body["signature"]["valid"], body["signature"]["signer_subject"]) == (
        True,
        signing.signer_for(agency_code=other.code).subject,
    )


def test_a_file_that_is_not_a_pdf_or_no_file_is_400(world):
    client = client_for(world["anonymous"])
    not_pdf = post_file(client, b"GIF89a not a pdf")
    assert (not_pdf.status_code, not_pdf.json()["fields"]) == (
        400,
        {"file": ["The selected file is not a PDF. Choose the PDF file of the document."]},
    )
    thai = post_file(client_for(world["anonymous"], language="th"), b"GIF89a not a pdf")
    assert thai.headers["Content-Language"] == "th"
    no_file = client.post(f"{BASE}/verify", {"holder_id_number": ""})
    assert (no_file.status_code, no_file.json()["fields"]) == (
        400,
        {"file": ["Choose the PDF file to check."]},
    )


# --- the rate limit -----------------------------------------------------------------------------------


def test_thirty_lookups_then_429(world, licence):
    client = client_for(world["anonymous"])
    for _ in range(30):
        assert client.get(f"{BASE}/verify", {"number": "FSP-2569-999999"}).status_code == 404
    refused = client.get(f"{BASE}/verify", {"number": NUMBER})
    assert (refused.status_code, refused.json()) == (429, RATE_LIMITED)
    assert post_file(client, pdf_of(licence)).status_code == 429
    with_id = client.get(
        f"{BASE}/verify/{licence.public_id}", {"holder_id_number": world["holder"].national_id}
    )
    assert (with_id.status_code, with_id.json()) == (429, RATE_LIMITED)
    # The QR code's link without an ID number still answers.
    assert client.get(f"{BASE}/verify/{licence.public_id}").status_code == 200
    # The page and the API share one count per client address.
    page = client.post("/verify/", {"check": "number", "number-number": NUMBER})
    assert page.status_code == 429


def test_ten_wrong_id_numbers_for_a_document_then_429_for_any(world, licence):
    client = client_for(world["anonymous"])
    for attempt in range(10):
        wrong = f"{1100000000000 + attempt:013d}"
        response = client.get(
            f"{BASE}/verify",
            {"number": NUMBER, "holder_id_number": wrong},
            REMOTE_ADDR=f"198.51.100.{attempt}",
        )
        assert (response.status_code, response.json()["document"]["holder_confirmed"]) == (200, False)
    limited = {
        "code": "rate_limited",
        "message": "Too many wrong ID numbers have been entered for this document, so the ID number you "
        "entered was not checked. Please try again after 24 hours.",
        "fields": {},
    }
    national_id = world["holder"].national_id
    for response in (
        client.get(f"{BASE}/verify", {"number": NUMBER, "holder_id_number": national_id}),
        client.get(f"{BASE}/verify/{licence.public_id}", {"holder_id_number": national_id}),
        post_file(client, pdf_of(licence), holder_id_number=national_id),
    ):
        assert (response.status_code, response.json()) == (429, limited)
        assert_no_personal_data(response.content.decode(), licence)
    # Without an ID number the document is still verified.
    assert client.get(f"{BASE}/verify", {"number": NUMBER}).json()["genuine"] is True


# --- the caller's wallet ------------------------------------------------------------------------------


def test_my_documents(world, licence):
    pending = issued_document(agency=world["home"], holder_user=world["holder"])
    response = client_for(world["holder"]).get(f"{BASE}/mine")
    assert response.status_code == 200
    body = response.json()
    assert [item["number"] for item in body] == [pending.number, NUMBER]
    assert (body[0]["status"], body[0]["files"], body[0]["signed_json_url"]) == ("pending", [], None)
    mine = body[1]
    assert mine["status"] == "valid"
    assert mine["holder_name"] == thai_name(world["holder"])
    assert mine["subject_reference"] == "APP-2569-000123"
    assert mine["files"] == [
        {
            "language": file.language,
            "size": file.size,
            "sha256": file.sha256,
            "download_url": f"http://testserver{BASE}/mine/{licence.public_id}/{file.language}.pdf",
        }
        for file in licence.files.order_by("language")
    ]
    expected = expected_document(licence, holder_name=thai_name(world["holder"]), holder_confirmed=True)
    del expected["holder_confirmed"]
    assert {key: mine[key] for key in expected} == expected


def test_another_person_has_none(world, licence):
    assert client_for(world["other_citizen"]).get(f"{BASE}/mine").json() == []


def test_the_wallet_needs_a_person(world, licence):
    response = client_for(world["anonymous"]).get(f"{BASE}/mine")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    admin = officer(
        world["home"], RoleFactory(code="doc-token-admin", permissions=["agencies.manage_tokens"])
    )
    _token, key = account_services.api_token_create(actor=admin, name="counter", agency_code="doc-home")
    system = Client().get(f"{BASE}/mine", headers={"Authorization": f"Bearer {key}"})
    assert (system.status_code, system.json()["code"]) == (403, "permission_denied")


def test_a_personal_token_gets_the_wallet_and_its_pdfs(world, licence):
    _token, key = account_services.api_token_create(actor=world["holder"], name="my app")
    headers = {"Authorization": f"Bearer {key}"}
    body = Client().get(f"{BASE}/mine", headers=headers).json()
    url = body[0]["files"][0]["download_url"].removeprefix("http://testserver")
    pdf = Client().get(url, headers=headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{NUMBER}-en.pdf"'
    assert pdf["Cache-Control"] == "private, no-store"
    assert b"".join(pdf.streaming_content) == pdf_of(licence, "en")


@pytest.mark.parametrize("who", ["other_citizen", "officer_with"])
def test_someone_elses_pdf_is_404(world, licence, who):
    response = client_for(world[who]).get(f"{BASE}/mine/{licence.public_id}/th.pdf")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "No document with that number.", "fields": {}},
    )


def test_the_openapi_document_describes_the_endpoints(world):
    schema = json.loads(client_for(world["anonymous"]).get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths[f"{BASE}/verify"])
    assert "get" in paths[f"{BASE}/verify/{{public_id}}"]
    assert "get" in paths[f"{BASE}/mine"]
    assert "get" in paths[f"{BASE}/mine/{{public_id}}/{{language}}.pdf"]
