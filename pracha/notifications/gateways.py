"""The ways out: e-mail through Django's mail backend (any SMTP server), SMS through a gateway adapter
speaking HTTP, and the delivery callbacks Pracha posts to agencies' systems.

Each send either returns (the other side accepted it) or raises TemporaryFailure (try again later: the
server is down, slow, busy, or refuses us for now) or PermanentFailure (this address will never work).
A real SMS provider replaces the simulator by naming another class in settings.PRACHA_SMS_GATEWAY; it
must keep the one promise the services rely on: the same `reference` sent twice is one message.
"""

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

# Seconds to wait for an SMTP server, the SMS gateway, or an agency's callback URL.
SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 10
CALLBACK_TIMEOUT_SECONDS = 10
ERROR_MAX_LENGTH = 300


class DeliveryFailure(Exception):
    """A send that did not go through; the message (kept short) says why, for the Message's last_error."""


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later."""


class PermanentFailure(DeliveryFailure):
    """Never worth trying again: the address is refused."""


def _short(text: str) -> str:
    return " ".join(text.split())[:ERROR_MAX_LENGTH]


# --- e-mail -------------------------------------------------------------------------------------------


def email_message_id(public_id: Any) -> str:
    """The Message-ID of a message's e-mail: the same on every attempt, so a mail server or a reader's
    client can tell an e-mail re-sent after a crash is the same one."""
    return f"<{public_id}@{settings.PRACHA_OFFICIAL_DOMAIN}>"


def _is_permanent_code(code: int) -> bool:
    return 500 <= code < 600


def email_send(*, to: str, subject: str, body: str, message_id: str) -> None:
    """Hand one e-mail to the configured backend (settings.EMAIL_BACKEND). The SMTP server accepting it
    is all we learn: e-mail has no delivery receipts."""
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or SMTP_TIMEOUT_SECONDS)
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id},
        connection=connection,
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _reply in error.recipients.values()]
        replies = "; ".join(f"{code} {reply!r}" for code, reply in error.recipients.values())
        if codes and all(_is_permanent_code(code) for code in codes):
            raise PermanentFailure(_short(f"recipient refused: {replies}")) from error
        raise TemporaryFailure(_short(f"recipient refused for now: {replies}")) from error
    except smtplib.SMTPDataError as error:
        # The server refused this message's content for good (5xx) or for now (4xx).
        failure = PermanentFailure if _is_permanent_code(error.smtp_code) else TemporaryFailure
        raise failure(_short(f"message refused: {error.smtp_code} {error.smtp_error!r}")) from error
    except (smtplib.SMTPException, OSError) as error:
        # The server down or unreachable, a timeout, a 4xx, our sender or credentials refused (a
        # configuration to fix: retried until the attempts run out, then shown as a technical failure).
        raise TemporaryFailure(_short(f"{type(error).__name__}: {error}")) from error


# --- SMS ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsAccepted:
    """The gateway took the message: its ID (delivery receipts name it), and how it was sent."""

    id: str
    parts: int
    encoding: str


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, sender: str, reference: str, callback_url: str) -> SmsAccepted:
        """Send one SMS; the same `reference` again must not send it again. Raises TemporaryFailure or
        PermanentFailure."""
        ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we did not expect, not somewhere to resend a message to."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, payload: dict[str, Any], *, token: str, timeout: float) -> tuple[int, bytes]:
    """POST `payload` as JSON with a bearer token: (HTTP status, body). OSError (refused, timeout) and
    urllib's URLError pass through; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings or a validated http(s) URL)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        },
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), error.read()


class HttpSmsGateway:
    """The SMS gateway protocol of docs/notifications.md (the simulator in simulators/sms.py speaks it):
    POST {url}api/messages with a bearer token; 201 or 200 (the same reference again) is accepted, 400
    (invalid_number) a permanent failure, and anything else, a timeout or a refused connection a
    temporary one."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        base = url if url is not None else settings.PRACHA_SMS_GATEWAY_URL
        self.url = base if base.endswith("/") else base + "/"
        self.token = token if token is not None else settings.PRACHA_SMS_GATEWAY_TOKEN

    def send(self, *, to: str, text: str, sender: str, reference: str, callback_url: str) -> SmsAccepted:
        payload = {
            "to": to,
            "text": text,
            "sender": sender,
            "reference": reference,
            "callback_url": callback_url,
        }
        try:
            status, body = post_json(
                f"{self.url}api/messages", payload, token=self.token, timeout=SMS_TIMEOUT_SECONDS
            )
        except OSError as error:
            raise TemporaryFailure(_short(f"SMS gateway unreachable: {error}")) from error
        answer = _json_object(body)
        if status in (200, 201) and isinstance(answer.get("id"), str) and answer["id"]:
            return SmsAccepted(
                id=answer["id"][:100],
                parts=int(answer.get("parts") or 0),
                encoding=str(answer.get("encoding") or ""),
            )
        detail = _short(f"{status} {answer.get('error', '')} {answer.get('message', '')}".strip())
        if status in (400, 422):
            raise PermanentFailure(f"SMS gateway refused the message: {detail}")
        raise TemporaryFailure(f"SMS gateway answered {detail}")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@cache
def _gateway_class(path: str) -> type[SmsGateway]:
    gateway_class: type[SmsGateway] = import_string(path)
    return gateway_class


def sms_gateway() -> SmsGateway:
    """The configured gateway (settings.PRACHA_SMS_GATEWAY), its class imported once."""
    return _gateway_class(settings.PRACHA_SMS_GATEWAY)()


# --- delivery callbacks -------------------------------------------------------------------------------


def callback_post(*, url: str, token: str, payload: dict[str, Any]) -> None:
    """POST a message's final status to an agency's callback URL; TemporaryFailure unless it answers
    2xx within CALLBACK_TIMEOUT_SECONDS."""
    try:
        status, _body = post_json(url, payload, token=token, timeout=CALLBACK_TIMEOUT_SECONDS)
    except (OSError, ValueError) as error:
        raise TemporaryFailure(_short(f"callback unreachable: {error}")) from error
    if not 200 <= status < 300:
        raise TemporaryFailure(f"callback answered {status}")
