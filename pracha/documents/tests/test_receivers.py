"""A receipt issued by the payments app becomes a signed e-receipt, once; a receipt whose money was all
paid back is revoked."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from pracha.audit.public import AuditEntry
from pracha.core import events
from pracha.core.errors import NotFound
from pracha.documents import services
from pracha.documents.models import Document
from pracha.notifications.public import Message, contact_confirmed


def receipt_issued(world: Any, **changes: Any) -> events.ReceiptIssued:
    holder = world["holder"]
    values: dict[str, Any] = {
        "receipt_number": "RC-DOC-HOME-2569-000001",
        "receipt_public_id": "6f0c3f0e-8a57-4a51-9a3e-2f4f1d0c5b11",
        "agency_code": "doc-home",
        "bill_reference": "BILL-2569-000045",
        "subject_reference": "APP-2569-000123",
        "description_th": "ค่าธรรมเนียมคำขอเลขที่ APP-2569-000123",
        "description_en": "Fee for application APP-2569-000123",
        "payer_id_number": holder.national_id,
        "payer_name": "สมชาย ทดสอบ",
        "payer_user_public_id": str(holder.public_id),
        "payer_business_public_id": "",
        "lines": (
            events.FeeLine(code="permit", name_th="ค่าใบอนุญาต", name_en="Permit fee", amount_satang=30000),
            events.FeeLine(code="inspection", name_th="ค่าตรวจ", name_en="Inspection", amount_satang=5050),
        ),
        "amount_satang": 35050,
        "amount_in_words": "สามร้อยห้าสิบบาทห้าสิบสตางค์",
        "channel": "promptpay",
        # 20:30 UTC is 03:30 the next day in Bangkok: the receipt is dated the 15th.
        "issued_at": "2026-01-14T20:30:00+00:00",
    }
    return events.ReceiptIssued(**(values | changes))


def test_a_receipt_becomes_a_pending_e_receipt(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(receipt_issued(world))
    document = Document.objects.get()
    assert (
        document.number, document.kind, document.title_th, document.title_en, document.agency,
        document.subject_reference, document.holder_user, document.holder_business,
        document.holder_id_number, document.holder_name, document.valid_from, document.valid_until,
    ) == (
        "RC-DOC-HOME-2569-000001", "receipt", "ใบเสร็จรับเงิน", "Receipt", world["home"],
        "BILL-2569-000045", world["holder"], None,
        world["holder"].national_id, "สมชาย ทดสอบ", datetime.date(2026, 1, 15), None,
    )  # fmt: skip
    assert document.content == {
        "bill_reference": "BILL-2569-000045",
        "description_th": "ค่าธรรมเนียมคำขอเลขที่ APP-2569-000123",
        "description_en": "Fee for application APP-2569-000123",
        "lines": [
            {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 30000},
            {"code": "inspection", "name_th": "ค่าตรวจ", "name_en": "Inspection", "amount_satang": 5050},
        ],
        "amount_satang": 35050,
        "amount_in_words": "สามร้อยห้าสิบบาทห้าสิบสตางค์",
        "channel": "promptpay",
        "issued_at": "2026-01-14T20:30:00+00:00",
        "receipt_public_id": "6f0c3f0e-8a57-4a51-9a3e-2f4f1d0c5b11",
    }
    # The commit enqueued its signing, which the immediate backend ran.
    assert document.state == "signed"
    assert world["holder"].national_id not in document.signed_json


def test_the_same_receipt_announced_again_issues_nothing_new(world: Any) -> None:
    events.deliver(receipt_issued(world))
    events.deliver(receipt_issued(world, payer_name="ชื่ออื่น"))
    assert list(Document.objects.values_list("number", "holder_name")) == [
        ("RC-DOC-HOME-2569-000001", "สมชาย ทดสอบ")
    ]
    assert AuditEntry.objects.filter(action="documents.document_issue").count() == 1


def test_a_receipt_paid_for_a_business_is_the_businesss(world: Any) -> None:
    business = world["business"]
    events.deliver(
        receipt_issued(
            world,
            payer_id_number=business.juristic_number,
            payer_name=business.name_th,
            payer_user_public_id="",
            payer_business_public_id=str(business.public_id),
        )
    )
    document = Document.objects.get()
    assert (document.holder_user, document.holder_business, document.holder_id_number) == (
        None, business, business.juristic_number,
    )  # fmt: skip


def test_a_receipt_of_an_unknown_agency_issues_nothing(world: Any) -> None:
    with pytest.raises(NotFound):
        events.deliver(receipt_issued(world, agency_code="no-such-agency"))
    assert not Document.objects.exists()


def receipt_refunded(**changes: Any) -> events.ReceiptRefunded:
    values: dict[str, Any] = {
        "receipt_number": "RC-DOC-HOME-2569-000001",
        "bill_reference": "BILL-2569-000045",
        "fully_refunded": True,
        "refunded_at": "2026-01-20T04:00:00+00:00",
    }
    return events.ReceiptRefunded(**(values | changes))


def test_a_fully_refunded_receipt_is_revoked_and_the_holder_told(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    holder = world["holder"]
    contact_confirmed(user=holder, channel="email", address=holder.email)
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(receipt_issued(world))
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(receipt_refunded())
    document = Document.objects.get()
    assert (document.state, document.revocation_reason, document.revocation_note, document.revoked_by) == (
        "signed", "refunded", "", None,
    )  # fmt: skip
    assert document.revoked_at is not None
    entry = AuditEntry.objects.get(action="documents.document_revoke")
    assert (entry.actor_id, entry.target_id, entry.payload) == (
        "",
        str(document.public_id),
        {
            "reason": "refunded",
            "note": "",
            "bill_reference": "BILL-2569-000045",
            "refunded_at": "2026-01-20T04:00:00+00:00",
        },
    )
    link, key = f"/documents/{document.public_id}/", "document_revoked:RC-DOC-HOME-2569-000001"
    assert list(
        Message.objects.filter(kind="document_revoked")
        .order_by("channel")
        .values_list("channel", "recipient_id", "address", "link", "dedupe_key")
    ) == [("email", holder.pk, holder.email, link, key), ("inapp", holder.pk, "", link, key)]
    # The e-receipt's "ready" e-mail when it was signed, then the revocation.
    ready, revoked = mail.outbox
    assert (ready.to, revoked.to) == ([holder.email], [holder.email])
    assert "RC-DOC-HOME-2569-000001" in revoked.subject
    with translation.override("th"):
        assert str(Document.RevocationReason.REFUNDED.label) in revoked.body
    # Announced again (a handler retried): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(receipt_refunded())
    assert AuditEntry.objects.filter(action="documents.document_revoke").count() == 1
    assert (Message.objects.filter(kind="document_revoked").count(), len(mail.outbox)) == (2, 2)


def test_a_partial_refund_leaves_the_e_receipt_standing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(receipt_issued(world))
        events.deliver(receipt_refunded(fully_refunded=False))
    document = Document.objects.get()
    assert (document.revoked_at, document.revocation_reason) == (None, "")
    assert not AuditEntry.objects.filter(action="documents.document_revoke").exists()
    assert mail.outbox == []


def test_the_refund_revokes_the_correction_in_force(world: Any) -> None:
    events.deliver(receipt_issued(world))
    original = Document.objects.get()
    services.document_sign(document_id=original.pk)
    original.refresh_from_db()
    replacement = services.document_replace(
        actor=world["officer_with"], document=original, holder_name="สมชาย ถูกต้อง", note=""
    )
    events.deliver(receipt_refunded())
    original.refresh_from_db()
    replacement.refresh_from_db()
    assert (original.revocation_reason, replacement.revocation_reason) == ("corrected", "refunded")


def test_a_refund_of_a_receipt_without_an_e_receipt_changes_nothing(world: Any) -> None:
    events.deliver(receipt_refunded(receipt_number="RC-DOC-HOME-2569-999999"))
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(action="documents.document_revoke").exists()
