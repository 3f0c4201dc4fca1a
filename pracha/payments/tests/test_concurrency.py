"""Two notifications for the same bill, or two deliveries of one bank transaction, at the same moment
give one outcome; one refund request key used for two bills at once makes one refund (PostgreSQL: SQLite
runs one write transaction at a time, so the sequential tests in test_callback.py and test_services.py
cover it there)."""

import contextlib
import threading
from typing import Any

import pytest
from django.db import connection

from pracha.audit.public import AuditEntry
from pracha.core.errors import Conflict
from pracha.payments import services
from pracha.payments.models import BankNotification, Bill, Payment, PaymentException, Refund
from pracha.payments.tests.factories import (
    BillFactory,
    notification_body,
    paid_bill,
    payments_world,
    signed,
)

POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite locks the whole database for a write, so two writers can never "
    "meet at the same moment there",
)


def at_the_same_moment(
    work: dict[str, Any], *, meet_after: str = ""
) -> tuple[dict[str, Any], dict[str, BaseException]]:
    """Run each named callable in its own thread (its own connection), all released together. With
    `meet_after`, each thread also waits for the others after its first query containing that text, so
    all of them have looked before any of them writes (the race made certain, not left to timing)."""
    start = threading.Barrier(len(work))
    met = threading.Barrier(len(work))
    results: dict[str, Any] = {}
    errors: dict[str, BaseException] = {}

    def run(name: str) -> None:
        waited = False

        def meet(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal waited
            result = execute(sql, params, many, context)
            if meet_after and not waited and meet_after in sql:
                waited = True
                # Should the others never make this query, the wait times out and this thread runs on.
                with contextlib.suppress(threading.BrokenBarrierError):
                    met.wait(timeout=5)
            return result

        try:
            start.wait(timeout=10)
            with connection.execute_wrapper(meet):
                results[name] = work[name]()
        except BaseException as error:  # reported by the caller
            errors[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@POSTGRESQL
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("second_transaction", "other_outcome"),
    [("SIM-SAME", "duplicate"), ("SIM-OTHER", "exception")],
)
def test_two_notifications_at_the_same_moment_pay_the_bill_once(second_transaction, other_outcome):
    world = payments_world()
    bill = BillFactory(agency=world["bang_rak"])
    deliveries = {
        # Different nonces: the bank's retry of one transaction, or a second transaction for the same bill.
        "first": signed(notification_body(bill, transaction_id="SIM-SAME")),
        "second": signed(notification_body(bill, transaction_id=second_transaction)),
    }

    def receive(name: str) -> Any:
        headers, body = deliveries[name]
        return lambda: services.notification_receive(headers=headers, body=body)

    outcomes, errors = at_the_same_moment({name: receive(name) for name in deliveries})
    assert errors == {}
    assert sorted(outcomes.values()) == sorted(["paid", other_outcome])
    payment = Payment.objects.get()
    assert payment.bill == bill
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID
    assert sorted(BankNotification.objects.values_list("outcome", flat=True)) == sorted(
        ["paid", other_outcome]
    )
    exceptions = list(PaymentException.objects.values_list("reason", flat=True))
    assert exceptions == (["not_payable"] if other_outcome == "exception" else [])


@POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_an_unknown_reference_at_the_same_moment_open_one_exception():
    world = payments_world()
    bill = BillFactory(agency=world["bang_rak"])
    body = notification_body(bill, transaction_id="SIM-LOST", ref1="2569999999")
    deliveries = {name: signed(body) for name in ("first", "retry")}  # the same transaction, two nonces

    def receive(name: str) -> Any:
        headers, raw = deliveries[name]
        return lambda: services.notification_receive(headers=headers, body=raw)

    outcomes, errors = at_the_same_moment(
        {name: receive(name) for name in deliveries}, meet_after='FROM "payments_paymentexception"'
    )
    assert errors == {}
    assert sorted(outcomes.values()) == ["duplicate", "exception"]
    exception = PaymentException.objects.get()
    assert (exception.reason, exception.transaction_id, exception.agency) == (
        "unknown_reference",
        "SIM-LOST",
        world["bang_rak"],
    )
    assert sorted(BankNotification.objects.values_list("outcome", flat=True)) == ["duplicate", "exception"]
    assert Payment.objects.count() == 0


@POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_one_request_key_for_two_bills_at_the_same_moment_makes_one_refund():
    world = payments_world()
    bills = {"first": paid_bill(agency=world["bang_rak"]), "second": paid_bill(agency=world["bang_rak"])}

    def request(name: str) -> Any:
        return lambda: services.refund_request(
            actor=world["finance"], bill=bills[name], amount_satang=100, reason="x", idempotency_key="same"
        )

    refunds, errors = at_the_same_moment(
        {name: request(name) for name in bills}, meet_after='"payments_refund"."idempotency_key"'
    )
    assert len(refunds) == 1
    assert [type(error) for error in errors.values()] == [Conflict]
    [refund] = refunds.values()
    assert list(Refund.objects.values_list("pk", "bill")) == [(refund.pk, refund.bill_id)]
    assert AuditEntry.objects.filter(action="payments.refund_request").count() == 1
