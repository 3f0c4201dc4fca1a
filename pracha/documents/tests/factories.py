"""Factories for signed documents, a small world of holders and officers, and a quick way to get a
document through the real services (issued, then signed), for the documents tests and anyone else's."""

import datetime
from typing import Any, cast

import factory
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import verified_email, with_totp
from pracha.accounts.models import AssuranceLevel
from pracha.accounts.tests.factories import BusinessAuthorisationFactory, BusinessFactory, UserFactory
from pracha.agencies.tests.factories import AgencyFactory, MembershipFactory, RoleFactory
from pracha.core.references import next_reference
from pracha.core.storage import private_storage
from pracha.core.working_days import local_today
from pracha.documents import services
from pracha.documents.models import Document, DocumentFile, ShareLink

LICENCE_TITLE_TH = "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร"
LICENCE_TITLE_EN = "Food shop permit"
# The number of the licence the page and API tests look at (the `licence` fixture of conftest).
LICENCE_NUMBER = "FSP-2569-000042"


def licence_content(**overrides: Any) -> dict[str, Any]:
    """The content of an outcome document, as applications issues it."""
    return {
        "application_reference": "APP-2569-000123",
        "service_name_th": "ขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "service_name_en": "Food shop permit",
        "business_name_th": "",
        "business_name_en": "",
        "juristic_number": "",
        "conditions": [{"th": "ต้องรักษาความสะอาด", "en": "Keep the premises clean"}],
    } | overrides


def receipt_content(**overrides: Any) -> dict[str, Any]:
    """The content of an e-receipt, as the receiver of ReceiptIssued issues it."""
    return {
        "bill_reference": "BILL-2569-000045",
        "description_th": "ค่าธรรมเนียมคำขอเลขที่ APP-2569-000123",
        "description_en": "Fee for application APP-2569-000123",
        "lines": [
            {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 30000}
        ],
        "amount_satang": 30000,
        "amount_in_words": "สามร้อยบาทถ้วน",
        "channel": "counter",
        "issued_at": "2026-01-14T03:00:00+00:00",
        "receipt_public_id": "00000000-0000-4000-8000-000000000045",
    } | overrides


def thai_name(user: Any) -> str:
    return f"{user.first_name_th} {user.last_name_th}".strip()


class DocumentFactory(factory.django.DjangoModelFactory[Document]):
    """A pending licence held by a person, made directly (no audit entry, no signing task)."""

    class Meta:
        model = Document

    number = factory.Sequence(lambda n: f"TST-2569-{n + 1:06d}")
    kind = Document.Kind.LICENCE
    title_th = LICENCE_TITLE_TH
    title_en = LICENCE_TITLE_EN
    agency = factory.SubFactory(AgencyFactory)
    subject_reference = factory.Sequence(lambda n: f"APP-2569-{n + 800000:06d}")
    holder_user = factory.SubFactory(UserFactory)
    holder_id_number = factory.LazyAttribute(lambda o: o.holder_user.national_id if o.holder_user else "")
    holder_name = factory.LazyAttribute(lambda o: thai_name(o.holder_user) if o.holder_user else "")
    valid_from = factory.LazyFunction(local_today)
    valid_until = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=365))
    content = factory.LazyFunction(licence_content)


class DocumentFileFactory(factory.django.DjangoModelFactory[DocumentFile]):
    class Meta:
        model = DocumentFile

    document = factory.SubFactory(DocumentFactory)
    language = "th"
    stored_name = factory.LazyAttribute(lambda o: f"documents/{o.document.public_id}/{o.language}.pdf")
    size = 0
    sha256 = "0" * 64


class ShareLinkFactory(factory.django.DjangoModelFactory[ShareLink]):
    class Meta:
        model = ShareLink

    document = factory.SubFactory(DocumentFactory)
    token = factory.Sequence(lambda n: f"test-share-token-{n:08d}")
    created_by = factory.LazyAttribute(lambda o: o.document.holder_user)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


def stored_bytes(file: DocumentFile) -> bytes:
    """The signed PDF as it was stored."""
    with private_storage().open(file.stored_name, "rb") as stored:
        return stored.read()


def pdf_of(document: Document, language: str = "th") -> bytes:
    """The stored PDF of a document in one language."""
    return stored_bytes(document.files.get(language=language))


def make_document(**fields: Any) -> Document:
    """DocumentFactory(**fields), typed."""
    return cast(Document, DocumentFactory(**fields))


def make_share_link(**fields: Any) -> ShareLink:
    """ShareLinkFactory(**fields), typed."""
    return cast(ShareLink, ShareLinkFactory(**fields))


def issue_kwargs(**overrides: Any) -> dict[str, Any]:
    """What document_issue is given for a licence: a new holder and agency unless given. A holder_user
    given without an ID number and name lends theirs."""
    holder = overrides["holder_user"] if "holder_user" in overrides else UserFactory()
    values: dict[str, Any] = {
        "actor": None,
        "kind": Document.Kind.LICENCE,
        "number": next_reference("TST"),
        "title_th": LICENCE_TITLE_TH,
        "title_en": LICENCE_TITLE_EN,
        "agency": overrides.get("agency") or AgencyFactory(),
        "subject_reference": "APP-2569-000123",
        "holder_user": holder,
        "holder_id_number": holder.national_id if holder else "",
        "holder_name": thai_name(holder) if holder else "",
        "valid_from": local_today(),
        "valid_until": local_today() + datetime.timedelta(days=365),
        "content": licence_content(),
    }
    return values | overrides


def issued_document(**overrides: Any) -> Document:
    """A pending document issued through document_issue (audited; its signing task is enqueued on commit,
    which a test only runs inside django_capture_on_commit_callbacks(execute=True))."""
    return services.document_issue(**issue_kwargs(**overrides))


def signed_document(**overrides: Any) -> Document:
    """A document issued through document_issue and signed by document_sign with the agency's demo key:
    two signed PDFs in private storage and the signed JSON copy. Takes the same keyword arguments."""
    document = issued_document(**overrides)
    signed = services.document_sign(document_id=document.pk)
    assert signed.state == Document.State.SIGNED, signed.last_error
    return signed


# --- a small world ------------------------------------------------------------------------------------


def officer(agency: Any, *roles: Any) -> Any:
    person = with_totp(verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)))
    MembershipFactory(user=person, agency=agency, roles=list(roles))
    return person


def documents_world() -> dict[str, Any]:
    """Two agencies (home issues the documents, other is another agency); holder and other_citizen
    (verified citizens), director (acts for business); officer_with (documents.revoke at home),
    officer_without (home, no such permission), officer_other_agency (documents.revoke at other), and
    anonymous."""
    home = AgencyFactory(code="doc-home", name_th="สำนักงานเขตทดสอบ", name_en="Test District Office")
    other = AgencyFactory(code="doc-other", name_th="กรมทดสอบ", name_en="Test Department")
    revoker = RoleFactory(code="doc-revoker", permissions=["documents.revoke"])
    nothing = RoleFactory(code="doc-nothing", permissions=["complaints.handle"])
    business = BusinessFactory()
    director = verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED))
    BusinessAuthorisationFactory(business=business, user=director)
    return {
        "home": home,
        "other": other,
        "business": business,
        "anonymous": AnonymousUser(),
        "holder": verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)),
        "other_citizen": verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)),
        "director": director,
        "officer_with": officer(home, revoker),
        "officer_without": officer(home, nothing),
        "officer_other_agency": officer(other, revoker),
    }
