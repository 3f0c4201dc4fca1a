"""The kinds of message the platform sends, and the placeholders each one provides to its templates.

A kind is plain data: the app that raises the message passes the values; a template (one per kind,
channel and language) may use only the placeholders its kind names, plus `domain`, which every message
carries so people can tell a genuine message from the platform. Legal notices cannot be turned off.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INAPP, EMAIL, SMS = "inapp", "email", "sms"
CHANNELS = (INAPP, EMAIL, SMS)
# Placeholders every template may use, whatever its kind.
COMMON_PLACEHOLDERS = frozenset({"domain"})


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    placeholders: frozenset[str]
    # A legal notice is sent on every channel the person has, whatever their preferences say.
    legal: bool = False
    # Agencies' own systems may send it through the API.
    api: bool = False
    # Shown on the preferences page: not for one-time codes, which go only where they were asked for.
    preference: bool = True
    channels: tuple[str, ...] = CHANNELS


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "application_received",
            _("Your application was received"),
            frozenset({"reference", "service", "link"}),
        ),
        Kind(
            "application_sent_back",
            _("Your application needs something more from you"),
            frozenset({"reference", "service", "link"}),
        ),
        Kind(
            "application_approved",
            _("Decision on your application: approved"),
            frozenset({"reference", "service", "link"}),
            legal=True,
        ),
        Kind(
            "application_rejected",
            _("Decision on your application: refused"),
            frozenset({"reference", "service", "link"}),
            legal=True,
        ),
        Kind(
            "payment_due",
            _("A fee is waiting for your payment"),
            frozenset({"reference", "description", "amount", "due_date", "link"}),
        ),
        Kind(
            "payment_received",
            _("Your payment was received"),
            frozenset({"receipt_number", "amount", "description", "link"}),
        ),
        Kind(
            "document_ready",
            _("Your document is ready"),
            frozenset({"number", "title", "link"}),
        ),
        Kind(
            "document_revoked",
            _("Your document was revoked"),
            frozenset({"number", "title", "reason", "link"}),
            legal=True,
        ),
        Kind(
            "topic_announcement",
            _("News on topics you follow"),
            frozenset({"topic", "title", "link"}),
        ),
        Kind(
            "agency_notice",
            _("Notices from agencies"),
            frozenset({"agency", "subject", "body"}),
            api=True,
            # Sent only through the API, which sends to an address and reads no one's preferences: a
            # switch on the preferences page would do nothing.
            preference=False,
        ),
        Kind(
            "contact_verification",
            _("Code to confirm your contact details"),
            frozenset({"code", "minutes"}),
            legal=True,
            preference=False,
            channels=(EMAIL, SMS),
        ),
    )
}
