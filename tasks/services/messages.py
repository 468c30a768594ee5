"""Writes of messages: send, mark read, delete (soft), broadcasts, the sound preference."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from inquiry import services as records
from inquiry.models import AccountStatus, Employer, Member
from tasks.models import Broadcast, Message
from zzgjj_portal.outbox import outbox_lease_renew, outbox_put
from zzgjj_portal.refusal import Refusal

MESSAGE_KIND = "tasks.message"

BROADCAST_EMPLOYER_REQUIRED = "请选择单位。"
BROADCAST_STATUS_REQUIRED = "请选择个人账户状态。"
BROADCAST_AUDIENCE_UNKNOWN = "请选择发送对象。"


class BroadcastRefused(Refusal):
    """A broadcast whose audience is not fully chosen; `message` is shown to staff, `code` names the rule."""


@transaction.atomic
def message_send(*, member: Member, business: str, content: str, channel: str = Message.Channel.PORTAL) -> Message:
    """Put one message in the member's 消息 list (unread)."""
    return Message.objects.create(
        member=member, business=business, content=content, channel=channel, sent_at=timezone.now()
    )


def message_send_on_commit(*, member: Member, business: str, content: str) -> None:
    """Tell the member something once the caller's transaction commits.

    Written to the outbox in that transaction and delivered by a job: a
    rolled-back change tells nobody anything, and a process that dies after
    the commit still delivers the message (the relay offers it again). The
    message row itself is not inserted here because its data-version trigger
    would lock the member row late in a transaction that locked other rows
    first (the lock order is member row first)."""
    outbox_put(kind=MESSAGE_KIND, payload={"member_id": member.pk, "business": business, "content": content})


def message_deliver(payload: dict, item) -> None:
    """The outbox handler of message_send_on_commit (runs in the transaction
    that stamps the item done, so the message is inserted exactly once)."""
    member = Member.objects.filter(pk=payload["member_id"]).first()
    if member is None:  # the member was removed in the meantime: nobody to tell
        return
    message_send(member=member, business=payload["business"], content=payload["content"])


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


BROADCAST_KIND = "tasks.broadcast"
# Seconds a fan-out holds its outbox lease without renewing it (it renews
# with every batch); a worker that died is taken over after this at most.
BROADCAST_LEASE = 120


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
    """Record a message to every member of an employer, of an account status,
    or to all, and hand its fan-out to a job (broadcast_deliver) through the
    outbox. Returns at once: staff follow the progress (N of M) in admin.

    Raises BroadcastRefused (broadcast_audience_refusal) before anything is recorded."""
    refusal = broadcast_audience_refusal(audience=audience, employer=employer, account_status=account_status)
    if refusal is not None:
        raise refusal
    recipients = broadcast_recipients(audience=audience, employer=employer, account_status=account_status)
    broadcast = Broadcast.objects.create(
        sent_by=sent_by,
        sent_at=timezone.now(),
        business=business,
        content=content,
        audience=audience,
        employer=employer if audience == Broadcast.Audience.EMPLOYER else None,
        account_status=account_status if audience == Broadcast.Audience.STATUS else "",
        recipient_count=recipients.count(),
    )
    outbox_put(kind=BROADCAST_KIND, payload={"broadcast_id": broadcast.pk, "channel": channel})
    return broadcast


def broadcast_deliver(payload: dict, item) -> None:
    """Insert a broadcast's messages, TASKS_BROADCAST_BATCH_SIZE members a
    transaction, in member order from where the last committed batch ended.

    Each batch commits its messages, its recipients' data versions and the
    progress together, and holds those member rows only for that batch (the
    recipients' versions are raised here, not by the triggers row by row:
    inquiry/versioning.py). Killed at any point, a second run goes on from the
    last committed batch; a second run at the same time (a redelivered job)
    inserts nothing twice: one message per broadcast and member (constraint).
    TASKS_BROADCAST_BATCH_SIZE: large enough to be fast, small enough to keep
    each statement's parameters modest (SQLite allows 32,766)."""
    size = settings.TASKS_BROADCAST_BATCH_SIZE
    broadcast = Broadcast.objects.filter(pk=payload["broadcast_id"]).first()
    if broadcast is None or broadcast.finished_at is not None:
        return
    channel = payload.get("channel", Message.Channel.COUNTER)
    recipients = broadcast_recipients(
        audience=broadcast.audience, employer=broadcast.employer, account_status=broadcast.account_status
    )
    while True:
        with transaction.atomic():
            progress = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
            batch = list(recipients.filter(pk__gt=progress.last_member_id)[:size])
            if not batch:
                Broadcast.objects.filter(pk=broadcast.pk).update(
                    finished_at=timezone.now(), recipient_count=progress.delivered_count
                )
                return
            records.member_versions_defer()
            Message.objects.bulk_create(
                [
                    Message(
                        member_id=pk,
                        business=broadcast.business,
                        content=broadcast.content,
                        channel=channel,
                        sent_at=broadcast.sent_at,
                        broadcast=broadcast,
                    )
                    for pk in batch
                ],
                batch_size=size,
                ignore_conflicts=True,
            )
            records.member_versions_raise(member_ids=batch)
            Broadcast.objects.filter(pk=broadcast.pk).update(
                delivered_count=F("delivered_count") + len(batch), last_member_id=batch[-1]
            )
        outbox_lease_renew(item)
