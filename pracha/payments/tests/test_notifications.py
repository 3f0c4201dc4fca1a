"""The payer is told their money arrived, once per payment, whichever way it was paid (the bank's
notification or cash at a counter), in their language and on the channels they confirmed; a payer with
no account is told nothing, and a refused payment tells nobody."""

from typing import Any

import pytest
from django.core import mail

from pracha.accounts.tests.conftest import client_for
from pracha.core.errors import InvalidInput, PermissionDenied
from pracha.notifications.public import Message, contact_confirmed, preferences_save
from pracha.payments import services
from pracha.payments.models import Bill, Receipt
from pracha.payments.tests.factories import (
    BillFactory,
    notification_body,
    payments_world,
    post_notification,
    signed,
)
from pracha.registries.tests.factories import TrafficTicketFactory

FEE_LINES = [
    {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 100000},
    {"code": "inspection", "name_th": "ค่าตรวจสถานที่", "name_en": "Inspection fee", "amount_satang": 20050},
]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world: dict[str, Any]) -> Bill:
    return BillFactory.create(
        agency=world["bang_rak"],
        payer_user=world["payer"],
        subject_reference="APP-2569-000042",
        description_th="ค่าธรรมเนียมคำขอเลขที่ APP-2569-000042",
        description_en="Fee for application APP-2569-000042",
        lines=FEE_LINES,
    )


def received() -> list[tuple[str, int, str, str, str, str, str]]:
    return list(
        Message.objects.filter(kind="payment_received")
        .order_by("channel")
        .values_list("channel", "recipient_id", "language", "address", "link", "agency_code", "dedupe_key")
    )


def test_cash_at_the_counter_tells_the_payer_with_the_receipt(
    world: dict[str, Any], bill: Bill, django_capture_on_commit_callbacks: Any
) -> None:
    payer = world["payer"]
    contact_confirmed(user=payer, channel="email", address="payer@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=120050)
    link = f"/payments/receipts/{receipt.public_id}/"
    key = f"payment_received:{receipt.payment.public_id}"
    assert received() == [
        ("email", payer.pk, "th", "payer@example.test", link, "bma-bang-rak", key),
        ("inapp", payer.pk, "th", "", link, "bma-bang-rak", key),
    ]
    inapp = Message.objects.get(kind="payment_received", channel="inapp")
    assert receipt.number in inapp.body
    assert "1,200.50 บาท" in inapp.body
    assert "ค่าธรรมเนียมคำขอเลขที่ APP-2569-000042" in inapp.body
    [email] = [message for message in mail.outbox if receipt.number in message.subject]
    assert email.to == ["payer@example.test"]
    assert f"http://testserver{link}" in email.body
    assert Message.objects.get(kind="payment_received", channel="email").status == "sent"


def test_a_payer_who_reads_english_is_told_in_english(world: dict[str, Any], bill: Bill) -> None:
    preferences_save(actor=world["payer"], language="en", enabled={})
    receipt = services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=120050)
    inapp = Message.objects.get(kind="payment_received")
    assert inapp.language == "en"
    assert "THB 1,200.50" in inapp.body
    assert "Fee for application APP-2569-000042" in inapp.body
    assert receipt.number in inapp.body


def test_the_banks_notification_tells_the_payer_once_however_often_it_comes(
    world: dict[str, Any], bill: Bill
) -> None:
    bank = client_for(None)
    body = notification_body(bill, transaction_id="SIM0042")
    headers, raw = signed(body)
    assert post_notification(bank, headers, raw).json()["outcome"] == "paid"
    assert post_notification(bank, headers, raw).json()["outcome"] == "replay"
    assert post_notification(bank, *signed(body)).json()["outcome"] == "duplicate"  # a retry, new nonce
    receipt = Receipt.objects.get()
    assert received() == [
        (
            "inapp",
            world["payer"].pk,
            "th",
            "",
            f"/payments/receipts/{receipt.public_id}/",
            "bma-bang-rak",
            f"payment_received:{receipt.payment.public_id}",
        )
    ]


def test_a_payer_without_an_account_is_told_nothing(world: dict[str, Any]) -> None:
    ticket = TrafficTicketFactory.create(plate="1กข9", agency=world["rtp"], fine_satang=50000)
    bill = services.bill_for_traffic_ticket(ticket_number=ticket.ticket_number, plate=ticket.plate)
    assert bill.payer_user is None
    services.bill_cash_record(actor=world["police_cashier"], bill=bill, amount_satang=50000)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("who", "amount", "error"),
    [
        ("officer_without", 120050, PermissionDenied),
        ("officer_other_agency", 120050, PermissionDenied),
        ("payer", 120050, PermissionDenied),
        ("cashier", 120000, InvalidInput),
    ],
)
def test_a_refused_payment_tells_nobody(
    world: dict[str, Any], bill: Bill, who: str, amount: int, error: Any
) -> None:
    with pytest.raises(error):
        services.bill_cash_record(actor=world[who], bill=bill, amount_satang=amount)
    assert not Message.objects.exists()


def test_a_notification_that_becomes_an_exception_tells_nobody(world: dict[str, Any], bill: Bill) -> None:
    body = notification_body(bill, amount="3.00")
    assert post_notification(client_for(None), *signed(body)).json()["outcome"] == "exception"
    assert not Message.objects.exists()
