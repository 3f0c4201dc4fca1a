"""The embedded default profile used by `make run`: SQLite, database tasks, files on local disk.

DEBUG stays off (from base): `make run` serves the platform the way people will see it, with the
friendly error pages, through gunicorn. Set DJANGO_DEBUG=1 for Django's debug pages.
"""

import os

from pracha.settings.base import *  # noqa: F403
from pracha.settings.base import VAR_DIR

PRACHA_DEMO = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (VAR_DIR / "secret_key").read_text().strip()
# The demo bank that `manage.py serve` starts beside the platform; set it empty to run without.
PRACHA_BANK_SIMULATOR_URL = os.environ.get("PRACHA_BANK_SIMULATOR_URL", "http://127.0.0.1:8010/")
# The demo SMS gateway and the local mail catch-all `manage.py serve` starts beside the platform: every
# message the platform sends is visible on their pages (README). Set the URL empty to run without.
PRACHA_SMS_GATEWAY_URL = os.environ.get("PRACHA_SMS_GATEWAY_URL", "http://127.0.0.1:8020/")
PRACHA_MAIL_CATCHER_URL = os.environ.get("PRACHA_MAIL_CATCHER_URL", "http://127.0.0.1:8025/")
# The demo's agency systems listen on this machine: let delivery callbacks reach loopback addresses.
PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = True
EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = 1025
