"""The client IP: X-Forwarded-For only from a trusted proxy, only a real IP
address, never an exception."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import LoginThrottle
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.net import client_ip, parse_ip

PROXY = "10.0.0.5"


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2.3.4", "1.2.3.4"),
        (" 1.2.3.4 ", "1.2.3.4"),
        ("1.2.3.4:5678", "1.2.3.4"),
        ("::1", "::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("not-an-ip", None),
        ("<script>", None),
        ("1.2.3.4.5", None),
        ("999.1.1.1", None),
        ("", None),
        ("1" * 1000, None),
        ("1.2.3.4\x00", None),
    ],
)
def test_parse_ip_accepts_addresses_and_refuses_the_rest(value, expected):
    result = parse_ip(value)
    assert (str(result) if result else None) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No trusted proxy configured: the header is anybody's, ignored.
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9:5555", None, "203.0.113.9"),
        ("not-an-ip", None, None),
    ],
)
def test_client_ip_without_trusted_proxies_is_the_connection(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = []
    assert _ip(remote, forwarded) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "1.2.3.4", "1.2.3.4"),
        (PROXY, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the left part is the client's own words
        (PROXY, "1.2.3.4:5678", "1.2.3.4"),
        (PROXY, "1.2.3.4, 10.0.0.7", "1.2.3.4"),  # a second trusted proxy is skipped
        (PROXY, "not-an-ip", PROXY),
        (PROXY, "<script>", PROXY),
        (PROXY, "", PROXY),
        (PROXY, None, PROXY),
        # A client that reaches the server directly cannot choose its address.
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
    ],
)
def test_client_ip_honours_forwarded_for_only_from_a_trusted_proxy(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _ip(remote, forwarded) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["not-an-ip", "<script>", "1.2.3.4:5678", "\u202e1.1.1.1"])
def test_login_with_a_hostile_forwarded_for_counts_and_audits_the_failure(client, member_user, settings, forwarded):
    settings.TRUSTED_PROXIES = [PROXY]
    data = {
        "identifier": member_user.member.id_number,
        "password": "Wrong#2026a",
        "captcha_0": "t",
        "captcha_1": "PASSED",
    }
    response = client.post(reverse("accounts:login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == HTTPStatus.OK
    expected = "1.2.3.4" if forwarded == "1.2.3.4:5678" else PROXY
    assert LoginThrottle.objects.filter(key=f"ip:{expected}", failures=1).exists()
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILURE).ip == expected


@pytest.mark.django_db
def test_rotating_forwarded_for_without_a_proxy_does_not_escape_the_ip_lock(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(20):
        data = {"identifier": f"1390000{n:04d}", "password": "Wrong#2026a", "captcha_0": "t", "captcha_1": "PASSED"}
        client.post(reverse("accounts:login"), data, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}")
    assert LoginThrottle.objects.get(key="ip:203.0.113.9").failures == 20
