"""Deployment checks and the project's settings rules."""

from django.core.management import call_command

from zzgjj_portal.checks import captcha_test_mode_check


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


def test_cache_is_shared_between_processes(settings):
    # Lockouts and rate limits must hold across gunicorn workers.
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend.lower()


def test_system_check_clean():
    call_command("check", fail_level="WARNING")


def test_createsuperuser_works_with_custom_user(db, monkeypatch):
    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Staff#2026pass")
    call_command("createsuperuser", "--noinput", username="hallstaff", verbosity=0)
    staff = User.objects.get(username="hallstaff")
    assert staff.is_superuser and staff.is_staff and staff.member is None


def test_tests_run_with_production_security_settings(settings):
    # pytest.ini pins DEBUG off, so a developer's .env (DEBUG=true) changes nothing here.
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS > 0
