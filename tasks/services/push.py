"""Writes of the push API: pushed messages (its tokens, rate and lockout are
shared with the core API: services/tokens.py)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from inquiry.models import Member
from tasks.models import Message


class IdempotencyKeyReused(Exception):
    """The channel used this idempotency_key for a different message."""


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
