"""The admin login of hall staff: captcha, lockout (5 per account, 20 per IP),
a TOTP second factor whenever DEBUG is off, masked audit, strong passwords,
and the enrolment command."""

from http import HTTPStatus
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import texts
from accounts.models import LoginThrottle
from accounts.tests.conftest import CAPTCHA
from accounts.tests.factories import StaffUserFactory
from conftest import MEMBER_PASSWORD, log_in_staff, staff_totp_device, totp_token
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
STAFF_PASSWORD = "Staff#2026pass"


@pytest.fixture
def staff(db):
    user = StaffUserFactory()
    staff_totp_device(user)
    return user


def _login(client, username, password=STAFF_PASSWORD, token=None, ip="10.2.2.2", captcha="PASSED"):
    data = {"username": username, "password": password, **CAPTCHA, "captcha_1": captcha, "next": "/admin/"}
    if token is not None:
        data["otp_token"] = token
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=ip)


def _error(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def _token(user) -> str:
    return totp_token(TOTPDevice.objects.get(user=user))


def test_staff_login_with_password_token_and_captcha_reaches_admin(client, staff):
    response = _login(client, staff.username, token=_token(staff))
    assert response.status_code == HTTPStatus.FOUND and response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_staff_login_page_asks_for_token_and_captcha(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in html and 'name="captcha_1"' in html and "动态口令" in html


def test_staff_login_wrong_captcha_checks_no_password(client, staff):
    with mock.patch("accounts.services.authenticate") as authenticate:
        response = _login(client, staff.username, token=_token(staff), captcha="NOPE")
    authenticate.assert_not_called()
    assert response.status_code == HTTPStatus.OK
    assert not LoginThrottle.objects.exclude(key__startswith="captcha:").exists()


def test_staff_login_right_password_without_token_is_refused_and_counted(client, staff):
    response = _login(client, staff.username)
    assert _error(response) == texts.STAFF_INVALID_LOGIN
    assert LoginThrottle.objects.get(key=f"staff:{staff.pk}").failures == 1
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND


def test_staff_login_wrong_token_is_refused(client, staff):
    good = _token(staff)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert _error(_login(client, staff.username, token=wrong)) == texts.STAFF_INVALID_LOGIN


def _five_failures(client, staff, clock):
    # Each after the short wait that follows a failure (1, 2, 4, 8 s), so each counts.
    for _ in range(5):
        response = _login(client, staff.username, password="Wrong#2026pass!")
        assert "动态口令错误" in _error(response) or "锁定" in _error(response)
        clock.advance(seconds=10)


def test_staff_login_five_failures_lock_the_account_even_with_the_right_password(client, staff, clock):
    _five_failures(client, staff, clock)
    assert LoginThrottle.objects.get(key=f"staff:{staff.pk}").failures == 5
    response = _login(client, staff.username, token=_token(staff))
    assert "账户已被临时锁定" in _error(response)
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT).exists()


def test_staff_login_lock_lifts_after_fifteen_minutes(client, staff, clock):
    _five_failures(client, staff, clock)
    assert "账户已被临时锁定" in _error(_login(client, staff.username, token=_token(staff)))
    clock.advance(minutes=16)
    assert _login(client, staff.username, token=_token(staff)).status_code == HTTPStatus.FOUND


def test_staff_login_twenty_failures_lock_the_ip_across_usernames(client, staff):
    for n in range(20):
        _login(client, f"nobody{n}", password="Wrong#2026pass!")
    response = _login(client, staff.username, token=_token(staff))
    assert "本机已被临时锁定" in _error(response)
    # Another address is not locked.
    assert _login(client, staff.username, token=_token(staff), ip="10.2.2.3").status_code == HTTPStatus.FOUND


def test_staff_login_counter_row_is_locked_per_attempt(client, staff):
    with mock.patch("accounts.services.lockout.counter_hold") as hold:
        _login(client, staff.username, password="Wrong#2026pass!")
    hold.assert_called_once_with(f"staff:{staff.pk}")


def test_staff_without_device_cannot_log_in_when_debug_is_off(client):
    user = StaffUserFactory()
    response = _login(client, user.username, token="123456")
    assert _error(response) == texts.STAFF_NO_DEVICE
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND


def test_staff_without_device_reaches_no_admin_page_even_when_logged_in(client):
    user = StaffUserFactory()
    client.force_login(user)  # a password-only session (e.g. from before the second factor)
    for url in (reverse("admin:index"), reverse("admin:inquiry_member_changelist"), "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(reverse("admin:login"))


def test_staff_without_device_may_log_in_with_password_in_development(client, settings):
    settings.DEBUG = True
    user = StaffUserFactory()
    assert _login(client, user.username).status_code == HTTPStatus.FOUND
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_log_in_staff_helper_gives_a_verified_session(client, staff):
    log_in_staff(client, staff)
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_member_cannot_log_in_to_admin_even_with_a_token(client, member_user):
    response = _login(client, member_user.username, password=MEMBER_PASSWORD, token="123456")
    assert response.status_code == HTTPStatus.OK
    assert _error(response) == texts.STAFF_INVALID_LOGIN


@pytest.mark.parametrize(
    ("typed", "hidden", "shown"),
    [
        ("370402199001011238", "370402199001011238", "370402********1238"),
        ("13812345678", "13812345678", "138****5678"),
        ("37040219900101123X", "37040219900101123X", "370402********123X"),
    ],
)
def test_staff_login_failure_audit_masks_numbers_typed_as_username(client, typed, hidden, shown):
    _login(client, typed, password="whatever-wrong")
    details = " ".join(AuditEvent.objects.values_list("detail", flat=True))
    assert hidden not in details and shown in details


def test_staff_login_failure_audit_keeps_a_plain_username(client):
    _login(client, "clerk-wang", password="whatever-wrong")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE, detail__contains="clerk-wang").exists()


@pytest.mark.parametrize("password", ["zzgjj2026", "Aa1Aa1Aa", "password1234", "staffwang2026"])
def test_staff_password_rules_refuse_short_common_and_similar(password):
    user = StaffUserFactory.build(username="staffwang2026")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_staff_password_rules_accept_a_long_unrelated_password():
    validate_password("Hall-Counter#7319x", StaffUserFactory.build(username="staffwang"))


def test_staff_totp_enrol_prints_uri_and_qr_and_the_device_logs_in(client):
    user = StaffUserFactory()
    out = StringIO()
    call_command("staff_totp_enrol", user.username, stdout=out)
    text = out.getvalue()
    assert "otpauth://totp/" in text and "█" in text
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert _login(client, user.username, token=totp_token(device)).status_code == HTTPStatus.FOUND


def test_staff_totp_enrol_refuses_members_and_a_second_device_without_replace(member_user):
    with pytest.raises(CommandError):
        call_command("staff_totp_enrol", member_user.username, stdout=StringIO())
    user = StaffUserFactory()
    call_command("staff_totp_enrol", user.username, stdout=StringIO())
    first = TOTPDevice.objects.get(user=user)
    with pytest.raises(CommandError):
        call_command("staff_totp_enrol", user.username, stdout=StringIO())
    call_command("staff_totp_enrol", user.username, "--replace", stdout=StringIO())
    assert list(TOTPDevice.objects.filter(user=user)) != [first] and TOTPDevice.objects.filter(user=user).count() == 1


def test_admin_never_shows_a_totp_secret_and_cannot_add_devices(staff_client, staff):
    device = TOTPDevice.objects.get(user=staff)
    html = staff_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in html and "otpauth" not in html
    assert staff_client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == HTTPStatus.FORBIDDEN
    response = staff_client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND and not TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_staff_login_concurrent_wrong_passwords_are_each_counted_and_stop_at_the_lock(settings):
    """A burst of 8 wrong passwords at once: the account's counter row is held
    from the lock check to the count, so at most 5 passwords are ever tried
    (even without the short wait after each failure, turned off here)."""
    import threading

    settings.ACCOUNTS_STAFF_RETRY_WAIT_SECONDS = 0

    from django.db import connection
    from django.test import RequestFactory

    from accounts import services

    if connection.vendor == "sqlite":
        pytest.skip("needs a server database with row locks")
    staff = StaffUserFactory()
    staff_totp_device(staff)
    barrier = threading.Barrier(8)
    codes = []

    def attempt(n):
        from django.db import connection as thread_connection

        request = RequestFactory().post("/admin/login/", REMOTE_ADDR=f"10.9.9.{n}")
        try:
            barrier.wait()
            services.staff_login_attempt(username=staff.username, password="Wrong#2026pass!", token="", request=request)
        except services.Refusal as refusal:
            codes.append(refusal.code)
        finally:
            thread_connection.close()

    with mock.patch("accounts.services.authenticate", wraps=services.authenticate) as authenticate:
        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert authenticate.call_count == 5
    assert sorted(codes) == ["invalid_login"] * 4 + ["locked"] * 4
    assert LoginThrottle.objects.get(key=f"staff:{staff.pk}").failures == 5
