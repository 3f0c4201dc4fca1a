"""Factories for bills and the money on them, a small world of payers and finance officers, and the
simulated bank's signing, for the payments tests and anyone else's."""

import datetime
import json
import re
import secrets
import time
from typing import Any, cast

import factory
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import verified_email, with_totp
from pracha.accounts.models import AssuranceLevel
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.models import Agency
from pracha.agencies.tests.factories import AgencyFactory, MembershipFactory, RoleFactory
from pracha.core.money import bahttext, satang_to_decimal_text
from pracha.core.references import next_reference
from pracha.payments import gateways, selectors
from pracha.payments.models import (
    BankNotification,
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
)

CALLBACK_URL = "/api/v1/payments/notifications"


class BillerAgencyFactory(factory.django.DjangoModelFactory[Agency]):
    """An agency with a biller ID in the demo settings (Bang Rak by default); reused if it exists."""

    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = "bma-bang-rak"
    kind = Agency.Kind.OFFICE
    name_th = factory.LazyAttribute(lambda o: f"หน่วยงานทดสอบ {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Test agency {o.code}")


def _ref2(subject_reference: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", subject_reference.upper())[:20]


class BillFactory(factory.django.DjangoModelFactory[Bill]):
    class Meta:
        model = Bill

    reference = factory.LazyFunction(lambda: next_reference("BILL"))
    kind = Bill.Kind.APPLICATION_FEE
    subject_reference = factory.Sequence(lambda n: f"APP-2569-{n + 900000:06d}")
    agency = factory.SubFactory(BillerAgencyFactory)
    payer_id_number = factory.Sequence(lambda n: f"19999{n + 7000:08d}")
    payer_name = "สมหญิง รักไทยทดสอบ"
    description_th = factory.LazyAttribute(lambda o: f"ค่าธรรมเนียมคำขอเลขที่ {o.subject_reference}")
    description_en = factory.LazyAttribute(lambda o: f"Fee for application {o.subject_reference}")
    lines = factory.LazyFunction(
        lambda: [{"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 30000}]
    )
    amount_satang = factory.LazyAttribute(lambda o: sum(line["amount_satang"] for line in o.lines))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=15))
    ref1 = factory.LazyAttribute(lambda o: re.sub(r"\D", "", o.reference))
    ref2 = factory.LazyAttribute(lambda o: _ref2(o.subject_reference))
    state = Bill.State.PENDING


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    """A PromptPay payment of a bill that is marked paid (no receipt: use ReceiptFactory for both)."""

    class Meta:
        model = Payment

    bill = factory.SubFactory(
        BillFactory, state=Bill.State.PAID, paid_at=factory.LazyFunction(lambda: timezone.now())
    )
    amount_satang = factory.LazyAttribute(lambda o: o.bill.amount_satang)
    channel = Payment.Channel.PROMPTPAY
    bank_transaction_id = factory.Sequence(lambda n: f"TXN{n + 1:010d}")
    payer_bank = "Simulated Bank"
    paid_at = factory.LazyAttribute(lambda o: o.bill.paid_at)


class ReceiptFactory(factory.django.DjangoModelFactory[Receipt]):
    class Meta:
        model = Receipt

    payment = factory.SubFactory(PaymentFactory)
    number = factory.LazyAttribute(lambda o: next_reference(f"RC-{o.payment.bill.agency.code.upper()}"))
    agency = factory.LazyAttribute(lambda o: o.payment.bill.agency)
    payer_name = factory.LazyAttribute(lambda o: o.payment.bill.payer_name)
    payer_id_number = factory.LazyAttribute(lambda o: o.payment.bill.payer_id_number)
    lines = factory.LazyAttribute(lambda o: o.payment.bill.lines)
    amount_satang = factory.LazyAttribute(lambda o: o.payment.amount_satang)
    amount_in_words = factory.LazyAttribute(lambda o: bahttext(o.payment.amount_satang))
    channel = factory.LazyAttribute(lambda o: o.payment.channel)
    issued_at = factory.LazyAttribute(lambda o: o.payment.paid_at)


def paid_bill(**bill_fields: Any) -> Bill:
    """A bill paid by PromptPay, with its payment and receipt (made directly, without the services)."""
    receipt = cast(
        Receipt, ReceiptFactory(**{f"payment__bill__{name}": value for name, value in bill_fields.items()})
    )
    return receipt.payment.bill


class BankNotificationFactory(factory.django.DjangoModelFactory[BankNotification]):
    class Meta:
        model = BankNotification

    gateway = "simulated-bank"
    nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    transaction_id = factory.Sequence(lambda n: f"UNAPPLIED{n + 1:08d}")
    biller_id = "099999000000101"
    ref1 = "9999999999"
    ref2 = ""
    amount_satang = 30000
    paid_at = factory.LazyFunction(lambda: timezone.now())
    body = "{}"
    outcome = BankNotification.Outcome.EXCEPTION


class PaymentExceptionFactory(factory.django.DjangoModelFactory[PaymentException]):
    class Meta:
        model = PaymentException

    notification = factory.SubFactory(BankNotificationFactory)
    gateway = factory.LazyAttribute(lambda o: o.notification.gateway)
    transaction_id = factory.LazyAttribute(lambda o: o.notification.transaction_id)
    agency = factory.SubFactory(BillerAgencyFactory)
    reason = PaymentException.Reason.UNKNOWN_REFERENCE


class RefundFactory(factory.django.DjangoModelFactory[Refund]):
    class Meta:
        model = Refund

    bill = factory.LazyFunction(paid_bill)
    amount_satang = 10000
    reason = "ชำระซ้ำ"
    idempotency_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    requested_by = factory.SubFactory(UserFactory)


# --- the simulated bank's side ------------------------------------------------------------------------


def notification_body(bill: Bill, **overrides: Any) -> dict[str, Any]:
    """What the bank sends when someone pays this bill with its QR code."""
    body = {
        "transaction_id": f"SIM{secrets.token_hex(8).upper()}",
        "biller_id": biller.biller_id if (biller := selectors.biller_for(bill.agency)) else "",
        "ref1": bill.ref1,
        "ref2": bill.ref2,
        "amount": satang_to_decimal_text(bill.amount_satang),
        "paid_at": timezone.now().isoformat(),
        "payer_bank": "Simulated Bank",
    }
    body.update(overrides)
    return body


def signed(
    body: dict[str, Any] | bytes,
    *,
    secret: str | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body as the bank sends them, signed with the secret of the body's biller ID."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    if secret is None:
        biller_id = json.loads(raw)["biller_id"]
        secret = next(
            entry["secret"] for entry in settings.PRACHA_BILLERS.values() if entry["biller_id"] == biller_id
        )
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(16)
    headers = {
        gateways.TIMESTAMP_HEADER: stamp,
        gateways.NONCE_HEADER: nonce,
        gateways.SIGNATURE_HEADER: gateways.signature(secret=secret, timestamp=stamp, nonce=nonce, body=raw),
    }
    return headers, raw


def post_notification(client: Any, headers: dict[str, str], body: bytes) -> Any:
    """POST a signed notification through Django's test client, headers as HTTP headers."""
    return client.post(CALLBACK_URL, data=body, content_type="application/json", headers=headers)


# --- a small world ------------------------------------------------------------------------------------


def officer(agency: Any, *roles: Any) -> Any:
    person = with_totp(verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)))
    MembershipFactory(user=person, agency=agency, roles=list(roles))
    return person


def payments_world() -> dict[str, Any]:
    """Bang Rak (under Bangkok, billing with its own biller ID), the police and another agency (DBD);
    a verified payer and another citizen; Bang Rak's cashier, finance officer, second finance officer
    and finance approver; and officers with every payment role at DBD."""
    bma = AgencyFactory(code="bma", kind=Agency.Kind.LOCAL)
    bang_rak = BillerAgencyFactory(code="bma-bang-rak", parent=bma)
    rtp = BillerAgencyFactory(code="rtp", kind=Agency.Kind.AGENCY)
    dbd = BillerAgencyFactory(code="dbd", kind=Agency.Kind.DEPARTMENT)
    cashier = RoleFactory(code="cashier", permissions=["payments.view", "payments.record_cash"])
    finance = RoleFactory(
        code="finance-officer", permissions=["payments.view", "payments.manage", "payments.reconcile"]
    )
    approver = RoleFactory(code="finance-approver", permissions=["payments.view", "payments.refund_approve"])
    viewer = RoleFactory(code="complaints-only", permissions=["complaints.handle"])
    return {
        "bma": bma,
        "bang_rak": bang_rak,
        "rtp": rtp,
        "dbd": dbd,
        "anonymous": AnonymousUser(),
        "payer": verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)),
        "other_citizen": verified_email(UserFactory(assurance_level=AssuranceLevel.VERIFIED)),
        "unverified": verified_email(UserFactory()),
        "cashier": officer(bang_rak, cashier),
        "finance": officer(bang_rak, finance),
        "second_finance": officer(bang_rak, finance),
        "approver": officer(bang_rak, approver),
        "officer_without": officer(bang_rak, viewer),
        "officer_other_agency": officer(dbd, cashier, finance, approver),
        "police_cashier": officer(rtp, cashier),
    }
