"""/metrics: django-prometheus's request metrics and the portal's own, for
operators' addresses only."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts import services as account_services
from accounts.tests.factories import MemberUserFactory
from conftest import MEMBER_PASSWORD
from inquiry.tests.factories import MemberFactory
from zzgjj_portal.celery import app as celery_app
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
CAPTCHA = {"captcha_0": "t", "captcha_1": "PASSED"}


@celery_app.task(name="zzgjj_portal.tests.always_fails")
def always_fails():
    raise RuntimeError("a job that fails")


def scrape(client) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape from loopback."""
    response = client.get("/metrics")
    assert response.status_code == HTTPStatus.OK
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _log_in(client, identifier: str, password: str):
    return client.post("/", {"identifier": identifier, "password": password, **CAPTCHA})


def test_metrics_after_a_failed_and_a_good_login_counts_both_by_outcome(client):
    user = MemberUserFactory(password=MEMBER_PASSWORD)
    before = scrape(client)
    _log_in(client, user.member.id_number, "Wrong#2026a")
    assert _log_in(client, user.member.id_number, MEMBER_PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()
    after = scrape(client)
    for outcome in ("failed", "ok"):
        name = "portal_logins_total"
        assert (
            value(after, name, who="member", outcome=outcome) - value(before, name, who="member", outcome=outcome) == 1
        )
    assert value(after, "portal_logins_total", who="member", outcome="locked") == value(
        before, "portal_logins_total", who="member", outcome="locked"
    )
    # django-prometheus: responses by view and status, and database queries.
    assert (
        value(
            after,
            "django_http_responses_total_by_status_view_method_total",
            status="302",
            view="accounts:login",
            method="POST",
        )
        >= 1
    )
    assert any(name == "django_db_execute_total" for name, _ in after)


def test_metrics_count_a_lockout_and_the_locked_attempts(client, settings):
    user = MemberUserFactory(password=MEMBER_PASSWORD)
    before = scrape(client)
    for _ in range(settings.ACCOUNTS_LOCKOUT_MEMBER_FAILURES + 1):
        _log_in(client, user.member.phone, "Wrong#2026a")
    after = scrape(client)
    assert value(after, "portal_lockouts_total") - value(before, "portal_lockouts_total") == 1
    # The fifth failure starts the lock and is answered as locked, as is the sixth.
    for outcome, count in (("failed", 4), ("locked", 2)):
        labels = {"who": "member", "outcome": outcome}
        assert value(after, "portal_logins_total", **labels) - value(before, "portal_logins_total", **labels) == count
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT).count() == 1


def test_metrics_count_sms_sent_and_failed_per_backend(client, settings, run_jobs):
    member = MemberFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.1.1")
    before = scrape(client)
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    account_services.sms_code_send(member=member, purpose="reset", request=request)
    run_jobs()  # the SMS job sends it
    settings.SMS_BACKEND = "accounts.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:1/send"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    account_services.sms_code_send(member=MemberFactory(), purpose="reset", request=request)
    run_jobs()  # the job meets the dead gateway (and will try again)
    after = scrape(client)
    sent = value(after, "portal_sms_total", backend="LocmemBackend", outcome="sent")
    assert sent - value(before, "portal_sms_total", backend="LocmemBackend", outcome="sent") == 1
    failed = value(after, "portal_sms_total", backend="GatewayBackend", outcome="failed")
    assert failed - value(before, "portal_sms_total", backend="GatewayBackend", outcome="failed") == 1


def test_metrics_count_a_failed_job_by_name(client):
    before = scrape(client)
    # As a worker runs it (an eager job that propagates raises before Celery's failure signal).
    assert always_fails.apply(throw=False).failed()
    after = scrape(client)
    name, job = "portal_job_failures_total", "zzgjj_portal.tests.always_fails"
    assert value(after, name, job=job) - value(before, name, job=job) == 1


def test_metrics_gauges_read_outboxes_and_last_runs_and_skip_missing_models(client, settings):
    settings.PORTAL_METRICS_OUTBOXES = [
        ("audit", "zzgjj_portal.AuditEvent", "created_at", "ip"),  # "pending" while ip is null
        ("missing", "tasks.NoSuchOutbox", "created_at", "done_at"),
    ]
    settings.PORTAL_METRICS_LAST_SUCCESS = [
        ("audit", "zzgjj_portal.AuditEvent", "created_at"),
        ("import", "nosuchapp.ImportRun", "finished_at"),
    ]
    old = timezone.now() - timedelta(minutes=10)
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGOUT, created_at=old)
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGOUT, created_at=timezone.now(), ip="10.0.0.1")
    samples = scrape(client)
    assert 600 <= value(samples, "portal_outbox_oldest_pending_seconds", outbox="audit") < 660
    assert ("portal_outbox_oldest_pending_seconds", (("outbox", "missing"),)) not in samples
    assert value(samples, "portal_last_success_timestamp_seconds", what="audit") == pytest.approx(
        timezone.now().timestamp(), abs=60
    )
    assert not any(name.startswith("portal_queue") for name, _ in samples)  # eager: no queue


def test_metrics_last_import_counts_only_applied_runs(client):
    from inquiry.models import ImportRun

    applied_at = timezone.now() - timedelta(hours=3)
    ImportRun.objects.create(
        batch_no=1, folder="b1", status=ImportRun.Status.APPLIED, started_at=applied_at, finished_at=applied_at
    )
    ImportRun.objects.create(
        batch_no=2, folder="b2", status=ImportRun.Status.REFUSED, started_at=timezone.now(), finished_at=timezone.now()
    )
    samples = scrape(client)
    assert value(samples, "portal_last_success_timestamp_seconds", what="import") == pytest.approx(
        applied_at.timestamp(), abs=1
    )


def test_metrics_read_the_queue_depth_from_rabbitmq(client, settings):
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        pytest.skip("RabbitMQ is not running here")
    from kombu import Connection

    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    settings.CELERY_TASK_DEFAULT_QUEUE = "zzgjj_metrics_test"
    with Connection(settings.CELERY_BROKER_URL) as conn:
        channel = conn.default_channel
        channel.queue_declare(queue="zzgjj_metrics_test", auto_delete=False)
        channel.queue_purge("zzgjj_metrics_test")
        for n in range(3):
            channel.basic_publish(
                channel.prepare_message(f"m{n}".encode(), content_type="text/plain", content_encoding="utf-8"),
                exchange="",
                routing_key="zzgjj_metrics_test",
            )
        try:
            samples = scrape(client)
        finally:
            channel.queue_delete("zzgjj_metrics_test")
    assert value(samples, "portal_queue_messages", queue="zzgjj_metrics_test") == 3


@pytest.mark.parametrize(
    ("remote_addr", "allow", "status"),
    [
        ("127.0.0.1", [], HTTPStatus.OK),
        ("10.0.0.9", ["10.0.0.0/24"], HTTPStatus.OK),
        ("10.0.0.9", [], HTTPStatus.FORBIDDEN),
        ("203.0.113.7", ["10.0.0.0/24"], HTTPStatus.FORBIDDEN),
    ],
)
def test_metrics_only_for_operator_addresses(client, settings, remote_addr, allow, status):
    settings.PORTAL_HEALTH_ALLOW = allow
    response = client.get("/metrics", REMOTE_ADDR=remote_addr)
    assert response.status_code == status
    if status == HTTPStatus.FORBIDDEN:
        assert b"portal_" not in response.content
