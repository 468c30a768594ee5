"""Enumeration costs a lock: 「您尚未注册」 answers count against the IP;
new captchas are capped per client IP per minute."""

from http import HTTPStatus

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from accounts import texts
from accounts.models import LoginThrottle
from accounts.tests.conftest import CAPTCHA

pytestmark = pytest.mark.django_db


def _login(client, identifier, ip="10.3.3.3"):
    data = {"identifier": identifier, "password": "Anything#2026", **CAPTCHA}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def _error(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_not_registered_answer_stays_helpful_and_counts_against_the_ip(client, member):
    response = _login(client, member.id_number)
    assert _error(response) == texts.NOT_REGISTERED
    assert LoginThrottle.objects.get(key="ip:10.3.3.3").failures == 1


def test_twenty_not_registered_answers_lock_the_ip(client, member, settings):
    from inquiry.tests.factories import MemberFactory

    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 1000
    others = [MemberFactory() for _ in range(19)]
    for other in [member, *others]:
        _login(client, other.id_number)
    response = _login(client, member.phone)
    assert "本机已被临时锁定" in _error(response)
    assert _login(client, member.phone, ip="10.3.3.4").status_code == HTTPStatus.OK


@pytest.mark.parametrize("url", ["/", "/register/", "/password/forgot/", "/admin/login/"])
def test_captcha_pages_are_capped_per_ip_per_minute(client, settings, url, clock):
    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(url, REMOTE_ADDR="10.4.4.4").status_code == HTTPStatus.OK
    stored = CaptchaStore.objects.count()
    response = client.get(url, REMOTE_ADDR="10.4.4.4")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "操作过于频繁" in response.content.decode()
    assert CaptchaStore.objects.count() == stored  # no new challenge row
    assert client.get(url, REMOTE_ADDR="10.4.4.5").status_code == HTTPStatus.OK
    clock.advance(seconds=61)
    assert client.get(url, REMOTE_ADDR="10.4.4.4").status_code == HTTPStatus.OK


def test_captcha_refresh_is_capped_too(client, settings):
    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 2
    url = reverse("captcha-refresh")
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "REMOTE_ADDR": "10.4.4.6"}
    assert [client.get(url, **headers).status_code for _ in range(3)] == [200, 200, 429]
