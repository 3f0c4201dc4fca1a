"""Every change to bills and the money on them: issuing bills (fees, fines, land tax), showing, renewing,
cancelling and expiring them, paying them (a bank's notification or cash at a counter), refunds,
payment exceptions and bank statements.

A bill is paid in one transaction: the payment, its receipt, the bill's state, the register's record of
the fine or tax and the audit entry commit together or not at all, and PaymentSettled is announced only
after the commit. The database refuses a second payment for a bill, a second use of a bank
transaction id and a second exception for one, and a notification's nonce is stored before anything
else, so a retried or replayed notification never pays twice or queues the same money twice.
"""

import datetime
import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pracha.accounts.public import Business, User, business_by_juristic_number, user_by_public_id
from pracha.agencies.public import Agency, agencies_where_permitted, agency_get, has_permission
from pracha.audit import public as audit
from pracha.core import events
from pracha.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pracha.core.money import bahttext, format_baht
from pracha.core.references import next_reference
from pracha.core.text import clean_text
from pracha.core.thai_dates import format_date
from pracha.core.working_days import local_today
from pracha.notifications import public as notifications
from pracha.payments import promptpay, selectors
from pracha.payments.gateways import CallbackRejected, Notification, StatementEntry, gateway
from pracha.payments.models import (
    BankNotification,
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
    StatementImport,
    StatementLine,
)
from pracha.registries.public import (
    land_tax_assessment_get,
    land_tax_mark_paid,
    normalise_plate,
    traffic_ticket_get,
    traffic_ticket_mark_paid,
    unpaid_land_tax_assessments,
)

logger = logging.getLogger(__name__)

# A bill issued for something already overdue (an old ticket, a renewed bill) gets this long to be paid.
GRACE_DAYS = 7
TEXT_MAX_LENGTH = 2000
IDEMPOTENCY_KEY_MAX_LENGTH = 64  # Refund.idempotency_key
NOT_FOUND_TICKET = _("No traffic ticket matches this number and licence plate.")
NOT_PAYABLE = _("This bill can no longer be paid: it has been paid, cancelled or has expired.")
REFUND_KEY_REUSED = _(
    "This request key was already used for a different refund (another bill, amount, reason or officer). "
    "Reload the page and make the request again."
)
# Unmatched statement lines listed by transaction ID in the audit entry, per verdict.
AUDITED_LINES_MAX = 50


def _locked(bill: Bill) -> Bill:
    return Bill.objects.select_for_update(of=("self",)).select_related("agency").get(pk=bill.pk)


def _thai_name(user: User) -> str:
    return f"{user.first_name_th} {user.last_name_th}".strip() or user.national_id


def _ref2(subject_reference: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", subject_reference.upper())[:20]


# --- issuing bills ------------------------------------------------------------------------------------


def _checked_lines(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    checked = []
    for line in lines:
        amount = line.get("amount_satang")
        texts = [line.get(key) for key in ("code", "name_th", "name_en")]
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int)
            or amount < 0
            or not all(isinstance(text, str) and text.strip() for text in texts)
        ):
            message = _("Each item needs a code, a name in Thai and English, and an amount of 0 or more.")
            raise InvalidInput(message, fields={"lines": [message]})
        checked.append(
            {
                "code": line["code"],
                "name_th": line["name_th"],
                "name_en": line["name_en"],
                "amount_satang": amount,
            }
        )
    total = sum(line["amount_satang"] for line in checked)
    if not 0 < total <= promptpay.MAX_AMOUNT_SATANG:
        message = _("A bill must be for more than nothing and less than ten billion baht.")
        raise InvalidInput(message, fields={"lines": [message]})
    return checked


@transaction.atomic
def bill_create(
    *,
    kind: str,
    subject_reference: str,
    agency: Agency,
    payer_id_number: str,
    payer_name: str,
    payer_user: User | None = None,
    payer_business: Business | None = None,
    description_th: str,
    description_en: str,
    lines: Sequence[Mapping[str, Any]],
    due_date: datetime.date,
    actor: User | None = None,
    replaces: Bill | None = None,
) -> Bill:
    """Issue a bill; idempotent: the live bill (payable or settled) for the same thing is returned as is."""
    existing = selectors.live_bill_for(kind=kind, subject_reference=subject_reference)
    if existing is not None:
        return existing
    if kind not in Bill.Kind.values:
        raise InvalidInput(fields={"kind": [_("Unknown kind of bill.")]})
    checked = _checked_lines(lines)
    if selectors.biller_for(agency) is None:
        raise Conflict(selectors.NO_BILLER)
    reference = next_reference("BILL")
    try:
        # A savepoint: when another process issues the same bill first, the unique constraint on live
        # bills refuses this one and theirs is returned.
        with transaction.atomic():
            bill = Bill.objects.create(
                reference=reference,
                kind=kind,
                subject_reference=subject_reference,
                agency=agency,
                payer_id_number=payer_id_number,
                payer_name=payer_name,
                payer_user=payer_user,
                payer_business=payer_business,
                description_th=description_th,
                description_en=description_en,
                lines=checked,
                amount_satang=sum(line["amount_satang"] for line in checked),
                due_date=due_date,
                ref1=re.sub(r"\D", "", reference),
                ref2=_ref2(subject_reference),
                replaces=replaces,
            )
    except IntegrityError:
        existing = selectors.live_bill_for(kind=kind, subject_reference=subject_reference)
        if existing is None:
            raise
        return existing
    audit.record(
        actor=actor,
        action="payments.bill_create",
        target=bill,
        payload={
            "kind": kind,
            "subject_reference": subject_reference,
            "amount_satang": bill.amount_satang,
            "due_date": due_date.isoformat(),
            "replaces": replaces.reference if replaces is not None else "",
        },
    )
    return bill


@transaction.atomic
def bill_for_fee(*, event: events.FeeDue) -> Bill:
    """The bill for an application fee that fell due (the receiver of FeeDue); the applicant pays, and is
    told so in the same transaction. A FeeDue announced again (the catch-up) makes neither a second bill
    nor a second message."""
    payer = user_by_public_id(public_id=event.payer_public_id)
    if payer is None:
        raise NotFound()
    bill = bill_create(
        kind=Bill.Kind.APPLICATION_FEE,
        subject_reference=event.payable_reference,
        agency=agency_get(code=event.agency_code),
        payer_id_number=payer.national_id,
        payer_name=_thai_name(payer),
        payer_user=payer,
        description_th=f"ค่าธรรมเนียมคำขอเลขที่ {event.payable_reference}",
        description_en=f"Fee for application {event.payable_reference}",
        lines=[
            {
                "code": line.code,
                "name_th": line.name_th,
                "name_en": line.name_en,
                "amount_satang": line.amount_satang,
            }
            for line in event.lines
        ],
        due_date=local_today() + datetime.timedelta(days=settings.PRACHA_FEE_BILL_DAYS),
    )
    _notify_payment_due(bill)
    return bill


def _notify_payment_due(bill: Bill) -> None:
    """Ask the payer to pay, when they have an account and the bill can still be paid (a replayed FeeDue
    may find it paid or cancelled already)."""
    if bill.payer_user is None or not bill.is_payable:
        return
    notifications.notify(
        kind="payment_due",
        recipient=bill.payer_user,
        agency_code=bill.agency.code,
        context={
            "reference": bill.reference,
            "description": {"th": bill.description_th, "en": bill.description_en},
            "amount": {
                "th": format_baht(bill.amount_satang, lang="th"),
                "en": format_baht(bill.amount_satang, lang="en"),
            },
            # Short in Thai (24 พ.ย. 2569), so that the SMS keeps to one part.
            "due_date": {
                "th": format_date(bill.due_date, short=True, lang="th"),
                "en": format_date(bill.due_date, lang="en"),
            },
        },
        link=reverse("payments:bill", kwargs={"public_id": bill.public_id}),
        dedupe_key=f"payment_due:{bill.reference}",
    )


def _due(due_date: datetime.date) -> datetime.date:
    today = local_today()
    return due_date if due_date >= today else today + datetime.timedelta(days=GRACE_DAYS)


def bill_for_traffic_ticket(*, ticket_number: str, plate: str = "", user: Any = None) -> Bill:
    """The bill for a traffic fine, for someone who knows the ticket number and the plate, or who is the
    offender with a verified identity. Anyone else is told the same NotFound, whatever was wrong."""
    ticket = traffic_ticket_get(ticket_number=ticket_number)
    is_offender = (
        ticket is not None
        and getattr(user, "is_authenticated", False)
        and user.is_verified
        and user.national_id == ticket.offender_national_id
    )
    plate_matches = ticket is not None and bool(plate.strip()) and normalise_plate(plate) == ticket.plate
    if ticket is None or not (plate_matches or is_offender):
        raise NotFound(NOT_FOUND_TICKET)
    existing = selectors.live_bill_for(kind=Bill.Kind.TRAFFIC_FINE, subject_reference=ticket.ticket_number)
    if existing is not None:
        return existing
    if ticket.paid_at is not None:
        raise Conflict(_("This traffic ticket has already been paid."))
    return bill_create(
        kind=Bill.Kind.TRAFFIC_FINE,
        subject_reference=ticket.ticket_number,
        agency=ticket.agency,
        payer_id_number=ticket.offender_national_id,
        payer_name=ticket.offender_name,
        payer_user=user if is_offender else None,
        description_th=f"ค่าปรับตามใบสั่งจราจรเลขที่ {ticket.ticket_number}",
        description_en=f"Traffic fine, ticket {ticket.ticket_number}",
        lines=[
            {
                "code": "traffic_fine",
                "name_th": ticket.offence_th,
                "name_en": ticket.offence_en,
                "amount_satang": ticket.fine_satang,
            }
        ],
        due_date=_due(ticket.due_date),
        actor=user if getattr(user, "is_authenticated", False) else None,
    )


def land_tax_bills_issue(*, tax_year: int | None = None) -> int:
    """One bill for each unpaid assessment on the tax roll that has none yet; returns how many were
    issued. Running it again issues nothing new."""
    issued = 0
    for assessment in unpaid_land_tax_assessments(tax_year=tax_year):
        if selectors.live_bill_for(kind=Bill.Kind.LAND_TAX, subject_reference=assessment.assessment_number):
            continue
        year_ce = assessment.tax_year - 543
        bill_create(
            kind=Bill.Kind.LAND_TAX,
            subject_reference=assessment.assessment_number,
            agency=assessment.agency,
            payer_id_number=assessment.owner_id_number,
            payer_name=assessment.owner_name,
            # A person sees it once verified (by national ID); a business through its authorised people.
            payer_business=business_by_juristic_number(juristic_number=assessment.owner_id_number),
            description_th=(
                f"ภาษีที่ดินและสิ่งปลูกสร้าง ปีภาษี {assessment.tax_year} "
                f"(การประเมินเลขที่ {assessment.assessment_number})"
            ),
            description_en=(
                f"Land and building tax for {year_ce} (assessment {assessment.assessment_number})"
            ),
            lines=[
                {
                    "code": "land_tax",
                    "name_th": assessment.property_th,
                    "name_en": assessment.property_en,
                    "amount_satang": assessment.tax_satang,
                }
            ],
            due_date=_due(assessment.due_date),
        )
        issued += 1
    return issued


# --- the life of a bill -------------------------------------------------------------------------------


@transaction.atomic
def bill_present(*, bill: Bill, actor: Any = None) -> Bill:
    """The QR code is being shown: a new bill becomes pending. Nothing changes after the first time."""
    bill = _locked(bill)
    if bill.state != Bill.State.CREATED:
        return bill
    bill.state = Bill.State.PENDING
    bill.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, action="payments.bill_present", target=bill)
    return bill


def _still_owed(bill: Bill) -> bool:
    if bill.kind == Bill.Kind.TRAFFIC_FINE:
        ticket = traffic_ticket_get(ticket_number=bill.subject_reference)
        return ticket is not None and ticket.paid_at is None
    if bill.kind == Bill.Kind.LAND_TAX:
        assessment = land_tax_assessment_get(assessment_number=bill.subject_reference)
        return assessment is not None and assessment.paid_at is None
    return True


@transaction.atomic
def bill_renew(*, bill: Bill, actor: Any = None) -> Bill:
    """An expired bill for something still owed gets a new bill with new references (the old QR code
    stays unpayable). Renewing again gives the same new bill back."""
    bill = _locked(bill)
    renewal = Bill.objects.filter(replaces=bill).first()
    if renewal is not None:
        return renewal
    if bill.state != Bill.State.EXPIRED:
        raise Conflict(_("Only an expired bill can be renewed."))
    live = selectors.live_bill_for(kind=bill.kind, subject_reference=bill.subject_reference)
    if live is not None:
        return live
    if not _still_owed(bill):
        raise Conflict(_("This has already been paid; there is nothing left to pay."))
    days = settings.PRACHA_FEE_BILL_DAYS if bill.kind == Bill.Kind.APPLICATION_FEE else GRACE_DAYS
    return bill_create(
        kind=bill.kind,
        subject_reference=bill.subject_reference,
        agency=bill.agency,
        payer_id_number=bill.payer_id_number,
        payer_name=bill.payer_name,
        payer_user=bill.payer_user,
        payer_business=bill.payer_business,
        description_th=bill.description_th,
        description_en=bill.description_en,
        lines=bill.lines,
        due_date=local_today() + datetime.timedelta(days=days),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        replaces=bill,
    )


@transaction.atomic
def bill_cancel(*, actor: User, bill: Bill, reason: str) -> Bill:
    """Withdraw a fine's or a tax's bill that has not been paid. An application fee cannot be
    cancelled here: the application's workflow owns it and would bill it again."""
    if not has_permission(actor, "payments.manage", agency=bill.agency):
        raise PermissionDenied()
    if bill.kind == Bill.Kind.APPLICATION_FEE:
        raise Conflict(
            _(
                "An application fee cannot be cancelled here: the fee belongs to the application's "
                "workflow, which bills it again while the case waits for payment."
            )
        )
    reason = clean_text(
        reason, field="reason", limit=TEXT_MAX_LENGTH, missing=_("Say why the bill is cancelled.")
    )
    bill = _locked(bill)
    if not bill.is_payable:
        raise Conflict(_("Only a bill that has not been paid, cancelled or expired can be cancelled."))
    bill.state = Bill.State.CANCELLED
    bill.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, action="payments.bill_cancel", target=bill, payload={"reason": reason})
    return bill


def bills_expire(*, today: datetime.date | None = None) -> int:
    """Payable bills past their due date expire (each in its own transaction); returns how many."""
    today = today or local_today()
    expired = 0
    overdue = Bill.objects.filter(state__in=Bill.PAYABLE_STATES, due_date__lt=today).order_by("pk")
    for candidate in overdue:
        with transaction.atomic():
            bill = _locked(candidate)
            if not bill.is_payable or bill.due_date >= today:
                continue  # paid or cancelled since the list was read
            bill.state = Bill.State.EXPIRED
            bill.save(update_fields=["state", "updated_at"])
            audit.record(
                actor=None,
                action="payments.bill_expire",
                target=bill,
                payload={"due_date": bill.due_date.isoformat()},
            )
            expired += 1
    return expired


# --- paying -------------------------------------------------------------------------------------------


def _pay(
    bill: Bill,
    *,
    channel: str,
    paid_at: datetime.datetime,
    actor: User | None = None,
    transaction_id: str | None = None,
    payer_bank: str = "",
) -> Receipt:
    """Pay a payable bill the caller has locked, in the caller's transaction."""
    payment = Payment.objects.create(
        bill=bill,
        amount_satang=bill.amount_satang,
        channel=channel,
        bank_transaction_id=transaction_id,
        payer_bank=payer_bank,
        paid_at=paid_at,
        recorded_by=actor,
    )
    receipt = Receipt.objects.create(
        payment=payment,
        number=next_reference(f"RC-{bill.agency.code.upper()}"),
        agency=bill.agency,
        payer_name=bill.payer_name,
        payer_id_number=bill.payer_id_number,
        lines=bill.lines,
        amount_satang=bill.amount_satang,
        amount_in_words=bahttext(bill.amount_satang),
        channel=channel,
        issued_at=timezone.now(),
    )
    bill.state, bill.paid_at = Bill.State.PAID, paid_at
    bill.save(update_fields=["state", "paid_at", "updated_at"])
    if bill.kind == Bill.Kind.TRAFFIC_FINE:
        traffic_ticket_mark_paid(
            ticket_number=bill.subject_reference, receipt_number=receipt.number, paid_at=paid_at
        )
    elif bill.kind == Bill.Kind.LAND_TAX:
        land_tax_mark_paid(
            assessment_number=bill.subject_reference, receipt_number=receipt.number, paid_at=paid_at
        )
    _notify_payer(bill, payment, receipt)
    audit.record(
        actor=actor,
        action="payments.bill_pay",
        target=bill,
        payload={
            "channel": channel,
            "transaction_id": transaction_id or "",
            "amount_satang": bill.amount_satang,
            "receipt_number": receipt.number,
        },
    )
    events.publish_on_commit(
        events.PaymentSettled(
            payable_reference=bill.subject_reference,
            payment_id=str(payment.public_id),
            amount_satang=payment.amount_satang,
            channel=channel,
            receipt_number=receipt.number,
        )
    )
    events.publish_on_commit(
        events.ReceiptIssued(
            receipt_number=receipt.number,
            receipt_public_id=str(receipt.public_id),
            agency_code=bill.agency.code,
            bill_reference=bill.reference,
            subject_reference=bill.subject_reference,
            description_th=bill.description_th,
            description_en=bill.description_en,
            payer_id_number=bill.payer_id_number,
            payer_name=bill.payer_name,
            payer_user_public_id=str(bill.payer_user.public_id) if bill.payer_user else "",
            payer_business_public_id=str(bill.payer_business.public_id) if bill.payer_business else "",
            lines=tuple(
                events.FeeLine(
                    code=line["code"],
                    name_th=line["name_th"],
                    name_en=line["name_en"],
                    amount_satang=line["amount_satang"],
                )
                for line in bill.lines
            ),
            amount_satang=receipt.amount_satang,
            amount_in_words=receipt.amount_in_words,
            channel=channel,
            issued_at=receipt.issued_at.isoformat(),
        )
    )
    return receipt


def _notify_payer(bill: Bill, payment: Payment, receipt: Receipt) -> None:
    """Tell the payer the money arrived, when they have an account (a fine paid by ticket and plate,
    or a business's tax, may have nobody to tell), in the transaction of the payment."""
    if bill.payer_user is None:
        return
    notifications.notify(
        kind="payment_received",
        recipient=bill.payer_user,
        agency_code=bill.agency.code,
        context={
            "receipt_number": receipt.number,
            "amount": {
                "th": format_baht(receipt.amount_satang, lang="th"),
                "en": format_baht(receipt.amount_satang, lang="en"),
            },
            "description": {"th": bill.description_th, "en": bill.description_en},
        },
        link=reverse("payments:receipt", kwargs={"public_id": receipt.public_id}),
        dedupe_key=f"payment_received:{payment.public_id}",
    )


@transaction.atomic
def bill_cash_record(*, actor: User, bill: Bill, amount_satang: int) -> Receipt:
    """Cash taken at the agency's counter: the receipt is issued at once, in the same transaction."""
    if not has_permission(actor, "payments.record_cash", agency=bill.agency):
        raise PermissionDenied()
    bill = _locked(bill)
    if not bill.is_payable:
        raise Conflict(NOT_PAYABLE)
    if amount_satang != bill.amount_satang:
        message = _("The amount must be exactly the amount of the bill.")
        raise InvalidInput(message, fields={"amount": [message]})
    return _pay(bill, channel=Payment.Channel.COUNTER, paid_at=timezone.now(), actor=actor)


def notification_receive(*, headers: Mapping[str, str], body: bytes) -> str:
    """A bank's payment notification: verified first (a forged or stale one stores nothing), then
    recorded and applied in one transaction. Returns the outcome: paid, duplicate, replay or exception."""
    try:
        notification = gateway().parse_notification(headers=headers, body=body, now=timezone.now())
    except CallbackRejected as error:
        logger.warning("payment notification refused (%s)", error.code)
        raise
    return _notification_apply(notification)


@transaction.atomic
def _notification_apply(notification: Notification) -> str:
    try:
        # Stored first: the nonce is unique per gateway, so a replay stops here. A concurrent request
        # with the same nonce waits on this row until the first commits, then stops here too.
        with transaction.atomic():
            record = BankNotification.objects.create(
                gateway=notification.gateway,
                nonce=notification.nonce,
                transaction_id=notification.transaction_id,
                biller_id=notification.biller_id,
                ref1=notification.ref1,
                ref2=notification.ref2,
                amount_satang=notification.amount_satang,
                paid_at=notification.paid_at,
                body=notification.body,
                outcome=BankNotification.Outcome.EXCEPTION,
            )
    except IntegrityError:
        if not BankNotification.objects.filter(
            gateway=notification.gateway, nonce=notification.nonce
        ).exists():
            raise  # not the nonce: a real failure, which the bank is asked to retry
        return "replay"
    # One outcome per bank transaction. When a bill is found, its lock makes a second delivery of the
    # same transaction wait for the first to commit and then see its payment or exception. Without a
    # bill there is nothing to lock: the unique bank transaction of exceptions decides instead.
    bill = (
        Bill.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(ref1=notification.ref1)
        .first()
    )
    if (
        Payment.objects.filter(bank_transaction_id=notification.transaction_id).exists()
        or _exception_of(notification).exists()
    ):
        return _duplicate(record, notification, bill)
    reason = _exception_reason(notification, bill)
    if reason is not None:
        try:
            with transaction.atomic():
                exception = PaymentException.objects.create(
                    notification=record,
                    gateway=notification.gateway,
                    transaction_id=notification.transaction_id,
                    agency=(
                        bill.agency
                        if bill is not None and reason != PaymentException.Reason.WRONG_BILLER
                        else selectors.agency_for_biller(notification.biller_id)
                    ),
                    bill=bill,
                    reason=reason,
                )
        except IntegrityError:
            if not _exception_of(notification).exists():
                raise
            return _duplicate(record, notification, bill)  # the same transaction, at the same moment
        audit.record(
            actor=None,
            action="payments.notification",
            target=exception,
            payload={
                "outcome": BankNotification.Outcome.EXCEPTION,
                "reason": reason,
                "transaction_id": notification.transaction_id,
                "ref1": notification.ref1,
                "amount_satang": notification.amount_satang,
            },
        )
        return str(BankNotification.Outcome.EXCEPTION)
    assert bill is not None  # no reason means a bill was found
    _pay(
        bill,
        channel=Payment.Channel.PROMPTPAY,
        paid_at=notification.paid_at,
        transaction_id=notification.transaction_id,
        payer_bank=notification.payer_bank,
    )
    _set_outcome(record, BankNotification.Outcome.PAID)
    return str(BankNotification.Outcome.PAID)


def _set_outcome(record: BankNotification, outcome: str) -> None:
    record.outcome = outcome
    record.save(update_fields=["outcome", "updated_at"])


def _exception_of(notification: Notification) -> QuerySet[PaymentException]:
    return PaymentException.objects.filter(
        gateway=notification.gateway, transaction_id=notification.transaction_id
    )


def _duplicate(record: BankNotification, notification: Notification, bill: Bill | None) -> str:
    """The bank announced a transaction already recorded (as a payment or an exception) again."""
    outcome = BankNotification.Outcome.DUPLICATE
    _set_outcome(record, outcome)
    audit.record(
        actor=None,
        action="payments.notification",
        target=bill,
        payload={"outcome": outcome, "transaction_id": notification.transaction_id},
    )
    return str(outcome)


def _exception_reason(notification: Notification, bill: Bill | None) -> str | None:
    """Why the money cannot be applied to the bill, or None when it can."""
    if bill is None:
        return PaymentException.Reason.UNKNOWN_REFERENCE
    biller = selectors.biller_for(bill.agency)
    if biller is None or biller.biller_id != notification.biller_id:
        return PaymentException.Reason.WRONG_BILLER
    if notification.ref2 != bill.ref2:
        return PaymentException.Reason.WRONG_REFERENCE
    if notification.amount_satang != bill.amount_satang:
        return PaymentException.Reason.WRONG_AMOUNT
    # A fine or tax paid by other means since the bill was issued (at a police station, say).
    if not _takes_payment(bill, paid_at=notification.paid_at) or not _still_owed(bill):
        return PaymentException.Reason.NOT_PAYABLE
    return None


def _takes_payment(bill: Bill, *, paid_at: datetime.datetime) -> bool:
    """A payable bill, or one that expired only because the bank's notification came late: paid by
    its due date (in Bangkok) and not replaced by a new bill since. Renewing waits for this bill's lock;
    a fee bill issued again at the same moment meets the one-live-bill constraint instead: if it commits
    first, this payment fails with 503 and the bank's retry finds the replacement."""
    if bill.is_payable:
        return True
    return (
        bill.state == Bill.State.EXPIRED
        and timezone.localdate(paid_at) <= bill.due_date
        and selectors.live_bill_for(kind=bill.kind, subject_reference=bill.subject_reference) is None
    )


# --- refunds ------------------------------------------------------------------------------------------


@transaction.atomic
def refund_request(
    *, actor: User, bill: Bill, amount_satang: int, reason: str, idempotency_key: str
) -> Refund:
    """Ask for money back on a paid bill. The same idempotency key with the same request gives the
    same refund back; with anything else (another bill, amount, reason or officer) it is a Conflict."""
    if not has_permission(actor, "payments.manage", agency=bill.agency):
        raise PermissionDenied()
    key = (idempotency_key or "").strip()
    if not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH:
        message = _("The form is missing its request key. Reload the page and try again.")
        raise InvalidInput(message, fields={"idempotency_key": [message]})
    reason = clean_text(
        reason, field="reason", limit=TEXT_MAX_LENGTH, missing=_("Say why the money is paid back.")
    )
    # Locking the bill first makes requests for it queue, so a repeated key is always seen.
    bill = _locked(bill)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_refund(existing, bill=bill, amount_satang=amount_satang, reason=reason, actor=actor)
    if bill.state not in (Bill.State.PAID, Bill.State.PARTIALLY_REFUNDED):
        raise Conflict(_("Only a paid bill that has not been fully refunded can be refunded."))
    refundable = selectors.refundable_satang(bill)
    if isinstance(amount_satang, bool) or not 0 < amount_satang <= refundable:
        too_much = _("The amount must be more than nothing and at most %(limit)s.") % {
            "limit": format_baht(refundable)
        }
        raise InvalidInput(too_much, fields={"amount": [too_much]})
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                bill=bill, amount_satang=amount_satang, reason=reason, idempotency_key=key, requested_by=actor
            )
    except IntegrityError:
        # The same key used for another bill at the same moment (another bill's lock): theirs won.
        existing = Refund.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same_refund(existing, bill=bill, amount_satang=amount_satang, reason=reason, actor=actor)
    audit.record(
        actor=actor,
        action="payments.refund_request",
        target=bill,
        payload={"refund": str(refund.public_id), "amount_satang": amount_satang, "reason": reason},
    )
    return refund


def _same_refund(refund: Refund, *, bill: Bill, amount_satang: int, reason: str, actor: User) -> Refund:
    """The refund a repeated key asks for again, or Conflict when the key was used for another one."""
    if (refund.bill_id, refund.amount_satang, refund.reason, refund.requested_by_id) != (
        bill.pk,
        amount_satang,
        reason,
        actor.pk,
    ):
        raise Conflict(REFUND_KEY_REUSED)
    return refund


@transaction.atomic
def refund_decide(*, actor: User, refund: Refund, approve: bool, note: str = "") -> Refund:
    """Approve or reject a refund: never by the officer who asked for it. Deciding the same way again
    changes nothing. An approval announces ReceiptRefunded after the commit."""
    bill = refund.bill
    if not has_permission(actor, "payments.refund_approve", agency=bill.agency):
        raise PermissionDenied()
    if refund.requested_by_id == actor.pk:
        raise PermissionDenied(
            _("A refund must be decided by an officer other than the one who requested it.")
        )
    bill = _locked(bill)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    decided = Refund.State.APPROVED if approve else Refund.State.REJECTED
    if refund.state == decided:
        return refund
    if refund.state != Refund.State.REQUESTED:
        raise Conflict(_("This refund has already been decided."))
    note = clean_text(
        note,
        field="note",
        limit=TEXT_MAX_LENGTH,
        missing=_("Say why the refund is rejected."),
        required=not approve,
    )
    decided_at = timezone.now()
    if approve:
        if refund.amount_satang > selectors.paid_satang(bill) - bill.refunded_satang:
            raise Conflict(_("Approving this refund would pay back more than was paid."))
        bill.refunded_satang += refund.amount_satang
        fully = bill.refunded_satang == selectors.paid_satang(bill)
        bill.state = Bill.State.REFUNDED if fully else Bill.State.PARTIALLY_REFUNDED
        bill.save(update_fields=["refunded_satang", "state", "updated_at"])
        events.publish_on_commit(
            events.ReceiptRefunded(
                receipt_number=bill.payment.receipt.number,
                bill_reference=bill.reference,
                fully_refunded=fully,
                refunded_at=decided_at.isoformat(),
            )
        )
    refund.state, refund.decided_by, refund.decided_at = decided, actor, decided_at
    refund.decision_note = note
    refund.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit.record(
        actor=actor,
        action="payments.refund_decide",
        target=bill,
        payload={
            "refund": str(refund.public_id),
            "decision": decided,
            "amount_satang": refund.amount_satang,
            "note": note,
        },
    )
    return refund


# --- exceptions ---------------------------------------------------------------------------------------


@transaction.atomic
def exception_resolve(*, actor: User, exception: PaymentException, note: str) -> PaymentException:
    """Close a payment exception with a note of what was done about the money outside Pracha (the
    bank returned it to the payer, say)."""
    if exception.agency is None or not has_permission(actor, "payments.manage", agency=exception.agency):
        raise PermissionDenied()
    note = clean_text(
        note, field="note", limit=TEXT_MAX_LENGTH, missing=_("Say what was done about this payment.")
    )
    exception = PaymentException.objects.select_for_update().get(pk=exception.pk)
    if exception.state != PaymentException.State.OPEN:
        raise Conflict(_("This payment exception has already been resolved."))
    exception.state = PaymentException.State.RESOLVED
    exception.resolution_note, exception.resolved_by, exception.resolved_at = note, actor, timezone.now()
    exception.save(update_fields=["state", "resolution_note", "resolved_by", "resolved_at", "updated_at"])
    audit.record(
        actor=actor,
        action="payments.exception_resolve",
        target=exception,
        payload={"reason": exception.reason, "note": note},
    )
    return exception


# --- bank statements ----------------------------------------------------------------------------------


def _statement_scope(entries: list[StatementEntry]) -> tuple[str, datetime.date]:
    """The one biller ID and the one Bangkok date of the statement; InvalidInput naming a line that
    belongs to another."""
    first = entries[0]
    biller_id, day = first.biller_id, timezone.localdate(first.paid_at)
    for entry in entries[1:]:
        if entry.biller_id != biller_id or timezone.localdate(entry.paid_at) != day:
            message = _("Line %(line)s is for another biller ID or another day than line %(first)s.") % {
                "line": entry.line_number,
                "first": first.line_number,
            }
            raise InvalidInput(message, fields={"file": [message]})
    return biller_id, day


@transaction.atomic
def statement_import(*, actor: User, content: bytes, file_name: str) -> StatementImport:
    """Match a bank's end-of-day statement against the payments recorded for its biller ID and day.
    The same file imported again gives the first import back."""
    if not agencies_where_permitted(actor, "payments.reconcile"):
        raise PermissionDenied()
    entries = gateway().parse_statement(content)
    biller_id, day = _statement_scope(entries)
    agency = selectors.agency_for_biller(biller_id)
    if agency is None:
        message = _("The statement is for a biller ID that is not one of ours.")
        raise InvalidInput(message, fields={"file": [message]})
    if not has_permission(actor, "payments.reconcile", agency=agency):
        raise PermissionDenied()
    sha256 = hashlib.sha256(content).hexdigest()
    existing = StatementImport.objects.filter(file_sha256=sha256).first()
    if existing is not None:
        return existing
    lines = _statement_lines(entries, biller_id=biller_id, day=day)
    counts = {verdict: 0 for verdict in StatementLine.Verdict.values}
    for line in lines:
        counts[line.verdict] += 1
    try:
        with transaction.atomic():
            statement = StatementImport.objects.create(
                agency=agency,
                biller_id=biller_id,
                statement_date=day,
                file_sha256=sha256,
                file_name=(file_name or "statement.csv")[:200],
                imported_by=actor,
                counts=counts,
            )
    except IntegrityError:  # the same file, imported at the same moment by someone else
        return StatementImport.objects.get(file_sha256=sha256)
    for line in lines:
        line.statement = statement
    StatementLine.objects.bulk_create(lines)
    unmatched: dict[str, list[str]] = {
        verdict: [] for verdict in StatementLine.Verdict.values if verdict != StatementLine.Verdict.MATCHED
    }
    for line in lines:
        listed = unmatched.get(line.verdict)
        if listed is not None and len(listed) < AUDITED_LINES_MAX:
            listed.append(line.transaction_id)
    audit.record(
        actor=actor,
        action="payments.statement_import",
        target=statement,
        payload={
            "biller_id": biller_id,
            "statement_date": day.isoformat(),
            "file_sha256": sha256,
            "counts": counts,
            "unmatched": unmatched,
        },
    )
    return statement


def _statement_lines(
    entries: list[StatementEntry], *, biller_id: str, day: datetime.date
) -> list[StatementLine]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    # Only the payments of bills paid to this biller ID: another agency's payment is never a match.
    payments = Payment.objects.select_related("bill").filter(
        bill__agency__in=selectors.agencies_billing_as(biller_id)
    )
    ours = payments.filter(
        channel=Payment.Channel.PROMPTPAY,
        paid_at__gte=start,
        paid_at__lt=start + datetime.timedelta(days=1),
    )
    by_transaction = {
        payment.bank_transaction_id: payment
        for payment in payments.filter(bank_transaction_id__in=[entry.transaction_id for entry in entries])
    }
    lines: list[StatementLine] = []
    seen: set[str] = set()
    for entry in entries:
        payment = by_transaction.get(entry.transaction_id)
        if entry.transaction_id in seen:
            verdict = StatementLine.Verdict.DUPLICATE
        elif payment is None:
            verdict = StatementLine.Verdict.MISSING
        elif (payment.amount_satang, payment.bill.ref1, payment.bill.ref2) != (
            entry.amount_satang,
            entry.ref1,
            entry.ref2,
        ):
            verdict = StatementLine.Verdict.MISMATCHED
        else:
            verdict = StatementLine.Verdict.MATCHED
        seen.add(entry.transaction_id)
        lines.append(
            StatementLine(
                line_number=entry.line_number,
                transaction_id=entry.transaction_id,
                ref1=entry.ref1,
                ref2=entry.ref2,
                amount_satang=entry.amount_satang,
                paid_at=entry.paid_at,
                payment=payment,
                verdict=verdict,
            )
        )
    for payment in ours.order_by("paid_at"):
        if payment.bank_transaction_id not in seen:
            lines.append(
                StatementLine(
                    transaction_id=payment.bank_transaction_id or "",
                    ref1=payment.bill.ref1,
                    ref2=payment.bill.ref2,
                    amount_satang=payment.amount_satang,
                    paid_at=payment.paid_at,
                    payment=payment,
                    verdict=StatementLine.Verdict.NOT_IN_STATEMENT,
                )
            )
    return lines
