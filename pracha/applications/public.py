"""What other apps (the officer workbench, the portal) may use of applications."""

from pracha.applications import selectors, services
from pracha.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    FeePayment,
    Holder,
    Message,
    Outcome,
    Party,
)

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "FeePayment",
    "Holder",
    "Message",
    "Outcome",
    "Party",
    "selectors",
    "services",
]
