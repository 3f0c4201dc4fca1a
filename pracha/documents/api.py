"""Signed documents in the JSON API.

/api/v1/documents/verify is public, like the verification page, and answers the same: by number (GET,
404 when nothing was issued under it), by the link of the QR code (GET /verify/{id}, 404 likewise), or by
uploading the PDF (POST, multipart; always 200, with file_matches false and a problem code when the file
is not one issued here). The holder's name is masked unless holder_id_number is the holder's. Lookups
that can reveal something (a number, a file, an ID number) count against the client's limit, 30 in 10
minutes (429 beyond); and after 10 wrong holder ID numbers for a document in a day, from anyone, an ID
number sent for it is not checked (429).

/api/v1/documents/mine is the caller's wallet: the documents they hold, for themselves or a business
they act for, with their PDFs. An agency system's token is refused there (403): it holds nothing.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import File, Router, UploadedFile
from ninja.params import FormEx, P, QueryEx

from pracha.accounts.public import api_auth, api_person
from pracha.agencies.public import Agency
from pracha.core.errors import InvalidInput, NotFound
from pracha.documents import selectors
from pracha.documents.forms import VerifyFileForm, VerifyNumberForm, clean_holder_id
from pracha.documents.models import Document, DocumentFile
from pracha.documents.rendering import verification_url
from pracha.documents.schemas import ErrorOut, VerificationOut, WalletDocumentOut
from pracha.documents.selectors import Verification
from pracha.documents.views import limit_holder_ids, limit_verifications, pdf_response

router = Router(tags=["documents"])

HolderId = P(
    description="Optional: the holder's 13-digit national ID or juristic person number, to see the "
    "holder's full name if it matches"
)
VERIFY_ERRORS = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut}


# --- the shapes -------------------------------------------------------------------------------------


def _both(value_th: str, value_en: str) -> dict[str, str]:
    return {"th": value_th, "en": value_en}


def _agency(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": _both(agency.name_th, agency.name_en)}


def _common(document: Document) -> dict[str, Any]:
    """What both the verification and the wallet say of a document."""
    replacement = selectors.replacement_of(document)
    return {
        "id": document.public_id,
        "number": document.number,
        "kind": document.kind,
        "title": _both(document.title_th, document.title_en),
        "agency": _agency(document.agency),
        "valid_from": document.valid_from,
        "valid_until": document.valid_until,
        "signed_at": document.signed_at,
        "revoked_at": document.revoked_at,
        "revocation_reason": {
            "code": document.revocation_reason,
            "label": str(document.get_revocation_reason_display()),
        }
        if document.revocation_reason
        else None,
        "replaced_by": replacement.number if replacement is not None else None,
        "replaces": document.replaces.number if document.replaces is not None else None,
        "verification_url": verification_url(document),
        "signed_json_url": selectors.signed_json_url(document) or None,
    }


def verification_out(verification: Verification) -> dict[str, Any]:
    """The same result the verification page shows."""
    found = selectors.verdict(verification)
    signature = verification.signature
    document = verification.document
    return {
        "genuine": found.genuine,
        "status": verification.status or None,
        "problem": found.problem,
        "message": found.message,
        "file_checked": verification.file_checked,
        "file_matches": verification.file_matches,
        "signature": {
            "valid": signature.valid,
            "problem": signature.problem,
            "signer_subject": signature.signer_subject,
            "signed_at": signature.signed_at,
            "timestamped": signature.timestamped,
        }
        if signature is not None
        else None,
        "document": {
            **_common(document),
            "holder_name": verification.holder_name,
            "holder_confirmed": verification.holder_confirmed,
        }
        if document is not None
        else None,
    }


def _file(document: Document, file: DocumentFile) -> dict[str, Any]:
    path = reverse("api:documents_file", kwargs={"public_id": document.public_id, "language": file.language})
    return {
        "language": file.language,
        "size": file.size,
        "sha256": file.sha256,
        "download_url": settings.PRACHA_SITE_URL + path,
    }


def _wallet_document(entry: selectors.WalletEntry) -> dict[str, Any]:
    document = entry.document
    signed = document.state == Document.State.SIGNED
    return {
        **_common(document),
        "status": entry.status,
        "holder_name": document.holder_name,
        "subject_reference": document.subject_reference,
        "files": [_file(document, file) for file in entry.files] if signed else [],
    }


def _refused(form: forms.Form) -> InvalidInput:
    return InvalidInput(
        fields={name: [str(error) for error in errors] for name, errors in form.errors.items()}
    )


def _not_found() -> NotFound:
    return NotFound(selectors.PROBLEM_MESSAGES[selectors.NOT_FOUND])


# --- verification -----------------------------------------------------------------------------------


@router.get(
    "/verify",
    auth=None,
    response={200: VerificationOut, **VERIFY_ERRORS},
    summary="Verify a document by its number",
    description="Public. 404 when no document was issued under the number.",
)
def verify_by_number(
    request: HttpRequest,
    number: QueryEx[str, P(description="The document number printed on it")],
    holder_id_number: QueryEx[str, HolderId] = "",
) -> dict[str, Any]:
    form = VerifyNumberForm(data={"number": number, "holder_id_number": holder_id_number})
    if not form.is_valid():
        raise _refused(form)
    limit_verifications(request)
    holder_id = form.cleaned_data["holder_id_number"]
    verification = selectors.verify_number(number=form.cleaned_data["number"], holder_id_number=holder_id)
    if verification.document is None:
        raise _not_found()
    limit_holder_ids(verification, holder_id)
    return verification_out(verification)


@router.post(
    "/verify",
    auth=None,
    response={200: VerificationOut, 400: ErrorOut, 429: ErrorOut},
    summary="Verify a document by its PDF file",
    description="Public. Multipart: `file` (the PDF, at most 10 MB) and optionally `holder_id_number`. "
    "200 whatever the file is: genuine is true only when it is byte for byte a file issued here with a "
    "valid signature; otherwise file_matches is false and problem says why.",
)
def verify_by_file(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    holder_id_number: FormEx[str, HolderId] = "",
) -> dict[str, Any]:
    # The page's form, so a file is refused for the same reasons and in the same words.
    form = VerifyFileForm(
        data={"holder_id_number": holder_id_number}, files=MultiValueDict({"file": [file]} if file else {})
    )
    if not form.is_valid():
        raise _refused(form)
    limit_verifications(request)
    holder_id = form.cleaned_data["holder_id_number"]
    verification = selectors.verify_file(data=form.cleaned_data["file"], holder_id_number=holder_id)
    limit_holder_ids(verification, holder_id)
    return verification_out(verification)


@router.get(
    "/verify/{public_id}",
    auth=None,
    response={200: VerificationOut, **VERIFY_ERRORS},
    summary="Verify a document by the link of its QR code",
    description="Public. 404 when there is no such document.",
)
def verify_by_id(
    request: HttpRequest, public_id: str, holder_id_number: QueryEx[str, HolderId] = ""
) -> dict[str, Any]:
    try:
        holder_id = clean_holder_id(holder_id_number)
    except forms.ValidationError as error:
        raise InvalidInput(fields={"holder_id_number": list(error.messages)}) from None
    if holder_id:
        # Only a lookup with an ID number counts: the id itself cannot be guessed.
        limit_verifications(request)
    verification = selectors.verify_public_id(public_id=public_id, holder_id_number=holder_id)
    if verification.document is None:
        raise _not_found()
    limit_holder_ids(verification, holder_id)
    return verification_out(verification)


# --- the caller's wallet ----------------------------------------------------------------------------


@router.get(
    "/mine",
    auth=api_auth,
    response={200: list[WalletDocumentOut], 401: ErrorOut, 403: ErrorOut},
    summary="Your documents",
    description="Every document you hold, for yourself or a business you act for, newest first.",
)
def wallet(request: HttpRequest) -> list[dict[str, Any]]:
    return [_wallet_document(entry) for entry in selectors.wallet_documents(user=api_person(request))]


@router.get(
    "/mine/{public_id}/{language}.pdf",
    auth=api_auth,
    url_name="documents_file",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Download one of your documents",
    description="The signed PDF in Thai (th) or English (en); 404 until it is signed.",
    openapi_extra={"responses": {200: {"description": "The signed PDF", "content": {"application/pdf": {}}}}},
)
def wallet_file(request: HttpRequest, public_id: str, language: str) -> HttpResponseBase:
    document = selectors.access_document(user=api_person(request), public_id=public_id)
    return pdf_response(document, language)
