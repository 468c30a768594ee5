"""Bench-only settings: production settings plus the floor URL and the
captcha test mode, so the load tool can log members in. Never deployed:
`bench/run.py` is the only thing that points DJANGO_SETTINGS_MODULE here."""

from zzgjj_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The load tool logs in with the captcha answer "PASSED"; production never has this.
CAPTCHA_TEST_MODE = True
# Loopback HTTP: the bench has no TLS proxy in front, so cookies must travel over http.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Nor does it redirect to https (production does, behind its TLS proxy).
SECURE_SSL_REDIRECT = False
