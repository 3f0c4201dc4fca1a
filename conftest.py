"""Fixtures shared by every app's tests: the people of the authorization matrix, the demo bank, the demo
SMS gateway and the mail catch-all."""

import io
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import translation

from pracha.accounts.public import User
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.public import Agency
from pracha.agencies.tests.factories import AgencyFactory, MembershipFactory, RoleFactory
from pracha.core import ratelimit
from pracha.portal import demo_world
from simulators.running import RunningBank, RunningMailbox, RunningSmsGateway, write_billers


@pytest.fixture(autouse=True)
def english_outside_requests() -> Any:
    """Code run outside a request speaks English in tests, so messages can be compared exactly;
    requests still get Thai by default from the language middleware, and Thai tests override."""
    with translation.override("en"):
        yield


def verified_email(user: Any) -> Any:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def with_totp(user: Any) -> Any:
    """Officers must have an authenticator; tests give them one with a fixed secret."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def frozen_rate_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in windows of the clock (a second, a minute, an hour): freeze the limits'
    clock so a test never straddles two windows (only pracha.core.ratelimit's view of the time
    changes)."""
    frozen = float(int(time.time())) + 0.5
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen))


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """anonymous, owner, other_citizen, officer_without (no permission), officer_with (every permission
    of the foundation in agency "home-agency"), officer_other_agency (same roles, another agency)."""
    home, other = AgencyFactory(code="home-agency"), AgencyFactory(code="other-agency")
    everything = RoleFactory(
        code="foundation-all",
        permissions=["accounts.view_person", "agencies.manage_tokens", "audit.view"],
    )
    nothing = RoleFactory(code="no-permissions", permissions=[])
    officer_with = with_totp(verified_email(UserFactory()))
    officer_without = with_totp(verified_email(UserFactory()))
    officer_other = with_totp(verified_email(UserFactory()))
    MembershipFactory(user=officer_with, agency=home, roles=[everything])
    MembershipFactory(user=officer_without, agency=home, roles=[nothing])
    MembershipFactory(user=officer_other, agency=other, roles=[everything])
    return {
        "anonymous": AnonymousUser(),
        "owner": verified_email(UserFactory()),
        "other_citizen": verified_email(UserFactory()),
        "officer_without": officer_without,
        "officer_with": officer_with,
        "officer_other_agency": officer_other,
        "home_agency": home,
        "other_agency": other,
    }


@pytest.fixture
def service_world(db: Any) -> dict[str, Any]:
    """The demo world with its published services, and the people of the services' authorization matrix:
    applicant and other_citizen (verified citizens), reviewer (BMA Bang Rak: reviewer, inspector,
    approver, cashier), officer_without (Bang Rak, no role that acts on applications),
    officer_other_agency (DBD's reviewer and approver), and anonymous."""
    call_command("seed_demo", stdout=io.StringIO())
    by_number = {person.number: person.national_id for person in demo_world.PEOPLE}
    users = {number: User.objects.get(national_id=national_id) for number, national_id in by_number.items()
             if User.objects.filter(national_id=national_id).exists()}  # fmt: skip
    officer_without = with_totp(verified_email(UserFactory()))
    complaints_only = RoleFactory(code="complaints-only", permissions=["complaints.handle"])
    MembershipFactory(
        user=officer_without, agency=Agency.objects.get(code="bma-bang-rak"), roles=[complaints_only]
    )
    return {
        "anonymous": AnonymousUser(),
        "applicant": users[2],
        "other_citizen": users[3],
        "reviewer": users[104],
        "officer_without": officer_without,
        "officer_other_agency": users[102],
        "registrar": users[101],
        "house_owner": users[5],
    }


@pytest.fixture
def bank_simulator(live_server: Any, tmp_path: Path, settings: Any) -> Iterator[RunningBank]:
    """The demo bank as its own process on a free loopback port, notifying this test's live server at
    /api/v1/payments/notifications with every biller of settings.PRACHA_BILLERS (retries 0.2 s after
    a failure, doubling, at most 2 s apart); PRACHA_BANK_SIMULATOR_URL points at it. It offers
    url, pay(payload, amount=None, deliver=True, paid_at=None) -> transaction ID,
    status(transaction_id) -> dict, redeliver(transaction_id), statement(biller_id, "YYYY-MM-DD") -> bytes
    and wait_delivered(transaction_id, timeout=15) -> dict (simulators/running.py)."""
    billers = write_billers(tmp_path / "bank" / "billers.json", settings.PRACHA_BILLERS)
    bank = RunningBank(
        billers_path=billers,
        state_path=tmp_path / "bank" / "bank.sqlite3",
        callback_url=f"{live_server.url}/api/v1/payments/notifications",
        retry_base=0.2,
        retry_cap=2,
    ).start()
    settings.PRACHA_BANK_SIMULATOR_URL = bank.url
    yield bank
    bank.stop()


@pytest.fixture
def sms_gateway(tmp_path: Path) -> Iterator[RunningSmsGateway]:
    """The demo SMS gateway (simulators/sms.py) as its own process on a free loopback port, with the
    token "demo-only-sms-token" (settings' default) and receipts 0.3 s after each send. It has no fixed
    callback: each message carries its own callback_url, which Pracha's adapter builds from
    PRACHA_SITE_URL. The fixture changes no setting; a test points Pracha at it:

        settings.PRACHA_SMS_GATEWAY_URL = sms_gateway.url
        settings.PRACHA_SITE_URL = live_server.url  # when the delivery receipts must arrive

    It offers url, token, send(to=, text=, reference=, ...) -> (status, answer), messages() (newest
    first), message(id), set_mode("normal" | "fail" | "slow", delay_seconds=0.0),
    wait_for(predicate, timeout=10) -> messages, stop(), start() and log() (simulators/running.py)."""
    gateway = RunningSmsGateway(tmp_path / "sms" / "sms.sqlite3", callback_url="").start()
    yield gateway
    gateway.stop()


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[RunningMailbox]:
    """The local mail catch-all (simulators/mailbox.py) as its own process: SMTP on a free loopback port
    (smtp_port), the page and JSON on url. The fixture changes no setting; a test sends to it with:

        settings.EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = mailbox.smtp_port

    It offers messages() (newest first, subject and text decoded), clear(), wait_for(predicate,
    timeout=10) -> messages, and stop() / start() on the same ports (SMTP down, then up again)."""
    catcher = RunningMailbox(tmp_path / "mailbox" / "mail.sqlite3").start()
    yield catcher
    catcher.stop()
