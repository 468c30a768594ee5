"""Messages pushed to a member's portal from the center's other channels,
the staff's broadcasts, and the channels' push tokens."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

BUSINESS_MAX_LENGTH = 50
CONTENT_MAX_LENGTH = 2000
IDEMPOTENCY_KEY_MAX_LENGTH = 64
# The window of a message's time (发送时间): the center sent nothing before
# 2000, and a channel's clock may run a little ahead, never a day. Outside it
# lie dates PostgreSQL stores but Python cannot read (year 10000, BC), which
# made every page listing the member's messages answer 500.
SENT_AT_EARLIEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
SENT_AT_AHEAD = timedelta(days=1)


class MessageQuerySet(models.QuerySet):
    def for_member(self, member) -> "MessageQuerySet":
        return self.filter(member=member)

    def visible(self) -> "MessageQuerySet":
        """Not deleted by the member (the row stays for the center's record)."""
        return self.filter(deleted_at__isnull=True)

    def unread(self) -> "MessageQuerySet":
        return self.filter(read_at__isnull=True)

    def read(self) -> "MessageQuerySet":
        return self.filter(read_at__isnull=False)


class Message(models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", "服务大厅"
        PORTAL = "portal", "网上服务大厅"
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信"
        APP = "app", "手机APP"
        HOTLINE = "hotline", "12329热线"

    member = models.ForeignKey(
        "inquiry.Member", verbose_name="缴存职工", on_delete=models.CASCADE, related_name="messages"
    )
    business = models.CharField("业务名称", max_length=BUSINESS_MAX_LENGTH)
    content = models.TextField("消息内容", max_length=CONTENT_MAX_LENGTH)
    channel = models.CharField("发送渠道", max_length=16, choices=Channel.choices, default=Channel.COUNTER)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    read_at = models.DateTimeField("已阅时间", null=True, blank=True)
    # 删除 by the member is soft: the center keeps what it told whom.
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    # Set by pushing channels: a retried push returns the first message (see the constraint).
    idempotency_key = models.CharField("幂等键", max_length=IDEMPOTENCY_KEY_MAX_LENGTH, blank=True, default="")
    # The broadcast this message came from: one per member (the constraint), so
    # a fan-out run again after a crash adds only what is missing.
    broadcast = models.ForeignKey(
        "tasks.Broadcast", verbose_name="群发消息", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-sent_at", "-id"]
        indexes = [
            # One index per member list, each starting with the member and
            # holding only that list's rows, in the list's order.
            models.Index(
                "member",
                models.F("sent_at").desc(),
                models.F("id").desc(),
                condition=Q(read_at__isnull=True, deleted_at__isnull=True),
                name="message_member_unread_idx",
            ),
            models.Index(
                "member",
                models.F("read_at").desc(),
                models.F("id").desc(),
                condition=Q(read_at__isnull=False, deleted_at__isnull=True),
                name="message_member_read_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "member"],
                condition=Q(broadcast__isnull=False),
                name="message_one_per_broadcast_member",
            ),
            # Two identical pushes arriving at once give one message: the
            # database refuses the second insert (no check-then-insert race).
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="message_channel_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.business


class ChannelToken(models.Model):
    """The secret a pushing channel sends as `Authorization: Bearer <token>`.
    Only its SHA-256 is stored: a leaked database gives no usable token."""

    class Kind(models.TextChoices):
        PUSH = "push", "消息推送"
        CORE = "core", "业务系统"

    # What the token opens: the push API (for its `channel`), or the core
    # system's outbox API (decisions); one never opens the other.
    kind = models.CharField("用途", max_length=8, choices=Kind.choices, default=Kind.PUSH)
    channel = models.CharField("推送渠道", max_length=16, choices=Message.Channel.choices, blank=True)
    name = models.CharField("名称", max_length=100)
    token_hash = models.CharField("令牌摘要(SHA-256)", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "渠道令牌"
        verbose_name_plural = "渠道令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        owner = self.get_kind_display() if self.kind == self.Kind.CORE else self.get_channel_display()
        return f"{owner} · {self.name}"


class PushRateBucket(models.Model):
    """A token bucket of the machine endpoints, in the database so that every
    gunicorn worker draws from the same bucket (the row is locked while read
    and written; see services.api_rate_take). One per pushing channel (its
    code) and one per core token (`core:<token id>`): services.rate_bucket_key."""

    channel = models.CharField("限速对象", max_length=16, unique=True)
    tokens = models.FloatField("剩余额度")
    refreshed_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "接口限速"
        verbose_name_plural = "接口限速"

    def __str__(self) -> str:
        return self.channel


class Broadcast(models.Model):
    """One message staff sent to many members at once (the record of who sent what to how many)."""

    class Audience(models.TextChoices):
        ALL = "all", "全部缴存职工"
        EMPLOYER = "employer", "指定单位的缴存职工"
        STATUS = "status", "指定账户状态的缴存职工"

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    business = models.CharField("业务名称", max_length=BUSINESS_MAX_LENGTH)
    content = models.TextField("消息内容", max_length=CONTENT_MAX_LENGTH)
    audience = models.CharField("发送对象", max_length=16, choices=Audience.choices, default=Audience.ALL)
    employer = models.ForeignKey(
        "inquiry.Employer", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account_status = models.CharField("个人账户状态", max_length=2, blank=True)
    recipient_count = models.PositiveIntegerField("接收人数", default=0)
    # The fan-out's progress (a job, tasks.services.messages.broadcast_deliver):
    # messages inserted so far and the last member reached, committed with
    # each batch, so a run after a crash goes on from there.
    delivered_count = models.PositiveIntegerField("已发送人数", default=0)
    last_member_id = models.BigIntegerField("已发送至", default=0, editable=False)
    finished_at = models.DateTimeField("发送完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "群发消息"
        verbose_name_plural = "群发消息"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.business}({self.recipient_count}人)"
