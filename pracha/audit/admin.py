from django.contrib import admin
from django.http import HttpRequest

from pracha.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = [
        "id",
        "at",
        "action",
        "actor_label",
        "on_behalf_of",
        "target_type",
        "target_id",
        "channel",
    ]
    list_filter = ["action", "channel"]
    search_fields = ["action", "actor_label", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
