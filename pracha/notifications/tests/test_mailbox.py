"""The local mail catch-all (simulators/mailbox.py) as a real process: what smtplib and Django's SMTP
backend send arrives decoded (Thai in any charset and transfer encoding), the page and the JSON show it,
SMTP can go down and come back on the same port, and the box can be cleared."""

import json
import re
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail

SUBJECT = "คำขอของท่านได้รับแล้ว APP-2569-000123"
TEXT = "เรียน คุณสมชาย ใจดี\n\nสำนักงานเขตบางรักได้รับคำขอของท่านแล้ว\nข้อความจริงจาก pracha.example เท่านั้น\n"


def http(method: str, url: str):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def thai_message(*, cte: str, charset: str = "utf-8", to: str = "somchai@example.test") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Pracha <no-reply@pracha.example>"
    message["To"] = to
    message["Subject"] = SUBJECT
    message["Message-ID"] = make_msgid(domain="pracha.example")
    message["Date"] = "Tue, 24 Nov 2026 09:00:00 +0700"
    message.set_content(TEXT, charset=charset, cte=cte)
    return message


def send(smtp_port: int, message: EmailMessage, to: list[str] | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=to)


@pytest.mark.parametrize(
    ("cte", "charset", "marker"),
    [
        ("base64", "utf-8", b"Content-Transfer-Encoding: base64"),
        ("quoted-printable", "utf-8", b"Content-Transfer-Encoding: quoted-printable"),
        ("quoted-printable", "tis-620", b'charset="tis-620"'),  # the Thai industrial standard
    ],
)
def test_thai_mail_arrives_decoded(mailbox, cte, charset, marker):
    message = thai_message(cte=cte, charset=charset)
    assert marker in message.as_bytes()
    assert SUBJECT.encode() not in message.as_bytes()  # the subject travels as an encoded word
    send(mailbox.smtp_port, message)

    (received,) = mailbox.wait_for(lambda messages: len(messages) == 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", received.pop("received_at"))
    assert received == {
        "id": 1,
        "from": "no-reply@pracha.example",
        "to": ["somchai@example.test"],
        "subject": SUBJECT,
        "text": TEXT,
        "html": "",
        "message_id": message["Message-ID"],
        "date": "Tue, 24 Nov 2026 09:00:00 +0700",
        "header_from": "Pracha <no-reply@pracha.example>",
        "header_to": "somchai@example.test",
    }

    status, headers, body = http("GET", mailbox.url + "messages/1")
    page = body.decode()
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert page.startswith('<!doctype html>\n<html lang="th">\n<head>\n<meta charset="utf-8">')
    assert f"<h1>{SUBJECT}</h1>" in page
    assert f'<div class="text">{TEXT}</div>' in page
    for label, value in [
        ("From", "Pracha &lt;no-reply@pracha.example&gt;"),
        ("To", "somchai@example.test"),
        ("Subject", SUBJECT),
        ("Date", "Tue, 24 Nov 2026 09:00:00 +0700"),
        ("Message-ID", message["Message-ID"].replace("<", "&lt;").replace(">", "&gt;")),
    ]:
        assert re.search(rf'<span class="en" lang="en">{label}</span></dt><dd>{re.escape(value)}</dd>', page)

    status, headers, raw = http("GET", mailbox.url + "messages/1.eml")
    assert (status, headers["Content-Type"]) == (200, "message/rfc822")
    assert marker in raw


def test_django_smtp_backend_delivers_to_it(mailbox, settings):
    settings.EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.smtp_port
    sent = mail.send_mail(
        SUBJECT, TEXT, "Pracha <no-reply@pracha.example>", ["a@example.test", "b@example.test"]
    )
    assert sent == 1

    (received,) = mailbox.wait_for(lambda messages: len(messages) == 1)
    assert (received["subject"], received["text"], received["to"]) == (
        SUBJECT,
        TEXT,
        ["a@example.test", "b@example.test"],
    )
    assert received["message_id"].endswith(">")


def test_an_html_only_message_shows_its_text(mailbox):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "x@pracha.example", "y@example.test", "HTML"
    message.set_content("<p>สวัสดี &amp; <b>ยินดีต้อนรับ</b></p>", subtype="html")
    send(mailbox.smtp_port, message)
    (received,) = mailbox.wait_for(lambda messages: len(messages) == 1)
    assert received["text"] == "สวัสดี & ยินดีต้อนรับ\n"
    assert received["html"] == "<p>สวัสดี &amp; <b>ยินดีต้อนรับ</b></p>\n"


def test_the_list_is_newest_first_and_links_each_message(mailbox):
    send(mailbox.smtp_port, thai_message(cte="base64", to="first@example.test"))
    later = thai_message(cte="base64", to="second@example.test")
    later.replace_header("Subject", "Second <message> & more")
    send(mailbox.smtp_port, later)
    mailbox.wait_for(lambda messages: len(messages) == 2)

    status, headers, body = http("GET", mailbox.url)
    page = body.decode()
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert '<html lang="th">' in page and "<caption>" in page
    assert page.count('<th scope="col">') == 3
    assert 'เรื่อง <span class="en" lang="en">Subject</span>' in page
    assert page.index("second@example.test") < page.index("first@example.test")
    assert '<a href="/messages/2">Second &lt;message&gt; &amp; more</a>' in page
    assert f'<a href="/messages/1">{SUBJECT}</a>' in page
    assert [message["id"] for message in json.loads(http("GET", mailbox.url + "api/messages")[2])] == [2, 1]


def test_smtp_down_then_up_on_the_same_port_keeps_the_mail(mailbox):
    send(mailbox.smtp_port, thai_message(cte="base64"))
    mailbox.wait_for(lambda messages: len(messages) == 1)
    port, smtp_port = mailbox.port, mailbox.smtp_port

    assert mailbox.stop() == 0  # SIGTERM stops it cleanly
    with pytest.raises(ConnectionRefusedError):
        send(smtp_port, thai_message(cte="base64"))

    mailbox.start()
    assert (mailbox.port, mailbox.smtp_port) == (port, smtp_port)
    send(smtp_port, thai_message(cte="quoted-printable", to="again@example.test"))
    messages = mailbox.wait_for(lambda messages: len(messages) == 2)
    assert [message["to"] for message in messages] == [["again@example.test"], ["somchai@example.test"]]
    assert "stopped" in mailbox.log()


def test_clear_empties_the_box(mailbox):
    send(mailbox.smtp_port, thai_message(cte="base64"))
    send(mailbox.smtp_port, thai_message(cte="base64"))
    mailbox.wait_for(lambda messages: len(messages) == 2)

    assert mailbox.clear() == 2
    assert mailbox.messages() == []
    assert "ยังไม่มีอีเมล" in http("GET", mailbox.url)[2].decode()
    send(mailbox.smtp_port, thai_message(cte="base64"))
    assert mailbox.wait_for(lambda messages: len(messages) == 1)[0]["id"] == 3


def test_unknown_messages_and_paths_are_404(mailbox):
    assert http("GET", mailbox.url + "health")[::2] == (200, b"ok")
    assert http("GET", mailbox.url + "messages/9")[0] == 404
    assert http("GET", mailbox.url + "messages/9.eml")[0] == 404
    status, _, body = http("GET", mailbox.url + "api/messages/9")
    assert (status, json.loads(body)) == (404, {"error": "not_found"})
    assert http("GET", mailbox.url + "nothing")[0] == 404
    assert http("DELETE", mailbox.url + "messages/1")[0] == 404
