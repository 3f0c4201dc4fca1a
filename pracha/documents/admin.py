"""What administrators see of signed documents, their files and share links.

Read-only: every change goes through a service, which checks who may make it and writes the audit
record; officers revoke, replace and retry documents on their pages under /documents/manage/.
"""

from django.contrib import admin

from pracha.core.admin import ReadOnlyAdmin
from pracha.documents.models import Document, DocumentFile, ShareLink


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin[Document]):
    list_display = ["number", "kind", "agency", "subject_reference", "state", "valid_until", "revoked_at"]
    list_filter = ["kind", "state", "agency"]
    search_fields = ["number", "subject_reference", "holder_id_number"]


@admin.register(DocumentFile)
class DocumentFileAdmin(ReadOnlyAdmin[DocumentFile]):
    list_display = ["document", "language", "size", "sha256"]
    search_fields = ["document__number", "sha256"]


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyAdmin[ShareLink]):
    list_display = ["document", "created_by", "expires_at", "revoked_at"]
    search_fields = ["document__number"]
    # The token opens the document to anyone: not shown to administrators either.
    exclude = ["token"]
