"""Who is told that a document is ready or was revoked: the holder's account, or for a business's
document everyone who acts for the business now; once per document, never with the officer's note, in
each person's language."""

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from pracha.accounts.tests.factories import BusinessAuthorisationFactory, UserFactory
from pracha.core.errors import Conflict, InvalidInput
from pracha.documents import services
from pracha.documents.models import Document
from pracha.documents.tests.factories import (
    LICENCE_TITLE_EN,
    LICENCE_TITLE_TH,
    issued_document,
    signed_document,
)
from pracha.notifications.public import Message, contact_confirmed, preferences_save

Row = tuple[str, str, int, str, str, str, str, str]


def told(**filters: Any) -> list[Row]:
    """(kind, channel, recipient, language, address, link, agency, dedupe key), in a fixed order."""
    return list(
        Message.objects.filter(**filters)
        .order_by("kind", "recipient_id", "channel")
        .values_list(
            "kind", "channel", "recipient_id", "language", "address", "link", "agency_code", "dedupe_key"
        )
    )


@pytest.fixture
def no_signing_keys(settings: Any, tmp_path: Path) -> None:
    settings.PRACHA_DEMO_PKI = False
    settings.PRACHA_SIGNING_ROOT = tmp_path / "empty-signing-root"


def test_signing_tells_the_holder_the_document_is_ready_once(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    holder = world["holder"]
    contact_confirmed(user=holder, channel="email", address=holder.email)
    document = issued_document(agency=world["home"], holder_user=holder, number="FSP-2569-000077")
    assert not told()  # issuing is not news; signing is
    with django_capture_on_commit_callbacks(execute=True):
        services.document_sign(document_id=document.pk)
    link = f"/documents/{document.public_id}/"
    key = "document_ready:FSP-2569-000077"
    assert told() == [
        ("document_ready", "email", holder.pk, "th", holder.email, link, "doc-home", key),
        ("document_ready", "inapp", holder.pk, "th", "", link, "doc-home", key),
    ]
    inapp = Message.objects.get(channel="inapp")
    assert "FSP-2569-000077" in inapp.body
    assert LICENCE_TITLE_TH in inapp.body
    [email] = mail.outbox
    assert email.to == [holder.email]
    assert f"http://testserver{link}" in email.body
    # Signing again (a second worker, the periodic catch-up) finds it signed and tells nobody again.
    services.document_sign(document_id=document.pk)
    assert services.documents_sign_due() == 0
    assert Message.objects.count() == 2


def test_a_holder_who_reads_english_is_told_in_english(world: Any) -> None:
    holder = world["holder"]
    preferences_save(actor=holder, language="en", enabled={})
    signed_document(agency=world["home"], holder_user=holder, number="FSP-2569-000078")
    inapp = Message.objects.get(kind="document_ready")
    assert inapp.language == "en"
    assert LICENCE_TITLE_EN in inapp.subject


def test_a_failed_signing_tells_nobody(world: Any, no_signing_keys: None) -> None:
    document = issued_document(agency=world["home"], holder_user=world["holder"])
    assert services.document_sign(document_id=document.pk).state == "pending"
    assert not Message.objects.exists()


def test_a_businesss_document_is_told_to_everyone_who_acts_for_it_now(world: Any) -> None:
    business, director = world["business"], world["director"]
    partner = UserFactory()
    BusinessAuthorisationFactory(business=business, user=partner)
    former = UserFactory()
    BusinessAuthorisationFactory(business=business, user=former, revoked_at=timezone.now())
    left = UserFactory(is_active=False)
    BusinessAuthorisationFactory(business=business, user=left)
    BusinessAuthorisationFactory(user=world["other_citizen"])  # another business
    document = signed_document(
        agency=world["home"],
        holder_user=None,
        holder_business=business,
        holder_id_number=business.juristic_number,
        holder_name=business.name_th,
        number="FSP-2569-000079",
    )
    link = f"/documents/{document.public_id}/"
    assert told() == [
        ("document_ready", "inapp", person.pk, "th", "", link, "doc-home",
         f"document_ready:FSP-2569-000079:{person.public_id}")
        for person in sorted([director, partner], key=lambda person: person.pk)
    ]  # fmt: skip
    services.document_revoke(
        actor=world["officer_with"], document=document, reason="fraud", note="ปลอมเอกสาร"
    )
    assert [(row[2], row[7]) for row in told(kind="document_revoked")] == [
        (person.pk, f"document_revoked:FSP-2569-000079:{person.public_id}")
        for person in sorted([director, partner], key=lambda person: person.pk)
    ]


def test_revoking_tells_the_reason_in_the_holders_language_never_the_note(world: Any) -> None:
    holder = world["holder"]
    document = signed_document(agency=world["home"], holder_user=holder, number="FSP-2569-000080")
    preferences_save(actor=holder, language="en", enabled={})
    services.document_revoke(
        actor=world["officer_with"], document=document, reason="issued_in_error", note="พิมพ์ผิด"
    )
    revoked = Message.objects.get(kind="document_revoked")
    assert (revoked.language, revoked.link, revoked.dedupe_key) == (
        "en", f"/documents/{document.public_id}/", "document_revoked:FSP-2569-000080",
    )  # fmt: skip
    assert "Issued in error" in revoked.body
    assert "FSP-2569-000080" in revoked.body
    assert "พิมพ์ผิด" not in revoked.body


def test_a_refused_revocation_or_replacement_tells_nobody(world: Any) -> None:
    document = signed_document(agency=world["home"], holder_user=world["holder"])
    before = Message.objects.count()
    with pytest.raises(InvalidInput):
        services.document_revoke(actor=world["officer_with"], document=document, reason="lost", note="")
    with pytest.raises(InvalidInput):
        services.document_replace(actor=world["officer_with"], document=document, holder_name=" ", note="")
    services.document_revoke(actor=world["officer_with"], document=document, reason="fraud", note="")
    with pytest.raises(Conflict):
        services.document_revoke(actor=world["officer_with"], document=document, reason="fraud", note="")
    with pytest.raises(Conflict):
        services.document_replace(actor=world["officer_with"], document=document, holder_name="ชื่อ", note="")
    assert Message.objects.count() == before + 1
    assert Document.objects.count() == 1
