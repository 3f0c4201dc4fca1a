"""Reads of signed documents: their status, the holder's wallet, the officers' list, and the public
verification by number, by the QR code's link or by an uploaded file.

The holder side is the holder's own account, a business they act for, or a verified person whose
national ID number is the holder's. Everything else is NotFound, so document links cannot be probed.
Verification is public: it shows the holder's name masked unless the verifier enters the holder's ID
number (rate limiting is the views' job).
"""

import datetime
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from pracha.accounts.public import businesses_for
from pracha.agencies.public import agencies_where_permitted
from pracha.core.errors import NotFound
from pracha.core.text import masked_name
from pracha.core.thai_dates import format_date
from pracha.core.thai_ids import normalise_id
from pracha.core.working_days import local_today
from pracha.documents import signing
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.documents.signing import SignatureCheck

PENDING = "pending"
FAILED = "failed"
VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
REVOKED = "revoked"
STATUSES = (PENDING, FAILED, VALID, EXPIRING, EXPIRED, NOT_YET_VALID, REVOKED)
STATUS_LABELS = {
    PENDING: _("Being signed"),
    FAILED: _("Signing failed"),
    VALID: _("Valid"),
    EXPIRING: _("Expiring soon"),
    EXPIRED: _("Expired"),
    NOT_YET_VALID: _("Not valid yet"),
    REVOKED: _("Revoked"),
}

# Why an uploaded file or a number is not a document issued here.
NOT_FOUND = "not_found"
ALTERED = "altered"
NOT_ISSUED_HERE = "not_issued_here"
UNREADABLE = "unreadable"

NO_DOCUMENT = _("No document with that number.")
# The officers' filter: the signing states, and "revoked" for documents revoked in any state.
OFFICER_STATES = (*Document.State.values, REVOKED)


@dataclass(frozen=True)
class WalletEntry:
    document: Document
    status: str
    files: list[DocumentFile]
    share_links: list[ShareLink]  # active ones first, newest first within each group


@dataclass(frozen=True)
class Verification:
    document: Document | None  # None: nothing issued under that number, link or file
    status: str  # one of STATUSES; "" when document is None
    holder_name: str  # masked unless holder_confirmed
    holder_confirmed: bool  # the verifier entered the holder's ID number and it matched
    file_checked: bool  # an uploaded file was checked
    file_matches: bool  # byte for byte a file we issued, and its signature valid and by the document's key
    signature: SignatureCheck | None  # of the uploaded file
    problem: str  # "", NOT_FOUND, ALTERED, NOT_ISSUED_HERE, UNREADABLE


# --- status -------------------------------------------------------------------------------------------


def document_status(document: Document, *, today: datetime.date | None = None) -> str:
    """Revoked wins over everything; then signing; then the validity period, as a Bangkok date."""
    if document.revoked_at is not None:
        return REVOKED
    if document.state == Document.State.PENDING:
        return PENDING
    if document.state == Document.State.FAILED:
        return FAILED
    today = today or local_today()
    if document.valid_from > today:
        return NOT_YET_VALID
    if document.valid_until is not None:
        if document.valid_until < today:
            return EXPIRED
        if document.valid_until <= today + datetime.timedelta(days=settings.PRACHA_DOCUMENT_EXPIRING_DAYS):
            return EXPIRING
    return VALID


def share_link_active(share_link: ShareLink, *, now: datetime.datetime | None = None) -> bool:
    return share_link.revoked_at is None and share_link.expires_at > (now or timezone.now())


# --- the holder's side --------------------------------------------------------------------------------


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related("agency", "holder_business", "replaces", "replaced_by")


def _holder_side(user: Any) -> Q:
    businesses = businesses_for(user=user)
    side = (
        # A business's document is the business's, whoever applied for it.
        Q(holder_user=user, holder_business__isnull=True)
        | Q(holder_business__in=businesses)
        # A land tax receipt of a business that had no account in Pracha when it paid has no link.
        | Q(holder_id_number__in=[business.juristic_number for business in businesses])
    )
    if user.is_verified:
        side |= Q(holder_id_number=user.national_id)
    return side


def may_hold(*, user: Any, document: Document) -> bool:
    """The holder's own account, a business they act for, or a verified person with the holder's
    national ID number (a self-asserted ID number could be anyone's). A business's document is held by
    whoever acts for the business now, not by the person who applied for it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if document.holder_business_id is None and document.holder_user_id == user.pk:
        return True
    if any(
        business.pk == document.holder_business_id or business.juristic_number == document.holder_id_number
        for business in businesses_for(user=user)
    ):
        return True
    return bool(user.is_verified and user.national_id == document.holder_id_number)


def _share_order(share_link: ShareLink, now: datetime.datetime) -> tuple[bool, float]:
    return (not share_link_active(share_link, now=now), -share_link.created_at.timestamp())


def wallet_documents(*, user: Any) -> list[WalletEntry]:
    """Every document the person holds, for themselves or a business they act for, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    documents = (
        _documents()
        .filter(_holder_side(user))
        .prefetch_related("files", "share_links")
        .order_by("-created_at")
    )
    today, now = local_today(), timezone.now()
    return [
        WalletEntry(
            document=document,
            status=document_status(document, today=today),
            files=list(document.files.all()),
            share_links=sorted(document.share_links.all(), key=lambda link: _share_order(link, now)),
        )
        for document in documents
    ]


def _uuid(public_id: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        return None


def access_document(*, user: Any, public_id: Any) -> Document:
    key = _uuid(public_id)
    document = _documents().filter(public_id=key).first() if key is not None else None
    if document is None or not may_hold(user=user, document=document):
        raise NotFound(NO_DOCUMENT)
    return document


def document_file(*, document: Document, language: str) -> DocumentFile | None:
    return DocumentFile.objects.filter(document=document, language=language).first()


def documents_for_subject(*, subject_reference: str) -> list[Document]:
    """The documents issued for an application or a bill, a replacement after the one it replaces."""
    return list(_documents().filter(subject_reference=subject_reference).order_by("created_at", "pk"))


def signed_json_of(document: Document) -> str:
    """The signed JSON copy (JWS compact serialisation); "" until the document is signed."""
    return document.signed_json if document.state == Document.State.SIGNED else ""


def shared_document(*, token: str) -> tuple[ShareLink, Document]:
    """What a share link opens; NotFound when there is no such link or it has expired or been revoked.
    A document revoked since it was shared still opens, so whoever was given it sees that."""
    share_link = (
        ShareLink.objects.select_related("document__agency").filter(token=token).first() if token else None
    )
    if share_link is None or not share_link_active(share_link):
        raise NotFound(_("This link does not work. It may have expired or the holder may have revoked it."))
    return share_link, share_link.document


# --- the officers' side -------------------------------------------------------------------------------


def officer_documents(*, user: Any, query: str = "", state: str = "") -> QuerySet[Document]:
    """Documents of the agencies where the officer may revoke them; `query` is an exact document
    number, what it was issued for (APP-..., BILL-...), the holder's ID number or part of the holder's
    name; `state` one of OFFICER_STATES."""
    documents = _documents().filter(agency__in=agencies_where_permitted(user, "documents.revoke"))
    query = query.strip()
    if query:
        upper = query.upper()
        documents = documents.filter(
            Q(number=upper)
            | Q(subject_reference=upper)
            | Q(holder_id_number=normalise_id(query))
            | Q(holder_name__icontains=query)
        )
    if state == REVOKED:
        documents = documents.filter(revoked_at__isnull=False)
    elif state:
        documents = documents.filter(state=state)
    return documents.order_by("-created_at")


def officer_document(*, user: Any, public_id: Any) -> Document:
    key = _uuid(public_id)
    document = (
        officer_documents(user=user).filter(public_id=key).prefetch_related("files").first()
        if key is not None
        else None
    )
    if document is None:
        raise NotFound(NO_DOCUMENT)
    return document


# --- public verification ------------------------------------------------------------------------------


def _holder_confirmed(document: Document, entered: str) -> bool:
    digits = normalise_id(entered or "")
    # Bytes: compare_digest refuses non-ASCII str, and people type anything.
    return bool(digits) and hmac.compare_digest(digits.encode(), document.holder_id_number.encode())


def _verification(
    document: Document | None,
    *,
    holder_id_number: str,
    file_checked: bool = False,
    file_matches: bool = False,
    signature: SignatureCheck | None = None,
    problem: str = "",
) -> Verification:
    if document is None:
        return Verification(
            document=None,
            status="",
            holder_name="",
            holder_confirmed=False,
            file_checked=file_checked,
            file_matches=False,
            signature=signature,
            problem=problem or NOT_FOUND,
        )
    confirmed = _holder_confirmed(document, holder_id_number)
    return Verification(
        document=document,
        status=document_status(document),
        holder_name=document.holder_name if confirmed else masked_name(document.holder_name),
        holder_confirmed=confirmed,
        file_checked=file_checked,
        file_matches=file_matches,
        signature=signature,
        problem=problem,
    )


def verify_number(*, number: str, holder_id_number: str = "") -> Verification:
    number = (number or "").strip().upper()
    document = _documents().filter(number=number).first() if number else None
    return _verification(document, holder_id_number=holder_id_number)


def verify_public_id(*, public_id: Any, holder_id_number: str = "") -> Verification:
    key = _uuid(public_id)
    document = _documents().filter(public_id=key).first() if key is not None else None
    return _verification(document, holder_id_number=holder_id_number)


def _unmatched_problem(signature: SignatureCheck) -> str:
    if signature.problem == "unreadable":
        return UNREADABLE
    if signature.problem in ("altered", "not_whole_file"):
        return ALTERED
    # Unsigned, signed by a key we do not trust, or validly signed but not a file we issued.
    return NOT_ISSUED_HERE


def verify_file(*, data: bytes, holder_id_number: str = "") -> Verification:
    """An uploaded PDF is genuine when it is byte for byte a file we issued and its signature is valid
    and made with the key that signed that document: a PDF another agency signed never passes as
    this one's. A file we issued is checked as of when we signed it, so it stays genuine after the
    agency's certificate expires; any other file is checked now, to say what is wrong with it."""
    stored = (
        DocumentFile.objects.filter(sha256=hashlib.sha256(data).hexdigest())
        .select_related("document")
        .first()
    )
    if stored is None:
        signature = signing.check_pdf_signature(data)
        return _verification(
            None,
            holder_id_number=holder_id_number,
            file_checked=True,
            signature=signature,
            problem=_unmatched_problem(signature),
        )
    document = _documents().get(pk=stored.document_id)
    signature = signing.check_pdf_signature(data, moment=document.signed_at)
    matches = signature.valid and hmac.compare_digest(
        signature.signer_certificate_sha256, document.signer_certificate_sha256
    )
    return _verification(
        document,
        holder_id_number=holder_id_number,
        file_checked=True,
        file_matches=matches,
        signature=signature,
        problem="" if matches else _unmatched_problem(signature),
    )


# --- what a verification means, in words (the page and the API say the same) ---------------------------

GENUINE_STATUSES = (VALID, EXPIRING)

PROBLEM_MESSAGES = {
    NOT_FOUND: _("No document with this number was issued on Pracha."),
    ALTERED: _("This file is not the one we issued: it has been changed."),
    # Unsigned, signed by a key we do not trust, or validly signed but not a file issued here.
    NOT_ISSUED_HERE: _("This file is not a document issued on Pracha."),
    UNREADABLE: _("This file could not be read as a PDF document."),
}


def english() -> bool:
    return (get_language() or "th").startswith("en")


def title_of(document: Document) -> str:
    return document.title_en if english() else document.title_th


def replacement_of(document: Document) -> Document | None:
    """The document issued to replace this one after a correction, if any."""
    try:
        return document.replaced_by
    except Document.DoesNotExist:
        return None


def signed_json_url(document: Document) -> str:
    """The absolute address of the signed JSON copy; "" until the document is signed."""
    if not signed_json_of(document):
        return ""
    return settings.PRACHA_SITE_URL + reverse("documents:verify_json", args=[document.public_id])


@dataclass(frozen=True)
class Verdict:
    """What a verification means for the reader: genuine or not, and why in one sentence."""

    genuine: bool
    problem: str  # "" when genuine: a problem of the file or the number, else the status that fails it
    message: str


def verdict(verification: Verification) -> Verdict:
    document = verification.document
    if document is None or verification.problem:
        problem = verification.problem or NOT_FOUND
        return Verdict(genuine=False, problem=problem, message=str(PROBLEM_MESSAGES[problem]))
    status = verification.status
    agency = document.agency.name_en if english() else document.agency.name_th
    if status in GENUINE_STATUSES:
        if document.valid_until is None:
            message = gettext("This document was issued by %(agency)s and is valid.") % {"agency": agency}
        else:
            message = gettext("This document was issued by %(agency)s and is valid until %(date)s.") % {
                "agency": agency,
                "date": format_date(document.valid_until),
            }
        return Verdict(genuine=True, problem="", message=message)
    if status == REVOKED and document.revoked_at is not None:
        message = gettext("This document was revoked on %(date)s. Reason: %(reason)s.") % {
            "date": format_date(document.revoked_at),
            "reason": document.get_revocation_reason_display(),
        }
    elif status == EXPIRED and document.valid_until is not None:
        message = gettext("This document expired: it was valid until %(date)s.") % {
            "date": format_date(document.valid_until)
        }
    elif status == NOT_YET_VALID:
        message = gettext("This document is not valid yet: it is valid from %(date)s.") % {
            "date": format_date(document.valid_from)
        }
    elif status == PENDING:
        message = gettext("The agency is still signing this document. Please check again in a few minutes.")
    else:
        message = gettext("This document has not been signed, so it cannot be relied on.")
    return Verdict(genuine=False, problem=status, message=message)
