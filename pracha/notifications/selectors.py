"""What people, officers and agencies' systems may read of messages, preferences and templates."""

import datetime
import hashlib
import hmac
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise

from pracha.core.errors import InvalidInput, NotFound
from pracha.notifications import defaults, templating
from pracha.notifications.addresses import normalise_address
from pracha.notifications.kinds import EMAIL, INAPP, KINDS, SMS
from pracha.notifications.models import ApiKey, Contact, Message, Preference, Profile, Subscription, Template
from pracha.notifications.sms import SmsLength, sms_length

SECRET_PREFIX = "pracha_"


def _signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


# --- the inbox ----------------------------------------------------------------------------------------


def inbox(*, user: Any) -> QuerySet[Message]:
    """The person's in-app messages, newest first."""
    if not _signed_in(user):
        return Message.objects.none()
    return Message.objects.filter(recipient=user, channel=INAPP).order_by("-created_at", "-pk")


def unread_count(*, user: Any) -> int:
    if not _signed_in(user):
        return 0
    return Message.objects.filter(recipient=user, channel=INAPP, read_at__isnull=True).count()


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def access_message(*, user: Any, public_id: Any) -> Message:
    """One of the person's in-app messages; NotFound for anything else, whoever's it is."""
    key = _uuid(public_id)
    message = inbox(user=user).filter(public_id=key).first() if key is not None else None
    if message is None:
        raise NotFound()
    return message


# --- preferences, contacts, subscriptions ------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: Promise
    legal: bool
    email: bool
    sms: bool


@dataclass(frozen=True)
class PreferenceTable:
    language: str
    rows: list[PreferenceRow]
    # SMS can be chosen only where the platform has an SMS gateway.
    sms_available: bool


def language_for(*, user: Any) -> str:
    """The language a person reads their messages in (Thai unless they chose otherwise)."""
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    return language or "th"


def sms_enabled() -> bool:
    """Whether the platform sends SMS at all: only with an SMS gateway configured."""
    return bool(settings.PRACHA_SMS_GATEWAY_URL)


def preferences_for(*, user: Any) -> PreferenceTable:
    """One row per kind a person may choose channels for: whether e-mail and SMS are on (legal notices
    always are), and their language."""
    off = set(
        Preference.objects.filter(user=user, enabled=False).values_list("kind", "channel")
        if _signed_in(user)
        else []
    )
    rows = [
        PreferenceRow(
            kind=kind.code,
            label=kind.label,
            legal=kind.legal,
            email=kind.legal or (kind.code, EMAIL) not in off,
            sms=kind.legal or (kind.code, SMS) not in off,
        )
        for kind in KINDS.values()
        if kind.preference
    ]
    language = language_for(user=user) if _signed_in(user) else "th"
    return PreferenceTable(language=language, rows=rows, sms_available=sms_enabled())


def contacts_for(*, user: Any) -> dict[str, Contact | None]:
    """The person's e-mail and SMS contact (confirmed address and any address waiting for its code)."""
    contacts = (
        {contact.channel: contact for contact in Contact.objects.filter(user=user)}
        if _signed_in(user)
        else {}
    )
    return {EMAIL: contacts.get(EMAIL), SMS: contacts.get(SMS)}


def subscriptions_for(*, user: Any) -> list[str]:
    if not _signed_in(user):
        return []
    return list(Subscription.objects.filter(user=user).order_by("topic").values_list("topic", flat=True))


def user_for_address(*, channel: str, address: str) -> Any | None:
    """The person whose confirmed contact this address is (the most recently confirmed, should two
    people share a number), or None."""
    try:
        normalised = normalise_address(channel, address)
    except InvalidInput:
        return None
    contact = (
        Contact.objects.filter(channel=channel, address=normalised)
        .select_related("user")
        .order_by("-verified_at", "-pk")
        .first()
    )
    return contact.user if contact is not None else None


# --- templates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body: str
    edited: bool


@dataclass(frozen=True)
class TemplateSummary:
    kind: str
    label: Promise
    channel: str
    language: str
    edited: bool
    updated_at: datetime.datetime | None
    updated_by: Any


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    sms: SmsLength | None


def template_text(*, kind: str, channel: str, language: str) -> TemplateText:
    """The text in use: the edited template, else the default. KeyError for a kind/channel that does not
    exist."""
    template = Template.objects.filter(kind=kind, channel=channel, language=language).first()
    if template is not None:
        return TemplateText(subject=template.subject, body=template.body, edited=True)
    subject, body = defaults.default_text(kind, channel, language)
    return TemplateText(subject=subject, body=body, edited=False)


def templates_overview() -> list[TemplateSummary]:
    """Every kind × channel × language, and whether an officer edited it."""
    stored = {
        (template.kind, template.channel, template.language): template
        for template in Template.objects.select_related("updated_by")
    }
    summaries = []
    for kind in KINDS.values():
        for channel in kind.channels:
            for language, _name in settings.LANGUAGES:
                template = stored.get((kind.code, channel, language))
                summaries.append(
                    TemplateSummary(
                        kind=kind.code,
                        label=kind.label,
                        channel=channel,
                        language=language,
                        edited=template is not None,
                        updated_at=template.updated_at if template is not None else None,
                        updated_by=template.updated_by if template is not None else None,
                    )
                )
    return summaries


def template_preview(*, kind: str, channel: str, language: str, subject: str, body: str) -> Preview:
    """The text as a person would read it, with typical values; SMS with its length and parts. A
    placeholder the kind does not provide is shown as written (validation names it)."""
    spec = KINDS[kind]
    values = templating.sample_values(spec, language)

    def fill(text: str) -> str:
        return templating.PLACEHOLDER.sub(
            lambda match: values.get(match.group(1).strip(), match.group(0)), text
        )

    rendered_body = fill(body)
    return Preview(
        subject=fill(subject),
        body=rendered_body,
        sms=sms_length(rendered_body) if channel == SMS else None,
    )


# --- officers and agencies' systems -------------------------------------------------------------------


def undelivered_messages(*, agency_codes: Collection[str]) -> QuerySet[Message]:
    """The agencies' messages that could not be delivered (technical or permanent failure), newest first."""
    return Message.objects.filter(
        agency_code__in=list(agency_codes),
        status__in=[Message.Status.FAILED, Message.Status.PERMANENTLY_FAILED],
    ).order_by("-failed_at", "-pk")


def api_keys_for(*, agency_codes: Collection[str]) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(agency_code__in=list(agency_codes)).order_by("-created_at", "-pk")


def api_key_hash(secret: str) -> str:
    """How a key's secret is stored and looked up: its SHA-256, in hexadecimal."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The active key whose secret this is, or None. Only the secret's SHA-256 is stored, so the look-up
    is by hash and reveals nothing of other keys."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    return ApiKey.objects.filter(key_hash=api_key_hash(secret), revoked_at__isnull=True).first()


def api_message_get(*, api_key: ApiKey, public_id: Any) -> Message:
    """A message sent through the API by any key of the same agency; NotFound otherwise."""
    key = _uuid(public_id)
    message = (
        Message.objects.filter(public_id=key, api_key__isnull=False, agency_code=api_key.agency_code).first()
        if key is not None
        else None
    )
    if message is None:
        raise NotFound()
    return message


def sms_receipt_token_valid(token: str) -> bool:
    """Whether a delivery receipt's bearer token is the gateway's (compared in constant time)."""
    expected = settings.PRACHA_SMS_GATEWAY_TOKEN
    if not expected or not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
