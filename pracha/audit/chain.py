"""The hash chain: pure functions, so the writer and the verifier compute exactly the same thing."""

import datetime
import hashlib
import json
import math
from typing import Any


def canonical_time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_payload(value: Any) -> Any:
    """The payload as every supported database gives it back from a JSON column.

    PostgreSQL's jsonb stores numbers as `numeric`, so a float without a fractional part may come back as
    an int (1e16 is read back as 10000000000000000, -0.0 as 0). Integral floats are therefore written and
    hashed as ints, so an entry hashes the same before and after the round trip on either database.
    NaN and infinity are not JSON and are refused.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Audit payloads cannot hold NaN or infinity.")
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: canonical_payload(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_payload(item) for item in value]
    return value


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
        "payload": canonical_payload(payload),
    }
