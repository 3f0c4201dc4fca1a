"""The demo SMS gateway: an outside provider's HTTP API that takes text messages, "delivers" them and
reports each delivery back to the sender by callback, with a page listing every message it took.

    python -m simulators.sms --host 127.0.0.1 --port 8020 --token demo-only-sms-token \\
        --state var/sms-simulator/sms.sqlite3 --receipt-delay 0.3

It stands for a real provider, so it runs as its own process with the standard library only and does
not import Pracha: it counts a message's encoding and parts itself, the way the phone network does.
Every accepted message is kept in SQLite before the answer is sent. receipt_delay seconds later the
message is delivered (or found undeliverable) and its receipt is POSTed to the message's callback_url
with the same bearer token, retried after 0.2 s, doubling, at most 5 s apart, until the receiver answers
2xx. A restart loses nothing: pending receipts carry on.

The protocol (Pracha's adapter is pracha/notifications/gateways.py):
- POST /api/messages, `Authorization: Bearer <token>`, JSON {"to", "text", "sender", "reference",
  "callback_url"} -> 201 {"id", "parts", "encoding"}; the same reference again -> 200, the same id, and
  nothing is sent again. 400 {"error": "invalid_number", "message"} for a number that is not E.164 or
  starts with +668999990 (the test range of unknown numbers); numbers starting +668999991 are taken and
  then reported undeliverable. 401 for a wrong token; 503 in fail mode.
- Receipt: POST callback_url {"id", "reference", "status": "delivered" | "undeliverable", "at"}.
- Control, no authentication (loopback only): POST /api/control {"mode": "normal" | "fail" | "slow",
  "delay_seconds": 2.0} (fail: every send answers 503; slow: every send waits delay_seconds first);
  GET /api/control; GET /api/messages (newest first); GET /api/messages/<id>; GET / (the page);
  GET /health -> "ok".
"""

import argparse
import hmac
import json
import re
import sqlite3
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from simulators import common
from simulators.common import BANGKOK, RetryingSender, SqliteStore, post, shown_time
from simulators.common import escape as _e

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARACTERS = 1600
MAX_DELAY_SECONDS = 120.0
E164 = re.compile(r"\+[1-9]\d{7,14}", re.ASCII)
REFUSED_PREFIX = "+668999990"
UNDELIVERABLE_PREFIX = "+668999991"
MESSAGE_PATH = re.compile(r"/api/messages/(SMS\d{14})", re.ASCII)
MODES = ("normal", "fail", "slow")

# GSM 03.38: the default alphabet (one septet each) and the extension table (escape + one septet each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€")


log = common.logger("sms")


@dataclass(frozen=True)
class Length:
    encoding: str
    characters: int
    parts: int


def length(text: str) -> Length:
    """GSM-7 when every character is in the default alphabet or its extension (which counts 2): 160 in
    one message, 153 per part of a long one. Anything else is UCS-2, counted in UTF-16 code units (an
    emoji counts 2): 70 in one message, 67 per part. A character that counts 2 is never split between
    two parts."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        encoding, single, per_part = "GSM-7", 160, 153
        sizes = [2 if char in GSM_EXTENSION else 1 for char in text]
    else:
        encoding, single, per_part = "UCS-2", 70, 67
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    parts, room = 1, per_part
    if sum(sizes) > single:
        for size in sizes:
            if size > room:
                parts, room = parts + 1, per_part
            room -= size
    return Length(encoding, sum(sizes), parts)


def now_text() -> str:
    return datetime.now(BANGKOK).isoformat(timespec="milliseconds")


class RequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Job:
    receipt_id: int
    message_id: str
    reference: str
    callback_url: str
    outcome: str
    body: bytes
    attempts: int


class Store(SqliteStore):
    """Messages and their delivery receipts in one SQLite file. One connection is shared by every thread
    under a lock; each statement commits on its own."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS messages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            reference TEXT NOT NULL UNIQUE,
            recipient TEXT NOT NULL,
            sender TEXT NOT NULL,
            text TEXT NOT NULL,
            encoding TEXT NOT NULL,
            parts INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'accepted',
            callback_url TEXT NOT NULL,
            received_at TEXT NOT NULL,
            status_at TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE IF NOT EXISTS receipts (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL REFERENCES messages (id),
            outcome TEXT NOT NULL,
            body BLOB,
            due_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            in_flight INTEGER NOT NULL DEFAULT 0,
            done_at REAL,
            last_status INTEGER,
            last_error TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS receipts_due ON receipts (due_at) WHERE done_at IS NULL;
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        # A receipt that was being posted when the process stopped is simply due again.
        self._db.execute("UPDATE receipts SET in_flight = 0 WHERE in_flight = 1")

    def accept(
        self, *, to: str, sender: str, text: str, reference: str, callback_url: str, receipt_delay: float
    ) -> tuple[dict[str, Any], bool]:
        """Store a message and its receipt-to-be; returns (message, created). A reference seen before
        returns the message it made, and nothing new is stored."""
        size = length(text)
        outcome = "undeliverable" if to.startswith(UNDELIVERABLE_PREFIX) else "delivered"
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT * FROM messages WHERE reference = ?", (reference,)).fetchone()
                if row is not None:
                    self._db.execute("COMMIT")
                    return self._message(row), False
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages").fetchone()[0]
                message_id = f"SMS{seq:014d}"
                self._db.execute(
                    "INSERT INTO messages (seq, id, reference, recipient, sender, text, encoding, parts,"
                    " callback_url, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        seq, message_id, reference, to, sender, text, size.encoding, size.parts,
                        callback_url, now_text(),
                    ),
                )  # fmt: skip
                self._db.execute(
                    "INSERT INTO receipts (message_id, outcome, due_at) VALUES (?, ?, ?)",
                    (message_id, outcome, time.time() + receipt_delay),
                )
                row = self._db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self._message(row), True

    def claim_due(self, now: float) -> Job | None:
        """The next receipt due. Its first claim is the moment of delivery: the message takes its final
        status and the receipt's body is fixed, so every retry sends the same receipt."""
        with self._lock:
            row = self._db.execute(
                "SELECT r.id, r.message_id, r.outcome, r.body, r.attempts, m.reference, m.callback_url"
                " FROM receipts r JOIN messages m ON m.id = r.message_id"
                " WHERE r.done_at IS NULL AND r.in_flight = 0 AND r.due_at <= ?"
                " ORDER BY r.due_at, r.id LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            body = row["body"]
            if body is None:
                at = now_text()
                body = json.dumps(
                    {
                        "id": row["message_id"],
                        "reference": row["reference"],
                        "status": row["outcome"],
                        "at": at,
                    },
                    ensure_ascii=False,
                    separators=(",", ":"),
                ).encode("utf-8")
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "UPDATE messages SET status = ?, status_at = ? WHERE id = ?",
                    (row["outcome"], at, row["message_id"]),
                )
                self._db.execute("UPDATE receipts SET body = ? WHERE id = ?", (body, row["id"]))
                self._db.execute("COMMIT")
            self._db.execute("UPDATE receipts SET in_flight = 1 WHERE id = ?", (row["id"],))
        return Job(
            row["id"], row["message_id"], row["reference"], row["callback_url"], row["outcome"],
            bytes(body), row["attempts"],
        )  # fmt: skip

    def seconds_until_due(self, now: float) -> float | None:
        with self._lock:
            (next_at,) = self._db.execute(
                "SELECT MIN(due_at) FROM receipts WHERE done_at IS NULL AND in_flight = 0"
            ).fetchone()
        return None if next_at is None else max(0.0, next_at - now)

    def finish(self, job: Job, *, status: int | None, error: str, retry_at: float | None) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE receipts SET in_flight = 0, attempts = attempts + ?, last_status = ?,"
                " last_error = ?, done_at = ?, due_at = COALESCE(?, due_at) WHERE id = ?",
                (
                    0 if status is None and not error else 1, status, error[:2000],
                    None if retry_at else now, retry_at, job.receipt_id,
                ),
            )  # fmt: skip

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT m.*, r.attempts AS receipt_attempts, r.done_at AS receipt_done,"
                " r.last_status AS receipt_status FROM messages m"
                " LEFT JOIN receipts r ON r.message_id = m.id ORDER BY m.seq DESC"
            ).fetchall()
        return [self._message(row) for row in rows]

    def message(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT m.*, r.attempts AS receipt_attempts, r.done_at AS receipt_done,"
                " r.last_status AS receipt_status FROM messages m"
                " LEFT JOIN receipts r ON r.message_id = m.id WHERE m.id = ?",
                (message_id,),
            ).fetchone()
        return None if row is None else self._message(row)

    @staticmethod
    def _message(row: sqlite3.Row) -> dict[str, Any]:
        keys = row.keys()
        return {
            "id": row["id"],
            "to": row["recipient"],
            "sender": row["sender"],
            "text": row["text"],
            "encoding": row["encoding"],
            "parts": row["parts"],
            "status": row["status"],
            "reference": row["reference"],
            "received_at": row["received_at"],
            "status_at": row["status_at"],
            "callback_url": row["callback_url"],
            "receipt_attempts": row["receipt_attempts"] if "receipt_attempts" in keys else 0,
            "receipt_sent": row["receipt_done"] is not None if "receipt_done" in keys else False,
            "receipt_last_status": row["receipt_status"] if "receipt_status" in keys else None,
        }


class Gateway(RetryingSender[Job]):
    """Takes messages and posts their receipts from a few sender threads."""

    def __init__(
        self,
        *,
        store: Store,
        token: str,
        receipt_delay: float,
        callback_url: str,
        retry_base: float,
        retry_cap: float,
        senders: int,
    ) -> None:
        super().__init__(
            store, retry_base=retry_base, retry_cap=retry_cap, senders=senders, thread_name="receipts"
        )
        self.store = store
        self.token = token
        self.receipt_delay = receipt_delay
        self.callback_url = callback_url
        self.mode = "normal"
        self.delay_seconds = 0.0

    def set_mode(self, mode: str, delay_seconds: float) -> None:
        self.mode, self.delay_seconds = mode, delay_seconds
        log(f"mode {mode}" + (f", {delay_seconds:g} s per send" if mode == "slow" else ""))

    def authorised(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.token.encode())

    def send(self, data: object) -> tuple[dict[str, Any], bool]:
        if not isinstance(data, dict):
            raise RequestError(400, "invalid_request", "Send a JSON object.")
        to, text = data.get("to"), data.get("text")
        sender, reference = data.get("sender", ""), data.get("reference")
        callback_url = data.get("callback_url") or self.callback_url
        if not isinstance(reference, str) or not reference.strip() or len(reference) > 200:
            raise RequestError(400, "invalid_request", '"reference" must be a string of 1 to 200 characters.')
        if not isinstance(text, str) or not text:
            raise RequestError(400, "invalid_request", '"text" must be a non-empty string.')
        if len(text) > MAX_TEXT_CHARACTERS:
            raise RequestError(
                400, "invalid_request", f'"text" is longer than {MAX_TEXT_CHARACTERS} characters.'
            )
        if not isinstance(sender, str) or len(sender) > 11:
            raise RequestError(400, "invalid_request", '"sender" must be a string of at most 11 characters.')
        if not isinstance(callback_url, str) or (
            callback_url and urllib.parse.urlsplit(callback_url).scheme not in ("http", "https")
        ):
            raise RequestError(400, "invalid_request", '"callback_url" must be an http(s) URL.')
        if not isinstance(to, str) or not E164.fullmatch(to) or to.startswith(REFUSED_PREFIX):
            raise RequestError(
                400, "invalid_number", f"{to!r} is not a mobile number this gateway can deliver to."
            )
        message, created = self.store.accept(
            to=to,
            sender=sender,
            text=text,
            reference=reference,
            callback_url=callback_url,
            receipt_delay=self.receipt_delay,
        )
        if created:
            log(f"accepted {message['id']} to {to}: {message['parts']} {message['encoding']} part(s)")
            self._work.set()
        return message, created

    def _attempt(self, job: Job) -> None:
        if not job.callback_url:
            self.store.finish(job, status=None, error="", retry_at=None)
            log(f"receipt {job.message_id}: {job.outcome}, no callback URL")
            return
        request = urllib.request.Request(  # noqa: S310 - the sender gave the callback URL, http(s) only
            job.callback_url,
            data=job.body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        status, _, error = post(request)
        attempts = job.attempts + 1
        if status is not None and 200 <= status < 300:
            self.store.finish(job, status=status, error="", retry_at=None)
            log(f"receipt {job.message_id} ({job.outcome}) attempt {attempts}: {status}, done")
            return
        delay = self.retry_delay(attempts)
        self.store.finish(job, status=status, error=error or f"HTTP {status}", retry_at=time.time() + delay)
        log(f"receipt {job.message_id} attempt {attempts}: {status or error}, next attempt in {delay:.1f} s")


# --- the page ----------------------------------------------------------------------------------------

STYLE = """
body { font-family: "Sarabun", "Noto Sans Thai", system-ui, sans-serif; margin: 0; color: #1b1b1b;
  background: #f4f6f8; line-height: 1.6; font-size: 1.05rem; }
header { background: #0b4f6c; color: #fff; padding: 0.75rem 1rem; }
header p { margin: 0; }
.brand { font-size: 1.3rem; font-weight: bold; }
main { padding: 1rem; }
.en { display: block; font-weight: normal; font-size: 0.9rem; color: #454545; }
th .en { color: inherit; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; background: #fff; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.text { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 16rem; }
.scroll { overflow-x: auto; }
.mode { background: #fff4e5; border-left: 6px solid #b35c00; padding: 0.5rem 0.75rem; }
a { color: #0b4f6c; }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
"""

STATUS_TEXT = {
    "accepted": "รับแล้ว กำลังส่ง · accepted",
    "delivered": "ส่งถึงแล้ว · delivered",
    "undeliverable": "ส่งไม่ถึง · undeliverable",
}
MODE_TEXT = {
    "fail": "โหมดขัดข้อง: ทุกการส่งได้รับคำตอบ 503 · Fail mode: every send answers 503.",
    "slow": "โหมดช้า: ทุกการส่งรอ {delay:g} วินาที · Slow mode: every send waits {delay:g} s.",
}


def messages_page(messages: list[dict[str, Any]], *, mode: str, delay_seconds: float) -> str:
    headings = "".join(
        f'<th scope="col">{_e(th)} <span class="en" lang="en">{_e(en)}</span></th>'
        for th, en in (
            ("เวลา (กรุงเทพฯ)", "Time (Bangkok)"),
            ("ถึง", "To"),
            ("ผู้ส่ง", "Sender"),
            ("ข้อความ", "Text"),
            ("การเข้ารหัส", "Encoding"),
            ("จำนวนส่วน", "Parts"),
            ("สถานะ", "Status"),
            ("รหัส", "ID"),
        )
    )
    rows = "".join(
        "<tr>"
        f"<td>{_e(shown_time(message['received_at']))}</td>"
        f"<td>{_e(message['to'])}</td>"
        f"<td>{_e(message['sender'])}</td>"
        f'<td class="text">{_e(message["text"])}</td>'
        f"<td>{_e(message['encoding'])}</td>"
        f"<td>{_e(message['parts'])}</td>"
        f"<td>{_e(STATUS_TEXT.get(message['status'], message['status']))}</td>"
        f"<td>{_e(message['id'])}</td>"
        "</tr>"
        for message in messages
    )
    notice = (
        f'<p class="mode" role="status">{_e(MODE_TEXT[mode].format(delay=delay_seconds))}</p>'
        if mode in MODE_TEXT
        else ""
    )
    empty = "" if messages else '<p>ยังไม่มีข้อความ · <span lang="en">No messages yet.</span></p>'
    return common.page(
        "ข้อความ SMS · SMS messages",
        '<h1>ข้อความ SMS ที่ได้รับ <span class="en" lang="en">Text messages received</span></h1>\n'
        f"{notice}"
        '<p><a href="/">โหลดหน้านี้ใหม่ · <span lang="en">Reload this page</span></a></p>\n'
        '<div class="scroll" role="region" aria-label="ข้อความ SMS · Text messages" tabindex="0">\n'
        '<table><caption>ล่าสุดก่อน · <span lang="en">Newest first</span></caption>\n'
        f"<thead><tr>{headings}</tr></thead>\n<tbody>{rows}</tbody></table></div>\n{empty}",
        brand_th="ระบบ SMS จำลอง",
        brand_en="Demo SMS gateway",
        note_th="ระบบจำลองสำหรับทดสอบ ไม่มีการส่ง SMS จริง",
        note_en="A simulator for demos and tests: no real text message is sent.",
        style=STYLE,
    )


# --- HTTP --------------------------------------------------------------------------------------------


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        super().__init__(address, Handler)
        self.gateway = gateway


class Handler(common.Handler):
    server: GatewayServer
    server_version = "PrachaDemoSms/1"
    log_name = "sms"
    max_body_bytes = MAX_BODY_BYTES

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Sends are logged by the gateway; polling the lists would drown them.
        if code not in (200, 201) or self.command not in ("GET", "POST"):
            super().log_request(code, size)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        gateway = self.server.gateway
        path = urllib.parse.urlsplit(self.path).path
        try:
            if self.command == "GET" and path == "/health":
                self._text(200, b"ok")
            elif self.command == "GET" and path == "/":
                document = messages_page(
                    gateway.store.messages(), mode=gateway.mode, delay_seconds=gateway.delay_seconds
                )
                self._html(200, document)
            elif path == "/api/messages" and self.command == "POST":
                self._post_message()
            elif path == "/api/messages":
                self._json(200, gateway.store.messages())
            elif (match := MESSAGE_PATH.fullmatch(path)) is not None and self.command == "GET":
                message = gateway.store.message(match[1])
                if message is None:
                    self._json(404, {"error": "not_found", "message": f"No message {match[1]}."})
                else:
                    self._json(200, message)
            elif path == "/api/control":
                if self.command == "POST":
                    self._post_control()
                self._json(200, {"mode": gateway.mode, "delay_seconds": gateway.delay_seconds})
            else:
                self._json(404, {"error": "not_found", "message": f"No {self.command} {path}."})
        except RequestError as error:
            self._json(error.status, {"error": error.code, "message": error.message})
        except Exception as error:  # keep serving; say what broke
            log(f"error on {self.command} {self.path}: {error!r}")
            self._json(500, {"error": "internal", "message": "Internal error."})

    def _post_message(self) -> None:
        gateway = self.server.gateway
        body = self._body()
        if gateway.mode == "slow":
            time.sleep(gateway.delay_seconds)
        elif gateway.mode == "fail":
            raise RequestError(503, "unavailable", "The gateway is failing on purpose (fail mode).")
        if not gateway.authorised(self.headers.get("Authorization", "")):
            raise RequestError(401, "unauthorized", "A valid bearer token is needed.")
        message, created = gateway.send(self._parse(body))
        self._json(
            201 if created else 200,
            {"id": message["id"], "parts": message["parts"], "encoding": message["encoding"]},
        )

    def _post_control(self) -> None:
        data = self._parse(self._body())
        if not isinstance(data, dict) or data.get("mode") not in MODES:
            raise RequestError(400, "invalid_request", '"mode" must be "normal", "fail" or "slow".')
        delay = data.get("delay_seconds", 0.0)
        if (
            isinstance(delay, bool)
            or not isinstance(delay, int | float)
            or not 0 <= delay <= MAX_DELAY_SECONDS
        ):
            raise RequestError(
                400, "invalid_request", f'"delay_seconds" must be a number from 0 to {MAX_DELAY_SECONDS:g}.'
            )
        self.server.gateway.set_mode(data["mode"], float(delay))

    def _too_large(self) -> Exception:
        return RequestError(413, "too_large", "The request is too large.")

    @staticmethod
    def _parse(body: bytes) -> object:
        try:
            return json.loads(body or b"{}")
        except ValueError as error:
            raise RequestError(400, "invalid_request", f"The body is not JSON: {error}") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.sms", description="The demo SMS gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8020)
    parser.add_argument(
        "--token", default="demo-only-sms-token", help="the bearer token of sends and receipts"
    )
    parser.add_argument("--state", type=Path, required=True, help="the SQLite file that keeps messages")
    parser.add_argument("--receipt-delay", type=float, default=0.3, help="seconds from a send to its receipt")
    parser.add_argument(
        "--callback-url", default="", help="where receipts go when a message names no callback_url"
    )
    parser.add_argument(
        "--retry-base", type=float, default=0.2, help="seconds before a receipt's first retry"
    )
    parser.add_argument("--retry-cap", type=float, default=5.0, help="longest wait between receipt retries")
    parser.add_argument("--senders", type=int, default=4, help="receipts posted at once")
    args = parser.parse_args(argv)

    store = Store(args.state)
    gateway = Gateway(
        store=store,
        token=args.token,
        receipt_delay=args.receipt_delay,
        callback_url=args.callback_url,
        retry_base=args.retry_base,
        retry_cap=args.retry_cap,
        senders=args.senders,
    )
    server = GatewayServer((args.host, args.port), gateway)

    def cleanup() -> None:
        gateway.stop()
        store.close()

    gateway.start()
    common.serve_until_signalled(
        server, log, listening=f"listening on http://{args.host}:{args.port}/", cleanup=cleanup
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
