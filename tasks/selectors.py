"""Reads for the task area (消息 · 我发起的 · 已阅)."""

from django.db.models import QuerySet

from inquiry.models import Member
from tasks.models import Message

HOME_LIST_SIZE = 5


def messages_unread(*, member: Member) -> QuerySet[Message]:
    return Message.objects.for_member(member).unread().order_by("-sent_at", "-id")


def messages_read(*, member: Member) -> QuerySet[Message]:
    return Message.objects.for_member(member).read().order_by("-read_at", "-id")
