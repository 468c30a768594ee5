"""Settings for the Zaozhuang provident fund member portal.

This is the one place that reads the environment (django-environ); every
variable is documented with its default in `.env.example`.
"""

import ipaddress
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Outside local development a secret must be supplied: a default key would
# let anyone forge sessions and password-reset tokens.
if DEBUG:  # noqa: SIM108 - two branches read clearer for a security rule
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-zzgjj-portal")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin with the staff site: captcha, lockout, TOTP.
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "captcha",
    "csp",
    "django_otp",
    "accounts.apps.StaffTotpConfig",  # django_otp.plugins.otp_totp, named in Chinese
    "zzgjj_portal",
    "accounts",
    "inquiry",
    "tasks",
]

MIDDLEWARE = [
    # Security headers first: every answer, also one a later middleware makes
    # itself (BadInputMiddleware's 400, a rate limit's 429), passes back out
    # through these, so none lacks them (zzgjj_portal/tests/test_error_headers.py).
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Permissions-Policy, and no-store on every error answer.
    "zzgjj_portal.middleware.SecurityHeadersMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a staff session verified by its TOTP device (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # NUL bytes and out-of-range admin parameters get a Chinese 400 page, never a 500.
    "zzgjj_portal.middleware.BadInputMiddleware",
    # Secure by default: every page needs a login unless marked login_not_required.
    # (admin pages send visitors to the admin login, member pages to the member login)
    "accounts.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle (SESSION_IDLE_MINUTES) and absolute (SESSION_ABSOLUTE_HOURS) session limits.
    "accounts.middleware.SessionTimeoutMiddleware",
]

ROOT_URLCONF = "zzgjj_portal.urls"
WSGI_APPLICATION = "zzgjj_portal.wsgi.application"

# Two engines. The portal's own pages (templates/: base.html, the member,
# accounts and error pages, partials) are Jinja2, found first: they render in
# a fraction of the Django engine's time, byte for byte the same HTML
# (zzgjj_portal/jinja2.py; zzgjj_portal/tests/test_page_snapshots.py). Django
# admin, our admin templates and the form widgets' templates stay on the Django
# engine, which alone looks in templates/django/ (and in the apps); Jinja2 looks
# in no app directory, so a name it lacks (admin/…, django/forms/…,
# captcha/widgets/…) falls through to the Django engine.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            # Compiled once per process; re-read on change only with DEBUG
            # (the backend's default `auto_reload`).
            "environment": "zzgjj_portal.jinja2.environment",
            # As the Django engine's below, plus jinja2.csrf and jinja2.urls:
            # one CSRF field and one URLconf lookup a page.
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zzgjj_portal.jinja2.csrf",
                "zzgjj_portal.jinja2.urls",
                # `elder_mode`: 长辈模式 on for this request (the member's choice, else the cookie).
                "zzgjj_portal.elder.context",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates" / "django"],
        "OPTIONS": {
            # Templates parsed once per process (Django's default with DEBUG
            # off, spelled out so that nobody loses it by adding a loader).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["zzgjj_portal.templatetags.portal"],
        },
    },
]

# Widgets render through TEMPLATES (the Django engine: see above), so
# templates/django/ can override a library's widget (the captcha image that
# reloads on click).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# The embedded SQLite file lets the portal run with nothing else installed;
# production and CI use PostgreSQL through the same variable.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: without them every request pays a new connection.
# Health checks drop a connection the server closed instead of failing a request.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # Tests keep SQLite in memory, one database per process. Named outright:
    # django_prometheus's engine hides from pytest-xdist that this is SQLite,
    # and it would otherwise name each worker's database after the file path.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every gunicorn worker (Redis, else a database table),
# never per-process memory: sessions (cached_db, below), rendered member pages
# and PDFs. `make run` creates the table. Redis is only a cache: while it is
# down or hung, zzgjj_portal.cache turns its errors into misses and skipped
# writes (short timeouts, one warning a minute), so the portal answers from
# the database instead of with a 500.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "zzgjj_portal.cache.FailSafeRedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": env.cache("CACHE_URL", default="dbcache://portal_cache")}
# Rendered member pages kept in the cache, keyed on the member's data version
# (zzgjj_portal/pagecache.py), for this many seconds; 0 turns it off. Off by
# default without Redis: a database-cache lookup costs what it would save.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300 if env.str("REDIS_URL", default="") else 0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.MemberBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tasks:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# The shortest member password (accounts.passwords, whose messages and hint
# quote it) and the shortest staff password (Django's validators below).
ACCOUNTS_PASSWORD_MIN_LENGTH = 8
ACCOUNTS_STAFF_PASSWORD_MIN_LENGTH = 12
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Only staff passwords go through these (admin, createsuperuser, changepassword):
    # members have their own rules (accounts.passwords). A staff password opens
    # every member's reserved phone, so it is long.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ACCOUNTS_STAFF_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live server-side: registration and reset progress is kept there.
# With Redis, sessions are read from the cache and written through to the
# database (cached_db): every logged-in request reads its session, and a
# Redis GET is cheaper than a PostgreSQL query; the database copy is the one
# that counts, so nobody is logged out by a Redis restart or outage (a cache
# miss reads the database; zzgjj_portal/cache.py).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env.str("REDIS_URL", default="")
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Plain http is answered with a redirect to https whenever DEBUG is off (the
# proxy may redirect too; a request that slips past it still never gets a page).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS preload (security.W021) is not for us to decide here: putting the
# center's domain on the browsers' preload list binds every subdomain to
# https for months and is hard to undo; the center's network team submits it.
# HSTS itself is on (SECURE_HSTS_SECONDS, subdomains included).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=8)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60
# Members use shared PCs in service halls: closing the browser ends the login
# (the idle and absolute limits above still apply while it stays open).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own
# static files, never inline (templates hold no inline script, style or on*
# handler; data travels in data-* attributes), no plugins, no framing, forms
# post only to us. PORTAL_CSP_REPORT_ONLY=true sends the same policy as
# Content-Security-Policy-Report-Only for a rollout: the browser reports
# (in its console) what it would block, and blocks nothing.
PORTAL_CSP_REPORT_ONLY = env.bool("PORTAL_CSP_REPORT_ONLY", default=False)
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Captcha images and the admin's icons are our own files; data: for
        # the small SVGs stylesheets may embed.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if PORTAL_CSP_REPORT_ONLY else None
CONTENT_SECURITY_POLICY = None if PORTAL_CSP_REPORT_ONLY else _CSP

# Browser features no page may use (zzgjj_portal.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY_DENY = ["camera", "microphone", "geolocation", "payment"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for admin strings Django's own zh_Hans catalogs lack (zzgjj_portal/locale).
LOCALE_PATHS = [BASE_DIR / "zzgjj_portal" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise's own table (not Python's mimetypes) types what it serves, in runserver and
# production alike; it has no entry for .wav, which then went out as application/octet-stream.
WHITENOISE_MIMETYPES = {".wav": "audio/wav"}
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# django-simple-captcha. Test mode (answer "PASSED") exists only so browser
# tests can log in; `check --deploy` warns when it is on in production.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 4
CAPTCHA_IMAGE_SIZE = (100, 38)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_CHALLENGE_FUNCT = "zzgjj_portal.captchas.digits_challenge"
CAPTCHA_TIMEOUT = 5  # minutes
# 语音验证码: the library runs this program (`-t <text> -o <wav>`) to speak the
# challenge; ours has espeak-ng read the digits in Mandarin. Without espeak-ng
# (or with CAPTCHA_AUDIO=false) there is no button and the audio URL is a 404.
CAPTCHA_AUDIO = env.bool("CAPTCHA_AUDIO", default=True)
CAPTCHA_FLITE_PATH = (
    str(BASE_DIR / "zzgjj_portal" / "captcha_speech.py") if CAPTCHA_AUDIO and shutil.which("espeak-ng") else None
)
# No noise mixed in (the library would with sox): the spoken captcha is for
# people who cannot read the image, not a second puzzle.
CAPTCHA_SOX_PATH = None

# Short messages (accounts.sms). The console backend prints codes, so it is
# only the default in development; production talks to the provider's gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.ConsoleBackend" if DEBUG else "accounts.sms.GatewayBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
SMS_SIGN = env.str("SMS_SIGN", default="枣庄住房公积金")

# SMS codes: digits (the generator, the form and the messages all read it),
# lifetime, tries and send limits (per reserved phone and per client IP).
ACCOUNTS_SMS_CODE_LENGTH = 6
ACCOUNTS_SMS_CODE_TTL = env.int("ACCOUNTS_SMS_CODE_TTL", default=300)  # seconds
ACCOUNTS_SMS_COOLDOWN = 60  # seconds between two codes to one phone
ACCOUNTS_SMS_MAX_TRIES = 5
ACCOUNTS_SMS_PHONE_PER_HOUR = 5
ACCOUNTS_SMS_PHONE_PER_DAY = 10
ACCOUNTS_SMS_IP_PER_HOUR = 10
ACCOUNTS_SMS_IP_PER_DAY = 50
# Registration and forgot-password progress expires after this many minutes.
ACCOUNTS_FLOW_MINUTES = 15
# Login lockout: failures per member / per client IP, and how long a lock lasts.
ACCOUNTS_LOCKOUT_MEMBER_FAILURES = 5
ACCOUNTS_LOCKOUT_IP_FAILURES = 20
ACCOUNTS_LOCKOUT_MINUTES = 15
# New captchas (each page with a captcha stores one) per client IP per minute.
# Generous: a service hall's PCs may share one address behind NAT.
ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 60
# Refused 信息校验 attempts (registration / forgot password) per client IP per lock period.
ACCOUNTS_IDENTITY_IP_FAILURES = 20

# The core system's books (docs/interchange.md): the values of GRMX.CZBZ
# (冲账标识) its core writes for a normal row and for a reversal (a row that
# removes the one with the same YWLSH). An empty cell is always a normal row
# (a comma-separated environment value cannot carry an empty string).
INQUIRY_INTERCHANGE_CZBZ_NORMAL = env.list("INQUIRY_INTERCHANGE_CZBZ_NORMAL", default=["", "0"])
INQUIRY_INTERCHANGE_CZBZ_REVERSAL = env.list("INQUIRY_INTERCHANGE_CZBZ_REVERSAL", default=["1"])
# books_import: a batch whose rejected rows exceed this share of its rows is
# refused whole (nothing applied); below it, the rest is applied and the
# rejects reported (0.001 = 0.1 %).
INQUIRY_IMPORT_REJECT_THRESHOLD = env.float("INQUIRY_IMPORT_REJECT_THRESHOLD", default=0.001)
# The folder the core system drops its numbered batch folders into; a beat
# job (every INQUIRY_IMPORT_INBOX_SECONDS) imports the next ones in order.
# Empty: no scheduled import (run `manage.py books_import <folder>` by hand).
INQUIRY_IMPORT_INBOX = env.str("INQUIRY_IMPORT_INBOX", default="")
INQUIRY_IMPORT_INBOX_SECONDS = env.int("INQUIRY_IMPORT_INBOX_SECONDS", default=300)

# Certificate PDFs are signed (PAdES, zzgjj_portal/signing.py) with the
# center's signing certificate: a PKCS#12 file from its CA and the passphrase
# that opens it, both from the environment (README: Certificate signing).
# Development (DEBUG) falls back to a self-signed certificate that `make run`
# creates (`manage.py certificate_signer_create`) under a fixed passphrase;
# production has no default, and `check --deploy` fails without a file that
# opens (zzgjj_portal/checks.py). The passphrase is never logged; Django's
# debug page hides it too (its name holds PASS).
# An empty value means the default (as in .env.example).
CERTIFICATE_SIGNER_P12 = env.str("CERTIFICATE_SIGNER_P12", default="") or (
    str(BASE_DIR / "var" / "certificate-signer-dev.p12") if DEBUG else ""
)
CERTIFICATE_SIGNER_PASSPHRASE = env.str("CERTIFICATE_SIGNER_PASSPHRASE", default="") or (
    "dev-only-certificate-signer" if DEBUG else ""
)

# Charts (inquiry/charts.py): the balance, the 缴存年度 bars, the plan's and the
# loan's, drawn as SVG on the server. Off leaves the tables alone; the bench
# renders the 30-year ledger page both ways (bench/charts.py) to price them.
INQUIRY_CHARTS = env.bool("INQUIRY_CHARTS", default=True)

# Certificates (缴存证明, 贷款结清证明, 缴存明细, 年度对账单: inquiry/certificates/).
# The address the QR code on a certificate opens (+ /verify/); production has no
# default (`check --deploy` requires it), since a verifier scans it off paper.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="").rstrip("/") or ("http://127.0.0.1:8000" if DEBUG else "")
# 核验码 are stored only as HMAC-SHA256 under this key. Its own key, not
# SECRET_KEY, so rotating SECRET_KEY does not unmake every issued certificate;
# when empty it is derived from SECRET_KEY (and `check --deploy` warns).
INQUIRY_CERTIFICATE_CODE_KEY = env.str("INQUIRY_CERTIFICATE_CODE_KEY", default="")
# Validity in days: 缴存证明 and 贷款结清证明; 缴存明细 and 年度对账单 (history, not status).
INQUIRY_CERTIFICATE_VALID_DAYS = env.int("INQUIRY_CERTIFICATE_VALID_DAYS", default=30)
INQUIRY_CERTIFICATE_HISTORY_VALID_DAYS = env.int("INQUIRY_CERTIFICATE_HISTORY_VALID_DAYS", default=90)
# /verify/ per client IP and hour: wrong codes before a captcha is asked for,
# and before the IP gets 429 for the rest of the hour.
INQUIRY_VERIFY_FREE_FAILURES = 10
INQUIRY_VERIFY_MAX_FAILURES = 30
INQUIRY_VERIFY_WINDOW_MINUTES = 60
# Largest PDF a verifier may upload to compare with the issued one.
INQUIRY_VERIFY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024

# Push API (POST /api/messages/): requests a second per channel, shared by every worker.
TASKS_PUSH_RATE_PER_SECOND = env.float("TASKS_PUSH_RATE_PER_SECOND", default=100.0)
# Invalid bearer tokens per client IP before it is locked out of the machine endpoints (/api/)
# for ACCOUNTS_LOCKOUT_MINUTES (the same counters as the login lockout).
TASKS_PUSH_TOKEN_IP_FAILURES = 20
# Core system API (/api/core/outbox/...): requests a second per core token.
# A page holds up to 1,000 decisions, so 20 a second is far above any need.
TASKS_CORE_RATE_PER_SECOND = env.float("TASKS_CORE_RATE_PER_SECOND", default=20.0)
# Members a broadcast's fan-out inserts per transaction (each holds those
# member rows for the batch only).
TASKS_BROADCAST_BATCH_SIZE = env.int("TASKS_BROADCAST_BATCH_SIZE", default=2000)
# Online applications (tasks): the center's own rules. The center sets these
# numbers by its policy notices; change them here, never in the code.
TASKS_RENT_WITHDRAWAL_YEARLY_LIMIT = Decimal("12000.00")  # 租房提取, per calendar year
TASKS_RETIREMENT_AGE = 60  # 离退休提取 from this age
TASKS_LOAN_MAX_AMOUNT = Decimal("600000.00")
TASKS_LOAN_MAX_PRICE_RATIO = Decimal("0.80")  # of the property price
TASKS_LOAN_MAX_AGE_AT_END = 65  # age at the end of the term
TASKS_LOAN_MIN_DEPOSIT_MONTHS = 6  # consecutive months paid, up to last month
TASKS_LOAN_MAX_LOANS = 2  # contracts ever
TASKS_LOAN_MAX_TERM_YEARS = 30
# First-home provident fund loan rates (首套): terms up to SHORT_TERM_YEARS use
# the short rate, longer ones the long rate; in force since the date given.
TASKS_LOAN_RATE_SINCE = date(2025, 5, 8)
TASKS_LOAN_RATE_SHORT_TERM_YEARS = 5
TASKS_LOAN_RATE_SHORT = Decimal("0.021")
TASKS_LOAN_RATE_LONG = Decimal("0.026")
# Days the core system has to book an approved application (待入账) before the
# portal fails it (入账失败, 「业务系统N日内未入账」) and gives a withdrawal's
# amount back to the balance (tasks.jobs.decisions_expire, daily).
TASKS_DECISION_BOOKING_DAYS = env.int("TASKS_DECISION_BOOKING_DAYS", default=5)

# Celery (zzgjj_portal/celery.py) with RabbitMQ as its broker: durable queues,
# acknowledgements and no eviction (a broker inside the cache's Redis would
# lose jobs to allkeys-lru). Without a broker URL jobs run eagerly in the
# process that enqueues them, so `make run` needs no broker or worker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# An eager job's exception reaches the caller, as it would in a test.
CELERY_TASK_EAGER_PROPAGATES = True
# Jobs record their outcome in the database: no result backend.
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged after the job ran: a worker killed mid-job leaves it to another
# (every job is idempotent). One message at a time per worker process, so a
# long broadcast does not hold short SMS jobs behind it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Enqueueing from a web request must not hang on a dead broker: a short wait,
# then the outbox row (written in the request's transaction) waits for the relay.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# The one durable queue every job goes to (workers: `celery -A zzgjj_portal worker -Q zzgjj`).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="zzgjj")
CELERY_TIMEZONE = TIME_ZONE
# celery beat (one instance): the outbox relay and the daily retention run.
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "zzgjj_portal.outbox_relay", "schedule": 30.0},
    "portal-cleanup": {
        "task": "zzgjj_portal.portal_cleanup",
        "schedule": crontab(hour=3, minute=30),
    },
    # Decisions the core has not booked in TASKS_DECISION_BOOKING_DAYS fail;
    # hourly, so one fails within the hour its time is up.
    "decisions-expire": {"task": "tasks.decisions_expire", "schedule": crontab(minute=15)},
    # /verify/'s per-IP counters of ended hours (inquiry.certificates.throttle).
    "verify-throttles-prune": {"task": "inquiry.verify_throttles_prune", "schedule": crontab(hour=3, minute=40)},
}
if INQUIRY_IMPORT_INBOX:
    # One import at a time (the import's own lock); a run that outlives the
    # interval makes the next one refuse at once, nothing more.
    CELERY_BEAT_SCHEDULE["books-inbox"] = {
        "task": "inquiry.books_inbox_import",
        "schedule": float(INQUIRY_IMPORT_INBOX_SECONDS),
        "options": {"expires": INQUIRY_IMPORT_INBOX_SECONDS},
    }

# Security audit rows are kept this many days, then `portal_cleanup` deletes them.
PORTAL_AUDIT_RETENTION_DAYS = env.int("PORTAL_AUDIT_RETENTION_DAYS", default=3 * 365)

# Client IP (zzgjj_portal.net.client_ip): X-Forwarded-For is believed only
# from these addresses or networks (our reverse proxy), e.g. 127.0.0.1 or
# 10.0.0.0/24; otherwise the connection's address counts. Checked at start-up.
TRUSTED_PROXIES = [str(ipaddress.ip_network(p.strip(), strict=False)) for p in env.list("TRUSTED_PROXIES", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO ("Step 2 - Fetching and
    # parsing CSS"); only its warnings (e.g. a refused URL) are worth keeping.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

# Second factor of hall staff (django-otp TOTP), required whenever DEBUG is off.
OTP_TOTP_ISSUER = "枣庄公积金服务大厅管理"
# django-otp's own growing wait after a wrong code is off: it refused the right
# code typed next with the wrong-login message, and the login counted it. The
# staff login waits itself (accounts.lockout.staff_wait): after every failure,
# 1, 2, 4, 8 s until the lock, said as 「请 N 秒后再输入动态口令」 and not counted.
OTP_TOTP_THROTTLE_FACTOR = 0
ACCOUNTS_STAFF_RETRY_WAIT_SECONDS = 1

# --- Watching it: request ids, logs, health, metrics, error reports ---------

# Request ids (zzgjj_portal/logs.py) come first, so every later middleware's
# log lines carry one; django-prometheus's pair wraps everything to time it.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "zzgjj_portal.logs.RequestIdMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
INSTALLED_APPS += ["django_prometheus"]
# Query counts and latency per database through django-prometheus's backend
# wrappers (a subclass of Django's backend: same vendor, same SQL).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
# /readyz/ checks migrations itself; django-prometheus would query at start-up.
PROMETHEUS_EXPORT_MIGRATIONS = False

# Log lines: JSON (one event a line, for the log collector) unless DEBUG,
# where plain text reads better. Both carry the request id; both mask any ID
# number or phone a message quotes (zzgjj_portal/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING["filters"] = {
    "context": {"()": "zzgjj_portal.logs.ContextFilter"},
    "scrub": {"()": "zzgjj_portal.logs.ScrubFilter"},
}
LOGGING["formatters"] = {
    "json": {"()": "zzgjj_portal.logs.PortalJsonFormatter"},
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
}
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["context", "scrub"])
# The worker logs through LOGGING too (same JSON lines), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Readiness (/readyz/) and metrics (/metrics): besides loopback and
# TRUSTED_PROXIES, these addresses or networks (the monitoring host) may read
# the per-check detail and the metrics. A worker or beat heartbeat older than
# this many seconds fails readiness (beat sends one every 15 s).
PORTAL_HEALTH_ALLOW = [
    str(ipaddress.ip_network(p.strip(), strict=False)) for p in env.list("PORTAL_HEALTH_ALLOW", default=[])
]
PORTAL_HEALTH_HEARTBEAT_SECONDS = 60
PORTAL_HEALTH_REDIS_URL = env.str("REDIS_URL", default="")
# The readiness heartbeat joins the beat schedule (`celery -A zzgjj_portal beat`).
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "zzgjj_portal.jobs.heartbeat",
    "schedule": 15.0,
    "options": {"expires": 60},
}
# Gauges computed when Prometheus scrapes (zzgjj_portal/metrics.py): the age
# of the oldest pending row of each outbox (label, model, its created and
# done timestamp fields: pending while done is null), and the time of the last
# successful run of each (label, model, timestamp field). Models that do not
# exist (yet) are skipped.
PORTAL_METRICS_OUTBOXES = [("outbox", "zzgjj_portal.OutboxItem", "created_at", "done_at")]
# An optional fourth item filters the rows that count (only applied imports).
PORTAL_METRICS_LAST_SUCCESS = [("import", "inquiry.ImportRun", "finished_at", {"status": "applied"})]

# Errors to Sentry when SENTRY_DSN is set, with personal data scrubbed
# (zzgjj_portal/sentry.py); nothing is sent without it.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from zzgjj_portal.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
# With PROMETHEUS_MULTIPROC_DIR set, a scrape also adds up the metric files
# of these directories (the other gunicorn pool, the Celery worker).
PORTAL_METRICS_DIRS = env.list("PORTAL_METRICS_DIRS", default=[])
