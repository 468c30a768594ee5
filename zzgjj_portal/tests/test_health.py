"""/healthz/ and /readyz/: liveness without the database, readiness naming
each failed check, details only for operators' addresses."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone

from zzgjj_portal import health
from zzgjj_portal.celery import app as celery_app
from zzgjj_portal.jobs import heartbeat
from zzgjj_portal.logs import JOB_SENT_AT_HEADER
from zzgjj_portal.models import JobHeartbeat

pytestmark = pytest.mark.django_db
BROKER = "amqp://guest:guest@127.0.0.1:5672//"
CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLOSED_BROKER = "amqp://guest:guest@127.0.0.1:1//"


@pytest.fixture
def queued(settings, monkeypatch):
    """A broker is configured (jobs are no longer eager); the broker check
    itself is stubbed so these tests are about the heartbeat only."""
    settings.CELERY_BROKER_URL = BROKER
    monkeypatch.setitem(health.CHECKS, "broker", lambda: "ok")


def _stamp(age_seconds: int) -> None:
    seen_at = timezone.now() - timedelta(seconds=age_seconds)
    for name in ("worker", "beat"):
        JobHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": seen_at})


def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_in_eager_mode_is_ready_with_every_check_listed(client):
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations", "worker", "beat"}
    assert body["checks"]["broker"]["detail"] == body["checks"]["worker"]["detail"] == "eager"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_stale_worker_heartbeat_is_503_naming_worker_then_a_fresh_stamp_is_200(client, queued):
    _stamp(age_seconds=61)
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "worker" in response.json()["failed"]

    heartbeat.apply(headers={JOB_SENT_AT_HEADER: timezone.now().isoformat()})
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.OK, response.json()
    assert response.json()["status"] == "ok"


def test_readyz_without_any_heartbeat_yet_names_worker_and_beat(client, queued):
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert set(response.json()["failed"]) == {"worker", "beat"}


def test_readyz_with_redis_and_rabbitmq_on_closed_ports_is_503_naming_both(client, settings):
    settings.PORTAL_HEALTH_REDIS_URL = CLOSED_REDIS
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    _stamp(age_seconds=1)
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.json()
    assert set(body["failed"]) == {"cache", "broker"}
    # The reason is the error's type, never its text (which may hold a URL and password).
    assert "guest" not in response.content.decode()


def test_readyz_checks_the_real_redis_and_rabbitmq_when_they_answer(client, settings):
    settings.PORTAL_HEALTH_REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.CELERY_BROKER_URL = BROKER
    _stamp(age_seconds=1)
    try:
        import socket

        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis and RabbitMQ are not running here")
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.OK, response.json()


def test_readyz_with_an_unapplied_migration_is_503_naming_migrations(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        # The app's latest migration: one with later ones applied would not show as missing.
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'zzgjj_portal' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'zzgjj_portal')"
        )
    response = client.get("/readyz/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failed"] == ["migrations"]


@pytest.mark.parametrize(
    ("remote_addr", "allow", "detailed"),
    [
        ("127.0.0.1", [], True),
        ("::1", [], True),
        ("10.0.0.5", [], False),
        ("10.0.0.5", ["10.0.0.0/24"], True),
        ("203.0.113.7", ["10.0.0.0/24"], False),
    ],
)
def test_readyz_details_only_for_operator_addresses(client, settings, queued, remote_addr, allow, detailed):
    settings.PORTAL_HEALTH_ALLOW = allow
    response = client.get("/readyz/", REMOTE_ADDR=remote_addr)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.json()
    if detailed:
        assert body["failed"] == ["worker", "beat"]
    else:
        assert body == {"status": "fail"}


def test_readyz_a_client_behind_the_trusted_proxy_is_not_an_operator(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get("/readyz/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.json() == {"status": "ok"}


def test_heartbeat_stamps_worker_now_and_beat_with_the_send_time_never_backwards():
    sent_at = timezone.now() - timedelta(seconds=20)
    heartbeat(sent_at.isoformat())
    rows = dict(JobHeartbeat.objects.values_list("name", "seen_at"))
    assert rows["beat"] == sent_at
    assert timezone.now() - rows["worker"] < timedelta(seconds=5)
    heartbeat((sent_at - timedelta(minutes=5)).isoformat())  # an old message redelivered
    assert JobHeartbeat.objects.get(name="beat").seen_at == sent_at


def test_heartbeat_is_on_the_beat_schedule_well_within_the_readiness_window(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] * 3 <= settings.PORTAL_HEALTH_HEARTBEAT_SECONDS
