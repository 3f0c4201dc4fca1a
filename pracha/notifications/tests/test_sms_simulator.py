"""The demo SMS gateway (simulators/sms.py) as a real process, against a small HTTP receiver standing in
for Pracha's receipt endpoint: the protocol of the shared brief, receipts with retries, the modes, a
restart, and the page."""

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from simulators.running import RunningSmsGateway

TOKEN = "demo-only-sms-token"
THAI = "คำขอ APP-2569-000123 ได้รับแล้ว ดูที่ pracha.example"
ISO_BANGKOK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00")


class Receiver:
    """Pracha's receipt endpoint, reduced to what the gateway can observe: answers the next status from
    `answers` (204 once they run out) and records each request."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers["Authorization"],
                        "content_type": self.headers["Content-Type"],
                        "body": body,
                        "at": time.monotonic(),
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v1/notifications/sms-receipts"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def receipts(self) -> list[dict[str, Any]]:
        return [json.loads(request["body"]) for request in self.requests]

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} of {count} receipts arrived"
            time.sleep(0.02)
        return self.requests

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
def gateway_for(tmp_path: Path) -> Iterator[Callable[..., RunningSmsGateway]]:
    """gateway_for(receipt_delay=0.3) -> a running gateway with a fresh state file in tmp_path."""
    running: list[RunningSmsGateway] = []

    def start(receipt_delay: float = 0.3, state: str = "sms.sqlite3") -> RunningSmsGateway:
        running.append(RunningSmsGateway(tmp_path / state, receipt_delay=receipt_delay).start())
        return running[-1]

    yield start
    for gateway in running:
        gateway.stop()


@pytest.fixture(scope="module")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSmsGateway]:
    """One gateway for the tests that only send and read (every reference is new)."""
    gateway = RunningSmsGateway(tmp_path_factory.mktemp("sms") / "sms.sqlite3").start()
    yield gateway
    gateway.stop()


def http(method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def references() -> Iterator[str]:
    number = 0
    while True:
        number += 1
        yield f"ref-{time.monotonic_ns()}-{number}"


REFERENCES = references()


# --- sending ---------------------------------------------------------------------------------------------


def test_a_message_is_accepted_once_per_reference(sms_gateway):
    status, answer = sms_gateway.send(to="+66812345678", text=THAI, reference="msg-1")
    assert (status, answer) == (201, {"id": "SMS00000000000001", "parts": 1, "encoding": "UCS-2"})

    again = sms_gateway.send(to="+66812345678", text="another text", reference="msg-1")
    assert again == (200, {"id": "SMS00000000000001", "parts": 1, "encoding": "UCS-2"})

    second = sms_gateway.send(to="+66812345678", text="Your code is 123456", reference="msg-2")
    assert second == (201, {"id": "SMS00000000000002", "parts": 1, "encoding": "GSM-7"})

    messages = sms_gateway.messages()
    assert [message["id"] for message in messages] == ["SMS00000000000002", "SMS00000000000001"]
    first = messages[1]
    assert ISO_BANGKOK.fullmatch(first.pop("received_at"))
    assert {key: first[key] for key in ("to", "sender", "text", "encoding", "parts", "reference")} == {
        "to": "+66812345678",
        "sender": "PRACHA",
        "text": THAI,
        "encoding": "UCS-2",
        "parts": 1,
        "reference": "msg-1",
    }
    assert first["status"] in ("accepted", "delivered")
    assert sms_gateway.message("SMS00000000000001")["text"] == THAI
    assert sms_gateway.url.endswith("/")


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("Pay @ £5, ¿ñ? Ä_Ω\n", "GSM-7", 1),
        ("€" * 80, "GSM-7", 1),  # an extension character counts 2
        ("€" * 81, "GSM-7", 2),
        ("a" * 158 + "{", "GSM-7", 1),
        ("a" * 159 + "[", "GSM-7", 2),
        ("ก" * 70, "UCS-2", 1),
        ("ก" * 71, "UCS-2", 2),
        ("ก" * 134, "UCS-2", 2),
        ("ก" * 135, "UCS-2", 3),
        ("a" * 69 + "ก", "UCS-2", 1),  # one Thai character makes the whole message UCS-2
        ("a" * 70 + "ก", "UCS-2", 2),
        ("😀" * 35, "UCS-2", 1),  # outside the BMP: two UTF-16 code units each
        ("😀" * 36, "UCS-2", 2),
        ("ç", "UCS-2", 1),  # not in the GSM alphabet (only Ç is)
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),  # an escape and its character stay in one part
        ("ก" * 66 + "😀" + "ก" * 66, "UCS-2", 3),  # so does a surrogate pair
    ],
)
def test_encoding_and_parts_are_counted_as_the_phone_does(shared_gateway, text, encoding, parts):
    status, answer = shared_gateway.send(to="+66812345678", text=text, reference=next(REFERENCES))
    assert status == 201
    assert (answer["encoding"], answer["parts"]) == (encoding, parts)


def test_a_long_thai_message_in_three_parts(shared_gateway):
    text = "เรียน คุณสมชาย ใจดี คำขออนุญาตจัดตั้งสถานที่จำหน่ายอาหาร เลขที่ APP-2569-000123 " * 2
    assert len(text) == 160
    status, answer = shared_gateway.send(to="+66812345678", text=text, reference=next(REFERENCES))
    assert (status, answer["encoding"], answer["parts"]) == (201, "UCS-2", 3)


@pytest.mark.parametrize(
    "to",
    [
        "+66899999012",  # the test range of unknown numbers
        "+668999990",
        "0812345678",
        "66812345678",
        "+0812345678",
        "+6681234",  # too short: 7 digits
        "+6681234567890123",  # too long: 16 digits
        "+66 81 234 5678",
        "",
        None,
        66812345678,
    ],
)
def test_invalid_numbers_are_refused_and_nothing_is_kept(shared_gateway, to):
    before = len(shared_gateway.messages())
    status, body = shared_gateway._request(
        "POST",
        "api/messages",
        json.dumps({"to": to, "text": "hello", "sender": "PRACHA", "reference": next(REFERENCES)}).encode(),
        {"Authorization": f"Bearer {TOKEN}"},
    )
    answer = json.loads(body)
    assert (status, answer["error"]) == (400, "invalid_number")
    assert answer["message"] == f"{to!r} is not a mobile number this gateway can deliver to."
    assert len(shared_gateway.messages()) == before


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_a_send_without_the_token_is_401(shared_gateway, authorization):
    headers = {"Content-Type": "application/json"} | (
        {"Authorization": authorization} if authorization else {}
    )
    data = {"to": "+66812345678", "text": "hi", "sender": "PRACHA", "reference": next(REFERENCES)}
    status, _, text = http("POST", shared_gateway.url + "api/messages", json.dumps(data).encode(), headers)
    assert (status, json.loads(text)["error"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "+66812345678", "text": "hi"}, '"reference" must be a string of 1 to 200 characters.'),
        ({"to": "+66812345678", "text": "", "reference": "r"}, '"text" must be a non-empty string.'),
        (
            {"to": "+66812345678", "text": "hi", "reference": "r", "callback_url": "ftp://x/"},
            '"callback_url" must be an http(s) URL.',
        ),
        (
            {"to": "+66812345678", "text": "hi", "reference": "r", "sender": "A-VERY-LONG-NAME"},
            '"sender" must be a string of at most 11 characters.',
        ),
    ],
)
def test_malformed_sends_are_400(shared_gateway, data, message):
    status, body = shared_gateway._request(
        "POST", "api/messages", json.dumps(data).encode(), {"Authorization": f"Bearer {TOKEN}"}
    )
    assert (status, json.loads(body)) == (400, {"error": "invalid_request", "message": message})


def test_an_unknown_message_is_404(shared_gateway):
    status, body = shared_gateway._request("GET", "api/messages/SMS00000099999999")
    assert (status, json.loads(body)["error"]) == (404, "not_found")
    assert shared_gateway._request("GET", "health") == (200, b"ok")


# --- receipts --------------------------------------------------------------------------------------------


def test_the_receipt_is_posted_with_the_token_and_retried_until_2xx(receiver, gateway_for):
    callback = receiver([500, 503])
    gateway = gateway_for(receipt_delay=0.1)
    sent = time.monotonic()
    status, answer = gateway.send(
        to="+66812345678", text=THAI, reference="pracha-msg-1", callback_url=callback.url
    )
    assert status == 201

    requests = callback.wait_for(3)
    messages = gateway.wait_for(lambda messages: messages[0]["receipt_sent"])

    assert len(requests) == 3
    assert {request["authorization"] for request in requests} == {f"Bearer {TOKEN}"}
    assert {request["path"] for request in requests} == {"/api/v1/notifications/sms-receipts"}
    assert {request["content_type"] for request in requests} == {"application/json; charset=utf-8"}
    assert len({request["body"] for request in requests}) == 1  # the same receipt each time
    receipt = callback.receipts()[0]
    assert ISO_BANGKOK.fullmatch(receipt.pop("at"))
    assert receipt == {"id": answer["id"], "reference": "pracha-msg-1", "status": "delivered"}
    # 0.1 s receipt delay, then retries 0.2 s and 0.4 s after the failures.
    gaps = [
        requests[0]["at"] - sent,
        requests[1]["at"] - requests[0]["at"],
        requests[2]["at"] - requests[1]["at"],
    ]
    assert gaps[0] >= 0.1 and 0.2 <= gaps[1] < 2.0 and 0.4 <= gaps[2] < 2.5, gaps
    message = messages[0]
    assert (message["status"], message["receipt_attempts"], message["receipt_last_status"]) == (
        "delivered",
        3,
        204,
    )
    assert message["status_at"] == json.loads(requests[0]["body"])["at"]
    time.sleep(0.3)
    assert len(callback.requests) == 3  # nothing more once acknowledged


def test_a_number_in_the_undeliverable_range_is_accepted_then_reported_undeliverable(receiver, gateway_for):
    callback = receiver()
    gateway = gateway_for(receipt_delay=0.05)
    status, answer = gateway.send(
        to="+66899999123", text="hello", reference="pracha-msg-2", callback_url=callback.url
    )
    assert status == 201

    callback.wait_for(1)
    receipt = callback.receipts()[0]
    assert (receipt["id"], receipt["reference"], receipt["status"]) == (
        answer["id"],
        "pracha-msg-2",
        "undeliverable",
    )
    assert gateway.wait_for(lambda messages: messages[0]["receipt_sent"])[0]["status"] == "undeliverable"


def test_a_message_without_a_callback_is_still_delivered(gateway_for):
    gateway = gateway_for(receipt_delay=0.05)
    gateway.send(to="+66812345678", text="hello", reference="r-1")
    messages = gateway.wait_for(lambda messages: messages[0]["status"] != "accepted")
    assert (messages[0]["status"], messages[0]["receipt_attempts"]) == ("delivered", 0)


def test_the_repeated_reference_posts_no_second_receipt(receiver, gateway_for):
    callback = receiver()
    gateway = gateway_for(receipt_delay=0.05)
    for _ in range(3):
        gateway.send(to="+66812345678", text="hello", reference="once", callback_url=callback.url)
    callback.wait_for(1)
    gateway.wait_for(lambda messages: messages[0]["receipt_sent"])
    time.sleep(0.2)
    assert len(callback.requests) == 1
    assert len(gateway.messages()) == 1


# --- modes -----------------------------------------------------------------------------------------------


def test_fail_mode_answers_503_until_normal_again(gateway_for):
    gateway = gateway_for()
    gateway.set_mode("fail")
    status, answer = gateway.send(to="+66812345678", text="hello", reference="r-1")
    assert (status, answer["error"]) == (503, "unavailable")
    assert gateway.messages() == []
    assert "503" in http("GET", gateway.url)[2]  # the page says the mode

    gateway.set_mode("normal")
    assert gateway.send(to="+66812345678", text="hello", reference="r-1")[0] == 201
    assert len(gateway.messages()) == 1


def test_slow_mode_waits_before_answering(gateway_for):
    gateway = gateway_for()
    gateway.set_mode("slow", delay_seconds=0.5)
    started = time.monotonic()
    assert gateway.send(to="+66812345678", text="hello", reference="r-1")[0] == 201
    assert time.monotonic() - started >= 0.5
    assert json.loads(gateway._request("GET", "api/control")[1]) == {"mode": "slow", "delay_seconds": 0.5}

    gateway.set_mode("normal")
    started = time.monotonic()
    assert gateway.send(to="+66812345678", text="hello", reference="r-2")[0] == 201
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "data",
    [{"mode": "broken"}, {}, {"mode": "slow", "delay_seconds": -1}, {"mode": "slow", "delay_seconds": "2"}],
)
def test_control_refuses_an_unknown_mode(shared_gateway, data):
    status, body = shared_gateway._request("POST", "api/control", json.dumps(data).encode())
    assert (status, json.loads(body)["error"]) == (400, "invalid_request")
    assert json.loads(shared_gateway._request("GET", "api/control")[1])["mode"] == "normal"


# --- restarts --------------------------------------------------------------------------------------------


def test_a_restart_keeps_the_messages_and_the_pending_receipts(receiver, gateway_for):
    failing, later = receiver([503] * 1000), receiver()
    gateway = gateway_for(receipt_delay=0.05)
    gateway.send(to="+66812345678", text=THAI, reference="retried", callback_url=failing.url)
    failing.wait_for(1)
    assert gateway.stop() == 0  # SIGTERM stops it cleanly
    assert "stopped" in gateway.log()

    failing.answers.clear()
    gateway.start()  # the same port and state file
    gateway.send(to="+66812345678", text="second", reference="second", callback_url=later.url)
    messages = gateway.wait_for(lambda messages: all(message["receipt_sent"] for message in messages))

    assert [message["reference"] for message in messages] == ["second", "retried"]
    assert messages[1]["text"] == THAI
    assert messages[1]["receipt_attempts"] >= 2
    assert failing.receipts()[-1]["reference"] == "retried"
    assert later.receipts()[0]["reference"] == "second"
    assert gateway.send(to="+66812345678", text=THAI, reference="retried") == (
        200,
        {"id": "SMS00000000000001", "parts": 1, "encoding": "UCS-2"},
    )


def test_a_receipt_not_yet_due_at_a_stop_is_posted_after_the_restart(receiver, tmp_path):
    callback = receiver()
    gateway = RunningSmsGateway(tmp_path / "sms.sqlite3", receipt_delay=1.0).start()
    try:
        gateway.send(to="+66812345678", text="hello", reference="due-later", callback_url=callback.url)
        assert gateway.stop() == 0
        assert callback.requests == []
        gateway.start()
        callback.wait_for(1)
        assert callback.receipts()[0]["reference"] == "due-later"
    finally:
        gateway.stop()


# --- the page --------------------------------------------------------------------------------------------


def test_the_page_lists_the_messages_newest_first_with_thai_text(sms_gateway):
    sms_gateway.send(to="+66812345678", text="บรรทัดแรก\nบรรทัดสอง <b>&", reference="r-1")
    sms_gateway.send(to="+66898765432", text="English text", reference="r-2", sender="BMA")
    status, headers, page = http("GET", sms_gateway.url)

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.startswith('<!doctype html>\n<html lang="th">\n<head>\n<meta charset="utf-8">')
    assert "<title>" in page and "<caption>" in page
    assert page.count('<th scope="col">') == 8
    assert 'เวลา (กรุงเทพฯ) <span class="en" lang="en">Time (Bangkok)</span>' in page
    assert '<td class="text">บรรทัดแรก\nบรรทัดสอง &lt;b&gt;&amp;</td>' in page
    assert "white-space: pre-wrap" in page
    assert page.index("English text") < page.index("บรรทัดแรก")  # newest first
    assert "<td>+66898765432</td><td>BMA</td>" in page
    assert "<td>UCS-2</td><td>1</td>" in page
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td><td>\+66812345678</td>", page)


def test_the_page_says_when_there_is_nothing_yet(sms_gateway):
    page = http("GET", sms_gateway.url)[2]
    assert "ยังไม่มีข้อความ" in page and "No messages yet." in page
