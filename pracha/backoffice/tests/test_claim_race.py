"""Claiming is race-safe: two officers claiming one case, one after the other or at the same moment,
give exactly one winner and one Conflict ("Another officer has just taken this case.")."""

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from pracha.applications import services
from pracha.applications.models import Application
from pracha.audit.public import AuditEntry
from pracha.backoffice.tests.conftest import bang_rak_officer, submit_food_shop
from pracha.core.errors import Conflict


def test_a_second_claim_is_a_conflict(world, case):
    services.case_claim(actor=world["reviewer"], application=case)
    with pytest.raises(Conflict) as raised:
        services.case_claim(actor=world["second_reviewer"], application=Application.objects.get(pk=case.pk))
    assert str(raised.value) == "Another officer has just taken this case."
    case.refresh_from_db()
    assert case.assigned_to == world["reviewer"]
    assert AuditEntry.objects.filter(action="applications.claim").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite locks the whole database for a write, so two claims can never "
    "run at the same moment there; the sequential test above covers SQLite",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_claiming_at_the_same_moment_on_postgresql(service_world: dict[str, Any]) -> None:
    first, second = bang_rak_officer("reviewer"), bang_rak_officer("reviewer")
    case = submit_food_shop(service_world["applicant"])
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(name: str, officer: Any) -> None:
        try:
            application = Application.objects.get(pk=case.pk)
            start.wait(timeout=10)
            services.case_claim(actor=officer, application=application)
            results[name] = "won"
        except Conflict as error:
            # A new thread does not inherit the test's English: the message is read in English here.
            with translation.override("en"):
                results[name] = str(error)
        finally:
            connection.close()  # each thread has its own connection; close it so the test database can go

    threads = [threading.Thread(target=claim, args=(name, officer)) for name, officer in
               (("first", first), ("second", second))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["Another officer has just taken this case.", "won"]
    winner = first if results["first"] == "won" else second
    case.refresh_from_db()
    assert case.assigned_to == winner
    assert list(
        AuditEntry.objects.filter(action="applications.claim").values_list("actor_id", flat=True)
    ) == [str(winner.public_id)]
