"""Deployment checks and the project's settings rules."""

import pytest
from django.core.management import call_command

from zzgjj_portal.checks import captcha_test_mode_check, certificate_address_check


def test_captcha_test_mode_warns_when_debug_off(settings):
    settings.CAPTCHA_TEST_MODE = True
    settings.DEBUG = False
    assert [w.id for w in captcha_test_mode_check(None)] == ["zzgjj.W001"]


def test_captcha_test_mode_silent_in_development_or_off(settings):
    settings.CAPTCHA_TEST_MODE = True
    settings.DEBUG = True
    assert captcha_test_mode_check(None) == []
    settings.CAPTCHA_TEST_MODE = False
    settings.DEBUG = False
    assert captcha_test_mode_check(None) == []


def test_no_missing_migrations(db):
    # Fails (SystemExit) when a model changed without its migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_cache_is_shared_between_processes(monkeypatch):
    # Sessions and cached pages must hold across gunicorn workers: Redis when
    # REDIS_URL is set, else a database table, never per-process memory. The
    # settings module as each environment makes it (the test fixtures swap in
    # a memory cache per test).
    from django.core.cache.backends.db import DatabaseCache
    from django.core.cache.backends.redis import RedisCache
    from django.utils.module_loading import import_string

    from zzgjj_portal.tests.settingsprobe import configured

    monkeypatch.delenv("CACHE_URL", raising=False)
    cache = configured(monkeypatch, REDIS_URL="")["CACHES"]["default"]
    assert issubclass(import_string(cache["BACKEND"]), DatabaseCache)
    assert cache["LOCATION"] == "portal_cache"
    cache = configured(monkeypatch, REDIS_URL="redis://cache.example:6379/3")["CACHES"]["default"]
    assert issubclass(import_string(cache["BACKEND"]), RedisCache)
    assert cache["LOCATION"] == "redis://cache.example:6379/3"


def test_system_check_clean():
    call_command("check", fail_level="WARNING")


def test_createsuperuser_works_with_custom_user(db, monkeypatch):
    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Staff#2026pass")
    call_command("createsuperuser", "--noinput", username="hallstaff", name="张大厅", verbosity=0)
    staff = User.objects.get(username="hallstaff")
    assert staff.is_superuser and staff.is_staff and staff.member is None and staff.name == "张大厅"


def test_tests_run_with_production_security_settings(settings):
    # pytest.ini pins DEBUG off, so a developer's .env (DEBUG=true) changes nothing here.
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS > 0


# README's production environment (the values are examples; the names are what an operator sets).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-example-production-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "gjj.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://gjj.example.cn",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXIES": "127.0.0.1",
    "SMS_GATEWAY_URL": "https://sms.example.cn/send",
    "SMS_GATEWAY_KEY": "example-key",
    # The center's signing certificate: the test writes a self-signed stand-in there.
    "CERTIFICATE_SIGNER_PASSPHRASE": "example-signer-passphrase",
    "PORTAL_BASE_URL": "https://gjj.example.cn",
    "INQUIRY_CERTIFICATE_CODE_KEY": "example-certificate-code-key-0123456789abcdef",
}


def test_check_deploy_is_clean_with_the_readme_production_environment(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # A clean environment: nothing from the developer's shell or pytest.ini
    # (CAPTCHA_TEST_MODE, SECURE_SSL_REDIRECT=false) leaks in.
    from io import StringIO

    from django.test import override_settings

    signer_file = tmp_path / "center-signer.p12"
    with override_settings(CERTIFICATE_SIGNER_PASSPHRASE=PRODUCTION_ENV["CERTIFICATE_SIGNER_PASSPHRASE"]):
        call_command("certificate_signer_create", path=str(signer_file), stdout=StringIO())
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **PRODUCTION_ENV,
        "CERTIFICATE_SIGNER_P12": str(signer_file),
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sessions_end_with_the_browser_and_keep_their_limits(settings):
    from zzgjj_portal import settings as module

    assert module.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert module.SESSION_IDLE_MINUTES == 15 and module.SESSION_ABSOLUTE_HOURS == 8


@pytest.mark.parametrize(
    ("address", "key", "ids"),
    [
        ("https://gjj.example.cn", "k" * 40, []),
        ("", "k" * 40, ["zzgjj.E003"]),
        ("http://gjj.example.cn", "k" * 40, ["zzgjj.E003"]),
        ("https://gjj.example.cn", "", ["zzgjj.W003"]),
    ],
)
def test_certificate_address_and_code_key_are_checked_for_production(settings, address, key, ids):

    settings.PORTAL_BASE_URL, settings.INQUIRY_CERTIFICATE_CODE_KEY = address, key
    assert [problem.id for problem in certificate_address_check(None)] == ids
