"""What administrators see of bills and the money on them.

Read-only: every change to these goes through a service, which checks who may make it and writes the
audit record; the officers' pages under /payments/manage/ are where changes are made.
"""

from django.contrib import admin

from pracha.core.admin import ReadOnlyAdmin
from pracha.payments.models import (
    BankNotification,
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
    StatementImport,
)


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin[Bill]):
    list_display = ["reference", "kind", "subject_reference", "agency", "amount_satang", "due_date", "state"]
    list_filter = ["kind", "state", "agency"]
    search_fields = ["reference", "ref1", "subject_reference", "payer_id_number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin[Payment]):
    list_display = ["bill", "channel", "amount_satang", "bank_transaction_id", "paid_at"]
    list_filter = ["channel"]
    search_fields = ["bill__reference", "bank_transaction_id"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin[Receipt]):
    list_display = ["number", "agency", "payer_name", "amount_satang", "channel", "issued_at"]
    list_filter = ["channel", "agency"]
    search_fields = ["number", "payer_id_number"]


@admin.register(BankNotification)
class BankNotificationAdmin(ReadOnlyAdmin[BankNotification]):
    list_display = ["created_at", "gateway", "transaction_id", "ref1", "amount_satang", "outcome"]
    list_filter = ["gateway", "outcome"]
    search_fields = ["transaction_id", "ref1", "nonce"]


@admin.register(PaymentException)
class PaymentExceptionAdmin(ReadOnlyAdmin[PaymentException]):
    list_display = ["created_at", "agency", "reason", "transaction_id", "bill", "state"]
    list_filter = ["reason", "state"]
    search_fields = ["transaction_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin[Refund]):
    list_display = ["created_at", "bill", "amount_satang", "state", "requested_by", "decided_by"]
    list_filter = ["state"]
    search_fields = ["bill__reference"]


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin[StatementImport]):
    list_display = ["statement_date", "biller_id", "agency", "file_name", "imported_by", "created_at"]
