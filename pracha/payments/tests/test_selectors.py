"""Payments selectors: billers, the QR payload, who may see a bill's payer, the payer's and the officers'
lists, and the events a catch-up re-applies."""

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from pracha.accounts.models import AssuranceLevel
from pracha.accounts.tests.factories import BusinessAuthorisationFactory, BusinessFactory, UserFactory
from pracha.agencies.tests.factories import AgencyFactory
from pracha.core import events
from pracha.core.errors import Conflict, NotFound
from pracha.payments import promptpay, selectors, services
from pracha.payments.models import Bill, Refund
from pracha.payments.tests.factories import (
    BillFactory,
    PaymentExceptionFactory,
    RefundFactory,
    paid_bill,
    payments_world,
)
from pracha.registries.tests.factories import TrafficTicketFactory


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world):
    return BillFactory(
        agency=world["bang_rak"], payer_user=world["payer"], payer_id_number=world["payer"].national_id
    )


def test_an_agency_bills_with_its_own_biller_or_its_nearest_ancestors(world, settings):
    own = selectors.biller_for(world["bang_rak"])
    assert own == selectors.Biller(
        agency_code="bma-bang-rak", biller_id="099999000000101", secret="demo-only-secret-bma-bang-rak"
    )
    district = AgencyFactory(code="bma-new-district", parent=world["bang_rak"])
    assert selectors.biller_for(district).biller_id == "099999000000101"
    assert selectors.biller_for(AgencyFactory(code="no-biller")) is None
    assert selectors.agency_for_biller("099999000000101") == world["bang_rak"]
    assert selectors.agency_for_biller("099999999999999") is None
    assert {agency.code for agency in selectors.agencies_billing_as("099999000000101")} == {
        "bma-bang-rak",
        "bma-new-district",
    }


def test_the_qr_payload_carries_the_biller_the_references_and_the_amount(bill):
    parsed = promptpay.parse(selectors.promptpay_payload(bill))
    assert (parsed.kind, parsed.biller_id, parsed.ref1, parsed.ref2, parsed.amount_satang) == (
        "bill_payment",
        "099999000000101",
        bill.ref1,
        bill.ref2,
        30000,
    )


def test_no_qr_payload_without_a_biller(world, bill, settings):
    settings.PRACHA_BILLERS = {}
    with pytest.raises(Conflict):
        selectors.promptpay_payload(bill)


def test_bills_and_receipts_by_link(bill):
    assert selectors.bill_by_public_id(public_id=bill.public_id) == bill
    with pytest.raises(NotFound):
        selectors.bill_by_public_id(public_id=uuid.uuid4())
    receipt = paid_bill().payment.receipt
    assert selectors.receipt_by_public_id(public_id=receipt.public_id) == receipt
    with pytest.raises(NotFound):
        selectors.receipt_by_public_id(public_id=uuid.uuid4())


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("payer", True),
        ("same_id_verified", True),
        ("same_id_unverified", False),
        ("business_delegate", True),
        ("finance", True),
        ("cashier", True),
        ("other_citizen", False),
        ("anonymous", False),
        ("officer_without", False),
        ("officer_other_agency", False),
    ],
)
def test_who_may_see_the_payer(world, who, sees):
    business = BusinessFactory()
    national_id = "1999900099991"
    bill = BillFactory(agency=world["bang_rak"], payer_id_number=national_id, payer_business=business)
    paid = paid_bill(agency=world["bang_rak"], payer_id_number=national_id, payer_business=business)
    if who == "payer":
        user = world["payer"]
        bill.payer_user = paid.payer_user = user
        bill.save()
        paid.save()
    elif who.startswith("same_id"):
        verified = who == "same_id_verified"
        user = UserFactory(
            national_id=national_id,
            assurance_level=AssuranceLevel.VERIFIED if verified else AssuranceLevel.SELF_ASSERTED,
        )
    elif who == "business_delegate":
        user = BusinessAuthorisationFactory(business=business).user
    else:
        user = world[who]
    assert selectors.may_see_payer(user=user, bill=bill) is sees
    assert selectors.may_see_receipt(user=user, receipt=paid.payment.receipt) is sees
    if sees:
        assert selectors.access_bill(user=user, reference=bill.reference.lower()) == bill
    else:
        with pytest.raises(NotFound) as raised:
            selectors.access_bill(user=user, reference=bill.reference)
        assert str(raised.value) == "No bill with that number."


def test_the_payer_sees_their_live_and_settled_bills(world, bill):
    payer = world["payer"]
    paid = paid_bill(agency=world["bang_rak"], payer_id_number=payer.national_id)
    expired = BillFactory(payer_user=payer, state=Bill.State.EXPIRED)
    cancelled = BillFactory(payer_user=payer, state=Bill.State.CANCELLED)
    BillFactory(payer_user=world["other_citizen"])
    assert selectors.bills_of(user=payer) == [paid, bill]
    assert expired not in selectors.bills_of(user=payer)
    assert cancelled not in selectors.bills_of(user=payer)
    assert selectors.bills_of(user=world["anonymous"]) == []
    # The same ID number, self-asserted: only bills addressed to the account itself.
    impostor = UserFactory(national_id="1999900099992")
    BillFactory(payer_id_number="1999900099992")
    assert selectors.bills_of(user=impostor) == []


def test_a_business_sees_a_tax_bill_issued_to_its_juristic_number_without_a_link(world):
    business = BusinessFactory()
    # Issued before the business had an account in Pracha: payer_business is empty, the number is its.
    unlinked = {
        "agency": world["bang_rak"],
        "kind": Bill.Kind.LAND_TAX,
        "payer_id_number": business.juristic_number,
    }
    bill = BillFactory(subject_reference="LT-2569-000001", **unlinked)
    paid = paid_bill(subject_reference="LT-2569-000002", **unlinked)
    delegate = BusinessAuthorisationFactory(business=business).user
    assert selectors.bills_of(user=delegate) == [paid, bill]
    assert selectors.may_see_payer(user=delegate, bill=bill) is True
    assert selectors.may_see_receipt(user=delegate, receipt=paid.payment.receipt) is True
    assert selectors.access_bill(user=delegate, reference=bill.reference) == bill
    former = BusinessAuthorisationFactory(business=business, revoked_at=timezone.now()).user
    another_business = BusinessAuthorisationFactory().user
    for outsider in (former, another_business, world["other_citizen"]):
        assert selectors.bills_of(user=outsider) == []
        assert selectors.may_see_payer(user=outsider, bill=bill) is False


def test_traffic_tickets_only_for_a_verified_identity(world):
    ticket = TrafficTicketFactory(offender_national_id=world["payer"].national_id, agency=world["rtp"])
    assert selectors.traffic_tickets_of(user=world["payer"]) == [ticket]
    unverified = world["unverified"]
    TrafficTicketFactory(offender_national_id=unverified.national_id, agency=world["rtp"])
    assert selectors.traffic_tickets_of(user=unverified) == []
    assert selectors.traffic_tickets_of(user=world["anonymous"]) == []


def test_officers_find_their_agencys_bills_by_exact_keys(world, bill):
    other = BillFactory(agency=world["dbd"])
    finance = world["finance"]
    assert list(selectors.officer_bills(user=finance)) == [bill]
    for query in (bill.reference.lower(), bill.ref1, bill.subject_reference, bill.payer_id_number):
        assert list(selectors.officer_bills(user=finance, query=query)) == [bill]
    assert list(selectors.officer_bills(user=finance, query=bill.ref1[:-1])) == []
    assert list(selectors.officer_bills(user=finance, state="paid")) == []
    assert list(selectors.officer_bills(user=finance, state="pending")) == [bill]
    assert list(selectors.officer_bills(user=world["officer_other_agency"])) == [other]
    assert list(selectors.officer_bills(user=world["payer"])) == []
    assert selectors.access_officer_bill(user=finance, reference=bill.reference) == bill
    for who in ("officer_other_agency", "payer", "officer_without", "anonymous"):
        with pytest.raises(NotFound):
            selectors.access_officer_bill(user=world[who], reference=bill.reference)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("cashier", (True, False, False)),
        ("finance", (False, True, False)),
        ("approver", (False, False, True)),
        ("officer_other_agency", (False, False, False)),
        ("anonymous", (False, False, False)),
    ],
)
def test_bill_permissions(world, bill, who, expected):
    permissions = selectors.bill_permissions(user=world[who], bill=bill)
    assert (permissions.can_record_cash, permissions.can_manage, permissions.can_approve_refund) == expected


def test_refundable_is_paid_less_refunded_less_waiting(world):
    bill = paid_bill(agency=world["bang_rak"])
    assert selectors.refundable_satang(bill) == 30000
    RefundFactory(bill=bill, amount_satang=5000)
    RefundFactory(bill=bill, amount_satang=7000, state=Refund.State.REJECTED)
    bill.refunded_satang = 10000
    bill.save()
    assert selectors.refundable_satang(bill) == 15000
    assert selectors.refundable_satang(BillFactory()) == 0


def test_exceptions_refunds_and_statements_are_seen_at_the_officers_agencies(world):
    ours = PaymentExceptionFactory(agency=world["bang_rak"])
    PaymentExceptionFactory(agency=world["bang_rak"], state="resolved")
    theirs = PaymentExceptionFactory(agency=world["dbd"])
    finance = world["finance"]
    assert list(selectors.exceptions_for(user=finance)) == [ours]
    assert selectors.exceptions_for(user=finance, state="").count() == 2
    assert selectors.access_exception(user=finance, public_id=ours.public_id) == ours
    with pytest.raises(NotFound):
        selectors.access_exception(user=finance, public_id=theirs.public_id)

    waiting = RefundFactory(bill=paid_bill(agency=world["bang_rak"]))
    RefundFactory(bill=paid_bill(agency=world["bang_rak"]), state=Refund.State.APPROVED)
    elsewhere = RefundFactory(bill=paid_bill(agency=world["dbd"]))
    assert list(selectors.refunds_waiting(user=world["approver"])) == [waiting]
    assert list(selectors.refunds_waiting(user=finance)) == []  # may not approve
    assert selectors.access_refund(user=finance, public_id=waiting.public_id) == waiting
    with pytest.raises(NotFound):
        selectors.access_refund(user=finance, public_id=elsewhere.public_id)
    with pytest.raises(NotFound):
        selectors.access_refund(user=world["payer"], public_id=waiting.public_id)


def test_statements_are_seen_at_the_officers_agencies(world):
    content = (
        b"transaction_id,paid_at,biller_id,ref1,ref2,amount\n"
        b"T1,2026-11-24T09:00:00+07:00,099999000000101,2569000001,APP1,300.00\n"
    )
    statement = services.statement_import(actor=world["finance"], content=content, file_name="s.csv")
    assert list(selectors.statements_for(user=world["approver"])) == [statement]
    assert selectors.access_statement(user=world["cashier"], public_id=statement.public_id) == statement
    assert list(selectors.statements_for(user=world["officer_other_agency"])) == []
    with pytest.raises(NotFound):
        selectors.access_statement(user=world["officer_other_agency"], public_id=statement.public_id)


def test_live_bill_and_settlements_for_applications(world):
    expired = BillFactory(subject_reference="APP-2569-000007", state=Bill.State.EXPIRED)
    assert selectors.live_bill_for(kind="application_fee", subject_reference="APP-2569-000007") is None
    paid = paid_bill(subject_reference="APP-2569-000007", replaces=expired)
    assert selectors.live_bill_for(kind="application_fee", subject_reference="APP-2569-000007") == paid
    assert selectors.live_bill_for(kind="traffic_fine", subject_reference="APP-2569-000007") is None
    BillFactory(subject_reference="APP-2569-000008")  # not paid yet
    fine = paid_bill(kind="traffic_fine", subject_reference="TK6900000009")
    payment = paid.payment
    assert selectors.settlements_for(
        references=["APP-2569-000007", "APP-2569-000008", fine.subject_reference]
    ) == [
        events.PaymentSettled(
            payable_reference="APP-2569-000007",
            payment_id=str(payment.public_id),
            amount_satang=30000,
            channel="promptpay",
            receipt_number=payment.receipt.number,
        )
    ]
    assert selectors.settlements_for(references=[]) == []


def test_a_refunded_bill_still_counts_as_settled(world):
    bill = paid_bill(
        subject_reference="APP-2569-000010", paid_at=timezone.now() - datetime.timedelta(hours=1)
    )
    bill.state = Bill.State.REFUNDED
    bill.save()
    assert [
        event.payable_reference for event in selectors.settlements_for(references=["APP-2569-000010"])
    ] == ["APP-2569-000010"]
