"""Messages to people: each one a row per channel with its delivery status, the templates they are
written from, and what each person has chosen to receive and where.

Notifications is a sink: other apps hand it plain values (a kind, a person, an agency code, the
placeholders' values) and it never imports them. A person's e-mail address or mobile number is used only
once they have confirmed it with a one-time code (`Contact`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pracha.core.models import PublicKeyed, TimeStamped


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Template(TimeStamped):
    """An edited template. Where none is stored, the default text in `defaults.py` is used."""

    kind = models.CharField(_("kind of message"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language"], name="unique_notification_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.language}"


class Profile(TimeStamped):
    """The language a person reads their messages in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_profile"
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="th")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class Contact(TimeStamped):
    """A person's e-mail address or mobile number for messages: `address` once confirmed, and the
    address waiting for its one-time code. Only the hash of the code is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_contacts"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("confirmed address"), max_length=254, blank=True)
    verified_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    pending_address = models.CharField(_("address to confirm"), max_length=254, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="unique_notification_contact"),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms"]), name="notification_contact_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}"


class Preference(models.Model):
    """A channel a person turned off (enabled=False) or back on for one kind of message; no row means on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind of message"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("send"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}: {self.enabled}"


class Subscription(TimeStamped):
    """A topic a person follows: "agency:<code>", "life-event:<code>" or
    "complaints:<category>:<district code>"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_subscriptions"
    )
    topic = models.CharField(_("topic"), max_length=120, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_notification_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}"


class ApiKey(PublicKeyed, TimeStamped):
    """An agency system's key for the send API. Test keys are accepted and never delivered; team keys
    deliver only to the agency's own staff; live keys deliver to anyone."""

    class Type(models.TextChoices):
        TEST = "test", _("Test")
        TEAM = "team", _("Team")
        LIVE = "live", _("Live")

    agency_code = models.CharField(_("agency"), max_length=40, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    key_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    prefix = models.CharField(_("starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("messages per minute"), default=600)
    # Where Pracha POSTs each message's final status; the key's holder checks our bearer token.
    callback_url = models.URLField(_("delivery callback URL"), blank=True)
    callback_token = models.CharField(_("callback bearer token"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.agency_code} {self.name} ({self.key_type})"


class Message(PublicKeyed, TimeStamped):
    """One message on one channel: queued → sending → sent → delivered, or failed (temporary failures
    kept failing until the attempts ran out) / permanently failed (a bad address: stopped at once).
    In-app messages are delivered when they are made; `read_at` is the inbox's."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Technical failure")
        PERMANENTLY_FAILED = "permanently_failed", _("Permanent failure")

    kind = models.CharField(_("kind of message"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The e-mail address or the mobile number (+66...) it went to; "" in-app.
    address = models.CharField(_("to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    # A path on the site ("/applications/APP-2569-000123/") the inbox links to.
    link = models.CharField(_("link"), max_length=300, blank=True)
    agency_code = models.CharField(_("sending agency"), max_length=40, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending it holds it until then; after that another may take it over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # The gateway's ID for an SMS, which its delivery receipts name.
    provider_reference = models.CharField(max_length=100, blank=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The same event told twice (a retried request, a replayed event) makes no second message.
    dedupe_key = models.CharField(max_length=200, blank=True)
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    client_reference = models.CharField(_("sender's reference"), max_length=100, blank=True)
    # Final-status callback to the sending system (API messages with a callback URL on their key).
    callback_due = models.BooleanField(default=False)
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "channel"],
                condition=~Q(dedupe_key=""),
                name="unique_notification_message_dedupe",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
            models.Index(fields=["callback_due", "callback_next_at"], name="notification_callback_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} {self.status}"
