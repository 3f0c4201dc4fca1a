"""Reactions to events from other apps: a receipt issued becomes a signed e-receipt."""

from pracha.core import events
from pracha.documents.services import receipt_document_issue


@events.subscribe(events.ReceiptIssued)
def issue_e_receipt(event: events.ReceiptIssued) -> None:
    receipt_document_issue(event=event)
