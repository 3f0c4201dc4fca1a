"""What the simulators (the demo bank, the SMS gateway, the mail catch-all) share: the log line, the
SQLite store's opening, the threads that POST a queued job until the receiver answers 2xx, the page
scaffolding, the HTTP handler's answers and serving until SIGTERM or SIGINT. Standard library only."""

import html
import json
import signal
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, Generic, Protocol, TypeVar

BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")
SEND_TIMEOUT_SECONDS = 5
J = TypeVar("J")
J_co = TypeVar("J_co", covariant=True)


def log(name: str, message: str) -> None:
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


def logger(name: str) -> Callable[[str], None]:
    """log() with the simulator's name before every line: "[bank] stopped"."""

    def log_named(message: str) -> None:
        log(name, message)

    return log_named


class SqliteStore:
    """One SQLite file, created with SCHEMA if new, in WAL mode. One connection is shared by every thread
    under a lock; each statement commits on its own."""

    SCHEMA = ""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(self.SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class JobQueue(Protocol[J_co]):
    def claim_due(self, now: float) -> J_co | None: ...

    def seconds_until_due(self, now: float) -> float | None: ...


class RetryingSender(Generic[J]):
    """A few threads that take the jobs due from `queue` and hand each to _attempt(); a failed attempt
    is due again after retry_delay()."""

    def __init__(
        self, queue: JobQueue[J], *, retry_base: float, retry_cap: float, senders: int, thread_name: str
    ) -> None:
        self._queue = queue
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._stopping = threading.Event()
        self._work = threading.Event()
        self._threads = [
            threading.Thread(target=self._send_loop, name=f"{thread_name}-{n}", daemon=True)
            for n in range(senders)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._work.set()
        for thread in self._threads:
            thread.join(timeout=SEND_TIMEOUT_SECONDS + 1)

    def retry_delay(self, attempts: int) -> float:
        """retry_base * 2**(attempts - 1) seconds, capped at retry_cap."""
        return min(self.retry_cap, self.retry_base * 2 ** min(attempts - 1, 60))

    def _send_loop(self) -> None:
        while not self._stopping.is_set():
            self._work.clear()
            job = self._queue.claim_due(time.time())
            if job is None:
                wait = self._queue.seconds_until_due(time.time())
                self._work.wait(timeout=1.0 if wait is None else min(1.0, max(0.01, wait)))
                continue
            self._attempt(job)

    def _attempt(self, job: J) -> None:
        raise NotImplementedError


def post(request: urllib.request.Request) -> tuple[int | None, str, str]:
    """Send the request; returns (HTTP status or None, the first 4000 bytes of the answer as text, the
    error when no answer came)."""
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, answer.read(4000).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read(4000).decode("utf-8", "replace"), ""
    except (OSError, ValueError) as failure:  # refused, reset, timed out, unreachable
        return None, "", str(failure) or type(failure).__name__


# --- pages -------------------------------------------------------------------------------------------


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def shown_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def page(
    title: str,
    body: str,
    *,
    brand_th: str,
    brand_en: str,
    note_th: str,
    note_en: str,
    style: str,
    main_attributes: str = "",
) -> str:
    """A whole page: the title, then the simulator's name and a note on what it is, then `body`."""
    return (
        '<!doctype html>\n<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · {brand_th} {brand_en}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f'<header><p class="brand">{brand_th} <span lang="en">{brand_en}</span></p>'
        f'<p>{note_th} · <span lang="en">{note_en}</span></p></header>\n'
        f"<main{main_attributes}>\n{body}\n</main>\n</body>\n</html>\n"
    )


# --- HTTP --------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Answers with no caching, and the log lines under the simulator's name. A subclass that reads
    bodies sets max_body_bytes and says what a too large one raises."""

    log_name = "simulator"
    max_body_bytes = 64 * 1024

    def log_message(self, format: str, *args: Any) -> None:
        log(self.log_name, format % args)

    def _too_large(self) -> Exception:
        raise NotImplementedError

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.max_body_bytes:
            raise self._too_large()
        return self.rfile.read(length)

    def _send(
        self, status: int, body: bytes, content_type: str, *, location: str = "", disposition: str = ""
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        if disposition:
            self.send_header("Content-Disposition", disposition)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, body: bytes) -> None:
        self._send(status, body, "text/plain; charset=utf-8")

    def _not_found(self) -> None:
        self._text(404, b"Not found")

    def _html(self, status: int, document: str) -> None:
        self._send(status, document.encode("utf-8"), "text/html; charset=utf-8")

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")


def serve_until_signalled(
    server: ThreadingHTTPServer, log: Callable[[str], None], *, listening: str, cleanup: Callable[[], None]
) -> None:
    """Serve until SIGTERM or SIGINT; then close the server, run cleanup() and log "stopped"."""

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run on the thread serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(listening)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        cleanup()
        log("stopped")
