from dataclasses import dataclass

from django.db.models import Max, QuerySet

from pracha.audit import chain
from pracha.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from pracha.audit.services import fields_of


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.entry_count, head.last_hash) if head else (0, GENESIS_HASH)


def chain_verify(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; name the first entry that does not match.

    Edits change an entry's own hash; deletions and reordering break the link to the previous hash
    or the numbering; entries cut from the end no longer meet the chain head. Safe while the platform
    writes: an entry and the head move in one transaction, so the walk covers exactly the entries the
    head counted when it was read, and entries newer than that are left for the next run.
    """
    head_count, head_hash = _head()
    expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
    entries = AuditEntry.objects.filter(id__lte=head_count).order_by("id")
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.pk != expected_id:
            return ChainReport(False, checked, entry.pk, f"expected entry #{expected_id}, found #{entry.pk}")
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.pk, "does not follow the entry before it")
        if chain.entry_hash(prev_hash=entry.prev_hash, fields=fields_of(entry)) != entry.hash:
            return ChainReport(False, checked, entry.pk, "its contents do not match its hash")
        expected_prev, expected_id, checked = entry.hash, expected_id + 1, checked + 1
    if checked < head_count:  # entries cut from the end: name the first one missing
        return ChainReport(False, checked, checked + 1, f"the chain head records {head_count} entries")
    if head_hash != expected_prev:  # the last entry was rewritten (with a recomputed hash)
        return ChainReport(False, max(checked - 1, 0), checked or None, "it does not match the chain head")
    # Read the newest id before the head: a genuine entry commits with its head update, so the head
    # read second always covers it, and only rows written around the service are left beyond it.
    newest_id = AuditEntry.objects.aggregate(newest=Max("id"))["newest"] or 0
    latest_count, _ = _head()
    if newest_id > latest_count:
        extra = AuditEntry.objects.filter(id__gt=latest_count).order_by("id").values_list("id", flat=True)[0]
        return ChainReport(False, checked, extra, f"the chain head records only {latest_count} entries")
    return ChainReport(True, checked)


def entries_about(
    *, target_type: str, target_id: str, actions: list[str] | None = None
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(target_type=target_type, target_id=target_id)
    if actions is not None:
        entries = entries.filter(action__in=actions)
    return entries.order_by("-id")


def entries_by_actor(*, actor_id: str) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(actor_id=actor_id).order_by("-id")
