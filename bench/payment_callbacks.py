"""Bank payment notifications processed per second, beside the raw insert rate of the same rows.

The HTTP side: gunicorn serving the platform (the dev profile, DEBUG off) and client threads playing
the bank: each sends `POST /api/v1/payments/notifications` for one traffic-fine bill, signed with
HMAC-SHA256 the way docs/payments.md describes, and only a 200 answer with outcome "paid" counts. Each
notification goes through the whole path: signature and timestamp checks, the notification row, the bill
locked by Reference 1, the duplicate and amount checks, the payment, the receipt with its number, the
bill and the ticket register marked paid, two audit entries, and the answer.
The baseline, in the same run and at the same concurrency: the same rows written with plain SQL through
the same database settings, one transaction per notification (threads, each with its own connection):
the notification INSERT, the bill read with a row lock, the duplicate check, the ticket read, the payment
INSERT, the receipt counter UPDATE and read back, the receipt INSERT, the bill UPDATE, the ticket read
with a lock and UPDATE, two audit appends (chain head locked), and the notification UPDATE.

Run: `.venv/bin/python -m bench.payment_callbacks [--notifications 300] [--baseline 2000]
[--concurrency 1,4,16] [--workers N]`. SQLite unless DATABASE_URL names a PostgreSQL database (the run
then works in test_<name> on that server and drops it at the end).
"""

import argparse
import datetime
import hashlib
import hmac
import io
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any

from bench.submission import (
    REQUEST_TIMEOUT_SECONDS,
    append_audit_entry,
    bench_database,
    configure,
    database_description,
    gunicorn,
    measure_levels,
    parse_levels,
    print_table,
    run_pool,
)

FINE_SATANG = 50_000
OFFENDER_NATIONAL_ID = "1999900000021"  # a demo citizen
BASELINE_RECEIPTS = "RC-BENCH"  # the baseline's receipt counter: one row, like the agency's series


@dataclass(frozen=True)
class Target:
    """One bill to pay and what the bank says about it."""

    bill_id: int
    ticket_number: str
    ref1: str
    ref2: str


# --- setup ---------------------------------------------------------------------------------------------


def make_tickets(count: int, *, prefix: str) -> list[str]:
    """Unpaid traffic tickets in the register (bulk: setting the scene is not what is measured)."""
    from django.utils import timezone

    from pracha.agencies.public import agency_get
    from pracha.registries.models import TrafficTicket

    police = agency_get(code="rtp")
    now = timezone.now()
    numbers = [f"{prefix}{index:08d}" for index in range(count)]
    TrafficTicket.objects.bulk_create(
        TrafficTicket(
            ticket_number=number,
            plate="1กข1234",
            plate_province="กรุงเทพมหานคร",
            offender_national_id=OFFENDER_NATIONAL_ID,
            offender_name="ทดสอบ ประสิทธิภาพ",
            offence_th="ขับรถเร็วเกินกำหนด",
            offence_en="Speeding",
            place_th="ถนนพระราม 4",
            place_en="Rama IV Road",
            issued_at=now,
            fine_satang=FINE_SATANG,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
            agency=police,
        )
        for number in numbers
    )
    return numbers


def bills_through_services(count: int, *, prefix: str) -> list[Target]:
    """Bills made the way a person's look-up makes them (the HTTP side pays these)."""
    from pracha.payments.public import services

    targets = []
    for number in make_tickets(count, prefix=prefix):
        bill = services.bill_for_traffic_ticket(ticket_number=number, plate="1กข1234")
        targets.append(Target(bill.pk, number, bill.ref1, bill.ref2))
    return targets


def bills_in_bulk(count: int, *, prefix: str) -> list[Target]:
    """Bills for the baseline, written in bulk with references of their own."""
    from django.utils import timezone

    from pracha.agencies.public import agency_get
    from pracha.payments.public import Bill

    police = agency_get(code="rtp")
    rows = [
        Bill(
            reference=f"BEN{prefix}{index:08d}",
            kind=Bill.Kind.TRAFFIC_FINE,
            subject_reference=number,
            agency=police,
            payer_id_number=OFFENDER_NATIONAL_ID,
            payer_name="ทดสอบ ประสิทธิภาพ",
            description_th="ค่าปรับ",
            description_en="Traffic fine",
            lines=[
                {"code": "traffic_fine", "name_th": "ค่าปรับ", "name_en": "Fine", "amount_satang": FINE_SATANG}
            ],
            amount_satang=FINE_SATANG,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
            ref1=f"9{prefix[-2:]}{index:08d}",
            ref2=number,
        )
        for index, number in enumerate(make_tickets(count, prefix=prefix))
    ]
    return [
        Target(bill.pk, bill.subject_reference, bill.ref1, bill.ref2)
        for bill in Bill.objects.bulk_create(rows)
    ]


# --- the HTTP side: the bank -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bank:
    port: int
    biller_id: str
    secret: bytes

    def notify(self, target: Target) -> str | None:
        from pracha.core.money import satang_to_decimal_text

        body = json.dumps(
            {
                "transaction_id": "BENCH" + uuid.uuid4().hex[:20],
                "biller_id": self.biller_id,
                "ref1": target.ref1,
                "ref2": target.ref2,
                "amount": satang_to_decimal_text(FINE_SATANG),
                "paid_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "payer_bank": "BENCHBANK",
            }
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = hmac.new(self.secret, f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()
        connection = HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            connection.request(
                "POST",
                "/api/v1/payments/notifications",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Signature-Timestamp": timestamp,
                    "X-Signature-Nonce": nonce,
                    "X-Signature": signature,
                },
            )
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        try:
            outcome = json.loads(answer).get("outcome") or json.loads(answer).get("code", "")
        except ValueError:
            outcome = ""
        if response.status == 200 and outcome == "paid":
            return None
        return f"HTTP {response.status} {outcome}".strip()


# --- the baseline ----------------------------------------------------------------------------------------


class Baseline:
    """One paid notification's rows, written with plain SQL in one transaction."""

    def __init__(self, *, agency_id: int, biller_id: str) -> None:
        from django.db import connection

        self.agency_id = agency_id
        self.biller_id = biller_id
        self.lock = " FOR UPDATE" if connection.features.has_select_for_update else ""

    def pay(self, target: Target) -> None:
        from django.db import connection, transaction
        from django.utils import timezone

        from pracha.core.money import bahttext
        from pracha.core.thai_dates import buddhist_year

        ops = connection.ops
        now = timezone.now()
        stamp = ops.adapt_datetimefield_value(now)
        transaction_id = "BASE" + uuid.uuid4().hex[:20]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_banknotification (created_at, updated_at, gateway, nonce,"
                " transaction_id, biller_id, ref1, ref2, amount_satang, paid_at, body, outcome)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    stamp, stamp, "simulated-bank", secrets.token_hex(16), transaction_id, self.biller_id,
                    target.ref1, target.ref2, FINE_SATANG, stamp, "{}", "exception",
                ],
            )  # fmt: skip
            notification_id = cursor.lastrowid if connection.vendor == "sqlite" else None
            if notification_id is None:
                cursor.execute("SELECT lastval()")
                (notification_id,) = cursor.fetchone()
            cursor.execute(f"SELECT id, state FROM payments_bill WHERE ref1 = %s{self.lock}", [target.ref1])
            cursor.fetchone()
            cursor.execute("SELECT 1 FROM payments_payment WHERE bank_transaction_id = %s", [transaction_id])
            cursor.fetchone()
            cursor.execute(
                "SELECT paid_at FROM registries_trafficticket WHERE ticket_number = %s",
                [target.ticket_number],
            )
            cursor.fetchone()
            payment_public_id = uuid.uuid4()
            cursor.execute(
                "INSERT INTO payments_payment (created_at, updated_at, public_id, amount_satang, channel,"
                " bank_transaction_id, payer_bank, paid_at, bill_id, recorded_by_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL)",
                [
                    stamp, stamp, _uuid(payment_public_id), FINE_SATANG, "promptpay", transaction_id,
                    "BENCHBANK", stamp, target.bill_id,
                ],
            )  # fmt: skip
            cursor.execute("SELECT id FROM payments_payment WHERE public_id = %s", [_uuid(payment_public_id)])
            (payment_id,) = cursor.fetchone()
            year = buddhist_year(timezone.localdate())
            cursor.execute(
                "UPDATE core_referencecounter SET last_value = last_value + 1"
                " WHERE prefix = %s AND year = %s",
                [BASELINE_RECEIPTS, year],
            )
            cursor.execute(
                "SELECT last_value FROM core_referencecounter WHERE prefix = %s AND year = %s",
                [BASELINE_RECEIPTS, year],
            )
            (value,) = cursor.fetchone()
            receipt_number = f"{BASELINE_RECEIPTS}-{year}-{value:06d}"
            cursor.execute(
                "INSERT INTO payments_receipt (created_at, updated_at, public_id, number, payer_name,"
                " payer_id_number, lines, amount_satang, amount_in_words, channel, issued_at, agency_id,"
                " payment_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    stamp, stamp, _uuid(uuid.uuid4()), receipt_number, "ทดสอบ ประสิทธิภาพ",
                    OFFENDER_NATIONAL_ID,
                    json.dumps([{"code": "traffic_fine", "amount_satang": FINE_SATANG}]), FINE_SATANG,
                    bahttext(FINE_SATANG), "promptpay", stamp, self.agency_id, payment_id,
                ],
            )  # fmt: skip
            cursor.execute(
                "UPDATE payments_bill SET state = %s, paid_at = %s, updated_at = %s WHERE id = %s",
                ["paid", stamp, stamp, target.bill_id],
            )
            cursor.execute(
                f"SELECT id FROM registries_trafficticket WHERE ticket_number = %s{self.lock}",
                [target.ticket_number],
            )
            cursor.fetchone()
            cursor.execute(
                "UPDATE registries_trafficticket SET paid_at = %s, receipt_number = %s, updated_at = %s"
                " WHERE ticket_number = %s",
                [stamp, receipt_number, stamp, target.ticket_number],
            )
            for action, target_type, target_id in (
                ("registries.ticket_paid", "registries.trafficticket", target.ticket_number),
                ("payments.bill_pay", "payments.bill", target.ref1),
            ):
                append_audit_entry(
                    cursor,
                    head_lock=self.lock,
                    now=now,
                    actor_id="",
                    actor_label="system",
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    payload={"receipt_number": receipt_number, "amount_satang": FINE_SATANG},
                )
            cursor.execute(
                "UPDATE payments_banknotification SET outcome = %s, updated_at = %s WHERE id = %s",
                ["paid", stamp, notification_id],
            )


def _uuid(value: uuid.UUID) -> Any:
    """A UUID the way the database column takes it (hex text on SQLite, a uuid on PostgreSQL)."""
    from django.db import connection

    from pracha.payments.public import Payment

    return Payment._meta.get_field("public_id").get_db_prep_value(value, connection)


# --- the run ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notifications", type=int, default=300, help="paid notifications per level")
    parser.add_argument("--concurrency", type=parse_levels, default=[1, 4, 16], help="e.g. 1,4,16")
    parser.add_argument("--baseline", type=int, default=2000, help="baseline row sets per concurrency level")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (2 x cores + 1)"
    )
    args = parser.parse_args()
    levels: list[int] = args.concurrency
    var_dir = configure("payment-callbacks")

    from django.conf import settings
    from django.core.management import call_command

    from pracha.agencies.public import agency_get
    from pracha.audit.public import chain_verify
    from pracha.core.references import next_reference
    from pracha.payments.public import Bill, Payment

    env = dict(os.environ)
    started = time.perf_counter()
    with bench_database(env, var_dir):
        call_command("seed_demo", stdout=io.StringIO())
        biller = settings.PRACHA_BILLERS["rtp"]
        biller_id, secret = biller["biller_id"], biller["secret"].encode()
        warm_up = bills_through_services(args.workers * 3, prefix="TKW")
        http_targets = {
            level: bills_through_services(args.notifications, prefix=f"TKH{level:03d}") for level in levels
        }
        # The receipt counter row exists before the timed part, as the agency's does.
        next_reference(BASELINE_RECEIPTS)
        baseline = Baseline(agency_id=agency_get(code="rtp").pk, biller_id=biller_id)
        base_targets = {level: bills_in_bulk(args.baseline, prefix=f"TKB{level:03d}") for level in levels}
        print(f"database: {database_description()}")
        print(
            f"machine: {os.cpu_count()} CPUs; server: gunicorn, {args.workers} sync workers,"
            f" pracha.settings.dev; per level {args.notifications} notifications and {args.baseline}"
            f" baseline sets; setup {time.perf_counter() - started:.0f} s"
        )
        print("load average before the timed part: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
        with gunicorn(env, workers=args.workers, log_path=var_dir / "gunicorn.log") as server:
            bank = Bank(server.port, biller_id, secret)
            warmed = run_pool(warm_up, args.workers, bank.notify)
            if warmed.failures:
                print(f"warm-up failures: {warmed.failure_text()}")
            results = measure_levels(
                server,
                levels,
                http_items=http_targets,
                http_work=bank.notify,
                baseline_items=base_targets,
                baseline_work=baseline.pay,
            )
        print_table(results, rate_label="callbacks/s")
        paid_ids = [target.bill_id for level in levels for target in http_targets[level]]
        paid = Bill.objects.filter(pk__in=paid_ids, state=Bill.State.PAID).count()
        payments = Payment.objects.filter(bill_id__in=paid_ids).count()
        succeeded = sum(level.http.succeeded for level in results)
        print(f"\nbills paid over HTTP: {paid}, payments: {payments} (answers 'paid': {succeeded})")
        report = chain_verify()
        print(
            f"audit chain: {'intact' if report.ok else 'BROKEN: ' + report.problem}, {report.checked} entries"
        )
        print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
