"""Two notifications for the same bill at the same moment pay it once (PostgreSQL: SQLite runs one write
transaction at a time, so the sequential tests in test_callback.py cover it there)."""

import threading

import pytest
from django.db import connection

from pracha.payments import services
from pracha.payments.models import BankNotification, Bill, Payment, PaymentException
from pracha.payments.tests.factories import BillFactory, notification_body, payments_world, signed


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite locks the whole database for a write, so two notifications can never "
    "be applied at the same moment there",
)
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
    start = threading.Barrier(2)
    outcomes = {}
    errors = []

    def deliver(name):
        headers, body = deliveries[name]
        try:
            start.wait(timeout=10)
            outcomes[name] = services.notification_receive(headers=headers, body=body)
        except BaseException as error:  # reported by the main thread below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; close it so the test database can go

    threads = [threading.Thread(target=deliver, args=(name,)) for name in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
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
