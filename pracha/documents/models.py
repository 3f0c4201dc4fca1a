"""Signed documents: licences, certificates and e-receipts, each a PDF in Thai and in English, signed by
the issuing agency, and what anyone needs to check one.

A document is issued "pending" in the transaction that decided it; a background task renders and signs
it. The stored SHA-256 of each signed file is what makes an uploaded copy "the one we issued".
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pracha.core.models import PublicKeyed, TimeStamped


class Document(PublicKeyed, TimeStamped):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("Licence")
        CERTIFICATE = "certificate", _("Certificate")
        REGISTRATION = "registration", _("Registration")
        COPY = "copy", _("Certified copy")
        RECEIPT = "receipt", _("Receipt")

    class State(models.TextChoices):
        PENDING = "pending", _("Being signed")
        SIGNED = "signed", _("Signed")
        # Every attempt failed: an operator must fix the signing key or the template, then retry.
        FAILED = "failed", _("Signing failed")

    class RevocationReason(models.TextChoices):
        CORRECTED = "corrected", _("Replaced by a corrected document")
        ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
        WITHDRAWN = "withdrawn", _("Withdrawn by the agency")
        FRAUD = "fraud", _("Obtained with false information")
        HOLDER_REQUEST = "holder_request", _("At the holder's request")
        REFUNDED = "refunded", _("Payment refunded")

    # The number printed on the document: the licence or receipt number; a replacement adds -R1, -R2...
    number = models.CharField(_("document number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title_th = models.CharField(_("title in Thai"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    # What it was issued for: APP-2569-000123, BILL-2569-000045.
    subject_reference = models.CharField(_("issued for"), max_length=40, db_index=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_business = models.ForeignKey(
        "accounts.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A national ID or juristic person number: a verifier who enters it sees the holder's full name.
    holder_id_number = models.CharField(_("holder's ID number"), max_length=13, db_index=True)
    holder_name = models.CharField(_("holder"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Plain values the templates print and the signed JSON copy carries (see docs/documents.md).
    content = models.JSONField(_("content"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    sign_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # The SHA-256 of the DER certificate that signed it: the agency's certificate at the time.
    signer_certificate_sha256 = models.CharField(max_length=64, blank=True, default="")
    # The machine-readable copy: a JWS (compact serialisation) over the JSON, with the same agency key.
    signed_json = models.TextField(blank=True, default="")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("reason"), max_length=20, choices=RevocationReason.choices, blank=True, default=""
    )
    revocation_note = models.TextField(_("note"), blank=True, default="")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="documents_signing_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return self.number


class DocumentFile(TimeStamped):
    """One signed PDF of a document, in one language."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    language = models.CharField(max_length=2)
    # The name in core.storage.private_storage(); never served without an access check.
    stored_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["document", "language"]
        constraints = [
            models.UniqueConstraint(fields=["document", "language"], name="documents_one_file_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.language})"


class ShareLink(PublicKeyed, TimeStamped):
    """A time-limited link the holder gives to a landlord or a bank; the holder can revoke it."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="share_links")
    # secrets.token_urlsafe(32): the link is the credential, so it is long and random.
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.document} share"

    @property
    def audit_label(self) -> str:
        return f"{self.document.number} share {self.public_id}"
