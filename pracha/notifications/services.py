"""Every change to messages and to what people receive: making messages (notify, topics, the send API),
sending them in the background with retries and rate limits, delivery receipts and callbacks, and each
person's preferences, confirmed contacts and subscriptions; templates and API keys for officers.

Sending follows the same claim/lease pattern as signing documents. An attempt claims a message in a
short transaction (status sending, attempts + 1, claimed_until = now + lease), sends outside any
transaction, and records the outcome in another short one. A worker that dies while holding a message
leaves it "sending" with a lease that runs out; the sweeper (messages_send_due, every few seconds) then
takes it over. A message is never lost; an SMS is never sent twice, because the gateway sends a
reference (the message's public ID) only once; an e-mail re-sent after a crash inside the SMTP
conversation keeps its Message-ID, so it is recognisably the same e-mail.
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pracha.audit import public as audit
from pracha.core import ratelimit
from pracha.core.errors import InvalidInput, NotFound, PermissionDenied, RateLimited
from pracha.core.text import clean_text
from pracha.notifications import defaults, gateways, selectors, templating
from pracha.notifications.kinds import EMAIL, INAPP, KINDS, SMS, Kind
from pracha.notifications.models import ApiKey, Contact, Message, Preference, Profile, Subscription, Template

logger = logging.getLogger(__name__)

Status = Message.Status
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The channels a person chooses for each kind of message; the in-app inbox always keeps everything.
CHOSEN_CHANNELS = (EMAIL, SMS)
SEND_BATCH = 200
CALLBACK_ATTEMPTS = 10
ERROR_MAX_LENGTH = 500  # Message.last_error
SUBJECT_MAX_LENGTH = 300  # Message.subject
LINK_MAX_LENGTH = 300  # Message.link
DEDUPE_KEY_MAX_LENGTH = 200  # Message.dedupe_key
CLIENT_REFERENCE_MAX_LENGTH = 100  # Message.client_reference
API_VALUE_MAX_LENGTH = 2000
API_KEY_NAME_MAX_LENGTH = 100
API_KEY_RATE_MAX = 60_000
CALLBACK_TOKEN_MIN_LENGTH = 10
CALLBACK_TOKEN_MAX_LENGTH = 200
SMS_RECEIPTS_PATH = "/api/v1/notifications/sms-receipts"
# Final statuses: a callback reports them. An SMS is "sent" until its receipt comes; an e-mail stays
# "sent" for good, since e-mail has no delivery receipts.
FINAL = {Status.DELIVERED, Status.FAILED, Status.PERMANENTLY_FAILED}
TOPIC = re.compile(r"agency:[a-z0-9-]+|life-event:[a-z0-9-]+|complaints:[a-z0-9-]+:[a-z0-9-]+", re.ASCII)
TOPIC_MAX_LENGTH = 120  # Subscription.topic
CODE_DIGITS = 6
REDACTED_CODE = "••••••"
# Thai mobile numbers: 06, 08 or 09 and eight more digits; written 0812345678, +66812345678, 66812345678.
THAI_MOBILE = re.compile(r"[689]\d{8}", re.ASCII)
PHONE_DECORATION = re.compile(r"[\s\-.()]")


def _invalid(field: str, message: Any) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _kind(code: str, *, field: str = "kind") -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise _invalid(field, _("Unknown kind of message."))
    return kind


def _language(code: str) -> str:
    if code not in LANGUAGE_CODES:
        raise _invalid("language", _("Unknown language."))
    return code


def _audit_target(user: Any) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def _ensure_person(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()


# --- addresses ------------------------------------------------------------------------------------------


BAD_EMAIL = _("Enter an e-mail address in the format name@example.com.")
BAD_PHONE = _("Enter a Thai mobile number, for example 081 234 5678.")


def normalise_address(channel: str, address: str, *, field: str = "address") -> str:
    """An e-mail address trimmed and lower-cased, or a Thai mobile number as +66812345678, whichever
    way it was written; InvalidInput on `field` otherwise."""
    text = (address or "").replace("\x00", "").strip()
    if channel == EMAIL:
        text = text.lower()
        try:
            EmailValidator()(text)
        except ValidationError:
            raise _invalid(field, BAD_EMAIL) from None
        if len(text) > 254:
            raise _invalid(field, BAD_EMAIL)
        return text
    if channel == SMS:
        digits = PHONE_DECORATION.sub("", text)
        if digits.startswith("+66"):
            digits = digits[3:]
        elif digits.startswith("66") and len(digits) == 11:
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = digits[1:]
        else:
            raise _invalid(field, BAD_PHONE)
        digits = digits.removeprefix("0")  # +66 081... written with its leading zero
        if not THAI_MOBILE.fullmatch(digits):
            raise _invalid(field, BAD_PHONE)
        return f"+66{digits}"
    raise _invalid("channel", _("Choose e-mail or SMS."))


def masked_address(address: str) -> str:
    """Enough of an address for an audit entry or a page to say which one, not the whole of it."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{address[:3]}*****{address[-4:]}" if len(address) > 7 else "***"


# --- rendering ----------------------------------------------------------------------------------------


def template_texts(kind: str, language: str) -> dict[str, tuple[str, str]]:
    """(subject, body) of each channel of `kind` in `language`: the stored template, else the default."""
    texts = dict(
        (channel, defaults.default_text(kind, channel, language)) for channel in KINDS[kind].channels
    )
    for template in Template.objects.filter(kind=kind, language=language):
        if template.channel in texts:
            texts[template.channel] = (template.subject, template.body)
    return texts


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def _rendered(
    kind: Kind, channel: str, language: str, texts: Mapping[str, tuple[str, str]], values: Mapping[str, str]
) -> tuple[str, str]:
    subject, body = texts[channel]
    try:
        return _one_line(templating.render(subject, values), SUBJECT_MAX_LENGTH), templating.render(
            body, values
        )
    except KeyError:
        # A stored template naming a placeholder its kind no longer provides: the default still works.
        logger.error(
            "template %s/%s/%s names an unknown placeholder; using the default", kind.code, channel, language
        )
        subject, body = defaults.default_text(kind.code, channel, language)
        return _one_line(templating.render(subject, values), SUBJECT_MAX_LENGTH), templating.render(
            body, values
        )


def _value_in(value: Any, language: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        chosen = value.get(language) or value.get("th") or next(iter(value.values()), "")
        return str(chosen)
    raise ValueError(f"a context value must be a text or a {{'th', 'en'}} mapping, not {value!r}")


def _values(kind: Kind, context: Mapping[str, Any], language: str, link: str) -> dict[str, str]:
    values = {name: _value_in(value, language) for name, value in context.items()}
    values["domain"] = settings.PRACHA_OFFICIAL_DOMAIN
    values["link"] = f"{settings.PRACHA_SITE_URL}{link}"
    return values


def _check_context(kind: Kind, context: Mapping[str, Any]) -> None:
    expected = kind.placeholders - {"domain", "link"}
    missing, unknown = expected - set(context), set(context) - expected
    if missing or unknown:
        raise ValueError(
            f"the context of {kind.code} must give exactly {sorted(expected)}: "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )


def language_of(user: Any) -> str:
    """The language a person reads their messages in (Thai unless they chose otherwise)."""
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    return language or "th"


def sms_enabled() -> bool:
    return bool(settings.PRACHA_SMS_GATEWAY_URL)


def _enqueue_send(message_id: int) -> None:
    """Send the message once the transaction that made it commits. A lost enqueue only delays it: the
    sweeper (send_due_messages) sends every queued message that is due."""

    def enqueue() -> None:
        from pracha.notifications.tasks import send_message

        try:
            send_message.enqueue(message_id)
        except Exception:
            logger.exception("could not enqueue message %s; send_due_messages will send it", message_id)

    transaction.on_commit(enqueue)


def _enqueue_callback(message_id: int) -> None:
    def enqueue() -> None:
        from pracha.notifications.tasks import send_callback

        try:
            send_callback.enqueue(message_id)
        except Exception:
            logger.exception("could not enqueue the callback of message %s; the sweeper will", message_id)

    transaction.on_commit(enqueue)


def _message_create(*, dedupe_key: str, channel: str, **fields: Any) -> tuple[Message, bool]:
    """A new message, or, with a dedupe_key, the one already made for it on this channel (even by a
    concurrent transaction: the unique constraint decides, inside a savepoint)."""
    if not dedupe_key:
        return Message.objects.create(channel=channel, **fields), True
    existing = Message.objects.filter(dedupe_key=dedupe_key, channel=channel).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Message.objects.create(dedupe_key=dedupe_key, channel=channel, **fields), True
    except IntegrityError:
        existing = Message.objects.filter(dedupe_key=dedupe_key, channel=channel).first()
        if existing is None:
            raise
        return existing, False


def _addresses(recipient: Any, kind: Kind) -> dict[str, str]:
    """The confirmed address of each channel this person gets this kind of message on."""
    contacts = dict(
        Contact.objects.filter(user=recipient).exclude(address="").values_list("channel", "address")
    )
    turned_off: set[str] = set()
    if not kind.legal:
        turned_off = set(
            Preference.objects.filter(user=recipient, kind=kind.code, enabled=False).values_list(
                "channel", flat=True
            )
        )
    addresses: dict[str, str] = {}
    for channel in CHOSEN_CHANNELS:
        if channel not in kind.channels or channel in turned_off or not contacts.get(channel):
            continue
        if channel == SMS and not sms_enabled():
            continue
        addresses[channel] = contacts[channel]
    return addresses


# --- making messages ----------------------------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    kind: str,
    recipient: Any,
    agency_code: str,
    context: Mapping[str, str | Mapping[str, str]],
    link: str = "",
    dedupe_key: str = "",
) -> list[Message]:
    """Tell one person about something: an in-app message (delivered at once) and, where they have a
    confirmed address and have not turned the channel off for this kind (legal notices ignore that),
    an e-mail and an SMS, queued and sent once the caller's transaction commits. Missing or unknown
    context values are a programming error (ValueError)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown kind of message {kind!r}")
    if recipient is None or getattr(recipient, "pk", None) is None:
        raise ValueError("notify needs a saved person as recipient")
    _check_context(spec, context)
    if len(link) > LINK_MAX_LENGTH or len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValueError("link or dedupe_key too long")
    language = language_of(recipient)
    values = _values(spec, context, language, link)
    texts = template_texts(kind, language)
    targets: list[tuple[str, str]] = [(INAPP, "")] if INAPP in spec.channels else []
    targets += list(_addresses(recipient, spec).items())
    now = timezone.now()
    messages = []
    for channel, address in targets:
        subject, body = _rendered(spec, channel, language, texts, values)
        inapp = channel == INAPP
        message, created = _message_create(
            dedupe_key=dedupe_key,
            channel=channel,
            kind=kind,
            recipient=recipient,
            address=address,
            language=language,
            subject=subject,
            body=body,
            link=link,
            agency_code=agency_code,
            status=Status.DELIVERED if inapp else Status.QUEUED,
            sent_at=now if inapp else None,
            delivered_at=now if inapp else None,
            next_attempt_at=None if inapp else now,
        )
        if created and not inapp:
            _enqueue_send(message.pk)
        messages.append(message)
    return messages


TOPIC_LABELS = {
    "agency": {"th": "ข่าวจากหน่วยงาน %(code)s", "en": "news from agency %(code)s"},
    "life-event": {"th": "เหตุการณ์ในชีวิต %(code)s", "en": "life event %(code)s"},
    "complaints": {
        "th": "เรื่องร้องเรียน %(code)s ในเขต %(district)s",
        "en": "complaints about %(code)s in district %(district)s",
    },
}


def topic_label(topic: str) -> dict[str, str]:
    """How a topic reads in each language, for the ((topic)) placeholder and the preferences page."""
    family, _sep, rest = topic.partition(":")
    code, _sep, district = rest.partition(":")
    labels = TOPIC_LABELS.get(family)
    if labels is None:
        return {"th": topic, "en": topic}
    return {language: text % {"code": code, "district": district} for language, text in labels.items()}


def _topic(topic: str) -> str:
    topic = (topic or "").strip()
    if len(topic) > TOPIC_MAX_LENGTH or not TOPIC.fullmatch(topic):
        raise _invalid(
            "topic",
            _(
                'A topic is "agency:<code>", "life-event:<code>" or "complaints:<category>:<district>", '
                "written in lower-case letters, digits and hyphens."
            ),
        )
    return topic


@transaction.atomic
def topic_publish(
    *,
    topic: str,
    agency_code: str,
    title: str | Mapping[str, str],
    link: str = "",
    dedupe_key: str,
    topic_name: str | Mapping[str, str] | None = None,
) -> int:
    """News on a topic, to everyone who follows it (kind topic_announcement); how many people. The same
    dedupe_key again tells nobody twice. The publisher names the topic (an agency's name, which this
    app does not know); without a name, the topic reads as its code."""
    topic = _topic(topic)
    if not dedupe_key:
        raise ValueError("topic_publish needs a dedupe_key")
    people = 0
    subscriptions = Subscription.objects.filter(topic=topic).select_related("user").order_by("pk")
    for subscription in subscriptions.iterator():
        notify(
            kind="topic_announcement",
            recipient=subscription.user,
            agency_code=agency_code,
            context={"topic": topic_name or topic_label(topic), "title": title},
            link=link,
            dedupe_key=f"{dedupe_key}:{subscription.user_id}"[:DEDUPE_KEY_MAX_LENGTH],
        )
        people += 1
    return people


# --- the inbox ----------------------------------------------------------------------------------------


@transaction.atomic
def message_mark_read(*, actor: Any, message: Message) -> Message:
    """The recipient marks one of their in-app messages read; anyone else gets NotFound. Reading it
    again changes nothing."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    locked = Message.objects.select_for_update().filter(pk=message.pk, recipient=actor, channel=INAPP).first()
    if locked is None:
        raise NotFound()
    if locked.read_at is None:
        locked.read_at = timezone.now()
        locked.save(update_fields=["read_at", "updated_at"])
        audit.record(actor=actor, action="notifications.message_read", target=locked, payload={})
    return locked


@transaction.atomic
def messages_mark_all_read(*, actor: Any) -> int:
    """Every unread in-app message of the person marked read; how many."""
    _ensure_person(actor)
    count = Message.objects.filter(recipient=actor, channel=INAPP, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )
    if count:
        audit.record(
            actor=actor,
            action="notifications.messages_read_all",
            target=_audit_target(actor),
            payload={"count": count},
        )
    return count


# --- preferences, contacts, subscriptions ------------------------------------------------------------


@transaction.atomic
def preferences_save(*, actor: Any, language: str, enabled: Mapping[tuple[str, str], bool]) -> None:
    """The person's language for messages, and the channels they want each kind of message on. A legal
    notice cannot be turned off; the in-app inbox always keeps everything."""
    _ensure_person(actor)
    language = _language(language)
    for (kind_code, channel), on in enabled.items():
        kind = KINDS.get(kind_code)
        if (
            kind is None
            or not kind.preference
            or channel not in CHOSEN_CHANNELS
            or channel not in kind.channels
        ):
            raise _invalid("preferences", _("Unknown kind of message or channel."))
        if kind.legal and not on:
            raise _invalid(
                "preferences",
                _("“%(kind)s” is a legal notice: it is always sent and cannot be turned off.")
                % {"kind": kind.label},
            )
    Profile.objects.update_or_create(user=actor, defaults={"language": language})
    for (kind_code, channel), on in enabled.items():
        if KINDS[kind_code].legal:
            continue
        Preference.objects.update_or_create(
            user=actor, kind=kind_code, channel=channel, defaults={"enabled": bool(on)}
        )
    turned_off = sorted(
        f"{kind}/{channel}"
        for kind, channel in Preference.objects.filter(user=actor, enabled=False).values_list(
            "kind", "channel"
        )
    )
    audit.record(
        actor=actor,
        action="notifications.preferences",
        target=_audit_target(actor),
        payload={"language": language, "off": turned_off},
    )


def _code_hash(contact: Contact, address: str, code: str) -> str:
    """The stored form of a one-time code: an HMAC under the site's secret key, bound to the contact and
    the address waiting for it, so neither the database alone nor another address can use it."""
    message = f"{contact.pk}:{contact.channel}:{address}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


TOO_MANY_CODES = _("You have asked for too many codes. Please wait an hour and try again.")


def _verification_message(*, actor: Any, channel: str, address: str, code: str) -> Message:
    kind = KINDS["contact_verification"]
    language = language_of(actor)
    minutes = str(settings.PRACHA_NOTIFY_CODE_MINUTES)
    values = {"code": code, "minutes": minutes, "domain": settings.PRACHA_OFFICIAL_DOMAIN}
    subject, body = _rendered(kind, channel, language, template_texts(kind.code, language), values)
    message = Message.objects.create(
        kind=kind.code,
        channel=channel,
        recipient=actor,
        address=address,
        language=language,
        subject=subject,
        body=body,
        agency_code="",
        status=Status.QUEUED,
        next_attempt_at=timezone.now(),
    )
    _enqueue_send(message.pk)
    return message


@transaction.atomic
def contact_code_send(*, actor: Any, channel: str, address: str) -> Contact:
    """Send a one-time code to an address the person wants to use; it becomes theirs once they type
    the code back (contact_code_confirm). At most PRACHA_NOTIFY_CODES_PER_HOUR codes an hour per person
    and per address."""
    _ensure_person(actor)
    if channel not in CHOSEN_CHANNELS:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    if channel == SMS and not sms_enabled():
        raise _invalid("channel", _("SMS messages are not available at the moment."))
    address = normalise_address(channel, address)
    limit = settings.PRACHA_NOTIFY_CODES_PER_HOUR
    if not ratelimit.hit(f"notify-code:person:{actor.pk}", limit=limit, window_seconds=3600):
        raise RateLimited(TOO_MANY_CODES)
    if not ratelimit.hit(f"notify-code:{channel}:{address}", limit=limit, window_seconds=3600):
        raise RateLimited(TOO_MANY_CODES)
    contact, _created = Contact.objects.select_for_update().get_or_create(user=actor, channel=channel)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    contact.pending_address = address
    contact.code_hash = _code_hash(contact, address, code)
    contact.code_expires_at = timezone.now() + datetime.timedelta(minutes=settings.PRACHA_NOTIFY_CODE_MINUTES)
    contact.code_attempts = 0
    contact.save(
        update_fields=["pending_address", "code_hash", "code_expires_at", "code_attempts", "updated_at"]
    )
    _verification_message(actor=actor, channel=channel, address=address, code=code)
    audit.record(
        actor=actor,
        action="notifications.contact_code",
        target=_audit_target(actor),
        payload={"channel": channel, "address": masked_address(address)},
    )
    return contact


ASK_AGAIN = _("This code can no longer be used. Please ask for a new code.")
WRONG_CODE = _("That code is not right. Check the latest message we sent and try again.")
NO_CODE = _("Ask for a code first.")


def contact_code_confirm(*, actor: Any, channel: str, code: str) -> Contact:
    """The person types the code they received: the address becomes their confirmed one. A wrong code
    counts an attempt (kept even though the call fails); an expired code, or one tried
    PRACHA_NOTIFY_CODE_ATTEMPTS times, must be asked for again."""
    _ensure_person(actor)
    if channel not in CHOSEN_CHANNELS:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    given = re.sub(r"\s", "", code or "")
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(user=actor, channel=channel).first()
        if contact is None or not contact.pending_address or not contact.code_hash:
            raise _invalid("code", NO_CODE)
        now = timezone.now()
        if (
            contact.code_expires_at is None
            or contact.code_expires_at <= now
            or contact.code_attempts >= settings.PRACHA_NOTIFY_CODE_ATTEMPTS
        ):
            raise _invalid("code", ASK_AGAIN)
        expected = contact.code_hash
        if (
            given.isascii()
            and given.isdigit()
            and hmac.compare_digest(_code_hash(contact, contact.pending_address, given), expected)
        ):
            previous = contact.address
            contact.address = contact.pending_address
            contact.verified_at = now
            contact.pending_address = ""
            contact.code_hash = ""
            contact.code_expires_at = None
            contact.code_attempts = 0
            contact.save(
                update_fields=[
                    "address",
                    "verified_at",
                    "pending_address",
                    "code_hash",
                    "code_expires_at",
                    "code_attempts",
                    "updated_at",
                ]
            )
            audit.record(
                actor=actor,
                action="notifications.contact_confirm",
                target=_audit_target(actor),
                payload={
                    "channel": channel,
                    "address": masked_address(contact.address),
                    "replaced": masked_address(previous) if previous else "",
                },
            )
            return contact
        contact.code_attempts += 1
        contact.save(update_fields=["code_attempts", "updated_at"])
        audit.record(
            actor=actor,
            action="notifications.contact_code_wrong",
            target=_audit_target(actor),
            payload={"channel": channel, "attempts": contact.code_attempts},
        )
    # Raised after the attempt is committed (unless the caller's own transaction rolls back).
    raise _invalid("code", WRONG_CODE)


@transaction.atomic
def contact_confirmed(*, user: Any, channel: str, address: str) -> Contact:
    """An address a trusted source vouches for (an e-mail address allauth confirmed, the demo seed):
    confirmed without a code."""
    if channel not in CHOSEN_CHANNELS:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    address = normalise_address(channel, address)
    contact, _created = Contact.objects.select_for_update().get_or_create(user=user, channel=channel)
    if contact.address == address:
        return contact
    contact.address = address
    contact.verified_at = timezone.now()
    if contact.pending_address == address:
        contact.pending_address, contact.code_hash, contact.code_expires_at = "", "", None
        contact.code_attempts = 0
    contact.save(
        update_fields=[
            "address",
            "verified_at",
            "pending_address",
            "code_hash",
            "code_expires_at",
            "code_attempts",
            "updated_at",
        ]
    )
    audit.record(
        actor=None,
        action="notifications.contact_confirmed",
        target=_audit_target(user),
        payload={"channel": channel, "address": masked_address(address), "source": "trusted"},
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: Any, channel: str) -> None:
    """The person stops receiving messages on this channel (and forgets any code waiting)."""
    _ensure_person(actor)
    if channel not in CHOSEN_CHANNELS:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    contact = Contact.objects.select_for_update().filter(user=actor, channel=channel).first()
    if contact is None:
        return
    address = contact.address
    contact.delete()
    audit.record(
        actor=actor,
        action="notifications.contact_remove",
        target=_audit_target(actor),
        payload={"channel": channel, "address": masked_address(address) if address else ""},
    )


@transaction.atomic
def subscription_add(*, actor: Any, topic: str) -> Subscription:
    """Follow a topic; following it again changes nothing."""
    _ensure_person(actor)
    topic = _topic(topic)
    subscription, created = Subscription.objects.get_or_create(user=actor, topic=topic)
    if created:
        audit.record(
            actor=actor,
            action="notifications.subscribe",
            target=_audit_target(actor),
            payload={"topic": topic},
        )
    return subscription


@transaction.atomic
def subscription_remove(*, actor: Any, topic: str) -> None:
    _ensure_person(actor)
    topic = _topic(topic)
    deleted, _details = Subscription.objects.filter(user=actor, topic=topic).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="notifications.unsubscribe",
            target=_audit_target(actor),
            payload={"topic": topic},
        )


@transaction.atomic
def subscriptions_set(*, actor: Any, topics: Collection[str], offered: Collection[str]) -> None:
    """Follow exactly `topics` among the `offered` ones (a page's choices), all or nothing; topics the
    page did not offer are left as they are."""
    _ensure_person(actor)
    wanted = {_topic(topic) for topic in topics}
    offered_topics = {_topic(topic) for topic in offered} | wanted
    current = set(
        Subscription.objects.filter(user=actor, topic__in=offered_topics).values_list("topic", flat=True)
    )
    for topic in sorted(wanted - current):
        subscription_add(actor=actor, topic=topic)
    for topic in sorted(current - wanted):
        subscription_remove(actor=actor, topic=topic)


# --- templates ----------------------------------------------------------------------------------------


def _template_channel(kind: Kind, channel: str) -> str:
    if channel not in kind.channels:
        raise _invalid("channel", _("This kind of message is not sent on that channel."))
    return channel


def _clean_template_text(text: str) -> str:
    return (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def template_save(*, actor: Any, kind: str, channel: str, language: str, subject: str, body: str) -> Template:
    """Replace the text of one kind of message on one channel in one language, once it keeps the rules
    of templating.validate. The caller checks the officer may edit templates."""
    spec = _kind(kind)
    channel = _template_channel(spec, channel)
    language = _language(language)
    subject, body = _clean_template_text(subject), _clean_template_text(body)
    errors = templating.validate(kind=spec, channel=channel, language=language, subject=subject, body=body)
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors)
    template, _created = Template.objects.select_for_update().get_or_create(
        kind=kind, channel=channel, language=language, defaults={"subject": subject, "body": body}
    )
    template.subject, template.body = subject, body
    template.updated_by = actor if getattr(actor, "pk", None) is not None else None
    template.save(update_fields=["subject", "body", "updated_by", "updated_at"])
    audit.record(
        actor=actor,
        action="notifications.template_save",
        target=template,
        payload={"kind": kind, "channel": channel, "language": language, "subject": subject, "body": body},
    )
    return template


@transaction.atomic
def template_reset(*, actor: Any, kind: str, channel: str, language: str) -> None:
    """Back to the default text."""
    spec = _kind(kind)
    channel = _template_channel(spec, channel)
    language = _language(language)
    deleted, _details = Template.objects.filter(kind=kind, channel=channel, language=language).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="notifications.template_reset",
            target=None,
            payload={"kind": kind, "channel": channel, "language": language},
        )


# --- API keys and the send API -----------------------------------------------------------------------


def api_key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(
    *, actor: Any, agency_code: str, name: str, key_type: str, rate_limit_per_minute: int | None = None
) -> tuple[ApiKey, str]:
    """A new key for an agency's system, and its secret ("pracha_<type>_<prefix>_<secret>"), shown this
    once: only its SHA-256 is kept. The caller checks the officer's permission for the agency."""
    name = clean_text(name, field="name", limit=API_KEY_NAME_MAX_LENGTH, missing=_("Give the key a name."))
    if key_type not in ApiKey.Type.values:
        raise _invalid("key_type", _("Choose test, team or live."))
    if rate_limit_per_minute is None:
        rate = ApiKey._meta.get_field("rate_limit_per_minute").get_default()
    else:
        rate = rate_limit_per_minute
    if not isinstance(rate, int) or not 1 <= rate <= API_KEY_RATE_MAX:
        raise _invalid(
            "rate_limit_per_minute",
            _("Give a number of messages a minute from 1 to %(limit)s.") % {"limit": API_KEY_RATE_MAX},
        )
    prefix = secrets.token_hex(4)
    secret = f"pracha_{key_type}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        agency_code=agency_code,
        name=name,
        key_type=key_type,
        prefix=prefix,
        key_hash=api_key_hash(secret),
        rate_limit_per_minute=rate,
        created_by=actor if getattr(actor, "pk", None) is not None else None,
    )
    audit.record(
        actor=actor,
        action="notifications.api_key_create",
        target=api_key,
        payload={
            "agency": agency_code,
            "name": name,
            "key_type": key_type,
            "prefix": prefix,
            "rate_limit_per_minute": rate,
        },
    )
    return api_key, secret


@transaction.atomic
def api_key_revoke(*, actor: Any, api_key: ApiKey) -> ApiKey:
    """The key stops working at once; revoking it again changes nothing."""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=actor,
            action="notifications.api_key_revoke",
            target=api_key,
            payload={"agency": api_key.agency_code, "prefix": api_key.prefix},
        )
    return api_key


@transaction.atomic
def api_key_callback_set(*, actor: Any, api_key: ApiKey, url: str, token: str) -> ApiKey:
    """Where Pracha POSTs each message's final status, with `token` as its bearer token; "" clears it."""
    url = (url or "").strip()
    token = (token or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise _invalid("url", _("Enter a web address starting with https:// or http://.")) from None
        if len(url) > ApiKey._meta.get_field("callback_url").max_length:  # type: ignore[operator]
            raise _invalid("url", _("This web address is too long."))
        if not CALLBACK_TOKEN_MIN_LENGTH <= len(token) <= CALLBACK_TOKEN_MAX_LENGTH:
            raise _invalid(
                "token",
                _("Give a bearer token of %(min)s to %(max)s characters.")
                % {"min": CALLBACK_TOKEN_MIN_LENGTH, "max": CALLBACK_TOKEN_MAX_LENGTH},
            )
    else:
        token = ""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    api_key.callback_url, api_key.callback_token = url, token
    api_key.save(update_fields=["callback_url", "callback_token", "updated_at"])
    audit.record(
        actor=actor,
        action="notifications.api_key_callback",
        target=api_key,
        payload={"agency": api_key.agency_code, "prefix": api_key.prefix, "url": url},
    )
    return api_key


def _api_context(kind: Kind, context: Mapping[str, Any]) -> dict[str, str]:
    expected = kind.placeholders - {"domain", "link"}
    if not isinstance(context, Mapping):
        raise _invalid("context", _("Give the placeholders' values as named texts."))
    missing, unknown = sorted(expected - set(context)), sorted(set(context) - expected)
    if missing or unknown:
        problems = []
        if missing:
            problems.append(str(_("missing: %(names)s") % {"names": ", ".join(missing)}))
        if unknown:
            problems.append(str(_("not used by this kind: %(names)s") % {"names": ", ".join(unknown)}))
        raise _invalid(
            "context",
            _("The values must be exactly %(names)s (%(problems)s).")
            % {"names": ", ".join(sorted(expected)), "problems": "; ".join(problems)},
        )
    values: dict[str, str] = {}
    for name, value in context.items():
        if not isinstance(value, str):
            raise _invalid("context", _("The value of %(name)s must be a text.") % {"name": name})
        values[name] = clean_text(
            value, field="context", limit=API_VALUE_MAX_LENGTH, missing=_("Every value must be filled in.")
        )
    return values


@transaction.atomic
def api_message_send(
    *,
    api_key: ApiKey,
    channel: str,
    to: str,
    kind: str,
    language: str,
    context: Mapping[str, str],
    client_reference: str = "",
    team_member: bool = False,
) -> Message:
    """A message from an agency's system. A test key's message is accepted and marked delivered
    without being sent; a team key sends only to the agency's own staff (`team_member`, which the
    caller works out); a live key sends to anyone. The same client_reference again returns the first
    message. At most the key's rate_limit_per_minute messages a minute (RateLimited)."""
    if (
        api_key.revoked_at is not None
        or ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=False).exists()
    ):
        raise PermissionDenied(_("This key has been revoked."))
    spec = KINDS.get(kind)
    if spec is None or not spec.api:
        raise _invalid("kind", _("This kind of message cannot be sent through the API."))
    if channel not in CHOSEN_CHANNELS or channel not in spec.channels:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    if channel == SMS and not sms_enabled() and api_key.key_type != ApiKey.Type.TEST:
        raise _invalid("channel", _("SMS messages are not available at the moment."))
    language = _language(language)
    address = normalise_address(channel, to, field="to")
    values = _api_context(spec, context)
    client_reference = clean_text(
        client_reference, field="reference", limit=CLIENT_REFERENCE_MAX_LENGTH, missing="", required=False
    )
    if api_key.key_type == ApiKey.Type.TEAM and not team_member:
        raise PermissionDenied(_("A team key sends only to your agency's staff."))
    dedupe_key = f"api:{api_key.public_id}:{client_reference}" if client_reference else ""
    if client_reference:
        existing = Message.objects.filter(api_key=api_key, client_reference=client_reference).first()
        if existing is not None:
            return existing
    if not ratelimit.hit(f"notify-api:{api_key.pk}", limit=api_key.rate_limit_per_minute, window_seconds=60):
        raise RateLimited(
            _("This key may send %(limit)s messages a minute. Please wait a minute and try again.")
            % {"limit": api_key.rate_limit_per_minute}
        )
    values.update(domain=settings.PRACHA_OFFICIAL_DOMAIN, link=settings.PRACHA_SITE_URL)
    subject, body = _rendered(spec, channel, language, template_texts(kind, language), values)
    now = timezone.now()
    test = api_key.key_type == ApiKey.Type.TEST
    message, created = _message_create(
        dedupe_key=dedupe_key,
        channel=channel,
        kind=kind,
        recipient=selectors.user_for_address(channel=channel, address=address),
        address=address,
        language=language,
        subject=subject,
        body=body,
        agency_code=api_key.agency_code,
        status=Status.DELIVERED if test else Status.QUEUED,
        delivered_at=now if test else None,
        next_attempt_at=None if test else now,
        api_key=api_key,
        client_reference=client_reference,
    )
    if not created:
        return message
    if test:
        if _callback_mark_due(message, now):
            message.save(update_fields=["callback_due", "callback_attempts", "callback_next_at"])
    else:
        _enqueue_send(message.pk)
    audit.record(
        actor=None,
        action="notifications.api_send",
        target=message,
        payload={
            "key": api_key.prefix,
            "key_type": api_key.key_type,
            "agency": api_key.agency_code,
            "channel": channel,
            "kind": kind,
            "client_reference": client_reference,
        },
    )
    return message


# --- sending ------------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> int:
    """How long to wait after the attempts-th failed attempt: base, 2 x base, 4 x base... at most the cap."""
    return int(
        min(
            settings.PRACHA_NOTIFY_RETRY_CAP_SECONDS,
            settings.PRACHA_NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        )
    )


def _due() -> Q:
    now = timezone.now()
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)


def _within_rate_limits(message: Message) -> bool:
    """Count this attempt against the channel's and the sending agency's limits (messages a second);
    False when either is used up for this second."""
    per_channel = settings.PRACHA_NOTIFY_RATE_LIMITS.get(message.channel)
    if per_channel is not None and not ratelimit.hit(
        f"notify:{message.channel}", limit=per_channel, window_seconds=1
    ):
        return False
    per_agency = settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS.get(message.channel)
    return per_agency is None or ratelimit.hit(
        f"notify:{message.channel}:agency:{message.agency_code}", limit=per_agency, window_seconds=1
    )


def _next_second(now: datetime.datetime) -> datetime.datetime:
    return now.replace(microsecond=0) + datetime.timedelta(seconds=1)


@transaction.atomic
def _claim(message_id: int) -> Message | None:
    """Take a due message for one attempt (status sending, attempts + 1, a lease), or None: not due,
    held by another worker, or over a rate limit (then it waits, queued, for the next second)."""
    message = (
        Message.objects.select_for_update(skip_locked=True)
        .filter(pk=message_id, channel__in=CHOSEN_CHANNELS)
        .filter(_due())
        .first()
    )
    if message is None:
        return None
    now = timezone.now()
    if not _within_rate_limits(message):
        message.status = Status.QUEUED
        message.next_attempt_at = _next_second(now)
        message.claimed_until = None
        message.save(update_fields=["status", "next_attempt_at", "claimed_until", "updated_at"])
        return None
    message.status = Status.SENDING
    message.attempts += 1
    message.claimed_until = now + datetime.timedelta(seconds=settings.PRACHA_NOTIFY_LEASE_SECONDS)
    message.next_attempt_at = None
    message.save(update_fields=["status", "attempts", "claimed_until", "next_attempt_at", "updated_at"])
    return message


def sms_receipts_url() -> str:
    return f"{settings.PRACHA_SITE_URL}{SMS_RECEIPTS_PATH}"


def _deliver(message: Message) -> str:
    """Send it; the gateway's ID of an SMS ("" for an e-mail). Raises gateways.DeliveryFailure."""
    if message.channel == EMAIL:
        gateways.email_send(
            to=message.address,
            subject=message.subject,
            body=message.body,
            message_id=gateways.email_message_id(message.public_id),
        )
        return ""
    accepted = gateways.sms_gateway().send(
        to=message.address,
        text=message.body,
        sender=settings.PRACHA_SMS_SENDER,
        reference=str(message.public_id),
        callback_url=sms_receipts_url(),
    )
    return accepted.id


def _redact(message: Message) -> None:
    """A one-time code is not kept once its message has left: only the code's hash stays (on Contact)."""
    kind = KINDS.get(message.kind)
    if kind is not None and "code" in kind.placeholders:
        message.body = re.sub(rf"\d{{{CODE_DIGITS}}}", REDACTED_CODE, message.body)


def _callback_mark_due(message: Message, now: datetime.datetime) -> bool:
    """When the message was sent with a key that has a callback URL, its (final) status is to be POSTed
    there, once the caller's transaction commits. True when so (the caller saves the callback fields)."""
    if message.api_key_id is None:
        return False
    api_key = ApiKey.objects.filter(pk=message.api_key_id).only("callback_url").first()
    if api_key is None or not api_key.callback_url:
        return False
    message.callback_due = True
    message.callback_attempts = 0
    message.callback_next_at = now
    _enqueue_callback(message.pk)
    return True


FINAL_FIELDS = [
    "status",
    "sent_at",
    "delivered_at",
    "failed_at",
    "last_error",
    "provider_reference",
    "claimed_until",
    "next_attempt_at",
    "body",
    "callback_due",
    "callback_attempts",
    "callback_next_at",
    "updated_at",
]


@transaction.atomic
def _attempt_succeeded(message_id: int, provider_reference: str) -> str:
    """The other side accepted it: sent (an e-mail's final status; an SMS waits for its receipt). An
    accepted send is a fact even if this worker's lease ran out meanwhile."""
    message = Message.objects.select_for_update().get(pk=message_id)
    now = timezone.now()
    if message.status in (Status.SENT, Status.DELIVERED, Status.PERMANENTLY_FAILED):
        # Another attempt, or the SMS's receipt, got there first.
        if provider_reference and not message.provider_reference:
            message.provider_reference = provider_reference
            message.sent_at = message.sent_at or now
            message.save(update_fields=["provider_reference", "sent_at", "updated_at"])
        return str(message.status)
    message.status = Status.SENT
    message.sent_at = now
    message.provider_reference = provider_reference or message.provider_reference
    message.claimed_until = None
    message.next_attempt_at = None
    _redact(message)
    if message.channel == EMAIL:
        _callback_mark_due(message, now)
    message.save(update_fields=FINAL_FIELDS)
    return str(message.status)


@transaction.atomic
def _attempt_failed(message_id: int, attempt: int, error: Exception, *, permanent: bool) -> str:
    """Count a failed attempt, unless the message is no longer this attempt's (another worker took it
    over after the lease ran out, or it was sent meanwhile): then that one's outcome counts."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != Status.SENDING or message.attempts != attempt:
        return str(message.status)
    now = timezone.now()
    message.last_error = str(error)[:ERROR_MAX_LENGTH] or type(error).__name__
    message.claimed_until = None
    if permanent:
        message.status = Status.PERMANENTLY_FAILED
        message.failed_at = now
        message.next_attempt_at = None
        logger.warning("message %s permanently failed: %s", message.public_id, message.last_error)
    elif message.attempts >= settings.PRACHA_NOTIFY_ATTEMPTS:
        message.status = Status.FAILED
        message.failed_at = now
        message.next_attempt_at = None
        logger.error(
            "message %s (%s) failed %s times and has stopped: %s",
            message.public_id,
            message.channel,
            message.attempts,
            message.last_error,
        )
    else:
        message.status = Status.QUEUED
        message.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(message.attempts))
        logger.warning(
            "message %s attempt %s failed, next at %s: %s",
            message.public_id,
            message.attempts,
            message.next_attempt_at.isoformat(),
            message.last_error,
        )
    if message.status in FINAL:
        _redact(message)
        _callback_mark_due(message, now)
    message.save(update_fields=FINAL_FIELDS)
    return str(message.status)


def message_send(*, message_id: int) -> str:
    """One attempt at sending a queued e-mail or SMS that is due (or whose worker died holding it);
    the message's status afterwards. Nothing is sent when it is not due, another worker holds it, or a
    rate limit is reached (it stays queued for the next second)."""
    message = _claim(message_id)
    if message is None:
        status = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return str(status or "")
    try:
        provider_reference = _deliver(message)
    except gateways.PermanentFailure as error:
        return _attempt_failed(message.pk, message.attempts, error, permanent=True)
    except gateways.TemporaryFailure as error:
        return _attempt_failed(message.pk, message.attempts, error, permanent=False)
    except Exception as error:
        # A fault of ours or of an adapter: logged in full, retried like a temporary failure.
        logger.exception("sending message %s failed unexpectedly", message.public_id)
        return _attempt_failed(
            message.pk,
            message.attempts,
            gateways.TemporaryFailure(f"{type(error).__name__}: {error}"),
            permanent=False,
        )
    return _attempt_succeeded(message.pk, provider_reference)


def _ids(queryset: Any, limit: int) -> list[int]:
    return list(queryset.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def messages_send_due() -> int:
    """Send the messages that are due, oldest first, at most SEND_BATCH a run: retries, messages whose
    task was lost or rate-limited, and those whose worker died. How many were sent."""
    sent = 0
    for message_id in _ids(Message.objects.filter(_due(), channel__in=CHOSEN_CHANNELS), SEND_BATCH):
        if message_send(message_id=message_id) in (Status.SENT, Status.DELIVERED):
            sent += 1
    return sent


# --- SMS delivery receipts ----------------------------------------------------------------------------


@transaction.atomic
def sms_receipt_record(
    *, provider_reference: str, status: str, at: datetime.datetime | None = None, reference: str = ""
) -> Message | None:
    """The gateway's word on an SMS: "delivered" or "undeliverable" (a permanent failure). Found by the
    gateway's ID, or by our reference (the message's public ID) when the receipt came before the
    sending worker recorded the ID. None for a message we do not know (logged). A receipt for a message
    that already has its final status changes nothing."""
    if status not in ("delivered", "undeliverable"):
        raise ValueError(f"unknown receipt status {status!r}")
    messages = Message.objects.select_for_update().filter(channel=SMS)
    message = messages.filter(provider_reference=provider_reference).first() if provider_reference else None
    if message is None and reference:
        try:
            message = messages.filter(public_id=uuid.UUID(reference)).first()
        except ValueError:
            message = None
    if message is None:
        logger.warning(
            "SMS receipt for an unknown message: id %r, reference %r", provider_reference, reference
        )
        return None
    if message.status in (Status.DELIVERED, Status.PERMANENTLY_FAILED):
        return message
    now = timezone.now()
    when = at or now
    if status == "delivered":
        message.status = Status.DELIVERED
        message.delivered_at = when
        message.sent_at = message.sent_at or when
    else:
        message.status = Status.PERMANENTLY_FAILED
        message.failed_at = when
        message.last_error = "the SMS gateway reported the message undeliverable"
    message.provider_reference = message.provider_reference or provider_reference
    message.claimed_until = None
    message.next_attempt_at = None
    _redact(message)
    _callback_mark_due(message, now)
    message.save(update_fields=FINAL_FIELDS)
    return message


# --- delivery callbacks to agencies' systems ----------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def callback_payload(message: Message) -> dict[str, Any]:
    completed = message.delivered_at or message.failed_at
    if completed is None and message.channel == EMAIL and message.status == Status.SENT:
        completed = message.sent_at
    return {
        "id": str(message.public_id),
        "reference": message.client_reference,
        "to": message.address,
        "channel": message.channel,
        "status": message.status,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
        "completed_at": _iso(completed),
    }


@transaction.atomic
def _callback_claim(message_id: int) -> Message | None:
    now = timezone.now()
    message = (
        Message.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=message_id, callback_due=True, callback_next_at__lte=now)
        .select_related("api_key")
        .first()
    )
    if message is None:
        return None
    message.callback_attempts += 1
    message.callback_next_at = now + datetime.timedelta(seconds=settings.PRACHA_NOTIFY_LEASE_SECONDS)
    message.save(update_fields=["callback_attempts", "callback_next_at", "updated_at"])
    return message


@transaction.atomic
def _callback_outcome(message_id: int, attempt: int, error: Exception | None) -> bool:
    message = Message.objects.select_for_update().get(pk=message_id)
    if not message.callback_due or message.callback_attempts != attempt:
        return error is None
    if error is None or message.callback_attempts >= CALLBACK_ATTEMPTS:
        if error is not None:
            logger.error(
                "the callback of message %s failed %s times and has stopped: %s",
                message.public_id,
                message.callback_attempts,
                error,
            )
        message.callback_due = False
        message.callback_next_at = None
    else:
        message.callback_next_at = timezone.now() + datetime.timedelta(
            seconds=backoff_seconds(message.callback_attempts)
        )
    message.save(update_fields=["callback_due", "callback_next_at", "updated_at"])
    return error is None


def callback_send(*, message_id: int) -> bool:
    """POST the message's final status to its key's callback URL; True once the agency's system
    answered 2xx. A failure retries with the same backoff as messages, at most CALLBACK_ATTEMPTS times."""
    message = _callback_claim(message_id)
    if message is None:
        return False
    api_key = message.api_key
    error: Exception | None = None
    if api_key is None or not api_key.callback_url:
        # The URL was cleared meanwhile: nothing to report to.
        _callback_outcome(message.pk, message.callback_attempts, None)
        return False
    try:
        gateways.callback_post(
            url=api_key.callback_url, token=api_key.callback_token, payload=callback_payload(message)
        )
    except Exception as failure:
        logger.warning("callback of message %s failed: %s", message.public_id, failure)
        error = failure
    return _callback_outcome(message.pk, message.callback_attempts, error)


def callbacks_send_due() -> int:
    """Send the callbacks that are due (retries, and any whose task was lost); how many succeeded."""
    due = Message.objects.filter(callback_due=True, callback_next_at__lte=timezone.now())
    return sum(1 for message_id in _ids(due, SEND_BATCH) if callback_send(message_id=message_id))
