"""Reads of bills, payments, receipts, refunds, exceptions and statements, scoped to who is asking.

A bill's public page is a payment link: whoever has its UUID may see and pay it (people pay for each
other), but the payer's name is masked unless `may_see_payer`. Everything reached by a reference rather
than the UUID is NotFound for anyone who may not see the payer, so references cannot be enumerated.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from pracha.accounts.public import businesses_for
from pracha.agencies.public import Agency, agencies_where_permitted, has_permission
from pracha.core import events
from pracha.core.errors import Conflict, NotFound
from pracha.payments import promptpay
from pracha.payments.models import Bill, PaymentException, Receipt, Refund, StatementImport
from pracha.registries.public import TrafficTicket, traffic_tickets_against

LIVE = ~Q(state__in=[Bill.State.EXPIRED, Bill.State.CANCELLED])
NO_BILLER = _("This agency has no PromptPay biller ID set up, so it cannot take payments online.")


@dataclass(frozen=True)
class Biller:
    """The PromptPay biller an agency's bills are paid to, and the secret its bank signs with."""

    agency_code: str
    biller_id: str
    secret: str


@dataclass(frozen=True)
class BillPermissions:
    """What an officer may do to a bill, by their permissions at its agency (not by its state)."""

    can_record_cash: bool
    can_manage: bool
    can_approve_refund: bool


# --- billers ------------------------------------------------------------------------------------------


def biller_for(agency: Agency) -> Biller | None:
    """The agency's own biller, or its nearest ancestor's: a district office may bill through its city."""
    current: Agency | None = agency
    while current is not None:
        entry = settings.PRACHA_BILLERS.get(current.code)
        if entry is not None:
            return Biller(agency_code=current.code, biller_id=entry["biller_id"], secret=entry["secret"])
        current = current.parent
    return None


def agency_for_biller(biller_id: str) -> Agency | None:
    """The agency that owns this biller ID in the settings (not the offices that bill through it)."""
    for code, entry in settings.PRACHA_BILLERS.items():
        if entry["biller_id"] == biller_id:
            return Agency.objects.filter(code=code).first()
    return None


def agencies_billing_as(biller_id: str) -> list[Agency]:
    """Every agency whose bills are paid to this biller ID: its owner and the offices without their own."""
    return [
        agency
        for agency in Agency.objects.select_related("parent")
        if (biller := biller_for(agency)) is not None and biller.biller_id == biller_id
    ]


def promptpay_payload(bill: Bill) -> str:
    """The EMVCo payload of the bill's QR code: the agency's biller, Reference 1 and 2, and the amount."""
    biller = biller_for(bill.agency)
    if biller is None:
        raise Conflict(NO_BILLER)
    return promptpay.bill_payment_payload(
        biller_id=biller.biller_id, ref1=bill.ref1, ref2=bill.ref2, amount_satang=bill.amount_satang
    )


# --- bills as the payer sees them ---------------------------------------------------------------------


def _bills() -> QuerySet[Bill]:
    return Bill.objects.select_related("agency", "payer_user", "payer_business", "payment__receipt")


def bill_by_public_id(*, public_id: uuid.UUID) -> Bill:
    bill = _bills().filter(public_id=public_id).first()
    if bill is None:
        raise NotFound(_("No bill has this link. Check that you copied the whole address."))
    return bill


def _is_payer(user: Any, bill: Bill) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if bill.payer_user_id == user.pk:
        return True
    if user.is_verified and user.national_id == bill.payer_id_number:
        return True
    # A business they act for: linked to the bill, or named by its juristic number (a tax bill issued
    # before the business had an account in Pracha has no link).
    return any(
        business.pk == bill.payer_business_id or business.juristic_number == bill.payer_id_number
        for business in businesses_for(user=user)
    )


def may_see_payer(*, user: Any, bill: Bill) -> bool:
    """The payer themselves (by account, verified national ID or a business they act for) or an
    officer who may see the agency's bills."""
    return _is_payer(user, bill) or has_permission(user, "payments.view", agency=bill.agency)


def access_bill(*, user: Any, reference: str) -> Bill:
    bill = _bills().filter(reference=reference.strip().upper()).first()
    if bill is None or not may_see_payer(user=user, bill=bill):
        raise NotFound(_("No bill with that number."))
    return bill


def _payer_side(user: Any) -> Q:
    businesses = businesses_for(user=user)
    side = (
        Q(payer_user=user)
        | Q(payer_business__in=businesses)
        | Q(payer_id_number__in=[business.juristic_number for business in businesses])
    )
    if user.is_verified:
        side |= Q(payer_id_number=user.national_id)
    return side


def bills_of(*, user: Any) -> list[Bill]:
    """The person's live and settled bills (expired and cancelled ones have made way for new bills)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(_bills().filter(_payer_side(user)).filter(LIVE).order_by("-created_at"))


def traffic_tickets_of(*, user: Any) -> list[TrafficTicket]:
    """Tickets against the person: only once their identity is verified, since a self-asserted national
    ID could be anyone's."""
    if not getattr(user, "is_authenticated", False) or not user.is_verified:
        return []
    return traffic_tickets_against(national_id=user.national_id)


def live_bill_for(*, kind: str, subject_reference: str) -> Bill | None:
    """The bill that pays for this subject now (payable or settled), if any."""
    return _bills().filter(LIVE, kind=kind, subject_reference=subject_reference).first()


def settlements_for(*, references: Iterable[str]) -> list[events.PaymentSettled]:
    """The PaymentSettled events the application-fee bills of these applications raised when paid, so
    a catch-up can re-apply any whose handler never ran (each carries its unique payment id)."""
    bills = _bills().filter(
        kind=Bill.Kind.APPLICATION_FEE,
        subject_reference__in=list(references),
        state__in=Bill.SETTLED_STATES,
    )
    return [settled_event(bill) for bill in bills.order_by("paid_at")]


def settled_event(bill: Bill) -> events.PaymentSettled:
    payment = bill.payment
    return events.PaymentSettled(
        payable_reference=bill.subject_reference,
        payment_id=str(payment.public_id),
        amount_satang=payment.amount_satang,
        channel=payment.channel,
        receipt_number=payment.receipt.number,
    )


# --- receipts -----------------------------------------------------------------------------------------


def receipt_by_public_id(*, public_id: uuid.UUID) -> Receipt:
    receipt = (
        Receipt.objects.select_related("agency", "payment__bill__agency", "payment__bill__payer_business")
        .filter(public_id=public_id)
        .first()
    )
    if receipt is None:
        raise NotFound(_("No receipt has this link."))
    return receipt


def may_see_receipt(*, user: Any, receipt: Receipt) -> bool:
    return may_see_payer(user=user, bill=receipt.payment.bill)


# --- the officers' side -------------------------------------------------------------------------------


def officer_bills(*, user: Any, query: str = "", state: str = "") -> QuerySet[Bill]:
    """Bills of the agencies where the officer may see payments; `query` is an exact bill number,
    Reference 1, the reference of what it pays for, or the payer's ID number."""
    bills = _bills().filter(agency__in=agencies_where_permitted(user, "payments.view"))
    query = query.strip()
    if query:
        upper = query.upper()
        bills = bills.filter(
            Q(reference=upper) | Q(ref1=query) | Q(subject_reference=upper) | Q(payer_id_number=query)
        )
    if state:
        bills = bills.filter(state=state)
    return bills.order_by("-created_at")


def access_officer_bill(*, user: Any, reference: str) -> Bill:
    bill = _bills().filter(reference=reference.strip().upper()).first()
    if bill is None or not has_permission(user, "payments.view", agency=bill.agency):
        raise NotFound(_("No bill with that number."))
    return bill


def bill_permissions(*, user: Any, bill: Bill) -> BillPermissions:
    return BillPermissions(
        can_record_cash=has_permission(user, "payments.record_cash", agency=bill.agency),
        can_manage=has_permission(user, "payments.manage", agency=bill.agency),
        can_approve_refund=has_permission(user, "payments.refund_approve", agency=bill.agency),
    )


def paid_satang(bill: Bill) -> int:
    return bill.payment.amount_satang if bill.state in Bill.SETTLED_STATES else 0


def requested_refunds_satang(bill: Bill) -> int:
    refunds = bill.refunds.filter(state=Refund.State.REQUESTED)
    return int(refunds.aggregate(total=Sum("amount_satang"))["total"] or 0)


def refundable_satang(bill: Bill) -> int:
    """What may still be asked back: paid, less refunded, less refunds waiting for approval."""
    return max(paid_satang(bill) - bill.refunded_satang - requested_refunds_satang(bill), 0)


def exceptions_for(*, user: Any, state: str = "open") -> QuerySet[PaymentException]:
    """Payment exceptions of the agencies where the officer may see payments; state "" for all."""
    exceptions = PaymentException.objects.select_related("notification", "agency", "bill", "resolved_by")
    exceptions = exceptions.filter(agency__in=agencies_where_permitted(user, "payments.view"))
    if state:
        exceptions = exceptions.filter(state=state)
    return exceptions.order_by("-created_at")


def access_exception(*, user: Any, public_id: uuid.UUID) -> PaymentException:
    exception = exceptions_for(user=user, state="").filter(public_id=public_id).first()
    if exception is None:
        raise NotFound(_("No payment exception has this link."))
    return exception


def _refunds() -> QuerySet[Refund]:
    return Refund.objects.select_related("bill__agency", "bill__payment", "requested_by", "decided_by")


def refunds_waiting(*, user: Any) -> QuerySet[Refund]:
    """Refunds waiting for a decision at agencies where the officer may approve them (their own
    requests included, so they can see them; refund_decide refuses to let them decide those)."""
    return (
        _refunds()
        .filter(
            state=Refund.State.REQUESTED,
            bill__agency__in=agencies_where_permitted(user, "payments.refund_approve"),
        )
        .order_by("created_at")
    )


def access_refund(*, user: Any, public_id: uuid.UUID) -> Refund:
    refund = _refunds().filter(public_id=public_id).first()
    if refund is None or not has_permission(user, "payments.view", agency=refund.bill.agency):
        raise NotFound(_("No refund has this link."))
    return refund


def statements_for(*, user: Any) -> QuerySet[StatementImport]:
    return (
        StatementImport.objects.select_related("agency", "imported_by")
        .filter(agency__in=agencies_where_permitted(user, "payments.view"))
        .order_by("-statement_date", "-created_at")
    )


def access_statement(*, user: Any, public_id: uuid.UUID) -> StatementImport:
    statement = statements_for(user=user).filter(public_id=public_id).first()
    if statement is None:
        raise NotFound(_("No bank statement has this link."))
    return statement
