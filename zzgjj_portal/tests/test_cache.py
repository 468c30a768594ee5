"""The shared cache (zzgjj_portal/cache.py): Redis is a cache here, so the
portal answers normally while it is unreachable or hung, and works as a
cache again when it answers.

The outage tests point the cache at a closed port; the shared Redis at
127.0.0.1:6379 is never stopped, and is only used (with keys of this test
run's own prefix, never flushed) by the tests that need a working one."""

import logging
import socket
import threading
import time
import uuid
from http import HTTPStatus

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from conftest import MEMBER_PASSWORD, log_in_staff
from tasks.models import Application
from zzgjj_portal import cache as portal_cache
from zzgjj_portal.tests.settingsprobe import configured
from zzgjj_portal.tests.urlwalk import member_urls
from zzgjj_portal.tests.walkdata import make_person

DEAD_REDIS = "redis://127.0.0.1:1/0"
REAL_REDIS = "redis://127.0.0.1:6379/0"


def real_redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")


def backend(location: str, **options) -> portal_cache.FailSafeRedisCache:
    """A fresh backend instance with keys of its own (never another test's)."""
    return portal_cache.FailSafeRedisCache(location, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "OPTIONS": options})


@pytest.fixture
def dead_redis_settings(settings, monkeypatch):
    """Django's settings as production configures them with REDIS_URL set
    (its cache backend and session engine), the URL a closed port."""
    probe = configured(monkeypatch, REDIS_URL=DEAD_REDIS)
    assert probe["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    settings.CACHES = probe["CACHES"]
    settings.SESSION_ENGINE = probe["SESSION_ENGINE"]
    settings.PAGE_CACHE_SECONDS = probe["PAGE_CACHE_SECONDS"]
    assert settings.PAGE_CACHE_SECONDS > 0
    portal_cache.reset_health()
    yield
    portal_cache.reset_health()


@pytest.mark.django_db
def test_portal_logs_in_browses_and_applies_with_redis_unreachable(client, dead_redis_settings):
    from tasks.tests.conftest import BANK_ACCOUNT, deposit_months

    person = make_person("RD")
    account = person.member.fund_account
    account.bank_account_no = BANK_ACCOUNT
    account.save(update_fields=["bank_account_no"])
    deposit_months(account, 12)

    # 登录 through the member login form (captcha test mode answers PASSED).
    login = {"identifier": person.member.id_number, "password": MEMBER_PASSWORD}
    login.update(captcha_0="t", captcha_1="PASSED")
    response = client.post(reverse("accounts:login"), login)
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("tasks:home")

    # 提取申请
    form = {"form_token": str(uuid.uuid4()), "withdrawal_kind": "rent", "amount": "3000.00"}
    response = client.post(reverse("tasks:withdrawal_apply"), form)
    application = Application.objects.get(member=person.member)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tasks:application_detail", args=[application.pk])

    # Every member page, twice (the second view would come from the page cache).
    own = {
        "message": person.member.messages.first().pk,
        "application": application.pk,
        "certificate": person.member.certificates.first().pk,
    }
    pages = 0
    for url in member_urls():
        if url.name in ("logout", "logout_confirm"):
            continue
        kind = next((name for name in ("message", "certificate") if url.name.startswith(name)), "application")
        path = url.path(pk=own[kind])
        for _ in range(2):
            response = client.get(path)
            assert response.status_code in (HTTPStatus.OK, HTTPStatus.METHOD_NOT_ALLOWED), (path, response)
        pages += response.status_code == HTTPStatus.OK
    assert pages >= 15
    home = client.get(reverse("tasks:home")).content.decode()
    assert person.member.name in home and "RD消息内容秘密" in home

    # Still the same login after all that: the session lives in the database.
    assert int(client.session["_auth_user_id"]) == person.user.pk
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("tasks:home")).status_code == HTTPStatus.FOUND  # to the login page


@pytest.mark.django_db
def test_staff_admin_answers_with_redis_unreachable(client, dead_redis_settings):
    from accounts.tests.factories import StaffUserFactory

    log_in_staff(client, StaffUserFactory())
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:inquiry_member_changelist")).status_code == HTTPStatus.OK


def test_unreachable_redis_reads_as_misses_and_writes_as_nothing(caplog):
    cache = backend(DEAD_REDIS)
    with caplog.at_level(logging.WARNING, logger="zzgjj_portal.cache"):
        cache.set("page", b"x")
        assert cache.get("page") is None and cache.get("page", "default") == "default"
        assert cache.add("lock", 1) is False
        assert cache.delete("page") is False
        assert cache.touch("page") is False
        assert cache.has_key("page") is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1}) == []
        cache.delete_many(["a", "b"])
        assert cache.get_or_set("fresh", 42) == 42
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")
    # One warning for the whole outage, not one per operation.
    warnings = [r for r in caplog.records if r.name == "zzgjj_portal.cache"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_hung_redis_costs_a_fraction_of_a_second():
    # A port that accepts connections and never answers (a hung Redis).
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    cache = backend(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    answers = []

    def member_request():
        answers.append(cache.get("session"))
        cache.set("page", b"x")
        answers.append(cache.get("page"))

    # In a thread, so that a cache that waits forever fails the test instead of hanging it.
    request = threading.Thread(target=member_request, daemon=True)
    started = time.monotonic()
    request.start()
    request.join(timeout=5)
    took = time.monotonic() - started
    server.close()  # resets the waiting connection: the thread ends either way
    assert answers == [None, None] and took < 1.0


def test_writes_lost_in_an_outage_are_deleted_once_redis_answers(monkeypatch):
    real_redis_or_skip()
    monkeypatch.setattr(portal_cache, "RETRY_AFTER_SECONDS", 0)  # no pause before trying again
    cache = backend(REAL_REDIS)
    cache.set("session", "logged in")

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("down")

    # Redis goes away: the logout's delete cannot reach it ...
    with monkeypatch.context() as outage:
        outage.setattr(cache._cache, "get_client", unreachable)
        assert cache.delete("session") is False
        assert cache.get("session") is None
    # ... and when it answers again, the old value is not served again.
    assert cache.get("session") is None
    assert cache.get_many(["session"]) == {}


def test_fail_safe_cache_works_as_a_cache_against_the_real_redis():
    real_redis_or_skip()
    cache = backend(REAL_REDIS)
    cache.set("page", b"<html>", 30)
    assert cache.get("page") == b"<html>" and cache.has_key("page")
    assert cache.add("page", b"other") is False and cache.get("page") == b"<html>"
    assert cache.add("counter", 1) is True and cache.incr("counter", 2) == 3
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.touch("a", 10) is True
    assert cache.delete("page") is True and cache.get("page") is None
    cache.delete_many(["a", "b", "counter"])
    assert cache.get_many(["a", "b", "counter"]) == {}
    # A second instance (another worker) sees what the first wrote.
    cache.set("shared", "yes")
    other = portal_cache.FailSafeRedisCache(REAL_REDIS, {"KEY_PREFIX": cache.key_prefix})
    assert other.get("shared") == "yes"
    cache.delete("shared")


def test_cache_ok_reports_whether_the_cache_answers(settings):
    settings.CACHES = {"default": {"BACKEND": "zzgjj_portal.cache.FailSafeRedisCache", "LOCATION": DEAD_REDIS}}
    assert portal_cache.cache_ok() is False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert portal_cache.cache_ok() is True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert portal_cache.cache_ok() is False
    real_redis_or_skip()
    settings.CACHES = {"default": {"BACKEND": "zzgjj_portal.cache.FailSafeRedisCache", "LOCATION": REAL_REDIS}}
    assert portal_cache.cache_ok() is True
    assert caches["default"].get("anything-at-all") is None
