"""Reads of messages (消息 · 已阅). Every function starts from the member."""

from dataclasses import dataclass

from django.db.models import QuerySet

from inquiry.models import Member
from tasks.models import Message

HOME_LIST_SIZE = 5


@dataclass(frozen=True)
class HomeTasks:
    """What the home page's task area shows: the newest few of each list."""

    unread: list[Message]
    unread_count: int
    read: list[Message]


def messages_unread(*, member: Member) -> QuerySet[Message]:
    """消息: the member's unread messages, newest first."""
    return Message.objects.for_member(member).unread().order_by("-sent_at", "-id")


def messages_read(*, member: Member) -> QuerySet[Message]:
    """已阅: the member's read messages, most recently read first."""
    return Message.objects.for_member(member).read().order_by("-read_at", "-id")


def home_tasks(*, member: Member) -> HomeTasks:
    """The task area of the home page in three queries, whatever the number of messages."""
    unread = messages_unread(member=member)
    return HomeTasks(
        unread=list(unread[:HOME_LIST_SIZE]),
        unread_count=unread.count(),
        read=list(messages_read(member=member)[:HOME_LIST_SIZE]),
    )
