"""Start the platform the way `make run` does: gunicorn plus the background-task worker, the demo bank
(simulators/bank.py) when PRACHA_BANK_SIMULATOR_URL is set, the demo SMS gateway (simulators/sms.py) when
PRACHA_SMS_GATEWAY_URL is on this machine, and the mail catch-all (simulators/mailbox.py) when
PRACHA_MAIL_CATCHER_URL is set.

Ctrl-C (or SIGTERM) stops every child cleanly: each gets SIGTERM, then SIGKILL if it has not
exited within the grace period.
"""

import signal
import subprocess
import sys
import time
import urllib.parse
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from simulators.running import write_billers

GRACE_SECONDS = 10
NOTIFICATIONS_PATH = "/api/v1/payments/notifications"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def bank_command(*, bind: str) -> list[str]:
    """The demo bank's command line: it listens where PRACHA_BANK_SIMULATOR_URL says, knows every biller
    of PRACHA_BILLERS (written to var/bank-simulator/billers.json) and notifies the web server at
    `bind`, keeping its payments in var/bank-simulator/bank.sqlite3 across restarts."""
    bank = urllib.parse.urlsplit(settings.PRACHA_BANK_SIMULATOR_URL)
    host, _, port = bind.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 - listening everywhere; the bank calls back locally
        host = "127.0.0.1"
    state = settings.VAR_DIR / "bank-simulator"
    billers = write_billers(state / "billers.json", settings.PRACHA_BILLERS)
    return [
        sys.executable, "-m", "simulators.bank",
        "--host", bank.hostname or "127.0.0.1",
        "--port", str(bank.port or 80),
        "--callback-url", f"http://{host}:{port}{NOTIFICATIONS_PATH}",
        "--billers", str(billers),
        "--state", str(state / "bank.sqlite3"),
    ]  # fmt: skip


def sms_gateway_command() -> list[str] | None:
    """The demo SMS gateway's command line when PRACHA_SMS_GATEWAY_URL points at this machine (a real
    provider's URL starts nothing): it listens there, takes PRACHA_SMS_GATEWAY_TOKEN and keeps its
    messages in var/sms-simulator/sms.sqlite3. Each message names its own receipt callback."""
    gateway = urllib.parse.urlsplit(settings.PRACHA_SMS_GATEWAY_URL)
    if gateway.hostname not in LOCAL_HOSTS:
        return None
    return [
        sys.executable, "-m", "simulators.sms",
        "--host", gateway.hostname or "127.0.0.1",
        "--port", str(gateway.port or 80),
        "--token", settings.PRACHA_SMS_GATEWAY_TOKEN,
        "--state", str(settings.VAR_DIR / "sms-simulator" / "sms.sqlite3"),
    ]  # fmt: skip


def _same_host(bind_host: str, site_host: str) -> bool:
    if bind_host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 - listening everywhere reaches any name
        return True
    local = {*LOCAL_HOSTS, "[::1]", "::1"}
    return bind_host == site_host or (bind_host in local and site_host in local)


def sms_receipt_warning(*, bind: str) -> str | None:
    """A warning when the demo SMS gateway runs here but its delivery receipts cannot reach this web
    server: every SMS names PRACHA_SITE_URL as the place to post its receipt, so when `--bind` listens
    on another host or port the receipts never arrive and the messages stay "sent". None when they
    match, or when no demo gateway runs."""
    if sms_gateway_command() is None:
        return None
    site = urllib.parse.urlsplit(settings.PRACHA_SITE_URL)
    site_port = site.port or (443 if site.scheme == "https" else 80)
    bind_host, _, bind_port = bind.rpartition(":")
    if _same_host(bind_host, site.hostname or "") and bind_port == str(site_port):
        return None
    return (
        f"Warning: the demo SMS gateway posts its delivery receipts to PRACHA_SITE_URL "
        f"({settings.PRACHA_SITE_URL}), but the web server listens on {bind}. The receipts will not "
        f"arrive and every SMS will stay “sent”, never “delivered”. Set PRACHA_SITE_URL=http://{bind} "
        f"or run serve with --bind matching PRACHA_SITE_URL."
    )


def mailbox_command() -> list[str] | None:
    """The mail catch-all's command line when PRACHA_MAIL_CATCHER_URL is set: its page where that URL
    says, SMTP on EMAIL_PORT (where Django's SMTP backend sends), the mail in var/mailbox/mail.sqlite3."""
    if not settings.PRACHA_MAIL_CATCHER_URL:
        return None
    catcher = urllib.parse.urlsplit(settings.PRACHA_MAIL_CATCHER_URL)
    return [
        sys.executable, "-m", "simulators.mailbox",
        "--host", catcher.hostname or "127.0.0.1",
        "--port", str(catcher.port or 80),
        "--smtp-port", str(settings.EMAIL_PORT),
        "--state", str(settings.VAR_DIR / "mailbox" / "mail.sqlite3"),
    ]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn), the background-task worker and the demo bank, SMS gateway and mail"
        " catch-all until interrupted."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        commands = {
            "web": [
                python, "-m", "gunicorn", "pracha.wsgi:application",
                "--bind", options["bind"], "--workers", str(options["workers"]),
                "--access-logfile", "-", "--graceful-timeout", str(GRACE_SECONDS - 2),
            ],
            "worker": [
                python, str(settings.BASE_DIR / "manage.py"), "db_worker", "--queue-name", "*", "--no-reload",
            ],
        }  # fmt: skip
        if settings.PRACHA_BANK_SIMULATOR_URL:
            commands["bank"] = bank_command(bind=options["bind"])
        if (sms := sms_gateway_command()) is not None:
            commands["sms"] = sms
        if (mailbox := mailbox_command()) is not None:
            commands["mailbox"] = mailbox
        children = {
            # Fixed argument lists built above, never from user input.
            name: subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603
            for name, command in commands.items()
        }
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            self.style.SUCCESS(f"Pracha is running at http://{options['bind']}/ — Ctrl-C stops it.")
        )
        if "bank" in commands:
            self.stdout.write(f"The demo bank's banking app is at {settings.PRACHA_BANK_SIMULATOR_URL}")
        if "sms" in commands:
            self.stdout.write(
                f"Text messages (SMS) sent go to the demo gateway: {settings.PRACHA_SMS_GATEWAY_URL}"
            )
            if (warning := sms_receipt_warning(bind=options["bind"])) is not None:
                self.stderr.write(self.style.WARNING(warning))
        if "mailbox" in commands:
            self.stdout.write(
                f"E-mail sent lands in the local mail catch-all: {settings.PRACHA_MAIL_CATCHER_URL}"
            )
        exit_code = 0
        # Periodic tasks are enqueued here, once, and run by the worker like any other task.
        periodic = {import_string(path): seconds for path, seconds in settings.PRACHA_PERIODIC_TASKS.items()}
        next_run = dict.fromkeys(periodic, time.monotonic())
        try:
            while not stopping:
                for periodic_task, seconds in periodic.items():
                    if time.monotonic() >= next_run[periodic_task]:
                        periodic_task.enqueue()
                        next_run[periodic_task] = time.monotonic() + seconds
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            f"The {name} process stopped (exit code {child.returncode}); stopping the rest."
                        )
                        exit_code, stopping = 1, True
                time.sleep(0.5)
        finally:
            # Even when enqueueing fails (say, an unmigrated database), no child is left running.
            self._stop_all(list(children.values()))
        self.stdout.write("Pracha stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _stop_all(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
