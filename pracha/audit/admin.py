from django.contrib import admin

from pracha.audit.models import AuditEntry
from pracha.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin[AuditEntry]):
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
