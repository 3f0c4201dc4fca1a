import json
import sys

import pytest
from django.core.management import call_command

from pracha.core.management.commands import serve
from pracha.core.management.commands.serve import (
    bank_command,
    mailbox_command,
    sms_gateway_command,
    sms_receipt_warning,
)


def test_the_demo_bank_listens_at_its_url_and_calls_the_web_server_back(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PRACHA_BANK_SIMULATOR_URL = "http://127.0.0.1:8011/"
    settings.PRACHA_BILLERS = {
        "bma": {"biller_id": "099999000000100", "secret": "s-bma"},
        "rtp": {
            "biller_id": "099999000000200",
            "secret": "s-rtp",
            "name_th": "สำนักงานตำรวจแห่งชาติ",
            "name_en": "Royal Thai Police",
        },
    }

    command = bank_command(bind="0.0.0.0:8000")

    state = tmp_path / "bank-simulator"
    assert command == [
        sys.executable, "-m", "simulators.bank",
        "--host", "127.0.0.1",
        "--port", "8011",
        "--callback-url", "http://127.0.0.1:8000/api/v1/payments/notifications",
        "--billers", str(state / "billers.json"),
        "--state", str(state / "bank.sqlite3"),
    ]  # fmt: skip
    assert json.loads((state / "billers.json").read_text(encoding="utf-8")) == {
        "099999000000100": {"secret": "s-bma", "name_th": "bma", "name_en": "bma"},
        "099999000000200": {
            "secret": "s-rtp",
            "name_th": "สำนักงานตำรวจแห่งชาติ",
            "name_en": "Royal Thai Police",
        },
    }


def test_the_demo_bank_calls_back_the_address_gunicorn_binds(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PRACHA_BANK_SIMULATOR_URL = "http://localhost:9000/"
    command = bank_command(bind="127.0.0.1:8123")
    assert (
        command[command.index("--callback-url") + 1] == "http://127.0.0.1:8123/api/v1/payments/notifications"
    )
    assert command[command.index("--host") + 1 : command.index("--port") + 2] == [
        "localhost",
        "--port",
        "9000",
    ]


def test_the_demo_sms_gateway_listens_at_its_url_with_the_token(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PRACHA_SMS_GATEWAY_URL = "http://127.0.0.1:8020/"
    settings.PRACHA_SMS_GATEWAY_TOKEN = "demo-only-token-x"
    assert sms_gateway_command() == [
        sys.executable, "-m", "simulators.sms",
        "--host", "127.0.0.1",
        "--port", "8020",
        "--token", "demo-only-token-x",
        "--state", str(tmp_path / "sms-simulator" / "sms.sqlite3"),
    ]  # fmt: skip
    settings.PRACHA_SMS_GATEWAY_URL = "http://localhost:9020/"
    assert sms_gateway_command()[4:8] == ["localhost", "--port", "9020", "--token"]


def test_a_real_sms_provider_or_none_starts_no_simulator(settings):
    for url in ("", "https://sms.provider.example/v1/", "http://10.0.0.5:8020/"):
        settings.PRACHA_SMS_GATEWAY_URL = url
        assert sms_gateway_command() is None


def test_the_mail_catch_all_takes_the_smtp_port_django_sends_to(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PRACHA_MAIL_CATCHER_URL = "http://127.0.0.1:8025/"
    settings.EMAIL_PORT = 1025
    assert mailbox_command() == [
        sys.executable, "-m", "simulators.mailbox",
        "--host", "127.0.0.1",
        "--port", "8025",
        "--smtp-port", "1025",
        "--state", str(tmp_path / "mailbox" / "mail.sqlite3"),
    ]  # fmt: skip
    settings.PRACHA_MAIL_CATCHER_URL = ""
    assert mailbox_command() is None


@pytest.mark.parametrize(
    ("gateway", "site", "bind", "warned"),
    [
        ("http://127.0.0.1:8020/", "http://127.0.0.1:8000", "127.0.0.1:8000", False),
        ("http://127.0.0.1:8020/", "http://localhost:8000", "127.0.0.1:8000", False),
        ("http://127.0.0.1:8020/", "http://127.0.0.1:8000", "0.0.0.0:8000", False),
        ("http://127.0.0.1:8020/", "http://127.0.0.1", "127.0.0.1:80", False),
        ("http://127.0.0.1:8020/", "http://127.0.0.1:8000", "127.0.0.1:8001", True),
        ("http://127.0.0.1:8020/", "http://pracha.example", "127.0.0.1:8000", True),
        ("http://localhost:8020/", "http://192.0.2.10:8000", "127.0.0.1:8000", True),
        # No demo gateway here: a real provider's receipts are its own business.
        ("https://sms.provider.example/v1/", "http://127.0.0.1:8000", "127.0.0.1:8001", False),
        ("", "http://127.0.0.1:8000", "127.0.0.1:8001", False),
    ],
)
def test_a_warning_when_the_demo_gateways_receipts_cannot_reach_the_web_server(
    settings, gateway, site, bind, warned
):
    settings.PRACHA_SMS_GATEWAY_URL = gateway
    settings.PRACHA_SITE_URL = site
    warning = sms_receipt_warning(bind=bind)
    if not warned:
        assert warning is None
    else:
        assert warning == (
            f"Warning: the demo SMS gateway posts its delivery receipts to PRACHA_SITE_URL ({site}), but "
            f"the web server listens on {bind}. The receipts will not arrive and every SMS will stay "
            f"“sent”, never “delivered”. Set PRACHA_SITE_URL=http://{bind} or run serve with --bind "
            "matching PRACHA_SITE_URL."
        )


class StoppedChild:
    """A child process that has already exited: serve stops at once, having printed its start-up lines."""

    returncode = 0

    def __init__(self, command, cwd=None):
        self.command = command

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


def test_serve_prints_the_receipt_warning(settings, tmp_path, monkeypatch, capsys):
    settings.VAR_DIR = tmp_path
    settings.PRACHA_BANK_SIMULATOR_URL = ""
    settings.PRACHA_MAIL_CATCHER_URL = ""
    settings.PRACHA_SMS_GATEWAY_URL = "http://127.0.0.1:8020/"
    settings.PRACHA_SITE_URL = "http://127.0.0.1:8000"
    settings.PRACHA_PERIODIC_TASKS = {}
    monkeypatch.setattr(serve.subprocess, "Popen", StoppedChild)
    monkeypatch.setattr(serve.signal, "signal", lambda signum, handler: None)

    with pytest.raises(SystemExit):
        call_command("serve", "--bind", "127.0.0.1:8001")
    errors = capsys.readouterr().err
    assert (
        "receipts to PRACHA_SITE_URL (http://127.0.0.1:8000), but the web server listens on 127.0.0.1:8001"
        in (errors)
    )

    with pytest.raises(SystemExit):
        call_command("serve", "--bind", "127.0.0.1:8000")
    assert "PRACHA_SITE_URL (" not in capsys.readouterr().err
