"""Project-wide pytest fixtures: fast hashing, a member who can log in, and
real headless Chromium for browser tests."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MEMBER_PASSWORD = "Secret#2026a"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests that are not about hashing use MD5.
    Mark a test `real_hashers` to keep the production hashers."""
    if "real_hashers" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run without `collectstatic`: no manifest, files found by the finders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _page_cache_on(settings, request):
    """Every test runs with the member page cache on (as production does with
    Redis), in a per-process memory cache emptied for each test: any test that
    changes data and then reads a page would fail on a stale cached page."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PAGE_CACHE_SECONDS = 300
    caches["default"].clear()


@pytest.fixture(autouse=True, scope="session")
def _jinja2_renders_recorded():
    """Test-only: the test client learns what a response rendered (its
    `response.context`, `response.templates`, assertTemplateUsed) from the
    `template_rendered` signal, which only Django's engine sends (through
    Django's instrumented_test_render). The portal's pages are Jinja2, so the
    Jinja2 backend's Template.render sends it too, as Django does: before
    rendering, with the whole context (the view's, `request`, the context
    processors'), the compiled jinja2.Template (it has `.name`) as template.
    Templates a page extends or includes render inside that one call and are
    not recorded."""
    import copy

    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    class Signalling:
        """Stands in for the compiled template during one render() call."""

        def __init__(self, template):
            self.template = template

        def render(self, context):
            template_rendered.send(sender=self.template, template=self.template, context=context)
            return self.template.render(context)

    original = backend.Template.render

    def render(self, context=None, request=None):
        recorded = copy.copy(self)
        recorded.template = Signalling(self.template)
        return original(recorded, context, request)

    backend.Template.render = render
    yield
    backend.Template.render = original


def pytest_configure(config):
    config.addinivalue_line("markers", "real_hashers: keep the production password hashers")


@pytest.fixture
def member_user(db):
    """A registered member with a fund account and the password MEMBER_PASSWORD."""
    from accounts.tests.factories import MemberUserFactory

    return MemberUserFactory(password=MEMBER_PASSWORD)


@pytest.fixture
def member_client(client, member_user):
    client.force_login(member_user)
    return client


def staff_totp_device(user):
    """The staff member's confirmed TOTP device (created once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def totp_token(device) -> str:
    """The device's current 6-digit token, as the staff member's app shows it."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def log_in_staff(client, user):
    """Log hall staff into the test client as admin would after a full login:
    password and a verified second factor (the session remembers the TOTP
    device, as `django_otp.login` does). Every test that needs a staff
    session goes through here."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = staff_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def browser_log_in_staff(page, live_server, user, password):
    """Log staff in through the real admin login form in the browser: captcha
    "PASSED" (CAPTCHA_TEST_MODE, set by the caller's settings) and a valid token."""
    device = staff_totp_device(user)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.fill("#id_otp_token", totp_token(device))
    page.fill("#id_captcha_1", "PASSED")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


@pytest.fixture
def staff_client(client, db):
    """A client logged in as hall staff (a superuser); the user is `client.staff`."""
    from accounts.tests.factories import StaffUserFactory

    client.staff = StaffUserFactory()
    return log_in_staff(client, client.staff)


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def run_jobs(db):
    """Deliver every pending outbox item now, as the queue would after a commit
    (a test's transaction never commits, so the on-commit enqueue never runs).
    Returns how many were delivered."""

    def run() -> int:
        from zzgjj_portal.models import OutboxItem
        from zzgjj_portal.outbox import outbox_deliver

        pks = list(OutboxItem.objects.filter(done_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        for pk in pks:
            outbox_deliver(pk)
        return len(pks)

    return run


SIGNER_PASSPHRASE = "certificate-tests-passphrase"


@pytest.fixture(scope="session")
def certificate_signer_file(tmp_path_factory):
    """One development signing certificate for the session's certificate tests
    (an RSA-3072 key takes a moment to make: once, not per test)."""
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    path = tmp_path_factory.mktemp("signer") / "center.p12"
    with override_settings(CERTIFICATE_SIGNER_PASSPHRASE=SIGNER_PASSPHRASE):
        call_command("certificate_signer_create", path=str(path), days=365, stdout=StringIO())
    return path


@pytest.fixture
def center_signer(settings, certificate_signer_file):
    """The center's signing certificate configured (a test one)."""
    settings.CERTIFICATE_SIGNER_P12 = str(certificate_signer_file)
    settings.CERTIFICATE_SIGNER_PASSPHRASE = SIGNER_PASSPHRASE
    settings.PORTAL_BASE_URL = "https://gjj.example.cn"
    return certificate_signer_file
