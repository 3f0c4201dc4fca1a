"""What other apps (applications, the officer workbench, the portal) may use of payments."""

from pracha.payments import selectors, services
from pracha.payments.gateways import CallbackRejected
from pracha.payments.models import (
    BankNotification,
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
    StatementImport,
    StatementLine,
)
from pracha.payments.selectors import Biller, BillPermissions

__all__ = [
    "BankNotification",
    "Bill",
    "BillPermissions",
    "Biller",
    "CallbackRejected",
    "Payment",
    "PaymentException",
    "Receipt",
    "Refund",
    "StatementImport",
    "StatementLine",
    "selectors",
    "services",
]
