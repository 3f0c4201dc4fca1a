"""Reads of documents: status, who holds them (the wallet), the officers' list, share links, and the
public verification of valid, expired, revoked and forged documents."""

import datetime
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from pracha.accounts.models import AssuranceLevel, BusinessAuthorisation
from pracha.accounts.tests.factories import UserFactory
from pracha.core.errors import NotFound
from pracha.core.text import masked_name
from pracha.core.working_days import local_today
from pracha.documents import rendering, selectors, services, signing
from pracha.documents.models import Document
from pracha.documents.tests.factories import (
    DocumentFactory,
    issued_document,
    make_document,
    make_share_link,
    signed_document,
    stored_bytes,
    thai_name,
)
from pracha.documents.tests.test_signing import install_expired_certificate

TODAY = datetime.date(2026, 1, 14)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


# --- status -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"state": "pending"}, "pending"),
        ({"state": "failed"}, "failed"),
        ({"state": "pending", "revoked_at": timezone.now()}, "revoked"),
        ({"revoked_at": timezone.now()}, "revoked"),
        ({"valid_from": days(1)}, "not_yet_valid"),
        ({"valid_from": days(-400), "valid_until": days(-1)}, "expired"),
        ({"valid_until": days(0)}, "expiring"),
        ({"valid_until": days(30)}, "expiring"),
        ({"valid_until": days(31)}, "valid"),
        ({"valid_until": None}, "valid"),
        ({"valid_from": days(0), "valid_until": days(365)}, "valid"),
    ],
)
def test_status(db: Any, fields: dict[str, Any], status: str) -> None:
    document = DocumentFactory.build(**({"state": "signed", "valid_from": days(-10)} | fields))
    assert selectors.document_status(document, today=TODAY) == status


# --- the holder's side --------------------------------------------------------------------------------


def test_who_holds_a_document(world: Any) -> None:
    holder, business = world["holder"], world["business"]
    own = make_document(holder_user=holder, agency=world["home"])
    # Issued to the ID number only (no account linked when it was paid).
    by_id = make_document(holder_user=None, holder_id_number=holder.national_id, holder_name="x")
    business_fields = {"holder_id_number": business.juristic_number, "holder_name": business.name_th}
    for_business = make_document(holder_user=None, holder_business=business, **business_fields)
    by_juristic_number = make_document(holder_user=None, **business_fields)
    unverified = UserFactory(national_id="1999988887771", assurance_level=AssuranceLevel.SELF_ASSERTED)
    claimed = make_document(holder_user=None, holder_id_number="1999988887771", holder_name="y")
    documents = [own, by_id, for_business, by_juristic_number, claimed]
    people = ["holder", "director", "other_citizen", "officer_with", "officer_other_agency", "anonymous"]
    held = {who: [selectors.may_hold(user=world[who], document=d) for d in documents] for who in people}
    assert held == {
        "holder": [True, True, False, False, False],
        "director": [False, False, True, True, False],
        "other_citizen": [False] * 5,
        "officer_with": [False] * 5,
        "officer_other_agency": [False] * 5,
        "anonymous": [False] * 5,
    }
    # A self-asserted ID number could be anyone's.
    assert selectors.may_hold(user=unverified, document=claimed) is False


def test_a_businesss_document_is_held_only_while_one_acts_for_the_business(world: Any) -> None:
    director, business = world["director"], world["business"]
    # Even one that names the person who applied for it: the business holds it, not the applicant.
    document = make_document(
        holder_user=director, holder_business=business, holder_id_number=business.juristic_number,
        holder_name=business.name_th,
    )  # fmt: skip
    assert selectors.may_hold(user=director, document=document) is True
    assert [entry.document for entry in selectors.wallet_documents(user=director)] == [document]
    BusinessAuthorisation.objects.filter(user=director, business=business).update(revoked_at=timezone.now())
    assert selectors.may_hold(user=director, document=document) is False
    assert selectors.wallet_documents(user=director) == []
    with pytest.raises(NotFound):
        selectors.access_document(user=director, public_id=document.public_id)


def test_access_is_not_found_for_anyone_but_the_holder_side(world: Any) -> None:
    document = make_document(holder_user=world["holder"])
    assert selectors.access_document(user=world["holder"], public_id=str(document.public_id)) == document
    for who in ["other_citizen", "director", "officer_with", "anonymous"]:
        with pytest.raises(NotFound) as refused:
            selectors.access_document(user=world[who], public_id=document.public_id)
        assert str(refused.value) == "No document with that number."
    for key in ["not-a-uuid", uuid.uuid4()]:
        with pytest.raises(NotFound):
            selectors.access_document(user=world["holder"], public_id=key)


def test_the_wallet_lists_what_the_person_and_their_businesses_hold(world: Any) -> None:
    holder, director, business = world["holder"], world["director"], world["business"]
    licence = signed_document(agency=world["home"], holder_user=holder)
    receipt = make_document(
        holder_user=None, holder_business=business, kind="receipt",
        holder_id_number=business.juristic_number, holder_name=business.name_th,
    )  # fmt: skip
    make_document(holder_user=world["other_citizen"])
    revoked = make_share_link(document=licence, created_by=holder, revoked_at=timezone.now())
    expired = make_share_link(document=licence, created_by=holder, expires_at=timezone.now())
    active = make_share_link(document=licence, created_by=holder)
    [entry] = selectors.wallet_documents(user=holder)
    assert (entry.document, entry.status) == (licence, "valid")
    assert [file.language for file in entry.files] == ["en", "th"]
    assert entry.share_links == [active, expired, revoked]
    [business_entry] = selectors.wallet_documents(user=director)
    assert (business_entry.document, business_entry.status, business_entry.files) == (receipt, "pending", [])
    assert selectors.wallet_documents(user=world["anonymous"]) == []
    assert selectors.wallet_documents(user=world["officer_with"]) == []


def test_a_share_link_opens_until_it_expires_or_is_revoked(world: Any) -> None:
    document = make_document(holder_user=world["holder"], state="signed")
    active = make_share_link(document=document)
    assert selectors.shared_document(token=active.token) == (active, document)
    expired = make_share_link(document=document, expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked = make_share_link(document=document, revoked_at=timezone.now())
    for token in [expired.token, revoked.token, "no-such-token", ""]:
        with pytest.raises(NotFound) as refused:
            selectors.shared_document(token=token)
        assert (
            str(refused.value)
            == "This link does not work. It may have expired or the holder may have revoked it."
        )


def test_documents_for_a_subject_oldest_first(world: Any) -> None:
    first = make_document(subject_reference="APP-2569-000777")
    second = make_document(subject_reference="APP-2569-000777", replaces=first)
    make_document(subject_reference="APP-2569-000778")
    assert selectors.documents_for_subject(subject_reference="APP-2569-000777") == [first, second]


def test_the_signed_json_only_once_signed(world: Any) -> None:
    pending = issued_document(agency=world["home"])
    assert selectors.signed_json_of(pending) == ""
    signed = services.document_sign(document_id=pending.pk)
    assert selectors.signed_json_of(signed) == signed.signed_json != ""


# --- the officers' side -------------------------------------------------------------------------------


def test_officers_see_the_documents_of_their_agency_where_they_may_revoke(world: Any) -> None:
    home_licence = make_document(
        agency=world["home"], number="FSP-2569-000001", subject_reference="APP-2569-000001"
    )
    home_failed = make_document(agency=world["home"], state="failed")
    home_revoked = make_document(agency=world["home"], state="signed", revoked_at=timezone.now())
    other = make_document(agency=world["other"])
    officer = world["officer_with"]
    assert list(selectors.officer_documents(user=officer)) == [home_revoked, home_failed, home_licence]
    assert list(selectors.officer_documents(user=world["officer_other_agency"])) == [other]
    assert list(selectors.officer_documents(user=world["officer_without"])) == []
    assert list(selectors.officer_documents(user=world["holder"])) == []
    assert list(selectors.officer_documents(user=officer, query=" fsp-2569-000001 ")) == [home_licence]
    assert list(selectors.officer_documents(user=officer, query="APP-2569-000001")) == [home_licence]
    holder_id = home_failed.holder_id_number
    formatted = f"{holder_id[0]}-{holder_id[1:5]}-{holder_id[5:10]}-{holder_id[10:12]}-{holder_id[12]}"
    assert list(selectors.officer_documents(user=officer, query=formatted)) == [home_failed]
    assert list(selectors.officer_documents(user=officer, state="failed")) == [home_failed]
    # Part of the holder's name, as the search form says.
    named = make_document(agency=world["home"], holder_user=None, holder_id_number="1999900000002",
                          holder_name="สมศรี ค้นหาได้")  # fmt: skip
    assert list(selectors.officer_documents(user=officer, query=" ค้นหา ")) == [named]
    assert list(selectors.officer_documents(user=world["officer_other_agency"], query="ค้นหา")) == []
    assert list(selectors.officer_documents(user=officer, state="revoked")) == [home_revoked]
    assert selectors.officer_document(user=officer, public_id=home_licence.public_id) == home_licence
    for who in ["officer_other_agency", "officer_without", "holder"]:
        with pytest.raises(NotFound):
            selectors.officer_document(user=world[who], public_id=home_licence.public_id)


# --- verification -------------------------------------------------------------------------------------


@pytest.fixture
def licence(world: Any) -> Document:
    return signed_document(agency=world["home"], holder_user=world["holder"], number="FSP-2569-000042")


def test_verify_a_valid_document_by_number(world: Any, licence: Document) -> None:
    holder = world["holder"]
    masked = masked_name(thai_name(holder))
    result = selectors.verify_number(number=" fsp-2569-000042 ")
    assert result == selectors.Verification(
        document=licence,
        status="valid",
        holder_name=masked,
        holder_confirmed=False,
        file_checked=False,
        file_matches=False,
        signature=None,
        problem="",
    )
    assert result.holder_name != thai_name(holder)
    wrong = selectors.verify_number(number="FSP-2569-000042", holder_id_number="1999900000001")
    assert (wrong.holder_name, wrong.holder_confirmed) == (masked, False)
    national_id = holder.national_id
    typed = f"{national_id[0]}-{national_id[1:5]} {national_id[5:10]}-{national_id[10:12]}-{national_id[12]}"
    right = selectors.verify_number(number="FSP-2569-000042", holder_id_number=typed)
    assert (right.holder_name, right.holder_confirmed) == (thai_name(holder), True)
    # Anything at all may be typed; none of it confirms the holder.
    for entered in ["", "   ", "๑๒๓๔", national_id[:-1]]:
        assert (
            selectors.verify_number(number="FSP-2569-000042", holder_id_number=entered).holder_confirmed
            is False
        )


def test_verify_by_the_link_of_the_qr_code(licence: Document) -> None:
    assert selectors.verify_public_id(public_id=licence.public_id).document == licence
    for key in ["not-a-uuid", uuid.uuid4()]:
        result = selectors.verify_public_id(public_id=key)
        assert (result.document, result.status, result.holder_name, result.problem) == (
            None,
            "",
            "",
            "not_found",
        )


def test_an_unknown_number_is_not_found(world: Any) -> None:
    result = selectors.verify_number(number="FSP-2569-999999", holder_id_number=world["holder"].national_id)
    assert result == selectors.Verification(
        document=None,
        status="",
        holder_name="",
        holder_confirmed=False,
        file_checked=False,
        file_matches=False,
        signature=None,
        problem="not_found",
    )


def test_verify_an_expired_and_a_revoked_document(world: Any, licence: Document) -> None:
    expired = signed_document(
        agency=world["home"], valid_from=local_today() - datetime.timedelta(days=400),
        valid_until=local_today() - datetime.timedelta(days=35),
    )  # fmt: skip
    assert selectors.verify_number(number=expired.number).status == "expired"
    services.document_revoke(actor=world["officer_with"], document=licence, reason="fraud", note="")
    result = selectors.verify_number(number="FSP-2569-000042")
    assert result.status == "revoked"
    assert result.document is not None
    assert (result.document.revocation_reason, result.document.revoked_at is not None) == ("fraud", True)


def test_the_file_we_issued_is_genuine(world: Any, licence: Document) -> None:
    data = stored_bytes(licence.files.get(language="th"))
    result = selectors.verify_file(data=data)
    assert (result.document, result.status, result.file_checked, result.file_matches, result.problem) == (
        licence, "valid", True, True, "",
    )  # fmt: skip
    assert result.signature is not None
    assert result.signature.signer_certificate_sha256 == licence.signer_certificate_sha256
    assert result.holder_name == masked_name(thai_name(world["holder"]))
    confirmed = selectors.verify_file(data=data, holder_id_number=world["holder"].national_id)
    assert (confirmed.holder_name, confirmed.holder_confirmed) == (thai_name(world["holder"]), True)


def test_a_file_we_issued_stays_genuine_after_the_agencys_certificate_expired(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    """Checked as of when it was signed: a certificate that has expired since proves nothing wrong."""
    settings.PRACHA_SIGNING_ROOT = tmp_path / "signing"
    signing.clear_signer_cache()
    # Valid from 400 until 10 days ago; a document it signed 20 days ago.
    install_expired_certificate(settings.PRACHA_SIGNING_ROOT, world["home"].code)
    document = signed_document(agency=world["home"], holder_user=world["holder"])
    Document.objects.filter(pk=document.pk).update(signed_at=timezone.now() - datetime.timedelta(days=20))
    data = stored_bytes(document.files.get(language="th"))
    assert signing.check_pdf_signature(data).problem == "untrusted"  # checked today
    result = selectors.verify_file(data=data)
    assert (result.document, result.status, result.file_matches, result.problem) == (
        document,
        "valid",
        True,
        "",
    )
    assert result.signature is not None
    assert (result.signature.valid, result.signature.signer_certificate_sha256) == (
        True, document.signer_certificate_sha256,
    )  # fmt: skip
    # The same file changed is still checked in full, today.
    changed = bytearray(data)
    changed[len(changed) // 4] ^= 0x01
    assert selectors.verify_file(data=bytes(changed)).problem == "altered"


def test_a_file_with_one_byte_changed_is_altered(licence: Document) -> None:
    data = bytearray(stored_bytes(licence.files.get(language="en")))
    # A byte of the rendered page, well before the signature's own bytes at the end.
    data[len(data) // 4] ^= 0x01
    result = selectors.verify_file(data=bytes(data))
    assert (result.document, result.status, result.file_checked, result.file_matches, result.problem) == (
        None, "", True, False, "altered",
    )  # fmt: skip
    assert result.signature is not None
    assert result.signature.valid is False


def test_a_pdf_signed_with_another_agencys_key_is_not_this_agencys(world: Any, licence: Document) -> None:
    other = world["other"]
    forged = signing.sign_pdf(
        rendering.render_pdf(licence, language="th"),
        signer=signing.signer_for(agency_code=other.code, name_th=other.name_th, name_en=other.name_en),
        reason="ปลอม",
        location=other.name_th,
    )
    # A good signature, by a key our demo CA vouches for: only not one of the files issued under it.
    assert signing.check_pdf_signature(forged).valid is True
    result = selectors.verify_file(data=forged)
    assert (result.document, result.file_matches, result.problem) == (None, False, "not_issued_here")


def test_a_stored_file_whose_signer_is_not_the_documents_is_not_genuine(
    world: Any, licence: Document
) -> None:
    other = signing.signer_for(agency_code=world["other"].code)
    Document.objects.filter(pk=licence.pk).update(signer_certificate_sha256=other.certificate_sha256)
    result = selectors.verify_file(data=stored_bytes(licence.files.get(language="th")))
    assert (result.document, result.file_matches, result.problem) == (licence, False, "not_issued_here")


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "unreadable"), (b"not a pdf at all", "unreadable"), (b"%PDF-1.7\n%%EOF", "unreadable")],
)
def test_something_that_is_not_a_signed_pdf(db: Any, data: bytes, problem: str) -> None:
    result = selectors.verify_file(data=data)
    assert (result.document, result.file_checked, result.file_matches, result.problem) == (
        None,
        True,
        False,
        problem,
    )


def test_an_unsigned_pdf_is_not_issued_here(licence: Document) -> None:
    result = selectors.verify_file(data=rendering.render_pdf(licence, language="en"))
    assert (result.document, result.file_matches, result.problem) == (None, False, "not_issued_here")
    assert result.signature is not None
    assert result.signature.problem == "unsigned"
