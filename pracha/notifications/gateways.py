"""The ways out: e-mail through Django's mail backend (any SMTP server), SMS through a gateway adapter
speaking HTTP, and the delivery callbacks Pracha posts to agencies' systems.

Each send either returns (the other side accepted it) or raises TemporaryFailure (try again later: the
server is down, slow, busy, or refuses us for now) or PermanentFailure (this address will never work).
A real SMS provider replaces the simulator by naming another class in settings.PRACHA_SMS_GATEWAY; it
must keep the one promise the services rely on: the same `reference` sent twice is one message.

Callback URLs are typed by agencies, so they are not trusted: a callback goes only to an https URL
(http too in demo mode) whose host resolves to public internet addresses only (unless
settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE, for the demo and the tests), and the connection is made
to the very address that was checked, with the URL's host name in the Host header and, for https, in
the TLS handshake (SNI and certificate check). So a host name that resolves to a public address when
checked and to 169.254.169.254 a moment later (DNS rebinding) cannot send a callback inside our network.
"""

import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import smtp
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# Seconds to wait for an SMTP server, the SMS gateway, or an agency's callback URL.
SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 10
CALLBACK_TIMEOUT_SECONDS = 10
ERROR_MAX_LENGTH = 300
# The most of an answer's body read: a callback's answer is not used, a gateway's is a small JSON object.
ANSWER_MAX_BYTES = 64 * 1024


class DeliveryFailure(Exception):
    """A send that did not go through; the message (kept short) says why, for the Message's last_error."""


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later."""


class PermanentFailure(DeliveryFailure):
    """Never worth trying again: the address is refused."""


class CallbackRefused(PermanentFailure):
    """A callback URL Pracha will not call: not https (http only in demo mode), or a host on a private,
    loopback, link-local or otherwise non-public address."""


def _short(text: str) -> str:
    return " ".join(text.split())[:ERROR_MAX_LENGTH]


# --- e-mail -------------------------------------------------------------------------------------------


def email_message_id(public_id: Any) -> str:
    """The Message-ID of a message's e-mail: the same on every attempt, so a mail server or a reader's
    client can tell an e-mail re-sent after a crash is the same one."""
    return f"<{public_id}@{settings.PRACHA_OFFICIAL_DOMAIN}>"


def _is_permanent_code(code: int) -> bool:
    return 500 <= code < 600


# When the SMTP conversation under way must be over (time.monotonic()); None: no deadline.
_smtp_deadline: ContextVar[float | None] = ContextVar("smtp_deadline", default=None)


def _smtp_time_left() -> float | None:
    deadline = _smtp_deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        # What smtplib raises for a step that timed out, so that Django's backend closes the socket.
        raise smtplib.SMTPServerDisconnected("the SMTP server took longer than one attempt may take")
    return left


class DeadlineSMTP(smtplib.SMTP):
    """smtplib.SMTP whose whole conversation ends by the deadline email_send sets. smtplib gives every
    read and write its own full timeout, so a slow server could hold an attempt past the worker's lease
    and another worker would send the e-mail again; here each step may take only the time left."""

    def _step_timeout(self) -> float | None:
        """The timeout of the next step: smtplib's own, cut to the time left."""
        left = _smtp_time_left()
        if left is None:
            return None
        return min(self.timeout, left) if isinstance(self.timeout, int | float) else left

    def connect(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        # Opening the connection and reading the greeting both use self.timeout.
        timeout = self._step_timeout()
        if timeout is not None:
            self.timeout = timeout
        return super().connect(*args, **kwargs)

    def send(self, s: "ReadableBuffer | str") -> None:
        # Every command, and the message itself, is written by send(); its reply is read with the
        # socket's timeout set here.
        timeout = self._step_timeout()
        if timeout is not None and self.sock is not None:
            self.sock.settimeout(timeout)
        super().send(s)


class DeadlineSMTPSSL(DeadlineSMTP, smtplib.SMTP_SSL):
    pass


class SmtpEmailBackend(smtp.EmailBackend):
    """Django's SMTP backend (same settings), whose conversations keep the deadline of DeadlineSMTP."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return DeadlineSMTPSSL if self.use_ssl else DeadlineSMTP


def email_send(*, to: str, subject: str, body: str, message_id: str, within_seconds: float) -> None:
    """Hand one e-mail to the configured backend (settings.EMAIL_BACKEND). The SMTP server accepting it
    is all we learn: e-mail has no delivery receipts. With SmtpEmailBackend, the whole conversation
    takes at most `within_seconds`; a slower server is a temporary failure."""
    deadline = _smtp_deadline.set(time.monotonic() + within_seconds)
    try:
        _email_send(to=to, subject=subject, body=body, message_id=message_id)
    finally:
        _smtp_deadline.reset(deadline)


def _email_send(*, to: str, subject: str, body: str, message_id: str) -> None:
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
    """The gateway took the message: its ID (delivery receipts name it)."""

    id: str


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
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
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
    with error "invalid_number" a permanent failure, and anything else, a timeout or a refused
    connection a temporary one: another 4xx (a malformed request, a callback URL the gateway refuses,
    a bad token) is a fault of our configuration to fix, after which the message still goes."""

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
            return SmsAccepted(id=answer["id"][:100])
        detail = _short(f"{status} {answer.get('error', '')} {answer.get('message', '')}".strip())
        if status == 400 and answer.get("error") == "invalid_number":
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


@dataclass(frozen=True)
class CallbackTarget:
    """Where a callback URL points: https or http, the host name, the port, and the path with its query."""

    scheme: str
    host: str
    port: int
    path: str


def callback_target(url: str) -> CallbackTarget:
    """The parts of a callback URL; CallbackRefused unless it is https (or http, in demo mode) with a
    host."""
    schemes = ("https", "http") if settings.PRACHA_DEMO else ("https",)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise CallbackRefused(_short(f"callback URL malformed: {error}")) from error
    if parts.scheme not in schemes or not parts.hostname:
        raise CallbackRefused(f"callback URL refused: only {' or '.join(schemes)} URLs are called")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default_port = 443 if parts.scheme == "https" else 80
    return CallbackTarget(scheme=parts.scheme, host=parts.hostname, port=port or default_port, path=path)


def address_allowed(address: str) -> bool:
    """Whether a callback may go to this IP address: a public internet address, or any address when
    settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE (demo and tests, where agencies' systems are local)."""
    if settings.PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE:
        return True
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def resolve(host: str, port: int) -> list[str]:
    """The IP addresses `host` resolves to now, in the resolver's order, each once. OSError (socket.gaierror)
    when it resolves to none."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(target: CallbackTarget) -> list[str]:
    """The addresses a callback to `target` may connect to: all of the host's, once each is allowed.
    CallbackRefused when any is not (a name with one private address among public ones is refused
    whole); OSError when the host does not resolve."""
    addresses = resolve(target.host, target.port)
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise CallbackRefused(
            f"callback URL refused: {target.host} resolves to an address that is not public ({refused[0]})"
        )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked IP address; the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked IP address; the TLS handshake names the URL's host (SNI) and checks the
    certificate against it, as a connection by name would."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned_address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def _connected(target: CallbackTarget, addresses: list[str], timeout: float) -> http.client.HTTPConnection:
    """A connection to the first of `addresses` that answers; OSError when none does."""
    error: OSError = OSError(f"no address for {target.host}")
    for address in addresses:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(target.host, target.port, address=address, timeout=timeout)
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.connect()
        except OSError as failure:
            connection.close()
            error = failure
            continue
        return connection
    raise error


def callback_post(*, url: str, token: str, payload: dict[str, Any]) -> None:
    """POST a message's final status to an agency's callback URL. CallbackRefused (permanent) for a URL
    that may not be called (see the module's docstring); TemporaryFailure unless it answers 2xx within
    CALLBACK_TIMEOUT_SECONDS (a redirect is not followed: it is an answer, and not a 2xx)."""
    target = callback_target(url)
    try:
        addresses = checked_addresses(target)
    except OSError as error:
        raise TemporaryFailure(_short(f"callback host not found: {error}")) from error
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
    }
    try:
        connection = _connected(target, addresses, CALLBACK_TIMEOUT_SECONDS)
    except OSError as error:
        raise TemporaryFailure(_short(f"callback unreachable: {error}")) from error
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(ANSWER_MAX_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        raise TemporaryFailure(_short(f"callback failed: {type(error).__name__}: {error}")) from error
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise TemporaryFailure(f"callback answered {status}")
