"""Writes behind the machine endpoints' door (/api/): channel tokens, the
rate buckets, and the lockout of addresses that try invalid tokens. The push
API and the core system's outbox API share all of it (tasks/api.py)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import lockout
from accounts.models import User
from tasks.models import ChannelToken, PushRateBucket
from tasks.ratelimit import bucket_take
from zzgjj_portal.audit import audit_record
from zzgjj_portal.models import AuditEvent

TOKEN_PREFIX = "zzgjj_"  # noqa: S105 - tells a leaked token apart in logs and scanners
TOKEN_LOCKED_AUDIT = "机器接口:IP {ip} 无效令牌过多,锁定{minutes}分钟"  # noqa: S105 - an audit text, no secret


def token_hash(plain: str) -> str:
    """SHA-256 of a channel token: the only form the database keeps. A token
    has 256 random bits, so a fast unsalted hash is enough (no dictionary to try)."""
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def channel_token_create(
    *, name: str, kind: str = ChannelToken.Kind.PUSH, channel: str = "", created_by: User | None = None
) -> tuple[ChannelToken, str]:
    """A new token: a pushing channel's (kind push, for its `channel`) or the
    core system's (kind core, no channel). Returns the row and the plain
    token, which is shown once to whoever created it and never stored."""
    if (kind == ChannelToken.Kind.PUSH) != bool(channel):
        # The admin form and the command say this in Chinese first; here it is a programming error.
        raise ValueError("a push token needs a channel, a core token has none")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ChannelToken.objects.create(
        kind=kind,
        channel=channel,
        name=name,
        token_hash=token_hash(plain),
        created_by=created_by,
        created_at=timezone.now(),
    )
    return token, plain


@transaction.atomic
def channel_token_revoke(*, token: ChannelToken) -> bool:
    """Stop a token from working (the row stays, with when it was revoked)."""
    now = timezone.now()
    revoked = ChannelToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1
    if revoked:
        token.revoked_at = now
    return revoked


def rate_bucket_key(token: ChannelToken) -> str:
    """Whose bucket a request draws from: a push token its channel's (all the
    tokens of one channel share its quota, as before the core API), a core
    token its own (two core systems, or a test one, never starve each other)."""
    if token.kind == ChannelToken.Kind.CORE:
        return f"core:{token.pk}"
    return token.channel


def api_rate_take(*, bucket: str, rate: float) -> bool:
    """Take one request from the bucket `bucket` (`rate` a second, bursts of
    one second's worth). The bucket is a database row locked for the
    read-modify-write, so all gunicorn workers share one limit; the default
    cache is a database table whose incr is not atomic, and Redis is optional."""
    now = timezone.now()
    with transaction.atomic():
        row = PushRateBucket.objects.select_for_update().filter(channel=bucket).first()
        if row is None:
            try:
                # The first request of a bucket creates it; a worker that
                # loses that race simply locks the winner's row.
                with transaction.atomic():
                    row = PushRateBucket.objects.create(channel=bucket, tokens=rate, refreshed_at=now)
            except IntegrityError:
                row = PushRateBucket.objects.select_for_update().get(channel=bucket)
        allowed, tokens = bucket_take(
            tokens=row.tokens, refreshed_at=row.refreshed_at, now=now, rate=rate, capacity=rate
        )
        PushRateBucket.objects.filter(pk=row.pk).update(tokens=tokens, refreshed_at=now)
    return allowed


def _token_failure_key(ip: str) -> str:
    # "push-token" since the push API was the only one; the counter now
    # covers every machine endpoint, so a guesser cannot switch to another.
    return f"push-token:{ip}"


def api_token_lock(*, ip: str | None) -> timedelta | None:
    """How long this client IP is still locked out of the machine endpoints
    for trying invalid tokens (None: not locked). A token has 256 random
    bits, so the lock does not protect the tokens; it stops a client from
    using the endpoints as a free oracle and a load on the token table."""
    if not ip:
        return None
    return lockout.throttle_remaining(key=_token_failure_key(ip), limit=settings.TASKS_PUSH_TOKEN_IP_FAILURES)


def api_token_failure_record(*, ip: str | None, request=None) -> None:
    """Count one request without a valid token (for its endpoint) against the
    client IP, in the login lockout's counters (a quiet lock period starts the
    count over); audit the failure that starts a lock."""
    if not ip:
        return
    if lockout.throttle_failure_add(key=_token_failure_key(ip)) == settings.TASKS_PUSH_TOKEN_IP_FAILURES:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            detail=TOKEN_LOCKED_AUDIT.format(ip=ip, minutes=settings.ACCOUNTS_LOCKOUT_MINUTES),
        )
