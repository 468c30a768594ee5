"""Writes of the push API: channel tokens, the per-channel rate, pushed messages."""

import hashlib
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from inquiry.models import Member
from tasks.models import ChannelToken, Message, PushRateBucket
from tasks.ratelimit import bucket_take

TOKEN_PREFIX = "zzgjj_"  # noqa: S105 - tells a leaked token apart in logs and scanners


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


def message_push(
    *, channel: str, member: Member, business: str, content: str, sent_at: datetime | None, idempotency_key: str
) -> tuple[Message, bool]:
    """A message pushed by another channel. Returns (message, created): a key
    the channel already used returns its first message. The unique constraint
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
        return Message.objects.get(channel=channel, idempotency_key=idempotency_key), False
