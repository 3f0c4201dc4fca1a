import datetime
import re
import threading

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from pracha.core.models import ReferenceCounter
from pracha.core.references import next_reference
from pracha.core.tests.concurrency import run_in_threads, shared_database

UTC = datetime.UTC


def this_buddhist_year() -> int:
    """Computed here from the Bangkok date, independently of the module under test."""
    return timezone.localdate().year + 543


@pytest.mark.django_db
def test_references_carry_prefix_buddhist_year_and_a_six_digit_number():
    year = this_buddhist_year()
    assert next_reference("APP") == f"APP-{year}-000001"
    assert next_reference("APP") == f"APP-{year}-000002"
    assert next_reference("APP") == f"APP-{year}-000003"
    assert ReferenceCounter.objects.get(prefix="APP", year=year).last_value == 3


@pytest.mark.django_db
def test_each_prefix_counts_on_its_own():
    year = this_buddhist_year()
    assert next_reference("APP") == f"APP-{year}-000001"
    assert next_reference("CMP") == f"CMP-{year}-000001"
    assert next_reference("APP") == f"APP-{year}-000002"
    assert next_reference("CMP") == f"CMP-{year}-000002"
    assert next_reference("RCPT") == f"RCPT-{year}-000001"
    counters = dict(ReferenceCounter.objects.values_list("prefix", "last_value"))
    assert counters == {"APP": 2, "CMP": 2, "RCPT": 1}


@pytest.mark.django_db
def test_width_pads_but_never_truncates():
    year = this_buddhist_year()
    assert next_reference("RCPT", width=8) == f"RCPT-{year}-00000001"
    ReferenceCounter.objects.create(prefix="APP", year=year, last_value=999_999)
    assert next_reference("APP") == f"APP-{year}-1000000"


@pytest.mark.django_db
def test_the_year_is_the_buddhist_year_of_the_bangkok_date(monkeypatch):
    # 20:00 UTC on 31 December 2026 is 03:00 on 1 January 2027 in Bangkok: BE 2570, not 2569.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    assert next_reference("APP") == "APP-2570-000001"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC))
    assert next_reference("APP") == "APP-2569-000001"
    assert next_reference("APP") == "APP-2569-000002"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2027, 1, 2, 0, 0, tzinfo=UTC))
    assert next_reference("APP") == "APP-2570-000002"
    assert set(ReferenceCounter.objects.values_list("prefix", "year", "last_value")) == {
        ("APP", 2569, 2),
        ("APP", 2570, 2),
    }


@pytest.mark.django_db
def test_a_counter_created_meanwhile_by_another_process_is_used(monkeypatch):
    """The branch where this caller's UPDATE found no row but its INSERT then collides."""
    year = this_buddhist_year()
    ReferenceCounter.objects.create(prefix="APP", year=year, last_value=5)
    real_update = QuerySet.update
    updates = []

    def first_update_sees_no_row(self, **kwargs):
        updates.append(self.model)
        if len(updates) == 1:
            return 0  # as if the row did not exist yet when this caller looked
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", first_update_sees_no_row)
    assert next_reference("APP") == f"APP-{year}-000006"
    assert updates == [ReferenceCounter, ReferenceCounter]
    monkeypatch.undo()
    assert ReferenceCounter.objects.get(prefix="APP", year=year).last_value == 6
    assert next_reference("APP") == f"APP-{year}-000007"


def test_concurrent_callers_get_distinct_contiguous_numbers(transactional_db, tmp_path):
    """4 threads, each on its own database connection, take 25 references each, all starting at once
    when no counter row exists yet (so they also race to create it)."""
    year = this_buddhist_year()
    with shared_database(tmp_path):
        taken = run_in_threads(lambda worker: [next_reference("APP") for _ in range(25)], workers=4)
        final = ReferenceCounter.objects.get(prefix="APP", year=year).last_value
    pattern = re.compile(rf"^APP-{year}-(\d{{6}})$")
    numbers = []
    for references in taken:
        assert len(references) == 25
        worker_numbers = [int(pattern.fullmatch(reference).group(1)) for reference in references]  # type: ignore[union-attr]
        assert worker_numbers == sorted(worker_numbers)  # each caller sees its own numbers increase
        numbers.extend(worker_numbers)
    assert sorted(numbers) == list(range(1, 101))
    assert final == 100


def test_the_harness_really_runs_callers_concurrently(transactional_db, tmp_path):
    """Control: a counter that reads and then writes without a lock loses updates under the same
    harness. The workers all read before any of them writes (a barrier between the two steps), which
    only works if they truly run at the same time on connections that see each other's commits."""
    year = this_buddhist_year()
    everyone_has_read = threading.Barrier(4)

    def unlocked_next(worker: int) -> int:
        value = ReferenceCounter.objects.get(prefix="APP", year=year).last_value
        everyone_has_read.wait(timeout=30)
        ReferenceCounter.objects.filter(prefix="APP", year=year).update(last_value=value + 1)
        return value + 1

    with shared_database(tmp_path):
        ReferenceCounter.objects.create(prefix="APP", year=year, last_value=0)
        handed_out = run_in_threads(unlocked_next, workers=4)
        final = ReferenceCounter.objects.get(prefix="APP", year=year).last_value
    assert handed_out == [1, 1, 1, 1]
    assert final == 1
