import json
import sys

from pracha.core.management.commands.serve import bank_command, mailbox_command, sms_gateway_command


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
