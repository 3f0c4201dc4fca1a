"""Payments in the JSON API.

POST /api/v1/payments/notifications is the bank's callback: no session or token, the HMAC signature
in the headers is the credential (checked by the gateway adapter). Every answer but 200 makes the bank
retry with backoff, so a database that is briefly unavailable gives 503, never a 500 page, and the
payment arrives on a later try.

GET /api/v1/payments/bills/{reference} is for the payer (or an officer of the agency); anyone else gets
404, the same as for a bill that does not exist.
"""

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from pracha.accounts.public import api_auth, api_person
from pracha.core.money import satang_to_decimal_text
from pracha.payments import selectors, services
from pracha.payments.models import Bill
from pracha.payments.schemas import BillOut, ErrorOut, NotificationAckOut

router = Router(tags=["payments"])

UNAVAILABLE = _("The service is briefly unavailable. Please send the notification again later.")


def _both(value_th: str, value_en: str) -> dict[str, str]:
    return {"th": value_th, "en": value_en}


def _bill(bill: Bill) -> dict[str, Any]:
    receipt = bill.payment.receipt if bill.state in Bill.SETTLED_STATES else None
    return {
        "id": bill.public_id,
        "reference": bill.reference,
        "kind": bill.kind,
        "subject_reference": bill.subject_reference,
        "description": _both(bill.description_th, bill.description_en),
        "state": bill.state,
        "amount_satang": bill.amount_satang,
        "amount": satang_to_decimal_text(bill.amount_satang),
        "due_date": bill.due_date,
        "agency": {"code": bill.agency.code, "name": _both(bill.agency.name_th, bill.agency.name_en)},
        "ref1": bill.ref1,
        "ref2": bill.ref2,
        "lines": [
            {
                "code": line["code"],
                "name": _both(line["name_th"], line["name_en"]),
                "amount_satang": line["amount_satang"],
            }
            for line in bill.lines
        ],
        "promptpay_payload": selectors.promptpay_payload(bill) if bill.is_payable else None,
        "paid_at": bill.paid_at,
        "receipt_number": receipt.number if receipt is not None else None,
    }


@router.post(
    "/notifications",
    auth=None,
    response={200: NotificationAckOut, 400: ErrorOut, 401: ErrorOut, 503: ErrorOut},
    summary="A bank's payment notification (signed callback)",
    description=(
        "Headers X-Signature-Timestamp (unix seconds), X-Signature-Nonce (8-64 of A-Z a-z 0-9 _ -) and "
        "X-Signature: lowercase hex HMAC-SHA256, keyed with the secret of the agency owning biller_id, "
        "of timestamp + '.' + nonce + '.' + the raw body. Body (JSON): transaction_id, biller_id, ref1, "
        "ref2, amount ('300.00'), paid_at (ISO 8601 with offset), payer_bank. 401 for a bad signature "
        "or a timestamp more than 5 minutes off; 400 for a signed body in the wrong format; 503 when "
        "the database is unavailable. Retry every answer but 200."
    ),
)
def notification_receive(request: HttpRequest) -> Status[Any]:
    try:
        outcome = services.notification_receive(headers=request.headers, body=request.body)
    except DatabaseError:
        # Django's OperationalError and InterfaceError are DatabaseErrors too.
        return Status(503, {"code": "unavailable", "message": str(UNAVAILABLE), "fields": {}})
    return Status(200, {"status": "acknowledged", "outcome": outcome})


@router.get(
    "/bills/{reference}",
    auth=api_auth,
    response=BillOut,
    summary="A bill, with its PromptPay QR payload while it can be paid",
)
def bill_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    bill = selectors.access_bill(user=api_person(request), reference=reference)
    return _bill(bill)
