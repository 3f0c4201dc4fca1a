"""The demo acquiring bank: a payer's "banking app" that pays PromptPay bill-payment QR codes, and the
bank's side of the bill-payment API that tells the biller (Pracha) about every payment.

    python -m simulators.bank --port 8010 \\
        --callback-url http://127.0.0.1:8000/api/v1/payments/notifications \\
        --billers var/bank-simulator/billers.json --state var/bank-simulator/bank.sqlite3

It runs as its own process, like a real bank, with the standard library only (plus Pracha's pure-Python
PromptPay parser). Every payment is kept in SQLite before its notification is sent, and each
notification is POSTed, signed with HMAC-SHA256 with the biller's secret, until the biller answers 2xx:
a failure or a timeout is retried after retry_base * 2**(attempts - 1) seconds, capped at retry_cap,
for ever, with a fresh timestamp and nonce each time. A restart loses nothing: pending notifications
carry on. The billers file maps each biller ID to {"secret", "name_th", "name_en"}.

Pages: GET / (pay a QR payload, pasted or uploaded; ?payload=...&return=... pre-fills it), POST /review,
POST /confirm, GET /payments/<id>, GET /transactions. JSON for tests and the benchmark:
POST /api/payments, GET /api/payments/<id>, POST /api/payments/<id>/redeliver. GET /statement.csv
(?biller_id=...&date=YYYY-MM-DD: the end-of-day statement) and GET /health. The forms carry no CSRF
token: the simulator listens on loopback and stands in for an app on the payer's own phone.
"""

import argparse
import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import sqlite3
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pracha.payments.promptpay import ParsedPayload, PayloadError, parse
from simulators import common
from simulators.common import BANGKOK, RetryingSender, SqliteStore, post
from simulators.common import escape as _e

PAYER_BANK = "Pracha Demo Bank"
MAX_BODY_BYTES = 256 * 1024
AMOUNT = re.compile(r"(\d{1,10})(?:\.(\d{1,2}))?", re.ASCII)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
TRANSACTION_PATH = re.compile(r"/(?:api/)?payments/(SIM\d{14})(/redeliver)?", re.ASCII)


log = common.logger("bank")


class BankError(Exception):
    """Something the payer must fix; the message is shown as it is (Thai, then English)."""


@dataclass(frozen=True)
class Biller:
    biller_id: str
    secret: str
    name_th: str
    name_en: str


def load_billers(path: Path) -> dict[str, Biller]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {
        biller_id: Biller(
            biller_id=biller_id,
            secret=entry["secret"],
            name_th=entry.get("name_th") or biller_id,
            name_en=entry.get("name_en") or biller_id,
        )
        for biller_id, entry in entries.items()
    }


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The bank's side of the signing contract in docs/payments.md; written here, not imported, so the
    two sides are checked against each other."""
    message = f"{timestamp}.{nonce}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def satang_from_text(text: str) -> int:
    match = AMOUNT.fullmatch(text.strip().replace(",", ""))
    if match is None or int(match[1]) * 100 + int((match[2] or "").ljust(2, "0")) == 0:
        raise BankError(f"จำนวนเงินไม่ถูกต้อง: {text!r} · Not an amount of baht: {text!r}.")
    return int(match[1]) * 100 + int((match[2] or "").ljust(2, "0"))


def amount_text(satang: int) -> str:
    baht, rest = divmod(satang, 100)
    return f"{baht}.{rest:02d}"


def safe_return(url: str) -> str:
    """Only a link back to a page on this machine: the simulator must not become an open redirect."""
    parts = urllib.parse.urlsplit(url)
    return url if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") else ""


@dataclass(frozen=True)
class Job:
    delivery_id: int
    transaction_id: str
    biller_id: str
    body: bytes
    attempts: int


class Store(SqliteStore):
    """Payments and the deliveries of their notifications, in one SQLite file. One connection is shared
    by every thread under a lock; each statement commits on its own."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS payments (
            seq INTEGER PRIMARY KEY,
            transaction_id TEXT NOT NULL UNIQUE,
            biller_id TEXT NOT NULL,
            ref1 TEXT NOT NULL,
            ref2 TEXT NOT NULL,
            amount_satang INTEGER NOT NULL,
            paid_at TEXT NOT NULL,
            paid_date TEXT NOT NULL,
            body BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS deliveries (
            id INTEGER PRIMARY KEY,
            transaction_id TEXT NOT NULL REFERENCES payments (transaction_id),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            in_flight INTEGER NOT NULL DEFAULT 0,
            delivered_at REAL,
            last_attempt_at REAL,
            last_status INTEGER,
            last_error TEXT NOT NULL DEFAULT '',
            last_response TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at) WHERE delivered_at IS NULL;
        CREATE INDEX IF NOT EXISTS payments_statement ON payments (biller_id, paid_date);
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        # A delivery that was being sent when the process stopped is simply due again.
        self._db.execute("UPDATE deliveries SET in_flight = 0 WHERE in_flight = 1")

    def record_payment(
        self, *, biller_id: str, ref1: str, ref2: str, amount_satang: int, paid_at: datetime, deliver: bool
    ) -> str:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM payments").fetchone()[0]
                transaction_id = f"SIM{paid_at:%y%m%d}{seq:08d}"
                body = json.dumps(
                    {
                        "transaction_id": transaction_id,
                        "biller_id": biller_id,
                        "ref1": ref1,
                        "ref2": ref2,
                        "amount": amount_text(amount_satang),
                        "paid_at": paid_at.isoformat(timespec="seconds"),
                        "payer_bank": PAYER_BANK,
                    },
                    ensure_ascii=False,
                    separators=(",", ":"),
                ).encode("utf-8")
                self._db.execute(
                    "INSERT INTO payments (seq, transaction_id, biller_id, ref1, ref2, amount_satang,"
                    " paid_at, paid_date, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        seq,
                        transaction_id,
                        biller_id,
                        ref1,
                        ref2,
                        amount_satang,
                        paid_at.isoformat(timespec="seconds"),
                        paid_at.date().isoformat(),
                        body,
                    ),
                )
                if deliver:
                    self._db.execute(
                        "INSERT INTO deliveries (transaction_id, next_attempt_at) VALUES (?, ?)",
                        (transaction_id, time.time()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return transaction_id

    def queue_delivery(self, transaction_id: str) -> bool:
        with self._lock:
            if self._db.execute(
                "SELECT 1 FROM payments WHERE transaction_id = ?", (transaction_id,)
            ).fetchone():
                self._db.execute(
                    "INSERT INTO deliveries (transaction_id, next_attempt_at) VALUES (?, ?)",
                    (transaction_id, time.time()),
                )
                return True
            return False

    def claim_due(self, now: float) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "SELECT d.id, d.transaction_id, p.biller_id, p.body, d.attempts"
                " FROM deliveries d JOIN payments p USING (transaction_id)"
                " WHERE d.delivered_at IS NULL AND d.in_flight = 0 AND d.next_attempt_at <= ?"
                " ORDER BY d.next_attempt_at, d.id LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE deliveries SET in_flight = 1 WHERE id = ?", (row["id"],))
        return Job(row["id"], row["transaction_id"], row["biller_id"], bytes(row["body"]), row["attempts"])

    def seconds_until_due(self, now: float) -> float | None:
        with self._lock:
            (next_at,) = self._db.execute(
                "SELECT MIN(next_attempt_at) FROM deliveries WHERE delivered_at IS NULL AND in_flight = 0"
            ).fetchone()
        return None if next_at is None else max(0.0, next_at - now)

    def finish_attempt(
        self, job: Job, *, status: int | None, response: str, error: str, retry_at: float | None
    ) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE deliveries SET in_flight = 0, attempts = attempts + 1, last_attempt_at = ?,"
                " last_status = ?, last_response = ?, last_error = ?, delivered_at = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                (now, status, response[:2000], error, None if retry_at else now, retry_at, job.delivery_id),
            )

    def payment(self, transaction_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM payments WHERE transaction_id = ?", (transaction_id,)
            ).fetchone()
            deliveries = self._db.execute(
                "SELECT * FROM deliveries WHERE transaction_id = ? ORDER BY id", (transaction_id,)
            ).fetchall()
        return None if row is None else self._status(row, deliveries)

    def payments(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM payments ORDER BY seq DESC").fetchall()
            deliveries = self._db.execute("SELECT * FROM deliveries ORDER BY id").fetchall()
        by_payment: dict[str, list[sqlite3.Row]] = {}
        for delivery in deliveries:
            by_payment.setdefault(delivery["transaction_id"], []).append(delivery)
        return [self._status(row, by_payment.get(row["transaction_id"], [])) for row in rows]

    def statement(self, biller_id: str, day: date) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(
                "SELECT transaction_id, paid_at, biller_id, ref1, ref2, amount_satang FROM payments"
                " WHERE biller_id = ? AND paid_date = ? ORDER BY paid_at, seq",
                (biller_id, day.isoformat()),
            ).fetchall()

    @staticmethod
    def _status(row: sqlite3.Row, deliveries: list[sqlite3.Row]) -> dict[str, Any]:
        attempted = [d for d in deliveries if d["last_attempt_at"] is not None]
        latest = max(attempted, key=lambda d: d["last_attempt_at"], default=None)
        outcome = None
        for delivery in deliveries:
            if delivery["delivered_at"] is not None:
                try:
                    outcome = json.loads(delivery["last_response"]).get("outcome")
                except (ValueError, AttributeError):
                    outcome = None
        return {
            "transaction_id": row["transaction_id"],
            "biller_id": row["biller_id"],
            "ref1": row["ref1"],
            "ref2": row["ref2"],
            "amount": amount_text(row["amount_satang"]),
            "amount_satang": row["amount_satang"],
            "paid_at": row["paid_at"],
            "delivered": bool(deliveries) and all(d["delivered_at"] is not None for d in deliveries),
            "attempts": sum(d["attempts"] for d in deliveries),
            "last_status": latest["last_status"] if latest else None,
            "last_error": latest["last_error"] if latest else "",
            "outcome": outcome,
            "deliveries": [
                {
                    "attempts": d["attempts"],
                    "delivered": d["delivered_at"] is not None,
                    "last_status": d["last_status"],
                    "last_response": d["last_response"],
                }
                for d in deliveries
            ],
        }


class Bank(RetryingSender[Job]):
    """Takes payments and delivers their notifications from a few sender threads."""

    def __init__(
        self,
        *,
        store: Store,
        billers: dict[str, Biller],
        callback_url: str,
        retry_base: float,
        retry_cap: float,
        senders: int,
    ) -> None:
        super().__init__(
            store, retry_base=retry_base, retry_cap=retry_cap, senders=senders, thread_name="sender"
        )
        self.store = store
        self.billers = billers
        self.callback_url = callback_url

    def check(self, payload: str) -> tuple[ParsedPayload, Biller]:
        """What the banking app does on scanning: read the code and look up the biller."""
        try:
            parsed = parse(payload.strip())
        except PayloadError as error:
            raise BankError(f"รหัส QR ไม่ถูกต้อง · The QR payload is not valid: {error}") from error
        if parsed.kind != "bill_payment":
            raise BankError(
                "รหัส QR นี้เป็นการโอนเงินพร้อมเพย์ ไม่ใช่การชำระบิล · "
                "This QR code is a PromptPay transfer, not a bill payment."
            )
        if parsed.currency != "764":
            raise BankError(f"ชำระได้เฉพาะเงินบาท · Only Thai baht can be paid (currency {parsed.currency}).")
        biller = self.billers.get(parsed.biller_id)
        if biller is None:
            raise BankError(
                f"ไม่พบผู้รับชำระรหัส {parsed.biller_id} · Unknown biller ID {parsed.biller_id}: "
                "this bank has no such biller."
            )
        return parsed, biller

    def pay(
        self,
        payload: str,
        *,
        amount: str | None = None,
        deliver: bool = True,
        paid_at: datetime | None = None,
    ) -> str:
        """Record a payment of a bill-payment QR and queue its notification (unless deliver is false, a
        payment whose notification is lost). `amount` replaces the code's own amount if given."""
        parsed, biller = self.check(payload)
        if amount:
            amount_satang = satang_from_text(amount)
        elif parsed.amount_satang:
            amount_satang = parsed.amount_satang
        else:
            raise BankError("กรุณาระบุจำนวนเงิน · Enter the amount to pay.")
        transaction_id = self.store.record_payment(
            biller_id=biller.biller_id,
            ref1=parsed.ref1,
            ref2=parsed.ref2,
            amount_satang=amount_satang,
            paid_at=(paid_at or datetime.now(BANGKOK)).astimezone(BANGKOK),
            deliver=deliver,
        )
        log(
            f"payment {transaction_id}: {amount_text(amount_satang)} to {biller.biller_id} ref1 {parsed.ref1}"
        )
        self._work.set()
        return transaction_id

    def redeliver(self, transaction_id: str) -> bool:
        queued = self.store.queue_delivery(transaction_id)
        self._work.set()
        return queued

    def _attempt(self, job: Job) -> None:
        timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(24)
        biller = self.billers.get(job.biller_id)
        secret = biller.secret if biller else ""
        request = urllib.request.Request(  # noqa: S310 - the callback URL comes from the command line
            self.callback_url,
            data=job.body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Signature-Timestamp": timestamp,
                "X-Signature-Nonce": nonce,
                "X-Signature": signature(secret, timestamp, nonce, job.body),
            },
        )
        status, response, error = post(request)
        attempts = job.attempts + 1
        if status is not None and 200 <= status < 300:
            self.store.finish_attempt(job, status=status, response=response, error="", retry_at=None)
            log(f"deliver {job.transaction_id} attempt {attempts}: {status}, delivered")
            return
        delay = self.retry_delay(attempts)
        self.store.finish_attempt(
            job, status=status, response=response, error=error, retry_at=time.time() + delay
        )
        log(
            f"deliver {job.transaction_id} attempt {attempts}: {status or error},"
            f" next attempt in {delay:.1f} s"
        )


# --- pages -------------------------------------------------------------------------------------------

STYLE = """
body { font-family: "Sarabun", "Noto Sans Thai", system-ui, sans-serif; margin: 0; color: #1b1b1b;
  background: #f4f6f8; line-height: 1.6; font-size: 1.05rem; }
header { background: #0b4f6c; color: #fff; padding: 0.75rem 1rem; }
header p { margin: 0; }
.brand { font-size: 1.3rem; font-weight: bold; }
main { max-width: 36rem; margin: 0 auto; padding: 1rem; }
label { display: block; font-weight: bold; margin-top: 1rem; }
.en { display: block; font-weight: normal; font-size: 0.9rem; color: #454545; }
textarea, input[type=text] { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem;
  border: 2px solid #555; border-radius: 4px; }
textarea { font-family: ui-monospace, monospace; font-size: 0.9rem; word-break: break-all; }
button, .button { display: inline-block; margin-top: 1.25rem; padding: 0.75rem 1.25rem; font: inherit;
  font-weight: bold; background: #0b4f6c; color: #fff; border: 0; border-radius: 4px; text-decoration: none; }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.error { background: #fdecea; border-left: 6px solid #b3261e; padding: 0.75rem; }
.done { background: #e6f4ea; border-left: 6px solid #1e7e34; padding: 0.75rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: bold; } dd { margin: 0; word-break: break-all; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; background: #fff; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; }
.wide { max-width: none; }
.scroll { overflow-x: auto; }
"""


def page(title: str, body: str, *, wide: bool = False) -> str:
    return common.page(
        title,
        body,
        brand_th="ธนาคารจำลอง",
        brand_en="Demo Bank",
        note_th="ระบบจำลองสำหรับทดสอบ ไม่มีการโอนเงินจริง",
        note_en="A simulator for demos and tests: no real money moves.",
        style=STYLE,
        main_attributes=" class=wide" if wide else "",
    )


def label(for_id: str, thai: str, english: str) -> str:
    return f'<label for="{for_id}">{_e(thai)} <span class="en" lang="en">{_e(english)}</span></label>'


def error_box(message: str) -> str:
    return f'<div class="error" role="alert"><p>{_e(message)}</p></div>' if message else ""


def form_page(*, payload: str = "", return_url: str = "", error: str = "") -> str:
    return page(
        "จ่ายบิล Pay a bill",
        f"""<h1>จ่ายบิลด้วย QR พร้อมเพย์ <span class="en" lang="en">Pay a bill with a PromptPay QR code</span></h1>
{error_box(error)}
<form method="post" action="/review" enctype="multipart/form-data">
{label("payload", "รหัส QR ที่สแกนได้ (ข้อความ)", "QR code payload (text)")}
<textarea id="payload" name="payload" rows="5" spellcheck="false" autocomplete="off">{_e(payload)}</textarea>
{label("payload_file", "หรืออัปโหลดไฟล์ข้อความที่มีรหัส QR", "or upload a text file holding the payload")}
<input type="file" id="payload_file" name="payload_file" accept=".txt,text/plain">
<input type="hidden" name="return" value="{_e(return_url)}">
<button type="submit">ตรวจสอบรายการ · <span lang="en">Review</span></button>
</form>
<p><a href="/transactions">รายการที่ชำระแล้ว · <span lang="en">Payments made</span></a></p>""",
    )


def bill_details(biller: Biller, ref1: str, ref2: str, amount_satang: int | None) -> str:
    amount = f"{amount_satang // 100:,}.{amount_satang % 100:02d} บาท" if amount_satang else ""
    rows = [
        ("ผู้รับชำระ", "Biller", f"{biller.name_th} · {biller.name_en} ({biller.biller_id})"),
        ("เลขอ้างอิง 1", "Reference 1", ref1),
        ("เลขอ้างอิง 2", "Reference 2", ref2 or "-"),
    ]
    if amount:
        rows.append(("จำนวนเงิน", "Amount", amount))
    return (
        "<dl>"
        + "".join(
            f'<dt>{_e(th)} <span class="en" lang="en">{_e(en)}</span></dt><dd>{_e(value)}</dd>'
            for th, en, value in rows
        )
        + "</dl>"
    )


def review_page(
    parsed: ParsedPayload, biller: Biller, *, payload: str, return_url: str, error: str = ""
) -> str:
    amount_field = (
        ""
        if parsed.amount_satang
        else label("amount", "จำนวนเงิน (บาท)", "Amount (baht)")
        + '<input type="text" id="amount" name="amount" inputmode="decimal" required autocomplete="off">'
    )
    back = "/?" + urllib.parse.urlencode({"payload": payload, "return": return_url})
    return page(
        "ตรวจสอบรายการ Review",
        f"""<h1>ตรวจสอบก่อนชำระ <span class="en" lang="en">Check before you pay</span></h1>
{error_box(error)}
{bill_details(biller, parsed.ref1, parsed.ref2, parsed.amount_satang)}
<form method="post" action="/confirm">
<input type="hidden" name="payload" value="{_e(payload)}">
<input type="hidden" name="return" value="{_e(return_url)}">
{amount_field}
<button type="submit">ยืนยันการชำระเงิน · <span lang="en">Confirm payment</span></button>
</form>
<p><a href="{_e(back)}">ยกเลิก · <span lang="en">Cancel</span></a></p>""",
    )


def delivery_text(status: dict[str, Any]) -> str:
    if status["delivered"]:
        return "แจ้งผู้รับชำระแล้ว · delivered"
    if not status["deliveries"]:
        return "ไม่ส่ง · not sent"
    return f"กำลังแจ้ง · waiting (attempts: {status['attempts']})"


def made_page(status: dict[str, Any], biller: Biller, *, return_url: str) -> str:
    back = (
        f'<p><a class="button" href="{_e(return_url)}">กลับไปยังผู้รับชำระ · '
        '<span lang="en">Back to the biller</span></a></p>'
        if return_url
        else ""
    )
    return page(
        "ชำระเงินแล้ว Payment made",
        f"""<h1>ชำระเงินแล้ว <span class="en" lang="en">Payment made</span></h1>
<div class="done" role="status"><p>เลขที่รายการ <span lang="en">Transaction ID</span>:
<strong id="transaction-id">{_e(status["transaction_id"])}</strong></p></div>
{bill_details(biller, status["ref1"], status["ref2"], status["amount_satang"])}
<p>เวลาที่ชำระ <span lang="en">Paid at</span>: {_e(status["paid_at"])}</p>
<p>การแจ้งผู้รับชำระ <span lang="en">Notification to the biller</span>: {_e(delivery_text(status))}</p>
{back}""",
    )


def transactions_page(statuses: list[dict[str, Any]]) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_e(cell)}</td>"
            for cell in (
                status["transaction_id"],
                status["paid_at"],
                status["biller_id"],
                status["ref1"],
                status["ref2"],
                status["amount"],
                delivery_text(status),
                status["attempts"],
                status["last_status"] or status["last_error"] or "-",
            )
        )
        + "</tr>"
        for status in statuses
    )
    headings = "".join(
        f'<th scope="col">{_e(text)}</th>'
        for text in (
            "รายการ Transaction",
            "เวลา Paid at",
            "ผู้รับชำระ Biller",
            "อ้างอิง 1 Ref. 1",
            "อ้างอิง 2 Ref. 2",
            "บาท Amount",
            "การแจ้ง Delivery",
            "ครั้ง Attempts",
            "คำตอบล่าสุด Last response",
        )
    )
    empty = "" if statuses else "<p>ยังไม่มีรายการ · <span lang=en>No payments yet.</span></p>"
    return page(
        "รายการ Transactions",
        f"""<h1>รายการที่ชำระแล้ว <span class="en" lang="en">Payments made</span></h1>
<div class="scroll" role="region" aria-label="รายการ Payments" tabindex="0">
<table><caption>ล่าสุดก่อน · <span lang="en">Newest first</span></caption>
<thead><tr>{headings}</tr></thead><tbody>{rows}</tbody></table></div>{empty}
<p><a href="/">จ่ายบิล · <span lang="en">Pay a bill</span></a></p>""",
        wide=True,
    )


# --- HTTP --------------------------------------------------------------------------------------------


class BankServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], bank: Bank) -> None:
        super().__init__(address, Handler)
        self.bank = bank


class Handler(common.Handler):
    server: BankServer
    server_version = "PrachaDemoBank/1"
    log_name = "bank"
    max_body_bytes = MAX_BODY_BYTES

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Polling for a payment's status would drown the delivery attempts in the log.
        if not (self.command == "GET" and self.path.startswith(("/api/", "/health")) and code == 200):
            super().log_request(code, size)

    # Routing ---------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(
            {
                "/": self._get_form,
                "/health": lambda query: self._text(200, b"ok"),
                "/transactions": self._get_transactions,
                "/statement.csv": self._get_statement,
            }
        )

    def do_POST(self) -> None:
        self._dispatch(
            {"/review": self._post_review, "/confirm": self._post_confirm, "/api/payments": self._api_pay}
        )

    def _dispatch(self, routes: dict[str, Any]) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = {key: values[-1] for key, values in urllib.parse.parse_qs(url.query).items()}
        try:
            if url.path in routes:
                routes[url.path](query)
            elif (match := TRANSACTION_PATH.fullmatch(url.path)) is not None:
                self._transaction(
                    match[1], redeliver=bool(match[2]), api=url.path.startswith("/api/"), query=query
                )
            else:
                self._not_found()
        except BankError as error:
            self._json(400, {"error": str(error)})
        except Exception as error:  # keep serving; say what broke
            log(f"error on {self.command} {self.path}: {error!r}")
            self._text(500, b"Internal error")

    # Pages -------------------------------------------------------------------------------------

    def _get_form(self, query: dict[str, str]) -> None:
        self._html(
            200, form_page(payload=query.get("payload", ""), return_url=safe_return(query.get("return", "")))
        )

    def _post_review(self, query: dict[str, str]) -> None:
        form = self._form()
        payload = (form.get("payload_file") or form.get("payload", "")).strip()
        return_url = safe_return(form.get("return", ""))
        try:
            parsed, biller = self.server.bank.check(payload)
        except BankError as error:
            self._html(400, form_page(payload=payload, return_url=return_url, error=str(error)))
            return
        self._html(200, review_page(parsed, biller, payload=payload, return_url=return_url))

    def _post_confirm(self, query: dict[str, str]) -> None:
        form = self._form()
        payload, return_url = form.get("payload", ""), safe_return(form.get("return", ""))
        try:
            parsed, biller = self.server.bank.check(payload)
        except BankError as error:
            self._html(400, form_page(payload=payload, return_url=return_url, error=str(error)))
            return
        try:
            transaction_id = self.server.bank.pay(payload, amount=form.get("amount") or None)
        except BankError as error:
            self._html(
                400, review_page(parsed, biller, payload=payload, return_url=return_url, error=str(error))
            )
            return
        # Post/redirect/get: reloading the result page must not pay twice.
        location = f"/payments/{transaction_id}" + (
            "?" + urllib.parse.urlencode({"return": return_url}) if return_url else ""
        )
        self._send(303, b"", "text/plain; charset=utf-8", location=location)

    def _get_transactions(self, query: dict[str, str]) -> None:
        self._html(200, transactions_page(self.server.bank.store.payments()))

    def _get_statement(self, query: dict[str, str]) -> None:
        biller_id, day = query.get("biller_id", ""), query.get("date", "")
        if biller_id not in self.server.bank.billers or not ISO_DATE.fullmatch(day):
            raise BankError("Give biller_id (a biller of this bank) and date (YYYY-MM-DD).")
        try:
            statement_date = date.fromisoformat(day)
        except ValueError as error:
            raise BankError(f"Not a date: {day!r}.") from error
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["transaction_id", "paid_at", "biller_id", "ref1", "ref2", "amount"])
        for row in self.server.bank.store.statement(biller_id, statement_date):
            writer.writerow([*list(row)[:5], amount_text(row["amount_satang"])])
        self._send(
            200,
            out.getvalue().encode("utf-8"),
            "text/csv; charset=utf-8",
            disposition=f'attachment; filename="statement-{biller_id}-{day}.csv"',
        )

    def _transaction(self, transaction_id: str, *, redeliver: bool, api: bool, query: dict[str, str]) -> None:
        bank = self.server.bank
        if redeliver:
            if not (api and self.command == "POST"):
                self._text(405, b"Method not allowed")
            elif bank.redeliver(transaction_id):
                self._json(202, {"transaction_id": transaction_id, "queued": True})
            else:
                self._json(404, {"error": f"No payment {transaction_id}."})
            return
        if self.command != "GET":
            self._text(405, b"Method not allowed")
            return
        status = bank.store.payment(transaction_id)
        if status is None:
            self._json(404, {"error": f"No payment {transaction_id}."})
        elif api:
            self._json(200, status)
        else:
            biller = bank.billers.get(status["biller_id"]) or Biller(status["biller_id"], "", "-", "-")
            self._html(200, made_page(status, biller, return_url=safe_return(query.get("return", ""))))

    # JSON API ---------------------------------------------------------------------------------------

    def _api_pay(self, query: dict[str, str]) -> None:
        try:
            data = json.loads(self._body())
        except ValueError as error:
            raise BankError(f"The body is not JSON: {error}") from error
        if not isinstance(data, dict) or not isinstance(data.get("payload"), str):
            raise BankError('Send {"payload": "...", "amount": "300.00" (optional), "deliver": true}.')
        amount, deliver, paid_at = data.get("amount"), data.get("deliver", True), data.get("paid_at")
        if amount is not None and not isinstance(amount, str):
            raise BankError('"amount" must be a string such as "300.00".')
        if not isinstance(deliver, bool):
            raise BankError('"deliver" must be true or false.')
        when = None
        if paid_at is not None:
            try:
                when = datetime.fromisoformat(paid_at)
            except (TypeError, ValueError) as error:
                raise BankError('"paid_at" must be an ISO 8601 time with an offset.') from error
            if when.tzinfo is None:
                raise BankError('"paid_at" must be an ISO 8601 time with an offset.')
        transaction_id = self.server.bank.pay(data["payload"], amount=amount, deliver=deliver, paid_at=when)
        self._json(201, self.server.bank.store.payment(transaction_id))

    # Plumbing ---------------------------------------------------------------------------------------

    def _too_large(self) -> Exception:
        return BankError("The request is too large.")

    def _form(self) -> dict[str, str]:
        body, content_type = self._body(), self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
            )
            fields: dict[str, str] = {}
            for part in message.iter_parts() if message.is_multipart() else []:
                name = part.get_param("name", header="content-disposition")
                content = part.get_payload(decode=True)
                if isinstance(name, str) and isinstance(content, bytes):
                    fields[name] = content.decode("utf-8", "replace")
            return fields
        pairs = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[-1] for key, values in pairs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.bank", description="The demo acquiring bank.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--callback-url", required=True, help="Pracha's payment notification endpoint")
    parser.add_argument("--billers", type=Path, required=True, help='JSON: {"<biller id>": {"secret": ...}}')
    parser.add_argument("--state", type=Path, required=True, help="the SQLite file that keeps payments")
    parser.add_argument("--retry-base", type=float, default=1.0, help="seconds before the first retry")
    parser.add_argument("--retry-cap", type=float, default=60.0, help="longest wait between retries")
    parser.add_argument("--senders", type=int, default=4, help="notifications sent at once")
    args = parser.parse_args(argv)

    store = Store(args.state)
    bank = Bank(
        store=store,
        billers=load_billers(args.billers),
        callback_url=args.callback_url,
        retry_base=args.retry_base,
        retry_cap=args.retry_cap,
        senders=args.senders,
    )
    server = BankServer((args.host, args.port), bank)

    def cleanup() -> None:
        bank.stop()
        store.close()

    bank.start()
    common.serve_until_signalled(
        server,
        log,
        listening=f"listening on http://{args.host}:{args.port}/, notifying {args.callback_url}",
        cleanup=cleanup,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
