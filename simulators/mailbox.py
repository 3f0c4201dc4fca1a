"""The local mail catch-all: an SMTP server that accepts every message for any address and keeps it, and
a page to read what arrived. Nothing is ever relayed.

    python -m simulators.mailbox --host 127.0.0.1 --port 8025 --smtp-port 1025 \\
        --state var/mailbox/mail.sqlite3

SMTP (aiosmtpd) listens on --smtp-port; every message is stored in SQLite as it came (the raw bytes and
the envelope) with its subject and text decoded from whatever charset and transfer encoding it used, so
Thai reads right. HTTP on --port: GET / (the list, newest first), GET /messages/<n> (one message),
GET /messages/<n>.eml (as it came), GET /api/messages (JSON, newest first: [{"id", "from", "to": [...],
"subject", "text", "html", "message_id", "date", "received_at"}]), GET /api/messages/<n>,
DELETE /api/messages (clears), GET /health -> "ok". SIGTERM or SIGINT stops both cleanly.
"""

import argparse
import email
import email.policy
import html
import json
import re
import sqlite3
import sys
import urllib.parse
from datetime import datetime
from email.message import EmailMessage
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from simulators import common
from simulators.common import BANGKOK, SqliteStore, shown_time
from simulators.common import escape as _e

MESSAGE_PATH = re.compile(r"/(api/)?messages/(\d{1,18})(\.eml)?", re.ASCII)
TAG = re.compile(r"<[^>]*>")
NO_SUBJECT = "(ไม่มีเรื่อง · no subject)"


log = common.logger("mailbox")


def decoded(raw: bytes) -> dict[str, str]:
    """Subject, headers and bodies as text, whatever charset and transfer encoding the sender chose."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts: dict[str, str] = {}
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        if body is not None:
            try:
                content = body.get_content()
            except (LookupError, ValueError):  # an unknown charset: show what can be shown
                payload = body.get_payload(decode=True)
                content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            parts[kind] = content if isinstance(content, str) else ""
    # SMTP carries CRLF line ends; the text is shown and compared with plain "\n".
    parts = {kind: content.replace("\r\n", "\n") for kind, content in parts.items()}
    text = parts.get("plain") or html.unescape(TAG.sub("", parts.get("html", "")))

    def header(name: str) -> str:
        # A header folded right after its name ("Subject:\n =?utf-8?b?...?=") parses with a leading space.
        return " ".join(str(message.get(name, "")).split())

    return {
        "subject": header("Subject"),
        "from": header("From"),
        "to": header("To"),
        "date": header("Date"),
        "message_id": header("Message-ID"),
        "text": text,
        "html": parts.get("html", ""),
    }


class Store(SqliteStore):
    SCHEMA = """
        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- a number is never given twice, even after a clear
            envelope_from TEXT NOT NULL,
            envelope_to TEXT NOT NULL,
            header_from TEXT NOT NULL,
            header_to TEXT NOT NULL,
            subject TEXT NOT NULL,
            date TEXT NOT NULL,
            message_id TEXT NOT NULL,
            text TEXT NOT NULL,
            html TEXT NOT NULL,
            raw BLOB NOT NULL,
            received_at TEXT NOT NULL
        );
    """

    def add(self, *, mail_from: str, rcpt_tos: list[str], raw: bytes) -> int:
        parsed = decoded(raw)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO messages (envelope_from, envelope_to, header_from, header_to, subject, date,"
                " message_id, text, html, raw, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    mail_from, json.dumps(rcpt_tos), parsed["from"], parsed["to"], parsed["subject"],
                    parsed["date"], parsed["message_id"], parsed["text"], parsed["html"], raw,
                    datetime.now(BANGKOK).isoformat(timespec="milliseconds"),
                ),
            )  # fmt: skip
        return int(cursor.lastrowid or 0)

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM messages ORDER BY id DESC").fetchall()
        return [self._message(row) for row in rows]

    def message(self, number: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM messages WHERE id = ?", (number,)).fetchone()
        return None if row is None else self._message(row)

    def raw(self, number: int) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT raw FROM messages WHERE id = ?", (number,)).fetchone()
        return None if row is None else bytes(row["raw"])

    def clear(self) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM messages").rowcount

    @staticmethod
    def _message(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "from": row["envelope_from"],
            "to": json.loads(row["envelope_to"]),
            "subject": row["subject"],
            "text": row["text"],
            "html": row["html"],
            "message_id": row["message_id"],
            "date": row["date"],
            "header_from": row["header_from"],
            "header_to": row["header_to"],
            "received_at": row["received_at"],
        }


class Catcher:
    """The aiosmtpd handler: keep every message, accept every recipient."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        number = self.store.add(mail_from=envelope.mail_from or "", rcpt_tos=list(envelope.rcpt_tos), raw=raw)
        log(f"message {number} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}")
        return "250 Message accepted for delivery"


# --- pages -------------------------------------------------------------------------------------------

STYLE = """
body { font-family: "Sarabun", "Noto Sans Thai", system-ui, sans-serif; margin: 0; color: #1b1b1b;
  background: #f4f6f8; line-height: 1.6; font-size: 1.05rem; }
header { background: #0b4f6c; color: #fff; padding: 0.75rem 1rem; }
header p { margin: 0; }
.brand { font-size: 1.3rem; font-weight: bold; }
main { padding: 1rem; max-width: 60rem; }
.en { display: block; font-weight: normal; font-size: 0.9rem; color: #454545; }
th .en, dt .en { color: inherit; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; background: #fff; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.scroll { overflow-x: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: bold; } dd { margin: 0; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #999;
  padding: 0.75rem; font: inherit; }
a { color: #0b4f6c; }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
"""


def page(title: str, body: str) -> str:
    return common.page(
        title,
        body,
        brand_th="กล่องจดหมายจำลอง",
        brand_en="Demo mailbox",
        note_th="อีเมลทุกฉบับที่ระบบส่งมาอยู่ที่นี่ ไม่มีการส่งต่อจริง",
        note_en="Every e-mail the platform sends lands here; nothing is delivered.",
        style=STYLE,
    )


def list_page(messages: list[dict[str, Any]]) -> str:
    headings = "".join(
        f'<th scope="col">{_e(th)} <span class="en" lang="en">{_e(en)}</span></th>'
        for th, en in (("เวลา (กรุงเทพฯ)", "Time (Bangkok)"), ("ถึง", "To"), ("เรื่อง", "Subject"))
    )
    rows = "".join(
        "<tr>"
        f"<td>{_e(shown_time(message['received_at']))}</td>"
        f"<td>{_e(', '.join(message['to']))}</td>"
        f'<td><a href="/messages/{message["id"]}">{_e(message["subject"] or NO_SUBJECT)}</a></td>'
        "</tr>"
        for message in messages
    )
    empty = "" if messages else '<p>ยังไม่มีอีเมล · <span lang="en">No e-mail yet.</span></p>'
    return page(
        "อีเมล E-mail",
        '<h1>อีเมลที่ได้รับ <span class="en" lang="en">E-mail received</span></h1>\n'
        '<p><a href="/">โหลดหน้านี้ใหม่ · <span lang="en">Reload this page</span></a></p>\n'
        '<div class="scroll" role="region" aria-label="อีเมล · E-mail" tabindex="0">\n'
        '<table><caption>ล่าสุดก่อน · <span lang="en">Newest first</span></caption>\n'
        f"<thead><tr>{headings}</tr></thead>\n<tbody>{rows}</tbody></table></div>\n{empty}",
    )


def message_page(message: dict[str, Any]) -> str:
    rows = (
        ("จาก", "From", message["header_from"] or message["from"]),
        ("ถึง", "To", message["header_to"] or ", ".join(message["to"])),
        ("เรื่อง", "Subject", message["subject"]),
        ("วันที่", "Date", message["date"]),
        ("รหัสข้อความ", "Message-ID", message["message_id"]),
        ("ได้รับเมื่อ", "Received", shown_time(message["received_at"])),
    )
    details = "".join(
        f'<dt>{_e(th)} <span class="en" lang="en">{_e(en)}</span></dt><dd>{_e(value)}</dd>'
        for th, en, value in rows
    )
    return page(
        message["subject"] or "อีเมล E-mail",
        f"<h1>{_e(message['subject'] or NO_SUBJECT)}</h1>\n<dl>{details}</dl>\n"
        '<h2>ข้อความ <span class="en" lang="en">Text</span></h2>\n'
        f'<div class="text">{_e(message["text"])}</div>\n'
        f'<p><a href="/messages/{message["id"]}.eml">ต้นฉบับ (.eml) · '
        '<span lang="en">As it came (.eml)</span></a>'
        ' · <a href="/">อีเมลทั้งหมด · <span lang="en">All e-mail</span></a></p>',
    )


# --- HTTP --------------------------------------------------------------------------------------------


class MailboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: Store) -> None:
        super().__init__(address, Handler)
        self.store = store


class Handler(common.Handler):
    server: MailboxServer
    server_version = "PrachaDemoMailbox/1"
    log_name = "mailbox"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if code != 200:
            super().log_request(code, size)

    def do_GET(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        store = self.server.store
        path = urllib.parse.urlsplit(self.path).path
        try:
            if self.command == "DELETE":
                if path == "/api/messages":
                    deleted = store.clear()
                    log(f"cleared {deleted} message(s)")
                    self._json(200, {"deleted": deleted})
                else:
                    self._json(404, {"error": "not_found"})
            elif path == "/health":
                self._text(200, b"ok")
            elif path == "/":
                self._html(200, list_page(store.messages()))
            elif path == "/api/messages":
                self._json(200, store.messages())
            elif (match := MESSAGE_PATH.fullmatch(path)) is not None and not (match[1] and match[3]):
                self._one(int(match[2]), api=bool(match[1]), raw=bool(match[3]))
            else:
                self._not_found()
        except Exception as error:  # keep serving; say what broke
            log(f"error on {self.command} {self.path}: {error!r}")
            self._text(500, b"Internal error")

    def _one(self, number: int, *, api: bool, raw: bool) -> None:
        store = self.server.store
        if raw:
            content = store.raw(number)
            if content is None:
                self._not_found()
            else:
                self._send(200, content, "message/rfc822")
            return
        message = store.message(number)
        if message is None:
            if api:
                self._json(404, {"error": "not_found"})
            else:
                self._html(
                    404, page("ไม่พบ Not found", "<h1>ไม่พบอีเมลนี้ <span lang=en>No such e-mail</span></h1>")
                )
        elif api:
            self._json(200, message)
        else:
            self._html(200, message_page(message))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.mailbox", description="The local mail catch-all."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025, help="the page and the JSON API")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--state", type=Path, required=True, help="the SQLite file that keeps the messages")
    args = parser.parse_args(argv)

    store = Store(args.state)
    controller = Controller(
        Catcher(store), hostname=args.host, port=args.smtp_port, enable_SMTPUTF8=True, ready_timeout=10
    )
    controller.start()
    try:
        server = MailboxServer((args.host, args.port), store)
    except BaseException:
        controller.stop()
        store.close()
        raise

    def cleanup() -> None:
        controller.stop()
        store.close()

    common.serve_until_signalled(
        server,
        log,
        listening=f"SMTP on {args.host}:{args.smtp_port}, messages at http://{args.host}:{args.port}/",
        cleanup=cleanup,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
