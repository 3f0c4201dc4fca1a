"""The notifications services: making messages, sending them (Django's locmem e-mail backend, the demo SMS
gateway as its own process, and real SMTP servers on loopback that refuse, hang up or say nothing for the
failures; end to end through the mail catch-all in test_delivery.py), receipts, preferences, one-time
codes, topics, templates, API keys and the send API."""

import asyncio
import datetime
import functools
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from pracha.audit.public import AuditEntry
from pracha.core.errors import InvalidInput, NotFound, PermissionDenied, RateLimited
from pracha.notifications import gateways, selectors, services
from pracha.notifications.gateways import HttpSmsGateway, PermanentFailure, TemporaryFailure
from pracha.notifications.models import ApiKey, Contact, Message, Preference, Profile, Subscription, Template
from pracha.notifications.tests.conftest import Answer
from pracha.notifications.tests.factories import (
    ContactFactory,
    MessageFactory,
    PersonFactory,
    fresh_cache,  # noqa: F401 (a fixture)
    person,
)
from simulators.running import RunningSmsGateway, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

Status = Message.Status
RECEIVED_CONTEXT = {
    "reference": "APP-2569-000042",
    "service": {"th": "ขอคัดสำเนาทะเบียนบ้าน", "en": "Certified copy of a house registration"},
}
LINK = "/applications/APP-2569-000042/"


@pytest.fixture
def sms_on(settings, sms_gateway: RunningSmsGateway) -> RunningSmsGateway:
    """SMS on, through the default adapter (HttpSmsGateway) to the demo gateway's process. Its delivery
    receipts go to PRACHA_SITE_URL (http://testserver), where nothing listens: an SMS stays "sent"."""
    settings.PRACHA_SMS_GATEWAY_URL = sms_gateway.url
    return sms_gateway


def smtp_at(settings, port: int, timeout: float = 5) -> None:
    """Send e-mail with Django's SMTP backend to whatever listens on loopback `port`."""
    settings.EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = timeout


class Refusing:
    """An aiosmtpd handler: the SMTP server answers RCPT TO or DATA with the reply given."""

    def __init__(self, *, rcpt: str = "", data: str = "") -> None:
        self.rcpt, self.data = rcpt, data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt:
            return self.rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return self.data or "250 OK"


class Slow:
    """An aiosmtpd handler that answers MAIL, RCPT and the end of DATA rightly, each after `delay`
    seconds, and notes in `heard` the ones it answered."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.heard: list[str] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        self.heard.append("MAIL")
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        self.heard.append("RCPT")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.heard.append("DATA")
        return "250 OK"


@contextmanager
def smtp_server(answer: str, reply: str = "") -> Iterator[int]:
    """A server on a loopback port: "rcpt" or "data" (an SMTP server refusing there with `reply`),
    "hang_up" (closes every connection at once) or "silent" (takes the connection, never says a word)."""
    if answer in ("rcpt", "data"):
        controller = Controller(Refusing(**{answer: reply}), hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            yield controller.port
        finally:
            controller.stop()
        return
    listener = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:  # the listener was shut down: the test is over
                return
            connection.close()

    answering = threading.Thread(target=hang_up, daemon=True)
    if answer == "hang_up":
        answering.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (closing alone would not)
        listener.close()
        if answering.is_alive():
            answering.join(timeout=5)


def notify(recipient, kind="application_received", context=None, **extra):
    return services.notify(
        kind=kind,
        recipient=recipient,
        agency_code=extra.pop("agency_code", "home-agency"),
        context=RECEIVED_CONTEXT if context is None else context,
        link=extra.pop("link", LINK),
        **extra,
    )


def audit_actions():
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# --- notify ---------------------------------------------------------------------------------------------


def test_notify_without_contacts_makes_one_inapp_message_delivered_at_once(settings):
    someone = person()
    [message] = notify(someone)
    assert message.channel == "inapp"
    assert message.status == Status.DELIVERED
    assert message.delivered_at is not None
    assert message.recipient == someone
    assert message.language == "th"
    assert message.subject == "ได้รับคำขอ APP-2569-000042 แล้ว"
    assert message.body == (
        "เราได้รับคำขอ ขอคัดสำเนาทะเบียนบ้าน เลขที่ APP-2569-000042 แล้ว เจ้าหน้าที่จะตรวจสอบและแจ้งผลให้ทราบ"
        "\n\nข้อความจริงจาก pracha.example จะอยู่ในกล่องข้อความนี้เสมอ"
    )
    assert message.link == LINK
    assert message.agency_code == "home-agency"
    assert mail.outbox == []


def test_notify_queues_email_and_sms_to_confirmed_contacts_and_sends_on_commit(
    sms_on, django_capture_on_commit_callbacks
):
    someone = person(email="somchai@example.test", phone="+66812345678")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        messages = notify(someone)
    assert [m.channel for m in messages] == ["inapp", "email", "sms"]
    assert len(callbacks) == 2
    email, sms = (Message.objects.get(pk=m.pk) for m in messages[1:])
    assert (email.status, email.attempts, email.address) == (Status.SENT, 1, "somchai@example.test")
    assert (sms.status, sms.attempts, sms.address) == (Status.SENT, 1, "+66812345678")
    assert sms.provider_reference == "SMS00000000000001"
    [sent] = sms_on.messages()  # what the gateway took (its status moves on with its receipt)
    assert {field: sent[field] for field in ("id", "to", "text", "sender", "reference", "callback_url")} == {
        "id": "SMS00000000000001",
        "to": "+66812345678",
        "text": "ได้รับคำขอ APP-2569-000042 แล้ว ดูที่ pracha.example เราไม่ส่งลิงก์",
        "sender": "PRACHA",
        "reference": str(sms.public_id),
        "callback_url": "http://testserver/api/v1/notifications/sms-receipts",
    }
    assert (sent["encoding"], sent["parts"]) == ("UCS-2", 1)  # Thai, 67 characters: one part
    [letter] = mail.outbox
    assert letter.to == ["somchai@example.test"]
    assert letter.from_email == "Pracha <no-reply@pracha.example>"
    assert letter.subject == "ได้รับคำขอ APP-2569-000042 แล้ว"
    assert letter.extra_headers["Message-ID"] == f"<{email.public_id}@pracha.example>"
    assert "http://testserver/applications/APP-2569-000042/" in letter.body
    assert "ข้อความนี้ส่งจาก pracha.example โดยอัตโนมัติ" in letter.body


def test_notify_makes_no_sms_when_the_gateway_is_off(settings):
    settings.PRACHA_SMS_GATEWAY_URL = ""
    someone = person(email="a@example.test", phone="+66812345678")
    assert [m.channel for m in notify(someone)] == ["inapp", "email"]


def test_notify_ignores_an_address_waiting_for_its_code():
    someone = person()
    Contact.objects.create(
        user=someone, channel="email", pending_address="new@example.test", code_hash="x" * 64
    )
    assert [m.channel for m in notify(someone)] == ["inapp"]


def test_notify_respects_a_channel_turned_off_but_legal_notices_ignore_it(sms_on):
    someone = person(email="a@example.test", phone="+66812345678")
    Preference.objects.create(user=someone, kind="application_received", channel="email", enabled=False)
    Preference.objects.create(user=someone, kind="application_approved", channel="email", enabled=False)
    Preference.objects.create(user=someone, kind="application_approved", channel="sms", enabled=False)
    assert [m.channel for m in notify(someone)] == ["inapp", "sms"]
    assert [m.channel for m in notify(someone, kind="application_approved")] == ["inapp", "email", "sms"]


def test_notify_writes_in_the_persons_language_picking_mapped_values():
    english = person(language="en", email="en@example.test")
    inapp, email = notify(english)
    assert inapp.language == email.language == "en"
    assert email.subject == "Application APP-2569-000042 received"
    assert email.body.startswith(
        "We have received your application for Certified copy of a house registration.\n"
        "Application number: APP-2569-000042\n"
    )
    assert "http://testserver/applications/APP-2569-000042/" in email.body
    assert "Every genuine message from us is also in your inbox at pracha.example." in email.body
    thai = person(email="th@example.test")
    assert "ขอคัดสำเนาทะเบียนบ้าน" in notify(thai)[1].body


def test_a_person_without_a_profile_reads_thai():
    someone = PersonFactory()
    assert notify(someone)[0].language == "th"


def test_notify_uses_an_edited_template():
    Template.objects.create(
        kind="application_received",
        channel="inapp",
        language="th",
        subject="คำขอ ((reference))",
        body="ได้รับแล้ว ((service)) จาก ((domain))",
    )
    [message] = notify(person())
    assert (message.subject, message.body) == (
        "คำขอ APP-2569-000042",
        "ได้รับแล้ว ขอคัดสำเนาทะเบียนบ้าน จาก pracha.example",
    )


def test_the_same_dedupe_key_makes_nothing_twice(django_capture_on_commit_callbacks):
    someone = person(email="a@example.test")
    with django_capture_on_commit_callbacks() as callbacks:
        first = notify(someone, dedupe_key="application_received:APP-2569-000042:1")
        again = notify(someone, dedupe_key="application_received:APP-2569-000042:1")
    assert [m.pk for m in again] == [m.pk for m in first]
    assert Message.objects.count() == 2
    assert len(callbacks) == 1  # one e-mail to send


def test_a_dedupe_key_made_by_another_transaction_first_is_returned(monkeypatch):
    """Two processes notifying at once: the unique constraint decides, and the loser gets the winner's."""
    someone = person()
    winner = MessageFactory(
        recipient=someone, channel="inapp", status=Status.DELIVERED, dedupe_key="event:1", address=""
    )
    real_filter = Message.objects.filter
    calls = {"n": 0}

    def filter_missing_once(*args, **kwargs):
        # The first look-up runs before the other transaction committed: it finds nothing.
        if kwargs.get("dedupe_key") == "event:1" and calls["n"] == 0:
            calls["n"] += 1
            return Message.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Message.objects, "filter", filter_missing_once)
    [message] = notify(someone, dedupe_key="event:1")
    assert message.pk == winner.pk
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "context", "error"),
    [
        ("application_received", {"reference": "APP-1"}, "missing \\['service'\\]"),
        ("application_received", {**RECEIVED_CONTEXT, "name": "x"}, "unknown \\['name'\\]"),
        ("no_such_kind", RECEIVED_CONTEXT, "unknown kind"),
    ],
)
def test_a_wrong_context_is_a_programming_error(kind, context, error):
    with pytest.raises(ValueError, match=error):
        notify(person(), kind=kind, context=context)
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "applications/1/", "javascript:x"],
)
def test_a_link_must_be_a_path_on_this_site(link):
    with pytest.raises(ValueError, match="starting with one /"):
        notify(person(), link=link)
    assert Message.objects.count() == 0


def test_a_message_may_have_no_link():
    [message] = notify(person(), link="")
    assert message.link == ""


# --- sending --------------------------------------------------------------------------------------------


def test_a_temporary_failure_is_retried_with_backoff_then_fails(settings, caplog):
    smtp_at(settings, free_port())  # nothing listens there: the SMTP server is down
    message = MessageFactory()
    waits = []
    for attempt in range(1, 7):
        before = timezone.now()
        status = services.message_send(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < 6:
            assert status == message.status == Status.QUEUED
            assert message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
            waits.append(round((message.next_attempt_at - before).total_seconds()))
            assert services.message_send(message_id=message.pk) == Status.QUEUED  # not due yet
            message.next_attempt_at = timezone.now() - datetime.timedelta(seconds=1)
            message.save(update_fields=["next_attempt_at"])
    assert waits == [30, 60, 120, 240, 480]
    assert message.status == Status.FAILED
    assert message.failed_at is not None
    assert message.next_attempt_at is None
    assert any(
        record.levelname == "ERROR" and "failed 6 times" in record.getMessage() for record in caplog.records
    )


def test_backoff_doubles_up_to_the_cap():
    assert [services.backoff_seconds(n) for n in (1, 2, 3, 6, 7, 8, 20)] == [
        30,
        60,
        120,
        960,
        1800,
        1800,
        1800,
    ]


@pytest.mark.parametrize(
    ("answer", "reply", "status", "last_error"),
    [
        (
            "rcpt",
            "550 5.1.1 no such user",
            Status.PERMANENTLY_FAILED,
            "recipient refused: 550 b'5.1.1 no such user'",
        ),
        (
            "rcpt",
            "450 4.2.0 mailbox busy",
            Status.QUEUED,
            "recipient refused for now: 450 b'4.2.0 mailbox busy'",
        ),
        ("data", "554 rejected", Status.PERMANENTLY_FAILED, "message refused: 554 b'rejected'"),
        ("hang_up", "", Status.QUEUED, "SMTPServerDisconnected: Connection unexpectedly closed"),
        ("silent", "", Status.QUEUED, "SMTPServerDisconnected: Connection unexpectedly closed: timed out"),
    ],
)
def test_smtp_answers_are_classified(settings, answer, reply, status, last_error):
    message = MessageFactory()
    with smtp_server(answer, reply) as port:
        smtp_at(settings, port, timeout=0.5)
        assert services.message_send(message_id=message.pk) == status
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (status, 1, last_error)
    assert (message.failed_at is not None) == (status == Status.PERMANENTLY_FAILED)


@pytest.mark.parametrize(
    ("lease", "status", "heard"),
    [
        # An attempt may take half the lease. Each answer takes 0.5 s, far within the SMTP timeout:
        # without the deadline the conversation would hold the attempt past a 2 s lease, and the sweeper
        # would send the e-mail again.
        (2, Status.QUEUED, ["MAIL"]),
        (12, Status.SENT, ["MAIL", "RCPT", "DATA"]),
    ],
)
def test_a_slow_smtp_server_cannot_keep_an_email_past_its_lease(settings, lease, status, heard):
    settings.PRACHA_NOTIFY_LEASE_SECONDS = lease
    handler = Slow(delay=0.5)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_at(settings, controller.port)
        message = MessageFactory(address="somchai@example.test")
        started = time.monotonic()
        assert services.message_send(message_id=message.pk) == status
        assert time.monotonic() - started < lease / 2 + 0.5
    finally:
        controller.stop()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (status, 1)
    assert message.last_error == (
        "" if status == Status.SENT else "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    )
    assert handler.heard == heard  # a slow server past the deadline never got the message's text


def test_an_sms_refused_by_the_gateway_fails_permanently_at_once(sms_on):
    message = MessageFactory(channel="sms", address="+66899999012")  # the gateway's range of bad numbers
    assert services.message_send(message_id=message.pk) == Status.PERMANENTLY_FAILED
    message.refresh_from_db()
    assert message.attempts == 1
    # The gateway repeats the number; the officers' list shows it masked.
    assert message.last_error == (
        "SMS gateway refused the message: 400 invalid_number"
        " '+66 8x xxx 9012' is not a mobile number this gateway can deliver to."
    )
    assert sms_on.messages() == []
    assert list(selectors.undelivered_messages(agency_codes=["home-agency"])) == [message]
    assert list(selectors.undelivered_messages(agency_codes=["other-agency"])) == []


def test_a_message_not_due_or_held_by_a_live_worker_is_not_sent(sms_on):
    later = MessageFactory(next_attempt_at=timezone.now() + datetime.timedelta(minutes=1))
    held = MessageFactory(
        status=Status.SENDING, attempts=1, claimed_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert services.messages_send_due() == 0
    assert services.message_send(message_id=later.pk) == Status.QUEUED
    assert services.message_send(message_id=held.pk) == Status.SENDING
    assert mail.outbox == []
    held.refresh_from_db()
    assert held.attempts == 1


def test_a_message_whose_worker_died_holding_it_is_taken_over():
    dead = MessageFactory(
        status=Status.SENDING, attempts=1, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.messages_send_due() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.claimed_until) == (Status.SENT, 2, None)
    assert len(mail.outbox) == 1


def test_over_the_channel_rate_limit_messages_wait_untouched_without_an_attempt(settings, frozen_rate_clock):
    settings.PRACHA_NOTIFY_RATE_LIMITS = {"email": 2}
    messages = [MessageFactory() for _ in range(5)]
    before = {m.pk: (m.next_attempt_at, m.updated_at) for m in Message.objects.all()}
    assert services.messages_send_due() == 2
    statuses = [(m.status, m.attempts) for m in Message.objects.order_by("pk")]
    assert statuses == [(Status.SENT, 1)] * 2 + [(Status.QUEUED, 0)] * 3
    # Kept back, not written: still due as they were, no attempt, no error.
    for waiting in Message.objects.filter(pk__in=[m.pk for m in messages[2:]]):
        assert (waiting.next_attempt_at, waiting.updated_at) == before[waiting.pk]
        assert waiting.last_error == ""
    assert len(mail.outbox) == 2
    # A task for one of them, in the same second, changes nothing either.
    assert services.message_send(message_id=messages[2].pk) == Status.QUEUED
    assert Message.objects.get(pk=messages[2].pk).updated_at == before[messages[2].pk][1]


def test_over_the_agency_rate_limit_only_that_agency_waits(settings, frozen_rate_clock):
    settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS = {"email": 1}
    MessageFactory(agency_code="a")
    MessageFactory(agency_code="a")
    MessageFactory(agency_code="b")
    assert services.messages_send_due() == 2
    assert list(Message.objects.order_by("pk").values_list("agency_code", "status")) == [
        ("a", Status.SENT),
        ("a", Status.QUEUED),
        ("b", Status.SENT),
    ]


def test_one_agency_does_not_starve_the_others(settings, frozen_rate_clock):
    """The channel's slots go in turns to every agency with messages waiting; a message its agency may
    not send now takes none of them."""
    settings.PRACHA_NOTIFY_RATE_LIMITS = {"email": 4}
    settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS = {"email": 2}
    for _ in range(10):
        MessageFactory(agency_code="a")
    for _ in range(2):
        MessageFactory(agency_code="b")
    assert services.messages_send_due() == 4
    sent = Message.objects.filter(status=Status.SENT)
    assert sorted(sent.values_list("agency_code", flat=True)) == ["a", "a", "b", "b"]
    # The oldest of each agency went first.
    a_sent = list(sent.filter(agency_code="a").values_list("pk", flat=True))
    assert a_sent == list(
        Message.objects.filter(agency_code="a").order_by("pk").values_list("pk", flat=True)[:2]
    )
    assert not Message.objects.filter(status=Status.QUEUED).exclude(attempts=0).exists()


def test_a_sweep_keeps_sending_at_the_rate_limit_for_its_time(settings):
    """Under a surge the sweeper sends the limit every second for as long as it runs, rather than once
    per run: 5 messages at 3 a second take two seconds of one sweep."""
    settings.PRACHA_NOTIFY_RATE_LIMITS = {"email": 3}
    for _ in range(5):
        MessageFactory()
    time.sleep(1.02 - time.time() % 1)  # start early in a second
    started = time.monotonic()
    assert services.messages_send_due(seconds=3) == 5
    took = time.monotonic() - started
    assert 0.9 < took < 2
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    assert len(mail.outbox) == 5


def test_the_sweep_time_comes_from_the_settings(settings, frozen_rate_clock):
    settings.PRACHA_NOTIFY_RATE_LIMITS = {"email": 1}
    settings.PRACHA_NOTIFY_SWEEP_SECONDS = 0.3
    MessageFactory()
    MessageFactory()
    started = time.monotonic()
    # The limit's clock is frozen in one second: the second message waits, until the sweep's time is up.
    assert services.messages_send_due() == 1
    assert time.monotonic() - started < 0.5
    assert Message.objects.filter(status=Status.QUEUED, attempts=0).count() == 1


def test_the_sweeper_sends_at_most_a_batch_oldest_first(monkeypatch):
    monkeypatch.setattr(services, "SEND_BATCH", 2)
    first, second, _third = (MessageFactory() for _ in range(3))
    assert services.messages_send_due() == 2
    assert set(Message.objects.filter(status=Status.SENT).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_a_sent_one_time_code_is_not_kept_in_the_message():
    message = MessageFactory(kind="contact_verification", body="รหัสยืนยัน 123456 ใช้ได้ 10 นาที")
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.body == "รหัสยืนยัน •••••• ใช้ได้ 10 นาที"
    assert "123456" in mail.outbox[0].body


def test_another_4xx_from_the_gateway_is_a_temporary_failure(sms_on):
    """Only a refused number is permanent: a request the gateway finds malformed (here, a callback URL
    it refuses: our configuration) is retried, not failed for good."""
    gateway = HttpSmsGateway(url=sms_on.url)
    with pytest.raises(TemporaryFailure) as failure:
        gateway.send(
            to="+66812345678",
            text="ทดสอบ ข้อความจริงจาก pracha.example",
            sender="PRACHA",
            reference="ref-1",
            callback_url="not a web address",
        )
    assert not isinstance(failure.value, PermanentFailure)
    assert str(failure.value) == (
        'SMS gateway answered 400 invalid_request "callback_url" must be an http(s) URL.'
    )
    with pytest.raises(PermanentFailure):
        gateway.send(to="+66899999012", text="x", sender="PRACHA", reference="ref-2", callback_url=sms_on.url)
    assert sms_on.messages() == []


def test_a_misconfigured_callback_url_does_not_fail_every_sms(settings, sms_on):
    settings.PRACHA_SITE_URL = "not-a-site"
    message = MessageFactory(channel="sms", address="+66812345678")
    assert services.message_send(message_id=message.pk) == Status.QUEUED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.last_error.startswith("SMS gateway answered 400 invalid_request")


def test_an_smtp_refusal_naming_the_address_is_stored_masked():
    message = MessageFactory(address="somchai@example.test")
    with (
        smtp_server("rcpt", "550 5.1.1 <Somchai@example.test>: no such user") as port,
        override_settings(
            EMAIL_BACKEND="pracha.notifications.gateways.SmtpEmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=2,
        ),
    ):
        assert services.message_send(message_id=message.pk) == Status.PERMANENTLY_FAILED
    message.refresh_from_db()
    assert message.last_error == "recipient refused: 550 b'5.1.1 <s***@example.test>: no such user'"


@pytest.mark.parametrize("written", ["+66899999012", "66899999012", "0899999012"])
def test_a_number_in_an_error_is_masked_in_every_form(written):
    message = MessageFactory(channel="sms", address="+66899999012", status=Status.SENDING, attempts=1)
    error = TemporaryFailure(f"number {written} is busy")
    assert services._attempt_failed(message.pk, 1, error, permanent=False) == Status.QUEUED
    message.refresh_from_db()
    assert message.last_error == "number +66 8x xxx 9012 is busy"


def test_a_message_whose_worker_died_on_the_last_attempt_fails(settings, django_capture_on_commit_callbacks):
    """A worker that keeps dying (the message crashes it, say) does not get the message forever."""
    api_key, _secret = key("live")
    api_key.callback_url, api_key.callback_token = "http://127.0.0.1:9/cb", "t" * 20
    api_key.save()
    dead = MessageFactory(
        kind="contact_verification",
        body="รหัสยืนยัน 123456 ใช้ได้ 10 นาที",
        api_key=api_key,
        status=Status.SENDING,
        attempts=settings.PRACHA_NOTIFY_ATTEMPTS,
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.messages_send_due() == 0
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.claimed_until) == (Status.FAILED, 6, None)
    assert dead.failed_at is not None
    assert dead.last_error == "the worker sending it stopped during attempt 6, the last one allowed"
    assert dead.body == "รหัสยืนยัน •••••• ใช้ได้ 10 นาที"
    assert dead.callback_due is True
    assert len(callbacks) == 1  # the callback's task
    assert mail.outbox == []


def test_a_message_whose_worker_died_earlier_is_still_taken_over(settings):
    dead = MessageFactory(
        status=Status.SENDING,
        attempts=settings.PRACHA_NOTIFY_ATTEMPTS - 1,
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert services.messages_send_due() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Status.SENT, settings.PRACHA_NOTIFY_ATTEMPTS)


def test_a_code_is_never_sent_after_it_expired(settings):
    expired = MessageFactory(kind="contact_verification", body="รหัสยืนยัน 123456 ใช้ได้ 10 นาที")
    Message.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.PRACHA_NOTIFY_CODE_MINUTES, seconds=1)
    )
    assert services.message_send(message_id=expired.pk) == Status.FAILED
    expired.refresh_from_db()
    assert (expired.status, expired.attempts) == (Status.FAILED, 0)
    assert expired.last_error == "its one-time code expired before it could be sent"
    assert expired.body == "รหัสยืนยัน •••••• ใช้ได้ 10 นาที"
    assert mail.outbox == []


def test_a_code_whose_retry_would_come_after_its_expiry_fails_at_once(settings):
    smtp_at(settings, free_port())  # the SMTP server is down
    settings.PRACHA_NOTIFY_RETRY_BASE_SECONDS = 60
    settings.PRACHA_NOTIFY_CODE_MINUTES = 1
    code = MessageFactory(kind="contact_verification", body="รหัสยืนยัน 123456 ใช้ได้ 1 นาที")
    other = MessageFactory()
    assert services.message_send(message_id=code.pk) == Status.FAILED
    code.refresh_from_db()
    assert (code.status, code.attempts, code.next_attempt_at) == (Status.FAILED, 1, None)
    assert code.last_error == (
        "ConnectionRefusedError: [Errno 111] Connection refused; "
        "its one-time code expires before another attempt"
    )
    assert code.body == "รหัสยืนยัน •••••• ใช้ได้ 1 นาที"
    assert services.message_send(message_id=other.pk) == Status.QUEUED  # any other kind retries


def test_a_channel_failing_three_times_in_a_row_is_left_for_the_rest_of_the_sweep(settings, sms_on):
    smtp_at(settings, free_port())  # the SMTP server is down; the SMS gateway works
    emails = [MessageFactory() for _ in range(5)]
    sms = MessageFactory(channel="sms", address="+66812345678", body="ทดสอบ ข้อความจริงจาก pracha.example")
    assert services.messages_send_due() == 1
    attempts = [Message.objects.get(pk=email.pk).attempts for email in emails]
    assert attempts == [1, 1, 1, 0, 0]
    assert Message.objects.get(pk=sms.pk).status == Status.SENT


def test_a_slow_gateway_does_not_hold_the_sweep_past_its_time(settings, sms_on):
    sms_on.set_mode("slow", delay_seconds=0.6)
    for n in range(3):
        MessageFactory(channel="sms", address=f"+6681234560{n}", body=f"ข้อความ {n} จาก pracha.example")
    started = time.monotonic()
    assert services.messages_send_due(seconds=0.3) == 1  # the one started within its time
    assert time.monotonic() - started < 1.5
    assert Message.objects.filter(attempts=0).count() == 2


# --- SMS receipts ---------------------------------------------------------------------------------------


def sent_sms(**fields):
    values = {"channel": "sms", "address": "+66812345678", "status": Status.SENT, "attempts": 1}
    values["provider_reference"] = "SMS00000000000009"
    values.update(fields)
    return MessageFactory(sent_at=timezone.now(), next_attempt_at=None, **values)


def test_a_delivered_receipt_marks_the_sms_delivered_and_a_second_changes_nothing():
    message = sent_sms()
    at = timezone.now() - datetime.timedelta(seconds=5)
    recorded = services.sms_receipt_record(provider_reference="SMS00000000000009", status="delivered", at=at)
    assert recorded == message
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (Status.DELIVERED, at)
    updated_at = message.updated_at
    again = services.sms_receipt_record(provider_reference="SMS00000000000009", status="undeliverable")
    assert again == message
    message.refresh_from_db()
    assert (message.status, message.delivered_at, message.updated_at) == (Status.DELIVERED, at, updated_at)


def test_an_undeliverable_receipt_is_a_permanent_failure():
    message = sent_sms()
    services.sms_receipt_record(provider_reference="SMS00000000000009", status="undeliverable")
    message.refresh_from_db()
    assert message.status == Status.PERMANENTLY_FAILED
    assert message.failed_at is not None
    assert message.last_error == "the SMS gateway reported the message undeliverable"


def test_a_receipt_for_an_unknown_message_changes_nothing(caplog):
    message = sent_sms()
    assert services.sms_receipt_record(provider_reference="SMS99999999999999", status="delivered") is None
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert "unknown message" in caplog.text


def test_a_receipt_before_the_worker_recorded_the_send_is_found_by_reference():
    message = MessageFactory(channel="sms", status=Status.SENDING, attempts=1, claimed_until=timezone.now())
    services.sms_receipt_record(
        provider_reference="SMS1", status="delivered", reference=str(message.public_id)
    )
    message.refresh_from_db()
    assert (message.status, message.provider_reference) == (Status.DELIVERED, "SMS1")
    # The worker then records the gateway's acceptance: the message stays delivered.
    assert services._attempt_succeeded(message.pk, "SMS1") == Status.DELIVERED


def test_a_receipt_is_matched_by_our_reference_even_when_the_gateway_reused_an_id():
    """A gateway whose IDs started again after a reset gives a new SMS the ID an old one had: the
    receipt's reference (our message's public ID) decides."""
    old = sent_sms(provider_reference="SMS00000000000001")
    new = sent_sms(provider_reference="SMS00000000000001", address="+66812345679")
    recorded = services.sms_receipt_record(
        provider_reference="SMS00000000000001", status="undeliverable", reference=str(new.public_id)
    )
    assert recorded == new
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (Status.SENT, Status.PERMANENTLY_FAILED)


def test_a_receipt_whose_ids_disagree_changes_nothing(caplog):
    message = sent_sms(provider_reference="SMS00000000000002")
    recorded = services.sms_receipt_record(
        provider_reference="SMS00000000000001", status="delivered", reference=str(message.public_id)
    )
    assert recorded is None
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert "ignored" in caplog.text


def test_a_receipt_with_an_unknown_reference_is_not_matched_by_the_gateway_id():
    message = sent_sms()
    recorded = services.sms_receipt_record(
        provider_reference="SMS00000000000009",
        status="delivered",
        reference="3f1c1b9e-0000-4000-8000-000000000000",
    )
    assert recorded is None
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_receipt_without_a_reference_needs_a_gateway_id_only_one_message_has():
    first = sent_sms()
    second = sent_sms(address="+66812345679")
    assert services.sms_receipt_record(provider_reference="SMS00000000000009", status="delivered") is None
    assert {first.status, second.status} == {Status.SENT}
    assert Message.objects.filter(status=Status.SENT).count() == 2


# --- the inbox ------------------------------------------------------------------------------------------


def test_the_recipient_marks_a_message_read_once(people):
    [message] = notify(people["owner"])
    assert selectors.unread_count(user=people["owner"]) == 1
    read = services.message_mark_read(actor=people["owner"], message=message)
    assert read.read_at is not None
    again = services.message_mark_read(actor=people["owner"], message=message)
    assert again.read_at == read.read_at
    assert selectors.unread_count(user=people["owner"]) == 0
    assert audit_actions().count("notifications.message_read") == 1


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "officer_with"])
def test_nobody_else_marks_it_read_or_sees_it(people, who):
    [message] = notify(people["owner"])
    with pytest.raises(NotFound):
        services.message_mark_read(actor=people[who], message=message)
    with pytest.raises(NotFound):
        selectors.access_message(user=people[who], public_id=message.public_id)
    message.refresh_from_db()
    assert message.read_at is None
    assert "notifications.message_read" not in audit_actions()
    assert list(selectors.inbox(user=people[who])) == []


def test_mark_all_read(people):
    notify(people["owner"], dedupe_key="one")
    notify(people["owner"], dedupe_key="two")
    [other] = notify(people["other_citizen"], dedupe_key="three")
    assert services.messages_mark_all_read(actor=people["owner"]) == 2
    assert services.messages_mark_all_read(actor=people["owner"]) == 0
    other.refresh_from_db()
    assert other.read_at is None
    assert [m.dedupe_key for m in selectors.inbox(user=people["owner"])] == ["two", "one"]


# --- preferences ----------------------------------------------------------------------------------------


def test_preferences_are_saved_and_shown(people):
    owner = people["owner"]
    services.preferences_save(
        actor=owner,
        language="en",
        enabled={("application_received", "email"): False, ("payment_received", "sms"): True},
    )
    assert Profile.objects.get(user=owner).language == "en"
    table = selectors.preferences_for(user=owner)
    rows = {row.kind: row for row in table.rows}
    assert table.language == "en"
    assert (rows["application_received"].email, rows["application_received"].sms) == (False, True)
    assert (rows["application_approved"].legal, rows["application_approved"].email) == (True, True)
    assert "contact_verification" not in rows
    entry = AuditEntry.objects.get(action="notifications.preferences")
    assert entry.payload == {"language": "en", "off": ["application_received/email"]}


@pytest.mark.parametrize(
    ("language", "enabled", "field"),
    [
        ("th", {("application_approved", "email"): False}, "preferences"),
        ("th", {("contact_verification", "sms"): False}, "preferences"),
        ("th", {("application_received", "inapp"): False}, "preferences"),
        ("th", {("no_such_kind", "email"): False}, "preferences"),
        ("fr", {("application_received", "email"): False}, "language"),
    ],
)
def test_refused_preferences_change_nothing(people, language, enabled, field):
    with pytest.raises(InvalidInput) as refused:
        services.preferences_save(actor=people["owner"], language=language, enabled=enabled)
    assert list(refused.value.fields) == [field]
    assert not Preference.objects.exists()
    assert not Profile.objects.exists()
    assert "notifications.preferences" not in audit_actions()


def test_a_legal_notice_cannot_be_turned_off_says_which(people):
    with pytest.raises(InvalidInput) as refused:
        services.preferences_save(
            actor=people["owner"], language="th", enabled={("document_revoked", "sms"): False}
        )
    assert refused.value.fields["preferences"] == [
        "“Your document was revoked” is a legal notice: it is always sent and cannot be turned off."
    ]


def test_the_platform_sets_a_persons_language_audited_without_an_actor():
    someone = PersonFactory()
    services.profile_language_set(user=someone, language="en")
    services.profile_language_set(user=someone, language="en")  # no change: nothing recorded
    assert Profile.objects.get(user=someone).language == "en"
    [entry] = AuditEntry.objects.filter(action="notifications.profile_language")
    assert entry.actor_id == ""
    assert entry.payload == {"language": "en", "source": "platform"}
    with pytest.raises(InvalidInput) as refused:
        services.profile_language_set(user=someone, language="fr")
    assert list(refused.value.fields) == ["language"]


# --- contacts and one-time codes ------------------------------------------------------------------------


def sent_code(user, channel="email"):
    message = Message.objects.filter(recipient=user, kind="contact_verification", channel=channel).latest(
        "pk"
    )
    return re.search(r"\d{6}", message.body).group(0)


def test_a_code_is_sent_to_the_new_address_and_confirms_it(people):
    owner = people["owner"]
    contact = services.contact_code_send(actor=owner, channel="email", address="  Somchai@Example.TEST ")
    assert contact.pending_address == "somchai@example.test"
    assert contact.address == ""
    assert re.fullmatch(r"[0-9a-f]{64}", contact.code_hash)
    minutes = (contact.code_expires_at - timezone.now()).total_seconds() / 60
    assert 9.9 < minutes <= 10
    [message] = Message.objects.filter(recipient=owner)
    assert (message.kind, message.channel, message.address, message.link) == (
        "contact_verification",
        "email",
        "somchai@example.test",
        "",
    )
    code = sent_code(owner)
    assert code not in contact.code_hash
    assert "http" not in message.body
    confirmed = services.contact_code_confirm(actor=owner, channel="email", code=code)
    assert (confirmed.address, confirmed.pending_address, confirmed.code_hash) == (
        "somchai@example.test",
        "",
        "",
    )
    assert confirmed.verified_at is not None
    assert audit_actions() == ["notifications.contact_code", "notifications.contact_confirm"]
    assert AuditEntry.objects.get(action="notifications.contact_code").payload == {
        "channel": "email",
        "address": "s***@example.test",
    }


def test_a_code_by_sms_goes_to_the_normalised_number(people, sms_on):
    contact = services.contact_code_send(actor=people["owner"], channel="sms", address="081-234-5678")
    assert contact.pending_address == "+66812345678"
    message = Message.objects.get(kind="contact_verification")
    assert message.address == "+66812345678"
    assert "ใช้ที่ pracha.example เท่านั้น ภายใน 10 นาที อย่าบอกรหัสนี้กับใคร" in message.body


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("0812345678", "+66812345678"),
        ("081-234-5678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("+66812345678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("(081) 234.5678", "+66812345678"),
        ("+66 081 234 5678", "+66812345678"),
        ("0612345678", "+66612345678"),
        ("0912345678", "+66912345678"),
        ("0066812345678", "+66812345678"),
        ("+66 (0)81 234 5678", "+66812345678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "+66812345678"),
    ],
)
def test_thai_mobile_numbers_in_any_common_writing(written, normalised):
    assert services.normalise_address("sms", written) == normalised


@pytest.mark.parametrize(
    "written",
    ["021234567", "081234567", "08123456789", "00812345678", "+1 415 555 0100", "+66 21234567", "hello", ""],
)
def test_other_numbers_are_refused(written):
    with pytest.raises(InvalidInput) as refused:
        services.normalise_address("sms", written)
    assert refused.value.fields == {"address": ["Enter a Thai mobile number, for example 081 234 5678."]}


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("+66812345678", "+66 8x xxx 5678"),
        ("+66999990001", "+66 9x xxx 0001"),
        ("somchai@example.com", "s***@example.com"),
        ("a@b.example", "a***@b.example"),
        ("@example.com", "***"),
        ("12345", "x2345"),
        ("", ""),
    ],
)
def test_addresses_are_masked_for_officers_and_the_audit_log(address, masked):
    assert services.masked_address(address) == masked


def test_a_mobile_numbers_audit_entry_is_masked(people, sms_on):
    services.contact_code_send(actor=people["owner"], channel="sms", address="081-234-5678")
    assert AuditEntry.objects.get(action="notifications.contact_code").payload == {
        "channel": "sms",
        "address": "+66 8x xxx 5678",
    }


@pytest.mark.parametrize(
    ("channel", "address", "english", "thai"),
    [
        (
            "email",
            "not-an-address",
            "Enter an e-mail address in the format name@example.com.",
            "กรอกอีเมลในรูปแบบ name@example.com",
        ),
        (
            "sms",
            "02 123 4567",
            "Enter a Thai mobile number, for example 081 234 5678.",
            "กรอกหมายเลขโทรศัพท์มือถือของไทย เช่น 081 234 5678",
        ),
    ],
)
def test_a_bad_address_is_refused_in_thai_and_english_and_nothing_changes(
    people, sms_on, channel, address, english, thai
):
    with pytest.raises(InvalidInput) as refused:
        services.contact_code_send(actor=people["owner"], channel=channel, address=address)
    assert [str(message) for message in refused.value.fields["address"]] == [english]
    with translation.override("th"):
        with pytest.raises(InvalidInput) as refused_in_thai:
            services.contact_code_send(actor=people["owner"], channel=channel, address=address)
        assert [str(message) for message in refused_in_thai.value.fields["address"]] == [thai]
    assert not Contact.objects.exists()
    assert not Message.objects.exists()
    assert audit_actions() == []


def test_a_wrong_code_counts_and_too_many_wrong_codes_need_a_new_one(people, settings):
    owner = people["owner"]
    services.contact_code_send(actor=owner, channel="email", address="a@example.test")
    code = sent_code(owner)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(1, settings.PRACHA_NOTIFY_CODE_ATTEMPTS + 1):
        with pytest.raises(InvalidInput) as refused:
            services.contact_code_confirm(actor=owner, channel="email", code=wrong)
        assert refused.value.fields == {
            "code": ["That code is not right. Check the latest message we sent and try again."]
        }
        assert Contact.objects.get(user=owner).code_attempts == attempt
    with pytest.raises(InvalidInput) as refused:
        services.contact_code_confirm(actor=owner, channel="email", code=code)
    assert refused.value.fields == {"code": ["This code can no longer be used. Please ask for a new code."]}
    contact = Contact.objects.get(user=owner)
    assert (contact.address, contact.pending_address) == ("", "a@example.test")


def test_confirming_a_code_inside_a_transaction_is_refused(people):
    """A wrong code's attempt is committed before the refusal: a caller's transaction rolling back would
    undo the count, so the service refuses to run inside one."""
    owner = people["owner"]
    services.contact_code_send(actor=owner, channel="email", address="a@example.test")
    wrong = f"{(int(sent_code(owner)) + 1) % 1_000_000:06d}"
    with transaction.atomic(), pytest.raises(RuntimeError, match="must be called outside any transaction"):
        services.contact_code_confirm(actor=owner, channel="email", code=wrong)
    assert Contact.objects.get(user=owner).code_attempts == 0
    with pytest.raises(InvalidInput):
        services.contact_code_confirm(actor=owner, channel="email", code=wrong)
    assert Contact.objects.get(user=owner).code_attempts == 1


def test_an_expired_code_needs_a_new_one(people):
    owner = people["owner"]
    services.contact_code_send(actor=owner, channel="email", address="a@example.test")
    Contact.objects.filter(user=owner).update(code_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(InvalidInput) as refused:
        services.contact_code_confirm(actor=owner, channel="email", code=sent_code(owner))
    assert refused.value.fields == {"code": ["This code can no longer be used. Please ask for a new code."]}
    assert Contact.objects.get(user=owner).address == ""


def test_a_new_code_replaces_the_old_one(people):
    owner = people["owner"]
    services.contact_code_send(actor=owner, channel="email", address="a@example.test")
    old = sent_code(owner)
    services.contact_code_send(actor=owner, channel="email", address="b@example.test")
    new = sent_code(owner)
    if old != new:
        with pytest.raises(InvalidInput):
            services.contact_code_confirm(actor=owner, channel="email", code=old)
    assert services.contact_code_confirm(actor=owner, channel="email", code=new).address == "b@example.test"


def test_codes_are_rate_limited_per_person(people, settings, frozen_rate_clock):
    settings.PRACHA_NOTIFY_CODES_PER_HOUR = 2
    owner = people["owner"]
    services.contact_code_send(actor=owner, channel="email", address="a@example.test")
    services.contact_code_send(actor=owner, channel="email", address="b@example.test")
    with pytest.raises(RateLimited) as refused:
        services.contact_code_send(actor=owner, channel="email", address="c@example.test")
    assert str(refused.value) == "You have asked for too many codes. Please wait an hour and try again."
    assert Contact.objects.get(user=owner).pending_address == "b@example.test"
    assert Message.objects.count() == 2


def test_codes_are_rate_limited_per_address(people, settings, frozen_rate_clock):
    settings.PRACHA_NOTIFY_CODES_PER_HOUR = 1
    services.contact_code_send(actor=people["owner"], channel="email", address="shared@example.test")
    with pytest.raises(RateLimited):
        services.contact_code_send(
            actor=people["other_citizen"], channel="email", address="Shared@example.test"
        )
    assert not Contact.objects.filter(user=people["other_citizen"]).exists()


def test_anonymous_cannot_ask_for_a_code(people):
    with pytest.raises(PermissionDenied):
        services.contact_code_send(actor=people["anonymous"], channel="email", address="a@example.test")
    assert not Contact.objects.exists()


def test_a_trusted_address_is_confirmed_without_a_code_and_found_by_address(people):
    contact = services.contact_confirmed(user=people["owner"], channel="email", address="Owner@Example.test")
    assert (contact.address, contact.verified_at is not None) == ("owner@example.test", True)
    assert selectors.user_for_address(channel="email", address="owner@example.test") == people["owner"]
    assert selectors.user_for_address(channel="email", address="nobody@example.test") is None
    assert selectors.contacts_for(user=people["owner"]) == {"email": contact, "sms": None}
    services.contact_remove(actor=people["owner"], channel="email")
    assert selectors.contacts_for(user=people["owner"]) == {"email": None, "sms": None}
    assert audit_actions() == ["notifications.contact_confirmed", "notifications.contact_remove"]


# --- subscriptions and topics ---------------------------------------------------------------------------


def test_subscribing_is_idempotent_and_audited_once(people):
    services.subscription_add(actor=people["owner"], topic="agency:bma-bang-rak")
    services.subscription_add(actor=people["owner"], topic="agency:bma-bang-rak")
    services.subscription_add(actor=people["owner"], topic="complaints:roads:bang-rak")
    assert selectors.subscriptions_for(user=people["owner"]) == [
        "agency:bma-bang-rak",
        "complaints:roads:bang-rak",
    ]
    assert audit_actions() == ["notifications.subscribe", "notifications.subscribe"]
    services.subscription_remove(actor=people["owner"], topic="agency:bma-bang-rak")
    assert selectors.subscriptions_for(user=people["owner"]) == ["complaints:roads:bang-rak"]


def test_setting_the_topics_of_a_page_keeps_the_ones_it_does_not_offer(people):
    owner = people["owner"]
    services.subscription_add(actor=owner, topic="complaints:roads:bang-rak")
    services.subscription_add(actor=owner, topic="agency:dbd")
    services.subscriptions_set(
        actor=owner,
        topics=["agency:bma-bang-rak", "life-event:open-restaurant"],
        offered=["agency:bma-bang-rak", "agency:dbd", "life-event:open-restaurant"],
    )
    assert selectors.subscriptions_for(user=owner) == [
        "agency:bma-bang-rak",
        "complaints:roads:bang-rak",
        "life-event:open-restaurant",
    ]
    assert audit_actions() == ["notifications.subscribe"] * 4 + ["notifications.unsubscribe"]


def test_setting_topics_with_one_malformed_changes_nothing(people):
    owner = people["owner"]
    services.subscription_add(actor=owner, topic="agency:dbd")
    with pytest.raises(InvalidInput):
        services.subscriptions_set(actor=owner, topics=["agency:rd", "agency:BMA"], offered=["agency:dbd"])
    assert selectors.subscriptions_for(user=owner) == ["agency:dbd"]


@pytest.mark.parametrize(
    "topic", ["bma", "agency:", "agency:BMA", "news:bma", "complaints:roads", "agency:bma:x"]
)
def test_a_malformed_topic_is_refused(people, topic):
    with pytest.raises(InvalidInput) as refused:
        services.subscription_add(actor=people["owner"], topic=topic)
    assert list(refused.value.fields) == ["topic"]
    assert not Subscription.objects.exists()


def test_a_topic_is_published_to_its_followers_once():
    followers = [person(), person(language="en")]
    bystander = person()
    for follower in followers:
        Subscription.objects.create(user=follower, topic="agency:bma-bang-rak")
    Subscription.objects.create(user=bystander, topic="agency:dbd")
    title = {"th": "ปิดถนนสีลมวันอาทิตย์", "en": "Silom Road closed on Sunday"}
    count = services.topic_publish(
        topic="agency:bma-bang-rak",
        agency_code="bma-bang-rak",
        title=title,
        link="/news/1/",
        dedupe_key="news:1",
    )
    assert count == 2
    thai, english = (Message.objects.get(recipient=follower) for follower in followers)
    assert (thai.kind, thai.subject) == ("topic_announcement", "ปิดถนนสีลมวันอาทิตย์")
    assert thai.body.startswith("มีข่าวใหม่ในเรื่องที่คุณติดตาม: ข่าวจากหน่วยงาน bma-bang-rak")
    assert english.subject == "Silom Road closed on Sunday"
    assert not Message.objects.filter(recipient=bystander).exists()
    services.topic_publish(
        topic="agency:bma-bang-rak",
        agency_code="bma-bang-rak",
        title=title,
        link="/news/1/",
        dedupe_key="news:1",
    )
    assert Message.objects.count() == 2


def test_a_topic_key_too_long_to_tell_each_follower_apart_is_refused():
    for _ in range(2):
        Subscription.objects.create(user=person(), topic="agency:bma-bang-rak")
    publish = functools.partial(
        services.topic_publish, topic="agency:bma-bang-rak", agency_code="bma-bang-rak", title="ข่าว"
    )
    with pytest.raises(ValueError, match="dedupe_key is too long"):
        publish(dedupe_key="n" * 181)
    assert not Message.objects.exists()
    # The longest key allowed: each follower's key, ":<id>" added, stays whole and apart.
    assert publish(dedupe_key="n" * 180) == 2
    assert Message.objects.filter(kind="topic_announcement").values("dedupe_key").distinct().count() == 2


@pytest.mark.parametrize(
    ("topic", "label"),
    [
        ("agency:dbd", {"th": "ข่าวจากหน่วยงาน dbd", "en": "news from agency dbd"}),
        ("life-event:new-baby", {"th": "เหตุการณ์ในชีวิต new-baby", "en": "life event new-baby"}),
        (
            "complaints:roads:bang-rak",
            {"th": "เรื่องร้องเรียน roads ในเขต bang-rak", "en": "complaints about roads in district bang-rak"},
        ),
    ],
)
def test_a_topic_reads_in_each_language_whatever_the_current_one(topic, label):
    for language in ("th", "en"):
        with translation.override(language):
            assert services.topic_label(topic) == label


def test_the_publisher_names_the_topic():
    follower = person()
    Subscription.objects.create(user=follower, topic="agency:bma-bang-rak")
    services.topic_publish(
        topic="agency:bma-bang-rak",
        agency_code="bma-bang-rak",
        title="ปิดถนนสีลมวันอาทิตย์",
        dedupe_key="news:2",
        topic_name={"th": "สำนักงานเขตบางรัก", "en": "Bang Rak District Office"},
    )
    message = Message.objects.get(recipient=follower)
    assert message.body.startswith("มีข่าวใหม่ในเรื่องที่คุณติดตาม: สำนักงานเขตบางรัก")


# --- templates ------------------------------------------------------------------------------------------


def test_a_saved_template_is_used_and_a_reset_brings_the_default_back(people):
    officer = people["officer_with"]
    template = services.template_save(
        actor=officer,
        kind="application_received",
        channel="sms",
        language="th",
        subject="",
        body="คำขอ ((reference)) ได้รับแล้ว\r\nข้อความจริงจาก ((domain)) เท่านั้น ",
    )
    assert template.body == "คำขอ ((reference)) ได้รับแล้ว\nข้อความจริงจาก ((domain)) เท่านั้น"
    assert template.updated_by == officer
    text = selectors.template_text(kind="application_received", channel="sms", language="th")
    assert (text.body, text.edited) == (template.body, True)
    services.template_reset(actor=officer, kind="application_received", channel="sms", language="th")
    text = selectors.template_text(kind="application_received", channel="sms", language="th")
    assert text.edited is False
    assert audit_actions() == ["notifications.template_save", "notifications.template_reset"]
    overview = selectors.templates_overview()
    assert len(overview) == sum(len(kind.channels) for kind in services.KINDS.values()) * 2


def test_a_template_breaking_the_rules_is_refused_and_nothing_changes(people):
    with pytest.raises(InvalidInput) as refused:
        services.template_save(
            actor=people["officer_with"],
            kind="contact_verification",
            channel="sms",
            language="en",
            subject="",
            body="Your code ((code)) for ((name)): https://pracha.example/",
        )
    assert [message.split(" ")[0] for message in refused.value.fields["body"]] == ["((name))", "The", "A"]
    assert not Template.objects.exists()
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("kind", "channel", "language", "field"),
    [
        ("nope", "sms", "th", "kind"),
        ("contact_verification", "inapp", "th", "channel"),
        ("document_ready", "sms", "fr", "language"),
    ],
)
def test_a_template_for_something_that_does_not_exist_is_refused(people, kind, channel, language, field):
    with pytest.raises(InvalidInput) as refused:
        services.template_save(
            actor=people["officer_with"],
            kind=kind,
            channel=channel,
            language=language,
            subject="",
            body="((domain))",
        )
    assert list(refused.value.fields) == [field]


# --- API keys and the send API --------------------------------------------------------------------------


def key(key_type="live", **extra):
    return services.api_key_create(
        actor=None,
        agency_code=extra.pop("agency_code", "home-agency"),
        name="Case system",
        key_type=key_type,
        **extra,
    )


NOTICE = {"agency": "สำนักงานเขตบางรัก", "subject": "นัดหมาย", "body": "กรุณามาที่สำนักงานเขตวันจันทร์"}


def send(api_key, **extra):
    values: dict[str, Any] = {"channel": "email", "to": "citizen@example.test", "kind": "agency_notice"}
    values.update(language="th", context=NOTICE)
    values.update(extra)
    return services.api_message_send(api_key=api_key, **values)


def test_an_api_key_is_shown_once_and_only_its_hash_is_kept(people):
    api_key, secret = services.api_key_create(
        actor=people["officer_with"], agency_code="home-agency", name=" Case system ", key_type="team"
    )
    assert re.fullmatch(rf"pracha_team_{api_key.prefix}_[A-Za-z0-9_-]{{43}}", secret)
    assert api_key.name == "Case system"
    assert api_key.rate_limit_per_minute == 600
    assert api_key.created_by == people["officer_with"]
    assert secret not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    assert selectors.api_key_authenticate(secret) == api_key
    assert selectors.api_key_authenticate(secret + "x") is None
    assert selectors.api_key_authenticate("") is None
    services.api_key_revoke(actor=people["officer_with"], api_key=api_key)
    assert selectors.api_key_authenticate(secret) is None
    assert list(selectors.api_keys_for(agency_codes=["home-agency"])) == [api_key]
    assert audit_actions() == ["notifications.api_key_create", "notifications.api_key_revoke"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"key_type": "admin"}, "key_type"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"name": " "}, "name"),
        ({"agency_code": ""}, "agency"),
        ({"agency_code": "  "}, "agency"),
    ],
)
def test_a_bad_key_is_refused(arguments, field):
    values = {"actor": None, "agency_code": "home-agency", "name": "x", "key_type": "live", **arguments}
    with pytest.raises(InvalidInput) as refused:
        services.api_key_create(**values)
    assert list(refused.value.fields) == [field]
    assert not ApiKey.objects.exists()


def test_a_callback_url_must_be_http_with_a_token():
    api_key, _secret = key()
    for url, token, field in [
        ("ftp://x.example/", "a" * 20, "url"),
        ("https://x.example/cb", "short", "token"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.api_key_callback_set(actor=None, api_key=api_key, url=url, token=token)
        assert list(refused.value.fields) == [field]
    services.api_key_callback_set(actor=None, api_key=api_key, url="https://x.example/cb", token="t" * 20)
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == ("https://x.example/cb", "t" * 20)
    services.api_key_callback_set(actor=None, api_key=api_key, url="", token="ignored")
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == ("", "")


def test_a_test_key_message_is_delivered_and_never_sent(django_capture_on_commit_callbacks):
    api_key, _secret = key("test")
    with django_capture_on_commit_callbacks(execute=True):
        message = send(api_key, client_reference="case-1")
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == (Status.DELIVERED, None, 0)
    assert message.delivered_at is not None
    assert mail.outbox == []
    entry = AuditEntry.objects.get(action="notifications.api_send")
    assert entry.actor_id == ""
    assert entry.payload["key"] == api_key.prefix
    assert entry.payload["agency"] == "home-agency"


def test_a_live_key_message_is_queued_and_sent(django_capture_on_commit_callbacks):
    api_key, _secret = key("live")
    with django_capture_on_commit_callbacks(execute=True):
        message = send(api_key, to=" Citizen@Example.test ")
    message.refresh_from_db()
    assert (message.status, message.address, message.agency_code) == (
        Status.SENT,
        "citizen@example.test",
        "home-agency",
    )
    [letter] = mail.outbox
    assert letter.subject == "นัดหมาย"
    assert letter.body.startswith(
        "กรุณามาที่สำนักงานเขตวันจันทร์\n\nสำนักงานเขตบางรัก\n\n--\nข้อความนี้ส่งผ่าน pracha.example"
    )
    assert selectors.api_message_get(api_key=api_key, public_id=message.public_id) == message


def test_a_team_key_sends_only_to_the_agencys_staff():
    api_key, _secret = key("team")
    with pytest.raises(PermissionDenied) as refused:
        send(api_key)
    assert str(refused.value) == "A team key sends only to your agency's staff."
    assert not Message.objects.exists()
    assert audit_actions() == ["notifications.api_key_create"]
    assert send(api_key, team_member=True).status == Status.QUEUED


def test_a_key_over_its_rate_limit_gets_429_with_a_clear_message(frozen_rate_clock):
    api_key, _secret = key("live", rate_limit_per_minute=2)
    send(api_key)
    send(api_key)
    with pytest.raises(RateLimited) as refused:
        send(api_key)
    assert refused.value.status == 429
    assert str(refused.value) == "This key may send 2 messages a minute. Please wait a minute and try again."
    assert Message.objects.count() == 2


def test_the_same_client_reference_returns_the_first_message():
    api_key, _secret = key("live", rate_limit_per_minute=1)
    first = send(api_key, client_reference="case-7")
    again = send(api_key, client_reference="case-7")  # not counted against the limit either
    assert again == first
    assert Message.objects.count() == 1
    other_key, _secret = key("live")
    assert send(other_key, client_reference="case-7") != first


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"kind": "application_received"}, "kind"),
        ({"channel": "inapp"}, "channel"),
        ({"to": "nobody"}, "to"),
        ({"language": "de"}, "language"),
        ({"context": {"agency": "x", "subject": "y"}}, "context"),
        ({"context": {**NOTICE, "extra": "z"}}, "context"),
    ],
)
def test_a_bad_api_message_is_refused_and_nothing_is_made(arguments, field):
    api_key, _secret = key("live")
    with pytest.raises(InvalidInput) as refused:
        send(api_key, **arguments)
    assert list(refused.value.fields) == [field]
    assert not Message.objects.exists()


def test_a_revoked_key_cannot_send():
    api_key, _secret = key("live")
    services.api_key_revoke(actor=None, api_key=api_key)
    with pytest.raises(PermissionDenied):
        send(api_key)
    assert not Message.objects.exists()


def test_another_agencys_message_is_not_found():
    api_key, _secret = key("live")
    other, _secret = key("live", agency_code="other-agency")
    message = send(api_key)
    with pytest.raises(NotFound):
        selectors.api_message_get(api_key=other, public_id=message.public_id)
    with pytest.raises(NotFound):
        selectors.api_message_get(api_key=api_key, public_id="not-a-uuid")


# --- SMS through the send API -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ดูที่ https://pracha.example/x", "ดูที่ WWW.example.com", "HTTP://x"])
def test_an_api_sms_never_carries_a_link(value):
    api_key, _secret = key("test")
    with pytest.raises(InvalidInput) as refused:
        send(api_key, channel="sms", to="081 234 5678", context={**NOTICE, "body": value})
    assert refused.value.fields == {
        "context": [
            "The value of body contains a link (http or www.). SMS messages from the platform never carry "
            "links: people are taught that a link in an SMS is a fraud."
        ]
    }
    assert not Message.objects.exists()


def test_an_api_email_may_carry_a_link():
    api_key, _secret = key("test")
    message = send(api_key, context={**NOTICE, "body": "ดูรายละเอียดที่ https://bma.example/notice"})
    assert "https://bma.example/notice" in message.body


def test_an_api_sms_longer_than_four_parts_is_refused():
    api_key, _secret = key("test")
    with pytest.raises(InvalidInput) as refused:
        send(api_key, channel="sms", to="0812345678", context={**NOTICE, "body": "ก" * 300})
    [problem] = refused.value.fields["context"]
    assert re.fullmatch(
        r"This SMS would take \d parts; at most 4 are allowed\. Shorten the values\.", str(problem)
    )
    assert not Message.objects.exists()
    assert send(api_key, channel="sms", to="0812345678", context={**NOTICE, "body": "ก" * 100}).status == (
        Status.DELIVERED
    )


# --- callback URLs: only public addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/cb",
        "http://localhost/cb",
        "https://10.1.2.3/cb",
        "https://192.168.1.20/cb",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/cb",
    ],
)
def test_a_callback_url_on_a_private_network_is_refused_when_saved(settings, url):
    settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = False
    api_key, _secret = key()
    with pytest.raises(InvalidInput) as refused:
        services.api_key_callback_set(actor=None, api_key=api_key, url=url, token="t" * 20)
    assert refused.value.fields == {
        "url": [
            "This web address leads to a private or internal network. Give the public internet address "
            "of your system."
        ]
    }
    api_key.refresh_from_db()
    assert api_key.callback_url == ""


def test_a_host_name_with_any_private_address_is_refused(settings, monkeypatch):
    settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = False
    addresses = {"public.example": ["93.184.216.34"], "mixed.example": ["93.184.216.34", "10.0.0.7"]}
    monkeypatch.setattr(gateways, "resolve", lambda host, port: addresses[host])
    api_key, _secret = key()
    services.api_key_callback_set(
        actor=None, api_key=api_key, url="https://public.example/cb", token="t" * 20
    )
    with pytest.raises(InvalidInput):
        services.api_key_callback_set(
            actor=None, api_key=api_key, url="https://mixed.example/cb", token="t" * 20
        )
    api_key.refresh_from_db()
    assert api_key.callback_url == "https://public.example/cb"


def test_outside_demo_mode_a_callback_url_must_be_https(settings):
    settings.PRACHA_DEMO = False
    api_key, _secret = key()
    with pytest.raises(InvalidInput) as refused:
        services.api_key_callback_set(
            actor=None, api_key=api_key, url="http://agency.example/cb", token="t" * 20
        )
    assert refused.value.fields == {"url": ["Enter a web address starting with https://."]}
    # A name that does not resolve yet is accepted: every callback checks it again.
    services.api_key_callback_set(
        actor=None, api_key=api_key, url="https://agency.example/cb", token="t" * 20
    )
    with pytest.raises(gateways.CallbackRefused):
        gateways.callback_post(url="http://agency.example/cb", token="t" * 20, payload={})


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/cb", "http://10.0.0.1:{port}/cb", "http://169.254.169.254/latest/meta-data/"],
)
def test_a_callback_to_a_private_address_is_refused_when_sent(settings, agency_system, url):
    settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = False
    with pytest.raises(gateways.CallbackRefused, match="not public"):
        gateways.callback_post(url=url.format(port=agency_system.port), token="t" * 20, payload={"id": "x"})
    assert agency_system.received == []


def test_a_callback_refused_when_sent_stops_at_once(settings, agency_system, caplog):
    """A URL saved when it led to a public address, that now leads inside (DNS changed, or the rules):
    the callback is not sent, and not retried."""
    api_key, _secret = key("live")
    services.api_key_callback_set(actor=None, api_key=api_key, url=agency_system.url, token="t" * 20)
    settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = False
    message = MessageFactory(
        api_key=api_key, status=Status.DELIVERED, callback_due=True, callback_next_at=timezone.now()
    )
    assert services.callbacks_send_due() == 0
    message.refresh_from_db()
    assert (message.callback_due, message.callback_attempts, message.callback_next_at) == (False, 1, None)
    assert agency_system.received == []
    assert "is refused and has stopped" in caplog.text


def test_a_callback_connects_to_the_address_it_checked(monkeypatch, agency_system):
    """The host name is resolved once, checked, and the connection made to that address with the name
    in the Host header: no second look-up a rebinding DNS server could answer differently."""
    looked_up: list[str] = []

    def resolve(host, port):
        looked_up.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(gateways, "resolve", resolve)
    url = f"http://agency-system.example:{agency_system.port}/pracha-callback?key=1"
    gateways.callback_post(url=url, token="t" * 20, payload={"id": "x"})
    assert looked_up == ["agency-system.example"]
    [request] = agency_system.received
    assert request["host"] == f"agency-system.example:{agency_system.port}"
    assert request["path"] == "/pracha-callback?key=1"
    assert request["body"] == {"id": "x"}


# --- delivery callbacks ---------------------------------------------------------------------------------


def with_callback(api_key, agency_system):
    services.api_key_callback_set(actor=None, api_key=api_key, url=agency_system.url, token="t" * 20)


def test_a_final_status_queues_a_callback_retried_with_backoff(
    agency_system, django_capture_on_commit_callbacks
):
    agency_system.answers = [Answer(500)]
    api_key, _secret = key("live")
    with_callback(api_key, agency_system)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(api_key, client_reference="case-9")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert (message.callback_due, message.callback_attempts) == (True, 1)
    assert message.callback_next_at > timezone.now() + datetime.timedelta(seconds=25)
    [first] = agency_system.received
    assert first["path"] == "/pracha-callback"
    assert first["authorization"] == "Bearer " + "t" * 20
    assert first["body"] == {
        "id": str(message.public_id),
        "reference": "case-9",
        "to": "citizen@example.test",
        "channel": "email",
        "status": "sent",
        "created_at": message.created_at.isoformat(),
        "sent_at": message.sent_at.isoformat(),
        "completed_at": message.sent_at.isoformat(),
    }
    assert services.callbacks_send_due() == 0  # not due yet
    Message.objects.filter(pk=message.pk).update(callback_next_at=timezone.now())
    assert services.callbacks_send_due() == 1
    assert agency_system.received[1] == first
    message.refresh_from_db()
    assert (message.callback_due, message.callback_attempts, message.callback_next_at) == (False, 2, None)


def test_a_callback_stops_after_ten_attempts(agency_system, caplog):
    agency_system.answers = [Answer(503)] * 10
    api_key, _secret = key("live")
    with_callback(api_key, agency_system)
    message = MessageFactory(
        api_key=api_key, status=Status.DELIVERED, callback_due=True, callback_next_at=timezone.now()
    )
    for _ in range(10):
        Message.objects.filter(pk=message.pk).update(callback_next_at=timezone.now())
        assert services.callbacks_send_due() == 0
    message.refresh_from_db()
    assert (message.callback_due, message.callback_attempts) == (False, 10)
    assert len(agency_system.received) == 10
    assert "failed 10 times" in caplog.text


def test_a_message_without_a_callback_url_queues_no_callback():
    api_key, _secret = key("live")
    message = send(api_key)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.callback_due) == (Status.SENT, False)


def test_an_sms_receipt_queues_the_callback(agency_system, sms_on):
    api_key, _secret = key("live")
    with_callback(api_key, agency_system)
    message = sent_sms(api_key=api_key)
    services.sms_receipt_record(provider_reference="SMS00000000000009", status="undeliverable")
    message.refresh_from_db()
    assert message.callback_due is True
    assert services.callbacks_send_due() == 1
    [request] = agency_system.received
    assert request["body"]["status"] == "permanently_failed"
    assert request["body"]["completed_at"] == message.failed_at.isoformat()


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_a_callback_answered_2xx_succeeds(agency_system, status):
    agency_system.answers = [Answer(status)]
    gateways.callback_post(url=agency_system.url, token="t" * 20, payload={"id": "x"})
    assert len(agency_system.received) == 1


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_a_callback_answered_otherwise_is_a_temporary_failure(agency_system, status):
    agency_system.answers = [Answer(status)]
    with pytest.raises(TemporaryFailure) as failure:
        gateways.callback_post(url=agency_system.url, token="t" * 20, payload={"id": "x"})
    assert str(failure.value) == f"callback answered {status}"


def test_a_callback_redirect_is_not_followed(agency_system):
    agency_system.answers = [Answer(302, location=f"http://127.0.0.1:{agency_system.port}/elsewhere")]
    with pytest.raises(TemporaryFailure) as failure:
        gateways.callback_post(url=agency_system.url, token="t" * 20, payload={"id": "x"})
    assert str(failure.value) == "callback answered 302"
    assert [request["path"] for request in agency_system.received] == ["/pracha-callback"]


def test_a_callback_that_takes_too_long_is_a_temporary_failure(monkeypatch, agency_system):
    monkeypatch.setattr(gateways, "CALLBACK_TIMEOUT_SECONDS", 0.3)
    agency_system.answers = [Answer(204, delay=1.0)]
    started = time.monotonic()
    with pytest.raises(TemporaryFailure) as failure:
        gateways.callback_post(url=agency_system.url, token="t" * 20, payload={"id": "x"})
    assert time.monotonic() - started < 0.9
    assert str(failure.value) == "callback failed: TimeoutError: timed out"


def test_an_https_callback_checks_the_servers_certificate(agency_system):
    """The receiver speaks plain HTTP, not TLS: the handshake fails, and nothing is posted."""
    url = f"https://127.0.0.1:{agency_system.port}/pracha-callback"
    with pytest.raises(TemporaryFailure) as failure:
        gateways.callback_post(url=url, token="t" * 20, payload={"id": "x"})
    assert str(failure.value).startswith("callback unreachable: [SSL")
    assert all("body" not in request for request in agency_system.received)


def test_a_callback_nobody_listens_for_is_a_temporary_failure():
    with pytest.raises(TemporaryFailure) as failure:
        gateways.callback_post(url=f"http://127.0.0.1:{free_port()}/cb", token="t" * 20, payload={"id": "x"})
    assert str(failure.value) == "callback unreachable: [Errno 111] Connection refused"


def test_contacts_have_one_row_per_channel():
    contact = ContactFactory()
    assert selectors.contacts_for(user=contact.user)["email"] == contact
