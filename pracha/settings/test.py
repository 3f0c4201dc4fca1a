"""Settings for the test suite: fast hashing, in-memory mail, the database from DATABASE_URL if set."""

import tempfile
from pathlib import Path

from pracha.settings.base import *  # noqa: F403
from pracha.settings.base import STATICFILES_DIRS

PRACHA_DEMO = True
# Uploads made by tests never land in the checkout's var/.
PRACHA_PRIVATE_ROOT = Path(tempfile.gettempdir()) / "pracha-test-private"
# The demo CA and agency keys the tests sign with, created on first use (demo mode) and kept between runs.
PRACHA_SIGNING_ROOT = Path(tempfile.gettempdir()) / "pracha-test-signing"
PRACHA_SITE_URL = "http://testserver"
SECRET_KEY = "test-only-secret-key-not-for-any-real-use"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if not isinstance(entry, tuple) or entry[1].exists()]
# Serve static files straight from the app and npm folders: the browser tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Other apps' tests send e-mail through notifications within the same second; the limits are tested by
# the notifications tests, which set their own.
PRACHA_NOTIFY_RATE_LIMITS = {"email": 10_000, "sms": 10_000}
PRACHA_NOTIFY_AGENCY_RATE_LIMITS = {"email": 10_000, "sms": 10_000}
# One pass over what is due per sweep, without waiting for the next second (tests that need more say so).
PRACHA_NOTIFY_SWEEP_SECONDS = 0
# The tests' agency systems listen on 127.0.0.1 (the refusals are tested with this set to False).
PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = True
