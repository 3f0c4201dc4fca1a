"""What administrators see of signed documents, their files and share links.

Read-only: every change goes through a service, which checks who may make it and writes the audit
record; officers revoke, replace and retry documents on their pages under /documents/manage/.
"""

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from pracha.documents.models import Document, DocumentFile, ShareLink

M = TypeVar("M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    """Seen, never added, edited or deleted here: that would bypass the services and the audit log."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


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
