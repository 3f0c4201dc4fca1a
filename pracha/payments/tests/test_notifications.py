"""The payer is told their money arrived, once per payment, whichever way it was paid (the bank's
notification or cash at a counter), in their language and on the channels they confirmed; a payer with
no account is told nothing, and a refused payment tells nobody. An applicant whose fee falls due is
asked to pay, once however often the FeeDue is announced; land tax and fines ask nobody."""

from typing import Any

import pytest
from django.core import mail

from pracha.accounts.tests.conftest import client_for
from pracha.core import events
from pracha.core.errors import InvalidInput, PermissionDenied
from pracha.core.thai_dates import format_date
from pracha.notifications.public import Message, contact_confirmed, preferences_save
from pracha.payments import services
from pracha.payments.models import Bill, Receipt
from pracha.payments.tests.factories import (
    BillFactory,
    notification_body,
    paid_bill,
    payments_world,
    post_notification,
    signed,
)
from pracha.registries.tests.factories import LandTaxAssessmentFactory, TrafficTicketFactory

FEE_LINES: list[dict[str, Any]] = [
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


# --- a fee falls due: the applicant is asked to pay -----------------------------------------------------


def fee_due(world: dict[str, Any], reference: str = "APP-2569-000042") -> events.FeeDue:
    return events.FeeDue(
        payable_reference=reference,
        agency_code="bma-bang-rak",
        payer_public_id=str(world["payer"].public_id),
        lines=tuple(events.FeeLine(**line) for line in FEE_LINES),
        total_satang=120050,
    )


def asked_to_pay() -> list[tuple[str, int, str, str, str, str, str, str]]:
    return list(
        Message.objects.filter(kind="payment_due")
        .order_by("channel")
        .values_list(
            "channel", "recipient_id", "language", "address", "link", "agency_code", "dedupe_key", "status"
        )
    )


def test_a_fee_that_falls_due_asks_the_applicant_to_pay_on_every_channel(
    world: dict[str, Any], settings: Any
) -> None:
    settings.PRACHA_SMS_GATEWAY_URL = "http://127.0.0.1:9/"  # on; nothing is sent without the commit
    payer = world["payer"]
    contact_confirmed(user=payer, channel="email", address="payer@example.test")
    contact_confirmed(user=payer, channel="sms", address="+66800000002")
    bill = services.bill_for_fee(event=fee_due(world))
    link = f"/payments/bills/{bill.public_id}/"
    key = f"payment_due:{bill.reference}"
    assert asked_to_pay() == [
        ("email", payer.pk, "th", "payer@example.test", link, "bma-bang-rak", key, "queued"),
        ("inapp", payer.pk, "th", "", link, "bma-bang-rak", key, "delivered"),
        ("sms", payer.pk, "th", "+66800000002", link, "bma-bang-rak", key, "queued"),
    ]
    due = format_date(bill.due_date, short=True, lang="th")
    inapp = Message.objects.get(kind="payment_due", channel="inapp")
    assert inapp.subject == "ค่าธรรมเนียมรอชำระ 1,200.50 บาท"
    assert inapp.body.startswith(
        f"ค่าธรรมเนียมคำขอเลขที่ APP-2569-000042 จำนวน 1,200.50 บาท กรุณาชำระภายในวันที่ {due} "
        f"ใบแจ้งชำระเงินเลขที่ {bill.reference} ชำระด้วยพร้อมเพย์ หรือที่เคาน์เตอร์ของหน่วยงานก็ได้\n\n"
    )
    assert "http" not in inapp.body
    email = Message.objects.get(kind="payment_due", channel="email")
    assert email.subject == f"กรุณาชำระค่าธรรมเนียมภายในวันที่ {due}"
    assert f"ใบแจ้งชำระเงินเลขที่: {bill.reference}\n" in email.body
    assert f"\nhttp://testserver{link}\n" in email.body
    sms = Message.objects.get(kind="payment_due", channel="sms")
    assert sms.body == f"ชำระ 1,200.50 บาท ภายใน {due} ดูที่ pracha.example เราไม่ส่งลิงก์"
    assert "http" not in sms.body


def test_an_applicant_who_reads_english_is_asked_in_english(world: dict[str, Any]) -> None:
    preferences_save(actor=world["payer"], language="en", enabled={})
    bill = services.bill_for_fee(event=fee_due(world))
    [inapp] = Message.objects.filter(kind="payment_due")
    assert (inapp.channel, inapp.language) == ("inapp", "en")
    assert inapp.subject == "A fee of THB 1,200.50 is waiting for your payment"
    assert inapp.body.startswith(
        f"Fee for application APP-2569-000042: THB 1,200.50. "
        f"Please pay by {format_date(bill.due_date, lang='en')}. Bill number {bill.reference}. "
        "You can pay with PromptPay, or at the agency's counter.\n\n"
    )
    assert inapp.link == f"/payments/bills/{bill.public_id}/"


def test_a_fee_due_announced_again_asks_once(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    contact_confirmed(user=world["payer"], channel="email", address="payer@example.test")
    event = fee_due(world)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish_on_commit(event)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish_on_commit(event)  # the same event twice, as a retried commit hook would
    events.deliver(event)  # and once more, as the catch-up does
    bill = Bill.objects.get()
    assert [channel for channel, *_rest in asked_to_pay()] == ["email", "inapp"]
    assert Message.objects.get(kind="payment_due", channel="email").status == "sent"
    assert [message.to for message in mail.outbox] == [["payer@example.test"]]
    assert mail.outbox[0].subject.startswith("กรุณาชำระค่าธรรมเนียมภายในวันที่ ")
    assert bill.reference in mail.outbox[0].body


def test_a_fee_already_paid_asks_nothing_when_announced_again(world: dict[str, Any]) -> None:
    bill = paid_bill(subject_reference="APP-2569-000042", payer_user=world["payer"])
    assert services.bill_for_fee(event=fee_due(world)).pk == bill.pk
    assert not Message.objects.exists()


def test_land_tax_and_fines_without_an_account_ask_nobody_to_pay(world: dict[str, Any]) -> None:
    LandTaxAssessmentFactory(agency=world["bang_rak"], owner_id_number=world["payer"].national_id)
    assert services.land_tax_bills_issue(tax_year=2569) == 1
    ticket = TrafficTicketFactory.create(plate="1กข9", agency=world["rtp"], fine_satang=50000)
    services.bill_for_traffic_ticket(ticket_number=ticket.ticket_number, plate=ticket.plate)
    assert sorted(Bill.objects.values_list("kind", "payer_user")) == [
        ("land_tax", None),
        ("traffic_fine", None),
    ]
    assert not Message.objects.exists()
