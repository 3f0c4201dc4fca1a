"""Settings shared by every profile. Profiles (dev, test, prod) override what differs."""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from pracha.settings.env import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PRACHA_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so our templates for its pages win the template lookup.
    "pracha.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "pracha.core",
    "pracha.audit",
    "pracha.notifications",
    "pracha.agencies",
    "pracha.registries",
    "pracha.catalogue",
    "pracha.payments",
    "pracha.documents",
    "pracha.applications",
    "pracha.backoffice",
    "pracha.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pracha.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pracha.core.middleware.RequestContextMiddleware",
    "pracha.accounts.middleware.ActingForMiddleware",
    "pracha.accounts.middleware.OfficerMfaRequiredMiddleware",
]

ROOT_URLCONF = "pracha.urls"
WSGI_APPLICATION = "pracha.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pracha" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pracha.portal.context_processors.portal",
            ],
            "builtins": ["pracha.core.templatetags.thai"],
        },
    }
]


def database_from_env(default_sqlite: Path) -> dict[str, object]:
    """PostgreSQL (or any engine) by DATABASE_URL; otherwise the embedded SQLite in WAL mode."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": database_from_env(VAR_DIR / "pracha.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        # A database cache is shared by every server process, so sign-in rate limits hold across them.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pracha_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:my-account"
LOGOUT_REDIRECT_URL = "portal:home"

# django-allauth: citizens sign in with their national ID; e-mail is verified.
ACCOUNT_ADAPTER = "pracha.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = "national_id"
# The national ID is personal data: allauth shows people by name in messages and e-mails instead.
ACCOUNT_USER_DISPLAY = "pracha.accounts.selectors.display_name"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "pracha.accounts.forms.CitizenSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pracha] "
# Repeated failed sign-ins lock the account (per national ID) and the client address out for a while.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/10m/ip,5/15m/key",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Pracha"
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "pracha_language"
LOCALE_PATHS = [BASE_DIR / "pracha" / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "pracha" / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("fonts/sarabun", BASE_DIR / "node_modules" / "@fontsource" / "sarabun" / "files"),
    ("vendor/axe", BASE_DIR / "node_modules" / "axe-core"),
]
MEDIA_ROOT = VAR_DIR / "media"
# Applicants' uploads: outside the web root, never given a URL; served only through an access check.
PRACHA_PRIVATE_ROOT = VAR_DIR / "private"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("PRACHA_FROM_EMAIL", "Pracha <no-reply@pracha.example>")

PRACHA_SITE_NAME = _("Pracha")
# Only true behind a proxy that overwrites X-Real-IP (deploy/nginx.conf does).
# The demo world (seed_demo, demo_totp) publishes passwords and authenticator secrets: never in prod.
PRACHA_DEMO = False
# Tasks `manage.py serve` enqueues on a timer: dotted path -> seconds between runs.
PRACHA_PERIODIC_TASKS = {
    "pracha.applications.tasks.escalate_overdue_cases": 15 * 60,
    "pracha.applications.tasks.settle_paid_cases": 60,
    "pracha.payments.tasks.expire_overdue_bills": 60 * 60,
    "pracha.documents.tasks.sign_due_documents": 60,
    "pracha.notifications.tasks.send_due_messages": 5,
    "pracha.notifications.tasks.send_due_callbacks": 30,
}
PRACHA_TRUST_X_REAL_IP = env_bool("PRACHA_TRUST_X_REAL_IP", False)
# allauth's per-address rate limits must see the client, not the proxy, or they would lock out everyone.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP" if PRACHA_TRUST_X_REAL_IP else None
# The platform's official domain, shown so people can tell a genuine message from a fake one.
PRACHA_OFFICIAL_DOMAIN = os.environ.get("PRACHA_OFFICIAL_DOMAIN", "pracha.example")
# Days off declared beyond the Thai public holidays (cabinet bridge days, the next year's Royal Ploughing
# Ceremony before the holidays package knows it), comma-separated ISO dates: YYYY-MM-DD,YYYY-MM-DD
PRACHA_EXTRA_HOLIDAYS = env_list("PRACHA_EXTRA_HOLIDAYS")

# Payments (docs/payments.md). The gateway adapter turns a bank's callbacks and statements into ours;
# replace it by configuration to speak to a real acquiring bank.
PRACHA_PAYMENT_GATEWAY = os.environ.get(
    "PRACHA_PAYMENT_GATEWAY", "pracha.payments.gateways.SimulatedBankGateway"
)
# Each billing agency's PromptPay biller ID (15 digits), the secret the bank signs callbacks with and
# the name the bank shows payers, by agency code; an office without its own entry bills through its
# parent's. A JSON file of the same shape replaces these demo values (public, so never for real money).
PRACHA_BILLERS: dict[str, dict[str, str]] = (
    json.loads(Path(os.environ["PRACHA_BILLERS_FILE"]).read_text(encoding="utf-8"))
    if os.environ.get("PRACHA_BILLERS_FILE")
    else {
        code: {
            "biller_id": biller_id,
            "secret": f"demo-only-secret-{code}",
            "name_th": name_th,
            "name_en": name_en,
        }
        for code, biller_id, name_th, name_en in [
            ("bma", "099999000000100", "กรุงเทพมหานคร", "Bangkok Metropolitan Administration"),
            ("bma-bang-rak", "099999000000101", "สำนักงานเขตบางรัก", "Bang Rak District Office"),
            ("bma-phra-nakhon", "099999000000102", "สำนักงานเขตพระนคร", "Phra Nakhon District Office"),
            ("bma-chatuchak", "099999000000103", "สำนักงานเขตจตุจักร", "Chatuchak District Office"),
            ("rtp", "099999000000200", "สำนักงานตำรวจแห่งชาติ", "Royal Thai Police"),
            ("dopa", "099999000000300", "กรมการปกครอง", "Department of Provincial Administration"),
            ("dbd", "099999000000400", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development"),
            ("rd", "099999000000500", "กรมสรรพากร", "Revenue Department"),
        ]
    }
)
# A callback older or newer than this is refused, so a captured request cannot be replayed later.
PRACHA_PAYMENT_CALLBACK_WINDOW_SECONDS = 300
# Days an application fee bill stays payable before it expires (a new one can then be issued).
PRACHA_FEE_BILL_DAYS = 15
# The demo bank's "banking app"; when set, bill pages offer a button to pay there. Empty in production.
PRACHA_BANK_SIMULATOR_URL = os.environ.get("PRACHA_BANK_SIMULATOR_URL", "")

# Signed documents (docs/documents.md). Each agency's signing key and certificate live under
# <root>/agencies/<agency code>/; <root>/trust-roots.pem holds the CA certificates a signature must chain
# to. `manage.py signing_keys` creates a demo CA there on a development machine, never in production.
PRACHA_SIGNING_ROOT = Path(os.environ.get("PRACHA_SIGNING_ROOT", VAR_DIR / "signing"))
PRACHA_DEMO_PKI = True
# An RFC 3161 time-stamping authority; empty: the signature carries the signing time only.
PRACHA_TIMESTAMP_URL = os.environ.get("PRACHA_TIMESTAMP_URL", "")
# Where people reach the site: the QR code on every document opens {PRACHA_SITE_URL}/verify/<id>/.
PRACHA_SITE_URL = os.environ.get("PRACHA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Attempts to render and sign a document before it is marked failed for an operator to look at.
PRACHA_DOCUMENT_SIGN_ATTEMPTS = 8
# A document that ends within this many days shows as "expiring soon" in the wallet.
PRACHA_DOCUMENT_EXPIRING_DAYS = 30
# The longest a holder can make a share link last.
PRACHA_DOCUMENT_SHARE_MAX_DAYS = 30

# Notifications (docs/notifications.md). Messages are sent by the task worker after the transaction that
# made them commits; a temporary failure is retried after base * 2**(attempts - 1) seconds, at most the
# cap apart, until the attempts run out (then the message is a technical failure).
PRACHA_NOTIFY_ATTEMPTS = 6
PRACHA_NOTIFY_RETRY_BASE_SECONDS = 30
PRACHA_NOTIFY_RETRY_CAP_SECONDS = 30 * 60
# A worker holds a message it is sending this long; after that another worker may take it over.
PRACHA_NOTIFY_LEASE_SECONDS = 120
# Messages per second the gateways are given, per channel and per sending agency: the excess waits in
# the queue for the next second rather than being dropped.
PRACHA_NOTIFY_RATE_LIMITS = {"email": 50, "sms": 20}
PRACHA_NOTIFY_AGENCY_RATE_LIMITS = {"email": 20, "sms": 10}
# How long one run of the sweeper (send_due_messages, enqueued every 5 seconds) keeps sending, waiting for
# the next second when the rate limits are used up, so a surge drains at the configured rates. 0 makes one
# pass over what is due without waiting (the tests).
PRACHA_NOTIFY_SWEEP_SECONDS = 4.5
# Delivery callbacks go only to public internet addresses (and only over https outside demo mode); True
# lets them reach loopback and private networks, where the demo's and the tests' agency systems listen.
PRACHA_NOTIFY_CALLBACK_ALLOW_PRIVATE = False
# One-time codes that confirm an e-mail address or a mobile number.
PRACHA_NOTIFY_CODE_MINUTES = 10
PRACHA_NOTIFY_CODE_ATTEMPTS = 5
# Codes a person may ask for in an hour (per person, and per address).
PRACHA_NOTIFY_CODES_PER_HOUR = 5
# The SMS gateway adapter and where it listens; without a URL, no SMS is sent (none is queued).
PRACHA_SMS_GATEWAY = os.environ.get("PRACHA_SMS_GATEWAY", "pracha.notifications.gateways.HttpSmsGateway")
PRACHA_SMS_GATEWAY_URL = os.environ.get("PRACHA_SMS_GATEWAY_URL", "")
PRACHA_SMS_GATEWAY_TOKEN = os.environ.get("PRACHA_SMS_GATEWAY_TOKEN", "demo-only-sms-token")
# The sender name phones show.
PRACHA_SMS_SENDER = os.environ.get("PRACHA_SMS_SENDER", "PRACHA")
# The local mail catch-all's page, where a development machine's e-mail lands (empty: none runs).
PRACHA_MAIL_CATCHER_URL = ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
