"""Writes of the push API: channel tokens, the per-channel rate, the lockout
of addresses that try invalid tokens, pushed messages."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import lockout
from accounts.models import User
from inquiry.models import Member
from tasks.models import ChannelToken, Message, PushRateBucket
from tasks.ratelimit import bucket_take
from zzgjj_portal.audit import audit_record
from zzgjj_portal.models import AuditEvent

TOKEN_PREFIX = "zzgjj_"  # noqa: S105 - tells a leaked token apart in logs and scanners


class IdempotencyKeyReused(Exception):
    """The channel used this idempotency_key for a different message."""


def token_hash(plain: str) -> str:
    """SHA-256 of a channel token: the only form the database keeps. A token
    has 256 random bits, so a fast unsalted hash is enough (no dictionary to try)."""
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def channel_token_create(*, channel: str, name: str, created_by: User | None = None) -> tuple[ChannelToken, str]:
    """A new token for a pushing channel. Returns the row and the plain token,
    which is shown once to whoever created it and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ChannelToken.objects.create(
        channel=channel, name=name, token_hash=token_hash(plain), created_by=created_by, created_at=timezone.now()
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


def push_rate_take(*, channel: str, rate: float) -> bool:
    """Take one request from the channel's bucket (`rate` a second, bursts of
    one second's worth). The bucket is a database row locked for the
    read-modify-write, so all gunicorn workers share one limit; the default
    cache is a database table whose incr is not atomic, and Redis is optional."""
    now = timezone.now()
    with transaction.atomic():
        bucket = PushRateBucket.objects.select_for_update().filter(channel=channel).first()
        if bucket is None:
            try:
                # The first request of a channel creates its bucket; a worker
                # that loses that race simply locks the winner's row.
                with transaction.atomic():
                    bucket = PushRateBucket.objects.create(channel=channel, tokens=rate, refreshed_at=now)
            except IntegrityError:
                bucket = PushRateBucket.objects.select_for_update().get(channel=channel)
        allowed, tokens = bucket_take(
            tokens=bucket.tokens, refreshed_at=bucket.refreshed_at, now=now, rate=rate, capacity=rate
        )
        PushRateBucket.objects.filter(pk=bucket.pk).update(tokens=tokens, refreshed_at=now)
    return allowed


def _token_failure_key(ip: str) -> str:
    return f"push-token:{ip}"


def push_token_lock(*, ip: str | None) -> timedelta | None:
    """How long this client IP is still locked out of the push API for trying
    invalid tokens (None: not locked). A token has 256 random bits, so the
    lock does not protect the tokens; it stops a client from using the
    endpoint as a free oracle and a load on the token table."""
    if not ip:
        return None
    return lockout.throttle_remaining(key=_token_failure_key(ip), limit=settings.TASKS_PUSH_TOKEN_IP_FAILURES)


def push_token_failure_record(*, ip: str | None, request=None) -> None:
    """Count one request without a valid token against the client IP, in the
    login lockout's counters (a quiet lock period starts the count over);
    audit the failure that starts a lock."""
    if not ip:
        return
    if lockout.throttle_failure_add(key=_token_failure_key(ip)) == settings.TASKS_PUSH_TOKEN_IP_FAILURES:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            detail=f"推送接口:IP {ip} 无效令牌过多,锁定{settings.ACCOUNTS_LOCKOUT_MINUTES}分钟",
        )


def _same_message(message: Message, *, member: Member, business: str, content: str, sent_at: datetime | None) -> bool:
    # A retry may leave sent_at out (the first push's time is kept); when it
    # gives one, it must be the same instant.
    return (
        message.member_id == member.pk
        and message.business == business
        and message.content == content
        and (sent_at is None or message.sent_at == sent_at)
    )


def message_push(
    *, channel: str, member: Member, business: str, content: str, sent_at: datetime | None, idempotency_key: str
) -> tuple[Message, bool]:
    """A message pushed by another channel. Returns (message, created): a key
    the channel already used with the same message returns that message; with
    another message it raises IdempotencyKeyReused (as payment APIs do: a key
    names one request, and silently answering with another message's id would
    tell the channel its new message was delivered). The unique constraint
    on (channel, idempotency_key) decides, so two identical pushes at the same
    moment still give one message: the loser's INSERT fails and it reads the
    winner's row (committed by then, as PostgreSQL made it wait for the winner)."""
    try:
        with transaction.atomic():
            message = Message.objects.create(
                member=member,
                business=business,
                content=content,
                channel=channel,
                sent_at=sent_at or timezone.now(),
                idempotency_key=idempotency_key,
            )
        return message, True
    except IntegrityError:
        message = Message.objects.get(channel=channel, idempotency_key=idempotency_key)
    if not _same_message(message, member=member, business=business, content=content, sent_at=sent_at):
        raise IdempotencyKeyReused(idempotency_key)
    return message, False
