"""The shapes of signed documents in the JSON API: a verification result (the same as the public page
shows) and the documents of the caller's wallet."""

import datetime
import uuid

from ninja import Field, Schema

STATUS_DESCRIPTION = (
    "valid, expiring (valid, ending within 30 days), expired, not_yet_valid, revoked, pending (being "
    "signed) or failed (signing failed)"
)


class TextOut(Schema):
    th: str
    en: str


class AgencyOut(Schema):
    code: str
    name: TextOut


class ReasonOut(Schema):
    code: str = Field(description="corrected, issued_in_error, withdrawn, fraud, holder_request or refunded")
    label: str = Field(description="The reason in the language of the request")


class SignatureOut(Schema):
    valid: bool = Field(description="Intact, by a trusted certificate, and covering the whole file")
    problem: str = Field(description='"", unreadable, unsigned, altered, untrusted or not_whole_file')
    signer_subject: str
    signed_at: datetime.datetime | None
    timestamped: bool


class VerifiedDocumentOut(Schema):
    id: uuid.UUID = Field(description="Its verification page is /verify/{id}/ (what its QR code opens)")
    number: str
    kind: str = Field(description="licence, certificate, registration, copy or receipt")
    title: TextOut
    agency: AgencyOut
    holder_name: str = Field(description="Partly masked (สมชาย ใจดี → ส**** ใ***) unless holder_confirmed")
    holder_confirmed: bool = Field(description="The holder_id_number given is the holder's")
    valid_from: datetime.date
    valid_until: datetime.date | None = Field(description="null: no end date")
    signed_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revocation_reason: ReasonOut | None
    replaced_by: str | None = Field(description="The number of the document issued to replace it")
    replaces: str | None = Field(description="The number of the document it replaces")
    verification_url: str
    signed_json_url: str | None = Field(
        description="The signed JSON copy (JWS, application/jose); null until the document is signed"
    )


class VerificationOut(Schema):
    genuine: bool = Field(
        description="Issued here, signed, valid today, not revoked; for an uploaded file also byte for "
        "byte the file issued, with a valid signature by the document's agency"
    )
    status: str | None = Field(description=f"The document's status: {STATUS_DESCRIPTION}; null if none")
    problem: str = Field(
        description='"" when genuine; not_found, altered, not_issued_here or unreadable when the number '
        "or file is not a document issued here; otherwise the status that makes it not valid"
    )
    message: str = Field(description="What the result means, in one sentence in the request's language")
    file_checked: bool = Field(description="A file was uploaded and checked")
    file_matches: bool = Field(description="The uploaded file is byte for byte one issued, validly signed")
    signature: SignatureOut | None = Field(description="The uploaded file's signature; null without a file")
    document: VerifiedDocumentOut | None = Field(description="null when nothing was issued under it")


class FileOut(Schema):
    language: str = Field(description="th or en")
    size: int
    sha256: str
    download_url: str = Field(description="GET it with the same credentials (application/pdf)")


class WalletDocumentOut(Schema):
    id: uuid.UUID
    number: str
    kind: str
    title: TextOut
    agency: AgencyOut
    status: str = Field(description=STATUS_DESCRIPTION)
    holder_name: str
    subject_reference: str = Field(description="What it was issued for: an application or a bill")
    valid_from: datetime.date
    valid_until: datetime.date | None
    signed_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revocation_reason: ReasonOut | None
    replaced_by: str | None
    replaces: str | None
    files: list[FileOut] = Field(description="The signed PDFs; empty until the document is signed")
    verification_url: str
    signed_json_url: str | None


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
