"""Typed domain events, published after the transaction that caused them commits.

A lower app announces what happened without knowing who cares; a higher app (or the payments app, for a
fee) subscribes in its `receivers.py`. Handlers run after the commit, each in its own transaction, so a
failing handler never undoes the change that raised the event, and a rolled-back change raises nothing.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base class: events carry plain values (references, codes, amounts), never model instances."""


@dataclass(frozen=True)
class FeeLine:
    code: str
    name_th: str
    name_en: str
    amount_satang: int


@dataclass(frozen=True)
class FeeDue(Event):
    """Something the state asks to be paid before a case can go on: an application fee, for now."""

    payable_reference: str  # what the fee is for, e.g. APP-2569-000123
    agency_code: str
    payer_public_id: str
    lines: tuple[FeeLine, ...]
    total_satang: int


@dataclass(frozen=True)
class PaymentSettled(Event):
    """A fee has been paid in full, at the counter or online. `payment_id` is unique per payment, so a
    repeated event (a retried bank callback) is recognised and changes nothing."""

    payable_reference: str
    payment_id: str
    amount_satang: int
    channel: str  # counter, promptpay, ...
    receipt_number: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceiptIssued(Event):
    """A receipt was issued for a payment: the documents app turns it into a signed e-receipt."""

    receipt_number: str  # RC-RTP-2569-000001
    receipt_public_id: str
    agency_code: str
    bill_reference: str
    subject_reference: str  # what was paid for: APP-..., a ticket number, a tax assessment
    description_th: str
    description_en: str
    payer_id_number: str
    payer_name: str
    payer_user_public_id: str  # "" when the payer has no account
    payer_business_public_id: str  # "" unless paid for a business
    lines: tuple[FeeLine, ...]
    amount_satang: int
    amount_in_words: str  # the Thai words printed on the receipt
    channel: str
    issued_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class ReceiptRefunded(Event):
    """A refund on a receipt's bill was approved: the documents app revokes the e-receipt once all the
    money has been paid back."""

    receipt_number: str
    bill_reference: str
    fully_refunded: bool  # nothing paid on the bill is left
    refunded_at: str  # ISO 8601, UTC


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def deliver(event: Event) -> None:
    """Call every handler of the event now. Errors propagate: a caller that delivers directly wants them."""
    for handler in list(_handlers[type(event)]):
        handler(event)


def publish_on_commit(event: Event) -> None:
    def run() -> None:
        for handler in list(_handlers[type(event)]):
            try:
                handler(event)
            except Exception:
                # The change that raised the event is committed; a handler's failure is logged for an
                # operator and must not turn the user's successful request into an error page.
                logger.exception("event handler %s failed for %r", handler, event)

    transaction.on_commit(run)
