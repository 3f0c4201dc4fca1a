"""The documents services: issuing and signing (with retries), revocation, replacement, retrying a
failed signing, and share links, against the authorization matrix. A refused change changes nothing
and writes no audit entry."""

import base64
import datetime
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from pracha.audit.public import AuditEntry
from pracha.core.errors import Conflict, InvalidInput, PermissionDenied
from pracha.core.storage import private_storage
from pracha.core.text import masked_name
from pracha.core.working_days import local_today
from pracha.documents import selectors, services, signing
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.documents.tests.factories import (
    DocumentFileFactory,
    issue_kwargs,
    issued_document,
    licence_content,
    receipt_content,
    signed_document,
    thai_name,
)
from pracha.notifications.public import Message, contact_confirmed

BAD_ID = "The holder's ID number must be up to 13 digits."
BAD_CONTENT = "The content of a document must be a set of named values."
NOT_REVOKERS = ["holder", "other_citizen", "director", "officer_without", "officer_other_agency"]


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def snapshot(document: Document) -> tuple[Any, ...]:
    document.refresh_from_db()
    return (document.state, document.sign_attempts, document.revoked_at, document.revocation_reason,
            document.holder_name, Document.objects.count(), AuditEntry.objects.count())  # fmt: skip


@pytest.fixture
def no_signing_keys(settings: Any, tmp_path: Path) -> None:
    """Production settings with nothing under the signing root: every signing attempt fails for real."""
    settings.PRACHA_DEMO_PKI = False
    settings.PRACHA_SIGNING_ROOT = tmp_path / "empty-signing-root"


def stored_bytes(file: DocumentFile) -> bytes:
    with private_storage().open(file.stored_name, "rb") as stored:
        return stored.read()


# --- issuing and signing ------------------------------------------------------------------------------


def test_an_issued_document_is_pending_until_the_commit_signs_it(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    holder = world["holder"]
    with django_capture_on_commit_callbacks() as callbacks:
        document = issued_document(agency=world["home"], holder_user=holder, number="FSP-2569-000001")
    assert (document.state, document.sign_attempts, document.signed_json) == ("pending", 0, "")
    assert not DocumentFile.objects.exists()
    entry = AuditEntry.objects.get(action="documents.document_issue")
    assert (entry.target_id, entry.actor_id, entry.payload) == (
        str(document.public_id),
        "",
        {
            "kind": "licence",
            "agency": "doc-home",
            "subject_reference": "APP-2569-000123",
            "valid_from": local_today().isoformat(),
            "valid_until": (local_today() + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the signing task runs (the immediate backend in tests)
    document.refresh_from_db()
    assert document.state == "signed"
    assert document.signed_at is not None
    assert document.last_error == ""
    signer = signing.signer_for(agency_code="doc-home")
    assert document.signer_certificate_sha256 == signer.certificate_sha256
    files = list(document.files.all())
    assert [(file.language, file.stored_name) for file in files] == [
        ("en", f"documents/{document.public_id}/en.pdf"),
        ("th", f"documents/{document.public_id}/th.pdf"),
    ]
    for file in files:
        data = stored_bytes(file)
        assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        check = signing.check_pdf_signature(data)
        assert (check.valid, check.problem, check.signer_certificate_sha256) == (
            True, "", signer.certificate_sha256,
        )  # fmt: skip
    sign_entry = AuditEntry.objects.get(action="documents.document_sign")
    assert (sign_entry.actor_id, sign_entry.payload["files"], sign_entry.payload["attempt"]) == (
        "", {file.language: file.sha256 for file in files}, 1,
    )  # fmt: skip


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of a decoded JSON value, as dotted paths ("files.th.sha256"; list items as "[]")."""
    if isinstance(value, dict):
        paths: set[str] = set()
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{prefix}[]") for item in value))
    return set()


COMMON_KEYS = {
    "number", "kind", "title_th", "title_en", "agency", "agency.code", "agency.name_th",
    "agency.name_en", "holder_name_masked", "valid_from", "valid_until", "replaces", "issued_at",
    "signed_at", "files", "files.th", "files.th.sha256", "files.th.size", "files.en", "files.en.sha256",
    "files.en.size", "verification_url", "printed",
}  # fmt: skip


def jws_payload_text(token: str) -> str:
    """The payload of a JWS compact serialisation exactly as published, decoded from base64url."""
    encoded = token.split(".")[1]
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def test_the_signed_json_copy_carries_no_more_than_the_verification_page(world: Any) -> None:
    holder, business = world["holder"], world["business"]
    content = licence_content(
        business_name_th="บริษัท ลับเฉพาะ จำกัด", business_name_en="Secret Co., Ltd.",
        juristic_number="0105599999999",
    )  # fmt: skip
    document = signed_document(
        agency=world["home"], holder_user=holder, number="FSP-2569-000002", content=content
    )
    payload, certificate_sha256 = signing.verify_json(document.signed_json)
    assert certificate_sha256 == document.signer_certificate_sha256
    files = {file.language: file for file in document.files.all()}
    assert payload == {
        "number": "FSP-2569-000002",
        "kind": "licence",
        "title_th": "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "title_en": "Food shop permit",
        "agency": {"code": "doc-home", "name_th": "สำนักงานเขตทดสอบ", "name_en": "Test District Office"},
        "holder_name_masked": masked_name(thai_name(holder)),
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "replaces": None,
        "issued_at": document.created_at.isoformat(),
        "signed_at": document.signed_at.isoformat() if document.signed_at else None,
        "files": {
            language: {"sha256": file.sha256, "size": file.size} for language, file in sorted(files.items())
        },
        "verification_url": f"http://testserver/verify/{document.public_id}/",
        "printed": {
            "service_name_th": "ขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
            "service_name_en": "Food shop permit",
            "conditions": [{"th": "ต้องรักษาความสะอาด", "en": "Keep the premises clean"}],
        },
    }
    assert key_paths(payload) == COMMON_KEYS | {
        "printed.service_name_th", "printed.service_name_en", "printed.conditions",
        "printed.conditions[].th", "printed.conditions[].en",
    }  # fmt: skip
    published = jws_payload_text(document.signed_json)
    private = [holder.national_id, thai_name(holder), "APP-2569-000123", "0105599999999", "บริษัท ลับเฉพาะ",
               "Secret Co.", business.juristic_number]  # fmt: skip
    assert [secret for secret in private if secret in published] == []


def test_the_signed_json_copy_of_a_receipt_names_no_payer_bill_or_receipt_id(world: Any) -> None:
    holder = world["holder"]
    document = signed_document(
        agency=world["home"], holder_user=holder, kind="receipt", number="RC-DOC-HOME-2569-000009",
        subject_reference="BILL-2569-000045", valid_until=None, content=receipt_content(),
    )  # fmt: skip
    payload, _ = signing.verify_json(document.signed_json)
    assert payload["printed"] == {
        "lines": [
            {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 30000}
        ],
        "amount_satang": 30000,
        "amount_in_words": "สามร้อยบาทถ้วน",
        "channel": "counter",
        "issued_at": "2026-01-14T03:00:00+00:00",
    }
    assert key_paths(payload) == COMMON_KEYS | {
        "printed.lines", "printed.lines[].code", "printed.lines[].name_th", "printed.lines[].name_en",
        "printed.lines[].amount_satang", "printed.amount_satang", "printed.amount_in_words",
        "printed.channel", "printed.issued_at",
    }  # fmt: skip
    published = jws_payload_text(document.signed_json)
    private = [holder.national_id, thai_name(holder), "BILL-2569-000045", "APP-2569-000123",
               "00000000-0000-4000-8000-000000000045"]  # fmt: skip
    assert [secret for secret in private if secret in published] == []


def test_issuing_the_same_number_again_gives_the_same_document(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    holder = world["holder"]
    with django_capture_on_commit_callbacks() as callbacks:
        first = issued_document(agency=world["home"], holder_user=holder, number="RC-DOC-2569-000001")
        # The holder's ID number typed differently, another spelling of the name: the same document.
        again = issued_document(
            agency=world["home"], holder_user=holder, number=" RC-DOC-2569-000001 ", holder_name="คนอื่น",
            holder_id_number=f"{holder.national_id[0]}-{holder.national_id[1:]}",
        )  # fmt: skip
    assert again.pk == first.pk
    assert (Document.objects.count(), audit_count("documents.document_issue"), len(callbacks)) == (1, 1, 1)
    assert again.holder_name == thai_name(holder)


@pytest.mark.parametrize("changed", ["agency", "subject_reference", "holder_id_number"])
def test_a_number_already_issued_for_something_else_is_a_conflict(world: Any, changed: str) -> None:
    first = issued_document(agency=world["home"], holder_user=world["holder"], number="RC-DOC-2569-000001")
    change = {
        "agency": {"agency": world["other"]},
        "subject_reference": {"subject_reference": "APP-2569-000999"},
        "holder_id_number": {"holder_id_number": world["other_citizen"].national_id},
    }[changed]
    with pytest.raises(Conflict) as refused:
        issued_document(
            holder_user=world["holder"], number="RC-DOC-2569-000001", **({"agency": world["home"]} | change)
        )
    assert str(refused.value) == (
        "Document number RC-DOC-2569-000001 has already been issued by another agency, for something else "
        "or to another holder."
    )
    assert list(Document.objects.values_list("pk", flat=True)) == [first.pk]
    assert audit_count("documents.document_issue") == 1


def test_a_businesss_document_is_not_also_a_persons(world: Any) -> None:
    business = world["business"]
    with pytest.raises(InvalidInput) as refused:
        issued_document(
            agency=world["home"], holder_user=world["director"], holder_business=business,
            holder_id_number=business.juristic_number, holder_name=business.name_th,
        )  # fmt: skip
    assert refused.value.fields == {
        "holder_user": ["A business's document is held by the business, not by a person."]
    }
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": "passport"}, {"kind": ["Unknown kind of document."]}),
        ({"number": "  "}, {"number": ["This is required."]}),
        ({"number": "X" * 65}, {"number": ["Write at most 64 characters."]}),
        ({"title_th": ""}, {"title_th": ["This is required."]}),
        ({"holder_name": " "}, {"holder_name": ["This is required."]}),
        ({"holder_id_number": "12345678901234"}, {"holder_id_number": [BAD_ID]}),
        ({"holder_id_number": "๑๒๓"}, {"holder_id_number": [BAD_ID]}),
        (
            {"valid_until": local_today() - datetime.timedelta(days=1)},
            {"valid_until": ["A document cannot end before it starts."]},
        ),
        ({"content": ["not", "a", "dict"]}, {"content": [BAD_CONTENT]}),
    ],
)  # fmt: skip
def test_bad_input_issues_nothing(world: Any, changes: dict[str, Any], fields: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.document_issue(**issue_kwargs(agency=world["home"], **changes))
    assert refused.value.fields == fields
    assert not Document.objects.exists()
    assert audit_count("documents.document_issue") == 0


def test_a_holder_id_number_typed_with_dashes_is_stored_as_digits(world: Any) -> None:
    document = issued_document(agency=world["home"], holder_id_number="1-9999-01234-56-7")
    assert document.holder_id_number == "1999901234567"


def test_signing_only_a_pending_document_that_is_due(world: Any) -> None:
    document = signed_document(agency=world["home"])
    signed_at = document.signed_at
    again = services.document_sign(document_id=document.pk)
    assert (again.signed_at, audit_count("documents.document_sign"), DocumentFile.objects.count()) == (
        signed_at, 1, 2,
    )  # fmt: skip


# --- failures, retries and backoff --------------------------------------------------------------------


def test_a_failed_attempt_is_retried_later_with_a_growing_delay(world: Any, no_signing_keys: None) -> None:
    document = issued_document(agency=world["home"])
    before = timezone.now()
    document = services.document_sign(document_id=document.pk)
    assert (document.state, document.sign_attempts) == ("pending", 1)
    assert document.last_error.startswith("SigningUnavailable: Agency 'doc-home' has no signing key")
    assert document.next_attempt_at is not None
    assert before + datetime.timedelta(seconds=60) <= document.next_attempt_at
    assert document.next_attempt_at <= timezone.now() + datetime.timedelta(seconds=60)
    # Not due yet: nothing is tried.
    assert services.document_sign(document_id=document.pk).sign_attempts == 1
    Document.objects.filter(pk=document.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    before = timezone.now()
    document = services.document_sign(document_id=document.pk)
    assert document.sign_attempts == 2
    next_attempt = document.next_attempt_at
    assert next_attempt is not None
    assert (
        before + datetime.timedelta(seconds=120)
        <= next_attempt
        <= timezone.now() + datetime.timedelta(seconds=120)
    )
    assert not DocumentFile.objects.exists()
    assert audit_count("documents.document_sign_failed") == 0


def test_the_delay_between_attempts_is_at_most_an_hour(world: Any, no_signing_keys: None) -> None:
    document = issued_document(agency=world["home"])
    Document.objects.filter(pk=document.pk).update(sign_attempts=6)
    before = timezone.now()
    document = services.document_sign(document_id=document.pk)
    assert (document.state, document.sign_attempts) == ("pending", 7)
    assert document.next_attempt_at is not None
    assert before + datetime.timedelta(hours=1) <= document.next_attempt_at
    assert document.next_attempt_at <= timezone.now() + datetime.timedelta(hours=1)


def test_after_the_last_attempt_the_document_is_failed(
    world: Any, no_signing_keys: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PRACHA_DOCUMENT_SIGN_ATTEMPTS = 3
    document = issued_document(agency=world["home"])
    for attempt in (1, 2, 3):
        Document.objects.filter(pk=document.pk).update(next_attempt_at=None)
        document = services.document_sign(document_id=document.pk)
        assert document.sign_attempts == attempt
    assert (document.state, document.next_attempt_at) == ("failed", None)
    # Each failed attempt is a warning; only the last, which needs an operator, is an error.
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == [
        f"signing document {document.number} failed 3 times and has stopped: {document.last_error}"
    ]
    assert [record.levelname for record in caplog.records if record.name == "pracha.documents.services"] == [
        "WARNING", "WARNING", "WARNING", "ERROR",
    ]  # fmt: skip
    entry = AuditEntry.objects.get(action="documents.document_sign_failed")
    assert entry.payload == {"attempts": 3, "error": document.last_error}
    # A failed document is not tried again by itself.
    assert services.document_sign(document_id=document.pk).sign_attempts == 3
    assert selectors.document_status(document) == "failed"


def test_files_of_an_attempt_that_fails_are_not_left_behind(world: Any) -> None:
    document = issued_document(agency=world["home"])
    # An English file row already there: storing the second file fails, after both were written.
    DocumentFileFactory(document=document, language="en", stored_name="elsewhere.pdf")
    document = services.document_sign(document_id=document.pk)
    assert (document.state, document.sign_attempts) == ("pending", 1)
    assert document.last_error.startswith("IntegrityError")
    storage = private_storage()
    names = [f"documents/{document.public_id}/{language}.pdf" for language in ("th", "en")]
    assert [storage.exists(name) for name in names] == [False, False]
    assert list(document.files.values_list("language", "stored_name")) == [("en", "elsewhere.pdf")]
    assert audit_count("documents.document_sign") == 0


# --- one attempt at a time ----------------------------------------------------------------------------


def test_a_document_being_signed_is_not_signed_again_meanwhile(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task and the periodic catch-up may both pick a document: whichever comes second while the
    first is rendering does nothing."""
    document = issued_document(agency=world["home"])
    render_and_sign = services._render_and_sign
    meanwhile: list[Document] = []

    def rendering_while_another_worker_tries(document: Document) -> Any:
        meanwhile.append(services.document_sign(document_id=document.pk))
        return render_and_sign(document)

    monkeypatch.setattr(services, "_render_and_sign", rendering_while_another_worker_tries)
    signed = services.document_sign(document_id=document.pk)
    [second] = meanwhile
    assert (second.state, second.sign_attempts) == ("pending", 0)
    assert (signed.state, signed.sign_attempts) == ("signed", 0)
    assert (DocumentFile.objects.count(), audit_count("documents.document_sign")) == (2, 1)


def test_a_failure_while_another_worker_tries_is_counted_once(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = issued_document(agency=world["home"])

    def failing_while_another_worker_tries(document: Document) -> Any:
        services.document_sign(document_id=document.pk)
        raise signing.SigningUnavailable("the key is on a card that was pulled out")

    monkeypatch.setattr(services, "_render_and_sign", failing_while_another_worker_tries)
    document = services.document_sign(document_id=document.pk)
    assert (document.state, document.sign_attempts, document.last_error) == (
        "pending", 1, "SigningUnavailable: the key is on a card that was pulled out",
    )  # fmt: skip


def test_a_failure_after_the_claim_was_taken_over_is_not_counted(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that took longer than its lease: another has claimed the document since, and only that
    attempt's outcome counts."""
    document = issued_document(agency=world["home"])
    taken_over_until = timezone.now() + datetime.timedelta(minutes=7)

    def failing_after_a_takeover(document: Document) -> Any:
        Document.objects.filter(pk=document.pk).update(next_attempt_at=taken_over_until)
        raise signing.SigningUnavailable("too slow")

    monkeypatch.setattr(services, "_render_and_sign", failing_after_a_takeover)
    document = services.document_sign(document_id=document.pk)
    assert (document.state, document.sign_attempts, document.last_error, document.next_attempt_at) == (
        "pending", 0, "", taken_over_until,
    )  # fmt: skip


def test_an_attempt_claims_the_document_for_a_few_minutes(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = issued_document(agency=world["home"])
    claimed: list[Any] = []

    def looking_at_the_claim(document: Document) -> Any:
        claimed.append(Document.objects.get(pk=document.pk).next_attempt_at)
        raise signing.SigningUnavailable("no key")

    monkeypatch.setattr(services, "_render_and_sign", looking_at_the_claim)
    before = timezone.now()
    services.document_sign(document_id=document.pk)
    assert (
        before + datetime.timedelta(minutes=5) <= claimed[0] <= timezone.now() + datetime.timedelta(minutes=5)
    )


# --- retrying a failed signing ------------------------------------------------------------------------


@pytest.fixture
def failed_document(world: Any, settings: Any, tmp_path: Path) -> Document:
    settings.PRACHA_DEMO_PKI, demo_root = False, settings.PRACHA_SIGNING_ROOT
    settings.PRACHA_SIGNING_ROOT = tmp_path / "empty-signing-root"
    settings.PRACHA_DOCUMENT_SIGN_ATTEMPTS = 1
    document = services.document_sign(document_id=issued_document(agency=world["home"]).pk)
    assert document.state == "failed"
    settings.PRACHA_DEMO_PKI, settings.PRACHA_SIGNING_ROOT = True, demo_root
    return document


@pytest.mark.parametrize("who", NOT_REVOKERS)
def test_only_an_officer_of_the_agency_with_the_permission_retries(
    world: Any, failed_document: Document, who: str
) -> None:
    before = snapshot(failed_document)
    with pytest.raises(PermissionDenied):
        services.document_sign_retry(actor=world[who], document=failed_document)
    assert snapshot(failed_document) == before


def test_a_retried_document_is_signed_after_the_commit(
    world: Any, failed_document: Document, django_capture_on_commit_callbacks: Any
) -> None:
    last_error = failed_document.last_error
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_sign_retry(actor=world["officer_with"], document=failed_document)
    assert (document.state, document.sign_attempts, document.last_error) == ("pending", 0, "")
    document.refresh_from_db()
    assert document.state == "signed"
    entry = AuditEntry.objects.get(action="documents.document_sign_retry")
    assert (entry.actor_id, entry.payload) == (
        str(world["officer_with"].public_id),
        {"last_error": last_error},
    )
    with pytest.raises(Conflict):
        services.document_sign_retry(actor=world["officer_with"], document=document)


# --- revocation ---------------------------------------------------------------------------------------


@pytest.fixture
def licence(world: Any) -> Document:
    return signed_document(agency=world["home"], holder_user=world["holder"], number="FSP-2569-000100")


@pytest.mark.parametrize("who", NOT_REVOKERS)
def test_only_an_officer_of_the_agency_with_the_permission_revokes(
    world: Any, licence: Document, who: str, django_capture_on_commit_callbacks: Any
) -> None:
    before = snapshot(licence)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.document_revoke(actor=world[who], document=licence, reason="issued_in_error", note="")
    assert snapshot(licence) == before
    assert mail.outbox == []
    assert not Message.objects.filter(kind="document_revoked").exists()


def test_revoking_records_why_and_tells_the_holder(
    world: Any, licence: Document, django_capture_on_commit_callbacks: Any
) -> None:
    officer, holder = world["officer_with"], world["holder"]
    contact_confirmed(user=holder, channel="email", address=holder.email)
    with django_capture_on_commit_callbacks() as callbacks:
        document = services.document_revoke(
            actor=officer, document=licence, reason="withdrawn", note="  ร้านปิดกิจการแล้ว  "
        )
    assert mail.outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    document.refresh_from_db()
    assert (document.revocation_reason, document.revocation_note, document.revoked_by) == (
        "withdrawn", "ร้านปิดกิจการแล้ว", officer,
    )  # fmt: skip
    assert document.revoked_at is not None
    assert selectors.document_status(document) == "revoked"
    entry = AuditEntry.objects.get(action="documents.document_revoke")
    assert (entry.actor_id, entry.target_id, entry.payload) == (
        str(officer.public_id), str(document.public_id), {"reason": "withdrawn", "note": "ร้านปิดกิจการแล้ว"},
    )  # fmt: skip
    link = f"/documents/{document.public_id}/"
    assert list(
        Message.objects.filter(kind="document_revoked")
        .order_by("channel")
        .values_list("channel", "recipient_id", "language", "address", "link", "agency_code", "dedupe_key")
    ) == [
        ("email", holder.pk, "th", holder.email, link, "doc-home", "document_revoked:FSP-2569-000100"),
        ("inapp", holder.pk, "th", "", link, "doc-home", "document_revoked:FSP-2569-000100"),
    ]  # fmt: skip
    [message] = mail.outbox
    assert message.to == [holder.email]
    assert "FSP-2569-000100" in message.subject
    with translation.override("th"):
        reason = str(Document.RevocationReason.WITHDRAWN.label)
    assert reason in message.body
    # The note is the agency's own record: the holder is told the reason only.
    assert not Message.objects.filter(body__contains="ร้านปิดกิจการแล้ว").exists()
    assert f"http://testserver{link}" in message.body
    with pytest.raises(Conflict):
        services.document_revoke(actor=officer, document=document, reason="fraud", note="")
    assert audit_count("documents.document_revoke") == 1
    assert Message.objects.filter(kind="document_revoked").count() == 2


@pytest.mark.parametrize(
    ("reason", "note", "fields"),
    [
        ("lost", "", {"reason": ["Choose the reason for revoking the document."]}),
        ("corrected", "", {"reason": ["Choose the reason for revoking the document."]}),
        ("fraud", "ก" * 1001, {"note": ["Write at most 1000 characters."]}),
    ],
)
def test_revoking_needs_a_known_reason_and_a_short_note(
    world: Any, licence: Document, reason: str, note: str, fields: dict[str, list[str]]
) -> None:
    before = snapshot(licence)
    with pytest.raises(InvalidInput) as refused:
        services.document_revoke(actor=world["officer_with"], document=licence, reason=reason, note=note)
    assert refused.value.fields == fields
    assert snapshot(licence) == before


def test_a_holder_without_an_account_is_not_e_mailed(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = signed_document(agency=world["home"], holder_user=None, holder_id_number="1999900000001",
                               holder_name="สมศรี ไม่มีบัญชี")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.document_revoke(actor=world["officer_with"], document=document, reason="fraud", note="")
    assert mail.outbox == []
    assert not Message.objects.exists()


# --- replacement --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_REVOKERS)
def test_only_an_officer_of_the_agency_with_the_permission_replaces(
    world: Any, licence: Document, who: str
) -> None:
    before = snapshot(licence)
    with pytest.raises(PermissionDenied):
        services.document_replace(actor=world[who], document=licence, holder_name="สมชาย ถูกต้อง", note="")
    assert snapshot(licence) == before


def test_a_replacement_links_to_the_document_it_corrects(
    world: Any, licence: Document, django_capture_on_commit_callbacks: Any
) -> None:
    officer, holder = world["officer_with"], world["holder"]
    contact_confirmed(user=holder, channel="email", address=holder.email)
    with django_capture_on_commit_callbacks(execute=True):
        replacement = services.document_replace(
            actor=officer, document=licence, holder_name="  สมชาย ชื่อถูกต้อง ", note="สะกดชื่อผิด"
        )
    replacement.refresh_from_db()
    licence.refresh_from_db()
    assert (replacement.number, replacement.replaces, replacement.holder_name, replacement.state) == (
        "FSP-2569-000100-R1", licence, "สมชาย ชื่อถูกต้อง", "signed",
    )  # fmt: skip
    copied = ["kind", "title_th", "title_en", "agency_id", "subject_reference", "holder_user_id",
              "holder_business_id", "holder_id_number", "valid_from", "valid_until", "content"]  # fmt: skip
    assert [getattr(replacement, name) for name in copied] == [getattr(licence, name) for name in copied]
    assert (licence.revocation_reason, licence.revocation_note, licence.revoked_by) == (
        "corrected", "สะกดชื่อผิด", officer,
    )  # fmt: skip
    assert licence.replaced_by == replacement
    assert [(entry.action, entry.target_id, entry.payload) for entry in AuditEntry.objects.filter(
        action__in=["documents.document_revoke", "documents.document_replace"]).order_by("pk")] == [
        ("documents.document_revoke", str(licence.public_id),
         {"reason": "corrected", "note": "สะกดชื่อผิด", "replaced_by": "FSP-2569-000100-R1"}),
        ("documents.document_replace", str(replacement.public_id),
         {"replaces": "FSP-2569-000100", "note": "สะกดชื่อผิด"}),
    ]  # fmt: skip
    # The old number is revoked as corrected, with a link to the replacement, which is then signed.
    link = f"/documents/{replacement.public_id}/"
    assert list(
        Message.objects.filter(recipient=holder, channel="email")
        .order_by("pk")
        .values_list("kind", "address", "link", "dedupe_key")
    ) == [
        ("document_revoked", holder.email, link, "document_revoked:FSP-2569-000100"),
        ("document_ready", holder.email, link, "document_ready:FSP-2569-000100-R1"),
    ]  # fmt: skip
    revoked, ready = mail.outbox
    assert (revoked.to, ready.to) == ([holder.email], [holder.email])
    assert "FSP-2569-000100" in revoked.subject
    with translation.override("th"):
        assert str(Document.RevocationReason.CORRECTED.label) in revoked.body
    assert "FSP-2569-000100-R1" in ready.body
    assert f"http://testserver{link}" in revoked.body
    # The replacement of a replacement counts on from the original number.
    again = services.document_replace(actor=officer, document=replacement, holder_name="สมชาย ใหม่", note="")
    assert again.number == "FSP-2569-000100-R2"


def test_only_a_signed_document_in_force_is_replaced(world: Any, licence: Document) -> None:
    officer = world["officer_with"]
    pending = issued_document(agency=world["home"])
    with pytest.raises(Conflict):
        services.document_replace(actor=officer, document=pending, holder_name="ชื่อ", note="")
    services.document_revoke(actor=officer, document=licence, reason="fraud", note="")
    with pytest.raises(Conflict):
        services.document_replace(actor=officer, document=licence, holder_name="ชื่อ", note="")
    with pytest.raises(InvalidInput) as refused:
        services.document_replace(actor=officer, document=pending, holder_name=" ", note="")
    assert refused.value.fields == {
        "holder_name": ["Enter the holder's name as it should be on the document."]
    }
    assert audit_count("documents.document_replace") == 0


# --- share links --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "officer_with", "officer_other_agency"])
def test_only_the_holder_side_shares(world: Any, licence: Document, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.share_link_create(actor=world[who], document=licence, days=7)
    assert not ShareLink.objects.exists()
    assert audit_count("documents.share_link_create") == 0


def test_the_holder_shares_for_a_number_of_days(world: Any, licence: Document) -> None:
    before = timezone.now()
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    assert len(link.token) == 43  # secrets.token_urlsafe(32)
    assert (
        before + datetime.timedelta(days=7) <= link.expires_at <= timezone.now() + datetime.timedelta(days=7)
    )
    assert (link.document, link.created_by, link.revoked_at) == (licence, world["holder"], None)
    entry = AuditEntry.objects.get(action="documents.share_link_create")
    assert entry.payload == {
        "document": "FSP-2569-000100", "days": 7, "expires_at": link.expires_at.isoformat(),
    }  # fmt: skip
    assert link.token not in json.dumps(entry.payload) + entry.target_id


def test_a_business_document_is_shared_by_whoever_acts_for_the_business(world: Any) -> None:
    business = world["business"]
    document = signed_document(
        agency=world["home"], holder_user=None, holder_business=business,
        holder_id_number=business.juristic_number, holder_name=business.name_th,
    )  # fmt: skip
    link = services.share_link_create(actor=world["director"], document=document, days=1)
    assert link.created_by == world["director"]


@pytest.mark.parametrize("days", [0, 31, -1, True, "7", 7.0])
def test_a_share_lasts_one_to_thirty_days(world: Any, licence: Document, days: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.share_link_create(actor=world["holder"], document=licence, days=days)
    assert refused.value.fields == {"days": ["Choose from 1 to 30 days."]}
    assert not ShareLink.objects.exists()


def test_only_a_signed_document_in_force_is_shared(world: Any, licence: Document) -> None:
    pending = issued_document(agency=world["home"], holder_user=world["holder"])
    with pytest.raises(Conflict):
        services.share_link_create(actor=world["holder"], document=pending, days=7)
    services.document_revoke(actor=world["officer_with"], document=licence, reason="fraud", note="")
    with pytest.raises(Conflict):
        services.share_link_create(actor=world["holder"], document=licence, days=7)
    assert not ShareLink.objects.exists()


def test_the_holder_revokes_a_share_once(world: Any, licence: Document) -> None:
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    with pytest.raises(PermissionDenied):
        services.share_link_revoke(actor=world["other_citizen"], share_link=link)
    link.refresh_from_db()
    assert link.revoked_at is None
    revoked = services.share_link_revoke(actor=world["holder"], share_link=link)
    assert revoked.revoked_at is not None
    again = services.share_link_revoke(actor=world["holder"], share_link=link)
    assert again.revoked_at == revoked.revoked_at
    entry = AuditEntry.objects.get(action="documents.share_link_revoke")
    assert entry.payload == {"document": "FSP-2569-000100"}
