"""What other apps (applications, the portal, the officer workbench) may use of signed documents."""

from pracha.documents import selectors, services
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.documents.selectors import (
    STATUS_LABELS,
    Verification,
    WalletEntry,
    document_status,
    documents_for_subject,
)
from pracha.documents.services import document_issue

__all__ = [
    "STATUS_LABELS",
    "Document",
    "DocumentFile",
    "ShareLink",
    "Verification",
    "WalletEntry",
    "document_issue",
    "document_status",
    "documents_for_subject",
    "selectors",
    "services",
]
