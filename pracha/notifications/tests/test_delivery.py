"""End to end through real servers: e-mail through the local SMTP catch-all (aiosmtpd in its own
process), SMS through the gateway simulator (its own process), whose delivery receipts come back to this
test's live server. Failures: SMTP down then up, numbers the gateway refuses or cannot deliver to,
workers that die holding a message or after the gateway took it, and rate limits."""

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from pracha.notifications import selectors, services
from pracha.notifications.models import Message
from pracha.notifications.tests.conftest import AgencySystem, Answer
from pracha.notifications.tests.factories import (
    MessageFactory,
    fresh_cache,  # noqa: F401 (a fixture)
    person,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]

Status = Message.Status
CONTEXT: dict[str, str | dict[str, str]] = {
    "reference": "APP-2569-000777",
    "service": {"th": "จดทะเบียนพาณิชย์ (บุคคลธรรมดา)", "en": "Commercial registration (sole trader)"},
}
LINK = "/applications/APP-2569-000777/"


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.05)


def status_of(message: Message) -> str:
    return Message.objects.values_list("status", flat=True).get(pk=message.pk)


def notify(recipient: Any, **extra: Any) -> list[Message]:
    with transaction.atomic():
        return services.notify(
            kind=extra.pop("kind", "application_received"),
            recipient=recipient,
            agency_code=extra.pop("agency_code", "bma-bang-rak"),
            context=extra.pop("context", CONTEXT),
            link=LINK,
            **extra,
        )


def overdue(message: Message) -> None:
    """Move the next attempt into the past rather than waiting for the backoff."""
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def at_start_of_a_second() -> None:
    """Rate limits count per clock second: start a sweep early in one, so it does not straddle two."""
    time.sleep(1.02 - time.time() % 1)


@pytest.fixture
def smtp(settings, mailbox):
    settings.EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.smtp_port
    settings.EMAIL_TIMEOUT = 5
    return mailbox


@pytest.fixture
def sms(settings, sms_gateway, live_server):
    settings.PRACHA_SMS_GATEWAY_URL = sms_gateway.url
    settings.PRACHA_SITE_URL = live_server.url
    return sms_gateway


# --- e-mail ---------------------------------------------------------------------------------------------


def test_an_email_arrives_in_the_persons_language_with_the_placeholders_filled(smtp):
    thai = person(email="somchai@example.test")
    english = person(language="en", email="john@example.test")
    _inapp, thai_email = notify(thai, dedupe_key="thai")
    _inapp, english_email = notify(english, dedupe_key="english")
    arrived = smtp.wait_for(lambda messages: len(messages) == 2)
    by_address = {message["to"][0]: message for message in arrived}
    received_th, received_en = by_address["somchai@example.test"], by_address["john@example.test"]
    assert received_th["subject"] == "ได้รับคำขอ APP-2569-000777 แล้ว"
    assert received_th["text"].startswith(
        "เราได้รับคำขอ จดทะเบียนพาณิชย์ (บุคคลธรรมดา) ของคุณแล้ว\nเลขที่คำขอ: APP-2569-000777\n"
    )
    assert "http://testserver/applications/APP-2569-000777/" in received_th["text"]
    assert "ข้อความนี้ส่งจาก pracha.example โดยอัตโนมัติ" in received_th["text"]
    assert "((" not in received_th["text"]
    assert received_th["from"] == "no-reply@pracha.example"  # the envelope sender
    assert received_th["message_id"] == f"<{thai_email.public_id}@pracha.example>"
    assert received_en["subject"] == "Application APP-2569-000777 received"
    assert received_en["text"].startswith(
        "We have received your application for Commercial registration (sole trader).\n"
    )
    assert received_en["message_id"] == f"<{english_email.public_id}@pracha.example>"
    for message in (thai_email, english_email):
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.SENT, 1)


def test_smtp_down_then_up_retries_and_delivers_once(smtp):
    someone = person(email="somchai@example.test")
    smtp.stop()
    _inapp, email = notify(someone)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=25)
    assert services.messages_send_due() == 0  # not due yet
    smtp.start()
    overdue(email)
    assert services.messages_send_due() == 1
    arrived = smtp.wait_for(lambda messages: len(messages) == 1)
    assert arrived[0]["message_id"] == f"<{email.public_id}@pracha.example>"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert services.messages_send_due() == 0
    time.sleep(0.3)
    assert len(smtp.messages()) == 1


def test_a_worker_that_died_holding_an_email_loses_nothing(smtp):
    message = MessageFactory(address="somchai@example.test")
    assert services._claim(message.pk) is not None  # the worker took it, then died
    assert services.messages_send_due() == 0  # its lease still holds
    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.messages_send_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    smtp.wait_for(lambda messages: len(messages) == 1)
    assert services.messages_send_due() == 0
    time.sleep(0.3)
    assert len(smtp.messages()) == 1


# --- SMS ------------------------------------------------------------------------------------------------


def test_an_sms_arrives_and_its_receipt_marks_it_delivered(sms):
    someone = person(phone="+66812345678")
    _inapp, message = notify(someone)
    [sent] = sms.wait_for(lambda messages: len(messages) == 1)
    assert sent["to"] == "+66812345678"
    assert sent["text"] == "ได้รับคำขอ APP-2569-000777 แล้ว ดูที่ pracha.example เราไม่ส่งลิงก์"
    assert (sent["sender"], sent["encoding"], sent["parts"]) == ("PRACHA", "UCS-2", 1)
    assert sent["reference"] == str(message.public_id)
    wait_until(lambda: status_of(message) == Status.DELIVERED)
    message.refresh_from_db()
    assert message.provider_reference == sent["id"]
    assert message.attempts == 1
    assert message.sent_at <= message.delivered_at


def test_an_sms_in_english(sms):
    someone = person(language="en", phone="+66812345678")
    notify(someone)
    [sent] = sms.wait_for(lambda messages: len(messages) == 1)
    assert sent["text"] == (
        "We have received your application APP-2569-000777. See pracha.example. We never send links."
    )
    assert sent["encoding"] == "GSM-7"


def test_a_number_the_gateway_refuses_fails_permanently_after_one_attempt(sms):
    someone = person(phone="+66899999012")
    _inapp, message = notify(someone, agency_code="bma-bang-rak")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PERMANENTLY_FAILED, 1)
    assert message.last_error.startswith("SMS gateway refused the message: 400 invalid_number")
    assert list(selectors.undelivered_messages(agency_codes=["bma-bang-rak"])) == [message]
    assert list(selectors.undelivered_messages(agency_codes=["dbd"])) == []
    overdue(message)
    assert services.messages_send_due() == 0
    assert sms.messages() == []


def test_an_undeliverable_receipt_fails_the_sms_permanently(sms):
    someone = person(phone="+66899999123")
    _inapp, message = notify(someone)
    wait_until(lambda: status_of(message) == Status.PERMANENTLY_FAILED)
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "the SMS gateway reported the message undeliverable"
    assert list(selectors.undelivered_messages(agency_codes=["bma-bang-rak"])) == [message]


def test_a_failing_gateway_is_retried_until_it_takes_the_message(sms):
    someone = person(phone="+66812345678")
    sms.set_mode("fail")
    _inapp, message = notify(someone)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.last_error.startswith("SMS gateway answered 503")
    sms.set_mode("normal")
    overdue(message)
    assert services.messages_send_due() == 1
    wait_until(lambda: status_of(message) == Status.DELIVERED)
    assert len(sms.messages()) == 1


def test_a_worker_that_died_after_the_gateway_took_the_sms_sends_nothing_twice(sms, live_server):
    message = MessageFactory(channel="sms", address="+66812345678", body="ทดสอบ ข้อความจริงจาก pracha.example")
    assert services._claim(message.pk) is not None
    # The worker's request reached the gateway, then the worker died before recording the answer.
    status, answer = sms.send(
        to=message.address,
        text=message.body,
        reference=str(message.public_id),
        callback_url=f"{live_server.url}/api/v1/notifications/sms-receipts",
    )
    assert status == 201
    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    services.messages_send_due()
    wait_until(lambda: status_of(message) == Status.DELIVERED)
    message.refresh_from_db()
    assert message.provider_reference == answer["id"]
    assert [sent["id"] for sent in sms.messages()] == [answer["id"]]
    assert services.messages_send_due() == 0


def test_over_the_sms_rate_limit_messages_wait_and_are_all_sent_later(sms, settings):
    settings.PRACHA_NOTIFY_RATE_LIMITS = {"sms": 2}
    messages = [
        MessageFactory(channel="sms", address=f"+6681234560{n}", body=f"ข้อความ {n} จาก pracha.example")
        for n in range(5)
    ]
    at_start_of_a_second()
    assert services.messages_send_due(seconds=0) == 2  # one pass: the limit's 2 for this second
    assert [(m.status, m.attempts) for m in Message.objects.order_by("pk")] == [(Status.SENT, 1)] * 2 + [
        (Status.QUEUED, 0)
    ] * 3
    assert len(sms.messages()) == 2
    # A sweep with time to spare keeps going, 2 a second, until the queue is empty.
    at_start_of_a_second()
    started = time.monotonic()
    assert services.messages_send_due(seconds=4) == 3
    assert 0.9 < time.monotonic() - started < 2.5
    assert sorted(m["to"] for m in sms.messages()) == sorted(m.address for m in messages)
    assert not Message.objects.exclude(status__in=[Status.SENT, Status.DELIVERED]).exists()
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


# --- a delivery callback to an agency's system ----------------------------------------------------------


def test_an_api_message_reports_its_final_status_to_the_agencys_callback(smtp, agency_system: AgencySystem):
    agency_system.answers = [Answer(500)]
    api_key, _secret = services.api_key_create(
        actor=None, agency_code="bma-bang-rak", name="Case system", key_type="live"
    )
    services.api_key_callback_set(
        actor=None, api_key=api_key, url=agency_system.url, token="callback-token-1234"
    )
    with transaction.atomic():
        message = services.api_message_send(
            api_key=api_key,
            channel="email",
            to="citizen@example.test",
            kind="agency_notice",
            language="en",
            context={
                "agency": "Bang Rak District Office",
                "subject": "Appointment",
                "body": "Come on Monday.",
            },
            client_reference="case-42",
        )
    [arrived] = smtp.wait_for(lambda messages: len(messages) == 1)
    assert arrived["subject"] == "Appointment"
    message.refresh_from_db()
    assert (message.status, message.callback_due, message.callback_attempts) == (Status.SENT, True, 1)
    Message.objects.filter(pk=message.pk).update(callback_next_at=timezone.now())
    assert services.callbacks_send_due() == 1
    first, second = agency_system.received
    assert first == second
    assert first["authorization"] == "Bearer callback-token-1234"
    assert first["body"]["reference"] == "case-42"
    assert first["body"]["status"] == "sent"
    assert first["body"]["to"] == "citizen@example.test"
    message.refresh_from_db()
    assert (message.callback_due, message.callback_attempts) == (False, 2)


# --- two processes telling the same event at once -------------------------------------------------------


def test_two_transactions_notifying_the_same_event_at_once_make_one_message_per_channel():
    if connection.vendor == "sqlite":
        # The test database is SQLite in memory with a shared cache, where a second writer fails at once
        # ("table is locked"); the real file database takes its write lock at BEGIN (IMMEDIATE), so
        # two writers queue and the second sees the first's message. PostgreSQL runs this race.
        pytest.skip("concurrent writers need PostgreSQL (or a file database)")
    someone = person(email="somchai@example.test")
    first_made = threading.Event()
    results: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def tell(name: str, hold: float) -> None:
        try:
            with transaction.atomic():
                made = services.notify(
                    kind="application_received",
                    recipient=someone,
                    agency_code="bma-bang-rak",
                    context=CONTEXT,
                    link=LINK,
                    dedupe_key="application_received:APP-2569-000777:1",
                )
                results[name] = [message.pk for message in made]
                if hold:
                    first_made.set()
                    time.sleep(hold)  # still uncommitted while the other one tries
        except BaseException as error:
            errors.append(error)
            first_made.set()
        finally:
            connection.close()

    first = threading.Thread(target=tell, args=("first", 0.5))
    first.start()
    assert first_made.wait(10)
    second = threading.Thread(target=tell, args=("second", 0))
    second.start()
    first.join(15)
    second.join(15)
    assert errors == []
    assert results["second"] == results["first"]
    assert Message.objects.filter(dedupe_key="application_received:APP-2569-000777:1").count() == 2
