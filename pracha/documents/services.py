"""Every change to signed documents: issuing one (pending), signing it in the background with retries,
revoking, replacing after a correction, retrying a failed signing, and the holder's share links.

A document is issued in the transaction that decided it (an approval, a payment) and its signing task
is enqueued when that commits. An attempt first claims the document in a short transaction (a lease:
next_attempt_at moves a few minutes ahead), so the task and the periodic catch-up never render the same
document at once. It renders and signs outside any transaction, then stores the files and marks the
document signed in a short one that first checks the document is still pending: even a worker whose
lease ran out leaves one set of files. Files written by an attempt that fails are removed, so a file on
disk always belongs to a signed document.
"""

import datetime
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pracha.accounts.public import Business, User, people_acting_for, user_by_public_id
from pracha.agencies.public import Agency, agency_get, has_permission
from pracha.audit import public as audit
from pracha.core import events
from pracha.core.errors import Conflict, InvalidInput, PermissionDenied
from pracha.core.storage import private_storage
from pracha.core.text import clean_text, masked_name
from pracha.core.thai_ids import normalise_id
from pracha.documents import rendering, selectors, signing
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.notifications import public as notifications

logger = logging.getLogger(__name__)

LANGUAGES = ("th", "en")
# The longest values the services accept (forms use the same limits).
NUMBER_MAX_LENGTH = 64  # Document.number
TITLE_MAX_LENGTH = 200  # Document.title_th, title_en
SUBJECT_REFERENCE_MAX_LENGTH = 40  # Document.subject_reference
HOLDER_NAME_MAX_LENGTH = 300  # Document.holder_name
ID_NUMBER_MAX_LENGTH = 13  # Document.holder_id_number
NOTE_MAX_LENGTH = 1000
ERROR_MAX_LENGTH = 300
# After the n-th failed attempt the next waits 30 s * 2**n, at most an hour.
BACKOFF_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60
# How long an attempt holds its claim on a document: rendering and signing take seconds, so a claim
# this old belongs to a worker that died, and the document is due again.
SIGNING_LEASE = datetime.timedelta(minutes=5)
# The periodic catch-up leaves a document this young, with no attempt yet, to the task its issuing
# enqueued, and signs at most SWEEP_BATCH documents a run (it runs every minute).
SWEEP_GRACE = datetime.timedelta(seconds=60)
SWEEP_BATCH = 50
REPLACEMENT_SUFFIX = re.compile(r"(-R\d+)+$")
RECEIPT_TITLE_TH = "ใบเสร็จรับเงิน"
RECEIPT_TITLE_EN = "Receipt"


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)


def _ensure_officer(actor: Any, document: Document) -> None:
    if not has_permission(actor, "documents.revoke", agency=document.agency):
        raise PermissionDenied()


def _enqueue_signing(document: Document) -> None:
    """Sign the document in the background once the transaction that issued it commits. A lost enqueue
    only delays it: the periodic sign_due_documents signs every pending document that is due."""
    document_id = document.pk

    def enqueue() -> None:
        # Imported here: the task module calls these services.
        from pracha.documents.tasks import sign_document

        try:
            sign_document.enqueue(document_id)
        except Exception:
            logger.exception(
                "could not enqueue the signing of document %s; sign_due_documents will sign it", document_id
            )

    transaction.on_commit(enqueue)


def _invalid(field: str, message: Any) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


# --- issuing ------------------------------------------------------------------------------------------


def _required_text(value: str, *, field: str, limit: int) -> str:
    return clean_text(value, field=field, limit=limit, missing=_("This is required."))


ISSUED_FOR_SOMETHING_ELSE = _(
    "Document number %(number)s has already been issued by another agency, for something else or to "
    "another holder."
)


def _same_document(
    existing: Document, *, agency: Agency, subject_reference: str, holder_id_number: str
) -> Document:
    """The document a repeated number asks for again, or Conflict when the number was used for another."""
    if (existing.agency_id, existing.subject_reference, existing.holder_id_number) != (
        agency.pk,
        subject_reference,
        holder_id_number,
    ):
        raise Conflict(ISSUED_FOR_SOMETHING_ELSE % {"number": existing.number})
    return existing


@transaction.atomic
def document_issue(
    *,
    actor: User | None,
    kind: str,
    number: str,
    title_th: str,
    title_en: str,
    agency: Agency,
    subject_reference: str,
    holder_id_number: str,
    holder_name: str,
    holder_user: User | None = None,
    holder_business: Business | None = None,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    content: dict[str, Any],
) -> Document:
    """Issue a document, pending until the background task signs it; in the caller's transaction.
    Idempotent: the same number again, from the same agency for the same subject and holder, gives the
    existing document back, unchanged; the number used for anything else is a Conflict. A business's
    document is held by the business (whoever acts for it), so it has no holder_user."""
    number = _required_text(number, field="number", limit=NUMBER_MAX_LENGTH)
    if kind not in Document.Kind.values:
        raise _invalid("kind", _("Unknown kind of document."))
    title_th = _required_text(title_th, field="title_th", limit=TITLE_MAX_LENGTH)
    title_en = _required_text(title_en, field="title_en", limit=TITLE_MAX_LENGTH)
    subject_reference = _required_text(
        subject_reference, field="subject_reference", limit=SUBJECT_REFERENCE_MAX_LENGTH
    )
    holder_name = _required_text(holder_name, field="holder_name", limit=HOLDER_NAME_MAX_LENGTH)
    if holder_user is not None and holder_business is not None:
        raise _invalid("holder_user", _("A business's document is held by the business, not by a person."))
    holder_id_number = normalise_id(holder_id_number or "")
    if not (
        holder_id_number.isascii()
        and holder_id_number.isdigit()
        and len(holder_id_number) <= ID_NUMBER_MAX_LENGTH
    ):
        raise _invalid("holder_id_number", _("The holder's ID number must be up to 13 digits."))
    if not isinstance(valid_from, datetime.date):
        raise _invalid("valid_from", _("Give the date the document is valid from."))
    if valid_until is not None and (not isinstance(valid_until, datetime.date) or valid_until < valid_from):
        raise _invalid("valid_until", _("A document cannot end before it starts."))
    if not isinstance(content, dict):
        raise _invalid("content", _("The content of a document must be a set of named values."))
    existing = Document.objects.filter(number=number).first()
    if existing is not None:
        return _same_document(
            existing, agency=agency, subject_reference=subject_reference, holder_id_number=holder_id_number
        )
    try:
        # A savepoint: when another process issues the same number first, theirs is returned.
        with transaction.atomic():
            document = Document.objects.create(
                number=number,
                kind=kind,
                title_th=title_th,
                title_en=title_en,
                agency=agency,
                subject_reference=subject_reference,
                holder_user=holder_user,
                holder_business=holder_business,
                holder_id_number=holder_id_number,
                holder_name=holder_name,
                valid_from=valid_from,
                valid_until=valid_until,
                content=content,
            )
    except IntegrityError:
        existing = Document.objects.filter(number=number).first()
        if existing is None:
            raise
        return _same_document(
            existing, agency=agency, subject_reference=subject_reference, holder_id_number=holder_id_number
        )
    audit.record(
        actor=actor,
        action="documents.document_issue",
        target=document,
        payload={
            "kind": kind,
            "agency": agency.code,
            "subject_reference": subject_reference,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else "",
        },
    )
    _enqueue_signing(document)
    return document


def receipt_document_issue(*, event: events.ReceiptIssued) -> Document:
    """The signed e-receipt of a receipt the payments app issued (the receiver of ReceiptIssued). A
    receipt paid for a business is the business's, not the person's who paid."""
    issued_at = datetime.datetime.fromisoformat(event.issued_at)
    holder_business = (
        Business.objects.filter(public_id=event.payer_business_public_id).first()
        if event.payer_business_public_id
        else None
    )
    holder_user = (
        user_by_public_id(public_id=event.payer_user_public_id)
        if event.payer_user_public_id and holder_business is None
        else None
    )
    return document_issue(
        actor=None,
        kind=Document.Kind.RECEIPT,
        number=event.receipt_number,
        title_th=RECEIPT_TITLE_TH,
        title_en=RECEIPT_TITLE_EN,
        agency=agency_get(code=event.agency_code),
        subject_reference=event.bill_reference,
        holder_id_number=event.payer_id_number,
        holder_name=event.payer_name,
        holder_user=holder_user,
        holder_business=holder_business,
        # The day it was paid in Bangkok, whatever zone the server runs in.
        valid_from=timezone.localdate(issued_at, timezone=timezone.get_default_timezone()),
        content={
            "bill_reference": event.bill_reference,
            "description_th": event.description_th,
            "description_en": event.description_en,
            "lines": [
                {
                    "code": line.code,
                    "name_th": line.name_th,
                    "name_en": line.name_en,
                    "amount_satang": line.amount_satang,
                }
                for line in event.lines
            ],
            "amount_satang": event.amount_satang,
            "amount_in_words": event.amount_in_words,
            "channel": event.channel,
            "issued_at": event.issued_at,
            "receipt_public_id": event.receipt_public_id,
        },
    )


# --- signing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signed:
    """What one attempt produced, before anything is stored."""

    pdfs: dict[str, bytes]
    signed_json: str
    certificate_sha256: str
    signed_at: datetime.datetime


def _printed(document: Document) -> dict[str, Any]:
    """What is printed on the document that names nobody: the service and its conditions, or the
    receipt's lines and amount. Never the application or bill it came from, a business's name or
    number, or the receipt's own ID."""
    content = document.content
    if document.kind == Document.Kind.RECEIPT:
        return {
            "lines": [
                {
                    "code": line.get("code", ""),
                    "name_th": line.get("name_th", ""),
                    "name_en": line.get("name_en", ""),
                    "amount_satang": line.get("amount_satang", 0),
                }
                for line in content.get("lines", [])
            ],
            "amount_satang": content.get("amount_satang", 0),
            "amount_in_words": content.get("amount_in_words", ""),
            "channel": content.get("channel", ""),
            "issued_at": content.get("issued_at", ""),
        }
    return {
        "service_name_th": content.get("service_name_th", ""),
        "service_name_en": content.get("service_name_en", ""),
        "conditions": [
            {"th": condition.get("th", ""), "en": condition.get("en", "")}
            for condition in content.get("conditions", [])
        ],
    }


def signed_payload(
    document: Document, *, pdfs: dict[str, bytes], signed_at: datetime.datetime
) -> dict[str, Any]:
    """The machine-readable copy. Anyone with the verification address can fetch it, so it carries no
    more than the verification page shows: the holder's name masked, and nothing that identifies the
    holder, the application or the bill (an ID number, even hashed, is easily guessed)."""
    agency = document.agency
    return {
        "number": document.number,
        "kind": document.kind,
        "title_th": document.title_th,
        "title_en": document.title_en,
        "agency": {"code": agency.code, "name_th": agency.name_th, "name_en": agency.name_en},
        "holder_name_masked": masked_name(document.holder_name),
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "replaces": document.replaces.number if document.replaces else None,
        "issued_at": document.created_at.isoformat(),
        "signed_at": signed_at.isoformat(),
        "files": {
            language: {"sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)}
            for language, pdf in pdfs.items()
        },
        "verification_url": rendering.verification_url(document),
        "printed": _printed(document),
    }


def _render_and_sign(document: Document) -> _Signed:
    agency = document.agency
    signer = signing.signer_for(agency_code=agency.code, name_th=agency.name_th, name_en=agency.name_en)
    pdfs = {
        "th": signing.sign_pdf(
            rendering.render_pdf(document, language="th"),
            signer=signer,
            reason=f"{document.title_th} เลขที่ {document.number}",
            location=agency.name_th,
        ),
        "en": signing.sign_pdf(
            rendering.render_pdf(document, language="en"),
            signer=signer,
            reason=f"{document.title_en} No. {document.number}",
            location=agency.name_en,
        ),
    }
    signed_at = timezone.now()
    payload = signed_payload(document, pdfs=pdfs, signed_at=signed_at)
    return _Signed(
        pdfs=pdfs,
        signed_json=signing.sign_json(payload, signer=signer),
        certificate_sha256=signer.certificate_sha256,
        signed_at=signed_at,
    )


def _stored_name(document: Document, language: str) -> str:
    return f"documents/{document.public_id}/{language}.pdf"


@transaction.atomic
def _signed_store(document_id: int, signed: _Signed, written: list[str]) -> Document:
    """Store the files and mark the document signed, unless another worker got there first. Every file
    name written is appended to `written`, for the caller to remove if this rolls back."""
    document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document_id)
    if document.state != Document.State.PENDING:
        return document
    storage = private_storage()
    for language, pdf in signed.pdfs.items():
        name = _stored_name(document, language)
        # Only a process killed between writing and committing leaves a file here: it is not ours.
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(pdf))
        written.append(stored)
        DocumentFile.objects.create(
            document=document,
            language=language,
            stored_name=stored,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
    document.state = Document.State.SIGNED
    document.signed_at = signed.signed_at
    document.signer_certificate_sha256 = signed.certificate_sha256
    document.signed_json = signed.signed_json
    document.next_attempt_at = None
    document.last_error = ""
    document.save(
        update_fields=[
            "state",
            "signed_at",
            "signer_certificate_sha256",
            "signed_json",
            "next_attempt_at",
            "last_error",
            "updated_at",
        ]
    )
    audit.record(
        actor=None,
        action="documents.document_sign",
        target=document,
        payload={
            "signer_certificate_sha256": signed.certificate_sha256,
            "files": {language: hashlib.sha256(pdf).hexdigest() for language, pdf in signed.pdfs.items()},
            "attempt": document.sign_attempts + 1,
        },
    )
    _notify_holders(document, "document_ready", context={}, link_to=document)
    return document


def _short_error(error: Exception) -> str:
    """The kind of failure and the first line of its message: enough for an operator, no key material
    (the signing module never puts any in its messages)."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}"[:ERROR_MAX_LENGTH]


@transaction.atomic
def _claim(document_id: int) -> datetime.datetime | None:
    """Claim a pending document that is due for one attempt: its next_attempt_at moves to the end of a
    lease, which is returned. None when it is not due, or another worker holds it (locked now, or
    claimed within the lease)."""
    now = timezone.now()
    document = (
        Document.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=document_id, state=Document.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .first()
    )
    if document is None:
        return None
    document.next_attempt_at = now + SIGNING_LEASE
    document.save(update_fields=["next_attempt_at", "updated_at"])
    return document.next_attempt_at


@transaction.atomic
def _sign_failed(document_id: int, error: Exception, *, lease: datetime.datetime) -> Document:
    """Count a failed attempt, unless the document is no longer ours: signed meanwhile, or claimed by
    another worker after our lease ran out (that attempt's outcome counts, not ours)."""
    document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document_id)
    if document.state != Document.State.PENDING or document.next_attempt_at != lease:
        return document
    document.sign_attempts += 1
    document.last_error = _short_error(error)
    if document.sign_attempts >= settings.PRACHA_DOCUMENT_SIGN_ATTEMPTS:
        document.state = Document.State.FAILED
        document.next_attempt_at = None
        # An operator must fix the key or the template and retry: ERROR reaches whoever is alerted.
        logger.error(
            "signing document %s failed %s times and has stopped: %s",
            document.number,
            document.sign_attempts,
            document.last_error,
        )
        audit.record(
            actor=None,
            action="documents.document_sign_failed",
            target=document,
            payload={"attempts": document.sign_attempts, "error": document.last_error},
        )
    else:
        delay = min(BACKOFF_SECONDS * 2**document.sign_attempts, BACKOFF_CAP_SECONDS)
        document.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
    document.save(update_fields=["sign_attempts", "last_error", "state", "next_attempt_at", "updated_at"])
    return document


def document_sign(*, document_id: int) -> Document:
    """Render the document in Thai and English, sign both and the JSON copy with the agency's key, and
    store them. Nothing happens unless it is pending, due and not claimed by another worker. A failure
    (no key, a template error) schedules the next attempt with a growing delay; after
    PRACHA_DOCUMENT_SIGN_ATTEMPTS the document is marked failed for an officer to retry once the cause
    is fixed."""
    lease = _claim(document_id)
    document = Document.objects.select_related("agency", "replaces").get(pk=document_id)
    if lease is None:
        return document
    written: list[str] = []
    try:
        return _signed_store(document_id, _render_and_sign(document), written)
    except Exception as error:
        # A warning: the next attempt may well succeed. The last one failing is logged as an error.
        logger.warning("signing document %s failed", document.number, exc_info=True)
        storage = private_storage()
        for name in written:
            storage.delete(name)
        return _sign_failed(document_id, error, lease=lease)


def documents_sign_due() -> int:
    """Sign pending documents that are due, oldest first, at most SWEEP_BATCH: the retries, and any
    whose task was lost. A document issued within SWEEP_GRACE and never tried is left to its own task.
    Returns how many were signed."""
    now = timezone.now()
    due = (
        Document.objects.filter(state=Document.State.PENDING)
        .exclude(next_attempt_at__gt=now)
        .exclude(next_attempt_at__isnull=True, created_at__gt=now - SWEEP_GRACE)
    )
    signed = 0
    for document_id in list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH]):
        if document_sign(document_id=document_id).state == Document.State.SIGNED:
            signed += 1
    return signed


@transaction.atomic
def document_sign_retry(*, actor: User, document: Document) -> Document:
    """An officer starts signing a failed document again, with a fresh count of attempts."""
    _ensure_officer(actor, document)
    document = _locked(document)
    if document.state != Document.State.FAILED:
        raise Conflict(_("Only a document whose signing failed can be signed again."))
    last_error = document.last_error
    document.state = Document.State.PENDING
    document.sign_attempts = 0
    document.next_attempt_at = None
    document.last_error = ""
    document.save(update_fields=["state", "sign_attempts", "next_attempt_at", "last_error", "updated_at"])
    audit.record(
        actor=actor,
        action="documents.document_sign_retry",
        target=document,
        payload={"last_error": last_error},
    )
    _enqueue_signing(document)
    return document


# --- revocation and replacement -----------------------------------------------------------------------


def _holders(document: Document) -> list[User]:
    """Who is told about a document: its holder's account; for a business's document, everyone who acts
    for the business now (an active authorisation, an active account). Nobody when the holder has no
    account."""
    if document.holder_business is not None:
        return people_acting_for(business=document.holder_business)
    user = document.holder_user
    return [user] if user is not None and user.is_active else []


def _notify_holders(document: Document, kind: str, *, context: dict[str, Any], link_to: Document) -> None:
    """Tell the holders in the transaction of the change: the message goes out once it commits. Keyed by
    the document's number, and by the person for a business's document (several people are told)."""
    business, key = document.holder_business_id is not None, f"{kind}:{document.number}"
    for user in _holders(document):
        notifications.notify(
            kind=kind,
            recipient=user,
            agency_code=document.agency.code,
            context={
                "number": document.number,
                "title": {"th": document.title_th, "en": document.title_en},
                **context,
            },
            link=reverse("documents:detail", kwargs={"public_id": link_to.public_id}),
            dedupe_key=f"{key}:{user.public_id}" if business else key,
        )


def _notify_revoked(document: Document, *, link_to: Document) -> None:
    """The reason's label in each language, never the officer's note, which is the agency's own record."""
    label = Document.RevocationReason(document.revocation_reason).label
    reason: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            reason[language] = str(label)
    _notify_holders(document, "document_revoked", context={"reason": reason}, link_to=link_to)


def _revoke(document: Document, *, actor: User | None, reason: str, note: str) -> None:
    document.revoked_at = timezone.now()
    document.revocation_reason = reason
    document.revocation_note = note
    document.revoked_by = actor
    document.save(
        update_fields=["revoked_at", "revocation_reason", "revocation_note", "revoked_by", "updated_at"]
    )


def _clean_note(note: str) -> str:
    return clean_text(note, field="note", limit=NOTE_MAX_LENGTH, missing="", required=False)


def _revoke_and_notify(
    document: Document, *, actor: User | None, reason: str, note: str, payload: dict[str, Any]
) -> None:
    """Revoke a document the caller has locked, audit it and tell the holder why: the reason, never the
    officer's note, which is for the agency's own record."""
    _revoke(document, actor=actor, reason=reason, note=note)
    audit.record(actor=actor, action="documents.document_revoke", target=document, payload=payload)
    _notify_revoked(document, link_to=document)


@transaction.atomic
def document_revoke(*, actor: User, document: Document, reason: str, note: str) -> Document:
    """An officer of the issuing agency revokes a document; its holders are told. A correction
    is not a revocation reason here: document_replace revokes the old one when it issues the new."""
    _ensure_officer(actor, document)
    if reason not in Document.RevocationReason.values or reason == Document.RevocationReason.CORRECTED:
        raise _invalid("reason", _("Choose the reason for revoking the document."))
    note = _clean_note(note)
    document = _locked(document)
    if document.revoked_at is not None:
        raise Conflict(_("This document has already been revoked."))
    _revoke_and_notify(
        document, actor=actor, reason=reason, note=note, payload={"reason": reason, "note": note}
    )
    return document


@transaction.atomic
def receipt_document_revoke_refunded(*, event: events.ReceiptRefunded) -> Document | None:
    """A receipt whose money was all paid back no longer proves a payment: its e-receipt (or the
    correction that replaced it) is revoked as refunded and the holder told (the receiver of
    ReceiptRefunded). A partial refund leaves it standing; an e-receipt already revoked, or never
    issued, is left alone. Returns the e-receipt revoked, if any."""
    if not event.fully_refunded:
        return None
    document = Document.objects.filter(number=event.receipt_number, kind=Document.Kind.RECEIPT).first()
    # A corrected e-receipt was revoked when it was replaced: the one in force is the last replacement.
    while document is not None and hasattr(document, "replaced_by"):
        document = document.replaced_by
    if document is None:
        logger.warning("receipt %s was refunded but has no e-receipt", event.receipt_number)
        return None
    document = _locked(document)
    if document.revoked_at is not None:
        return None
    _revoke_and_notify(
        document,
        actor=None,
        reason=Document.RevocationReason.REFUNDED,
        note="",
        payload={
            "reason": Document.RevocationReason.REFUNDED,
            "note": "",
            "bill_reference": event.bill_reference,
            "refunded_at": event.refunded_at,
        },
    )
    return document


def _replacement_number(number: str) -> str:
    root = REPLACEMENT_SUFFIX.sub("", number)
    taken = Document.objects.filter(number__startswith=f"{root}-R").values_list("number", flat=True)
    suffixes = [
        int(match.group(1)) for taken_number in taken if (match := re.search(r"-R(\d+)$", taken_number))
    ]
    return f"{root}-R{max(suffixes, default=0) + 1}"


@transaction.atomic
def document_replace(*, actor: User, document: Document, holder_name: str, note: str) -> Document:
    """After a correction of the holder's name: a new document with the next number (<number>-R<n>)
    that links to the old one, which is revoked as "corrected". The holders are told; the new
    one is signed in the background."""
    _ensure_officer(actor, document)
    holder_name = clean_text(
        holder_name,
        field="holder_name",
        limit=HOLDER_NAME_MAX_LENGTH,
        missing=_("Enter the holder's name as it should be on the document."),
    )
    note = _clean_note(note)
    document = _locked(document)
    if document.state != Document.State.SIGNED or document.revoked_at is not None:
        raise Conflict(_("Only a signed document that has not been revoked can be replaced."))
    number = _replacement_number(document.number)
    if len(number) > NUMBER_MAX_LENGTH:
        raise Conflict(_("This document has been replaced too many times to be replaced again."))
    replacement = Document.objects.create(
        number=number,
        kind=document.kind,
        title_th=document.title_th,
        title_en=document.title_en,
        agency=document.agency,
        subject_reference=document.subject_reference,
        holder_user=document.holder_user,
        holder_business=document.holder_business,
        holder_id_number=document.holder_id_number,
        holder_name=holder_name,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        content=document.content,
        replaces=document,
    )
    _revoke(document, actor=actor, reason=Document.RevocationReason.CORRECTED, note=note)
    audit.record(
        actor=actor,
        action="documents.document_revoke",
        target=document,
        payload={"reason": Document.RevocationReason.CORRECTED, "note": note, "replaced_by": number},
    )
    audit.record(
        actor=actor,
        action="documents.document_replace",
        target=replacement,
        payload={"replaces": document.number, "note": note},
    )
    # The old number is revoked; the link opens the replacement, which names the number it replaces.
    _notify_revoked(document, link_to=replacement)
    _enqueue_signing(replacement)
    return replacement


# --- share links --------------------------------------------------------------------------------------


@transaction.atomic
def share_link_create(*, actor: User, document: Document, days: int) -> ShareLink:
    """The holder makes a link that shows the document to whoever they give it, for `days` days."""
    if not selectors.may_hold(user=actor, document=document):
        raise PermissionDenied()
    longest = settings.PRACHA_DOCUMENT_SHARE_MAX_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise _invalid("days", _("Choose from 1 to %(days)s days.") % {"days": longest})
    document = _locked(document)
    if document.state != Document.State.SIGNED or document.revoked_at is not None:
        raise Conflict(_("Only a signed document that has not been revoked can be shared."))
    share_link = ShareLink.objects.create(
        document=document,
        token=secrets.token_urlsafe(32),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    # Never the token: the audit log is read by people who must not be able to open the link.
    audit.record(
        actor=actor,
        action="documents.share_link_create",
        target=share_link,
        payload={"document": document.number, "days": days, "expires_at": share_link.expires_at.isoformat()},
    )
    return share_link


@transaction.atomic
def share_link_revoke(*, actor: User, share_link: ShareLink) -> ShareLink:
    """The holder stops a link working. Revoking it again changes nothing."""
    if not selectors.may_hold(user=actor, document=share_link.document):
        raise PermissionDenied()
    share_link = (
        ShareLink.objects.select_for_update(of=("self",)).select_related("document").get(pk=share_link.pk)
    )
    if share_link.revoked_at is not None:
        return share_link
    share_link.revoked_at = timezone.now()
    share_link.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=actor,
        action="documents.share_link_revoke",
        target=share_link,
        payload={"document": share_link.document.number},
    )
    return share_link
