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


def log_in_staff(client, user):
    """Log hall staff into the test client as admin would after a full login.
    Every test that needs a staff session goes through here, so a stronger
    staff login (e.g. a second factor) is set up in one place."""
    client.force_login(user)
    return client


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
