"""Settings for the Zaozhuang provident fund member portal.

This is the one place that reads the environment (django-environ); every
variable is documented with its default in `.env.example`.
"""

from pathlib import Path

import environ

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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "captcha",
    "zzgjj_portal",
    "accounts",
    "inquiry",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Secure by default: every page needs a login unless marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle (SESSION_IDLE_MINUTES) and absolute (SESSION_ABSOLUTE_HOURS) session limits.
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zzgjj_portal.urls"
WSGI_APPLICATION = "zzgjj_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# Widgets render through TEMPLATES, so templates/ can override a library's
# widget (the captcha image that reloads on click).
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and lockouts must hold across several gunicorn workers, so the
# default cache is the database (shared), never per-process memory.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": env.cache("CACHE_URL", default="dbcache://portal_cache")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.MemberBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "inquiry:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live server-side: registration and reset progress is kept there.
# With Redis, sessions are read from the cache and written through to the
# database (cached_db): every logged-in request reads its session, and a
# Redis GET is cheaper than a PostgreSQL query; the database copy survives a
# Redis restart, so nobody is logged out by one.
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
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=8)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
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
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_TIMEOUT = 5  # minutes

# Short messages (accounts.sms). The console backend prints codes, so it is
# only the default in development; production talks to the provider's gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.ConsoleBackend" if DEBUG else "accounts.sms.GatewayBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
SMS_SIGN = env.str("SMS_SIGN", default="枣庄住房公积金")

# SMS codes: lifetime, tries and send limits (per reserved phone and per client IP).
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
# Refused 信息校验 attempts (registration / forgot password) per client IP per lock period.
ACCOUNTS_IDENTITY_IP_FAILURES = 20

# Security audit rows are kept this many days, then `portal_cleanup` deletes them.
PORTAL_AUDIT_RETENTION_DAYS = env.int("PORTAL_AUDIT_RETENTION_DAYS", default=3 * 365)

# Client IP: REMOTE_ADDR unless we are told how many proxies to trust.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO ("Step 2 - Fetching and
    # parsing CSS"); only its warnings (e.g. a refused URL) are worth keeping.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
