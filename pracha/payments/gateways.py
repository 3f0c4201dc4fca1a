"""The adapter between Pracha and an acquiring bank: it turns the bank's payment notifications and its
end-of-day statements into plain values. A real bank's API replaces the simulator by naming another
class in settings.PRACHA_PAYMENT_GATEWAY; the services never see the bank's wire format.

The simulated bank (docs/payments.md) signs each notification with HMAC-SHA256 under the secret of the
agency that owns the biller ID, over "<timestamp>.<nonce>.<raw body>", so neither the time, the nonce
nor a single byte of the body can be changed without the signature failing.
"""

import csv
import datetime
import hashlib
import hmac
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from pracha.core.errors import DomainError, InvalidInput
from pracha.core.money import baht_to_satang
from pracha.payments import promptpay, selectors

TIMESTAMP_HEADER = "X-Signature-Timestamp"
NONCE_HEADER = "X-Signature-Nonce"
SIGNATURE_HEADER = "X-Signature"

NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}", re.ASCII)
TIMESTAMP = re.compile(r"\d{1,12}", re.ASCII)
SIGNATURE = re.compile(r"[0-9a-f]{64}", re.ASCII)
BILLER_ID = re.compile(r"\d{15}", re.ASCII)
TRANSACTION_ID_MAX = 64
REFERENCE_MAX = 40  # BankNotification.ref1/ref2
PAYER_BANK_MAX = 40  # Payment.payer_bank
STATEMENT_COLUMNS = ["transaction_id", "paid_at", "biller_id", "ref1", "ref2", "amount"]

SIGNATURE_INVALID = _("The signature of the notification is missing or does not match.")
STALE_TIMESTAMP = _("The notification's timestamp is outside the accepted window.")


class CallbackRejected(DomainError):
    """A notification that cannot be shown to come from the bank just now: 401, and nothing is stored."""

    status = 401
    code = "signature_invalid"
    default_message = SIGNATURE_INVALID

    def __init__(self, code: str = "signature_invalid") -> None:
        super().__init__(STALE_TIMESTAMP if code == "stale_timestamp" else SIGNATURE_INVALID)
        self.code = code


@dataclass(frozen=True)
class Notification:
    """A payment notification whose signature checked out."""

    gateway: str
    nonce: str
    transaction_id: str
    biller_id: str
    ref1: str
    ref2: str
    amount_satang: int
    paid_at: datetime.datetime
    payer_bank: str
    body: str


@dataclass(frozen=True)
class StatementEntry:
    """One line of a bank statement; `line_number` counts the header as line 1."""

    line_number: int
    transaction_id: str
    paid_at: datetime.datetime
    biller_id: str
    ref1: str
    ref2: str
    amount_satang: int


class Gateway(Protocol):
    name: str

    def parse_notification(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime.datetime
    ) -> Notification: ...

    def parse_statement(self, content: bytes) -> list[StatementEntry]: ...


def signature(*, secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The X-Signature of a notification: what the bank computes and what Pracha checks."""
    message = timestamp.encode("ascii") + b"." + nonce.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def amount_to_satang(text: object) -> int:
    """ "300.00" -> 30000, exactly: read as digits, never through a float. The bank writes amounts as
    a PromptPay payload does (tag 54); thousands separators, signs, exponents, more than two decimals
    and JSON numbers (they would be floats) are refused with ValueError rather than guessed at."""
    if not isinstance(text, str) or promptpay.AMOUNT.fullmatch(text) is None:
        raise ValueError(f"not an amount with at most two decimals: {text!r}")
    satang = baht_to_satang(text)
    if not 0 < satang <= promptpay.MAX_AMOUNT_SATANG:
        raise ValueError(f"amount out of range: {text!r}")
    return satang


def _aware_datetime(text: object) -> datetime.datetime:
    if not isinstance(text, str):
        raise ValueError("not a string")
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("no UTC offset")
    return value


def _text(value: object, *, limit: int, required: bool) -> str:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValueError("not a suitable text")
    if any(not character.isprintable() for character in value):
        raise ValueError("control characters")
    return value.strip()


class SimulatedBankGateway:
    """The demo bank's protocol (docs/payments.md): JSON notifications signed as described above, and
    statements as CSV with the columns transaction_id,paid_at,biller_id,ref1,ref2,amount."""

    name = "simulated-bank"

    def parse_notification(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime.datetime
    ) -> Notification:
        lowered = {key.lower(): value for key, value in headers.items()}
        timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
        nonce = lowered.get(NONCE_HEADER.lower(), "").strip()
        given = lowered.get(SIGNATURE_HEADER.lower(), "").strip()
        if not (TIMESTAMP.fullmatch(timestamp) and NONCE.fullmatch(nonce) and SIGNATURE.fullmatch(given)):
            raise CallbackRejected()
        data = self._json(body)
        # The key depends on the biller ID inside the body; without a known one nothing can be verified.
        biller_id = data.get("biller_id") if data is not None else None
        agency = selectors.agency_for_biller(biller_id) if isinstance(biller_id, str) else None
        biller = selectors.biller_for(agency) if agency is not None else None
        if biller is None or data is None:
            raise CallbackRejected()
        expected = signature(secret=biller.secret, timestamp=timestamp, nonce=nonce, body=body)
        if not hmac.compare_digest(expected, given):
            raise CallbackRejected()
        if abs(now.timestamp() - int(timestamp)) > settings.PRACHA_PAYMENT_CALLBACK_WINDOW_SECONDS:
            raise CallbackRejected("stale_timestamp")
        return self._notification(data, nonce=nonce, body=body.decode("utf-8"))

    @staticmethod
    def _json(body: bytes) -> dict[str, Any] | None:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _notification(self, data: dict[str, Any], *, nonce: str, body: str) -> Notification:
        fields: dict[str, list[Any]] = {}
        values: dict[str, Any] = {}
        checks = {
            "transaction_id": lambda value: _text(value, limit=TRANSACTION_ID_MAX, required=True),
            "ref1": lambda value: _text(value, limit=REFERENCE_MAX, required=True),
            "ref2": lambda value: _text(value, limit=REFERENCE_MAX, required=False),
            "amount": amount_to_satang,
            "paid_at": _aware_datetime,
            "payer_bank": lambda value: _text(value, limit=PAYER_BANK_MAX, required=False),
        }
        optional = {"ref2", "payer_bank"}
        for name, check in checks.items():
            if name not in data and name in optional:
                values[name] = ""
                continue
            try:
                values[name] = check(data.get(name))
            except ValueError:
                fields[name] = [_("This value is missing or not in the expected format.")]
        if fields:
            raise InvalidInput(fields=fields)
        return Notification(
            gateway=self.name,
            nonce=nonce,
            transaction_id=values["transaction_id"],
            biller_id=data["biller_id"],
            ref1=values["ref1"],
            ref2=values["ref2"],
            amount_satang=values["amount"],
            paid_at=values["paid_at"],
            payer_bank=values["payer_bank"],
            body=body,
        )

    def parse_statement(self, content: bytes) -> list[StatementEntry]:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _statement_error(_("The file is not UTF-8 text.")) from None
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None or [column.strip() for column in header] != STATEMENT_COLUMNS:
            raise _statement_error(
                _("Line 1 must be the header %(columns)s.") % {"columns": ",".join(STATEMENT_COLUMNS)}
            )
        entries: list[StatementEntry] = []
        for row in reader:
            line_number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            entries.append(_statement_entry(row, line_number))
        if not entries:
            raise _statement_error(_("The statement has no payments in it."))
        return entries


def _statement_error(message: Any) -> InvalidInput:
    return InvalidInput(message, fields={"file": [message]})


def _statement_entry(row: list[str], line_number: int) -> StatementEntry:
    def refuse(column: str) -> InvalidInput:
        return _statement_error(
            _("Line %(line)s: the %(column)s is missing or not in the expected format.")
            % {"line": line_number, "column": column}
        )

    if len(row) != len(STATEMENT_COLUMNS):
        raise _statement_error(
            _("Line %(line)s has %(found)s columns instead of %(expected)s.")
            % {"line": line_number, "found": len(row), "expected": len(STATEMENT_COLUMNS)}
        )
    cells = dict(zip(STATEMENT_COLUMNS, (cell.strip() for cell in row), strict=True))
    checks = {
        "transaction_id": lambda value: _text(value, limit=TRANSACTION_ID_MAX, required=True),
        "paid_at": _aware_datetime,
        "biller_id": _biller_id,
        "ref1": lambda value: _text(value, limit=REFERENCE_MAX, required=True),
        "ref2": lambda value: _text(value, limit=REFERENCE_MAX, required=False),
        "amount": amount_to_satang,
    }
    values: dict[str, Any] = {}
    for column, check in checks.items():
        try:
            values[column] = check(cells[column])
        except ValueError:
            raise refuse(column) from None
    return StatementEntry(
        line_number=line_number,
        transaction_id=values["transaction_id"],
        paid_at=values["paid_at"],
        biller_id=values["biller_id"],
        ref1=values["ref1"],
        ref2=values["ref2"],
        amount_satang=values["amount"],
    )


def _biller_id(value: str) -> str:
    if not BILLER_ID.fullmatch(value):
        raise ValueError("not 15 digits")
    return value


@cache
def _gateway_class(path: str) -> type[Gateway]:
    gateway_class: type[Gateway] = import_string(path)
    return gateway_class


def gateway() -> Gateway:
    """The configured gateway (settings.PRACHA_PAYMENT_GATEWAY), its class imported once."""
    return _gateway_class(settings.PRACHA_PAYMENT_GATEWAY)()
