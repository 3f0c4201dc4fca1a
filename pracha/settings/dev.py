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
