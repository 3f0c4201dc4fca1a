"""Messages, templates and API keys, seen in the admin; every change goes through the services."""

from django.contrib import admin

from pracha.core.admin import ReadOnlyAdmin
from pracha.notifications.models import ApiKey, Message, Template

MESSAGE_FIELDS = (
    "public_id",
    "kind",
    "channel",
    "agency_code",
    "language",
    "status",
    "attempts",
    "next_attempt_at",
    "claimed_until",
    "sent_at",
    "delivered_at",
    "failed_at",
    "read_at",
    "last_error",
    "provider_reference",
    "client_reference",
    "callback_due",
    "callback_attempts",
    "callback_next_at",
    "created_at",
)
# Never the hash of the secret, nor the token Pracha sends to the callback URL.
API_KEY_FIELDS = (
    "public_id",
    "agency_code",
    "name",
    "key_type",
    "prefix",
    "rate_limit_per_minute",
    "callback_url",
    "created_by",
    "created_at",
    "revoked_at",
)
TEMPLATE_FIELDS = ("kind", "channel", "language", "subject", "body", "updated_by", "updated_at")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin[Message]):
    list_display = ("created_at", "channel", "kind", "agency_code", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "kind")
    search_fields = ("=public_id", "=provider_reference", "client_reference", "agency_code")
    # A message's address and text are personal data: not shown here at all.
    fields = MESSAGE_FIELDS
    readonly_fields = MESSAGE_FIELDS


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin[ApiKey]):
    list_display = ("agency_code", "name", "key_type", "prefix", "rate_limit_per_minute", "revoked_at")
    list_filter = ("key_type",)
    search_fields = ("agency_code", "name", "prefix")
    fields = API_KEY_FIELDS
    readonly_fields = API_KEY_FIELDS


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin[Template]):
    """Edited in the back office, where the rules of templating.validate are checked."""

    list_display = ("kind", "channel", "language", "updated_by", "updated_at")
    list_filter = ("channel", "language")
    fields = TEMPLATE_FIELDS
    readonly_fields = TEMPLATE_FIELDS
