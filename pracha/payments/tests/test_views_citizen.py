"""The citizens' payment pages: my payments, the traffic-fine look-up, a bill's page with its QR code,
renewing an expired bill, the status the page polls, and the e-receipt; who may see and do what, with
nothing changed when refused."""

import datetime
import uuid
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pracha.accounts.tests.conftest import client_for
from pracha.agencies.tests.factories import AgencyFactory
from pracha.audit.public import AuditEntry
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.payments import promptpay, services
from pracha.payments.models import Bill, Payment, Receipt
from pracha.payments.tests.factories import BillFactory, paid_bill, payments_world
from pracha.registries.models import TrafficTicket
from pracha.registries.tests.factories import TrafficTicketFactory

PAYER_NAME = "สมหญิง รักไทยทดสอบ"
MASKED_PAYER_NAME = "ส***** ร**********"
BANG_RAK_BILLER = "099999000000101"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world: dict[str, Any]) -> Bill:
    """A new, never shown THB 300.00 bill of Bang Rak, for the payer."""
    return BillFactory.create(
        agency=world["bang_rak"],
        payer_id_number=world["payer"].national_id,
        payer_name=PAYER_NAME,
        state=Bill.State.CREATED,
    )


@pytest.fixture
def ticket(world: dict[str, Any]) -> TrafficTicket:
    """An unpaid THB 500.00 police ticket against the payer."""
    return TrafficTicketFactory.create(
        ticket_number="TK6911111111",
        plate="1กข1234",
        agency=world["rtp"],
        offender_national_id=world["payer"].national_id,
        offender_name="นางสมหญิง รักไทยทดสอบ",
    )


def thai(message: str) -> str:
    return gettext_in("th", message)


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def page_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    with translation.override(response.headers["Content-Language"]):
        return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def bill_url(bill: Bill, name: str = "bill") -> str:
    return reverse(f"payments:{name}", args=[bill.public_id])


def login_redirect(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


# --- my payments --------------------------------------------------------------------------------------


def test_my_payments_needs_sign_in(world):
    response = client_for(world["anonymous"]).get(reverse("payments:my-payments"))
    assert response.status_code == 302
    assert response["Location"] == login_redirect(reverse("payments:my-payments"))


def test_my_payments_lists_bills_tickets_and_receipts_of_the_payer(world, bill, ticket):
    settled = paid_bill(agency=world["bang_rak"], payer_id_number=world["payer"].national_id)
    receipt = settled.payment.receipt
    paid_ticket = TrafficTicketFactory.create(
        agency=world["rtp"],
        offender_national_id=world["payer"].national_id,
        paid_at=timezone.now(),
        receipt_number="LUMPINI-2569-0412",
    )
    BillFactory.create(agency=world["bang_rak"], payer_id_number=world["other_citizen"].national_id)

    response = client_for(world["payer"]).get(reverse("payments:my-payments"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.context["to_pay"] == [bill]
    assert response.context["settled"] == [(settled, receipt)]
    assert response.context["unpaid_tickets"] == [ticket]
    assert response.context["paid_tickets"] == [paid_ticket]
    html = response.content.decode()
    assert (
        f'<a class="govuk-link" href="{bill_url(bill)}">Fee for application {bill.subject_reference}</a>'
        in html
    )
    assert f'<a class="govuk-link" href="{reverse("payments:receipt", args=[receipt.public_id])}">' in html
    assert f'action="{reverse("payments:fine-pay", args=["TK6911111111"])}"' in html
    assert "Receipt LUMPINI-2569-0412" in html
    assert "once you have verified your identity" not in html


def test_another_citizen_sees_none_of_it(world, bill, ticket):
    response = client_for(world["other_citizen"]).get(reverse("payments:my-payments"))
    assert response.context["to_pay"] == []
    assert response.context["settled"] == []
    assert response.context["unpaid_tickets"] == []
    html = response.content.decode()
    assert "You have nothing to pay." in html
    assert "There are no traffic tickets against you." in html


def test_an_unverified_person_is_told_why_tickets_and_tax_are_missing(world, ticket):
    BillFactory.create(agency=world["bang_rak"], payer_id_number=world["unverified"].national_id)
    response = client_for(world["unverified"]).get(reverse("payments:my-payments"))
    assert response.context["to_pay"] == []
    assert response.context["unpaid_tickets"] == []
    assert (
        "Traffic tickets and land and building tax bills issued against your national ID number are shown "
        "here once you have verified your identity."
    ) in response.content.decode()


def test_my_payments_in_thai(world, bill):
    response = client_for(world["payer"], language="th").get(reverse("payments:my-payments"))
    html = response.content.decode()
    assert 'lang="th"' in html
    assert f"ค่าธรรมเนียมคำขอเลขที่ {bill.subject_reference}" in html
    assert "300.00 บาท" in html
    assert f"{bill.due_date.day} " in html and str(buddhist_year(bill.due_date)) in html
    assert thai("My payments") in html


# --- paying a ticket from my payments -----------------------------------------------------------------


def test_the_offender_pays_a_ticket_from_my_payments(world, ticket):
    response = client_for(world["payer"]).post(reverse("payments:fine-pay", args=[ticket.ticket_number]))
    created = Bill.objects.get(kind=Bill.Kind.TRAFFIC_FINE, subject_reference=ticket.ticket_number)
    assert response.status_code == 302
    assert response["Location"] == bill_url(created)
    assert (created.amount_satang, created.agency, created.payer_user) == (
        50000,
        world["rtp"],
        world["payer"],
    )
    # Asked again: the same bill, not a second one.
    again = client_for(world["payer"]).post(reverse("payments:fine-pay", args=[ticket.ticket_number]))
    assert again["Location"] == bill_url(created)
    assert Bill.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("other_citizen", 404), ("unverified", 404)])
def test_nobody_else_can_pay_a_ticket_without_its_plate(world, ticket, who, status):
    client = client_for(world[who])
    audit_before = AuditEntry.objects.count()
    url = reverse("payments:fine-pay", args=[ticket.ticket_number])
    response = client.post(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect(url)
    assert Bill.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_paying_a_ticket_is_a_post(world, ticket):
    response = client_for(world["payer"]).get(reverse("payments:fine-pay", args=[ticket.ticket_number]))
    assert response.status_code == 405
    assert Bill.objects.count() == 0


def test_a_ticket_paid_elsewhere_is_said_so(world, ticket):
    TrafficTicket.objects.filter(pk=ticket.pk).update(paid_at=timezone.now(), receipt_number="R-1")
    client = client_for(world["payer"])
    response = client.post(reverse("payments:fine-pay", args=[ticket.ticket_number]), follow=True)
    assert response.redirect_chain == [(reverse("payments:my-payments"), 302)]
    assert "This traffic ticket has already been paid." in response.content.decode()
    assert Bill.objects.count() == 0


# --- the fine look-up ---------------------------------------------------------------------------------


def test_anyone_can_open_the_fine_look_up(world):
    response = client_for(world["anonymous"]).get(reverse("payments:fine-lookup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="govuk-label" for="id_ticket_number">Ticket number</label>' in html
    assert '<label class="govuk-label" for="id_plate">Licence plate</label>' in html


def test_a_ticket_is_found_by_number_and_plate_as_people_type_them(world, ticket):
    response = client_for(world["anonymous"]).post(
        reverse("payments:fine-lookup"), {"ticket_number": " tk6911111111 ", "plate": "1กข-1234"}
    )
    created = Bill.objects.get(subject_reference="TK6911111111")
    assert response.status_code == 302
    assert response["Location"] == bill_url(created)
    assert created.payer_user is None  # found by plate, not by the person


@pytest.mark.parametrize(
    "data",
    [
        {"ticket_number": "TK6911111111", "plate": "1กข1235"},  # wrong plate
        {"ticket_number": "TK6911111119", "plate": "1กข1234"},  # no such ticket
    ],
)
@pytest.mark.parametrize("language", ["en", "th"])
def test_a_wrong_number_or_plate_gets_one_answer_in_the_persons_language(world, ticket, data, language):
    audit_before = AuditEntry.objects.count()
    response = client_for(world["anonymous"], language=language).post(reverse("payments:fine-lookup"), data)
    assert response.status_code == 200
    expected = gettext_in(language, "No traffic ticket matches this number and licence plate.")
    assert page_errors(response) == {"ticket_number": [expected]}
    html = response.content.decode()
    assert gettext_in(language, "There is a problem") in html
    assert f'<a href="#id_ticket_number">{expected}</a>' in html
    assert Bill.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("language", ["en", "th"])
def test_empty_fields_are_named(world, language):
    response = client_for(world["anonymous"], language=language).post(
        reverse("payments:fine-lookup"), {"ticket_number": "", "plate": "  "}
    )
    assert page_errors(response) == {
        "ticket_number": [gettext_in(language, "Enter the ticket number.")],
        "plate": [gettext_in(language, "Enter the licence plate.")],
    }
    if language == "th":
        assert "มีข้อมูลที่ต้องแก้ไข" in response.content.decode()


def test_a_paid_ticket_found_by_plate_is_said_so(world, ticket):
    TrafficTicket.objects.filter(pk=ticket.pk).update(paid_at=timezone.now(), receipt_number="R-1")
    response = client_for(world["anonymous"]).post(
        reverse("payments:fine-lookup"), {"ticket_number": "TK6911111111", "plate": "1กข1234"}
    )
    assert page_errors(response) == {"__all__": ["This traffic ticket has already been paid."]}
    assert Bill.objects.count() == 0


# --- a bill's page ------------------------------------------------------------------------------------


def test_the_bill_page_shows_the_qr_code_references_and_amount_to_anyone_with_the_link(world, bill):
    response = client_for(world["anonymous"]).get(bill_url(bill))

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    bill.refresh_from_db()
    assert bill.state == Bill.State.PENDING  # the QR code has been shown
    html = response.content.decode()
    payload = promptpay.bill_payment_payload(
        biller_id=BANG_RAK_BILLER, ref1=bill.ref1, ref2=bill.ref2, amount_satang=30000
    )
    agency = world["bang_rak"].name_en
    assert '<svg role="img" width="270" height="270"' in html
    assert f"<title>PromptPay QR code: pay THB 300.00 to {agency}</title>" in html
    assert '<span lang="en">THAI QR PAYMENT</span>' in html
    assert '<span class="pracha-thai-qr__amount">THB 300.00</span>' in html
    assert f'<span class="pracha-thai-qr__payee">{agency}</span>' in html
    assert f'id="promptpay-payload" type="text" value="{payload}" readonly' in html
    assert f"Reference 1: {bill.ref1}<br>Reference 2: {bill.ref2}" in html
    assert f'<dd class="govuk-summary-list__value">{bill.reference}</dd>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">THB 300.00</td>' in html
    assert '<span lang="th">(สามร้อยบาทถ้วน)</span>' in html
    assert f'<dd class="govuk-summary-list__value">{MASKED_PAYER_NAME}</dd>' in html
    assert PAYER_NAME not in html
    # It refreshes itself: by the script (static file, no inline script) or, without scripts, every 10 s.
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert f'data-bill-status-url="{bill_url(bill, "bill-status")}" data-bill-state="pending"' in html
    assert '<script src="/static/payments/payments.js" defer></script>' in html
    assert "Pay with the demo bank app" not in html
    [entry] = AuditEntry.objects.filter(action="payments.bill_present")
    assert entry.actor_id == ""


def test_showing_the_bill_again_changes_nothing(world, bill):
    client = client_for(world["payer"])
    client.get(bill_url(bill))
    audit_after_first = AuditEntry.objects.count()
    client.get(bill_url(bill))
    assert AuditEntry.objects.count() == audit_after_first


@pytest.mark.parametrize(("who", "sees_name"), [("payer", True), ("finance", True), ("cashier", True),
                                                 ("other_citizen", False), ("officer_other_agency", False),
                                                 ("unverified", False)])  # fmt: skip
def test_the_payers_name_is_masked_for_everyone_but_the_payer_and_the_agency(world, bill, who, sees_name):
    html = client_for(world[who]).get(bill_url(bill)).content.decode()
    shown = PAYER_NAME if sees_name else MASKED_PAYER_NAME
    assert f'<dd class="govuk-summary-list__value">{shown}</dd>' in html


@override_settings(PRACHA_BANK_SIMULATOR_URL="http://127.0.0.1:8765/app/pay")
def test_the_demo_bank_link_carries_the_payload_and_the_way_back(world, bill):
    html = client_for(world["anonymous"]).get(bill_url(bill)).content.decode()
    payload = promptpay.bill_payment_payload(
        biller_id=BANG_RAK_BILLER, ref1=bill.ref1, ref2=bill.ref2, amount_satang=30000
    )
    back = f"http%3A%2F%2Ftestserver%2Fpayments%2Fbills%2F{bill.public_id}%2F"
    link = f"http://127.0.0.1:8765/app/pay?payload={payload}&amp;return={back}"
    assert f'href="{link}">Pay with the demo bank app</a>' in html


def test_the_bill_page_in_thai(world, bill):
    html = client_for(world["anonymous"], language="th").get(bill_url(bill)).content.decode()
    assert 'lang="th"' in html
    assert f"ค่าธรรมเนียมคำขอเลขที่ {bill.subject_reference}" in html
    assert '<span class="pracha-thai-qr__amount">300.00 บาท</span>' in html
    assert "ค่าใบอนุญาต" in html
    assert f"{bill.due_date.day} " in html and str(buddhist_year(bill.due_date)) in html
    assert thai("Pay with PromptPay") in html


def test_an_unknown_bill_is_not_found(world):
    missing = reverse("payments:bill", args=[uuid.uuid4()])
    assert client_for(world["anonymous"]).get(missing).status_code == 404
    status = reverse("payments:bill-status", args=[uuid.uuid4()])
    assert client_for(world["anonymous"]).get(status).status_code == 404


def test_a_paid_bill_shows_paid_and_its_receipt_and_no_qr_code(world):
    settled = paid_bill(agency=world["bang_rak"])
    receipt = settled.payment.receipt
    html = client_for(world["anonymous"]).get(bill_url(settled)).content.decode()
    assert '<h2 class="govuk-panel__title">Paid</h2>' in html
    assert (
        f'<a class="govuk-link" href="{reverse("payments:receipt", args=[receipt.public_id])}">'
        f"See receipt {receipt.number}</a>"
    ) in html
    assert "<svg" not in html
    assert "http-equiv" not in html
    assert "payments.js" not in html


def test_a_refunded_bill_says_how_much(world):
    settled = paid_bill(agency=world["bang_rak"])
    Bill.objects.filter(pk=settled.pk).update(state=Bill.State.PARTIALLY_REFUNDED, refunded_satang=10000)
    html = client_for(world["anonymous"]).get(bill_url(settled)).content.decode()
    assert "THB 100.00 of this payment has been refunded." in html
    Bill.objects.filter(pk=settled.pk).update(state=Bill.State.REFUNDED, refunded_satang=30000)
    html = client_for(world["anonymous"]).get(bill_url(settled)).content.decode()
    assert "The whole amount, THB 300.00, has been refunded." in html


def test_a_cancelled_bill_says_so(world, bill):
    Bill.objects.filter(pk=bill.pk).update(state=Bill.State.CANCELLED)
    html = client_for(world["anonymous"]).get(bill_url(bill)).content.decode()
    assert "This bill has been cancelled. Do not pay it." in html
    assert "<svg" not in html
    bill.refresh_from_db()
    assert bill.state == Bill.State.CANCELLED


# --- the status the page polls ------------------------------------------------------------------------


def test_the_status_says_when_the_bill_is_paid(world, bill):
    client = client_for(world["anonymous"])
    response = client.get(bill_url(bill, "bill-status"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.json() == {"state": "created", "paid": False}
    services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=30000)
    assert client.get(bill_url(bill, "bill-status")).json() == {"state": "paid", "paid": True}


# --- renewing an expired bill -------------------------------------------------------------------------


def expired(world: dict[str, Any]) -> Bill:
    return BillFactory.create(
        agency=world["bang_rak"],
        state=Bill.State.EXPIRED,
        due_date=local_today() - datetime.timedelta(days=1),
    )


def test_an_expired_bill_offers_a_new_one(world):
    old = expired(world)
    client = client_for(world["anonymous"])
    html = client.get(bill_url(old)).content.decode()
    assert "without being paid. Its QR code no longer works." in html
    assert f'<form method="post" action="{bill_url(old, "bill-renew")}" novalidate>' in html
    assert "<svg" not in html

    response = client.post(bill_url(old, "bill-renew"))

    renewed = Bill.objects.get(replaces=old)
    assert response.status_code == 302
    assert response["Location"] == bill_url(renewed)
    assert (renewed.subject_reference, renewed.amount_satang, renewed.state) == (
        old.subject_reference,
        30000,
        Bill.State.CREATED,
    )
    # Pressed twice: the same new bill.
    assert client.post(bill_url(old, "bill-renew"))["Location"] == bill_url(renewed)
    assert Bill.objects.count() == 2


def test_a_bill_that_has_not_expired_cannot_be_renewed(world, bill):
    response = client_for(world["anonymous"]).post(bill_url(bill, "bill-renew"), follow=True)
    assert response.redirect_chain == [(bill_url(bill), 302)]
    assert "Only an expired bill can be renewed." in response.content.decode()
    assert Bill.objects.count() == 1


def test_renewing_is_a_post(world):
    old = expired(world)
    assert client_for(world["anonymous"]).get(bill_url(old, "bill-renew")).status_code == 405
    assert Bill.objects.count() == 1


# --- the e-receipt ------------------------------------------------------------------------------------


@pytest.fixture
def receipt(world: dict[str, Any], bill: Bill) -> Receipt:
    return services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=30000)


def test_the_receipt_page_is_complete(world, bill, receipt):
    response = client_for(world["payer"]).get(reverse("payments:receipt", args=[receipt.public_id]))

    assert response.status_code == 200
    year = buddhist_year(local_today())
    assert receipt.number == f"RC-BMA-BANG-RAK-{year}-000001"
    html = response.content.decode()
    local = timezone.localtime(receipt.issued_at)
    agency = world["bang_rak"].name_en
    for text in (
        f'<p class="govuk-body-l govuk-!-font-weight-bold govuk-!-margin-bottom-1">{agency}</p>',
        '<span lang="th">ใบเสร็จรับเงินอิเล็กทรอนิกส์</span> / <span lang="en">e-Receipt</span>',
        f'<dd class="govuk-summary-list__value">RC-BMA-BANG-RAK-{year}-000001</dd>',
        f'<dd class="govuk-summary-list__value">{local.day} {local:%B %Y} at {local:%H:%M}</dd>',
        f'<dd class="govuk-summary-list__value">{PAYER_NAME}</dd>',
        '<dd class="govuk-summary-list__value">Cash at the counter</dd>',
        f'<dd class="govuk-summary-list__value">{bill.reference}</dd>',
        f'<dd class="govuk-summary-list__value">{bill.ref1}</dd>',
        f'<dd class="govuk-summary-list__value">{bill.ref2}</dd>',
        '<th scope="row" class="govuk-table__header govuk-!-font-weight-regular">Permit fee</th>',
        "<strong>THB 300.00</strong>",
        '<span lang="th">(สามร้อยบาทถ้วน)</span>',
        "This is an electronic receipt issued by the system on behalf of",
        "data-print-button hidden>Print</button>",
        '<script src="/static/payments/payments.js" defer></script>',
    ):
        assert text in html, text


def test_the_receipt_masks_the_payer_for_anyone_else_with_the_link(world, receipt):
    html = (
        client_for(world["anonymous"])
        .get(reverse("payments:receipt", args=[receipt.public_id]))
        .content.decode()
    )
    assert f'<dd class="govuk-summary-list__value">{MASKED_PAYER_NAME}</dd>' in html
    assert PAYER_NAME not in html


def test_the_receipt_in_thai(world, receipt):
    html = (
        client_for(world["payer"], language="th")
        .get(reverse("payments:receipt", args=[receipt.public_id]))
        .content.decode()
    )
    assert 'lang="th"' in html
    assert "ค่าใบอนุญาต" in html
    assert "<strong>300.00 บาท</strong>" in html
    assert f"{buddhist_year(local_today())} เวลา " in html
    assert gettext_in("th", "Cash at the counter") in html


def test_an_unknown_receipt_is_not_found(world):
    url = reverse("payments:receipt", args=[uuid.uuid4()])
    assert client_for(world["payer"]).get(url).status_code == 404


def test_a_promptpay_receipt_names_its_channel(world):
    settled = paid_bill(agency=world["bang_rak"])
    assert Payment.objects.get(bill=settled).channel == Payment.Channel.PROMPTPAY
    url = reverse("payments:receipt", args=[settled.payment.receipt.public_id])
    assert (
        '<dd class="govuk-summary-list__value">PromptPay</dd>'
        in client_for(world["anonymous"]).get(url).content.decode()
    )


# --- navigation ---------------------------------------------------------------------------------------


def test_everyone_has_payments_in_the_navigation(world):
    anonymous = client_for(world["anonymous"]).get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("payments:fine-lookup")}"' in anonymous
    on_the_page = client_for(world["anonymous"]).get(reverse("payments:fine-lookup")).content.decode()
    assert f'href="{reverse("payments:fine-lookup")}" aria-current="page"' in on_the_page
    signed_in = client_for(world["payer"]).get(reverse("portal:home")).content.decode()
    assert f'<a class="govuk-service-navigation__link" href="{reverse("payments:my-payments")}">' in signed_in
    assert "Payments desk" not in signed_in


def test_a_bill_of_an_agency_without_a_biller_id_is_paid_at_the_counter(world):
    elsewhere = BillFactory.create(agency=AgencyFactory.create(code="no-biller-office"))
    response = client_for(world["anonymous"]).get(bill_url(elsewhere))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "This agency has no PromptPay biller ID set up, so it cannot take payments online. "
        f"Pay at the counter of {elsewhere.agency.name_en}, giving the bill number."
    ) in html
    assert "<svg" not in html
