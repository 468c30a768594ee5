"""Reads of messages (消息 · 已阅). Every function starts from the member."""

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet, Window
from django.http import Http404

from inquiry.models import Member
from tasks.models import ChannelToken, Message
from tasks.services.tokens import token_hash
from zzgjj_portal.compiled import CompiledRead

HOME_LIST_SIZE = 5
# Largest value of a BigAutoField: a bigger id in a URL would make PostgreSQL
# raise an out-of-range error (a 500) instead of finding nothing.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class HomeTasks:
    """What the home page's task area shows: the newest few of each list."""

    unread: list[Message]
    unread_count: int
    newest_unread_id: int  # 0 when there is none; the chime compares it with the last one heard
    read: list[Message]


def messages_unread(*, member: Member) -> QuerySet[Message]:
    """消息: the member's unread messages, newest first (index message_member_unread_idx)."""
    return Message.objects.for_member(member).visible().unread().order_by("-sent_at", "-id")


def messages_read(*, member: Member) -> QuerySet[Message]:
    """已阅: the member's read messages, most recently read first (index message_member_read_idx)."""
    return Message.objects.for_member(member).visible().read().order_by("-read_at", "-id")


def message_get_for_member(*, member: Member, pk: int) -> Message:
    """The ownership gate of messages: the member's own message, not deleted,
    or Http404 for anything else (another member's, deleted, unknown, absurd id)."""
    if not 0 < pk <= MAX_ID:
        raise Http404("no such message")
    try:
        return Message.objects.for_member(member).visible().get(pk=pk)
    except Message.DoesNotExist:
        raise Http404("no such message") from None


# The home page's two message reads, compiled once per process
# (zzgjj_portal/compiled.py); a foreign key lookup takes the member's id.
_unread_with_totals = CompiledRead(
    lambda member_id: messages_unread(member=member_id).annotate(
        unread_total=Window(Count("id")), unread_newest=Window(Max("id"))
    )[:HOME_LIST_SIZE],
    member_id=int,
)
_read_newest = CompiledRead(lambda member_id: messages_read(member=member_id)[:HOME_LIST_SIZE], member_id=int)


def home_tasks(*, member: Member) -> HomeTasks:
    """The task area of the home page in two queries, whatever the number of messages.

    The unread count and the newest unread id ride on the unread list as
    window aggregates over all the member's unread messages (taken before the
    LIMIT): one query instead of a list and a separate aggregate."""
    unread = _unread_with_totals(member_id=member.pk)
    # Ids grow with arrival, whatever sent_at a channel gave: the largest is the latest to arrive.
    return HomeTasks(
        unread=unread,
        unread_count=unread[0].unread_total if unread else 0,
        newest_unread_id=unread[0].unread_newest if unread else 0,
        read=_read_newest(member_id=member.pk),
    )


def channel_token_authenticate(plain: str, *, kind: str) -> ChannelToken | None:
    """The live (unrevoked) channel token of this kind whose hash matches, or
    None. A token of the other kind is None too, exactly like an unknown one:
    a push token never opens the core API nor the reverse, and the answer
    does not tell a caller that its token exists. The lookup is by hash, so
    the comparison never runs over the secret itself."""
    if not plain:
        return None
    return ChannelToken.objects.filter(token_hash=token_hash(plain), kind=kind, revoked_at__isnull=True).first()


def member_by_id_number(id_number: str) -> Member | None:
    """The member with this (normalized, valid) ID number, or None: whom a pushed message is for."""
    return Member.objects.filter(id_number=id_number).first()
