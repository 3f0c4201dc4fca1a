"""How fast the hash-chained audit log appends, beside a plain insert of the same row in the same run.

Each audited write in Pracha runs in its own transaction, so both sides commit once per row.
Run: `.venv/bin/python -m bench.audit_append [--rows 2000]` (set DATABASE_URL for PostgreSQL).
"""

import argparse
import os
import tempfile
import time
from collections.abc import Callable

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pracha.settings.test")
    if "DATABASE_URL" not in os.environ:
        os.environ["PRACHA_VAR_DIR"] = tempfile.mkdtemp(prefix="pracha-bench-")
    django.setup()


def timed(label: str, rows: int, work: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for index in range(rows):
        work(index)
    elapsed = time.perf_counter() - start
    rate = rows / elapsed
    print(f"{label:<44} {rows:>7} rows  {elapsed:8.2f} s  {rate:10.0f} rows/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from pracha.audit.public import chain_verify, record
    from pracha.core.references import next_reference

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}")

        def plain_insert(index: int) -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_plain (at, action, payload) VALUES (%s, %s, %s)",
                    [timezone.now(), "bench.plain", f'{{"n": {index}}}'],
                )

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain (at TIMESTAMP, action VARCHAR(100), payload TEXT)")
        baseline = timed("baseline: plain INSERT, one per transaction", args.rows, plain_insert)
        audited = timed(
            "audit entry_record (hash chain, head lock)",
            args.rows,
            lambda index: record(actor=None, action="bench.audit", payload={"n": index}),
        )
        timed("next_reference (per-year counter)", args.rows, lambda index: next_reference("BEN"))
        start = time.perf_counter()
        report = chain_verify()
        verify_seconds = time.perf_counter() - start
        print(f"{'audit_verify over the chain':<44} {report.checked:>7} rows  {verify_seconds:8.2f} s")
        print(f"audit append rate = {audited / baseline:.0%} of the plain insert rate")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
