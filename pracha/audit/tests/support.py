"""Helpers for the audit tests: a stand-in actor and raw SQL, the only way past the append-only ORM."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from pracha.audit.models import AuditChainHead, AuditEntry


@dataclass
class Person:
    """Anything with a pk and a label can act; the audit log takes plain values, not domain models."""

    pk: Any
    label: str
    is_authenticated: bool = True

    def __str__(self) -> str:
        return self.label


def raw(sql: str, params: Sequence[Any] = ()) -> int:
    """Run SQL against the entries table ({entries}) or the head ({head}); return the rows touched."""
    quote = connection.ops.quote_name
    statement = sql.format(
        entries=quote(AuditEntry._meta.db_table), head=quote(AuditChainHead._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def raw_row(entry_id: int) -> tuple[Any, ...]:
    """An entry's action, payload (as stored) and hash, read past the ORM."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT action, payload, hash FROM {table} WHERE id = %s", [entry_id])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)
