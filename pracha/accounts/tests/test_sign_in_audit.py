from typing import Any

import pytest
from django.test import Client

from pracha.accounts.tests.factories import PASSWORD
from pracha.audit.models import AuditEntry


def sign_in_entries() -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(action__startswith="accounts.sign_").values_list(
            "action", "actor_id", "target_id"
        )
    )


@pytest.mark.django_db
def test_a_sign_in_a_failed_attempt_and_a_sign_out_are_recorded_against_the_account(
    people: dict[str, Any],
) -> None:
    owner = people["owner"]
    client = Client()

    client.post("/accounts/login/", {"login": owner.national_id, "password": "not-the-password"})
    client.post("/accounts/login/", {"login": owner.national_id, "password": PASSWORD})
    client.post("/accounts/logout/")

    target = str(owner.public_id)
    assert sign_in_entries() == [
        ("accounts.sign_in_failed", "", target),
        ("accounts.sign_in", str(owner.public_id), target),
        ("accounts.sign_out", str(owner.public_id), target),
    ]
    assert all(
        entry.payload == {} for entry in AuditEntry.objects.filter(action__startswith="accounts.sign_")
    )


@pytest.mark.django_db
def test_a_failed_attempt_on_a_number_without_an_account_records_nothing() -> None:
    Client().post("/accounts/login/", {"login": "1999900999995", "password": "whatever-it-is"})
    assert sign_in_entries() == []
