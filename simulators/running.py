"""Start the simulators (the demo bank, the SMS gateway, the mail catch-all) as child processes and talk
to their control APIs: for the test fixtures `bank_simulator`, `sms_gateway` and `mailbox`, the
simulators' own tests and the benchmarks. Standard library only."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Self, TypeVar

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 15
DEMO_SMS_TOKEN = "demo-only-sms-token"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_billers(path: Path, billers: Mapping[str, Mapping[str, str]]) -> Path:
    """Write the simulator's billers file from settings.PRACHA_BILLERS ({agency code: {"biller_id",
    "secret", "name_th", "name_en"}}); without names, the agency code stands for the biller's name."""
    entries = {
        entry["biller_id"]: {
            "secret": entry["secret"],
            "name_th": entry.get("name_th", code),
            "name_en": entry.get("name_en", code),
        }
        for code, entry in billers.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


class RunningProcess:
    """A simulator as a child process: started with `command`, ready once GET {url}health answers "ok",
    stopped with SIGTERM. Output goes to `log_path` (appended across restarts)."""

    name = "simulator"
    request_timeout = 10.0

    def __init__(self, *, port: int | None, log_path: Path) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self.command: list[str] = []
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        # A fixed argument list; the URLs and paths come from the caller, never from a request.
        self.process = subprocess.Popen(self.command, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self._request("GET", "health")[1] == b"ok":
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the {self.name} did not start:\n{self.log()}")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 seconds; returns the exit code."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return None if self.process is None else self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def _request(
        self, method: str, path: str, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - always this simulator on loopback
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _wait(self, fetch: Callable[[], T], predicate: Callable[[T], bool], timeout: float) -> T:
        deadline = time.monotonic() + timeout
        while True:
            current = fetch()
            if predicate(current):
                return current
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s; last seen: {current!r}\n{self.log()}")
            time.sleep(0.05)


class RunningBank(RunningProcess):
    """One simulator process. `url` ends with "/"; every method raises AssertionError with the bank's
    answer when the bank refuses, so a test failure says why."""

    name = "bank simulator"

    def __init__(
        self,
        *,
        billers_path: Path,
        state_path: Path,
        callback_url: str,
        retry_base: float = 0.2,
        retry_cap: float = 2.0,
        port: int | None = None,
    ) -> None:
        super().__init__(port=port, log_path=state_path.with_suffix(".log"))
        self.command = [
            sys.executable, "-m", "simulators.bank",
            "--port", str(self.port),
            "--callback-url", callback_url,
            "--billers", str(billers_path),
            "--state", str(state_path),
            "--retry-base", str(retry_base),
            "--retry-cap", str(retry_cap),
        ]  # fmt: skip

    # The control API -------------------------------------------------------------------------------

    def pay(
        self, payload: str, amount: str | None = None, deliver: bool = True, paid_at: str | None = None
    ) -> str:
        """Pay a bill-payment QR payload; returns the bank's transaction ID."""
        data: dict[str, Any] = {"payload": payload, "deliver": deliver}
        if amount is not None:
            data["amount"] = amount
        if paid_at is not None:
            data["paid_at"] = paid_at
        status, body = self._request("POST", "api/payments", json.dumps(data).encode())
        assert status == 201, f"the bank refused the payment ({status}): {body.decode()}"
        return str(json.loads(body)["transaction_id"])

    def status(self, transaction_id: str) -> dict[str, Any]:
        status, body = self._request("GET", f"api/payments/{transaction_id}")
        assert status == 200, f"no payment {transaction_id} ({status}): {body.decode()}"
        result: dict[str, Any] = json.loads(body)
        return result

    def redeliver(self, transaction_id: str) -> None:
        status, body = self._request("POST", f"api/payments/{transaction_id}/redeliver", b"")
        assert status == 202, f"redelivery refused ({status}): {body.decode()}"

    def statement(self, biller_id: str, date: str) -> bytes:
        query = urllib.parse.urlencode({"biller_id": biller_id, "date": date})
        status, body = self._request("GET", f"statement.csv?{query}")
        assert status == 200, f"no statement ({status}): {body.decode()}"
        return body

    def wait_delivered(self, transaction_id: str, timeout: float = 15) -> dict[str, Any]:
        """Wait until every notification of the payment has been acknowledged; returns its status."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.status(transaction_id)
            if current["delivered"]:
                return current
            if time.monotonic() > deadline:
                raise AssertionError(f"not delivered in {timeout} s: {current}\n{self.log()}")
            time.sleep(0.05)


class RunningSmsGateway(RunningProcess):
    """The demo SMS gateway (simulators/sms.py) as its own process. Receipts go to each message's own
    callback_url, or to `callback_url` when a message names none ("" = nowhere: the message is still
    marked delivered). Every method raises AssertionError with the gateway's answer when it refuses."""

    name = "SMS gateway simulator"
    request_timeout = 130.0  # slow mode may hold a send for up to two minutes

    def __init__(
        self,
        state_path: Path,
        callback_url: str = "",
        *,
        token: str = DEMO_SMS_TOKEN,
        receipt_delay: float = 0.3,
        port: int | None = None,
    ) -> None:
        super().__init__(port=port, log_path=state_path.with_suffix(".log"))
        self.token = token
        self.command = [
            sys.executable, "-m", "simulators.sms",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--token", token,
            "--state", str(state_path),
            "--receipt-delay", str(receipt_delay),
            "--callback-url", callback_url,
        ]  # fmt: skip

    def send(
        self,
        *,
        to: str,
        text: str,
        reference: str,
        sender: str = "PRACHA",
        callback_url: str = "",
        token: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST api/messages the way a platform does; returns (status, the JSON answer)."""
        data = {
            "to": to,
            "text": text,
            "sender": sender,
            "reference": reference,
            "callback_url": callback_url,
        }
        status, body = self._request(
            "POST",
            "api/messages",
            json.dumps(data).encode(),
            {"Authorization": f"Bearer {self.token if token is None else token}"},
        )
        answer: dict[str, Any] = json.loads(body)
        return status, answer

    def messages(self) -> list[dict[str, Any]]:
        """Every message, newest first: {"id", "to", "sender", "text", "encoding", "parts", "status",
        "reference", "received_at", ...}; status is accepted, then delivered or undeliverable."""
        status, body = self._request("GET", "api/messages")
        assert status == 200, f"no message list ({status}): {body.decode()}"
        result: list[dict[str, Any]] = json.loads(body)
        return result

    def message(self, message_id: str) -> dict[str, Any]:
        status, body = self._request("GET", f"api/messages/{message_id}")
        assert status == 200, f"no message {message_id} ({status}): {body.decode()}"
        result: dict[str, Any] = json.loads(body)
        return result

    def set_mode(self, mode: str, delay_seconds: float = 0.0) -> None:
        """normal; fail (every send answers 503); slow (every send waits delay_seconds first)."""
        data = json.dumps({"mode": mode, "delay_seconds": delay_seconds}).encode()
        status, body = self._request("POST", "api/control", data)
        assert status == 200, f"mode {mode} refused ({status}): {body.decode()}"

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        """Poll the messages until predicate(messages) is true; returns them."""
        return self._wait(self.messages, predicate, timeout)


class RunningMailbox(RunningProcess):
    """The local mail catch-all (simulators/mailbox.py) as its own process: SMTP on `smtp_port`, the page
    and JSON on `url`. stop() then start() again listens on the same ports and keeps the messages."""

    name = "mail catch-all"

    def __init__(self, state_path: Path, *, port: int | None = None, smtp_port: int | None = None) -> None:
        super().__init__(port=port, log_path=state_path.with_suffix(".log"))
        self.smtp_port = smtp_port or free_port()
        self.command = [
            sys.executable, "-m", "simulators.mailbox",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--smtp-port", str(self.smtp_port),
            "--state", str(state_path),
        ]  # fmt: skip

    def messages(self) -> list[dict[str, Any]]:
        """Every message, newest first: {"id", "from", "to": [...], "subject", "text", "html",
        "message_id", "date", "received_at", ...} with the subject and text decoded (a text ends with a
        line break: SMTP ends every message with one)."""
        status, body = self._request("GET", "api/messages")
        assert status == 200, f"no message list ({status}): {body.decode()}"
        result: list[dict[str, Any]] = json.loads(body)
        return result

    def clear(self) -> int:
        """Delete every message; returns how many there were."""
        status, body = self._request("DELETE", "api/messages")
        assert status == 200, f"not cleared ({status}): {body.decode()}"
        return int(json.loads(body)["deleted"])

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        """Poll the messages until predicate(messages) is true; returns them."""
        return self._wait(self.messages, predicate, timeout)
