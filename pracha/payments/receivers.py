"""Reactions to events from other apps: a fee that falls due becomes a bill."""

from pracha.core import events
from pracha.payments.services import bill_for_fee


@events.subscribe(events.FeeDue)
def bill_fee(event: events.FeeDue) -> None:
    bill_for_fee(event=event)
