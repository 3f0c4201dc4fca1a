"""Every change to messages and to what people receive: making messages (notify, topics, the send API),
sending them in the background with retries and rate limits, delivery receipts and callbacks, and each
person's preferences, confirmed contacts and subscriptions; templates and API keys for officers.

Sending follows the same claim/lease pattern as signing documents. An attempt claims a message in a
short transaction (status sending, attempts + 1, claimed_until = now + lease), sends outside any
transaction, and records the outcome in another short one. A worker that dies while holding a message
leaves it "sending" with a lease that runs out; the sweeper (messages_send_due, every few seconds) then
takes it over (up to PRACHA_NOTIFY_ATTEMPTS attempts: a worker dying on the last one fails the
message). A message is never lost; an SMS is never sent twice, because the gateway sends a
reference (the message's public ID) only once; an e-mail re-sent after a crash inside the SMTP
conversation keeps its Message-ID, so it is recognisably the same e-mail.

The sweeper serves every sending agency in turn within the rate limits (messages a second per channel
and per agency), keeps going for a few seconds so a surge drains at those rates, and leaves a channel
whose attempts keep failing for the rest of its run (messages_send_due).
"""

import collections
import contextlib
import datetime
import enum
import hashlib
import hmac
import logging
import re
import secrets
import time
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pracha.audit import public as audit
from pracha.core import ratelimit
from pracha.core.errors import InvalidInput, NotFound, PermissionDenied, RateLimited
from pracha.core.text import clean_text
from pracha.notifications import defaults, gateways, selectors, templating
from pracha.notifications.addresses import masked_address, normalise_address, without_address
from pracha.notifications.kinds import EMAIL, INAPP, KINDS, SMS, Kind
from pracha.notifications.models import ApiKey, Contact, Message, Preference, Profile, Subscription, Template

# sms_enabled, normalise_address and masked_address are also used through this module (views, tests).
from pracha.notifications.selectors import api_key_hash, language_for, sms_enabled
from pracha.notifications.sms import sms_length

logger = logging.getLogger(__name__)
# sms_enabled (selectors), normalise_address and masked_address (addresses) are also used through this
# module by the views and the tests.

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
# A topic's key gets ":<person's id>" added for each follower; the id is at most 19 digits.
TOPIC_DEDUPE_KEY_MAX_LENGTH = DEDUPE_KEY_MAX_LENGTH - 20
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


def _invalid(field: str, message: Any) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _kind(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise _invalid("kind", _("Unknown kind of message."))
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
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        # ((link)) is PRACHA_SITE_URL + link: only a path on this site, never another host.
        raise ValueError(f"a message's link must be a path on this site starting with one /, not {link!r}")
    language = language_for(user=recipient)
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
    "agency": _("news from agency %(code)s"),
    "life-event": _("life event %(code)s"),
    "complaints": _("complaints about %(code)s in district %(district)s"),
}


def topic_label(topic: str) -> dict[str, str]:
    """How a topic reads in each language, for the ((topic)) placeholder and the preferences page."""
    family, _sep, rest = topic.partition(":")
    code, _sep, district = rest.partition(":")
    label = TOPIC_LABELS.get(family)
    labels = {}
    for language in LANGUAGE_CODES:
        if label is None:
            labels[language] = topic
            continue
        with translation.override(language):
            labels[language] = str(label) % {"code": code, "district": district}
    return labels


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
    if len(dedupe_key) > TOPIC_DEDUPE_KEY_MAX_LENGTH:
        raise ValueError("topic_publish's dedupe_key is too long")
    people = 0
    subscriptions = Subscription.objects.filter(topic=topic).select_related("user").order_by("pk")
    for subscription in subscriptions.iterator():
        notify(
            kind="topic_announcement",
            recipient=subscription.user,
            agency_code=agency_code,
            context={"topic": topic_name or topic_label(topic), "title": title},
            link=link,
            # Never cut: a key cut short would lose the person and tell only the first follower.
            dedupe_key=f"{dedupe_key}:{subscription.user_id}",
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


@transaction.atomic
def profile_language_set(*, user: Any, language: str) -> None:
    """The language a person's messages are written in, set by the platform rather than by the person
    (the demo seed, say): no actor in the audit log. People choose theirs with preferences_save."""
    language = _language(language)
    if user is None or getattr(user, "pk", None) is None:
        raise ValueError("profile_language_set needs a saved person")
    profile, created = Profile.objects.select_for_update().get_or_create(
        user=user, defaults={"language": language}
    )
    if not created:
        if profile.language == language:
            return
        profile.language = language
        profile.save(update_fields=["language", "updated_at"])
    audit.record(
        actor=None,
        action="notifications.profile_language",
        target=_audit_target(user),
        payload={"language": language, "source": "platform"},
    )


def _code_hash(contact: Contact, address: str, code: str) -> str:
    """The stored form of a one-time code: an HMAC under the site's secret key, bound to the contact and
    the address waiting for it, so neither the database alone nor another address can use it."""
    message = f"{contact.pk}:{contact.channel}:{address}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


TOO_MANY_CODES = _("You have asked for too many codes. Please wait an hour and try again.")


def _verification_message(*, actor: Any, channel: str, address: str, code: str) -> Message:
    kind = KINDS["contact_verification"]
    language = language_for(user=actor)
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


@contextlib.contextmanager
def _own_transaction(service: str) -> Iterator[None]:
    """A transaction that commits when the block ends, whatever the caller does next: the service must
    be called outside any transaction (Django's durable atomic block), so that a caller's rollback
    cannot undo what it records. RuntimeError otherwise. (A test's own wrapping transaction is allowed:
    Django knows it.)"""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(transaction.atomic(durable=True))
        except RuntimeError as error:
            raise RuntimeError(
                f"{service} must be called outside any transaction (in autocommit): it commits a wrong "
                "code's attempt before refusing it, and an outer transaction's rollback would undo that "
                "count and allow unlimited guessing."
            ) from error
        yield


def contact_code_confirm(*, actor: Any, channel: str, code: str) -> Contact:
    """The person types the code they received: the address becomes their confirmed one. A wrong code
    counts an attempt (committed before the refusal is raised: call this outside any transaction, or
    RuntimeError); an expired code, or one tried PRACHA_NOTIFY_CODE_ATTEMPTS times, must be asked for
    again."""
    _ensure_person(actor)
    if channel not in CHOSEN_CHANNELS:
        raise _invalid("channel", _("Choose e-mail or SMS."))
    given = re.sub(r"\s", "", code or "")
    with _own_transaction("contact_code_confirm"):
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
    # Raised after the attempt is committed.
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


@transaction.atomic
def api_key_create(
    *, actor: Any, agency_code: str, name: str, key_type: str, rate_limit_per_minute: int | None = None
) -> tuple[ApiKey, str]:
    """A new key for an agency's system, and its secret ("pracha_<type>_<prefix>_<secret>"), shown this
    once: only its SHA-256 is kept. The caller checks the officer's permission for the agency."""
    agency_code = (agency_code or "").strip()
    if not agency_code or len(agency_code) > ApiKey._meta.get_field("agency_code").max_length:  # type: ignore[operator]
        raise _invalid("agency", _("Choose the agency the key sends for."))
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


def _callback_url(url: str) -> str:
    """A callback URL Pracha may call, or InvalidInput on "url": https (http too in demo mode), and a host
    that does not resolve to a private, loopback or link-local address (gateways.callback_target,
    checked_addresses). A host that does not resolve yet is accepted: every callback checks again."""
    schemes = ["https", "http"] if settings.PRACHA_DEMO else ["https"]
    scheme_error = (
        _("Enter a web address starting with https:// or http://.")
        if settings.PRACHA_DEMO
        else _("Enter a web address starting with https://.")
    )
    try:
        URLValidator(schemes=schemes)(url)
        target = gateways.callback_target(url)
    except (ValidationError, gateways.CallbackRefused):
        raise _invalid("url", scheme_error) from None
    if len(url) > ApiKey._meta.get_field("callback_url").max_length:  # type: ignore[operator]
        raise _invalid("url", _("This web address is too long."))
    try:
        gateways.checked_addresses(target)
    except gateways.CallbackRefused:
        raise _invalid(
            "url",
            _(
                "This web address leads to a private or internal network. Give the public internet "
                "address of your system."
            ),
        ) from None
    except OSError:
        logger.info(
            "callback host %s does not resolve yet; it is checked again at every callback", target.host
        )
    return url


@transaction.atomic
def api_key_callback_set(*, actor: Any, api_key: ApiKey, url: str, token: str) -> ApiKey:
    """Where Pracha POSTs each message's final status, with `token` as its bearer token; "" clears it.
    Only https (http too in demo mode), and only to public internet addresses (unless
    PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE): InvalidInput on "url" otherwise."""
    url = (url or "").strip()
    token = (token or "").strip()
    if url:
        url = _callback_url(url)
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


# How a link may be written in a text (templating.LINK_MARKERS without the placeholder).
LINK_MARKERS = ("http", "www.")


def _sms_without_links(values: Mapping[str, str]) -> None:
    """An SMS from the platform never carries a link (people are taught that a link in an SMS is a
    fraud): InvalidInput on "context" naming the value that has one."""
    for name, value in sorted(values.items()):
        if any(marker in value.lower() for marker in LINK_MARKERS):
            raise _invalid(
                "context",
                _(
                    "The value of %(name)s contains a link (http or www.). SMS messages from the "
                    "platform never carry links: people are taught that a link in an SMS is a fraud."
                )
                % {"name": name},
            )


def _sms_short_enough(body: str) -> None:
    parts = sms_length(body).parts
    if parts > templating.SMS_MAX_PARTS:
        raise _invalid(
            "context",
            _("This SMS would take %(parts)s parts; at most %(limit)s are allowed. Shorten the values.")
            % {"parts": parts, "limit": templating.SMS_MAX_PARTS},
        )


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
    if channel == SMS:
        _sms_without_links(values)
    values.update(domain=settings.PRACHA_OFFICIAL_DOMAIN, link=settings.PRACHA_SITE_URL)
    subject, body = _rendered(spec, channel, language, template_texts(kind, language), values)
    if channel == SMS:
        _sms_short_enough(body)
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


def _code_expires_at(message: Message) -> datetime.datetime | None:
    """When the one-time code a message carries stops working (the message is no use after that), or
    None for a message without a code."""
    kind = KINDS.get(message.kind)
    if kind is None or "code" not in kind.placeholders:
        return None
    return message.created_at + datetime.timedelta(minutes=settings.PRACHA_NOTIFY_CODE_MINUTES)


class RateRefusal(enum.Enum):
    """Which rate limit kept a message back for this second."""

    AGENCY = "agency"
    CHANNEL = "channel"


def _rate_limits(channel: str, agency_code: str) -> list[tuple[RateRefusal, str, int]]:
    """The limits an attempt counts against (messages a second), the sending agency's first."""
    limits = []
    per_agency = settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS.get(channel)
    if per_agency is not None:
        limits.append((RateRefusal.AGENCY, f"notify:{channel}:agency:{agency_code}", per_agency))
    per_channel = settings.PRACHA_NOTIFY_RATE_LIMITS.get(channel)
    if per_channel is not None:
        limits.append((RateRefusal.CHANNEL, f"notify:{channel}", per_channel))
    return limits


def _rate_take(channel: str, agency_code: str) -> RateRefusal | None:
    """Count one attempt against the sending agency's and the channel's limits, or say which is used up
    for this second. Both are looked at before either is counted, so a message its agency may not send
    now takes none of the channel's slots from other agencies (two workers racing for a last slot may
    waste one; the limits still hold)."""
    limits = _rate_limits(channel, agency_code)
    for refusal, key, limit in limits:
        if ratelimit.hits(key, window_seconds=1) >= limit:
            return refusal
    for refusal, key, limit in limits:
        if not ratelimit.hit(key, limit=limit, window_seconds=1):
            return refusal
    return None


def _stop_reason(message: Message, now: datetime.datetime) -> str:
    """Why a due message must not be tried again, or "": its worker died holding it on the last attempt
    allowed, or the one-time code it carries has expired."""
    if message.status == Status.SENDING and message.attempts >= settings.PRACHA_NOTIFY_ATTEMPTS:
        return f"the worker sending it stopped during attempt {message.attempts}, the last one allowed" + (
            f" (before that: {message.last_error})" if message.last_error else ""
        )
    expires_at = _code_expires_at(message)
    if expires_at is not None and expires_at <= now:
        return "its one-time code expired before it could be sent"
    return ""


def _fail_now(message: Message, now: datetime.datetime, reason: str) -> None:
    """A due message that will never be sent: failed (a technical failure), on the officers' list."""
    message.status = Status.FAILED
    message.failed_at = now
    message.last_error = reason[:ERROR_MAX_LENGTH]
    message.claimed_until = None
    message.next_attempt_at = None
    _redact(message)
    _callback_mark_due(message, now)
    message.save(update_fields=FINAL_FIELDS)
    logger.error("message %s (%s) failed and has stopped: %s", message.public_id, message.channel, reason)


@transaction.atomic
def _take(message_id: int) -> Message | RateRefusal | None:
    """Take a due message for one attempt (status sending, attempts + 1, a lease); or the rate limit that
    keeps it back for this second (then nothing is written: it stays due, no attempt counted); or None:
    not due, held by another worker, or failed here and now because it must not be tried again."""
    message = (
        Message.objects.select_for_update(skip_locked=True)
        .filter(pk=message_id, channel__in=CHOSEN_CHANNELS)
        .filter(_due())
        .first()
    )
    if message is None:
        return None
    now = timezone.now()
    reason = _stop_reason(message, now)
    if reason:
        _fail_now(message, now, reason)
        return None
    refused = _rate_take(message.channel, message.agency_code)
    if refused is not None:
        return refused
    message.status = Status.SENDING
    message.attempts += 1
    message.claimed_until = now + datetime.timedelta(seconds=settings.PRACHA_NOTIFY_LEASE_SECONDS)
    message.next_attempt_at = None
    message.save(update_fields=["status", "attempts", "claimed_until", "next_attempt_at", "updated_at"])
    return message


def _claim(message_id: int) -> Message | None:
    """Take a due message for one attempt, or None (not due, held, over a rate limit, or stopped)."""
    taken = _take(message_id)
    return taken if isinstance(taken, Message) else None


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
            # Well inside the lease, so that no other worker takes the message over while it is sent.
            within_seconds=settings.PRACHA_NOTIFY_LEASE_SECONDS / 2,
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


def _error_text(message: Message, error: Exception) -> str:
    """What an officer's list shows of a failure: the other side's words, with the address masked (an
    SMTP server or a gateway often repeats it)."""
    text = without_address(str(error), message.address) or type(error).__name__
    return text[:ERROR_MAX_LENGTH]


@transaction.atomic
def _attempt_failed(message_id: int, attempt: int, error: Exception, *, permanent: bool) -> str:
    """Count a failed attempt, unless the message is no longer this attempt's (another worker took it
    over after the lease ran out, or it was sent meanwhile): then that one's outcome counts."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != Status.SENDING or message.attempts != attempt:
        return str(message.status)
    now = timezone.now()
    message.last_error = _error_text(message, error)
    message.claimed_until = None
    retry_at = now + datetime.timedelta(seconds=backoff_seconds(message.attempts))
    code_expires_at = _code_expires_at(message)
    if permanent:
        message.status = Status.PERMANENTLY_FAILED
        message.failed_at = now
        message.next_attempt_at = None
        logger.warning("message %s permanently failed: %s", message.public_id, message.last_error)
    elif message.attempts >= settings.PRACHA_NOTIFY_ATTEMPTS or (
        code_expires_at is not None and retry_at >= code_expires_at
    ):
        if message.attempts < settings.PRACHA_NOTIFY_ATTEMPTS:
            # A code must never arrive after it expired: no attempt after that.
            message.last_error = (f"{message.last_error}; its one-time code expires before another attempt")[
                :ERROR_MAX_LENGTH
            ]
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
        message.next_attempt_at = retry_at
        logger.warning(
            "message %s attempt %s failed, next at %s: %s",
            message.public_id,
            message.attempts,
            retry_at.isoformat(),
            message.last_error,
        )
    if message.status in FINAL:
        _redact(message)
        _callback_mark_due(message, now)
    message.save(update_fields=FINAL_FIELDS)
    return str(message.status)


@dataclass(frozen=True)
class _Attempt:
    """What came of trying to send one message."""

    status: str  # the message's status afterwards ("" if there is no such message)
    attempted: bool = False  # it was handed to the SMTP server or the SMS gateway
    temporary_failure: bool = False
    refused: RateRefusal | None = None  # kept back by this rate limit for this second


def _attempt(message_id: int) -> _Attempt:
    taken = _take(message_id)
    if not isinstance(taken, Message):
        status = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return _Attempt(status=str(status or ""), refused=taken)
    message = taken
    try:
        provider_reference = _deliver(message)
    except gateways.PermanentFailure as error:
        status = _attempt_failed(message.pk, message.attempts, error, permanent=True)
        return _Attempt(status=status, attempted=True)
    except gateways.TemporaryFailure as error:
        status = _attempt_failed(message.pk, message.attempts, error, permanent=False)
        return _Attempt(status=status, attempted=True, temporary_failure=True)
    except Exception as error:
        # A fault of ours or of an adapter: logged in full, retried like a temporary failure.
        logger.exception("sending message %s failed unexpectedly", message.public_id)
        failure = gateways.TemporaryFailure(f"{type(error).__name__}: {error}")
        status = _attempt_failed(message.pk, message.attempts, failure, permanent=False)
        return _Attempt(status=status, attempted=True, temporary_failure=True)
    return _Attempt(status=_attempt_succeeded(message.pk, provider_reference), attempted=True)


def message_send(*, message_id: int) -> str:
    """One attempt at sending a queued e-mail or SMS that is due (or whose worker died holding it);
    the message's status afterwards. Nothing is sent when it is not due, another worker holds it, or a
    rate limit is used up for this second (it stays due, untouched, for the sweeper)."""
    return _attempt(message_id).status


# A channel whose attempts fail temporarily this many times in a row (the SMTP server or the gateway
# down, or so slow it times out) is left alone for the rest of the sweep: the worker moves on.
TEMPORARY_FAILURES_TO_PAUSE = 3


def _due_in_turn(channels: Collection[str]) -> list[tuple[int, str, str]]:
    """(id, channel, agency) of due messages on `channels`, at most SEND_BATCH, taken in turns: the
    oldest message of every (channel, agency) first, then the second oldest of each, and so on, so that
    every agency with messages waiting is served however many another one has queued."""
    turns = (
        Message.objects.filter(_due(), channel__in=list(channels))
        .annotate(
            turn=Window(
                RowNumber(),
                partition_by=[F("channel"), F("agency_code")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            )
        )
        .filter(turn__lte=SEND_BATCH)
        .order_by("turn", "created_at", "pk")
        .values_list("pk", "channel", "agency_code")
    )
    return list(turns[:SEND_BATCH])


def messages_send_due(*, seconds: float | None = None) -> int:
    """Send the messages that are due, in turns per (channel, agency): retries, messages whose task was
    lost or that a rate limit kept back, and those whose worker died. How many were sent.

    It keeps going for `seconds` (settings.PRACHA_NOTIFY_SWEEP_SECONDS, 4.5: the sweeper runs every 5)
    in passes of at most SEND_BATCH: a (channel, agency) whose limit is used up for this second is
    skipped until the next second, and when every one waiting is, the sweep sleeps until the next
    second, so a surge drains at the configured rates. It starts no new attempt once its time is up,
    and leaves a channel alone for the rest of the sweep after TEMPORARY_FAILURES_TO_PAUSE temporary
    failures in a row. With 0 seconds it makes one pass over what is due without waiting (the tests)."""
    budget = settings.PRACHA_NOTIFY_SWEEP_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + budget
    paused: set[str] = set()
    failures_in_a_row: collections.Counter[str] = collections.Counter()
    second = int(time.time())
    full_pairs: set[tuple[str, str]] = set()
    full_channels: set[str] = set()
    sent = 0
    while True:
        attempted = waiting = False
        channels = [channel for channel in CHOSEN_CHANNELS if channel not in paused]
        for message_id, channel, agency_code in _due_in_turn(channels) if channels else []:
            if budget and time.monotonic() >= deadline:
                return sent
            if int(time.time()) != second:  # a new second: every limit has room again
                second = int(time.time())
                full_pairs.clear()
                full_channels.clear()
            if channel in paused:
                continue
            if channel in full_channels or (channel, agency_code) in full_pairs:
                waiting = True
                continue
            result = _attempt(message_id)
            if result.refused is RateRefusal.AGENCY:
                full_pairs.add((channel, agency_code))
                waiting = True
                continue
            if result.refused is RateRefusal.CHANNEL:
                full_channels.add(channel)
                waiting = True
                continue
            if not result.attempted:
                continue
            attempted = True
            if result.status in (Status.SENT, Status.DELIVERED):
                sent += 1
            if not result.temporary_failure:
                failures_in_a_row[channel] = 0
                continue
            failures_in_a_row[channel] += 1
            if failures_in_a_row[channel] >= TEMPORARY_FAILURES_TO_PAUSE:
                paused.add(channel)
                logger.warning(
                    "%s failed %s times in a row: no more %s messages this sweep",
                    channel,
                    failures_in_a_row[channel],
                    channel,
                )
        if not budget or time.monotonic() >= deadline:
            return sent
        if attempted:
            continue  # more may be due: another pass
        if not waiting:
            return sent  # nothing due that this worker may send
        pause = 1.001 - time.time() % 1  # every limit waiting has room again in the next second
        if time.monotonic() + pause >= deadline:
            return sent
        time.sleep(pause)


# --- SMS delivery receipts ----------------------------------------------------------------------------


def _receipt_message(provider_reference: str, reference: str) -> Message | None:
    """The SMS a receipt is about, locked. By our reference (the message's public ID) first: it is ours,
    so it names one message even if the gateway's IDs started again after a reset. When the receipt
    gives both, the message's recorded gateway ID must be the receipt's (else None: the receipt is
    about some other message). By the gateway's ID only when the receipt has no reference, and only
    when exactly one message has it."""
    messages = Message.objects.select_for_update().filter(channel=SMS)
    if reference:
        try:
            public_id = uuid.UUID(reference)
        except ValueError:
            return None
        message = messages.filter(public_id=public_id).first()
        if (
            message is not None
            and provider_reference
            and message.provider_reference
            and message.provider_reference != provider_reference
        ):
            logger.warning(
                "SMS receipt for message %s names gateway ID %r, but it was sent as %r: ignored",
                message.public_id,
                provider_reference,
                message.provider_reference,
            )
            return None
        return message
    if not provider_reference:
        return None
    found = list(messages.filter(provider_reference=provider_reference).order_by("pk")[:2])
    if len(found) != 1:
        if found:
            logger.warning(
                "SMS receipt without a reference for gateway ID %r, which several messages have",
                provider_reference,
            )
        return None
    return found[0]


@transaction.atomic
def sms_receipt_record(
    *, provider_reference: str, status: str, at: datetime.datetime | None = None, reference: str = ""
) -> Message | None:
    """The gateway's word on an SMS: "delivered" or "undeliverable" (a permanent failure). Found by our
    reference (the message's public ID), the gateway's ID only as a fallback (_receipt_message). None for
    a message we do not know (logged). A receipt for a message that already has its final status
    changes nothing."""
    if status not in ("delivered", "undeliverable"):
        raise ValueError(f"unknown receipt status {status!r}")
    message = _receipt_message(provider_reference, reference)
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
    refused = isinstance(error, gateways.PermanentFailure)
    if error is None or refused or message.callback_attempts >= CALLBACK_ATTEMPTS:
        if refused:
            logger.error(
                "the callback of message %s is refused and has stopped: %s", message.public_id, error
            )
        elif error is not None:
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
    answered 2xx. A failure retries with the same backoff as messages, at most CALLBACK_ATTEMPTS times;
    a URL that may not be called (gateways.CallbackRefused: not https, or not a public address) stops
    at once."""
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


def _ids(queryset: Any, limit: int) -> list[int]:
    return list(queryset.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def callbacks_send_due() -> int:
    """Send the callbacks that are due (retries, and any whose task was lost); how many succeeded."""
    due = Message.objects.filter(callback_due=True, callback_next_at__lte=timezone.now())
    return sum(1 for message_id in _ids(due, SEND_BATCH) if callback_send(message_id=message_id))
