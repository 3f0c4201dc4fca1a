"""Reactions to events from other apps: a receipt issued becomes a signed e-receipt, and one whose money
was all paid back is revoked."""

from pracha.core import events
from pracha.documents.services import receipt_document_issue, receipt_document_revoke_refunded


@events.subscribe(events.ReceiptIssued)
def issue_e_receipt(event: events.ReceiptIssued) -> None:
    receipt_document_issue(event=event)


@events.subscribe(events.ReceiptRefunded)
def revoke_refunded_e_receipt(event: events.ReceiptRefunded) -> None:
    receipt_document_revoke_refunded(event=event)
