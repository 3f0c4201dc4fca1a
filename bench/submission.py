"""Applications submitted per second through the real HTTP stack, beside the database's own ceiling.

The HTTP side: gunicorn serving the platform (the dev profile, DEBUG off), citizens' API tokens, and
`POST /api/v1/applications/{public_id}/submit` with an Idempotency-Key, from a pool of client threads.
The baseline, in the same run and at the same concurrency: the rows one submission writes, written with
plain SQL through the same database settings (threads, each with its own connection), one transaction
per submission: the reference counter UPDATE, the application UPDATE, the timeline event INSERT, and the
audit entry INSERT with the chain head locked and moved on. Complete drafts (answers, a PDF floor plan
and a PNG photo) are prepared through the services before anything is timed.

The baseline writes more row sets per level than HTTP submits (2000 by default), so its timed part, much
shorter, still lasts long enough to measure; the two are compared as rates.

Run: `.venv/bin/python -m bench.submission [--applications 300] [--baseline 2000] [--concurrency 1,4,16]
[--workers N]`.
SQLite (a file in a temporary var directory, WAL as the settings configure it) unless DATABASE_URL names
a PostgreSQL database; the run then works in test_<name> on that server and drops it at the end.
"""

import argparse
import contextlib
import io
import json
import math
import os
import queue
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any, TypeVar

import django

SERVICE_CODE = "food-shop-permit"
ANSWERS = {
    "shop_name": "ร้านข้าวมันไก่ทดสอบ",
    "shop_address": "99 ซอยทดสอบ ถนนสีลม แขวงสุริยวงศ์",
    "district": "bang-rak",
    "shop_area_sqm": 40,
    "seats": 24,
}
CITIZENS = 8  # demo citizens 1-8 apply; each has its own API token
BASELINE_PREFIX = "BEN"  # the baseline's reference counter: one row, as contended as the applications' one
HEALTH_TIMEOUT_SECONDS = 60
STOP_GRACE_SECONDS = 15
REQUEST_TIMEOUT_SECONDS = 120

T = TypeVar("T")


# --- files for the drafts ------------------------------------------------------------------------------


def make_pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width: int = 16, height: int = 16) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


# --- measuring -----------------------------------------------------------------------------------------


@dataclass
class Measurement:
    count: int
    seconds: float
    latencies: list[float]
    failures: Counter[str] = field(default_factory=Counter)
    server_cpu: float = math.nan  # seconds of the web server's CPU during the measurement
    client_cpu: float = math.nan  # seconds of this process's CPU (the client threads)

    def cpu_ms(self, seconds: float) -> float:
        return seconds / self.succeeded * 1000 if self.succeeded else math.nan

    @property
    def succeeded(self) -> int:
        return self.count - sum(self.failures.values())

    @property
    def rate(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def failure_text(self) -> str:
        return ", ".join(f"{count} × {label}" for label, count in self.failures.most_common()) or "none"


def run_pool(
    items: Sequence[T],
    concurrency: int,
    work: Callable[[T], str | None],
    *,
    on_thread_exit: Callable[[], None] | None = None,
) -> Measurement:
    """Run `work` over the items from `concurrency` threads, each taking the next item when it is free.
    `work` returns None on success or a short label for the failure; only successes count in the rate."""
    pending: queue.SimpleQueue[T] = queue.SimpleQueue()
    for item in items:
        pending.put(item)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: Counter[str] = Counter()

    def worker() -> None:
        try:
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    failure = work(item)
                except Exception as error:  # a failure to report, not to stop the run
                    failure = type(error).__name__ + (f": {str(error)[:60]}" if str(error) else "")
                elapsed = time.perf_counter() - started
                with lock:
                    if failure is None:
                        latencies.append(elapsed)
                    else:
                        failures[failure] += 1
        finally:
            if on_thread_exit is not None:
                on_thread_exit()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for running in [pool.submit(worker) for _ in range(concurrency)]:
            running.result()
    return Measurement(len(items), time.perf_counter() - start, latencies, failures)


# --- the HTTP side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    public_id: str
    token: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http_submit(port: int, draft: Draft) -> str | None:
    connection = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            f"/api/v1/applications/{draft.public_id}/submit",
            body=b"",
            headers={
                "Authorization": f"Bearer {draft.token}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return None
    try:
        code = json.loads(body).get("code", "")
    except ValueError:
        code = ""
    return f"HTTP {response.status}" + (f" {code}" if code else "")


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log_path: Path) -> Iterator[Server]:
    """The platform served by gunicorn on a free loopback port, stopped (always) on the way out."""
    from django.conf import settings

    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "pracha.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log)
        try:
            _wait_healthy(server, port, log_path)
            yield Server(port, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_cpu_seconds(server: Server) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers, from /proc (Linux;
    nan elsewhere). The database server's own processes are not included."""
    proc = Path("/proc")
    if not proc.is_dir():
        return math.nan
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from field 3 (state) on
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
        if pid == server.pid or int(fields[1]) == server.pid:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_healthy(server: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/api/v1/health")
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /api/v1/health:\n{log_path.read_text()[-3000:]}")


# --- setup ---------------------------------------------------------------------------------------------


def configure(name: str = "submission") -> Path:
    """Settings for a real server: the dev profile (DEBUG off, the database cache and task queue, files
    in a var directory), with a throwaway var directory and secret key. Returns the var directory."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"pracha-bench-{name}-"))
    (var_dir / "static").mkdir()
    os.environ["DJANGO_SETTINGS_MODULE"] = "pracha.settings.dev"
    os.environ["PRACHA_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    django.setup()
    return var_dir


def database_url_for(url: str, name: str) -> str:
    """DATABASE_URL with the database name replaced (the test database the run works in)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(name)))


def citizens() -> list[Any]:
    from pracha.accounts.public import User
    from pracha.portal import demo_world

    numbers = [person.national_id for person in demo_world.PEOPLE if person.has_account][:CITIZENS]
    users = {user.national_id: user for user in User.objects.filter(national_id__in=numbers)}
    return [users[national_id] for national_id in numbers]


def prepare_drafts(count: int, people: Sequence[Any], tokens: dict[int, str]) -> list[Draft]:
    """Complete drafts made the way an applicant makes them: answers, then the two documents."""
    from pracha.applications import services

    pdf, png = make_pdf(), make_png()
    drafts = []
    for index in range(count):
        person = people[index % len(people)]
        application = services.draft_create(actor=person, service_code=SERVICE_CODE)
        application = services.draft_answers_save(
            actor=person, application=application, answers=ANSWERS, complete=True
        )
        services.document_upload(
            actor=person, application=application, requirement="floor-plan", data=pdf, filename="plan.pdf"
        )
        services.document_upload(
            actor=person, application=application, requirement="shop-photo", data=png, filename="shop.png"
        )
        drafts.append(Draft(str(application.public_id), tokens[person.pk]))
    return drafts


# --- the baseline --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    application_id: int
    actor_id: str
    actor_label: str


class Baseline:
    """One submission's rows, written with plain SQL in one transaction (no application code in between).

    The same statements the submission makes, in the same order: the counter UPDATE and read back, the
    application UPDATE (the columns submission sets), the timeline INSERT, the chain head read with a row
    lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction already holds the write
    lock), the audit entry INSERT with its chain hash, and the head UPDATE. The hashes are real, so the
    chain still verifies at the end of the run.
    """

    def __init__(self, *, agency_id: int, year: int) -> None:
        from django.db import connection

        self.agency_id = agency_id
        self.year = year
        self.head_lock = " FOR UPDATE" if connection.features.has_select_for_update else ""

    def targets(self, count: int, people: Sequence[Any]) -> list[Target]:
        from pracha.applications.models import Application
        from pracha.catalogue.public import published_service

        service = published_service(code=SERVICE_CODE)
        rows = [
            Application(
                service=service,
                service_version=service.published,
                applicant=people[index % len(people)],
                answers=ANSWERS,
            )
            for index in range(count)
        ]
        made = Application.objects.bulk_create(rows)
        return [
            Target(row.pk, str(row.applicant.public_id), row.applicant.audit_label) for row in made
        ]  # fmt: skip

    def submit(self, target: Target) -> None:
        import datetime

        from django.db import connection, transaction
        from django.utils import timezone

        ops = connection.ops
        now = timezone.now()
        today = timezone.localdate()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_referencecounter SET last_value = last_value + 1"
                " WHERE prefix = %s AND year = %s",
                [BASELINE_PREFIX, self.year],
            )
            cursor.execute(
                "SELECT last_value FROM core_referencecounter WHERE prefix = %s AND year = %s",
                [BASELINE_PREFIX, self.year],
            )
            (value,) = cursor.fetchone()
            reference = f"{BASELINE_PREFIX}-{self.year}-{value:06d}"
            cursor.execute(
                "UPDATE applications_application SET reference = %s, state = %s, holder = %s,"
                " handling_agency_id = %s, holding_agency_id = %s, acting_roles = %s, submitted_at = %s,"
                " submission_key = %s, due_date = %s, state_entered_at = %s, state_due_date = %s,"
                " updated_at = %s WHERE id = %s",
                [
                    reference,
                    "document_check",
                    "agency",
                    self.agency_id,
                    self.agency_id,
                    ",approver,reviewer,",
                    ops.adapt_datetimefield_value(now),
                    str(uuid.uuid4()),
                    ops.adapt_datefield_value(today + datetime.timedelta(days=42)),
                    ops.adapt_datetimefield_value(now),
                    ops.adapt_datefield_value(today + datetime.timedelta(days=5)),
                    ops.adapt_datetimefield_value(now),
                    target.application_id,
                ],
            )
            cursor.execute(
                "INSERT INTO applications_applicationevent"
                " (application_id, at, action, from_state, to_state, party, agency_id, actor_id, note)"
                " VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL, %s)",
                [
                    target.application_id,
                    ops.adapt_datetimefield_value(now),
                    "submit",
                    "draft",
                    "document_check",
                    "applicant",
                    "",
                ],
            )
            append_audit_entry(
                cursor,
                head_lock=self.head_lock,
                now=now,
                actor_id=target.actor_id,
                actor_label=target.actor_label,
                action="bench.submit",
                target_type="applications.application",
                target_id=reference,
                payload={"service": SERVICE_CODE, "version": 1},
            )


def append_audit_entry(
    cursor: Any,
    *,
    head_lock: str,
    now: Any,
    actor_id: str,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    payload: dict[str, Any],
) -> None:
    """The SQL of one audit append: the chain head read with a row lock, the entry INSERT with its real
    chain hash, and the head UPDATE (so the chain still verifies after a baseline run)."""
    from django.db import connection

    from pracha.audit import chain

    cursor.execute(f"SELECT last_hash, entry_count FROM audit_auditchainhead WHERE id = 1{head_lock}")
    prev_hash, entry_count = cursor.fetchone()
    entry_id = entry_count + 1
    fields = chain.hashed_fields(
        entry_id=entry_id,
        at=now,
        actor_id=actor_id,
        actor_label=actor_label,
        on_behalf_of="",
        action=action,
        target_type=target_type,
        target_id=target_id,
        channel="api",
        client_ip="127.0.0.1",
        payload=payload,
    )
    entry_hash = chain.entry_hash(prev_hash=prev_hash, fields=fields)
    cursor.execute(
        "INSERT INTO audit_auditentry (id, at, actor_id, actor_label, on_behalf_of, action,"
        " target_type, target_id, channel, client_ip, payload, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            entry_id,
            connection.ops.adapt_datetimefield_value(now),
            actor_id,
            actor_label,
            "",
            action,
            target_type,
            target_id,
            "api",
            "127.0.0.1",
            json.dumps(payload),
            prev_hash,
            entry_hash,
        ],
    )
    cursor.execute(
        "UPDATE audit_auditchainhead SET last_hash = %s, entry_count = %s WHERE id = 1",
        [entry_hash, entry_id],
    )


# --- the run -------------------------------------------------------------------------------------------


def parse_levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("give concurrency levels as positive integers, e.g. 1,4,16")
    return levels


def database_description() -> str:
    import sqlite3

    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (file, WAL, synchronous=NORMAL)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
        cursor.execute("SHOW fsync")
        (fsync,) = cursor.fetchone()
        cursor.execute("SHOW synchronous_commit")
        (synchronous_commit,) = cursor.fetchone()
    return f"PostgreSQL {version} (loopback, fsync={fsync}, synchronous_commit={synchronous_commit})"


@dataclass(frozen=True)
class Level:
    concurrency: int
    http: Measurement
    baseline: Measurement


def print_table(levels: Sequence[Level], *, rate_label: str = "HTTP submits/s") -> None:
    print()
    print(
        f"{'concurrency':>11}  {rate_label:>14}  {'p50 ms':>7}  {'p95 ms':>7}  {'HTTP failed':>11}"
        f"  {'baseline sets/s':>15}  {'base failed':>11}  {'HTTP / baseline':>15}"
        f"  {'server CPU ms':>13}  {'client CPU ms':>13}"
    )
    for level in levels:
        http, base = level.http, level.baseline
        share = http.rate / base.rate if base.rate else 0.0
        print(
            f"{level.concurrency:>11}  {http.rate:>14.1f}  {http.percentile_ms(0.5):>7.1f}"
            f"  {http.percentile_ms(0.95):>7.1f}  {sum(http.failures.values()):>11}"
            f"  {base.rate:>15.1f}  {sum(base.failures.values()):>11}  {share:>15.1%}"
            f"  {http.cpu_ms(http.server_cpu):>13.1f}  {http.cpu_ms(http.client_cpu):>13.1f}"
        )
    for level in levels:
        if level.http.failures or level.baseline.failures:
            print(
                f"concurrency {level.concurrency}: HTTP failures: {level.http.failure_text()};"
                f" baseline failures: {level.baseline.failure_text()}"
            )


@contextlib.contextmanager
def bench_database(env: dict[str, str], var_dir: Path) -> Iterator[None]:
    """The database a run works in: SQLite migrated in the var directory, or test_<name> created on the
    PostgreSQL server of DATABASE_URL (and `env` pointed at it for the server processes). On the way
    out the test database is dropped and the var directory removed."""
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    old_config = None
    try:
        if connection.vendor == "sqlite":
            call_command("migrate", verbosity=0)
            call_command("createcachetable", verbosity=0)
        else:
            old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
            env["DATABASE_URL"] = database_url_for(env["DATABASE_URL"], connection.settings_dict["NAME"])
        yield
    finally:
        if old_config is not None:
            connections.close_all()
            teardown_databases(old_config, verbosity=0)
        shutil.rmtree(var_dir, ignore_errors=True)


U = TypeVar("U")


def measure_levels(
    server: Server,
    levels: Sequence[int],
    *,
    http_items: dict[int, list[T]],
    http_work: Callable[[T], str | None],
    baseline_items: dict[int, list[U]],
    baseline_work: Callable[[U], str | None],
) -> list[Level]:
    """At each concurrency level, the HTTP side (with the server's and this process's CPU) and then the
    baseline, one line printed per level as it finishes."""
    from django.db import connections

    results = []
    for level in levels:
        server_cpu, client_cpu = server_cpu_seconds(server), time.process_time()
        http = run_pool(http_items[level], level, http_work)
        http.server_cpu = server_cpu_seconds(server) - server_cpu
        http.client_cpu = time.process_time() - client_cpu
        base = run_pool(baseline_items[level], level, baseline_work, on_thread_exit=connections.close_all)
        results.append(Level(level, http, base))
        print(
            f"concurrency {level:>3}: HTTP {http.rate:8.1f}/s ({http.seconds:.1f} s),"
            f" baseline {base.rate:8.1f}/s ({base.seconds:.1f} s)",
            flush=True,
        )
    print("load average after: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=300, help="submissions per concurrency level")
    parser.add_argument("--concurrency", type=parse_levels, default=[1, 4, 16], help="e.g. 1,4,16")
    parser.add_argument("--baseline", type=int, default=2000, help="baseline row sets per concurrency level")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (2 x cores + 1)"
    )
    args = parser.parse_args()
    levels: list[int] = args.concurrency
    var_dir = configure()

    from django.core.management import call_command

    from pracha.accounts.services import api_token_create
    from pracha.agencies.public import agency_get
    from pracha.applications.models import Application
    from pracha.audit.public import chain_verify
    from pracha.core.references import next_reference

    env = dict(os.environ)
    started = time.perf_counter()
    with bench_database(env, var_dir):
        call_command("seed_demo", stdout=io.StringIO())
        people = citizens()
        tokens = {
            person.pk: api_token_create(actor=person, name="Submission benchmark")[1] for person in people
        }
        warm_up = prepare_drafts(args.workers * 3, people, tokens)
        drafts = {level: prepare_drafts(args.applications, people, tokens) for level in levels}
        year = int(next_reference(BASELINE_PREFIX).split("-")[1])
        baseline = Baseline(agency_id=agency_get(code="bma-bang-rak").pk, year=year)
        targets = {level: baseline.targets(args.baseline, people) for level in levels}
        print(f"database: {database_description()}")
        print(
            f"machine: {os.cpu_count()} CPUs; server: gunicorn, {args.workers} sync workers,"
            f" pracha.settings.dev; per level {args.applications} HTTP submissions and"
            f" {args.baseline} baseline sets; setup {time.perf_counter() - started:.0f} s"
        )
        print("load average before the timed part: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))

        with gunicorn(env, workers=args.workers, log_path=var_dir / "gunicorn.log") as server:
            warmed = run_pool(warm_up, args.workers, lambda draft: http_submit(server.port, draft))
            if warmed.failures:
                print(f"warm-up failures: {warmed.failure_text()}")
            results = measure_levels(
                server,
                levels,
                http_items=drafts,
                http_work=lambda draft: http_submit(server.port, draft),
                baseline_items=targets,
                baseline_work=baseline.submit,
            )
        print_table(results)

        submitted_ids = [draft.public_id for level in levels for draft in drafts[level]]
        submitted = Application.objects.filter(public_id__in=submitted_ids, reference__isnull=False).count()
        succeeded = sum(level.http.succeeded for level in results)
        print(f"\nsubmitted applications in the database: {submitted} (HTTP 2xx answers: {succeeded})")
        report = chain_verify()
        print(
            f"audit chain: {'intact' if report.ok else 'BROKEN: ' + report.problem}, {report.checked} entries"
        )
        print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
