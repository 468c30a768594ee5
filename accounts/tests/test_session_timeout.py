"""Session limits: 15 minutes idle, 8 hours absolute, then the login page says why."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts import texts
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_session_idle_timeout_logs_out_with_a_message(member_client, clock):
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
    clock.advance(minutes=15, seconds=1)
    response = member_client.get(reverse("tasks:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert texts.SESSION_IDLE.format(minutes=15) in response.content.decode()
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SESSION_EXPIRED).exists()


def test_session_activity_keeps_the_session_alive(member_client, clock):
    for _ in range(4):
        clock.advance(minutes=14)
        assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK


def test_session_absolute_limit_of_eight_hours(member_client, clock):
    elapsed = 0
    while elapsed < 8 * 60:
        assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
        clock.advance(minutes=14)
        elapsed += 14
    response = member_client.get(reverse("tasks:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert texts.SESSION_ABSOLUTE.format(hours=8) in response.content.decode()


def test_session_cookie_flags(client, settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize("idle_minutes", [1, 2, 15])
def test_session_idle_limit_never_ends_an_active_session(member_client, clock, settings, idle_minutes):
    # A request every half of the limit (plus a little jitter): never idle
    # that long, so never logged out, however short the limit is.
    settings.SESSION_IDLE_MINUTES = idle_minutes
    for _ in range(8):
        assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
        clock.advance(seconds=idle_minutes * 30 + 0.5)
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK


def test_session_idle_limit_of_one_minute_ends_an_idle_session(member_client, clock, settings):
    settings.SESSION_IDLE_MINUTES = 1
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
    clock.advance(seconds=30)
    assert member_client.get(reverse("tasks:home")).status_code == HTTPStatus.OK
    clock.advance(seconds=61)
    response = member_client.get(reverse("tasks:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert texts.SESSION_IDLE.format(minutes=1) in response.content.decode()
