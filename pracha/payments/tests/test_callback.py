"""The bank's payment notification, through the real URL: signature and timestamp checks (nothing stored
when they fail), replays, duplicate deliveries, every kind of exception, bad bodies, and a database that
is briefly unavailable (503, and the bank's retry pays once)."""

import datetime
import time
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test import Client
from django.utils import timezone

from pracha.accounts.tests.conftest import client_for
from pracha.audit.public import AuditEntry
from pracha.core.working_days import local_today
from pracha.payments import services
from pracha.payments.models import BankNotification, Bill, Payment, PaymentException, Receipt
from pracha.payments.tests.factories import (
    BillFactory,
    notification_body,
    payments_world,
    post_notification,
    signed,
)
from pracha.registries.tests.factories import TrafficTicketFactory

ACKNOWLEDGED = {"status": "acknowledged"}
SIGNATURE_INVALID = {
    "code": "signature_invalid",
    "message": "The signature of the notification is missing or does not match.",
    "fields": {},
}
STALE_TIMESTAMP = {
    "code": "stale_timestamp",
    "message": "The notification's timestamp is outside the accepted window.",
    "fields": {},
}
UNAVAILABLE = {
    "code": "unavailable",
    "message": "The service is briefly unavailable. Please send the notification again later.",
    "fields": {},
}
FORMAT = "This value is missing or not in the expected format."


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world):
    return BillFactory(agency=world["bang_rak"], payer_user=world["payer"])


@pytest.fixture
def bank() -> Client:
    """The bank: no session, no cookies but the language (so messages can be compared in English)."""
    return client_for(None)


def stored() -> tuple[int, int, int, int, int]:
    return (
        BankNotification.objects.count(),
        Payment.objects.count(),
        Receipt.objects.count(),
        PaymentException.objects.count(),
        AuditEntry.objects.count(),
    )


def deliver(bank: Client, body: dict[str, Any], **signing: Any) -> Any:
    return post_notification(bank, *signed(body, **signing))


def test_a_valid_notification_pays_the_bill_once(bank, bill, django_capture_on_commit_callbacks):
    body = notification_body(bill, transaction_id="SIM0001", paid_at="2026-11-24T10:15:00+07:00")
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(bank, body)
    assert response.status_code == 200
    assert response.json() == {**ACKNOWLEDGED, "outcome": "paid"}
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID
    assert bill.paid_at.isoformat() == "2026-11-24T03:15:00+00:00"
    payment = Payment.objects.get()
    assert (payment.bill, payment.channel, payment.bank_transaction_id, payment.payer_bank) == (
        bill,
        "promptpay",
        "SIM0001",
        "Simulated Bank",
    )
    assert payment.receipt.number.startswith("RC-BMA-BANG-RAK-")
    assert payment.receipt.amount_in_words == "สามร้อยบาทถ้วน"
    notification = BankNotification.objects.get()
    assert (notification.outcome, notification.transaction_id, notification.amount_satang) == (
        "paid",
        "SIM0001",
        30000,
    )
    entry = AuditEntry.objects.get(action="payments.bill_pay")
    assert (entry.actor_id, entry.target_id) == ("", bill.reference)
    assert entry.payload == {
        "channel": "promptpay",
        "transaction_id": "SIM0001",
        "amount_satang": 30000,
        "receipt_number": payment.receipt.number,
    }


@pytest.mark.parametrize(
    "forgery",
    [
        "wrong_secret",
        "tampered_body",
        "tampered_timestamp",
        "tampered_nonce",
        "uppercase_signature",
        "no_signature",
        "no_nonce",
        "short_nonce",
        "unknown_biller",
        "not_json",
    ],
)
def test_a_forged_notification_is_refused_and_nothing_is_stored(bank, bill, forgery, caplog):
    body = notification_body(bill)
    headers, raw = signed(body, secret="not-the-secret" if forgery == "wrong_secret" else None)
    if forgery == "tampered_body":
        raw = raw.replace(b'"300.00"', b'"3.00"')
    elif forgery == "tampered_timestamp":
        headers["X-Signature-Timestamp"] = str(int(headers["X-Signature-Timestamp"]) - 1)
    elif forgery == "tampered_nonce":
        headers["X-Signature-Nonce"] += "x"
    elif forgery == "uppercase_signature":
        headers["X-Signature"] = headers["X-Signature"].upper()
    elif forgery == "no_signature":
        del headers["X-Signature"]
    elif forgery == "no_nonce":
        del headers["X-Signature-Nonce"]
    elif forgery == "short_nonce":
        headers, raw = signed(body, nonce="1234567")
    elif forgery == "unknown_biller":
        headers, raw = signed(notification_body(bill, biller_id="099999999999999"), secret="anything")
    elif forgery == "not_json":
        headers, raw = signed(b"transaction_id=1", secret="demo-only-secret-bma-bang-rak")
    response = post_notification(bank, headers, raw)
    assert response.status_code == 401
    assert response.json() == SIGNATURE_INVALID
    assert stored() == (0, 0, 0, 0, 0)
    bill.refresh_from_db()
    assert bill.state == Bill.State.PENDING
    assert "payment notification refused (signature_invalid)" in caplog.text


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_notification_outside_the_time_window_is_refused(bank, bill, offset):
    response = deliver(bank, notification_body(bill), timestamp=int(time.time()) + offset)
    assert response.status_code == 401
    assert response.json() == STALE_TIMESTAMP
    assert stored() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("offset", [-295, 295])
def test_a_notification_inside_the_time_window_is_accepted(bank, bill, offset):
    response = deliver(bank, notification_body(bill), timestamp=int(time.time()) + offset)
    assert response.json() == {**ACKNOWLEDGED, "outcome": "paid"}


def test_a_replayed_request_changes_nothing(bank, bill):
    headers, raw = signed(notification_body(bill))
    assert post_notification(bank, headers, raw).json()["outcome"] == "paid"
    before = stored()
    response = post_notification(bank, headers, raw)
    assert response.status_code == 200
    assert response.json() == {**ACKNOWLEDGED, "outcome": "replay"}
    assert stored() == before
    assert Payment.objects.count() == 1


def test_a_duplicate_delivery_is_recorded_but_pays_once(bank, bill):
    body = notification_body(bill, transaction_id="SIM0002")
    assert deliver(bank, body).json()["outcome"] == "paid"
    response = deliver(bank, body)  # the bank's retry: same transaction, new nonce
    assert response.json() == {**ACKNOWLEDGED, "outcome": "duplicate"}
    assert Payment.objects.count() == 1
    assert list(BankNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "paid",
        "duplicate",
    ]
    assert PaymentException.objects.count() == 0
    entry = AuditEntry.objects.get(action="payments.notification")
    assert entry.payload == {"outcome": "duplicate", "transaction_id": "SIM0002"}


def exception_of(response: Any) -> PaymentException:
    assert response.status_code == 200
    assert response.json() == {**ACKNOWLEDGED, "outcome": "exception"}
    return PaymentException.objects.select_related("notification").get()


def test_a_wrong_amount_is_kept_as_an_exception_and_the_bill_stays_unpaid(world, bank, bill):
    exception = exception_of(deliver(bank, notification_body(bill, amount="299.99")))
    assert (exception.reason, exception.bill, exception.agency, exception.state) == (
        "wrong_amount",
        bill,
        world["bang_rak"],
        "open",
    )
    assert (exception.notification.outcome, exception.notification.amount_satang) == ("exception", 29999)
    bill.refresh_from_db()
    assert bill.state == Bill.State.PENDING
    assert Payment.objects.count() == 0
    entry = AuditEntry.objects.get(action="payments.notification")
    assert entry.payload["reason"] == "wrong_amount"
    assert entry.target_id == str(exception.public_id)


def test_an_unknown_reference_is_kept_as_an_exception(world, bank, bill):
    exception = exception_of(deliver(bank, notification_body(bill, ref1="2569999999")))
    assert (exception.reason, exception.bill, exception.agency) == (
        "unknown_reference",
        None,
        world["bang_rak"],
    )


def test_a_payment_to_another_agencys_biller_is_kept_as_an_exception(world, bank, bill):
    exception = exception_of(deliver(bank, notification_body(bill, biller_id="099999000000200")))
    assert (exception.reason, exception.bill, exception.agency) == ("wrong_biller", bill, world["rtp"])


def test_a_wrong_reference_2_is_kept_as_an_exception(bank, bill):
    assert (
        exception_of(deliver(bank, notification_body(bill, ref2="APP2569000000"))).reason == "wrong_reference"
    )


def test_a_second_transaction_for_a_paid_bill_is_kept_as_an_exception(bank, bill):
    assert deliver(bank, notification_body(bill, transaction_id="SIM0003")).json()["outcome"] == "paid"
    exception = exception_of(deliver(bank, notification_body(bill, transaction_id="SIM0004")))
    assert (exception.reason, exception.bill) == ("not_payable", bill)
    assert Payment.objects.get().bank_transaction_id == "SIM0003"


def test_a_payment_for_a_cancelled_bill_is_kept_as_an_exception(world, bank):
    bill = BillFactory(agency=world["bang_rak"], kind=Bill.Kind.LAND_TAX, subject_reference="LT-2569-000001")
    services.bill_cancel(actor=world["finance"], bill=bill, reason="ประเมินผิด")
    assert exception_of(deliver(bank, notification_body(bill))).reason == "not_payable"
    bill.refresh_from_db()
    assert bill.state == Bill.State.CANCELLED


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"ref1": "2569999999"}, "unknown_reference"), ({"amount": "299.99"}, "wrong_amount")],
)
def test_the_banks_retry_of_an_exception_is_a_duplicate_not_a_second_exception(bank, bill, change, reason):
    body = notification_body(bill, transaction_id="SIM0005", **change)
    assert exception_of(deliver(bank, body)).reason == reason
    response = deliver(bank, body)  # the bank's retry: same transaction, new nonce
    assert response.json() == {**ACKNOWLEDGED, "outcome": "duplicate"}
    assert PaymentException.objects.get().notification.outcome == "exception"
    assert list(BankNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "exception",
        "duplicate",
    ]
    entries = AuditEntry.objects.filter(action="payments.notification").order_by("pk")
    assert [entry.payload["outcome"] for entry in entries] == ["exception", "duplicate"]
    assert entries.last().payload == {"outcome": "duplicate", "transaction_id": "SIM0005"}
    assert Payment.objects.count() == 0


def bangkok(day: datetime.date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+07:00"


@pytest.mark.parametrize(
    ("days_after_due", "hour", "minute", "outcome"),
    [(0, 23, 59, "paid"), (1, 0, 1, "exception")],  # Bangkok time: the last minute of the due date, or after
)
def test_a_payment_made_in_time_pays_a_bill_that_expired_before_the_bank_told_us(
    bank, bill, days_after_due, hour, minute, outcome
):
    due = local_today() - datetime.timedelta(days=1)
    bill.due_date = due
    bill.save()
    assert services.bills_expire() == 1
    paid_at = bangkok(due + datetime.timedelta(days=days_after_due), hour, minute)
    response = deliver(bank, notification_body(bill, paid_at=paid_at))
    assert response.json() == {**ACKNOWLEDGED, "outcome": outcome}
    bill.refresh_from_db()
    if outcome == "paid":
        assert (bill.state, Payment.objects.get().bill) == ("paid", bill)
        assert PaymentException.objects.count() == 0
    else:
        assert (bill.state, Payment.objects.count()) == ("expired", 0)
        assert PaymentException.objects.get().reason == "not_payable"


def test_a_late_notification_does_not_pay_an_expired_bill_already_replaced(bank, bill):
    due = local_today() - datetime.timedelta(days=1)
    bill.due_date = due
    bill.save()
    services.bills_expire()
    bill.refresh_from_db()
    renewed = services.bill_renew(bill=bill)
    exception = exception_of(deliver(bank, notification_body(bill, paid_at=bangkok(due, 9))))
    assert (exception.reason, exception.bill) == ("not_payable", bill)
    assert (Bill.objects.get(pk=bill.pk).state, Bill.objects.get(pk=renewed.pk).state) == (
        "expired",
        "created",
    )


def test_an_exception_goes_to_the_office_of_the_bill_even_through_its_parents_biller(world, bank, settings):
    # Bang Rak without a biller ID of its own: its bills are paid to Bangkok's.
    settings.PRACHA_BILLERS = {
        code: entry for code, entry in settings.PRACHA_BILLERS.items() if code != "bma-bang-rak"
    }
    bangkok_biller = settings.PRACHA_BILLERS["bma"]["biller_id"]
    bill = BillFactory(agency=world["bang_rak"])
    wrong_amount = exception_of(
        deliver(bank, notification_body(bill, biller_id=bangkok_biller, amount="1.00"))
    )
    assert (wrong_amount.reason, wrong_amount.bill, wrong_amount.agency) == (
        "wrong_amount",
        bill,
        world["bang_rak"],
    )
    unknown = deliver(bank, notification_body(bill, biller_id=bangkok_biller, ref1="2569999999"))
    assert unknown.json()["outcome"] == "exception"
    assert PaymentException.objects.get(reason="unknown_reference").agency == world["bma"]


def test_a_payment_for_a_fine_already_paid_elsewhere_is_kept_as_an_exception(world, bank):
    ticket = TrafficTicketFactory(plate="9กข9999", agency=world["rtp"])
    bill = services.bill_for_traffic_ticket(ticket_number=ticket.ticket_number, plate="9กข9999")
    ticket.paid_at, ticket.receipt_number = timezone.now(), "STATION-7"
    ticket.save()
    exception = exception_of(deliver(bank, notification_body(bill)))
    assert (exception.reason, exception.bill, exception.agency) == ("not_payable", bill, world["rtp"])
    ticket.refresh_from_db()
    assert ticket.receipt_number == "STATION-7"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"amount": "300.001"}, {"amount": [FORMAT]}),
        ({"amount": "-300.00"}, {"amount": [FORMAT]}),
        ({"amount": 300}, {"amount": [FORMAT]}),
        ({"amount": "0.00"}, {"amount": [FORMAT]}),
        ({"amount": "100000000000.00"}, {"amount": [FORMAT]}),
        ({"amount": "10000000000.00"}, {"amount": [FORMAT]}),  # more than a PromptPay QR code can carry
        ({"amount": "1,000.00"}, {"amount": [FORMAT]}),
        ({"amount": "300.00 บาท"}, {"amount": [FORMAT]}),
        ({"amount": "3e2"}, {"amount": [FORMAT]}),
        ({"paid_at": "2026-11-24T10:15:00"}, {"paid_at": [FORMAT]}),
        ({"paid_at": "yesterday"}, {"paid_at": [FORMAT]}),
        ({"transaction_id": ""}, {"transaction_id": [FORMAT]}),
        ({"transaction_id": "T" * 65}, {"transaction_id": [FORMAT]}),
        ({"ref1": None}, {"ref1": [FORMAT]}),
        ({"ref2": 5, "payer_bank": "B" * 41}, {"ref2": [FORMAT], "payer_bank": [FORMAT]}),
    ],
)
def test_a_signed_body_in_the_wrong_format_is_refused(bank, bill, change, fields):
    response = deliver(bank, notification_body(bill, **change))
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Some of the information given is not valid. Please check and try again.",
        "fields": fields,
    }
    assert stored() == (0, 0, 0, 0, 0)


def test_a_missing_transaction_id_is_refused(bank, bill):
    body = notification_body(bill)
    del body["transaction_id"]
    response = deliver(bank, body)
    assert (response.status_code, response.json()["fields"]) == (400, {"transaction_id": [FORMAT]})


@pytest.mark.parametrize("failing", ["every query", "the payment insert"])
def test_while_the_database_is_unavailable_the_bank_is_told_to_retry(bank, bill, failing):
    headers, raw = signed(notification_body(bill))

    def unavailable(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if failing == "every query" or sql.startswith('INSERT INTO "payments_payment"'):
            raise OperationalError("the database is not available")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(unavailable):
        response = post_notification(bank, headers, raw)
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert stored() == (0, 0, 0, 0, 0)
    retry = post_notification(bank, headers, raw)  # the same request again, as the bank retries it
    assert retry.json() == {**ACKNOWLEDGED, "outcome": "paid"}
    assert Payment.objects.count() == 1
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID


def test_a_failed_insert_that_is_not_a_replay_is_retried_not_acknowledged(bank, bill):
    headers, raw = signed(notification_body(bill))

    def refused(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('INSERT INTO "payments_banknotification"'):
            raise IntegrityError("a constraint other than the nonce's")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refused):
        response = post_notification(bank, headers, raw)
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert stored() == (0, 0, 0, 0, 0)
    assert post_notification(bank, headers, raw).json() == {**ACKNOWLEDGED, "outcome": "paid"}


def test_the_callback_needs_no_csrf_token(bill):
    bank = Client(enforce_csrf_checks=True)
    assert post_notification(bank, *signed(notification_body(bill))).json()["outcome"] == "paid"
