import json
import sys

from pracha.core.management.commands.serve import bank_command


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
