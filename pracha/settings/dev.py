"""The embedded default profile used by `make run`: SQLite, database tasks, files on local disk."""

import os

from pracha.settings.base import *  # noqa: F403
from pracha.settings.base import VAR_DIR

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (VAR_DIR / "secret_key").read_text().strip()
