"""The SMS gateway's delivery receipts, at /api/v1/notifications/.

POST /api/v1/notifications/sms-receipts: the gateway reports what became of an SMS. The bearer token
(settings.PRACHA_SMS_GATEWAY_TOKEN) is the credential, compared in constant time. The gateway retries
every answer but 2xx, so a receipt for a message we do not know is answered 204 as well (and logged):
retrying it would never help. A database that is briefly unavailable gives 503, and the receipt comes
again later.
"""

import datetime
import json
import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from pracha.notifications import selectors, services

logger = logging.getLogger(__name__)

router = Router(tags=["notifications"])

RECEIPT_STATUSES = ("delivered", "undeliverable")
BAD_TOKEN = _("The bearer token is missing or wrong.")
BAD_RECEIPT = _("A receipt is JSON with id, reference, status (delivered or undeliverable) and at.")
UNAVAILABLE = _("The service is briefly unavailable. Please send the receipt again later.")


class ReceiptErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


def _error(status: int, code: str, message: Any) -> Status[Any]:
    return Status(status, {"code": code, "message": str(message), "fields": {}})


def _bearer(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _receipt(body: bytes) -> tuple[str, str, str, datetime.datetime | None] | None:
    """(id, reference, status, at) of a well-formed receipt, else None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    provider_id, reference, status, at = (data.get(name) for name in ("id", "reference", "status", "at"))
    if not isinstance(provider_id, str) or not provider_id or len(provider_id) > 100:
        return None
    if reference is not None and not isinstance(reference, str):
        return None
    if status not in RECEIPT_STATUSES:
        return None
    when = None
    if at is not None:
        try:
            when = datetime.datetime.fromisoformat(at) if isinstance(at, str) else None
        except ValueError:
            return None
        if when is None or when.tzinfo is None:
            return None
    return provider_id, (reference or "")[:100], status, when


@router.post(
    "/sms-receipts",
    auth=None,
    response={204: None, 400: ReceiptErrorOut, 401: ReceiptErrorOut, 503: ReceiptErrorOut},
    summary="The SMS gateway's delivery receipt",
    description=(
        "Header Authorization: Bearer <gateway token>. Body (JSON): id (the gateway's message ID), "
        "reference (Pracha's message ID it was sent with), status: delivered or undeliverable, at "
        "(ISO 8601 with offset). 204 when recorded, and for a message Pracha does not know; 401 for a "
        "wrong token; 400 for a malformed receipt; 503 when the database is unavailable."
    ),
)
def sms_receipt(request: HttpRequest) -> Status[Any]:
    if not selectors.sms_receipt_token_valid(_bearer(request)):
        return _error(401, "not_authenticated", BAD_TOKEN)
    receipt = _receipt(request.body)
    if receipt is None:
        return _error(400, "invalid_input", BAD_RECEIPT)
    provider_id, reference, status, at = receipt
    try:
        services.sms_receipt_record(provider_reference=provider_id, status=status, at=at, reference=reference)
    except DatabaseError:
        logger.exception("could not record the SMS receipt %s", provider_id)
        return _error(503, "unavailable", UNAVAILABLE)
    return Status(204, None)
