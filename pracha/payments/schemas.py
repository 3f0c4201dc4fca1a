"""The shapes of bills and bank notifications in the JSON API. Amounts are integer satang, with the
same amount as a baht string ("300.00") beside it for people reading the JSON."""

import datetime
import uuid

from ninja import Field, Schema


class TextOut(Schema):
    th: str
    en: str


class AgencyOut(Schema):
    code: str
    name: TextOut


class BillLineOut(Schema):
    code: str
    name: TextOut
    amount_satang: int


class BillOut(Schema):
    id: uuid.UUID = Field(description="The bill's payment link is /payments/bills/{id}/")
    reference: str = Field(description="The bill number, e.g. BILL-2569-000123")
    kind: str = Field(description="application_fee, traffic_fine or land_tax")
    subject_reference: str = Field(description="What it pays for: an application, a ticket, an assessment")
    description: TextOut
    state: str = Field(
        description="created, pending (QR code shown), paid, expired, cancelled, partially_refunded, refunded"
    )
    amount_satang: int
    amount: str = Field(description="The same amount in baht with two decimals, e.g. 300.00")
    due_date: datetime.date
    agency: AgencyOut
    ref1: str = Field(description="Reference 1 of the bill payment: digits, unique")
    ref2: str = Field(description="Reference 2 of the bill payment")
    lines: list[BillLineOut]
    promptpay_payload: str | None = Field(
        description="The PromptPay QR code's content (EMVCo, tag 30 bill payment) while the bill can be "
        "paid; null once it is paid, cancelled or expired"
    )
    paid_at: datetime.datetime | None
    receipt_number: str | None


class NotificationAckOut(Schema):
    status: str = Field(description="Always acknowledged: the bank may stop retrying")
    outcome: str = Field(
        description="paid, duplicate (this transaction was already recorded), replay (this nonce was "
        "already received) or exception (kept for an officer: unknown reference, wrong amount...)"
    )


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
