"""The hash chain: pure functions, so the writer and the verifier compute exactly the same thing."""

import datetime
import hashlib
import json
from typing import Any


def canonical_time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    material = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{material}".encode()).hexdigest()


def hashed_fields(
    *,
    entry_id: int,
    at: datetime.datetime,
    actor_id: str,
    actor_label: str,
    on_behalf_of: str,
    action: str,
    target_type: str,
    target_id: str,
    channel: str,
    client_ip: str | None,
    payload: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": entry_id,
        "at": canonical_time(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "channel": channel,
        "client_ip": client_ip or "",
        "payload": payload,
    }
