import ipaddress
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from pracha.audit import chain
from pracha.audit.models import ACTOR_LABEL_LENGTH, AuditChainHead, AuditEntry
from pracha.core.context import current_context


class Actor(Protocol):
    pk: Any


def _target_parts(target: Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    key = getattr(target, "reference", None) or getattr(target, "public_id", None) or target.pk
    return target._meta.label_lower, str(key)


def _client_address(value: str | None) -> str | None:
    """The address in the form the database gives back (IPv6 compressed, lower case), or None if it is
    not an address: the hash must not change on the round trip, and PostgreSQL's inet refuses garbage."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        # Without any zone (fe80::1%eth0): the database keeps only the address itself.
        return clean_ipv6_address(str(ipaddress.IPv6Address(int(address))))
    return str(address)


@transaction.atomic
def entry_record(
    *,
    actor: Actor | None,
    action: str,
    target: Model | None = None,
    payload: dict[str, Any] | None = None,
    on_behalf_of: str | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction so it commits or rolls back with the change."""
    context = current_context()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    target_type, target_id = _target_parts(target)
    is_person = actor is not None and getattr(actor, "is_authenticated", True)
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=_actor_key(actor) if is_person else "",
        actor_label=_label(actor) if is_person else "",
        on_behalf_of=on_behalf_of if on_behalf_of is not None else context.on_behalf_of,
        action=action,
        target_type=target_type,
        target_id=target_id,
        channel=context.channel,
        client_ip=_client_address(context.client_ip),
        payload=chain.canonical_payload(payload or {}),
        prev_hash=head.last_hash,
        hash="pending",
    )
    # The id is part of the hashed material, so it is taken from the head rather than the database.
    entry.pk = head.entry_count + 1
    entry.hash = chain.entry_hash(prev_hash=head.last_hash, fields=fields_of(entry))
    AuditEntry.objects.bulk_create([entry])
    head.last_hash, head.entry_count = entry.hash, entry.pk
    head.save(update_fields=["last_hash", "entry_count"])
    return entry


def _actor_key(actor: Actor | None) -> str:
    # The public UUID where the actor has one: the published log never shows sequential ids, and a
    # person is named by the same key as actor and as target.
    return str(getattr(actor, "public_id", None) or getattr(actor, "pk", ""))


def _label(actor: Actor | None) -> str:
    # A stable label (not str(), which follows the request language) so one actor reads the same.
    label = str(getattr(actor, "audit_label", None) or actor)
    return label[:ACTOR_LABEL_LENGTH]


def fields_of(entry: AuditEntry) -> dict[str, Any]:
    return chain.hashed_fields(
        entry_id=entry.pk,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        on_behalf_of=entry.on_behalf_of,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        channel=entry.channel,
        client_ip=entry.client_ip,
        payload=entry.payload,
    )
