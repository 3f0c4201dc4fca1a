"""Start the bank simulator as a child process and talk to its control API: for the test fixture
`bank_simulator`, the simulator's own tests and the benchmark. Standard library only."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 15


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


class RunningBank:
    """One simulator process. `url` ends with "/"; every method raises AssertionError with the bank's
    answer when the bank refuses, so a test failure says why."""

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
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = state_path.with_suffix(".log")
        self.command = [
            sys.executable, "-m", "simulators.bank",
            "--port", str(self.port),
            "--callback-url", callback_url,
            "--billers", str(billers_path),
            "--state", str(state_path),
            "--retry-base", str(retry_base),
            "--retry-cap", str(retry_cap),
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def start(self) -> "RunningBank":
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
        raise AssertionError(f"the bank simulator did not start:\n{self.log()}")

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

    def _request(self, method: str, path: str, data: bytes | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - always this simulator on loopback
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
