"""Fixtures shared by the notifications tests: an agency's system listening for delivery callbacks (a
real HTTP server on loopback)."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Answer:
    """How the agency's system answers one callback: a status, after `delay` seconds, with a
    Location header for a redirect."""

    status: int = 204
    delay: float = 0.0
    location: str = ""


@dataclass
class AgencySystem:
    """A callback receiver on 127.0.0.1: `url` to give as the callback URL, `answers` to give in turn
    (then 204), and what it `received`: each request's path, Host and Authorization headers and JSON
    body."""

    url: str
    port: int
    answers: list[Answer] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


def _handler(system: AgencySystem) -> type[BaseHTTPRequestHandler]:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            system.received.append(
                {
                    "path": self.path,
                    "host": self.headers.get("Host"),
                    "authorization": self.headers.get("Authorization"),
                    "body": json.loads(body),
                }
            )
            answer = system.answers.pop(0) if system.answers else Answer()
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                if answer.location:
                    self.send_header("Location", answer.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the caller gave up waiting and hung up
                pass

        def do_GET(self) -> None:  # where a redirect would lead: it must never be followed
            system.received.append({"path": self.path, "host": self.headers.get("Host"), "method": "GET"})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Receiver


@pytest.fixture
def agency_system() -> Iterator[AgencySystem]:
    """An agency's system on a loopback port (test settings allow callbacks to private addresses)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = int(server.server_address[1])
    system = AgencySystem(url=f"http://127.0.0.1:{port}/pracha-callback", port=port)
    server.RequestHandlerClass = _handler(system)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield system
    server.shutdown()
    server.server_close()
