"""The bank simulator as a real process, against a small HTTP receiver that checks every signature the
way the contract in docs/payments.md says (HMAC-SHA256 over timestamp "." nonce "." body)."""

import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pracha.payments.promptpay import bill_payment_payload, personal_transfer_payload
from simulators.running import RunningBank, free_port, write_billers

BILLER, OTHER_BILLER = "099999000000101", "099999000000200"
SECRETS = {BILLER: "demo-only-secret-bma-bang-rak", OTHER_BILLER: "demo-only-secret-rtp"}
BILLERS = {
    "bma-bang-rak": {"biller_id": BILLER, "secret": SECRETS[BILLER]},
    "rtp": {"biller_id": OTHER_BILLER, "secret": SECRETS[OTHER_BILLER]},
}
PAYLOAD = bill_payment_payload(biller_id=BILLER, ref1="2569000123", ref2="APP2569000123", amount_satang=30000)
ACKNOWLEDGED = json.dumps({"status": "acknowledged", "outcome": "paid"}).encode()


class Receiver:
    """Pracha's callback, reduced to what the bank can observe: answers the next status from `answers`
    (200 once they run out) and records each request with whether its signature verified."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Signature-Timestamp"]
                nonce = self.headers["X-Signature-Nonce"]
                secret = SECRETS[json.loads(body)["biller_id"]]
                expected = hmac.new(
                    secret.encode(), f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256
                ).hexdigest()
                receiver.requests.append(
                    {
                        "path": self.path,
                        "body": body,
                        "timestamp": timestamp,
                        "nonce": nonce,
                        "content_type": self.headers["Content-Type"],
                        "verified": hmac.compare_digest(expected, self.headers["X-Signature"]),
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                answer = ACKNOWLEDGED if status == 200 else b'{"code": "unavailable"}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v1/payments/notifications"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(answers: list[int] | None = None) -> Receiver:
        started.append(Receiver(answers or []))
        return started[-1]

    yield start
    for one in started:
        one.stop()


@pytest.fixture
def bank_for(tmp_path: Path) -> Iterator[Callable[..., RunningBank]]:
    """bank_for(callback_url) -> a running simulator with a fresh state file in tmp_path."""
    running: list[RunningBank] = []
    billers = write_billers(tmp_path / "billers.json", BILLERS)

    def start(callback_url: str, state: str = "bank.sqlite3") -> RunningBank:
        running.append(
            RunningBank(
                billers_path=billers, state_path=tmp_path / state, callback_url=callback_url, retry_base=0.2
            ).start()
        )
        return running[-1]

    yield start
    for bank in running:
        bank.stop()


def http(method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    """(status, headers, text) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def multipart(fields: dict[str, str], files: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ] + [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="qr.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n{value}\r\n"
        for name, value in files.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def form(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urllib.parse.urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


# --- delivery -----------------------------------------------------------------------------------------


def test_notification_is_retried_until_acknowledged_with_a_fresh_signature_each_time(receiver, bank_for):
    callback = receiver([503, 503])
    bank = bank_for(callback.url)

    transaction_id = bank.pay(PAYLOAD)
    status = bank.wait_delivered(transaction_id, timeout=10)

    assert re.fullmatch(r"SIM\d{14}", transaction_id)
    assert (status["attempts"], status["last_status"], status["outcome"]) == (3, 200, "paid")
    assert len(callback.requests) == 3
    assert all(request["verified"] for request in callback.requests)
    assert len({request["nonce"] for request in callback.requests}) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{8,64}", request["nonce"]) for request in callback.requests)
    assert all(abs(int(request["timestamp"]) - time.time()) < 30 for request in callback.requests)
    assert {request["path"] for request in callback.requests} == {"/api/v1/payments/notifications"}
    assert {request["content_type"] for request in callback.requests} == {"application/json; charset=utf-8"}
    # The same notification each time; only the signature headers change.
    assert len({request["body"] for request in callback.requests}) == 1
    notification = json.loads(callback.requests[0]["body"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", notification.pop("paid_at"))
    assert notification == {
        "transaction_id": transaction_id,
        "biller_id": BILLER,
        "ref1": "2569000123",
        "ref2": "APP2569000123",
        "amount": "300.00",
        "payer_bank": "Pracha Demo Bank",
    }


def test_unreachable_biller_is_retried(bank_for):
    bank = bank_for(f"http://127.0.0.1:{free_port()}/api/v1/payments/notifications")  # nobody listens
    transaction_id = bank.pay(PAYLOAD)
    deadline = time.monotonic() + 5
    while bank.status(transaction_id)["attempts"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    status = bank.status(transaction_id)
    assert status["attempts"] >= 2
    assert status["delivered"] is False
    assert status["last_status"] is None
    assert status["last_error"] != ""


def test_redelivery_sends_the_same_notification_with_a_new_nonce(receiver, bank_for):
    callback = receiver()
    bank = bank_for(callback.url)
    transaction_id = bank.pay(PAYLOAD)
    bank.wait_delivered(transaction_id)

    bank.redeliver(transaction_id)
    status = bank.wait_delivered(transaction_id)

    assert [d["attempts"] for d in status["deliveries"]] == [1, 1]
    assert len(callback.requests) == 2
    assert callback.requests[0]["body"] == callback.requests[1]["body"]
    assert callback.requests[0]["nonce"] != callback.requests[1]["nonce"]
    assert all(request["verified"] for request in callback.requests)


def test_a_lost_callback_is_never_sent(receiver, bank_for):
    callback = receiver()
    bank = bank_for(callback.url)
    transaction_id = bank.pay(PAYLOAD, deliver=False)
    time.sleep(0.5)
    status = bank.status(transaction_id)
    assert (status["delivered"], status["attempts"], status["last_status"], status["deliveries"]) == (
        False,
        0,
        None,
        [],
    )
    assert callback.requests == []


def test_pending_delivery_survives_a_restart(receiver, bank_for, tmp_path):
    callback = receiver([503] * 1000)
    bank = bank_for(callback.url)
    transaction_id = bank.pay(PAYLOAD)
    deadline = time.monotonic() + 5
    while not callback.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bank.stop() == 0  # SIGTERM stops it cleanly

    callback.answers.clear()
    restarted = bank_for(callback.url)  # the same state file
    status = restarted.wait_delivered(transaction_id)

    assert status["attempts"] >= 2
    assert status["last_status"] == 200
    assert all(request["verified"] for request in callback.requests)
    assert "stopped" in bank.log()


def test_an_amount_given_replaces_the_codes_own(receiver, bank_for):
    # How tests make a wrong-amount payment: the bank pays what it is told.
    bank = bank_for(receiver().url)
    transaction_id = bank.pay(PAYLOAD, amount="299.50")
    assert bank.status(transaction_id)["amount"] == "299.50"


# --- refusals --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ("not a QR code", "รหัส QR ไม่ถูกต้อง · The QR payload is not valid: "
         "The tag at position 0 of the payload is 'no', not two digits."),
        (PAYLOAD[:-4] + "0000", "รหัส QR ไม่ถูกต้อง · The QR payload is not valid: "
         f"The CRC is 0000, but the payload's contents give {PAYLOAD[-4:]}."),
        (bill_payment_payload(biller_id="099999999999990", ref1="1", amount_satang=100),
         "ไม่พบผู้รับชำระรหัส 099999999999990 · Unknown biller ID 099999999999990: this bank has no such biller."),
        (personal_transfer_payload(mobile="0812345678", amount_satang=100),
         "รหัส QR นี้เป็นการโอนเงินพร้อมเพย์ ไม่ใช่การชำระบิล · "
         "This QR code is a PromptPay transfer, not a bill payment."),
        (bill_payment_payload(biller_id=BILLER, ref1="1"), "กรุณาระบุจำนวนเงิน · Enter the amount to pay."),
    ],
)  # fmt: skip
def test_bad_payloads_are_refused(receiver, bank_for, payload, error):
    bank = bank_for(receiver().url)
    status, _, text = http(
        "POST",
        bank.url + "api/payments",
        json.dumps({"payload": payload}).encode(),
        {"Content-Type": "application/json"},
    )
    assert (status, json.loads(text)) == (400, {"error": error})
    assert http("GET", bank.url + "transactions")[2].count("<tr>") == 1  # the heading row only


def test_redelivering_an_unknown_payment_is_404(receiver, bank_for):
    bank = bank_for(receiver().url)
    status, _, text = http("POST", bank.url + "api/payments/SIM00000000000099/redeliver", b"")
    assert (status, json.loads(text)) == (404, {"error": "No payment SIM00000000000099."})


# --- the statement ---------------------------------------------------------------------------------------


def test_statement_lists_the_billers_payments_of_the_bangkok_day(receiver, bank_for):
    bank = bank_for(receiver().url)
    late = bank.pay(PAYLOAD, deliver=False, paid_at="2026-03-01T23:30:00+07:00")
    # 17:10 UTC on 28 February is 00:10 on 1 March in Bangkok.
    early = bank.pay(PAYLOAD, amount="10.05", deliver=False, paid_at="2026-02-28T17:10:00+00:00")
    bank.pay(PAYLOAD, deliver=False, paid_at="2026-03-02T00:00:00+07:00")  # the next day
    other = bill_payment_payload(
        biller_id=OTHER_BILLER, ref1="TK6900000001", ref2="TK6900000001", amount_satang=50000
    )
    bank.pay(other, deliver=False, paid_at="2026-03-01T12:00:00+07:00")  # another biller

    assert (
        bank.statement(BILLER, "2026-03-01")
        == (
            "transaction_id,paid_at,biller_id,ref1,ref2,amount\r\n"
            f"{early},2026-03-01T00:10:00+07:00,{BILLER},2569000123,APP2569000123,10.05\r\n"
            f"{late},2026-03-01T23:30:00+07:00,{BILLER},2569000123,APP2569000123,300.00\r\n"
        ).encode()
    )
    assert bank.statement(BILLER, "2026-02-28") == b"transaction_id,paid_at,biller_id,ref1,ref2,amount\r\n"


def test_statement_needs_a_known_biller_and_a_date(receiver, bank_for):
    bank = bank_for(receiver().url)
    for query in ("biller_id=099999999999990&date=2026-03-01", f"biller_id={BILLER}&date=2026-13-01", ""):
        status, _, _ = http("GET", bank.url + "statement.csv?" + query)
        assert status == 400


# --- the banking app pages --------------------------------------------------------------------------------


def test_the_form_page_has_labelled_fields_and_prefills(receiver, bank_for):
    bank = bank_for(receiver().url)
    query = urllib.parse.urlencode({"payload": PAYLOAD, "return": "http://localhost:8000/payments/bills/x/"})
    status, headers, text = http("GET", bank.url + "?" + query)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="th">' in text
    assert "<title>" in text
    assert '<label for="payload">' in text
    assert '<textarea id="payload" name="payload"' in text
    assert f'autocomplete="off">{PAYLOAD}</textarea>' in text
    assert '<label for="payload_file">' in text
    assert '<input type="file" id="payload_file" name="payload_file"' in text
    assert '<input type="hidden" name="return" value="http://localhost:8000/payments/bills/x/">' in text
    assert '<button type="submit">' in text


@pytest.mark.parametrize(
    "unsafe", ["https://example.com/", "http://127.0.0.1.example.com/", "javascript:alert(1)", "//evil/"]
)
def test_the_form_page_refuses_a_return_address_off_this_machine(receiver, bank_for, unsafe):
    bank = bank_for(receiver().url)
    _, _, text = http("GET", bank.url + "?" + urllib.parse.urlencode({"return": unsafe}))
    assert '<input type="hidden" name="return" value="">' in text


def test_pay_through_the_pages(receiver, bank_for):
    callback = receiver()
    bank = bank_for(callback.url)
    back = "http://127.0.0.1:8000/payments/bills/1/"

    body, headers = multipart({"payload": "", "return": back}, {"payload_file": PAYLOAD + "\n"})
    status, _, review = http("POST", bank.url + "review", body, headers)
    assert status == 200
    assert "bma-bang-rak · bma-bang-rak (099999000000101)" in review
    assert "<dd>2569000123</dd>" in review and "<dd>APP2569000123</dd>" in review
    assert "<dd>300.00 บาท</dd>" in review
    assert '<label for="amount">' not in review
    assert "Confirm payment" in review

    status, headers, _ = http("POST", bank.url + "confirm", *form({"payload": PAYLOAD, "return": back}))
    assert status == 303
    location = headers["Location"]
    transaction_id = re.fullmatch(r"/payments/(SIM\d{14})\?return=(.+)", location)[1]
    assert bank.wait_delivered(transaction_id)["outcome"] == "paid"

    status, _, made = http("GET", bank.url + location.lstrip("/"))
    assert status == 200
    assert f'<strong id="transaction-id">{transaction_id}</strong>' in made
    assert "Payment made" in made
    assert f'href="{back}"' in made
    assert "delivered" in made

    status, _, listing = http("GET", bank.url + "transactions")
    assert status == 200
    assert f"<td>{transaction_id}</td>" in listing
    assert '<th scope="col">' in listing


def test_a_code_without_an_amount_asks_for_one(receiver, bank_for):
    bank = bank_for(receiver().url)
    static = bill_payment_payload(biller_id=BILLER, ref1="TK6900000001", ref2="TK6900000001")

    status, _, review = http("POST", bank.url + "review", *multipart({"payload": static, "return": ""}, {}))
    assert status == 200
    assert '<label for="amount">' in review
    assert '<input type="text" id="amount" name="amount" inputmode="decimal" required' in review

    status, _, again = http("POST", bank.url + "confirm", *form({"payload": static, "amount": "abc"}))
    assert status == 400
    assert "Not an amount of baht: &#x27;abc&#x27;." in again
    assert 'role="alert"' in again

    status, headers, _ = http("POST", bank.url + "confirm", *form({"payload": static, "amount": "1,500.5"}))
    assert status == 303
    transaction_id = headers["Location"].removeprefix("/payments/")
    assert bank.status(transaction_id)["amount"] == "1500.50"


def test_review_of_a_bad_payload_shows_the_form_again_with_the_reason(receiver, bank_for):
    bank = bank_for(receiver().url)
    status, _, text = http(
        "POST", bank.url + "review", *multipart({"payload": PAYLOAD[:-1], "return": ""}, {})
    )
    assert status == 400
    assert 'role="alert"' in text
    assert "Tag 63 in the payload says it is 4 characters long, but only 3 are left." in text
    assert '<label for="payload">' in text


def test_confirm_must_be_a_post(receiver, bank_for):
    bank = bank_for(receiver().url)
    assert http("GET", bank.url + "confirm?" + urllib.parse.urlencode({"payload": PAYLOAD}))[0] == 404
    assert http("GET", bank.url + "transactions")[2].count("<tr>") == 1


# --- the fixture for tests of the whole platform -------------------------------------------------------


def test_the_bank_simulator_fixture_notifies_the_live_server(bank_simulator, live_server, settings):
    assert bank_simulator.url == settings.PRACHA_BANK_SIMULATOR_URL
    transaction_id = bank_simulator.pay(PAYLOAD, deliver=False, paid_at="2026-03-01T09:00:00+07:00")
    assert bank_simulator.status(transaction_id)["amount"] == "300.00"
    assert bank_simulator.statement(BILLER, "2026-03-01").decode().splitlines()[1].startswith(transaction_id)
    assert f"--callback-url {live_server.url}/api/v1/payments/notifications " in " ".join(
        bank_simulator.command
    )
