"""Payments services: issuing bills (fees, fines, land tax), their lifecycle, cash at the counter with its
receipt, refunds with two people, payment exceptions and bank statements; and the authorization matrix
of every officer service (a refusal changes nothing and audits nothing)."""

import datetime
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from pracha.accounts.tests.factories import BusinessFactory
from pracha.agencies.models import Role
from pracha.agencies.tests.factories import AgencyFactory
from pracha.audit.public import AuditEntry
from pracha.core import events
from pracha.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.payments import promptpay, selectors, services, tasks
from pracha.payments.models import (
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
    StatementImport,
    StatementLine,
)
from pracha.payments.tests.factories import (
    PaymentExceptionFactory,
    PaymentFactory,
    RefundFactory,
    officer,
    paid_bill,
    payments_world,
)
from pracha.registries.tests.factories import LandTaxAssessmentFactory, TrafficTicketFactory

FEE_LINES = [
    {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 50000},
    {"code": "inspection", "name_th": "ค่าตรวจสถานที่", "name_en": "Inspection fee", "amount_satang": 20050},
]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def settled() -> Any:
    """The PaymentSettled events announced after commit, in order."""
    seen: list[events.PaymentSettled] = []
    handler = events.subscribe(events.PaymentSettled)(seen.append)
    yield seen
    events._handlers[events.PaymentSettled].remove(handler)


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def year() -> int:
    return buddhist_year(local_today())


def create_fee_bill(world: dict[str, Any], subject: str = "APP-2569-000001", **overrides: Any) -> Bill:
    values: dict[str, Any] = {
        "kind": Bill.Kind.APPLICATION_FEE,
        "subject_reference": subject,
        "agency": world["bang_rak"],
        "payer_id_number": world["payer"].national_id,
        "payer_name": "สมหญิง รักไทยทดสอบ",
        "payer_user": world["payer"],
        "description_th": "ค่าธรรมเนียม",
        "description_en": "Fee",
        "lines": FEE_LINES,
        "due_date": local_today() + datetime.timedelta(days=15),
    }
    values.update(overrides)
    return services.bill_create(**values)


def create_tax_bill(world: dict[str, Any], subject: str = "LT-2569-000001") -> Bill:
    """A land tax bill at Bang Rak (no assessment behind it: enough for cancelling)."""
    return create_fee_bill(world, subject, kind=Bill.Kind.LAND_TAX, payer_user=None)


# --- issuing bills ------------------------------------------------------------------------------------


def test_bill_create_numbers_the_bill_and_is_idempotent(world):
    bill = create_fee_bill(world, actor=world["finance"])
    assert bill.reference == f"BILL-{year()}-000001"
    assert bill.ref1 == f"{year()}000001"
    assert bill.ref2 == "APP2569000001"
    assert bill.amount_satang == 70050
    assert bill.state == Bill.State.CREATED
    assert bill.lines == FEE_LINES
    again = create_fee_bill(world)
    assert again.pk == bill.pk
    assert Bill.objects.count() == 1
    entry = AuditEntry.objects.get(action="payments.bill_create")
    assert entry.actor_id == str(world["finance"].public_id)
    assert entry.payload["amount_satang"] == 70050


def test_a_cancelled_bill_makes_way_for_a_new_one(world):
    first = create_tax_bill(world)
    services.bill_cancel(actor=world["finance"], bill=first, reason="ออกผิด")
    second = create_tax_bill(world)
    assert second.pk != first.pk
    assert second.reference == f"BILL-{year()}-000002"


def test_bill_create_refuses_bad_lines_and_agencies_without_a_biller(world):
    with pytest.raises(InvalidInput) as raised:
        create_fee_bill(world, lines=[{"code": "x", "name_th": "ก", "name_en": "x", "amount_satang": 0}])
    assert raised.value.fields == {
        "lines": ["A bill must be for more than nothing and less than ten billion baht."]
    }
    with pytest.raises(InvalidInput):
        create_fee_bill(world, lines=[{"code": "x", "name_th": "ก", "name_en": "x", "amount_satang": 1.5}])
    nowhere = AgencyFactory(code="cgd")
    with pytest.raises(Conflict) as no_biller:
        create_fee_bill(world, agency=nowhere)
    assert str(no_biller.value) == (
        "This agency has no PromptPay biller ID set up, so it cannot take payments online."
    )
    assert Bill.objects.count() == 0
    assert audit_count("payments.bill_create") == 0


def test_an_office_without_its_own_biller_bills_through_its_parent(world, settings):
    settings.PRACHA_BILLERS = {"bma": settings.PRACHA_BILLERS["bma"]}
    bill = create_fee_bill(world)
    parsed = promptpay.parse(selectors.promptpay_payload(bill))
    assert parsed.biller_id == "099999000000100"


def test_bill_for_fee_bills_the_applicant(world):
    applicant = world["payer"]
    event = events.FeeDue(
        payable_reference="APP-2569-000123",
        agency_code="bma-bang-rak",
        payer_public_id=str(applicant.public_id),
        lines=tuple(events.FeeLine(**line) for line in FEE_LINES),
        total_satang=70050,
    )
    bill = services.bill_for_fee(event=event)
    assert (bill.kind, bill.subject_reference, bill.agency) == (
        "application_fee",
        "APP-2569-000123",
        world["bang_rak"],
    )
    assert bill.payer_user == applicant
    assert bill.payer_id_number == applicant.national_id
    assert bill.payer_name == f"{applicant.first_name_th} {applicant.last_name_th}"
    assert bill.lines == FEE_LINES
    assert bill.amount_satang == 70050
    assert bill.due_date == local_today() + datetime.timedelta(days=15)
    assert bill.description_en == "Fee for application APP-2569-000123"
    assert bill.ref2 == "APP2569000123"
    assert services.bill_for_fee(event=event).pk == bill.pk


def test_fee_due_published_on_commit_creates_the_bill(world, django_capture_on_commit_callbacks):
    event = events.FeeDue(
        payable_reference="APP-2569-000124",
        agency_code="bma-bang-rak",
        payer_public_id=str(world["payer"].public_id),
        lines=(
            events.FeeLine(code="permit", name_th="ค่าใบอนุญาต", name_en="Permit fee", amount_satang=10000),
        ),
        total_satang=10000,
    )
    with django_capture_on_commit_callbacks(execute=True):
        events.publish_on_commit(event)
    assert Bill.objects.get(subject_reference="APP-2569-000124").amount_satang == 10000


@pytest.fixture
def ticket(world: dict[str, Any]) -> Any:
    return TrafficTicketFactory(
        ticket_number="TK6900000001",
        plate="1กข1234",
        agency=world["rtp"],
        offender_national_id=world["payer"].national_id,
        offender_name="สมหญิง รักไทยทดสอบ",
        fine_satang=50000,
    )


def test_a_ticket_is_found_by_number_and_plate_written_any_way(world, ticket):
    bill = services.bill_for_traffic_ticket(ticket_number=" tk6900000001 ", plate="1 กข-1234")
    assert (bill.kind, bill.subject_reference, bill.agency) == ("traffic_fine", "TK6900000001", world["rtp"])
    assert bill.amount_satang == 50000
    assert bill.lines == [
        {"code": "traffic_fine", "name_th": "ขับรถเร็วเกินกำหนด", "name_en": "Speeding", "amount_satang": 50000}
    ]
    assert bill.payer_id_number == ticket.offender_national_id
    assert bill.payer_user is None
    assert bill.due_date == ticket.due_date
    assert bill.ref2 == "TK6900000001"
    assert services.bill_for_traffic_ticket(ticket_number="TK6900000001", plate="1กข1234").pk == bill.pk


@pytest.mark.parametrize(
    ("number", "plate", "who"),
    [
        ("TK6900000001", "1กข1235", "anonymous"),
        ("TK6900000001", "", "anonymous"),
        ("TK6900000002", "1กข1234", "anonymous"),
        ("TK6900000001", "", "unverified"),
        ("TK6900000001", "", "other_citizen"),
    ],
)
def test_a_ticket_is_not_found_without_the_plate_or_the_verified_offender(world, ticket, number, plate, who):
    user = world[who]
    if who == "unverified":  # the offender's own account, but the national ID is only self-asserted
        ticket.offender_national_id = user.national_id
        ticket.save()
    with pytest.raises(NotFound) as raised:
        services.bill_for_traffic_ticket(ticket_number=number, plate=plate, user=user)
    assert str(raised.value) == "No traffic ticket matches this number and licence plate."
    assert Bill.objects.count() == 0


def test_the_verified_offender_needs_no_plate(world, ticket):
    bill = services.bill_for_traffic_ticket(ticket_number="TK6900000001", user=world["payer"])
    assert bill.payer_user == world["payer"]
    assert AuditEntry.objects.get(action="payments.bill_create").actor_id == str(world["payer"].public_id)


def test_an_overdue_ticket_gets_a_week_and_a_paid_one_without_bill_is_a_conflict(world):
    late = TrafficTicketFactory(
        plate="2กข1", agency=world["rtp"], due_date=local_today() - datetime.timedelta(days=1)
    )
    bill = services.bill_for_traffic_ticket(ticket_number=late.ticket_number, plate="2กข1")
    assert bill.due_date == local_today() + datetime.timedelta(days=7)
    paid = TrafficTicketFactory(
        plate="3กข1", agency=world["rtp"], paid_at=timezone.now(), receipt_number="STATION-1"
    )
    with pytest.raises(Conflict) as raised:
        services.bill_for_traffic_ticket(ticket_number=paid.ticket_number, plate="3กข1")
    assert str(raised.value) == "This traffic ticket has already been paid."


def test_land_tax_bills_are_issued_once_per_unpaid_assessment(world):
    business = BusinessFactory()
    person = LandTaxAssessmentFactory(agency=world["bang_rak"], owner_id_number=world["payer"].national_id)
    company = LandTaxAssessmentFactory(agency=world["bang_rak"], owner_id_number=business.juristic_number)
    LandTaxAssessmentFactory(agency=world["bang_rak"], paid_at=timezone.now(), receipt_number="OLD-1")
    LandTaxAssessmentFactory(agency=world["bang_rak"], tax_year=2568)
    assert services.land_tax_bills_issue(tax_year=2569) == 2
    assert services.land_tax_bills_issue(tax_year=2569) == 0
    bill = Bill.objects.get(subject_reference=person.assessment_number)
    assert (bill.kind, bill.amount_satang, bill.payer_id_number) == (
        "land_tax",
        100000,
        world["payer"].national_id,
    )
    assert bill.payer_user is None
    assert bill.description_en == f"Land and building tax for 2026 (assessment {person.assessment_number})"
    assert Bill.objects.get(subject_reference=company.assessment_number).payer_business == business
    assert services.land_tax_bills_issue() == 1  # the 2568 assessment


# --- lifecycle ----------------------------------------------------------------------------------------


def test_showing_the_qr_code_makes_a_bill_pending_once(world):
    bill = create_fee_bill(world)
    assert services.bill_present(bill=bill).state == Bill.State.PENDING
    assert services.bill_present(bill=bill).state == Bill.State.PENDING
    assert audit_count("payments.bill_present") == 1


def test_overdue_bills_expire_and_can_be_renewed_once(world):
    bill = create_fee_bill(world, due_date=local_today() - datetime.timedelta(days=1))
    paid = paid_bill(agency=world["bang_rak"], due_date=local_today() - datetime.timedelta(days=3))
    on_time = create_fee_bill(world, subject="APP-2569-000002")
    assert tasks.expire_overdue_bills.call() == 1
    bill.refresh_from_db()
    paid.refresh_from_db()
    on_time.refresh_from_db()
    assert (bill.state, paid.state, on_time.state) == ("expired", "paid", "created")
    assert audit_count("payments.bill_expire") == 1
    renewed = services.bill_renew(bill=bill, actor=world["payer"])
    assert renewed.pk != bill.pk
    assert renewed.replaces == bill
    assert (renewed.state, renewed.amount_satang, renewed.subject_reference) == (
        "created",
        70050,
        bill.subject_reference,
    )
    assert renewed.ref1 != bill.ref1
    assert renewed.due_date == local_today() + datetime.timedelta(days=15)
    assert services.bill_renew(bill=bill).pk == renewed.pk
    assert Bill.objects.filter(subject_reference=bill.subject_reference).count() == 2


def test_only_an_expired_bill_of_something_still_owed_is_renewed(world, ticket):
    with pytest.raises(Conflict) as raised:
        services.bill_renew(bill=create_fee_bill(world))
    assert str(raised.value) == "Only an expired bill can be renewed."
    bill = services.bill_for_traffic_ticket(ticket_number="TK6900000001", plate="1กข1234")
    services.bills_expire(today=bill.due_date + datetime.timedelta(days=1))
    ticket.paid_at, ticket.receipt_number = timezone.now(), "STATION-9"
    ticket.save()
    bill.refresh_from_db()
    with pytest.raises(Conflict) as paid:
        services.bill_renew(bill=bill)
    assert str(paid.value) == "This has already been paid; there is nothing left to pay."


def test_a_finance_officer_cancels_a_payable_bill_with_a_reason(world):
    bill = create_tax_bill(world)
    with pytest.raises(InvalidInput) as raised:
        services.bill_cancel(actor=world["finance"], bill=bill, reason="  ")
    assert raised.value.fields == {"reason": ["Say why the bill is cancelled."]}
    cancelled = services.bill_cancel(actor=world["finance"], bill=bill, reason="ผู้ยื่นถอนคำขอ")
    assert cancelled.state == Bill.State.CANCELLED
    assert AuditEntry.objects.get(action="payments.bill_cancel").payload == {"reason": "ผู้ยื่นถอนคำขอ"}
    with pytest.raises(Conflict):
        services.bill_cancel(actor=world["finance"], bill=bill, reason="again")
    assert audit_count("payments.bill_cancel") == 1


def test_an_application_fee_is_not_cancelled_outside_its_application(world):
    bill = create_fee_bill(world)
    with pytest.raises(Conflict) as raised:
        services.bill_cancel(actor=world["finance"], bill=bill, reason="ผู้ยื่นถอนคำขอ")
    assert str(raised.value) == (
        "An application fee cannot be cancelled here: the fee belongs to the application's workflow, "
        "which bills it again while the case waits for payment."
    )
    bill.refresh_from_db()
    assert bill.state == Bill.State.CREATED
    assert audit_count("payments.bill_cancel") == 0


# --- cash at the counter ------------------------------------------------------------------------------


def test_cash_at_the_counter_issues_numbered_receipts_and_marks_the_register(
    world, settled, django_capture_on_commit_callbacks
):
    first = TrafficTicketFactory(plate="1กข1", agency=world["rtp"], fine_satang=123456)
    second = TrafficTicketFactory(plate="1กข2", agency=world["rtp"], fine_satang=50000)
    cashier = world["police_cashier"]
    receipts = []
    for ticket, amount in ((first, 123456), (second, 50000)):
        bill = services.bill_for_traffic_ticket(ticket_number=ticket.ticket_number, plate=ticket.plate)
        with django_capture_on_commit_callbacks(execute=True):
            receipts.append(services.bill_cash_record(actor=cashier, bill=bill, amount_satang=amount))
    assert [receipt.number for receipt in receipts] == [f"RC-RTP-{year()}-000001", f"RC-RTP-{year()}-000002"]
    receipt = receipts[0]
    assert receipt.amount_in_words == "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบหกสตางค์"
    assert receipts[1].amount_in_words == "ห้าร้อยบาทถ้วน"
    assert (receipt.channel, receipt.agency, receipt.amount_satang) == ("counter", world["rtp"], 123456)
    assert (receipt.payer_name, receipt.payer_id_number) == (first.offender_name, first.offender_national_id)
    assert receipt.lines == receipt.payment.bill.lines
    payment = receipt.payment
    assert (payment.recorded_by, payment.bank_transaction_id, payment.channel) == (cashier, None, "counter")
    bill = payment.bill
    bill.refresh_from_db()
    assert (bill.state, bill.paid_at) == ("paid", payment.paid_at)
    first.refresh_from_db()
    assert (first.paid_at, first.receipt_number) == (payment.paid_at, receipt.number)
    assert settled == [
        events.PaymentSettled(
            payable_reference=first.ticket_number,
            payment_id=str(payment.public_id),
            amount_satang=123456,
            channel="counter",
            receipt_number=receipt.number,
        ),
        events.PaymentSettled(
            payable_reference=second.ticket_number,
            payment_id=str(receipts[1].payment.public_id),
            amount_satang=50000,
            channel="counter",
            receipt_number=receipts[1].number,
        ),
    ]
    entry = AuditEntry.objects.filter(action="payments.bill_pay").order_by("pk").first()
    assert entry.actor_id == str(cashier.public_id)
    assert entry.payload == {
        "channel": "counter",
        "transaction_id": "",
        "amount_satang": 123456,
        "receipt_number": receipt.number,
    }
    assert audit_count("registries.ticket_paid") == 2


def test_cash_for_land_tax_marks_the_assessment_paid(world):
    assessment = LandTaxAssessmentFactory(agency=world["bang_rak"], tax_satang=250075)
    services.land_tax_bills_issue()
    bill = Bill.objects.get(subject_reference=assessment.assessment_number)
    receipt = services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=250075)
    assert receipt.number == f"RC-BMA-BANG-RAK-{year()}-000001"
    assert receipt.amount_in_words == "สองพันห้าร้อยบาทเจ็ดสิบห้าสตางค์"
    assessment.refresh_from_db()
    assert assessment.receipt_number == receipt.number


def test_cash_must_be_the_exact_amount_of_a_payable_bill(world):
    bill = create_fee_bill(world)
    with pytest.raises(InvalidInput) as raised:
        services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=70000)
    assert raised.value.fields == {"amount": ["The amount must be exactly the amount of the bill."]}
    services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=70050)
    with pytest.raises(Conflict) as twice:
        services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=70050)
    assert str(twice.value) == "This bill can no longer be paid: it has been paid, cancelled or has expired."
    assert Payment.objects.count() == 1
    assert Receipt.objects.count() == 1


# --- refunds ------------------------------------------------------------------------------------------


def test_refunds_partial_then_full_by_two_people(world):
    bill = paid_bill(agency=world["bang_rak"])  # 300.00 baht
    finance, approver = world["finance"], world["approver"]
    refund = services.refund_request(
        actor=finance, bill=bill, amount_satang=10000, reason="เก็บเกิน", idempotency_key="key-1"
    )
    assert (refund.state, refund.amount_satang, refund.requested_by) == ("requested", 10000, finance)
    same = services.refund_request(
        actor=finance, bill=bill, amount_satang=10000, reason="เก็บเกิน", idempotency_key="key-1"
    )
    assert same.pk == refund.pk
    assert Refund.objects.count() == 1
    assert audit_count("payments.refund_request") == 1
    with pytest.raises(InvalidInput) as too_much:
        services.refund_request(
            actor=finance, bill=bill, amount_satang=20001, reason="x", idempotency_key="key-2"
        )
    assert too_much.value.fields == {
        "amount": ["The amount must be more than nothing and at most THB 200.00."]
    }
    services.refund_decide(actor=approver, refund=refund, approve=True)
    bill.refresh_from_db()
    assert (bill.state, bill.refunded_satang) == ("partially_refunded", 10000)
    rest = services.refund_request(
        actor=finance, bill=bill, amount_satang=20000, reason="คืนทั้งหมด", idempotency_key="key-3"
    )
    decided = services.refund_decide(actor=approver, refund=rest, approve=True, note="ตรวจแล้ว")
    assert (decided.state, decided.decided_by, decided.decision_note) == ("approved", approver, "ตรวจแล้ว")
    bill.refresh_from_db()
    assert (bill.state, bill.refunded_satang) == ("refunded", 30000)
    assert services.refund_decide(actor=approver, refund=rest, approve=True).pk == rest.pk  # again: no change
    assert audit_count("payments.refund_decide") == 2
    with pytest.raises(Conflict):
        services.refund_request(
            actor=finance, bill=bill, amount_satang=1, reason="x", idempotency_key="key-4"
        )


@pytest.fixture
def refunded() -> Any:
    """The ReceiptRefunded events announced after commit, in order."""
    seen: list[events.ReceiptRefunded] = []
    handler = events.subscribe(events.ReceiptRefunded)(seen.append)
    yield seen
    events._handlers[events.ReceiptRefunded].remove(handler)


def test_an_approved_refund_is_announced_after_the_commit(
    world, refunded, django_capture_on_commit_callbacks
):
    bill = paid_bill(agency=world["bang_rak"])  # 300.00 baht
    receipt = bill.payment.receipt
    finance, approver = world["finance"], world["approver"]
    part = services.refund_request(
        actor=finance, bill=bill, amount_satang=10000, reason="เกิน", idempotency_key="a"
    )
    rejected = services.refund_request(
        actor=finance, bill=bill, amount_satang=5000, reason="ซ้ำ", idempotency_key="b"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        part = services.refund_decide(actor=approver, refund=part, approve=True)
    assert refunded == []  # not before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_decide(actor=approver, refund=rejected, approve=False, note="ไม่ได้จ่ายซ้ำ")
        services.refund_decide(actor=approver, refund=part, approve=True)  # again: no change
        rest = services.refund_request(
            actor=finance, bill=bill, amount_satang=20000, reason="คืนทั้งหมด", idempotency_key="c"
        )
        rest = services.refund_decide(actor=approver, refund=rest, approve=True)
    assert refunded == [
        events.ReceiptRefunded(
            receipt_number=receipt.number,
            bill_reference=bill.reference,
            fully_refunded=False,
            refunded_at=part.decided_at.isoformat(),
        ),
        events.ReceiptRefunded(
            receipt_number=receipt.number,
            bill_reference=bill.reference,
            fully_refunded=True,
            refunded_at=rest.decided_at.isoformat(),
        ),
    ]


def test_the_requester_may_not_decide_their_own_refund(world):
    both = officer(world["bang_rak"], *Role.objects.filter(code__in=["finance-officer", "finance-approver"]))
    bill = paid_bill(agency=world["bang_rak"])
    refund = services.refund_request(
        actor=both, bill=bill, amount_satang=5000, reason="x", idempotency_key="own"
    )
    with pytest.raises(PermissionDenied) as raised:
        services.refund_decide(actor=both, refund=refund, approve=True)
    assert str(raised.value) == "A refund must be decided by an officer other than the one who requested it."
    refund.refresh_from_db()
    bill.refresh_from_db()
    assert (refund.state, bill.state, bill.refunded_satang) == ("requested", "paid", 0)
    assert audit_count("payments.refund_decide") == 0


def test_approval_rechecks_the_limit_and_rejection_needs_a_note(world):
    bill = paid_bill(agency=world["bang_rak"])
    first = RefundFactory(bill=bill, amount_satang=20000, requested_by=world["finance"])
    second = RefundFactory(bill=bill, amount_satang=20000, requested_by=world["finance"])
    services.refund_decide(actor=world["approver"], refund=first, approve=True)
    with pytest.raises(Conflict) as raised:
        services.refund_decide(actor=world["approver"], refund=second, approve=True)
    assert str(raised.value) == "Approving this refund would pay back more than was paid."
    with pytest.raises(InvalidInput) as no_note:
        services.refund_decide(actor=world["approver"], refund=second, approve=False)
    assert no_note.value.fields == {"note": ["Say why the refund is rejected."]}
    rejected = services.refund_decide(actor=world["approver"], refund=second, approve=False, note="เกินยอด")
    assert rejected.state == Refund.State.REJECTED
    bill.refresh_from_db()
    assert (bill.state, bill.refunded_satang) == ("partially_refunded", 20000)
    with pytest.raises(Conflict):
        services.refund_decide(actor=world["approver"], refund=second, approve=True)


KEY_REUSED = (
    "This request key was already used for a different refund (another bill, amount, reason or officer). "
    "Reload the page and make the request again."
)


@pytest.mark.parametrize("changed", ["bill", "amount", "reason", "requester"])
def test_a_request_key_belongs_to_one_request(world, changed):
    bill, other = paid_bill(agency=world["bang_rak"]), paid_bill(agency=world["bang_rak"])
    request = {"actor": world["finance"], "bill": bill, "amount_satang": 100, "reason": "ชำระซ้ำ"}
    first = services.refund_request(**request, idempotency_key="k")
    assert services.refund_request(**request, idempotency_key=" k ").pk == first.pk  # the same request
    request.update(
        {
            "bill": {"bill": other},
            "amount": {"amount_satang": 200},
            "reason": {"reason": "เก็บเกิน"},
            "requester": {"actor": world["second_finance"]},
        }[changed]
    )
    with pytest.raises(Conflict) as raised:
        services.refund_request(**request, idempotency_key="k")
    assert str(raised.value) == KEY_REUSED
    assert list(Refund.objects.values_list("pk", "amount_satang", "reason")) == [(first.pk, 100, "ชำระซ้ำ")]
    assert audit_count("payments.refund_request") == 1


def test_a_request_key_taken_meanwhile_for_another_bill_is_a_conflict(world):
    bill, other = paid_bill(agency=world["bang_rak"]), paid_bill(agency=world["bang_rak"])
    first = services.refund_request(
        actor=world["finance"], bill=bill, amount_satang=100, reason="x", idempotency_key="k"
    )
    looked = []

    def not_yet_committed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # The first look for the key runs as if the other request had not committed yet, so the
        # insert meets the unique key instead (what two requests at the same moment do).
        if not looked and '"payments_refund"."idempotency_key"' in sql:
            looked.append(sql)
            params = ["not-this-key" if param == "k" else param for param in params]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(not_yet_committed), pytest.raises(Conflict) as raised:
        services.refund_request(
            actor=world["finance"], bill=other, amount_satang=100, reason="x", idempotency_key="k"
        )
    assert len(looked) == 1
    assert str(raised.value) == KEY_REUSED
    assert list(Refund.objects.values_list("pk", flat=True)) == [first.pk]
    assert audit_count("payments.refund_request") == 1


# --- exceptions ---------------------------------------------------------------------------------------


def test_a_finance_officer_resolves_an_exception_once(world):
    exception = PaymentExceptionFactory(agency=world["bang_rak"])
    with pytest.raises(InvalidInput) as raised:
        services.exception_resolve(actor=world["finance"], exception=exception, note="")
    assert raised.value.fields == {"note": ["Say what was done about this payment."]}
    resolved = services.exception_resolve(
        actor=world["finance"], exception=exception, note="คืนเงินผ่านธนาคารแล้ว"
    )
    assert (resolved.state, resolved.resolved_by, resolved.resolution_note) == (
        "resolved",
        world["finance"],
        "คืนเงินผ่านธนาคารแล้ว",
    )
    with pytest.raises(Conflict):
        services.exception_resolve(actor=world["finance"], exception=exception, note="again")
    assert audit_count("payments.exception_resolve") == 1


# --- bank statements ----------------------------------------------------------------------------------

BANG_RAK_BILLER = "099999000000101"
HEADER = "transaction_id,paid_at,biller_id,ref1,ref2,amount\n"


def at(hour: int, day: datetime.date | None = None) -> datetime.datetime:
    day = day or local_today()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def promptpay_payment(world, transaction_id, when, agency=None):
    return PaymentFactory(
        bank_transaction_id=transaction_id,
        paid_at=when,
        bill__agency=agency or world["bang_rak"],
        bill__paid_at=when,
    )


def line(
    payment: Payment | None, transaction_id: str, *, amount: str = "300.00", when: datetime.datetime
) -> str:
    ref1, ref2 = (payment.bill.ref1, payment.bill.ref2) if payment else ("2569999999", "APP2569999999")
    return f"{transaction_id},{when.isoformat()},{BANG_RAK_BILLER},{ref1},{ref2},{amount}\n"


@pytest.fixture
def statement_file(world: dict[str, Any]) -> bytes:
    matched = promptpay_payment(world, "T1", at(9))
    promptpay_payment(world, "T2", at(10))  # not in the statement
    mismatched = promptpay_payment(world, "T3", at(11))
    promptpay_payment(world, "T4", at(12, local_today() - datetime.timedelta(days=1)))  # another day
    police = promptpay_payment(world, "T5", at(13), agency=world["rtp"])  # another biller
    PaymentFactory(
        channel="counter", bank_transaction_id=None, paid_at=at(14), bill__agency=world["bang_rak"]
    )
    return (
        HEADER
        + line(matched, "T1", when=at(9))
        + line(mismatched, "T3", amount="310.00", when=at(11))
        + line(None, "T9", when=at(15))
        + line(matched, "T1", when=at(9))
        # The police's transaction ID and references on Bang Rak's statement: not a Bang Rak payment.
        + line(police, "T5", when=at(13))
    ).encode()


def test_a_statement_is_matched_line_by_line(world, statement_file):
    statement = services.statement_import(
        actor=world["finance"], content=statement_file, file_name="bang-rak.csv"
    )
    counts = {"matched": 1, "missing": 2, "not_in_statement": 1, "duplicate": 1, "mismatched": 1}
    assert statement.counts == counts
    assert (statement.agency, statement.biller_id, statement.statement_date) == (
        world["bang_rak"],
        BANG_RAK_BILLER,
        local_today(),
    )
    lines = [
        (line.line_number, line.transaction_id, line.verdict, line.payment and line.payment.bill.agency.code)
        for line in statement.lines.all()
    ]
    assert sorted(lines, key=lambda item: (item[0] is None, item[0] or 0)) == [
        (2, "T1", "matched", "bma-bang-rak"),
        (3, "T3", "mismatched", "bma-bang-rak"),
        (4, "T9", "missing", None),
        (5, "T1", "duplicate", "bma-bang-rak"),
        (6, "T5", "missing", None),
        (None, "T2", "not_in_statement", "bma-bang-rak"),
    ]
    entry = AuditEntry.objects.get(action="payments.statement_import")
    assert entry.payload == {
        "biller_id": BANG_RAK_BILLER,
        "statement_date": local_today().isoformat(),
        "file_sha256": hashlib.sha256(statement_file).hexdigest(),
        "counts": counts,
        "unmatched": {
            "missing": ["T9", "T5"],
            "not_in_statement": ["T2"],
            "duplicate": ["T1"],
            "mismatched": ["T3"],
        },
    }
    assert entry.actor_id == str(world["finance"].public_id)
    again = services.statement_import(actor=world["finance"], content=statement_file, file_name="again.csv")
    assert again.pk == statement.pk
    assert StatementImport.objects.count() == 1
    assert StatementLine.objects.count() == 6
    assert audit_count("payments.statement_import") == 1


def test_the_audit_entry_lists_at_most_fifty_unmatched_lines_per_verdict(world):
    unknown = [f"U{number:03d}" for number in range(1, 53)]
    content = HEADER + "".join(line(None, transaction_id, when=at(9)) for transaction_id in unknown)
    statement = services.statement_import(actor=world["finance"], content=content.encode(), file_name="s.csv")
    assert statement.counts["missing"] == 52
    payload = AuditEntry.objects.get(action="payments.statement_import").payload
    assert payload["unmatched"] == {
        "missing": unknown[:50],
        "not_in_statement": [],
        "duplicate": [],
        "mismatched": [],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Line 1 must be the header transaction_id,paid_at,biller_id,ref1,ref2,amount."),
        (HEADER.encode(), "The statement has no payments in it."),
        (
            (HEADER + f"T1,2026-11-24T09:00:00+07:00,{BANG_RAK_BILLER},1,2,300.00\n"
             + f"T2,2026-11-24T10:00:00+07:00,{BANG_RAK_BILLER},1,2,3.001\n").encode(),
            "Line 3: the amount is missing or not in the expected format.",
        ),
        (
            (HEADER + f"T1,2026-11-24T09:00:00,{BANG_RAK_BILLER},1,2,300.00\n").encode(),
            "Line 2: the paid_at is missing or not in the expected format.",
        ),
        ((HEADER + "T1,2026-11-24T09:00:00+07:00,1234,1,2,300.00\n").encode(),
         "Line 2: the biller_id is missing or not in the expected format."),
        ((HEADER + "T1,2026-11-24T09:00:00+07:00\n").encode(), "Line 2 has 2 columns instead of 6."),
        (
            (HEADER + f"T1,2026-11-24T09:00:00+07:00,{BANG_RAK_BILLER},1,2,300.00\n"
             + f"T2,2026-11-25T09:00:00+07:00,{BANG_RAK_BILLER},1,2,300.00\n").encode(),
            "Line 3 is for another biller ID or another day than line 2.",
        ),
        (b"\xff\xfe", "The file is not UTF-8 text."),
        ((HEADER + "T1,2026-11-24T09:00:00+07:00,099999999999999,1,2,300.00\n").encode(),
         "The statement is for a biller ID that is not one of ours."),
    ],
)  # fmt: skip
def test_a_bad_statement_is_refused_naming_the_line(world, content, message):
    with pytest.raises(InvalidInput) as raised:
        services.statement_import(actor=world["finance"], content=content, file_name="bad.csv")
    assert str(raised.value) == message
    assert raised.value.fields == {"file": [message]}
    assert StatementImport.objects.count() == 0
    assert audit_count("payments.statement_import") == 0


# --- who may do what ----------------------------------------------------------------------------------

REFUSED = ["anonymous", "payer", "officer_without", "officer_other_agency"]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Bill.objects.order_by("pk").values_list("state", "refunded_satang")),
        Payment.objects.count(),
        Receipt.objects.count(),
        list(Refund.objects.order_by("pk").values_list("state", flat=True)),
        list(PaymentException.objects.order_by("pk").values_list("state", flat=True)),
        StatementImport.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def targets(world: dict[str, Any], statement_file: bytes) -> dict[str, Any]:
    paid = paid_bill(agency=world["bang_rak"])
    return {
        "payable": create_fee_bill(world),
        "cancellable": create_tax_bill(world),
        "paid": paid,
        "refund": RefundFactory(bill=paid, requested_by=world["finance"]),
        "exception": PaymentExceptionFactory(agency=world["bang_rak"]),
        "statement": statement_file,
    }


OFFICER_SERVICES = {
    "bill_cancel": lambda actor, t: services.bill_cancel(actor=actor, bill=t["cancellable"], reason="x"),
    "bill_cash_record": lambda actor, t: services.bill_cash_record(
        actor=actor, bill=t["payable"], amount_satang=70050
    ),
    "refund_request": lambda actor, t: services.refund_request(
        actor=actor, bill=t["paid"], amount_satang=100, reason="x", idempotency_key="matrix"
    ),
    "refund_decide": lambda actor, t: services.refund_decide(actor=actor, refund=t["refund"], approve=True),
    "exception_resolve": lambda actor, t: services.exception_resolve(
        actor=actor, exception=t["exception"], note="x"
    ),
    "statement_import": lambda actor, t: services.statement_import(
        actor=actor, content=t["statement"], file_name="s.csv"
    ),
}
ALLOWED = {
    "bill_cancel": "finance",
    "bill_cash_record": "cashier",
    "refund_request": "finance",
    "refund_decide": "approver",
    "exception_resolve": "finance",
    "statement_import": "finance",
}


@pytest.mark.parametrize("service", sorted(OFFICER_SERVICES))
@pytest.mark.parametrize("who", [*REFUSED, "wrong_role"])
def test_officer_services_refuse_everyone_without_the_permission_at_the_agency(world, targets, service, who):
    # "wrong_role": a Bang Rak officer with payment roles, but not the one this service needs.
    actor = (
        world["approver" if ALLOWED[service] != "approver" else "cashier"]
        if who == "wrong_role"
        else world[who]
    )
    before = snapshot()
    with pytest.raises(PermissionDenied):
        OFFICER_SERVICES[service](actor, targets)
    assert snapshot() == before


AUDITED = {
    "bill_cancel": ["payments.bill_cancel"],
    "bill_cash_record": ["payments.bill_pay"],  # an application fee: no register to mark
    "refund_request": ["payments.refund_request"],
    "refund_decide": ["payments.refund_decide"],
    "exception_resolve": ["payments.exception_resolve"],
    "statement_import": ["payments.statement_import"],
}


@pytest.mark.parametrize("service", sorted(OFFICER_SERVICES))
def test_officer_services_are_open_to_the_role_at_the_agency(world, targets, service):
    last = AuditEntry.objects.order_by("pk").last()
    OFFICER_SERVICES[service](world[ALLOWED[service]], targets)
    new = AuditEntry.objects.filter(pk__gt=last.pk if last else 0).order_by("pk")
    assert [(entry.action, entry.actor_id) for entry in new] == [
        (action, str(world[ALLOWED[service]].public_id)) for action in AUDITED[service]
    ]
