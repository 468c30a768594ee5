"""Every error answer carries the security headers a page does, and is never
stored: the 400 pages (NUL byte, bad admin parameter, unknown host), 403
(no permission, CSRF failure), 404, 429 and 500. Each is produced the way a
browser meets it, through the whole middleware stack."""

from http import HTTPStatus

import pytest
from django.test import Client

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


def _nul_byte(client, member_user, settings, monkeypatch):
    return client.get("/", {"q": "\x00"})


def _nul_byte_logged_in(client, member_user, settings, monkeypatch):
    client.force_login(member_user)
    return client.get("/info/", {"q": "abc\x00"})


def _bad_admin_parameter(client, member_user, settings, monkeypatch):
    log_in_staff(client, StaffUserFactory())
    return client.get(f"/admin/inquiry/ledgerentry/?booked_on__year={HUGE}")


def _unknown_host(client, member_user, settings, monkeypatch):
    return client.get("/", HTTP_HOST="evil.example")


def _admin_without_permission(client, member_user, settings, monkeypatch):
    log_in_staff(client, StaffUserFactory(is_superuser=False))
    return client.get("/admin/inquiry/member/")


def _csrf_failure(client, member_user, settings, monkeypatch):
    return Client(enforce_csrf_checks=True).post("/", {"identifier": member_user.member.id_number, "password": "x"})


def _not_found(client, member_user, settings, monkeypatch):
    client.force_login(member_user)
    return client.get("/no-such-page/")


def _too_many_captchas(client, member_user, settings, monkeypatch):
    settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE = 0
    client.get("/")
    return client.get("/")


def _server_error(client, member_user, settings, monkeypatch):
    from inquiry import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.BasicInfoView, "get", boom)
    client.force_login(member_user)
    return client.get("/info/")


CASES = {
    "400 NUL byte": (HTTPStatus.BAD_REQUEST, _nul_byte),
    "400 NUL byte, logged in": (HTTPStatus.BAD_REQUEST, _nul_byte_logged_in),
    "400 bad admin parameter": (HTTPStatus.BAD_REQUEST, _bad_admin_parameter),
    "400 unknown host": (HTTPStatus.BAD_REQUEST, _unknown_host),
    "403 no permission": (HTTPStatus.FORBIDDEN, _admin_without_permission),
    "403 CSRF failure": (HTTPStatus.FORBIDDEN, _csrf_failure),
    "404": (HTTPStatus.NOT_FOUND, _not_found),
    "429": (HTTPStatus.TOO_MANY_REQUESTS, _too_many_captchas),
    "500": (HTTPStatus.INTERNAL_SERVER_ERROR, _server_error),
}


@pytest.fixture(params=list(CASES))
def error_response(request, client, member_user, settings, monkeypatch):
    status, make = CASES[request.param]
    client.raise_request_exception = False
    response = make(client, member_user, settings, monkeypatch)
    assert response.status_code == status, request.param
    return response


def test_error_answer_carries_the_security_headers(error_response):
    headers = error_response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def test_error_answer_is_never_stored(error_response):
    directives = {d.strip() for d in error_response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, error_response.headers.get("Cache-Control")
