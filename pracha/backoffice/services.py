"""The workbench's own writes: only the audit record of a search that reads people's details. Everything
that changes a case goes through pracha.applications' services."""

from typing import Any

from django.db import transaction

from pracha.audit import public as audit
from pracha.backoffice.selectors import national_id_last_digits, search_kind

SEARCH_PERSON_ACTION = "backoffice.search_person"


@transaction.atomic
def case_search_record(*, actor: Any, query: str) -> str:
    """Record that an officer searched the queue by a national ID or a name (reading whose cases those
    are is reading a person's details). A search by reference reads nothing personal and is not recorded.
    The log keeps only the last four digits of a national ID, never the whole number; a name is recorded
    by its kind only. Returns the kind of the query."""
    kind = search_kind(query)
    if kind == "national_id":
        audit.record(
            actor=actor,
            action=SEARCH_PERSON_ACTION,
            payload={"query_kind": kind, "national_id_last4": national_id_last_digits(query)},
        )
    elif kind == "name":
        audit.record(actor=actor, action=SEARCH_PERSON_ACTION, payload={"query_kind": kind})
    return kind
