"""The portal's own Prometheus metrics, and the `/metrics` page.

django-prometheus times every request (per view name), counts responses by
status and database queries; this module adds what only the portal knows:
logins by outcome, lockouts, SMS by backend, applications entering each
workflow step and failed jobs (counters, incremented where it happens), and
gauges read from the database and the broker when Prometheus scrapes (queue
depth, oldest pending outbox row, last successful import).

gunicorn runs several processes, each with its own counters: with
PROMETHEUS_MULTIPROC_DIR set (deploy/README.md), each process writes its
values to files there and a scrape adds them up, together with the
directories in PORTAL_METRICS_DIRS (the other pool, the Celery worker).
"""

import glob
import logging
import os
from functools import wraps

from celery.signals import task_failure
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Max, Min
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from zzgjj_portal.health import BROKER_TIMEOUT_SECONDS, is_operator_address

log = logging.getLogger(__name__)

LOGINS = Counter(
    "portal_logins", "Login attempts by who (member, staff) and outcome (ok, failed, locked, wait)", ["who", "outcome"]
)
LOCKOUTS = Counter("portal_lockouts", "Lockouts started (a member, staff account or client IP locked)")
SMS = Counter("portal_sms", "Short messages by backend and outcome (sent, failed)", ["backend", "outcome"])
APPLICATION_STEPS = Counter(
    "portal_application_steps", "Applications entering a workflow step or closing", ["kind", "step"]
)
JOB_FAILURES = Counter("portal_job_failures", "Background jobs that raised", ["job"])


def count_login(who: str):
    """Decorate a login service: a return counts as `ok`, a refusal whose
    `code` is `locked` as `locked`, `wait` (the staff login's short wait
    after a failure, not itself counted as one) as `wait`, any other refusal
    as `failed`. (A refusal is any exception with a `code`; other errors are
    not login outcomes.)"""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                code = getattr(exc, "code", None)
                if code is not None:
                    outcome = code if code in ("locked", "wait") else "failed"
                    LOGINS.labels(who=who, outcome=outcome).inc()
                raise
            LOGINS.labels(who=who, outcome="ok").inc()
            return result

        return wrapper

    return decorator


def application_step_entered(*, kind: str, step: str) -> None:
    """Count an application entering `step` (or a closing status) once its
    transaction commits: a refused or rolled-back step is not counted."""
    transaction.on_commit(lambda: APPLICATION_STEPS.labels(kind=kind, step=step).inc())


def _lockout_audited(sender, instance, created, **kwargs):
    # Every lockout (member, staff, client IP) is audited exactly once when it starts.
    if created and instance.kind == "lockout":
        LOCKOUTS.inc()


def _sms_logged(sender, instance, created, **kwargs):
    # One SmsLog row per attempt to send, whoever sends it (request or job).
    if created:
        SMS.labels(backend=instance.backend or "-", outcome="sent" if instance.ok else "failed").inc()


def _job_failed(sender=None, **kwargs):
    JOB_FAILURES.labels(job=getattr(sender, "name", None) or "-").inc()


post_save.connect(_lockout_audited, sender="zzgjj_portal.AuditEvent", dispatch_uid="portal_metrics_lockouts")
# A lazy model reference: zzgjj_portal imports no app.
post_save.connect(_sms_logged, sender="accounts.SmsLog", dispatch_uid="portal_metrics_sms")
task_failure.connect(_job_failed, dispatch_uid="portal_metrics_job_failures", weak=False)


# --- Gauges computed at scrape time -------------------------------------------


def _model(path: str):
    try:
        return apps.get_model(path)
    except (LookupError, ValueError):
        return None


def _has_fields(model, *names: str) -> bool:
    try:
        for name in names:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


class PortalCollector:
    """Reads the queue, the outboxes and the last successful runs when
    Prometheus scrapes; anything not there (eager mode, a model not yet
    written, a broker that does not answer) is left out, never an error."""

    def collect(self):
        yield from self._queue_depth()
        now = timezone.now()
        outbox = GaugeMetricFamily(
            "portal_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox row (0 when none)",
            labels=["outbox"],
        )
        for label, path, created, done in settings.PORTAL_METRICS_OUTBOXES:
            model = _model(path)
            if model is None or not _has_fields(model, created, done):
                continue
            pending = model._default_manager.filter(**{f"{done}__isnull": True})
            oldest = pending.aggregate(oldest=Min(created))["oldest"]
            outbox.add_metric([label], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield outbox
        last = GaugeMetricFamily(
            "portal_last_success_timestamp_seconds", "Unix time of the last successful run", labels=["what"]
        )
        for label, path, field, *only in settings.PORTAL_METRICS_LAST_SUCCESS:
            # An optional fourth item filters the rows that count as a success
            # (an import run counts when applied, not when refused).
            filters = only[0] if only else {}
            model = _model(path)
            if model is None or not _has_fields(model, field, *(name.split("__")[0] for name in filters)):
                continue
            latest = model._default_manager.filter(**filters).aggregate(latest=Max(field))["latest"]
            if latest is not None:
                last.add_metric([label], latest.timestamp())
        yield last

    def _queue_depth(self):
        if not settings.CELERY_BROKER_URL:
            return
        from kombu import Connection

        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
                _, messages, consumers = conn.default_channel.queue_declare(queue=queue, passive=True)
        except Exception as exc:  # noqa: BLE001 - a scrape never fails for the broker; /readyz/ reports it
            log.warning("queue depth not read: %s", type(exc).__name__)
            return
        depth = GaugeMetricFamily("portal_queue_messages", "Messages waiting in the job queue", labels=["queue"])
        depth.add_metric([queue], messages)
        yield depth
        workers = GaugeMetricFamily("portal_queue_consumers", "Worker processes consuming the queue", labels=["queue"])
        workers.add_metric([queue], consumers)
        yield workers


_portal_registry = CollectorRegistry(auto_describe=False)
_portal_registry.register(PortalCollector())


class _MergedFiles:
    """prometheus_client's multiprocess collector over several directories."""

    def __init__(self, paths: list[str]):
        self.paths = paths

    def collect(self):
        files = sorted({name for path in self.paths for name in glob.glob(os.path.join(path, "*.db"))})
        return MultiProcessCollector.merge(files, accumulate=True)


def exposition() -> bytes:
    """The text a scrape gets: the processes' metrics, then the gauges."""
    own = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if own:
        registry = CollectorRegistry()
        registry.register(_MergedFiles([own, *settings.PORTAL_METRICS_DIRS]))
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_portal_registry)


@login_not_required
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    # Request counts and timings are for the operators' eyes only.
    if not is_operator_address(request):
        return HttpResponseForbidden("禁止访问", content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
