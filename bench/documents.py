"""Signed documents rendered and signed per second, beside rendering the same HTML without signing.

Four measurements over the same kind of document (a food-shop permit with conditions, the Thai and the
English PDF each time), in one run:
- render only, in this process: `rendering.render_pdf` for both languages (the baseline);
- render and sign, in this process: `services.document_sign`, the whole path the worker runs: both PDFs
  rendered and signed (PAdES, the agency's demo key), the signed JSON copy, the files stored, the
  document row and its audit entry written;
- render only, with a pool of N processes (the baseline for the pool);
- render and sign with N `db_worker` processes: the documents are issued in one transaction, the signing
  tasks are enqueued on commit, and the clock stops when the last document is signed.

Each process renders a few documents before anything is timed (the first render unpacks the fonts).

Run: `.venv/bin/python -m bench.documents [--documents 40] [--workers 2]`. SQLite unless DATABASE_URL
names a PostgreSQL database (the run then works in test_<name> on that server and drops it at the end).
"""

import argparse
import datetime
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.submission import bench_database, configure, database_description

AGENCY_CODE = "bma-bang-rak"
WARM_UP = 3
WORKER_START_TIMEOUT_SECONDS = 60
SIGNING_TIMEOUT_SECONDS = 600
CONDITIONS = [
    {"th": "ต้องรักษาความสะอาดของสถานที่และภาชนะ", "en": "Keep the premises and utensils clean."},
    {"th": "ผู้สัมผัสอาหารต้องผ่านการอบรมสุขาภิบาลอาหาร", "en": "Food handlers must be trained in food hygiene."},
    {"th": "ต้องแสดงใบอนุญาตไว้ในที่เปิดเผย", "en": "Display this permit where customers can see it."},
]


@dataclass(frozen=True)
class Result:
    label: str
    documents: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def issue(count: int, *, prefix: str) -> list[int]:
    """Issue `count` pending permits in one transaction (their signing tasks are enqueued on commit)."""
    from django.db import transaction

    from pracha.accounts.public import User
    from pracha.agencies.public import agency_get
    from pracha.documents.public import document_issue

    agency = agency_get(code=AGENCY_CODE)
    holder = User.objects.exclude(first_name_th="").order_by("national_id").first()
    assert holder is not None, "the demo world has citizens"
    today = datetime.date.today()
    with transaction.atomic():
        return [
            document_issue(
                actor=None,
                kind="licence",
                number=f"{prefix}-2569-{index:06d}",
                title_th="ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
                title_en="Food shop permit",
                agency=agency,
                subject_reference=f"APP-2569-{index:06d}",
                holder_id_number=holder.national_id,
                holder_name=f"{holder.first_name_th} {holder.last_name_th}",
                holder_user=holder,
                valid_from=today,
                valid_until=today + datetime.timedelta(days=365),
                content={
                    "application_reference": f"APP-2569-{index:06d}",
                    "service_name_th": "ขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
                    "service_name_en": "Apply for a food shop permit",
                    "business_name_th": "",
                    "business_name_en": "",
                    "juristic_number": "",
                    "conditions": CONDITIONS,
                },
            ).pk
            for index in range(1, count + 1)
        ]


def render_both(document_id: int) -> int:
    """Render the Thai and English PDFs of one document; returns their total size (keeps the work live)."""
    from pracha.documents.models import Document
    from pracha.documents.rendering import render_pdf

    document = Document.objects.select_related("agency").get(pk=document_id)
    return sum(len(render_pdf(document, language=language)) for language in ("th", "en"))


def timed(label: str, document_ids: list[int], work: Any) -> Result:
    started = time.perf_counter()
    for document_id in document_ids:
        work(document_id)
    return Result(label, len(document_ids), time.perf_counter() - started)


def sign(document_id: int) -> None:
    from pracha.documents.models import Document
    from pracha.documents.services import document_sign

    if document_sign(document_id=document_id).state != Document.State.SIGNED:
        raise RuntimeError(f"document {document_id} was not signed")


def render_in_pool(document_ids: list[int], workers: int) -> Result:
    from django.db import connections

    connections.close_all()  # forked processes must open their own connections, not share this one
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(render_both, document_ids[: workers * WARM_UP]))  # every process unpacks the fonts
        started = time.perf_counter()
        list(pool.map(render_both, document_ids))
        seconds = time.perf_counter() - started
    return Result(f"render only, {workers} processes", len(document_ids), seconds)


@contextmanager
def db_workers(env: dict[str, str], count: int, log_path: Path) -> Iterator[None]:
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    with log_path.open("ab") as log:
        processes = [
            subprocess.Popen(
                [
                    sys.executable, str(manage), "db_worker", "--queue-name", "*", "--no-reload",
                    "--no-startup-delay", "--interval", "0.05",
                ],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            for _ in range(count)
        ]  # fmt: skip
        try:
            yield
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


def wait_signed(document_ids: list[int], timeout: float) -> None:
    from pracha.documents.models import Document

    deadline = time.perf_counter() + timeout
    while Document.objects.filter(pk__in=document_ids, state=Document.State.SIGNED).count() < len(
        document_ids
    ):
        failed = Document.objects.filter(pk__in=document_ids, state=Document.State.FAILED).count()
        if failed or time.perf_counter() > deadline:
            raise RuntimeError(f"the workers did not sign every document ({failed} failed); see the log")
        time.sleep(0.02)


def sign_with_workers(env: dict[str, str], var_dir: Path, count: int, workers: int) -> Result:
    from django_tasks_db.models import DBTaskResult

    # The tasks enqueued for the documents signed in this process are done already: drop them.
    DBTaskResult.objects.all().delete()
    log_path = var_dir / "workers.log"
    with db_workers(env, workers, log_path):
        warm_up = issue(workers * WARM_UP, prefix="WRM")
        wait_signed(warm_up, WORKER_START_TIMEOUT_SECONDS)
        started = time.perf_counter()
        document_ids = issue(count, prefix="POOL")
        wait_signed(document_ids, SIGNING_TIMEOUT_SECONDS)
        seconds = time.perf_counter() - started
    return Result(f"render and sign, {workers} db_workers", count, seconds)


def print_table(pairs: list[tuple[Result, Result]]) -> None:
    """Each (render only, render and sign) pair: the signed rate as a share of the render-only rate."""
    print()
    print(
        f"{'mode':<34}  {'documents':>9}  {'seconds':>8}  {'documents/s':>11}  {'ms each':>8}"
        f"  {'of render-only rate':>19}"
    )
    for baseline, signed in pairs:
        for result in (baseline, signed):
            share = result.rate / baseline.rate if baseline.rate else 0.0
            print(
                f"{result.label:<34}  {result.documents:>9}  {result.seconds:>8.2f}  {result.rate:>11.2f}"
                f"  {1000 * result.seconds / result.documents:>8.1f}  {share:>19.1%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=40, help="documents per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes in the pools")
    args = parser.parse_args()
    var_dir = configure("documents")

    from django.core.management import call_command

    env = dict(os.environ)
    with bench_database(env, var_dir):
        call_command("seed_demo", stdout=io.StringIO())
        print(
            f"database: {database_description()}; {args.documents} documents each, {args.workers} processes"
        )
        single = issue(args.documents + WARM_UP, prefix="ONE")
        for document_id in single[:WARM_UP]:
            render_both(document_id)
            sign(document_id)
        measured = single[WARM_UP:]
        render_single = timed("render only, 1 process", measured, render_both)
        sign_single = timed("render and sign, 1 process", measured, sign)
        render_pool = render_in_pool(measured, args.workers)
        sign_pool = sign_with_workers(env, var_dir, args.documents, args.workers)
        print_table([(render_single, sign_single), (render_pool, sign_pool)])
        print("load average after: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
