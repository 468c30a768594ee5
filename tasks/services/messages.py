"""Writes of messages: send, mark read, delete (soft), broadcasts, the sound preference."""

from collections.abc import Iterator
from functools import partial
from itertools import islice

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from inquiry import services as records
from inquiry.models import AccountStatus, Employer, Member
from tasks.models import Broadcast, Message

# Rows per INSERT of a broadcast: large enough to be fast, small enough to keep
# each statement's memory and parameter count modest (SQLite allows 32,766).
BROADCAST_BATCH_SIZE = 2000

BROADCAST_EMPLOYER_REQUIRED = "请选择单位。"
BROADCAST_STATUS_REQUIRED = "请选择个人账户状态。"
BROADCAST_AUDIENCE_UNKNOWN = "请选择发送对象。"


class BroadcastRefused(Exception):
    """A broadcast whose audience is not fully chosen; `message` is shown to staff, `code` names the rule."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@transaction.atomic
def message_send(*, member: Member, business: str, content: str, channel: str = Message.Channel.PORTAL) -> Message:
    """Put one message in the member's 消息 list (unread)."""
    return Message.objects.create(
        member=member, business=business, content=content, channel=channel, sent_at=timezone.now()
    )


@transaction.atomic
def message_mark_read(*, member: Member, message: Message) -> bool:
    """标为已阅: move the member's message to 已阅. A conditional UPDATE, so a
    double click or a second tab stamps the first reading time only.
    Returns whether this call marked it."""
    now = timezone.now()
    marked = Message.objects.for_member(member).visible().unread().filter(pk=message.pk).update(read_at=now) == 1
    if marked:
        message.read_at = now
    return marked


@transaction.atomic
def message_delete(*, member: Member, message: Message) -> bool:
    """删除: the member no longer sees the message; the row stays with
    `deleted_at` for the center's record (staff still see it in admin).
    Returns whether this call deleted it (False when it already was)."""
    now = timezone.now()
    deleted = Message.objects.for_member(member).visible().filter(pk=message.pk).update(deleted_at=now) == 1
    if deleted:
        message.deleted_at = now
    return deleted


@transaction.atomic
def sound_set(*, user: User, on: bool) -> None:
    """关闭音效 / 开启音效: saved on the login identity so it holds on every device.
    The wanted state is posted (not "toggle"), so a double submission does one thing."""
    User.objects.filter(pk=user.pk).update(sound_on=on)
    user.sound_on = on


def broadcast_audience_refusal(
    *, audience: str, employer: Employer | None = None, account_status: str = ""
) -> BroadcastRefused | None:
    """Why a broadcast to this audience must not go out, or None. An employer
    audience without an employer would match the members with no fund account
    (employer IS NULL), and an unknown audience everyone: both are refused."""
    if audience == Broadcast.Audience.EMPLOYER and employer is None:
        return BroadcastRefused(BROADCAST_EMPLOYER_REQUIRED, code="employer_required")
    if audience == Broadcast.Audience.STATUS and account_status not in AccountStatus.values:
        return BroadcastRefused(BROADCAST_STATUS_REQUIRED, code="status_required")
    if audience not in Broadcast.Audience.values:
        return BroadcastRefused(BROADCAST_AUDIENCE_UNKNOWN, code="audience_unknown")
    return None


def broadcast_recipients(*, audience: str, employer: Employer | None = None, account_status: str = ""):
    """The member ids a broadcast goes to, as a lazy values_list (never model instances)."""
    members = Member.objects.all()
    if audience == Broadcast.Audience.EMPLOYER:
        members = members.filter(fund_account__employer=employer)
    elif audience == Broadcast.Audience.STATUS:
        members = members.filter(fund_account__status=account_status)
    return members.order_by("pk").values_list("pk", flat=True)


def _batches(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    while batch := list(islice(ids, size)):
        yield batch


@transaction.atomic
def broadcast_send(
    *,
    sent_by: User,
    business: str,
    content: str,
    audience: str,
    employer: Employer | None = None,
    account_status: str = "",
    channel: str = Message.Channel.COUNTER,
) -> Broadcast:
    """Send one message to every member of an employer, of an account status,
    or to all, and record who sent it and to how many. Ids stream from the
    database in chunks and messages go in with multi-row INSERTs, so 100,000
    recipients take seconds and little memory; all or nothing (one transaction).

    The recipients' data versions are raised after commit, in short batches,
    not by the triggers inside this long transaction: those would lock every
    recipient's member row until it ends (inquiry/versioning.py). Their cached
    home pages show the message from then on, a few seconds later at most.

    Raises BroadcastRefused (broadcast_audience_refusal) before anything is sent."""
    refusal = broadcast_audience_refusal(audience=audience, employer=employer, account_status=account_status)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    ids = broadcast_recipients(audience=audience, employer=employer, account_status=account_status)
    records.member_versions_defer()
    recipients: list[int] = []
    for batch in _batches(ids.iterator(chunk_size=BROADCAST_BATCH_SIZE), BROADCAST_BATCH_SIZE):
        Message.objects.bulk_create(
            [Message(member_id=pk, business=business, content=content, channel=channel, sent_at=now) for pk in batch],
            batch_size=BROADCAST_BATCH_SIZE,
        )
        recipients += batch
    count = len(recipients)
    transaction.on_commit(partial(records.member_versions_raise, member_ids=recipients))
    return Broadcast.objects.create(
        sent_by=sent_by,
        sent_at=now,
        business=business,
        content=content,
        audience=audience,
        employer=employer if audience == Broadcast.Audience.EMPLOYER else None,
        account_status=account_status if audience == Broadcast.Audience.STATUS else "",
        recipient_count=count,
    )
