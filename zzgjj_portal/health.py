"""Liveness and readiness for the load balancer and the operators.

`/healthz/` answers as long as the process does (no database, nothing else):
a failing liveness probe restarts the process, which would not help when the
database is down. `/readyz/` checks what serving members needs: the database,
the cache, the broker, the migrations, and that a worker and beat are alive
(the heartbeat job, zzgjj_portal/jobs.py). It answers 503 naming each failed
check. Only trusted addresses (loopback, TRUSTED_PROXIES, PORTAL_HEALTH_ALLOW)
see the per-check detail; it holds no personal data, but it does tell which
of our services is down, which is nobody else's business.
"""

import ipaddress
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache as django_cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zzgjj_portal.models import JobHeartbeat
from zzgjj_portal.net import client_ip, parse_ip

EAGER = "eager"
# Redis and RabbitMQ answer on loopback or the LAN within milliseconds; a
# check that waits longer only makes the probe time out instead of failing.
REDIS_TIMEOUT_SECONDS = 1.0
BROKER_TIMEOUT_SECONDS = 2.0


class CheckFailed(Exception):
    """A readiness check's "no", with a short reason (never a URL or a secret)."""


@cache
def _allowed_networks(entries: tuple[str, ...]):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_operator_address(request: HttpRequest) -> bool:
    """Whether the client (as `client_ip` resolves it behind our proxy) is
    loopback, one of TRUSTED_PROXIES or in PORTAL_HEALTH_ALLOW: the
    addresses that may read readiness details and metrics."""
    ip = parse_ip(client_ip(request))
    if ip is None:
        return False
    if ip.is_loopback:
        return True
    networks = _allowed_networks(tuple(settings.TRUSTED_PROXIES) + tuple(settings.PORTAL_HEALTH_ALLOW))
    return any(ip in network for network in networks)


# --- The checks: each returns a short detail or raises ----------------------


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    """Redis itself when the portal uses it (the cache backend hides outages
    from pages, so it cannot be asked), else the configured cache."""
    key, value = f"readyz:{secrets.token_hex(4)}", secrets.token_hex(8)
    if settings.PORTAL_HEALTH_REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            settings.PORTAL_HEALTH_REDIS_URL,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.set(key, value, ex=10)
            found = client.get(key)
            client.delete(key)
        finally:
            client.close()
        found = found.decode() if isinstance(found, bytes) else found
    else:
        django_cache.set(key, value, 10)
        found = django_cache.get(key)
        django_cache.delete(key)
    if found != value:
        raise CheckFailed("written value not read back")
    return "ok"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return EAGER
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    return "ok"


_migrations_applied = False


def check_migrations() -> str:
    """No migration left to apply. Once true it stays true for this process
    (new migrations come with new code, hence a new process), so the
    migration files are read only until then."""
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise CheckFailed(f"{len(plan)} unapplied")
        _migrations_applied = True
    return "ok"


def _heartbeat_check(name: str) -> Callable[[], str]:
    def check() -> str:
        if not settings.CELERY_BROKER_URL:
            return EAGER
        row = JobHeartbeat.objects.filter(name=name).first()
        if row is None:
            raise CheckFailed("never seen")
        age = timezone.now() - row.seen_at
        if age > timedelta(seconds=settings.PORTAL_HEALTH_HEARTBEAT_SECONDS):
            raise CheckFailed(f"last seen {int(age.total_seconds())} s ago")
        return f"seen {max(0, int(age.total_seconds()))} s ago"

    check.__name__ = f"check_{name}"
    return check


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
    "worker": _heartbeat_check("worker"),
    "beat": _heartbeat_check("beat"),
}


def readiness() -> dict[str, dict]:
    """Every check's outcome: {"database": {"ok": True, "detail": "ok", "ms": 1}, …}."""
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            detail, ok = check(), True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001 - any fault is a failed check, never a 500
            # The exception's type only: its text may hold a URL with a password.
            detail, ok = type(exc).__name__, False
        results[name] = {"ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000)}
    return results


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results = readiness()
    failed = [name for name, result in results.items() if not result["ok"]]
    status = HTTPStatus.SERVICE_UNAVAILABLE if failed else HTTPStatus.OK
    body: dict = {"status": "fail" if failed else "ok"}
    if is_operator_address(request):
        body["failed"] = failed
        body["checks"] = results
    return JsonResponse(body, status=status)
