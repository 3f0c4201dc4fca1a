"""E-mail and SMS messages queued and sent per second by the platform, beside the raw send rate to the
same local SMTP server and SMS gateway without the platform, in one run.

The outside world is the same for both: the mail catch-all (simulators/mailbox.py, aiosmtpd, every
message stored in SQLite) and the demo SMS gateway (simulators/sms.py, every message stored in SQLite,
its receipt posted back 0.3 s later), each its own process started with simulators/running.py.

- **raw**: N e-mails (the platform's own subject and body of an "application received" message, in
  Thai) with smtplib, a new connection per message as Django's backend makes one by default, and all
  through one connection; the same N through Django's SMTP backend, one message per `send_messages`
  call (what pracha.notifications.gateways.email_send does); N SMS POSTed straight to the gateway with
  urllib (a new connection each, as the platform's adapter does).
- **platform, one process**: `notify()` for N people who each have a confirmed e-mail address and
  mobile number (an in-app message, an e-mail and an SMS each; one transaction per person, the send
  tasks enqueued in the database queue on commit): people and messages queued per second. Then
  `messages_send_due()` in a loop until every e-mail and SMS is handed over (sent per second), and
  until every SMS's delivery receipt has come back through gunicorn and been recorded (delivered).
- **platform, W db_worker processes**: `notify()` for N more people in this process while W workers
  (the dev profile's database task queue, polling every 50 ms) run the send tasks; the clock stops
  when the last message is handed over, and when the last receipt is recorded.
- the same one-process measurement with the default rate limits (PRACHA_NOTIFY_RATE_LIMITS and the
  per-agency limits, which cap one agency at 20 e-mails and 10 SMS a second); the other platform
  measurements raise them out of the way.

Not timed: migrate, gunicorn's start, the people and their contacts (bulk), warm-up messages through
every path.
After the run the bench checks that every message arrived exactly once at the mail catch-all and the
SMS gateway.

Run: `.venv/bin/python -m bench.notifications [--messages 300] [--workers 2] [--default-limits 100]`.
SQLite unless DATABASE_URL names a PostgreSQL database (the run then works in test_<name> on that
server and drops it at the end).
"""

import argparse
import os
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from bench.submission import bench_database, configure, database_description, gunicorn
from simulators.running import RunningMailbox, RunningSmsGateway

AGENCY_CODE = "bma-bang-rak"
KIND = "application_received"
CONTEXT: dict[str, str | dict[str, str]] = {
    "reference": "APP-2569-000123",
    "service": {"th": "ขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Apply for a food shop permit"},
}
LINK = "/applications/"
RAISED = {"email": 1_000_000, "sms": 1_000_000}
WARM_UP = 5
SEND_TIMEOUT_SECONDS = 600
WORKER_START_TIMEOUT_SECONDS = 60
SWEEP_SECONDS = 5  # how often `serve` enqueues send_due_messages


@dataclass(frozen=True)
class Result:
    label: str
    count: int
    unit: str
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


# --- settings shared by this process and the workers ---------------------------------------------------


def apply_settings(*, smtp_port: int, sms_url: str, site_url: str, raised: bool) -> None:
    from django.conf import settings

    settings.EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.PRACHA_SMS_GATEWAY_URL = sms_url
    settings.PRACHA_SITE_URL = site_url
    if raised:
        settings.PRACHA_NOTIFY_RATE_LIMITS = dict(RAISED)
        settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS = dict(RAISED)


def worker_main(args: argparse.Namespace) -> None:
    """A db_worker with the bench's settings (run as `python -m bench.notifications --worker ...`)."""
    import django

    django.setup()
    apply_settings(smtp_port=args.smtp_port, sms_url=args.sms_url, site_url=args.site_url, raised=True)
    from django.core.management import call_command

    call_command("db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay", "--interval", "0.05")


@contextmanager
def db_workers(
    env: dict[str, str], count: int, log_path: Path, *, smtp_port: int, sms_url: str, site_url: str
) -> Iterator[None]:
    command = [
        sys.executable, "-m", "bench.notifications", "--worker",
        "--smtp-port", str(smtp_port), "--sms-url", sms_url, "--site-url", site_url,
    ]  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    with log_path.open("ab") as log:
        processes = [
            subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
            for _ in range(count)
        ]
        try:
            yield
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


# --- people --------------------------------------------------------------------------------------------


def make_people(count: int, *, series: int) -> list[Any]:
    """People with a confirmed e-mail address and mobile number (bulk: setting the scene is not timed)."""
    from pracha.accounts.public import User
    from pracha.notifications.public import EMAIL, SMS, Contact

    numbers = [f"{series}{index:012d}" for index in range(count)]
    User.objects.bulk_create(User(national_id=number, email=f"p{number}@example.test") for number in numbers)
    people = list(User.objects.filter(national_id__in=numbers).order_by("national_id"))
    Contact.objects.bulk_create(
        contact
        for index, person in enumerate(people)
        for contact in (
            Contact(user=person, channel=EMAIL, address=person.email),
            Contact(user=person, channel=SMS, address=f"+668{series}{index:07d}"),
        )
    )
    return people


def notify_all(people: Sequence[Any], *, dedupe: str) -> list[int]:
    """notify() each person in a transaction of their own; the IDs of the e-mail and SMS messages."""
    from django.db import transaction

    from pracha.notifications.public import INAPP
    from pracha.notifications.services import notify

    ids: list[int] = []
    for person in people:
        with transaction.atomic():
            messages = notify(
                kind=KIND,
                recipient=person,
                agency_code=AGENCY_CODE,
                context=CONTEXT,
                link=LINK,
                dedupe_key=f"{dedupe}:{person.pk}",
            )
        ids += [message.pk for message in messages if message.channel != INAPP]
    return ids


def count_where(ids: list[int], **filters: Any) -> int:
    from pracha.notifications.public import Message

    return Message.objects.filter(pk__in=ids, **filters).count()


def wait_until(
    done: Callable[[], bool], *, timeout: float, what: str, step: Callable[[], Any] | None = None
) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{what}: not done in {timeout} s")
        if step is None or not step():
            time.sleep(0.01)


def problems(ids: list[int]) -> str:
    from pracha.notifications.public import Message

    failed = Message.objects.filter(pk__in=ids, status__in=["failed", "permanently_failed"])
    return "; ".join(f"{m.channel} {m.status}: {m.last_error}" for m in failed[:3])


def pending(ids: list[int]) -> Callable[[], bool]:
    def check() -> bool:
        if count_where(ids, status__in=["failed", "permanently_failed"]):
            raise RuntimeError(f"messages failed: {problems(ids)}")
        return count_where(ids, status__in=["queued", "sending"]) == 0

    return check


def sms_delivered(ids: list[int]) -> Callable[[], bool]:
    def check() -> bool:
        return count_where(ids, channel="sms", status="delivered") == count_where(ids, channel="sms")

    return check


# --- the raw side ----------------------------------------------------------------------------------------


def sample_texts() -> tuple[str, str, str]:
    """The subject and body of the platform's e-mail, and its SMS, as the warm-up made them."""
    from pracha.notifications.public import Message

    email = Message.objects.filter(channel="email", kind=KIND).order_by("pk").first()
    sms = Message.objects.filter(channel="sms", kind=KIND).order_by("pk").first()
    assert email is not None and sms is not None, "the warm-up made messages"
    return email.subject, email.body, sms.body


def email_for(index: int, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Pracha <no-reply@pracha.example>"
    message["To"] = f"raw{index}@example.test"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="pracha.example")
    message.set_content(body)
    return message


def raw_smtp(port: int, count: int, subject: str, body: str, *, reuse: bool) -> Result:
    messages = [email_for(index, subject, body) for index in range(count)]
    started = time.perf_counter()
    if reuse:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for message in messages:
                smtp.send_message(message)
    else:
        for message in messages:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(message)
    label = "smtplib, one connection for all" if reuse else "smtplib, a connection per message"
    return Result(f"raw e-mail: {label}", count, "e-mails", time.perf_counter() - started)


def raw_django(count: int, subject: str, body: str) -> Result:
    from django.core import mail

    messages = [
        mail.EmailMessage(subject, body, "Pracha <no-reply@pracha.example>", [f"django{index}@example.test"])
        for index in range(count)
    ]
    started = time.perf_counter()
    for message in messages:
        connection = mail.get_connection()
        if connection.send_messages([message]) != 1:
            raise RuntimeError("Django's SMTP backend did not send a message")
    return Result(
        "raw e-mail: Django SMTP backend, a message per call", count, "e-mails", time.perf_counter() - started
    )


def raw_sms(gateway: RunningSmsGateway, count: int, text: str, *, series: str) -> Result:
    started = time.perf_counter()
    for index in range(count):
        status, answer = gateway.send(to="+66812345678", text=text, reference=f"raw-{series}-{index}")
        if status != 201:
            raise RuntimeError(f"the SMS gateway answered {status}: {answer}")
    return Result("raw SMS: urllib POST, a connection each", count, "SMS", time.perf_counter() - started)


# --- the platform ----------------------------------------------------------------------------------------


def platform_single(people: Sequence[Any], *, label: str, dedupe: str) -> list[Result]:
    from pracha.notifications.services import messages_send_due

    started = time.perf_counter()
    ids = notify_all(people, dedupe=dedupe)
    queued = time.perf_counter() - started
    started = time.perf_counter()
    wait_until(pending(ids), timeout=SEND_TIMEOUT_SECONDS, what="sending", step=messages_send_due)
    sent = time.perf_counter() - started
    wait_until(sms_delivered(ids), timeout=SEND_TIMEOUT_SECONDS, what="SMS receipts")
    delivered = time.perf_counter() - started
    sms = count_where(ids, channel="sms")
    return [
        Result(f"{label}: notify(), people", len(people), "people", queued),
        Result(f"{label}: e-mail + SMS queued", len(ids), "messages", queued),
        Result(f"{label}: e-mail + SMS sent", len(ids), "messages", sent),
        Result(f"{label}: SMS delivered (receipt in)", sms, "SMS", delivered),
        Result(f"{label}: queued and sent, end to end", len(ids), "messages", queued + sent),
    ]


def platform_workers(
    env: dict[str, str], var_dir: Path, people: Sequence[Any], warm: Sequence[Any], workers: int, **where: Any
) -> list[Result]:
    from django_tasks_db.models import DBTaskResult

    from pracha.notifications.tasks import send_due_messages

    DBTaskResult.objects.all().delete()  # the send tasks of the messages sent in this process already
    with db_workers(env, workers, var_dir / "workers.log", **where):
        warm_ids = notify_all(warm, dedupe="warm-workers")
        wait_until(pending(warm_ids), timeout=WORKER_START_TIMEOUT_SECONDS, what="worker warm-up")
        started = time.perf_counter()
        ids = notify_all(people, dedupe="workers")
        queued = time.perf_counter() - started
        last_sweep = time.perf_counter()

        def sweep() -> None:
            nonlocal last_sweep
            if time.perf_counter() - last_sweep >= SWEEP_SECONDS:
                send_due_messages.enqueue()
                last_sweep = time.perf_counter()

        wait_until(pending(ids), timeout=SEND_TIMEOUT_SECONDS, what="sending by the workers", step=sweep)
        sent = time.perf_counter() - started
        wait_until(sms_delivered(ids), timeout=SEND_TIMEOUT_SECONDS, what="SMS receipts")
        delivered = time.perf_counter() - started
    label = f"platform, {workers} db_workers"
    return [
        Result(f"{label}: notify() as they send, people", len(people), "people", queued),
        Result(f"{label}: SMS delivered (receipt in)", len(ids) // 2, "SMS", delivered),
        Result(f"{label}: queued and sent, end to end", len(ids), "messages", sent),
    ]


def print_table(results: Sequence[Result]) -> None:
    print()
    print(f"{'measurement':<62}  {'count':>6}  {'seconds':>8}  {'per second':>10}  {'ms each':>8}")
    for result in results:
        print(
            f"{result.label:<62}  {result.count:>6}  {result.seconds:>8.2f}  {result.rate:>10.1f}"
            f"  {1000 * result.seconds / result.count if result.count else 0:>8.2f}"
        )


def check_arrivals(mailbox: RunningMailbox, gateway: RunningSmsGateway, *, emails: int, sms: int) -> str:
    mail = mailbox.messages()
    message_ids = [message["message_id"] for message in mail]
    texts = gateway.messages()
    references = [message["reference"] for message in texts]
    return (
        f"mail catch-all: {len(mail)} e-mails (expected {emails}), {len(set(message_ids))} distinct"
        f" Message-IDs; SMS gateway: {len(texts)} SMS (expected {sms}), {len(set(references))} distinct"
        f" references, {sum(message['status'] == 'delivered' for message in texts)} delivered"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=300, help="e-mails and SMS (people) per measurement")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    parser.add_argument(
        "--default-limits", type=int, default=100, help="people sent to with the default limits"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="web processes taking SMS receipts")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sms-url", help=argparse.SUPPRESS)
    parser.add_argument("--site-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    count = args.messages
    var_dir = configure("notifications")

    from django.conf import settings

    defaults = (settings.PRACHA_NOTIFY_RATE_LIMITS, settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS)
    env = dict(os.environ)
    started = time.perf_counter()
    with bench_database(env, var_dir):
        mailbox = RunningMailbox(var_dir / "mailbox" / "mail.sqlite3").start()
        gateway = RunningSmsGateway(var_dir / "sms" / "sms.sqlite3").start()
        try:
            with gunicorn(env, workers=args.gunicorn_workers, log_path=var_dir / "gunicorn.log") as server:
                where: dict[str, Any] = {
                    "smtp_port": mailbox.smtp_port,
                    "sms_url": gateway.url,
                    "site_url": f"http://127.0.0.1:{server.port}",
                }
                apply_settings(**where, raised=True)
                warm = make_people(WARM_UP, series=5)
                single = make_people(count, series=6)
                pooled = make_people(count, series=7)
                warm_pool = make_people(args.workers * WARM_UP, series=4)
                limited = make_people(args.default_limits, series=8)
                print(f"database: {database_description()}")
                print(
                    f"machine: {os.cpu_count()} CPUs; pracha.settings.dev; {count} people (an e-mail and an"
                    f" SMS each) per measurement; setup {time.perf_counter() - started:.0f} s"
                )
                platform_single(warm, label="warm-up", dedupe="warm")
                subject, body, text = sample_texts()
                raw_smtp(mailbox.smtp_port, WARM_UP, subject, body, reuse=False)
                raw_sms(gateway, WARM_UP, text, series="warm")
                print(f"e-mail: {len(body)} characters; SMS: {len(text)} characters")
                print("load average before the timed part: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

                results = [
                    raw_smtp(mailbox.smtp_port, count, subject, body, reuse=False),
                    raw_smtp(mailbox.smtp_port, count, subject, body, reuse=True),
                    raw_django(count, subject, body),
                    raw_sms(gateway, count, text, series="timed"),
                ]
                results += platform_single(single, label="platform, 1 process", dedupe="single")
                results += platform_workers(env, var_dir, pooled, warm_pool, args.workers, **where)
                settings.PRACHA_NOTIFY_RATE_LIMITS, settings.PRACHA_NOTIFY_AGENCY_RATE_LIMITS = defaults
                results += platform_single(limited, label="default limits, 1 process", dedupe="limited")
        finally:
            gateway.stop()
            mailbox.stop()
        print_table(results)
        platform = WARM_UP + 2 * count + args.workers * WARM_UP + args.default_limits
        print(
            "\n"
            + check_arrivals(
                mailbox.start(),
                gateway.start(),
                emails=platform + 3 * count + WARM_UP,
                sms=platform + count + WARM_UP,
            )
        )
        mailbox.stop()
        gateway.stop()
        print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
