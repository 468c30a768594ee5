"""The staff login's second factor and password rule, where a clerk meets them:
a code already used (the same 30-second step) and the wait after a wrong code
are refused with their own message and never counted toward the 5-failure
lock; a password that fails the staff rule gets in only as far as the page
that changes it."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import texts
from accounts.models import LoginThrottle
from accounts.tests.conftest import CAPTCHA
from accounts.tests.factories import StaffUserFactory
from conftest import staff_totp_device, totp_token

pytestmark = pytest.mark.django_db
STAFF_PASSWORD = "Staff#2026pass"
NEW_PASSWORD = "Hall-Counter#7319x"


@pytest.fixture
def staff(db):
    user = StaffUserFactory()
    staff_totp_device(user)
    return user


def _login(client, username, password=STAFF_PASSWORD, token=None, ip="10.2.2.2"):
    data = {"username": username, "password": password, **CAPTCHA, "next": "/admin/"}
    if token is not None:
        data["otp_token"] = token
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=ip)


def _error(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def _token(user) -> str:
    return totp_token(TOTPDevice.objects.get(user=user))


def _wrong(user) -> str:
    return f"{(int(_token(user)) + 500_000) % 1_000_000:06d}"


def _failures(key: str) -> int:
    row = LoginThrottle.objects.filter(key=key).first()
    return row.failures if row else 0


# --- Item 9: a code used once, typed again in the same step -------------------


def test_staff_login_replayed_token_is_refused_without_counting(client, staff):
    token = _token(staff)
    assert _login(client, staff.username, token=token).status_code == HTTPStatus.FOUND
    client.logout()
    for _ in range(6):
        response = _login(client, staff.username, token=token)
        assert response.status_code == HTTPStatus.OK
        assert _error(response) == texts.STAFF_TOKEN_USED
    # Six replays: no failure for the account nor the address, no lock, no wait.
    assert _failures(f"staff:{staff.pk}") == 0 and _failures("ip:10.2.2.2") == 0
    assert TOTPDevice.objects.get(user=staff).throttling_failure_count == 0
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND


def test_staff_login_replayed_token_with_a_wrong_password_counts_as_a_wrong_password(client, staff):
    token = _token(staff)
    _login(client, staff.username, token=token)
    client.logout()
    response = _login(client, staff.username, password="Wrong#2026pass!", token=token)
    assert _error(response) == texts.STAFF_INVALID_LOGIN
    assert _failures(f"staff:{staff.pk}") == 1


# --- Item 20: the right code typed during django-otp's wait -------------------


def test_staff_login_right_token_during_the_wait_says_wait_and_is_not_counted(client, staff, clock):
    assert _error(_login(client, staff.username, token=_wrong(staff))) == texts.STAFF_INVALID_LOGIN
    assert _failures(f"staff:{staff.pk}") == 1
    response = _login(client, staff.username, token=_token(staff))
    assert _error(response) == texts.STAFF_TOKEN_WAIT.format(seconds=1) == "请 1 秒后再输入动态口令"
    assert _failures(f"staff:{staff.pk}") == 1 and _failures("ip:10.2.2.2") == 1
    clock.advance(seconds=1, milliseconds=100)
    assert _login(client, staff.username, token=_token(staff)).status_code == HTTPStatus.FOUND
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_staff_login_wait_grows_and_says_how_long(client, staff, clock):
    for wait in (1, 2, 4):
        _login(client, staff.username, token=_wrong(staff))
        clock.advance(seconds=wait, milliseconds=100)
    # Four wrong codes (each after its wait): the next try waits 8 seconds.
    _login(client, staff.username, token=_wrong(staff))
    response = _login(client, staff.username, token=_token(staff))
    assert _error(response) == texts.STAFF_TOKEN_WAIT.format(seconds=8)
    clock.advance(seconds=5)
    assert _error(_login(client, staff.username, token=_token(staff))) == texts.STAFF_TOKEN_WAIT.format(seconds=3)
    assert _failures(f"staff:{staff.pk}") == 4
    clock.advance(seconds=3)
    assert _login(client, staff.username, token=_token(staff)).status_code == HTTPStatus.FOUND


def test_staff_login_during_the_wait_checks_no_password(client, staff):
    # The wait is answered before the password is checked, and it follows a
    # wrong password as well as a wrong code: so it tells nobody whether the
    # password they typed was right.
    _login(client, staff.username, password="Wrong#2026pass!", token=_token(staff))
    with mock.patch("accounts.services.authenticate") as authenticate:
        response = _login(client, staff.username, password="Other#2026pass!", token=_token(staff))
    authenticate.assert_not_called()
    assert _error(response) == texts.STAFF_TOKEN_WAIT.format(seconds=1)
    assert _failures(f"staff:{staff.pk}") == 1


# --- Item 21: a password that fails the staff rule ----------------------------


@pytest.fixture
def weak_staff(db):
    # As `createsuperuser --noinput` makes one: DJANGO_SUPERUSER_PASSWORD=abc, no validators run.
    user = StaffUserFactory(username="boss", password=make_password("abc"))
    staff_totp_device(user)
    return user


def test_staff_weak_password_reaches_only_the_password_change(client, weak_staff):
    response = _login(client, "boss", password="abc", token=_token(weak_staff))
    assert response.status_code == HTTPStatus.FOUND
    change = reverse("admin:password_change")
    for url in (reverse("admin:index"), reverse("admin:inquiry_member_changelist"), "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url == change, url
    page = client.get(change, follow=True)
    assert page.status_code == HTTPStatus.OK
    rule = texts.STAFF_PASSWORD_WEAK.format(min_length=settings.ACCOUNTS_STAFF_PASSWORD_MIN_LENGTH)
    assert rule in page.content.decode()


def test_staff_weak_password_change_must_meet_the_rule_then_admin_opens(client, weak_staff):
    _login(client, "boss", password="abc", token=_token(weak_staff))
    change = reverse("admin:password_change")
    weak = {"old_password": "abc", "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    assert client.post(change, weak).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:index")).url == change
    strong = {"old_password": "abc", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(change, strong).status_code == HTTPStatus.FOUND
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK
    weak_staff.refresh_from_db()
    assert weak_staff.check_password(NEW_PASSWORD)


def test_staff_strong_password_goes_straight_to_admin(client, staff):
    _login(client, staff.username, token=_token(staff))
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:inquiry_member_changelist")).status_code == HTTPStatus.OK


def test_staff_weak_password_logout_still_works(client, weak_staff):
    _login(client, "boss", password="abc", token=_token(weak_staff))
    response = client.post(reverse("admin:logout"))
    assert response.status_code == HTTPStatus.OK
    assert client.get(reverse("admin:index")).url.startswith(reverse("admin:login"))


def test_totp_token_replayed_only_for_a_used_step():
    from types import SimpleNamespace

    from django_otp.oath import hotp

    from accounts.totp import token_replayed

    key, now = b"12345678901234567890", 1_800_000_015.0
    step = int(now) // 30
    device = SimpleNamespace(bin_key=key, step=30, t0=0, digits=6, drift=0, tolerance=1, last_t=step)
    code = lambda t: f"{hotp(key, t, digits=6):06d}"  # noqa: E731
    assert token_replayed(device, code(step), now=now)  # the same code, same 30 s
    assert token_replayed(device, code(step - 1), now=now)  # the previous one, still in tolerance
    assert not token_replayed(device, code(step + 1), now=now)  # the next code: fresh
    assert not token_replayed(device, code(step - 5), now=now)  # too old: simply wrong
    assert not token_replayed(SimpleNamespace(**{**vars(device), "last_t": -1}), code(step), now=now)
    assert not token_replayed(device, "abcdef", now=now)
