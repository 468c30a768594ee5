"""Login protection: captcha first, lockout per member and per IP, audit."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.urls import reverse

from accounts import texts
from accounts.models import LoginThrottle
from accounts.tests.conftest import CAPTCHA
from conftest import MEMBER_PASSWORD
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
WRONG = "Wrong#2026a"


def _login(client, identifier, password, ip="10.1.1.1", captcha="PASSED", **meta):
    data = {"identifier": identifier, "password": password, **CAPTCHA, "captcha_1": captcha}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip, **meta)


def _error(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_login_wrong_captcha_checks_no_password(client, member_user):
    with mock.patch("accounts.services.authenticate") as authenticate:
        response = _login(client, member_user.member.id_number, MEMBER_PASSWORD, captcha="NOPE")
    authenticate.assert_not_called()
    assert response.status_code == HTTPStatus.OK
    assert not LoginThrottle.objects.exclude(key__startswith="captcha:").exists()


def test_login_five_failures_lock_the_member_whatever_was_typed(client, member_user):
    member = member_user.member
    for identifier in (member.id_number, member.phone, member.id_number, member.phone):
        assert _error(_login(client, identifier, WRONG)) == "身份证号/手机号或用户密码错误"
    response = _login(client, member.phone, WRONG)
    assert _error(response) == texts.LOCKED.format(minutes=15)
    # Even the right password is refused while locked, by ID number or phone.
    assert _error(_login(client, member.id_number, MEMBER_PASSWORD)) == texts.LOCKED.format(minutes=15)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, member=member).count() == 1


def test_login_lock_lifts_by_itself_after_fifteen_minutes(client, member_user, clock):
    member = member_user.member
    for _ in range(5):
        _login(client, member.id_number, WRONG)
    clock.advance(minutes=10)
    assert _error(_login(client, member.id_number, MEMBER_PASSWORD)) == texts.LOCKED.format(minutes=5)
    clock.advance(minutes=5, seconds=1)
    response = _login(client, member.phone, MEMBER_PASSWORD)
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("tasks:home")


def test_login_success_clears_the_member_counter(client, member_user):
    member = member_user.member
    for _ in range(4):
        _login(client, member.id_number, WRONG)
    _login(client, member.id_number, MEMBER_PASSWORD)
    client.logout()
    for _ in range(4):
        assert _error(_login(client, member.id_number, WRONG)) == "身份证号/手机号或用户密码错误"


def test_login_failures_spread_out_do_not_add_up(client, member_user, clock):
    member = member_user.member
    for _ in range(4):
        _login(client, member.id_number, WRONG)
    clock.advance(minutes=16)
    _login(client, member.id_number, WRONG)
    response = _login(client, member.id_number, MEMBER_PASSWORD)
    assert response.status_code == HTTPStatus.FOUND


def test_login_twenty_failures_from_one_ip_lock_that_ip(client, member_user, clock):
    from accounts.tests.factories import MemberUserFactory

    for index in range(20):
        # 4 tries each on 5 different members: no member reaches its own limit.
        if index % 4 == 0:
            victim = MemberUserFactory().member
        _login(client, victim.id_number, WRONG, ip="10.7.7.7")
    response = _login(client, member_user.member.id_number, MEMBER_PASSWORD, ip="10.7.7.7")
    assert _error(response) == texts.IP_LOCKED.format(minutes=15)
    assert _login(client, member_user.member.id_number, MEMBER_PASSWORD, ip="10.7.7.8").status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, detail__contains="10.7.7.7").exists()


def test_login_unknown_identifier_locks_like_a_known_one(client):
    for _ in range(5):
        response = _login(client, "13900000000", WRONG)
    assert _error(response) == texts.LOCKED.format(minutes=15)


def test_login_ip_comes_from_the_trusted_proxy(client, member_user, settings):
    settings.TRUSTED_PROXIES = ["10.1.1.1"]
    _login(client, member_user.member.id_number, WRONG, HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert LoginThrottle.objects.filter(key="ip:5.6.7.8").exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILURE)
    assert event.ip == "5.6.7.8"


def test_login_audits_success_failure_and_logout(client, member_user):
    member = member_user.member
    _login(client, member.phone, WRONG, HTTP_USER_AGENT="TestBrowser/1.0")
    failure = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILURE)
    assert failure.member == member and failure.ip == "10.1.1.1" and failure.user_agent == "TestBrowser/1.0"
    assert failure.detail == member.phone[:3] + "****" + member.phone[-4:]
    _login(client, member.id_number, MEMBER_PASSWORD)
    success = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_SUCCESS)
    assert success.actor == member_user and member.id_number not in success.detail
    assert success.detail.startswith(member.id_number[:6]) and success.detail.endswith(member.id_number[-4:])
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, actor=member_user).exists()


def test_login_rotates_the_session_key(client, member_user):
    client.get(reverse("accounts:login"))
    client.session["probe"] = 1
    before = client.session.session_key
    _login(client, member_user.member.id_number, MEMBER_PASSWORD)
    assert client.session.session_key != before


@pytest.mark.real_hashers
def test_login_upgrades_an_older_hash_to_argon2(client, member_user):
    from django.contrib.auth.hashers import make_password

    member_user.password = make_password(MEMBER_PASSWORD, hasher="pbkdf2_sha256")
    member_user.save(update_fields=["password"])
    response = _login(client, member_user.member.id_number, MEMBER_PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    member_user.refresh_from_db()
    assert member_user.password.startswith("argon2")


def test_login_attempt_while_locked_is_audited_without_a_password_check(client, member_user):
    member = member_user.member
    for _ in range(5):
        _login(client, member.id_number, WRONG)
    with mock.patch("accounts.services.authenticate") as authenticate:
        _login(client, member.phone, MEMBER_PASSWORD)
    authenticate.assert_not_called()
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE).first()
    assert "锁定中" in event.detail and member.phone not in event.detail


@pytest.mark.django_db(transaction=True)
def test_login_concurrent_wrong_passwords_check_no_more_than_the_limit():
    """16 wrong passwords at once: each checked one counts, so only 5 are checked
    and the rest are refused as locked (before the counter row was held for the
    whole attempt, 16 concurrent tries checked 6)."""
    import threading

    from django.db import connection
    from django.test import RequestFactory

    from accounts import services
    from accounts.tests.factories import MemberUserFactory

    if connection.vendor == "sqlite":
        pytest.skip("needs a server database with row locks")
    member = MemberUserFactory(password=MEMBER_PASSWORD).member
    barrier = threading.Barrier(16)
    codes = []

    def attempt(number):
        from django.db import connection as thread_connection

        request = RequestFactory().post("/", REMOTE_ADDR=f"10.2.0.{number}")
        try:
            barrier.wait()
            services.login_attempt(identifier=member.id_number, password=WRONG, request=request)
        except services.Refusal as refusal:
            codes.append(refusal.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE).exclude(detail__contains="锁定中")
    assert checked.count() == 5
    assert codes.count("invalid_login") == 4 and codes.count("locked") == 12
    assert LoginThrottle.objects.get(key=f"member:{member.pk}").failures == 5
