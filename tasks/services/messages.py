"""Writes of messages to members."""

from django.db import transaction
from django.utils import timezone

from inquiry.models import Member
from tasks.models import Message


@transaction.atomic
def message_send(*, member: Member, business: str, content: str, channel: str = Message.Channel.PORTAL) -> Message:
    """Put one message in the member's 消息 list (unread)."""
    return Message.objects.create(
        member=member, business=business, content=content, channel=channel, sent_at=timezone.now()
    )
