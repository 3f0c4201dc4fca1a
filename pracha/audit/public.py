"""What other apps may use of the audit log."""

from pracha.audit.models import AuditEntry
from pracha.audit.selectors import ChainReport, chain_verify, entries_about, entries_by_actor
from pracha.audit.services import entry_record as record

__all__ = ["AuditEntry", "ChainReport", "chain_verify", "entries_about", "entries_by_actor", "record"]
