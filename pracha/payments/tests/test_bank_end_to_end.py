"""Payments end to end through the real demo bank: the simulator runs as its own process and POSTs its
signed notifications to the live server over loopback, retrying until Pracha answers 2xx. A fine is paid
once with its receipt and the ticket marked; a redelivery is a duplicate; a wrong amount waits for an
officer; a database outage during delivery loses nothing and pays once; the bank's own statement
reconciles against what arrived."""

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from pracha.agencies.models import Role
from pracha.audit.public import AuditEntry
from pracha.core import events
from pracha.core.thai_dates import buddhist_year
from pracha.payments import selectors, services
from pracha.payments.models import BankNotification, Bill, Payment, PaymentException, Receipt, StatementLine
from pracha.payments.tests.factories import officer, payments_world
from pracha.registries.models import TrafficTicket
from pracha.registries.tests.factories import TrafficTicketFactory
from simulators.running import RunningBank

# A live server and a bank process need committed data: every test here is transactional.
pytestmark = pytest.mark.django_db(transaction=True)

RTP_BILLER = "099999000000200"
BANGKOK = datetime.timezone(datetime.timedelta(hours=7))
OUTAGE_SECONDS = 2.0


@pytest.fixture
def world(transactional_db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def fine(world: dict[str, Any]) -> Callable[..., Bill]:
    """fine(): a new THB 500.00 police ticket, looked up by number and plate, and its bill (shown once,
    so pending), as a person paying it online has it."""

    def make(fine_satang: int = 50_000) -> Bill:
        ticket = TrafficTicketFactory.create(agency=world["rtp"], plate="1กข1234", fine_satang=fine_satang)
        bill = services.bill_for_traffic_ticket(ticket_number=ticket.ticket_number, plate="1กข 1234")
        return services.bill_present(bill=bill)

    return make


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> list[events.PaymentSettled]:
    """Every PaymentSettled delivered after a commit, whichever thread committed."""
    seen: list[events.PaymentSettled] = []
    handlers = [*events._handlers[events.PaymentSettled], seen.append]
    monkeypatch.setitem(events._handlers, events.PaymentSettled, handlers)
    return seen


def pay(bank: RunningBank, bill: Bill, **options: Any) -> str:
    """Pay the bill's QR code at the bank, as the bank's app does after scanning it."""
    return bank.pay(selectors.promptpay_payload(bill), **options)


def ticket_of(bill: Bill) -> TrafficTicket:
    return TrafficTicket.objects.get(ticket_number=bill.subject_reference)


def test_a_fine_paid_at_the_bank_is_paid_once_with_its_receipt_and_the_ticket_marked(
    bank_simulator: RunningBank, fine: Callable[..., Bill], settled: list[events.PaymentSettled]
) -> None:
    bill = fine()
    assert (bill.state, bill.ref2) == (Bill.State.PENDING, bill.subject_reference)

    transaction_id = pay(bank_simulator, bill)
    status = bank_simulator.wait_delivered(transaction_id)

    assert (status["outcome"], status["attempts"], status["last_status"]) == ("paid", 1, 200)
    assert (status["biller_id"], status["ref1"], status["ref2"], status["amount"]) == (
        RTP_BILLER,
        bill.ref1,
        bill.ref2,
        "500.00",
    )
    paid_at = datetime.datetime.fromisoformat(status["paid_at"])
    bill.refresh_from_db()
    assert (bill.state, bill.paid_at) == (Bill.State.PAID, paid_at)
    payment = Payment.objects.get()
    assert (
        payment.bill_id,
        payment.channel,
        payment.bank_transaction_id,
        payment.amount_satang,
        payment.payer_bank,
        payment.paid_at,
    ) == (bill.pk, Payment.Channel.PROMPTPAY, transaction_id, 50_000, "Pracha Demo Bank", paid_at)
    receipt = Receipt.objects.get()
    year = buddhist_year(timezone.localdate())
    assert (
        receipt.payment_id,
        receipt.number,
        receipt.agency_id,
        receipt.amount_satang,
        receipt.amount_in_words,
        receipt.channel,
    ) == (payment.pk, f"RC-RTP-{year}-000001", bill.agency_id, 50_000, "ห้าร้อยบาทถ้วน", "promptpay")
    ticket = ticket_of(bill)
    assert (ticket.paid_at, ticket.receipt_number) == (paid_at, receipt.number)
    assert list(BankNotification.objects.values_list("transaction_id", "biller_id", "outcome")) == [
        (transaction_id, RTP_BILLER, "paid")
    ]
    assert not PaymentException.objects.exists()
    assert AuditEntry.objects.filter(action="payments.bill_pay").count() == 1
    assert AuditEntry.objects.filter(action="registries.ticket_paid").count() == 1
    assert settled == [
        events.PaymentSettled(
            payable_reference=bill.subject_reference,
            payment_id=str(payment.public_id),
            amount_satang=50_000,
            channel="promptpay",
            receipt_number=receipt.number,
        )
    ]


def test_a_redelivered_notification_is_a_duplicate_and_pays_nothing_more(
    bank_simulator: RunningBank, fine: Callable[..., Bill], settled: list[events.PaymentSettled]
) -> None:
    bill = fine()
    transaction_id = pay(bank_simulator, bill)
    assert bank_simulator.wait_delivered(transaction_id)["outcome"] == "paid"

    bank_simulator.redeliver(transaction_id)
    status = bank_simulator.wait_delivered(transaction_id)

    assert status["outcome"] == "duplicate"
    assert [(d["attempts"], d["delivered"], d["last_status"]) for d in status["deliveries"]] == [
        (1, True, 200),
        (1, True, 200),
    ]
    assert Payment.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert list(BankNotification.objects.order_by("pk").values_list("transaction_id", "outcome")) == [
        (transaction_id, "paid"),
        (transaction_id, "duplicate"),
    ]
    assert AuditEntry.objects.filter(action="payments.bill_pay").count() == 1
    assert len(settled) == 1
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID


def test_a_wrong_amount_waits_for_an_officer_and_the_bank_is_not_asked_again(
    bank_simulator: RunningBank, fine: Callable[..., Bill], world: dict[str, Any]
) -> None:
    bill = fine()

    transaction_id = pay(bank_simulator, bill, amount="499.00")
    status = bank_simulator.wait_delivered(transaction_id)
    time.sleep(0.5)  # longer than the bank's first retry delay (0.2 s): any retry would show

    status = bank_simulator.status(transaction_id)
    assert (status["outcome"], status["delivered"], status["attempts"], status["last_status"]) == (
        "exception",
        True,
        1,
        200,
    )
    exception = PaymentException.objects.select_related("notification").get()
    assert (
        exception.reason,
        exception.state,
        exception.bill_id,
        exception.agency_id,
        exception.notification.transaction_id,
        exception.notification.amount_satang,
        exception.notification.outcome,
    ) == ("wrong_amount", "open", bill.pk, world["rtp"].pk, transaction_id, 49_900, "exception")
    bill.refresh_from_db()
    assert (bill.state, bill.paid_at) == (Bill.State.PENDING, None)
    assert not Payment.objects.exists()
    assert not Receipt.objects.exists()
    assert ticket_of(bill).paid_at is None
    assert not AuditEntry.objects.filter(action="payments.bill_pay").exists()


def test_a_notification_sent_while_the_database_is_down_arrives_once_when_it_is_back(
    bank_simulator: RunningBank,
    fine: Callable[..., Bill],
    monkeypatch: pytest.MonkeyPatch,
    settled: list[events.PaymentSettled],
) -> None:
    bill = fine()
    payload = selectors.promptpay_payload(bill)
    outage = threading.Event()
    execute = CursorWrapper._execute_with_wrappers  # type: ignore[attr-defined]  # not in the stubs

    def unavailable(self: CursorWrapper, *args: Any, **kwargs: Any) -> Any:
        if outage.is_set():
            raise OperationalError("the database is unavailable (a test's outage)")
        return execute(self, *args, **kwargs)

    # Every statement fails, as when the server has gone away: on the class, so the live server's
    # request threads fail too; nothing here touches the database while the outage lasts.
    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", unavailable)
    outage.set()
    started = time.monotonic()
    try:
        transaction_id = bank_simulator.pay(payload)
        deadline = started + 10
        while bank_simulator.status(transaction_id)["attempts"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        during = bank_simulator.status(transaction_id)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
    finally:
        outage.clear()

    assert (during["delivered"], during["last_status"]) == (False, 503)
    assert during["attempts"] >= 2
    status = bank_simulator.wait_delivered(transaction_id)
    assert (status["outcome"], status["last_status"]) == ("paid", 200)
    assert status["attempts"] > during["attempts"]
    assert f"deliver {transaction_id} attempt 1: 503, next attempt in" in bank_simulator.log()
    assert '"code": "unavailable"' in during["deliveries"][0]["last_response"]
    # The refused attempts stored nothing; the one that got through paid the bill once.
    assert list(BankNotification.objects.values_list("transaction_id", "outcome")) == [
        (transaction_id, "paid")
    ]
    assert list(Payment.objects.values_list("bill_id", "bank_transaction_id")) == [(bill.pk, transaction_id)]
    assert Receipt.objects.count() == 1
    assert not PaymentException.objects.exists()
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID
    assert ticket_of(bill).paid_at == bill.paid_at
    assert [event.payable_reference for event in settled] == [bill.subject_reference]


def test_the_banks_statement_shows_the_payment_whose_notification_was_lost(
    bank_simulator: RunningBank, fine: Callable[..., Bill], world: dict[str, Any]
) -> None:
    delivered_bill, lost_bill = fine(), fine(fine_satang=100_000)
    # Both paid at the same moment, so both are on one Bangkok day's statement even just before midnight.
    paid_at = timezone.now().astimezone(BANGKOK).replace(microsecond=0)
    delivered = pay(bank_simulator, delivered_bill, paid_at=paid_at.isoformat())
    lost = pay(bank_simulator, lost_bill, paid_at=paid_at.isoformat(), deliver=False)
    assert bank_simulator.wait_delivered(delivered)["outcome"] == "paid"
    content = bank_simulator.statement(RTP_BILLER, paid_at.date().isoformat())
    finance = officer(world["rtp"], Role.objects.get(code="finance-officer"))

    statement = services.statement_import(actor=finance, content=content, file_name="rtp.csv")

    assert (statement.agency_id, statement.biller_id, statement.statement_date, statement.imported_by_id) == (
        world["rtp"].pk,
        RTP_BILLER,
        paid_at.date(),
        finance.pk,
    )
    assert statement.counts == {
        "matched": 1,
        "missing": 1,
        "not_in_statement": 0,
        "duplicate": 0,
        "mismatched": 0,
    }
    payment = Payment.objects.get()
    assert payment.bill_id == delivered_bill.pk
    lines = {
        line.transaction_id: (line.verdict, line.payment_id, line.ref1, line.amount_satang)
        for line in StatementLine.objects.filter(statement=statement)
    }
    assert lines == {
        delivered: (StatementLine.Verdict.MATCHED, payment.pk, delivered_bill.ref1, 50_000),
        lost: (StatementLine.Verdict.MISSING, None, lost_bill.ref1, 100_000),
    }
    lost_bill.refresh_from_db()
    assert lost_bill.state == Bill.State.PENDING  # reconciliation reports; an officer acts on it
    assert AuditEntry.objects.filter(action="payments.statement_import").count() == 1
    # The same file again is the same report.
    assert services.statement_import(actor=finance, content=content, file_name="again.csv") == statement
