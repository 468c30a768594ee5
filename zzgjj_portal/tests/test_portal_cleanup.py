"""The daily retention job deletes what has expired and keeps the rest."""

from datetime import timedelta
from io import StringIO

import pytest
from captcha.models import CaptchaStore
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from zzgjj_portal.management.commands import portal_cleanup
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def make_session(expire_in: timedelta) -> str:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(expire_in)
    store.create()
    return store.session_key


def test_portal_cleanup_deletes_expired_rows_and_keeps_live_ones(settings, monkeypatch):
    monkeypatch.setattr(portal_cleanup, "BATCH", 2)  # several batches with a handful of rows
    settings.PORTAL_AUDIT_RETENTION_DAYS = 1095
    now = timezone.now()
    expired = [make_session(timedelta(seconds=-60)) for _ in range(3)]
    live = make_session(timedelta(hours=1))
    CaptchaStore.objects.create(challenge="AB", response="ab", hashkey="old", expiration=now - timedelta(minutes=1))
    CaptchaStore.objects.create(challenge="CD", response="cd", hashkey="new", expiration=now + timedelta(minutes=5))
    audit = AuditEvent
    old = [audit.objects.create(kind="login_success", created_at=now - timedelta(days=1096)) for _ in range(3)]
    kept = audit.objects.create(kind="login_success", created_at=now - timedelta(days=1094))
    throttle = apps.get_model("accounts", "LoginThrottle")
    throttle.objects.create(key="ip:127.0.0.1", failures=1, last_failure_at=now - timedelta(days=1))

    out = StringIO()
    call_command("portal_cleanup", stdout=out)

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert set(expired).isdisjoint(Session.objects.values_list("session_key", flat=True))
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == ["new"]
    assert list(audit.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not audit.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert throttle.objects.count() == 0  # accounts_cleanup ran too
    assert "3 sessions, 1 captchas, 3 audit rows older than 1095 days" in out.getvalue()


def test_portal_cleanup_retention_is_a_setting(settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 30
    audit = AuditEvent
    audit.objects.create(kind="logout", created_at=timezone.now() - timedelta(days=31))
    call_command("portal_cleanup", stdout=StringIO())
    assert audit.objects.count() == 0
