"""Production: refuses to start without a secret key, allowed hosts, a database URL, Redis and the
other settings below."""

import os

from django.core.exceptions import ImproperlyConfigured

from pracha.settings.base import *  # noqa: F403
from pracha.settings.base import PRACHA_SMS_GATEWAY_URL
from pracha.settings.env import env_bool, env_list, env_str

MIN_SECRET_KEY_LENGTH = 50

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names (not *).")
env_str("DATABASE_URL")
# The demo billers' secrets are public: real money needs the agencies' own biller IDs and secrets.
env_str("PRACHA_BILLERS_FILE")
# Real agencies' keys and a real CA (or an HSM); the demo CA is refused (docs/documents.md).
env_str("PRACHA_SIGNING_ROOT")
PRACHA_DEMO_PKI = False
PRACHA_SITE_URL = env_str("PRACHA_SITE_URL").rstrip("/")
# A real SMS gateway shares its own token with us; the demo token is public.
MIN_SMS_GATEWAY_TOKEN_LENGTH = 32
PRACHA_SMS_GATEWAY_TOKEN = env_str("PRACHA_SMS_GATEWAY_TOKEN") if PRACHA_SMS_GATEWAY_URL else ""
if PRACHA_SMS_GATEWAY_URL and (
    PRACHA_SMS_GATEWAY_TOKEN.startswith("demo-only")
    or len(PRACHA_SMS_GATEWAY_TOKEN) < MIN_SMS_GATEWAY_TOKEN_LENGTH
):
    raise ImproperlyConfigured(
        "PRACHA_SMS_GATEWAY_TOKEN must be the gateway's own token of at least "
        f"{MIN_SMS_GATEWAY_TOKEN_LENGTH} characters, not the demo one."
    )
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "pracha.notifications.gateways.SmtpEmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A relay that does not answer within this many seconds counts as a temporary failure, retried later.
EMAIL_TIMEOUT = 30

# Redis, shared by every app process, for the cache and the rate limits. Its counting is atomic; the
# database cache's is a read and a write, so requests racing in parallel could pass a limit many times
# over, and limits guard sign-in, one-time codes sent by SMS and agencies' sending keys.
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
