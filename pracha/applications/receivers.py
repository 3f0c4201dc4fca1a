"""Reactions to events from other apps: a settled payment moves the application it pays for."""

from pracha.applications.services import payment_settle
from pracha.core import events


@events.subscribe(events.PaymentSettled)
def apply_payment(event: events.PaymentSettled) -> None:
    payment_settle(event=event)
